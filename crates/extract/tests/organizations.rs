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

#[test]
fn suffixes_name_embassies_and_partnerships() {
    let e = run("The U.S. Embassy condemned the attack. Blackstone Infrastructure LP bought the port.");
    let names: Vec<&str> = e.organizations.iter().map(|o| o.name.as_str()).collect();
    assert!(names.contains(&"U.S. Embassy"), "{names:?}");
    assert!(names.contains(&"Blackstone Infrastructure LP"), "{names:?}");
}

#[test]
fn a_two_word_name_of_uncommon_words_is_a_person_and_common_words_an_organization() {
    let e = run("Those sanctioned are Taras Kozak and others. \
         The grant went to the Local Action Strategies team, a local program.");
    let people: Vec<&str> = e.people.iter().map(|p| p.name.as_str()).collect();
    assert!(people.contains(&"Taras Kozak"), "{people:?}");
    assert!(!people.iter().any(|p| p.contains("Strategies")), "{people:?}");
    let e = run("Rhein Handelsbank will cut jobs, the lender said. The Liberal Democrats objected.");
    let people: Vec<&str> = e.people.iter().map(|p| p.name.as_str()).collect();
    assert!(people.is_empty(), "{people:?}");
}

#[test]
fn what_the_text_does_with_an_unknown_name_marks_a_company() {
    let e = run("Zorvex said in a statement that it would cut 300 jobs. \
         Shares of Quantiva fell 5 percent. Brightwell's chief executive, Tom Harris, resigned.");
    let orgs: Vec<(&str, OrgKind)> = e.organizations.iter().map(|o| (o.name.as_str(), o.kind)).collect();
    assert!(orgs.contains(&("Zorvex", OrgKind::Other)), "{orgs:?}");
    assert!(orgs.contains(&("Quantiva", OrgKind::Company)), "{orgs:?}");
    assert!(orgs.contains(&("Brightwell", OrgKind::Company)), "{orgs:?}");
    assert_eq!(e.quotes[0].speaker.as_deref(), Some("Zorvex"));
    let harris = e.people.iter().find(|p| p.name == "Tom Harris").expect("Tom Harris");
    assert_eq!(harris.affiliation.as_deref(), Some("Brightwell"));
}

#[test]
fn a_body_named_by_whom_it_serves_is_an_organization_that_speaks() {
    let e = run("\"The cabinet has approved the plan,\" Prime Minister Ana Quispe's office said in a statement. \
         Quispe's office said the deal \"supports our objectives.\" Quispe said that talks would go on.");
    let office = e.organizations.iter().find(|o| o.name == "Ana Quispe's office").expect("the office found");
    assert_eq!(office.kind, OrgKind::Government);
    assert!(office.aliases.iter().any(|a| a == "Quispe's office"), "{:?}", office.aliases);
    assert!(e.people.iter().any(|p| p.name == "Ana Quispe"), "the person stays a person");
    let speakers: Vec<Option<&str>> = e.quotes.iter().map(|q| q.speaker.as_deref()).collect();
    assert_eq!(speakers, vec![Some("Ana Quispe's office"), Some("Ana Quispe's office"), Some("Ana Quispe")]);
}

#[test]
fn two_organizations_joined_by_and_stay_two_and_operations_are_events() {
    let e = run("The United States and European Union welcomed the talks. Israeli forces left after \
         Operation Cast Lead ended. Tseng formed the Chinese Precinct Chamber of Commerce in 2010.");
    let names: Vec<&str> = e.organizations.iter().map(|o| o.name.as_str()).collect();
    assert!(names.contains(&"United States") && names.contains(&"European Union"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains(" and ")), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("Operation")), "{names:?}");
    assert!(names.contains(&"Chinese Precinct Chamber of Commerce"), "{names:?}");
    // A name that holds "and" as a whole stays whole.
    let e = run("The Food and Drug Administration said the drug was safe.");
    let names: Vec<&str> = e.organizations.iter().map(|o| o.name.as_str()).collect();
    assert!(names.contains(&"Food and Drug Administration"), "{names:?}");
}

