//! Statements framed on both sides: the frame after the quote decides the
//! speaker when it names one, and the frame before still counts when the one
//! after names only the source.

use newsgraph_extract::extract;

fn only_quote(body: &str) -> newsgraph_extract::Quote {
    let text = format!("Talks\n\nGENEVA, May 20, 2016 (AFP) - {body}\n");
    let extraction = extract(&text).expect("an extraction");
    assert_eq!(extraction.quotes.len(), 1, "{:#?}", extraction.quotes);
    extraction.quotes.into_iter().next().unwrap()
}

#[test]
fn a_speaker_before_the_quote_and_a_source_after_it_both_count() {
    let quote = only_quote(
        r#"Russian Foreign Minister Sergei Lavrov said on Friday that "the ceasefire must hold in Aleppo," according to AFP."#,
    );
    assert_eq!(quote.speaker.as_deref(), Some("Sergei Lavrov"));
    assert_eq!(quote.via, ["Agence France-Presse"]);
}

#[test]
fn a_speaker_named_after_the_quote_wins_over_the_frame_before() {
    let quote = only_quote(
        r#"Speaking to reporters, Russian Foreign Minister Sergei Lavrov added: "The ceasefire must hold," U.S. Secretary of State John Kerry said."#,
    );
    assert_eq!(quote.speaker.as_deref(), Some("John Kerry"));
}

#[test]
fn a_trailing_attribution_may_carry_a_long_adverbial_and_an_outlet() {
    let quote = only_quote(
        "In just over a month, the contact group has proven its worth with donations to the country, \
         Secretary of Defense Lloyd J. Austin III said after a virtual meeting with leaders of the group.",
    );
    assert_eq!(quote.speaker.as_deref(), Some("Lloyd J. Austin III"));
    assert!(quote.text.contains("the contact group has proven its worth"), "{}", quote.text);
    let quote = only_quote(
        "Deliveries of tomatoes will begin at the end of 2017, Agriculture Minister of Russia Alexander Tkachev \
         said in an interview to the Rossiya 24 TV channel.",
    );
    assert_eq!(quote.speaker.as_deref(), Some("Alexander Tkachev"));
    assert_eq!(quote.via, ["Rossiya 24"]);
}

#[test]
fn a_wire_credit_without_a_place_opens_the_story_and_attributes_nothing() {
    for credit in ["(Reuters) - ", "(Reuters) -", "(AP) — "] {
        let text = format!(
            "Shares fall\n\n{credit}Lab testing firm Eurofins on Tuesday rejected allegations, saying it was confident in its accounts.\n"
        );
        let extraction = extract(&text).expect("an extraction");
        assert_eq!(extraction.quotes.len(), 1, "{credit}: {:#?}", extraction.quotes);
        assert_eq!(extraction.quotes[0].speaker.as_deref(), Some("Eurofins"), "{credit}");
        assert!(extraction.quotes[0].via.is_empty(), "{credit}: the credit is not this statement's via");
    }
}

#[test]
fn a_reported_statement_before_a_second_verb_framing_a_quote_is_its_own_statement() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - At his morning press conference, or mañanera, on Wednesday, \
                President Ana Quispe acknowledged that her time in office is running out, but asserted that \
                \u{201c}we still have years of work left.\u{201d}\n";
    let quotes = extract(text).expect("an extraction").quotes;
    let got: Vec<(&str, bool, Option<&str>)> =
        quotes.iter().map(|q| (q.text.as_str(), q.direct, q.speaker.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            ("her time in office is running out", false, Some("Ana Quispe")),
            ("we still have years of work left.", true, Some("Ana Quispe")),
        ]
    );
    // Without a second speech verb the clause before the quote is not a statement.
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - Ana Quispe arrived in Geneva on Monday and \
                said: \u{201c}we still have years of work left.\u{201d}\n";
    assert_eq!(extract(text).expect("an extraction").quotes.len(), 1);
}

