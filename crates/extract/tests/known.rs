//! Names the caller already knows (issue 4): "Kerry" is John Kerry when the graph knows him.

mod common;

use newsgraph_extract::{
    Extraction, KnownNames, KnownOrganization, KnownPerson, OrgKind, candidate_names, extract, extract_with,
};

const KERRY: &str = "\"We will keep talking until the guns fall silent,\" Kerry told AFP on Wednesday.";

fn kerry() -> KnownPerson {
    KnownPerson {
        name: "John Kerry".into(),
        aliases: vec!["Kerry".into()],
        role: Some("U.S. Secretary of State".into()),
        affiliation: Some("United States".into()),
    }
}

fn known_kerry() -> KnownNames {
    KnownNames { people: vec![kerry()], ..Default::default() }
}

fn issg() -> KnownOrganization {
    KnownOrganization {
        name: "International Syria Support Group".into(),
        aliases: vec!["ISSG".into()],
        kind: OrgKind::InternationalOrg,
    }
}

fn person<'a>(x: &'a Extraction, name: &str) -> Option<&'a newsgraph_extract::Person> {
    x.people.iter().find(|p| p.name == name)
}

#[test]
fn a_known_surname_alone_is_the_speaker() {
    let x = extract_with(KERRY, &known_kerry()).expect("extracts");
    assert_eq!(x.quotes.len(), 1, "{x:#?}");
    let q = &x.quotes[0];
    assert!(q.text.starts_with("We will keep talking until the guns fall silent"), "{q:#?}");
    assert_eq!(q.speaker.as_deref(), Some("John Kerry"));
    assert!(q.speaker_is_person);
    assert_eq!(q.via, vec!["Agence France-Presse".to_string()]);
    let p = person(&x, "John Kerry").expect("John Kerry among the people");
    assert_eq!(p.aliases, vec!["Kerry".to_string()]);
    // Nothing in the text says who he is: the known entry does.
    assert_eq!(p.role.as_deref(), Some("U.S. Secretary of State"));
    assert_eq!(p.affiliation.as_deref(), Some("United States"));
    assert_eq!(x.people.len(), 1);
}

#[test]
fn without_known_names_nothing_changes() {
    let plain = extract(KERRY).expect("extracts");
    assert_eq!(plain, extract_with(KERRY, &KnownNames::default()).expect("extracts"));
    assert!(plain.people.is_empty(), "{:?}", plain.people);
    assert!(plain.quotes.iter().all(|q| q.speaker.as_deref() != Some("John Kerry")));
    // And the seed article comes out the same with or without what it already says.
    let seed = &common::load("seed")[0].1;
    let known = KnownNames { people: vec![kerry()], organizations: vec![issg()] };
    let (a, b) = (extract(seed).expect("extracts"), extract_with(seed, &known).expect("extracts"));
    assert_eq!(a.quotes, b.quotes);
}

#[test]
fn the_text_wins_over_the_known_entry() {
    let text = "Secretary of State Mary Kerry arrived on Monday. \"We are ready,\" Kerry told AFP.";
    let x = extract_with(text, &known_kerry()).expect("extracts");
    assert!(person(&x, "John Kerry").is_none(), "{:?}", x.people);
    assert_eq!(x.quotes[0].speaker.as_deref(), Some("Mary Kerry"), "{:?}", x.quotes);
    // The role and affiliation the text gives beat the known ones.
    let text = "Russian Foreign Minister Kerry arrived. \"We are ready,\" Kerry said.";
    let x = extract_with(text, &known_kerry()).expect("extracts");
    let p = person(&x, "John Kerry").expect("John Kerry");
    assert_eq!(p.role.as_deref(), Some("Russian Foreign Minister"));
    assert_eq!(p.affiliation.as_deref(), Some("Russia"));
    let text = "UN envoy Kerry arrived. \"We are ready,\" Kerry said.";
    let x = extract_with(text, &known_kerry()).expect("extracts");
    let p = person(&x, "John Kerry").expect("John Kerry");
    assert_eq!(p.affiliation.as_deref(), Some("United Nations"));
}