#[test]
fn one_organization_written_several_ways_is_one() {
    let e = extract(
        "Volkswagen Shares Fall\n\nVolkswagen AG said on Monday that its chief had resigned. \
         \"Volkswagen needs a fresh start,\" he said. The Volkswagen Group employs 600,000 people. \
         National Bank of Kenya Ltd. said profit fell. National Bank shares dropped. \
         Nairobi-based NIC Securities Ltd. said the bank would recover.\n",
    )
    .expect("an extraction");
    let names: Vec<&str> = e.organizations.iter().map(|o| o.name.as_str()).collect();
    let vw: Vec<_> = e.organizations.iter().filter(|o| o.name.starts_with("Volkswagen")).collect();
    assert_eq!(vw.len(), 1, "{names:?}");
    assert!(vw[0].aliases.iter().any(|a| a == "Volkswagen Group"), "{:?}", vw[0]);
    let nbk: Vec<_> = e.organizations.iter().filter(|o| o.name.starts_with("National Bank")).collect();
    assert_eq!(nbk.len(), 1, "{names:?}");
    assert_eq!(nbk[0].name, "National Bank of Kenya Ltd.");
    assert!(names.contains(&"NIC Securities Ltd."), "{names:?}");
}

#[test]
fn a_headline_run_that_only_starts_with_a_name_is_that_organization() {
    let e = extract(
        "National Bank of Kenya Drops on Profit Plunge\n\n\
         National Bank of Kenya Ltd. said profit fell by half in the first quarter.\n",
    )
    .expect("an extraction");
    let names: Vec<&str> = e.organizations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec!["National Bank of Kenya Ltd."]);
    assert!(e.organizations[0].aliases.iter().all(|a| !a.contains("Drops")), "{:?}", e.organizations[0]);
}

#[test]
fn distinct_organizations_sharing_a_first_word_stay_apart() {
    let e =
        run("The Federal Reserve said rates would hold. The Federal Reserve Bank of New York said markets were calm. \
         Supreme Court judges met. The Supreme Court of Pakistan said the case was closed.");
    let names: Vec<&str> = e.organizations.iter().map(|o| o.name.as_str()).collect();
    assert!(names.contains(&"Federal Reserve"), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("Federal Reserve Bank")), "{names:?}");
}

#[test]
fn a_newspaper_named_in_its_own_language_is_an_outlet() {
    let e = run("A man threw paint at the office of the Nikkei Shimbun on Friday. \
         The Chosun Ilbo said the suspect was arrested.");
    let outlets: Vec<&str> = e.organizations.iter().filter(|o| o.kind.is_news()).map(|o| o.name.as_str()).collect();
    assert!(outlets.contains(&"Chosun Ilbo"), "{outlets:?}");
    let nikkei = e.organizations.iter().find(|o| o.name == "Nikkei").expect("Nikkei");
    assert!(nikkei.kind.is_news() && nikkei.aliases.iter().any(|a| a == "Nikkei Shimbun"), "{nikkei:?}");
}

#[test]
fn a_name_headed_by_an_organization_word_and_for_is_one_organization_and_its_initials_are_it() {
    let e = run("The Movement for Democratic Change said the vote was rigged. \
         The MDC said it would appeal. The Council on Foreign Relations said nothing on Tuesday.");
    let names: Vec<&str> = e.organizations.iter().map(|o| o.name.as_str()).collect();
    assert!(names.contains(&"Movement for Democratic Change"), "{names:?}");
    assert!(names.contains(&"Council on Foreign Relations"), "{names:?}");
    assert!(!names.contains(&"MDC"), "{names:?}");
    assert!(e.people.is_empty(), "{:?}", e.people);
    let mdc = e.organizations.iter().find(|o| o.name == "Movement for Democratic Change").expect("MDC");
    assert!(mdc.aliases.iter().any(|a| a == "MDC"), "{mdc:?}");
    let speakers: Vec<Option<&str>> = e.quotes.iter().map(|q| q.speaker.as_deref()).collect();
    assert_eq!(speakers[..2], [Some("Movement for Democratic Change"), Some("Movement for Democratic Change")]);
}

#[test]
fn an_outlet_named_before_what_it_is_and_an_exchange_are_organizations() {
    let e = run("The report was published on Friday by the London-based Al-Arab newspaper. \
         The Yonhap news agency said the talks failed. The Nairobi Securities Exchange said trading was halted. \
         The Mail on Sunday said the MP was wrong. Nordwind Motors on Tuesday said profits fell.");
    let orgs: Vec<(&str, OrgKind)> = e.organizations.iter().map(|o| (o.name.as_str(), o.kind)).collect();
    assert!(orgs.contains(&("Al-Arab", OrgKind::NewsOutlet)), "{orgs:?}");
    assert!(orgs.contains(&("Yonhap", OrgKind::NewsAgency)), "{orgs:?}");
    assert!(orgs.contains(&("Nairobi Securities Exchange", OrgKind::Company)), "{orgs:?}");
    assert!(orgs.iter().any(|(n, _)| n.ends_with("Mail on Sunday")), "{orgs:?}");
    assert!(orgs.contains(&("Nordwind Motors", OrgKind::Company)), "{orgs:?}");
    assert!(e.people.is_empty(), "{:?}", e.people);
}
