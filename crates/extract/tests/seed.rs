//! The seed article must come out exactly as its expected file says.

mod common;

use newsgraph_extract::extract;

#[test]
fn seed_fixture_is_the_shared_seed() {
    let files = common::load("seed");
    assert_eq!(files.len(), 1);
    let (_, text, gold) = &files[0];
    assert!(text.starts_with("Top officials of the U.S. and Russia"));
    assert_eq!(gold.quotes.len(), 8);
}

#[test]
fn seed_scores_one_on_every_metric() {
    let (n, s) = common::score("seed");
    assert_eq!(n, 1);
    let all = [
        ("people F1", s.people.f1()),
        ("organizations F1", s.organizations.f1()),
        ("quote precision", s.quotes.precision()),
        ("quote recall", s.quotes.recall()),
        ("speaker", s.speaker.value()),
        ("via", s.via.value()),
        ("speaker affiliation", s.speaker_affiliation.value()),
        ("dateline", s.dateline.value()),
    ];
    for (name, v) in all {
        assert!((v - 1.0).abs() < 1e-9, "{name} = {v}\n{}", common::summary(&s));
    }
}

#[test]
fn seed_details() {
    let files = common::load("seed");
    let x = extract(&files[0].1).expect("extracts");
    assert_eq!(x.headline, None);
    assert_eq!(x.dateline.as_deref(), Some("Vienna"));
    // The scare quote is not a statement.
    assert!(!x.quotes.iter().any(|q| q.text.contains("framework for political transition")));
    // The split quote keeps its fragments and their spans.
    let split = x.quotes.iter().find(|q| q.text.starts_with("We're talking")).expect("split quote");
    assert_eq!(split.fragments.len(), 2);
    assert_eq!(split.fragment_spans.len(), 2);
    // Canonical names everywhere.
    let org_names: Vec<&str> = x.organizations.iter().map(|o| o.name.as_str()).collect();
    for q in &x.quotes {
        for v in &q.via {
            assert!(org_names.contains(&v.as_str()), "via {v} not among organizations");
        }
        if let Some(a) = &q.speaker_affiliation {
            assert!(org_names.contains(&a.as_str()), "affiliation {a} not among organizations");
        }
    }
    for p in &x.people {
        if let Some(a) = &p.affiliation {
            assert!(org_names.contains(&a.as_str()), "affiliation {a} not among organizations");
        }
    }
    // JSON has the shape of the expected file.
    let v = serde_json::to_value(&x).expect("serializes");
    for key in ["people", "organizations", "quotes", "headline", "body", "dateline"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let q = &v["quotes"][0];
    for key in
        ["text", "direct", "speaker", "speaker_is_person", "speaker_affiliation", "via", "start", "end", "fragments"]
    {
        assert!(q.get(key).is_some(), "quote missing {key}");
    }
    assert_eq!(v["organizations"][0]["kind"].as_str(), Some("government"));
}
