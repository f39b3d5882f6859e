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
