//! Pronoun speakers ("he said", "it said") resolve to the entity a reader would pick:
//! a subject before the object of a preposition, an organization for "it".

use newsgraph_extract::extract;

fn speakers(body: &str) -> Vec<Option<String>> {
    let text = format!("Talks\n\nHONG KONG, May 20, 2016 (AFP) - {body}\n");
    extract(&text).expect("an extraction").quotes.into_iter().map(|q| q.speaker).collect()
}

#[test]
fn a_pronoun_prefers_the_subject_to_the_object_of_a_preposition() {
    let got = speakers(
        "Lawmaker Ted Hui apologised on Wednesday. He said he would apologise to the officer directly. \
         \"I have been concerned about the issue for months,\" he said.",
    );
    assert_eq!(got, vec![Some("Ted Hui".to_string()), Some("Ted Hui".to_string())]);
}

#[test]
fn with_only_an_object_before_it_the_pronoun_still_finds_it() {
    let got = speakers("Reporters spoke to the minister on Friday. \"We will not resign over this,\" she said.");
    assert_eq!(got.len(), 1);
    assert!(got[0].as_deref().is_some_and(|s| s.ends_with("minister")), "{got:?}");
}

#[test]
fn a_pronoun_takes_the_subject_of_the_sentence_not_a_name_inside_it() {
    let got = speakers(
        "Nada Bakos, a former CIA analyst who helped track down Abu Musab al-Zarqawi, points to the numbers. \
         \"We already know how many Westerners are working with them,\" she said.",
    );
    assert_eq!(got, vec![Some("Nada Bakos".to_string())]);
    let got = speakers(
        "\"The risk is growing,\" said Max Abrahms, assistant professor and terrorism expert at Northeastern University. \
         \"They have tried to bomb us numerous times,\" he said.",
    );
    assert_eq!(got, vec![Some("Max Abrahms".to_string()), Some("Max Abrahms".to_string())]);
}

#[test]
fn a_title_before_a_name_is_that_person() {
    let got = speakers(
        "Deliveries will begin at the end of 2017, Agriculture Minister of Russia Alexander Tkachev said. \
         \"We will start importing small volumes,\" he added.",
    );
    assert_eq!(got, vec![Some("Alexander Tkachev".to_string()), Some("Alexander Tkachev".to_string())]);
}

#[test]
fn a_sentence_led_by_the_same_pronoun_continues_its_referent() {
    let got = speakers(
        "Paul Marsden said the whips insulted him. He accused one whip, Jim Dowd, of prodding him in the back. \
         Later, he claimed the scenes spilt over into a bar where several MPs shouted abuse at him.",
    );
    assert_eq!(got, vec![Some("Paul Marsden".to_string()), Some("Paul Marsden".to_string())]);
}

#[test]
fn an_unnamed_body_described_by_its_country_speaks_as_described() {
    let got = speakers("French foreign ministry said on Thursday media reports on the release could not be confirmed.");
    assert_eq!(got, vec![Some("French foreign ministry".to_string())]);
}

#[test]
fn a_pronoun_can_take_the_speaker_of_the_statement_before() {
    let got = speakers(
        "Director General of Police Rajvinder Singh Bhatti said the blast was an accident. \
         Home Minister Amit Shah claimed that bombs went off. \
         The DGP said that the police will arrest the accused. \
         \"We have arrested 109 persons,\" he said.",
    );
    assert_eq!(got.last().cloned().flatten().as_deref(), Some("Rajvinder Singh Bhatti"), "{got:?}");
}

#[test]
fn a_first_definite_description_after_a_named_speaker_is_that_person() {
    let got = speakers(
        "The trains were checked, said DCP (Railways) Parwaiz Ahamad. \
         \"Nothing was found,\" said the officer.",
    );
    assert_eq!(got, vec![Some("Parwaiz Ahamad".to_string()), Some("Parwaiz Ahamad".to_string())]);
    // "the executive" for a CEO: the role fits the description.
    let got = speakers(
        "CEO Greta Lindqvist said that 32 people were affected. The executive declined to give details, \
         but said that the severance package was generous.",
    );
    assert_eq!(got, vec![Some("Greta Lindqvist".to_string()), Some("Greta Lindqvist".to_string())]);
}

#[test]
fn a_description_whose_role_does_not_fit_the_last_speaker_stays_a_description() {
    let got = speakers(
        "Finance Minister Ana Quispe said that prices will rise next year. \
         The economy will slow, the mayor said.",
    );
    assert_eq!(got, vec![Some("Ana Quispe".to_string()), Some("the mayor".to_string())]);
    // A description described before keeps pointing at that description.
    let got = speakers(
        "A police officer said the road was closed. Finance Minister Ana Quispe said that prices will rise. \
         The road will reopen soon, the officer said.",
    );
    assert_eq!(got[2].as_deref(), Some("A police officer"), "{got:?}");
}

#[test]
fn a_compound_description_keeps_its_last_noun_as_head() {
    let got = speakers("Further investigation is underway, said a police officer.");
    assert_eq!(got, vec![Some("a police officer".to_string())]);
}