#[test]
fn a_new_predicate_of_the_speaker_ends_the_reported_clause() {
    let quote = only_quote(
        "Kurt Jansson said they are happy that the court ruled for them and hoped that the plaintiffs \
         would refrain from further legal action.",
    );
    assert_eq!(quote.text, "they are happy that the court ruled for them");
    let quote = only_quote(
        "Youngkin and his allies have alleged that many educators do not agree with the missive and have \
         criticized press coverage of the controversy.",
    );
    assert_eq!(quote.text, "many educators do not agree with the missive");
    // A verb of the reported clause's own subject stays inside it.
    let quote = only_quote("Ana Quispe said the company expanded and hired 30 people in May.");
    assert_eq!(quote.text, "the company expanded and hired 30 people in May");
}

#[test]
fn a_speech_word_after_a_preposition_is_a_noun() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - Ray Gosling was charged over claims he made to \
                a television presenter in February. Amid reports the talks had stalled, the envoy left.\n";
    let quotes = extract(text).expect("an extraction").quotes;
    assert!(quotes.is_empty(), "{quotes:#?}");
    // "of" before a past tense is not a noun's preposition.
    let quote = only_quote("The head of the commission said on Monday that the budget could not pass.");
    assert_eq!(quote.text, "the budget could not pass");
}

#[test]
fn a_lead_in_ending_with_a_colon_frames_the_next_paragraphs_quote() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - The trial began on Monday.\n\n\
                Health Secretary Ana Quispe issued the following statement:\n\n\
                \u{201c}The early actions of the government bought the country valuable time to prepare.\u{201d}\n";
    let quotes = extract(text).expect("an extraction").quotes;
    assert_eq!(quotes.len(), 1, "{quotes:#?}");
    assert_eq!(quotes[0].speaker.as_deref(), Some("Ana Quispe"));
}

#[test]
fn a_long_organization_name_is_still_a_plausible_subject() {
    let quote = only_quote(
        "On Monday, the National Institute of Allergy and Infectious Diseases (NIAID) at the National \
         Institutes of Health announced that a clinical trial has begun in Seattle.",
    );
    assert_eq!(quote.text, "a clinical trial has begun in Seattle");
    assert_eq!(quote.speaker.as_deref(), Some("National Institute of Allergy and Infectious Diseases"));
}

#[test]
fn a_number_with_thousands_separators_is_one_word() {
    let quote = only_quote("The minister states that over 150,000 people in the capital, Port-au-Prince, are dead.");
    assert_eq!(quote.text, "over 150,000 people in the capital, Port-au-Prince, are dead");
}

#[test]
fn a_noun_phrase_after_with_says_the_clause_after_its_participle() {
    let quote = only_quote(
        "The death toll looks certain to rise, with authorities saying there is no longer any hope of finding survivors.",
    );
    assert_eq!(quote.text, "there is no longer any hope of finding survivors");
    assert_eq!(quote.speaker.as_deref(), Some("authorities"));
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - He left the court with his wife saying goodbye.\n";
    assert!(extract(text).expect("an extraction").quotes.is_empty());
}

#[test]
fn a_second_predicate_of_the_sentences_subject_frames_a_statement() {
    let quote = only_quote(
        "Ana Quispe has counted more than 70 aftershocks since Tuesday, and says the tremors are likely to continue.",
    );
    assert_eq!(quote.text, "the tremors are likely to continue");
    assert_eq!(quote.speaker.as_deref(), Some("Ana Quispe"));
}

#[test]
fn an_opening_question_and_its_appositives_are_not_the_subject() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - The Angolan national team coach, Oliver Goncalves Luis, spoke on Monday. \
                Asked whether he was satisfied with the Japanese referee, Nichimura Yuchi, the Angolan coach retorted: \
                \"I usually do not want to talk about referees, but we have better referees in Africa.\"\n";
    let quotes = extract(text).expect("an extraction").quotes;
    assert_eq!(quotes.len(), 1, "{quotes:#?}");
    assert_eq!(quotes[0].speaker.as_deref(), Some("Oliver Goncalves Luis"));
}

