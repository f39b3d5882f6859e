//! The development set (tuned on) must meet the targets.

mod common;

#[test]
fn dev_set_meets_targets() {
    let (n, s) = common::score("dev");
    assert!(n >= 12, "only {n} dev articles");
    let msg = common::summary(&s);
    assert!(s.quotes.f1() >= 0.85, "quote F1\n{msg}");
    assert!(s.speaker.value() >= 0.85, "speaker\n{msg}");
    assert!(s.via.value() >= 0.90, "via\n{msg}");
    assert!(s.people.f1() >= 0.85, "people F1\n{msg}");
    assert!(s.organizations.f1() >= 0.85, "organizations F1\n{msg}");
}

#[test]
fn dev_texts_have_the_required_length() {
    for (name, text, _) in common::load("dev").iter().chain(common::load("heldout").iter()) {
        let words = text.split_whitespace().count();
        assert!((150..=500).contains(&words), "{name}: {words} words");
    }
}