#[test]
fn pronouns_resolve_to_a_known_person() {
    let text = "Kerry arrived in Geneva on Monday. \"We will keep talking,\" he told reporters.";
    let x = extract_with(text, &known_kerry()).expect("extracts");
    assert_eq!(x.quotes.len(), 1, "{x:#?}");
    assert_eq!(x.quotes[0].speaker.as_deref(), Some("John Kerry"));
    assert!(x.quotes[0].speaker_is_person);
}

#[test]
fn a_known_organization_alias_is_recognized() {
    let text = "Ministers of the ISSG met in Vienna on Tuesday to discuss the ceasefire.";
    let known = KnownNames { organizations: vec![issg()], ..Default::default() };
    let x = extract_with(text, &known).expect("extracts");
    let o = x.organizations.iter().find(|o| o.name == "International Syria Support Group").expect("ISSG known");
    assert_eq!(o.kind, OrgKind::InternationalOrg);
    assert_eq!(o.aliases, vec!["ISSG".to_string()]);
    assert!(!x.organizations.iter().any(|o| o.name == "ISSG"), "{:?}", x.organizations);
    // Without it, the acronym is an organization of unknown kind under its own name.
    let plain = extract(text).expect("extracts");
    assert!(!plain.organizations.iter().any(|o| o.name == "International Syria Support Group"));
}

#[test]
fn a_known_multi_word_name_needs_no_cue() {
    let known = KnownNames {
        people: vec![KnownPerson { name: "Staffan de Mistura".into(), ..Default::default() }],
        ..Default::default()
    };
    let text = "Talks led by Staffan de Mistura resumed on Monday.";
    let x = extract_with(text, &known).expect("extracts");
    assert!(person(&x, "Staffan de Mistura").is_some(), "{x:#?}");
    assert!(!x.organizations.iter().any(|o| o.name == "Staffan de Mistura"));
}

#[test]
fn a_known_common_word_is_not_matched_in_lower_case() {
    let known = KnownNames {
        people: vec![KnownPerson { name: "Hope Hicks".into(), aliases: vec!["Hope".into()], ..Default::default() }],
        organizations: vec![KnownOrganization { name: "Hope".into(), aliases: vec![], kind: OrgKind::Other }],
    };
    let text = "\"We hope the guns fall silent,\" a diplomat said. Officials said they hope so too.";
    let x = extract_with(text, &known).expect("extracts");
    assert!(x.people.is_empty(), "{:?}", x.people);
    assert!(x.organizations.is_empty(), "{:?}", x.organizations);
    assert_eq!(x, extract(text).expect("extracts"));
    // Nor when it opens a sentence of a text that also uses it as a common word.
    let text = "Hope is fading. \"We hope the guns fall silent,\" a diplomat said.";
    let x = extract_with(text, &known).expect("extracts");
    assert!(x.people.is_empty(), "{:?}", x.people);
    // Where it is a name, it is found (once it is not ambiguous: the organization also
    // called "Hope" above makes the bare form refer to nobody).
    let x = extract_with("\"It is over,\" Hope told Reuters.", &known).expect("extracts");
    assert!(x.people.is_empty(), "{:?}", x.people);
    let known = KnownNames { people: known.people, ..Default::default() };
    let x = extract_with("\"It is over,\" Hope told Reuters.", &known).expect("extracts");
    assert_eq!(x.quotes[0].speaker.as_deref(), Some("Hope Hicks"), "{x:#?}");
}

#[test]
fn candidate_names_of_the_seed_article() {
    let seed = &common::load("seed")[0].1;
    let c = candidate_names(seed);
    for want in ["Kerry", "John Kerry", "Sergei Lavrov", "Staffan de Mistura", "ISSG", "Agence France Presse"] {
        assert!(c.iter().any(|x| x == want), "{want} missing from {c:?}");
    }
    assert!(!c.iter().any(|x| x == "The"), "{c:?}");
    assert!(c.len() <= newsgraph_extract::MAX_CANDIDATES);
    let mut dedup = c.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), c.len());
}