#[test]
fn an_after_frame_may_hold_a_long_appositive_before_its_verb() {
    let quote = only_quote(
        "\u{201c}It is declining basically because of the earnings,\u{201d} Faith Atiti, an analyst at Nairobi-based \
         NIC Securities Ltd. (NICB), said by telephone today.",
    );
    assert_eq!(quote.speaker.as_deref(), Some("Faith Atiti"));
}

#[test]
fn a_short_subject_and_verb_before_a_colon_frame_a_quote() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - Judge Stephen Hellman heard the appeal. Mr Hellman continued: \
                \u{201c}In a sense, it does not matter what the magistrate writes.\u{201d}\n";
    let quotes = extract(text).expect("an extraction").quotes;
    assert_eq!(quotes.len(), 1, "{quotes:#?}");
    assert_eq!(quotes[0].speaker.as_deref(), Some("Stephen Hellman"));
    // A heading with a colon is not a frame.
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - Key figures from the report on jobs and wages: \
                \u{201c}Wages rose three percent in the year to May, the fastest rise since 2008.\u{201d}\n";
    let quotes = extract(text).expect("an extraction").quotes;
    assert!(quotes.iter().all(|q| q.speaker.is_none()), "{quotes:#?}");
}

#[test]
fn a_further_statement_in_a_direct_quotes_after_frame_is_found() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - Lawmaker Ted Hui spoke on Monday. \u{201c}I am sure this violates \
                lawmakers\u{2019} privacy,\u{201d} he said, adding that he will file a complaint to the privacy commissioner.\n";
    let quotes = extract(text).expect("an extraction").quotes;
    let got: Vec<(&str, Option<&str>)> = quotes.iter().map(|q| (q.text.as_str(), q.speaker.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            ("I am sure this violates lawmakers\u{2019} privacy,", Some("Ted Hui")),
            ("he will file a complaint to the privacy commissioner", Some("Ted Hui")),
        ]
    );
}

#[test]
fn a_clause_may_open_with_a_phrase_closed_by_a_comma_and_adverbs_are_not_subjects() {
    let quote = only_quote("The Angolan coach said as hosts for the 2010 Nations Cup, his team would prepare well.");
    assert_eq!(quote.text, "as hosts for the 2010 Nations Cup, his team would prepare well");
    let quote = only_quote("The government officially announced on Saturday that its search for survivors had ended.");
    assert_eq!(quote.speaker.as_deref(), Some("government"));
}

#[test]
fn a_short_quoted_term_outside_any_statement_is_not_a_quote() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - The news agency described the protests in the capital on \
                Saturday evening as \u{201c}limited\u{201d} and warned against the \u{201c}spread of premature information.\u{201d}\n";
    let quotes = extract(text).expect("an extraction").quotes;
    assert!(quotes.iter().all(|q| q.text != "limited" && q.text != "spread of premature information."), "{quotes:#?}");
}

#[test]
fn told_reaches_past_a_long_object_to_its_that_clause() {
    let quote = only_quote(
        "But officials told tearful friends and families of those inside the five-story building that no one \
         would be found alive under the rubble.",
    );
    assert_eq!(quote.text, "no one would be found alive under the rubble");
    assert_eq!(quote.speaker.as_deref(), Some("officials"));
}

#[test]
fn plural_groups_of_people_speak_as_descriptions() {
    let quote = only_quote("Local businesses said the stoppage had cost them millions of dollars.");
    assert_eq!(quote.speaker.as_deref(), Some("Local businesses"));
}

