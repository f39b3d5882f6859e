//! Roles tied to people and bodies: "the head of X" is the person of X the text names
//! with a fitting role, titles written as initials or in Irish are titles, a name written
//! family name first is taken up by that name, and a body named inside a title is an
//! organization.

use newsgraph_extract::{Extraction, extract};

fn run(body: &str) -> Extraction {
    extract(&format!("Talks\n\n{body}\n")).expect("an extraction")
}

fn speakers(x: &Extraction) -> Vec<Option<String>> {
    x.quotes.iter().map(|q| q.speaker.clone()).collect()
}

#[test]
fn the_head_of_an_organization_is_the_person_named_next_with_its_role() {
    let x = run("The head of the World Health Organization has told the presidents of West African nations that the \
         outbreak is moving faster than efforts to control it.\n\n\
         Dr. Margaret Chan, WHO's director general, says the consequences could be catastrophic.\n\n\
         The WHO chief said her hope is the plan will mark a turning point.");
    let chan = Some("Margaret Chan".to_string());
    assert_eq!(speakers(&x), vec![chan.clone(), chan.clone(), chan]);
    let chan = x.people.iter().find(|p| p.name == "Margaret Chan").expect("Chan");
    assert_eq!(chan.role.as_deref(), Some("WHO's director general"));
}

#[test]
fn an_unnamed_head_of_an_organization_speaks_as_described() {
    let x = run("The head of the Transport Workers Union said the strike would go ahead on Monday.");
    assert_eq!(x.quotes.len(), 1);
    let q = &x.quotes[0];
    assert_eq!(q.speaker.as_deref(), Some("The head of the Transport Workers Union"));
    assert_eq!(q.speaker_affiliation.as_deref(), Some("Transport Workers Union"));
}

#[test]
fn titles_written_as_initials_or_in_irish_are_not_part_of_the_name() {
    let x = run("CP Haruna G. Garba said the suspects were arrested on Sunday.\n\n\
         Mr Martin met Taoiseach Enda Kenny on Tuesday.");
    let names: Vec<&str> = x.people.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains(&"Haruna G. Garba"), "{names:?}");
    assert!(names.contains(&"Enda Kenny"), "{names:?}");
    assert_eq!(speakers(&x), vec![Some("Haruna G. Garba".to_string())]);
}

#[test]
fn an_opening_participle_clause_is_not_the_speaker() {
    let x = run("Fianna Fáil leader Micheál Martin has criticised the coalition.\n\n\
         Addressing Taoiseach Enda Kenny during Leaders' Questions, Mr Martin said: \"This thing isn't going to last.\"");
    assert_eq!(speakers(&x), vec![Some("Micheál Martin".to_string())]);
}

#[test]
fn a_name_written_family_name_first_is_taken_up_by_its_first_word() {
    let x = run("Chinese Foreign Ministry Spokesman Zhu Bangzao expressed strong dissatisfaction on Thursday.\n\n\
         Mr. Zhu said the question of Taiwan is an internal affair.");
    assert_eq!(x.people.len(), 1, "{:?}", x.people);
    assert_eq!(speakers(&x), vec![Some("Zhu Bangzao".to_string())]);
    assert_eq!(x.people[0].affiliation.as_deref(), Some("Chinese Foreign Ministry"));
    assert!(x.organizations.iter().any(|o| o.name == "Chinese Foreign Ministry"), "{:?}", x.organizations);
}

#[test]
fn an_acronym_after_the_is_the_organization_not_the_pronoun() {
    let x = run("The WHO said the outbreak was slowing.");
    assert_eq!(speakers(&x), vec![Some("World Health Organization".to_string())]);
}

#[test]
fn a_romanized_east_asian_given_name_ends_the_name_after_a_long_title() {
    let x = run("Refuting the report at a news conference in Taipei yesterday, Minister of Health and Welfare \
         Chen Shih-chung, who heads the Central Epidemic Command Center, said that the center did not mistreat \
         the couple.");
    let names: Vec<&str> = x.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["Chen Shih-chung"]);
    assert_eq!(speakers(&x), vec![Some("Chen Shih-chung".to_string())]);
}

#[test]
fn plural_titles_and_place_names_are_not_people() {
    let x = run("Congresswomen Flor Pablo said the vote was rigged.\n\n\
         Officials in Hualien County said the road was closed. Guests at the Holiday Inn said they were safe.");
    let names: Vec<&str> = x.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["Flor Pablo"]);
}

#[test]
fn a_relative_quoted_as_saying_is_an_anonymous_speaker() {
    let x = run("\"The room is filthy,\" the mother of a British woman was quoted as saying.\n\n\
         The BBC quoted the woman's father as saying that she was kept in poor conditions.");
    let got = speakers(&x);
    assert_eq!(got.len(), 2, "{:?}", x.quotes);
    assert!(got.iter().all(|s| s.as_deref().is_some_and(|s| s.contains("mother") || s.contains("father"))), "{got:?}");
}

#[test]
fn a_royal_title_is_kept_as_a_form_of_the_name_and_takes_up_the_first_name() {
    let x = run("Prince Abdulaziz bin Abdullah said during a summit that Gulf Arab states must quash any Arab \
         Spring-inspired unrest.\n\n\
         \"The security of the GCC states is one,\" Prince Abdulaziz said.");
    assert_eq!(x.people.len(), 1, "{:?}", x.people);
    let p = &x.people[0];
    assert_eq!(p.name, "Abdulaziz bin Abdullah");
    assert!(p.aliases.iter().any(|a| a == "Prince Abdulaziz bin Abdullah"), "{p:?}");
    assert_eq!(speakers(&x), vec![Some(p.name.clone()), Some(p.name.clone())]);
    assert!(x.organizations.iter().all(|o| !o.name.contains("Spring")), "{:?}", x.organizations);
}

#[test]
fn a_capitalized_title_before_an_honourable_name_is_the_role_a_later_description_uses() {
    let x = run("KINGSTON - Minister of National Security, Hon. Robert Montague, is calling on residents to help.\n\n\
         \"Call the police,\" the Minister said.\n\n\
         Police Sr. Comr. Budi Santoso said the men were detained.");
    let names: Vec<&str> = x.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["Robert Montague", "Budi Santoso"]);
    assert_eq!(x.people[0].role.as_deref(), Some("Minister of National Security"));
    assert_eq!(speakers(&x), vec![Some("Robert Montague".to_string()), Some("Budi Santoso".to_string())]);
}

#[test]
fn a_name_owning_something_after_spokesman_for_is_a_person_and_the_appositive_speaks() {
    let x = run(
        "A spokesman for Morgan Tsvangirai's faction of the Movement for Democratic Change, George Sibotshiwe, says \
         police raided the party headquarters.",
    );
    let names: Vec<&str> = x.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["Morgan Tsvangirai", "George Sibotshiwe"]);
    assert!(x.organizations.iter().all(|o| o.name != "Morgan Tsvangirai"), "{:?}", x.organizations);
    assert_eq!(speakers(&x), vec![Some("George Sibotshiwe".to_string())]);
}
