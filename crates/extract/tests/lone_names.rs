//! People the text calls by one name only, questions put to a speaker, and speech
//! verbs that need "that".

use newsgraph_extract::{Extraction, extract};

fn run(body: &str) -> Extraction {
    extract(&format!("Report\n\n{body}\n")).expect("an extraction")
}

fn speaker_of<'e>(x: &'e Extraction, words: &str) -> Option<&'e str> {
    x.quotes
        .iter()
        .find(|q| q.text.contains(words))
        .unwrap_or_else(|| panic!("no quote with {words:?}: {:#?}", x.quotes))
        .speaker
        .as_deref()
}

#[test]
fn a_one_word_name_that_speaks_and_is_he_is_a_person() {
    let x = run(
        "\u{201c}Our position must be very cautious,\u{201d} said Kowalczyk at a press conference on Monday.\n\n\
         \u{201c}Nobody wants a war anywhere in the world,\u{201d} Kowalczyk said.\n\n\
         The veteran leader did not elaborate on the call. \u{201c}A solution will be found in the coming days,\u{201d} \
         he stressed.",
    );
    assert!(x.people.iter().any(|p| p.name == "Kowalczyk"), "{:#?}", x.people);
    assert_eq!(speaker_of(&x, "Our position must be"), Some("Kowalczyk"));
    assert_eq!(speaker_of(&x, "Nobody wants a war"), Some("Kowalczyk"));
    assert_eq!(speaker_of(&x, "A solution will be found"), Some("Kowalczyk"));
}

#[test]
fn a_one_word_name_that_is_it_or_a_plural_noun_is_no_person() {
    let x = run("Zentrix said profits fell in the second quarter. It said demand would recover next year.");
    assert!(x.people.iter().all(|p| p.name != "Zentrix"), "{:#?}", x.people);
    let x = run("Press reports on Thursday quoted the minister as saying that the town was calm. He said the army \
                 was in control.");
    assert!(x.people.iter().all(|p| p.name != "Press"), "{:#?}", x.people);
}

#[test]
fn the_role_after_a_question_clause_is_the_speaker_not_a_name_in_the_question() {
    let x = run("FC Porto coach Miguel Andrade said the final was balanced.\n\n\
         When asked if bringing on Rui Santos was the only option, the coach said, \u{201c}I wanted fresh legs at \
         the back and had to change the plan.\u{201d}\n\n\
         Asked if Benfica were the better team today the coach replied, \u{201c}They were not better than us and \
         we were not better than them.\u{201d}");
    assert_eq!(speaker_of(&x, "I wanted fresh legs"), Some("Miguel Andrade"));
    assert_eq!(speaker_of(&x, "They were not better"), Some("Miguel Andrade"));
}

#[test]
fn mentioned_frames_a_quote_and_needs_that_before_a_clause() {
    let x = run("Speaking after the match, coach Miguel Andrade mentioned, \u{201c}Losing our captain in the first \
                 half was the turning point for us tonight.\u{201d}");
    assert_eq!(speaker_of(&x, "Losing our captain"), Some("Miguel Andrade"));
    let x = run("Minister Ayse Kaya affirmed her intention to visit the region, noting that aid deliveries would \
                 continue this week.");
    assert!(x.quotes.iter().all(|q| !q.text.starts_with("her intention")), "{:#?}", x.quotes);
    assert_eq!(speaker_of(&x, "aid deliveries would continue"), Some("Ayse Kaya"));
}

#[test]
fn one_and_another_describe_anonymous_speakers() {
    let x = run("One senator said the country should offer the whistleblower asylum. Another senator said he \
                 should be given citizenship.");
    assert_eq!(speaker_of(&x, "offer the whistleblower asylum"), Some("One senator"));
    assert_eq!(speaker_of(&x, "given citizenship"), Some("Another senator"));
}

#[test]
fn a_hyphenated_rank_is_a_title_not_part_of_the_name() {
    let x = run("Major-General Khalid Al Mansouri said the plate number did not match the records.");
    assert_eq!(speaker_of(&x, "plate number"), Some("Khalid Al Mansouri"));
    let x = run("Lieutenant-Colonel Anna Berg said the unit had returned to base.");
    assert_eq!(speaker_of(&x, "returned to base"), Some("Anna Berg"));
}