#[test]
fn a_parenthetical_before_that_a_zero_that_after_indicated_and_a_second_argued() {
    let x = newsgraph_extract::extract(
        "Appeal\n\nA lawyer argued, as a basis for an appeal, that the magistrate did not formally change a plea.\n\n\
         On March 13, the defendant indicated he wanted to change his plea to guilty.\n\n\
         Crown counsel Takiyah Burgess said the plea was changed and argued it was recorded in the notes.\n",
    )
    .expect("an extraction");
    let got: Vec<(&str, Option<&str>)> = x.quotes.iter().map(|q| (q.text.as_str(), q.speaker.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            ("the magistrate did not formally change a plea", Some("A lawyer")),
            ("he wanted to change his plea to guilty", Some("the defendant")),
            ("the plea was changed", Some("Takiyah Burgess")),
            ("it was recorded in the notes", Some("Takiyah Burgess")),
        ]
    );
}

#[test]
fn the_subject_of_come_forward_to_say_is_the_speaker() {
    let x = newsgraph_extract::extract(
        "Letter\n\nSeveral superintendents have since come forward to say that they were not consulted before the \
         letter went out.\n",
    )
    .expect("an extraction");
    assert_eq!(x.quotes.len(), 1);
    assert_eq!(x.quotes[0].speaker.as_deref(), Some("Several superintendents"));
}

#[test]
fn unnamed_reports_and_media_speak_as_described_but_a_named_bodys_report_is_the_body() {
    let x = newsgraph_extract::extract(
        "Reports\n\nReports said he was recently killed.\n\n\
         Social media users said the cartel handed out toys.\n\n\
         A local newspaper report said the police killed 121 people.\n\n\
         Glaciers lost 4 percent of their volume, according to a report published on Tuesday by the Swiss Academy \
         of Sciences.\n",
    )
    .expect("an extraction");
    let got: Vec<Option<&str>> = x.quotes.iter().map(|q| q.speaker.as_deref()).collect();
    assert_eq!(
        got,
        vec![
            Some("Reports"),
            Some("Social media users"),
            Some("A local newspaper report"),
            Some("Swiss Academy of Sciences")
        ]
    );
}

#[test]
fn marks_closing_a_clause_the_sentence_began_make_a_mixed_statement() {
    let x = newsgraph_extract::extract(
        "Arrests\n\nThe police said three men were held. The trio's images had been \"captured by CCTV and \
         circulated,\" it said. CEO Mark Zuckerberg kicked off the call talking about the \"really good progress\" \
         he said the firm had made.\n",
    )
    .expect("an extraction");
    let mixed = x.quotes.iter().find(|q| q.text.starts_with("The trio")).expect("the whole clause");
    assert_eq!(mixed.text, "The trio's images had been \"captured by CCTV and circulated,\"");
    assert!(!mixed.direct);
    assert!(x.quotes.iter().all(|q| q.text != "captured by CCTV and circulated,"), "{:#?}", x.quotes);
    assert!(x.quotes.iter().all(|q| !q.text.starts_with("CEO Mark")), "{:#?}", x.quotes);
}

#[test]
fn a_closing_relative_clause_of_denial_is_not_part_of_the_statement() {
    let x = newsgraph_extract::extract(
        "Fighters\n\nPresident Rodrigo Duterte said there were 1,200 ISIS fighters in the Philippines, which top \
         military officials already refuted.\n\nLumina, which is based in Austin, Texas, said it had cooperated \
         fully with regulators.\n",
    )
    .expect("an extraction");
    let texts: Vec<&str> = x.quotes.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(
        texts,
        vec!["there were 1,200 ISIS fighters in the Philippines", "it had cooperated fully with regulators"]
    );
}

#[test]
fn a_clause_after_after_with_a_frame_of_its_own_is_a_second_statement() {
    let x = newsgraph_extract::extract(
        "Threat\n\nGerman police said there were no signs of an imminent attack by militants in Germany, after a \
         news magazine reported that a plot existed to attack the Reichstag.\n",
    )
    .expect("an extraction");
    let got: Vec<(&str, Option<&str>)> = x.quotes.iter().map(|q| (q.text.as_str(), q.speaker.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            ("there were no signs of an imminent attack by militants in Germany", Some("German police")),
            ("a plot existed to attack the Reichstag", Some("a news magazine")),
        ]
    );
}

