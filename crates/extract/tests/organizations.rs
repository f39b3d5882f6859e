//! Organizations no list holds, recognised from the text: a descriptor before the
//! name ("lab testing firm Eurofins", "platform X", "movement Hezb al-Islam"), and
//! the name used alone afterwards.

use newsgraph_extract::{OrgKind, extract};

fn run(body: &str) -> newsgraph_extract::Extraction {
    extract(&format!("Shares\n\nPARIS, May 20, 2016 (AFP) - {body}\n")).expect("an extraction")
}

#[test]
fn a_descriptor_makes_the_name_after_it_an_organization_that_speaks_later() {
    let e = run("Lab testing firm Eurofins on Tuesday rejected the allegations. \
         Eurofins said that all transactions were done at arm's length. \
         \"We are confident in our accounts,\" the company said.");
    let org = e.organizations.iter().find(|o| o.name == "Eurofins").expect("Eurofins found");
    assert_eq!(org.kind, OrgKind::Company);
    let speakers: Vec<Option<&str>> = e.quotes.iter().map(|q| q.speaker.as_deref()).collect();
    assert_eq!(speakers, vec![Some("Eurofins"), Some("Eurofins")]);
}

#[test]
fn the_name_is_whole_and_without_the_sentence_dot() {
    let e = run("The rebels of the Islamist movement Hezb al-Islam left. He posted it on social media platform X.");
    let names: Vec<&str> = e.organizations.iter().map(|o| o.name.as_str()).collect();
    assert!(names.contains(&"Hezb al-Islam"), "{names:?}");
    assert!(names.contains(&"X"), "{names:?}");
}