#[test]
fn a_role_with_no_antecedent_is_the_person_the_story_is_about() {
    let got = speakers(
        "A television presenter who admitted wasting police time was sentenced. Ray Gosling, 71, was \
         charged in February. Gosling's claim was first made in a documentary. A BBC spokesman said: \
         \"We regret that we broadcast the claim.\" Entering his plea, the presenter told the court: \"Technically I am guilty of the charge.\" \
         Earlier in the hearing he had denied the charge, saying: \"In my heart I plead not guilty.\"",
    );
    assert_eq!(
        got,
        vec![Some("A BBC spokesman".to_string()), Some("Ray Gosling".to_string()), Some("Ray Gosling".to_string())]
    );
}

#[test]
fn without_a_clear_subject_of_the_story_the_role_stays_a_description() {
    let got = speakers(
        "Ray Gosling met Bill Turnbull. Gosling and Turnbull talked. A BBC spokesman said: \"We regret that we broadcast the claim.\" \
         The presenter told the court: \"Technically I am guilty of the charge.\"",
    );
    assert_eq!(got, vec![Some("A BBC spokesman".to_string()), Some("The presenter".to_string())]);
}

#[test]
fn a_misspelt_surname_is_the_person_it_is_one_letter_from() {
    let got = speakers(
        "Energy Minister Alparslan Bayraktar said on Friday that Turkiye was eager to become a gas hub. \
         Bayrktar affirmed his intention, noting that efforts would continue in this regard.",
    );
    assert_eq!(got, vec![Some("Alparslan Bayraktar".to_string()), Some("Alparslan Bayraktar".to_string())]);
}

#[test]
fn a_description_sharing_a_word_with_the_last_speakers_role_is_that_person() {
    let got = speakers(
        "District police officer Mumtaz Zareen told reporters that militants detonated the bomb. \
         The police chief says the explosion destroyed the school building.",
    );
    assert_eq!(got, vec![Some("Mumtaz Zareen".to_string()), Some("Mumtaz Zareen".to_string())]);
    // A place before a candidate's title is not part of their name.
    let got = speakers(
        "\"We can tackle climate change and create long-term jobs,\" said Mt Coo-tha candidate Larrisa Waters.",
    );
    assert_eq!(got, vec![Some("Larrisa Waters".to_string())]);
}

#[test]
fn a_one_word_name_given_with_a_title_is_found_again_alone() {
    let got = speakers("Governor Wanjiku opened the session. Wanjiku said the county would hire 500 officers.");
    assert_eq!(got, vec![Some("Wanjiku".to_string())]);
}

#[test]
fn a_role_description_is_the_person_the_next_sentence_names_with_that_role() {
    let got = speakers(
        "The Haitian government Communications Minister states that over 150,000 people are confirmed dead. \
         Minister Marie-Laurence Jocelyn Lassegue commented that the figure is based on bodies collected. \
         \"Nobody knows how many bodies are buried in the rubble,\" the Associated Press reports Lassegue as commenting.",
    );
    let lassegue = Some("Marie-Laurence Jocelyn Lassegue".to_string());
    assert_eq!(got, vec![lassegue.clone(), lassegue.clone(), lassegue]);
}

#[test]
fn mr_is_not_a_role_and_a_dateline_is_not_part_of_one() {
    let text = "Talks\n\nABUJA, May 20, 2016 (AFP) - The police spokesperson, Jimoh Moshood, disclosed the probe \
                on Wednesday.\n\nMr. Moshood stated that officers were under obligation.\n\n\
                The spokesperson said that the comment was a distraction.\n";
    let e = extract(text).expect("an extraction");
    let moshood = e.people.iter().find(|p| p.name == "Jimoh Moshood").expect("Moshood found");
    assert_eq!(moshood.role.as_deref(), Some("The police spokesperson"));
    let got: Vec<Option<&str>> = e.quotes.iter().map(|q| q.speaker.as_deref()).collect();
    assert_eq!(got, vec![Some("Jimoh Moshood"), Some("Jimoh Moshood")]);
}

#[test]
fn a_regulator_is_the_agency_and_it_goes_on_speaking() {
    let got = speakers(
        "Nineteen patients died after taking a drug from Intercept Pharmaceuticals Inc., the U.S. Food and Drug \
         Administration said. Seven of the patients were taking the drug too often, the agency said on Thursday. \
         \"The drug is being incorrectly dosed,\" the FDA said in its warning. But it also said that the medication \
         may be associated with liver damage.",
    );
    // One organization, written with and without its country.
    let fda = Some("Food and Drug Administration".to_string());
    assert_eq!(got, vec![fda.clone(), fda.clone(), fda.clone(), fda]);
}

#[test]
fn an_unnamed_authority_or_guard_speaks_as_described_and_goes_on() {
    let got = speakers(
        "The port authority said it expected traffic to return to normal by Wednesday, adding that no ships had \
         been diverted. The coast guard said two boats were missing.",
    );
    assert_eq!(
        got,
        vec![Some("port authority".to_string()), Some("port authority".to_string()), Some("coast guard".to_string())]
    );
}
