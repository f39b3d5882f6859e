//! The real-news corpus (`tests/fixtures/extraction/real`): every gold file parses,
//! every gold quote (or each of its fragments) stands in its text,
//! and both splits can be scored.

mod common;

#[test]
fn gold_quotes_stand_in_their_texts_and_both_splits_score() {
    let mut scored = 0;
    for split in ["real/dev", "real/test"] {
        let files = common::load(split);
        assert!(files.len() >= 15, "{split}: only {} texts with gold", files.len());
        for (name, text, gold) in &files {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for q in &gold.quotes {
                let pieces: Vec<&String> =
                    if q.fragments.is_empty() { vec![&q.text] } else { q.fragments.iter().collect() };
                for p in pieces {
                    let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
                    assert!(flat.contains(&p), "{split}/{name}: gold quote not in the text: {p:?}");
                }
            }
        }
        let (n, s) = common::score(split);
        assert_eq!(n, files.len());
        assert!(s.quotes.gold > 0 && s.quotes.predicted > 0, "{split}: nothing scored");
        scored += n;
    }
    assert!(scored >= 40, "only {scored} real articles scored");
}
