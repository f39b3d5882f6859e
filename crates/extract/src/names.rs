//! Candidate names: the word sequences of a text that could be names of people or
//! organizations, so that a caller can look up in its database only the names that
//! might matter before calling [`crate::extract_with`].
//!
//! A candidate is a capitalized word, or a run of up to [`MAX_WORDS`] words of a
//! capitalized run, which may contain name particles ("de", "al", "van", ...) and
//! the joiners "of", "for" and "&" ("Staffan de Mistura", "Bank of England"). Every
//! sub-run that starts with a capitalized word or a particle and ends with a
//! capitalized word is a candidate, so "Secretary of State John Kerry" gives "John
//! Kerry" and "Kerry" among others. Function and calendar words ("The", "Monday")
//! and title words ("President") are never candidates on their own nor at the start
//! of one, and neither is a sentence-initial word that the text also uses in lower
//! case ("Hope" when it also says "we hope").

use std::collections::HashSet;
use std::ops::Range;

use crate::entities::{PARTICLES, is_cap_token};
use crate::gazetteer::gazetteer;
use crate::segment::{Document, segment, split_headline};
use crate::text::{collapse_ws, is_capitalized};

/// Most candidates [`candidate_names`] returns.
pub const MAX_CANDIDATES: usize = 200;

/// Most words (tokens, particles included) in one candidate.
pub const MAX_WORDS: usize = 4;

/// Lower-case words that may stand inside a run besides the particles.
const RUN_JOINERS: &[&str] = &["of", "for", "&"];

/// The word sequences of `text` that could be names, for looking up known people and
/// organizations (by name or alias, case-insensitively) before [`crate::extract_with`].
///
/// Candidates are returned as written, whitespace collapsed, without duplicates and
/// most useful first: whole runs of at most [`MAX_WORDS`] words, then single words,
/// then two-word and longer sub-runs, each group in text order; at most
/// [`MAX_CANDIDATES`]. See the [module documentation](self) for what counts as a
/// run. Headline included. Never fails: blank or odd input gives few or no candidates.
pub fn candidate_names(text: &str) -> Vec<String> {
    let split = split_headline(text);
    let mut docs = Vec::with_capacity(2);
    if let Some(h) = split.headline {
        docs.push(segment(h));
    }
    docs.push(segment(split.body));
    let lower: HashSet<String> = docs
        .iter()
        .flat_map(|d| (0..d.tokens.len()).filter(|&i| d.is_word(i)).map(move |i| d.word(i)))
        .filter(|w| !is_capitalized(w))
        .map(str::to_lowercase)
        .collect();
    // tiers: whole runs, single words, two words, three or four words
    let mut tiers: [Vec<String>; 4] = Default::default();
    for doc in &docs {
        for s in &doc.sentences {
            let first_word = s.tokens.clone().find(|&i| doc.is_word(i));
            let mut i = s.tokens.start;
            while i < s.tokens.end {
                if !is_cap_token(doc, i) {
                    i += 1;
                    continue;
                }
                let start = i;
                let mut end = i + 1;
                loop {
                    if end < s.tokens.end && is_cap_token(doc, end) {
                        end += 1;
                        continue;
                    }
                    let w = doc.word(end).to_lowercase();
                    let joins = doc.is_word(end)
                        && (PARTICLES.contains(&w.as_str()) || RUN_JOINERS.contains(&w.as_str()))
                        && end + 1 < s.tokens.end
                        && is_cap_token(doc, end + 1);
                    if joins {
                        end += 2;
                        continue;
                    }
                    break;
                }
                collect_run(doc, start..end, first_word, &lower, &mut tiers);
                i = end;
            }
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for c in tiers.into_iter().flatten() {
        if out.len() >= MAX_CANDIDATES {
            break;
        }
        if seen.insert(c.clone()) {
            out.push(c);
        }
    }
    out
}

/// Adds the candidates of one capitalized run to `tiers`.
fn collect_run(
    doc: &Document,
    run: Range<usize>,
    first_word: Option<usize>,
    lower: &HashSet<String>,
    tiers: &mut [Vec<String>; 4],
) {
    let g = gazetteer();
    // A word that cannot start a candidate.
    let bad_start = |i: usize| {
        let w = doc.word(i);
        let lw = w.to_lowercase();
        if RUN_JOINERS.contains(&lw.as_str()) || g.is_function_word(w) || g.is_calendar(w) || g.is_title(w) {
            return true;
        }
        if PARTICLES.contains(&lw.as_str()) {
            return is_capitalized(w) && Some(i) == first_word && lower.contains(&lw);
        }
        Some(i) == first_word && lower.contains(&lw)
    };
    // A word that can end one: capitalized, not a function or calendar word.
    let good_end = |i: usize| {
        let w = doc.word(i);
        is_cap_token(doc, i) && !g.is_function_word(w) && !g.is_calendar(w)
    };
    let mut whole = run.clone();
    while whole.start < whole.end && bad_start(whole.start) {
        whole.start += 1;
    }
    while whole.start < whole.end && !good_end(whole.end - 1) {
        whole.end -= 1;
    }
    if whole.is_empty() {
        return;
    }
    if whole.len() <= MAX_WORDS && !(whole.len() == 1 && g.is_title(doc.word(whole.start))) {
        tiers[0].push(collapse_ws(doc.span_text(whole.clone())));
    }
    for a in whole.clone() {
        if bad_start(a) {
            continue;
        }
        for b in a + 1..=(a + MAX_WORDS).min(whole.end) {
            if !good_end(b - 1) || (b - a == 1 && g.is_title(doc.word(a))) {
                continue;
            }
            let tier = match b - a {
                1 => 1,
                2 => 2,
                _ => 3,
            };
            tiers[tier].push(collapse_ws(doc.span_text(a..b)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_particles_and_sub_runs() {
        let c = candidate_names("The envoy Staffan de Mistura met U.S. Secretary of State John Kerry on Monday.");
        for want in ["Staffan de Mistura", "de Mistura", "Mistura", "John Kerry", "Kerry", "U.S."] {
            assert!(c.iter().any(|x| x == want), "{want} missing from {c:?}");
        }
        for not in ["The", "Monday", "Secretary", "of State"] {
            assert!(!c.iter().any(|x| x == not), "{not} in {c:?}");
        }
        assert!(c.iter().all(|x| x.split_whitespace().count() <= MAX_WORDS), "{c:?}");
    }

    #[test]
    fn sentence_initial_common_words_are_dropped() {
        let c = candidate_names("Hope is fading. We hope Kerry stays. Kerry said so.");
        assert!(!c.iter().any(|x| x == "Hope"), "{c:?}");
        assert!(!c.iter().any(|x| x == "We"), "{c:?}");
        assert!(c.iter().any(|x| x == "Kerry"), "{c:?}");
    }

    #[test]
    fn bounded_and_deduplicated() {
        let text: String = (0..500).map(|i| format!("Name{i} Surname{i} met Kerry. ")).collect();
        let c = candidate_names(&text);
        assert_eq!(c.len(), MAX_CANDIDATES);
        assert_eq!(c.iter().filter(|x| *x == "Kerry").count(), 1);
        assert!(candidate_names(" ").is_empty());
    }
}