#[test]
fn an_issued_statement_saying_a_clause_is_the_issuers_statement() {
    let quote =
        only_quote("The interior ministry issued a statement saying the border crossings would reopen on Monday.");
    assert!(quote.text.starts_with("the border crossings would reopen"), "{}", quote.text);
    assert!(quote.speaker.as_deref().is_some_and(|s| s.to_lowercase().contains("ministry")), "{:?}", quote.speaker);
}

#[test]
fn a_relative_clause_with_an_auxiliary_still_attributes_to_its_antecedent() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - Former finance minister Helga Brandt, who has also declared \
                that the budget must be cut, criticised the coalition on Friday.\n";
    let extraction = extract(text).expect("an extraction");
    let quote = extraction.quotes.iter().find(|q| q.text.contains("the budget must be cut")).expect("the statement");
    assert_eq!(quote.speaker.as_deref(), Some("Helga Brandt"));
}

#[test]
fn citing_that_continues_the_speakers_statement_and_citing_a_source_does_not() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - Army spokesman Kim Dae-ho told reporters that the results \
                must be watched closely, citing that the inquiry is still under way.\n";
    let extraction = extract(text).expect("an extraction");
    let texts: Vec<&str> = extraction.quotes.iter().map(|q| q.text.as_str()).collect();
    assert!(texts.iter().any(|t| t.starts_with("the inquiry is still under way")), "{texts:?}");
    assert!(extraction.quotes.iter().all(|q| q.speaker.as_deref() == Some("Kim Dae-ho")), "{:#?}", extraction.quotes);
    assert!(texts.iter().all(|t| !t.contains("citing")), "{texts:?}");
}

#[test]
fn a_second_speaker_after_but_gets_a_statement_of_its_own_and_keeps_its_medium() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - Party officials said Halvorsen was among those held, but police \
                denied the report and the opposition leader later told the BBC that he had been freed.\n";
    let extraction = extract(text).expect("an extraction");
    let held = extraction.quotes.iter().find(|q| q.text.contains("among those held")).expect("the first statement");
    assert!(!held.text.contains("freed"), "cut before the second speaker: {}", held.text);
    assert!(held.via.is_empty(), "the BBC carried the leader's words, not the officials': {:?}", held.via);
    let freed = extraction.quotes.iter().find(|q| q.text.contains("he had been freed")).expect("the second statement");
    assert_eq!(freed.via, ["BBC"]);
}

#[test]
fn a_place_based_organization_speaks_not_its_place() {
    let quote =
        only_quote("The U.S.-based SITE Intelligence Group says that the militants chose a new leader in 2016.");
    assert_eq!(quote.speaker.as_deref(), Some("SITE Intelligence Group"));
}

#[test]
fn a_quote_going_on_in_the_next_paragraph_came_through_the_same_outlet() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - \u{201c}The whole plan is absurd,\u{201d} Defence Minister Karl \
                Osterberg told the BBC.\n\n\u{201c}I am sorry for my colleagues. I hope that whoever leaked this \
                reflects on what they did.\u{201d}\n";
    let extraction = extract(text).expect("an extraction");
    let next = extraction.quotes.iter().find(|q| q.text.contains("I am sorry")).expect("the continuation");
    assert_eq!(next.speaker.as_deref(), Some("Karl Osterberg"));
    assert_eq!(next.via, ["BBC"]);
}

#[test]
fn he_after_a_description_that_named_its_person_is_that_person() {
    let text = "Talks\n\nGENEVA, May 20, 2016 (AFP) - A spokesman for Maria Lund's faction of the Green Alliance, Tomas \
                Ekberg, says police raided the offices on Wednesday.\n\n\u{201c}They took away all the staff in an \
                open truck. We do not know where they are,\u{201d} he said.\n";
    let extraction = extract(text).expect("an extraction");
    let q = extraction.quotes.iter().find(|q| q.text.contains("They took away")).expect("the quote");
    assert_eq!(q.speaker.as_deref(), Some("Tomas Ekberg"));
}
