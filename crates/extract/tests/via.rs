//! `via` from every outlet slot of the statement's sentence: "told X", "tells X",
//! "speaking on/to X", "in an interview with X", "X cited Y as saying", an outlet
//! named by its medium ("French television BFMTV"), unknown names included.

use newsgraph_extract::extract;

fn quotes(body: &str) -> Vec<newsgraph_extract::Quote> {
    let text = format!("Talks\n\nPARIS, May 20, 2016 (AFP) - {body}\n");
    extract(&text).expect("an extraction").quotes
}

fn one(body: &str) -> (Option<String>, Vec<String>) {
    let q = quotes(body);
    assert_eq!(q.len(), 1, "{q:#?}");
    (q[0].speaker.clone(), q[0].via.clone())
}

#[test]
fn an_outlet_the_speaker_talked_to_is_via() {
    let (speaker, via) = one("The mayor told Wikinews that the city would repay the loan in full.");
    assert_eq!((speaker.as_deref(), via), (Some("The mayor"), vec!["Wikinews".to_string()]));
    let (_, via) = one("District police officer Mumtaz Zareen tells VOA that militants detonated the bomb early.");
    assert_eq!(via.len(), 1, "{via:?}");
    let (speaker, via) = one("Speaking on RTL radio, Manuel Valls says the airport has opened a crisis center.");
    assert_eq!((speaker.as_deref(), via), (Some("Manuel Valls"), vec!["RTL".to_string()]));
    let (_, via) = one("Speaking to the local broadcaster Europe 1, a diplomatic source said the hostages were safe.");
    assert_eq!(via, vec!["Europe 1".to_string()]);
}

#[test]
fn an_outlet_that_cites_someone_is_via_and_the_cited_speak() {
    let (speaker, via) =
        one("The captives were found unharmed, French television BFMTV cited military sources as saying.");
    assert_eq!((speaker.as_deref(), via), (Some("military sources"), vec!["BFMTV".to_string()]));
}

#[test]
fn audiences_and_modifiers_after_told_are_not_outlets() {
    let (_, via) = one("The minister told Parliament that the budget would be balanced by 2020.");
    assert!(via.is_empty(), "{via:?}");
    let (_, via) = one("The WHO chief told West African leaders that the outbreak was moving faster than efforts.");
    assert!(via.is_empty(), "{via:?}");
}

#[test]
fn an_outlet_named_by_its_masthead_word_reports_in_its_own_voice() {
    let (speaker, via) = one("The carmaker's share value has dropped by one third, The Toronto Star reported.");
    assert_eq!(speaker, None, "the seed's way: no speaker, the outlet in via");
    assert_eq!(via, vec!["Toronto Star".to_string()]);
}

#[test]
fn an_acronym_subject_and_a_zero_that_clause_after_told_x() {
    let (speaker, via) =
        one("WHO spokesman Gregory Hartl told VOA the outbreak is probably worse than the figures indicate.");
    assert_eq!(speaker.as_deref(), Some("Gregory Hartl"));
    assert_eq!(via.len(), 1, "{via:?}");
    let q = quotes("He told the BBC the talks had failed.");
    assert_eq!(q[0].text, "the talks had failed");
}

#[test]
fn an_outlet_inside_the_speakers_description_is_whom_they_work_for_not_via() {
    let (speaker, via) = one("A BBC spokesman said that the broadcaster regretted the interview.");
    assert_eq!((speaker.as_deref(), via), (Some("A BBC spokesman"), Vec::<String>::new()));
    // The outlet speaking in its own voice stays in via.
    let q = quotes("The BBC said that the interview had been withdrawn.");
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(q[0].via, vec!["BBC".to_string()]);
}
