//! Broadcast transcripts: a turn after a speaker label ("CAMPBELL NEWMAN: …") is the
//! labelled person's direct statement, continuing over unlabelled paragraphs; the
//! presenter's and reporter's narration is not a statement of theirs.

use newsgraph_extract::extract;

const TRANSCRIPT: &str = "Newman says no plan B\n\n\
MARK COLVIN: The Queensland Premier Campbell Newman is facing a tough fight in his own seat.\n\n\
Stephanie Smail reports.\n\n\
STEPHANIE SMAIL: Campbell Newman had planned a blitz of regional seats.\n\n\
CAMPBELL NEWMAN: I believe that Ashgrove and the election go together.\n\n\
STEPHANIE SMAIL: The Premier has again warned voters about a hung parliament.\n\n\
CAMPBELL NEWMAN: The contest in Ashgrove is the same as elsewhere, and we will fight for it.\n\n\
The choice is clear.\n";

#[test]
fn labelled_turns_in_the_speakers_own_voice_are_direct_statements() {
    let e = extract(TRANSCRIPT).expect("an extraction");
    let turns: Vec<(&str, Option<&str>, bool)> =
        e.quotes.iter().map(|q| (q.text.as_str(), q.speaker.as_deref(), q.direct)).collect();
    assert!(
        turns.contains(&("I believe that Ashgrove and the election go together.", Some("Campbell Newman"), true)),
        "{turns:#?}"
    );
    assert!(
        turns.contains(&(
            "The contest in Ashgrove is the same as elsewhere, and we will fight for it. The choice is clear.",
            Some("Campbell Newman"),
            true
        )),
        "{turns:#?}"
    );
    assert!(!turns.iter().any(|(_, s, _)| matches!(s, Some("Mark Colvin") | Some("Stephanie Smail"))), "{turns:#?}");
}

#[test]
fn a_single_label_is_not_a_transcript() {
    let e = extract("Talks\n\nNOTE: We will update this story as it develops.\n").expect("an extraction");
    assert!(e.quotes.is_empty(), "{:#?}", e.quotes);
}

#[test]
fn every_labelled_speaker_is_a_person() {
    let e = extract(TRANSCRIPT).expect("an extraction");
    let people: Vec<&str> = e.people.iter().map(|p| p.name.as_str()).collect();
    for name in ["Mark Colvin", "Stephanie Smail", "Campbell Newman"] {
        assert_eq!(people.iter().filter(|p| **p == name).count(), 1, "{people:?}");
    }
}
