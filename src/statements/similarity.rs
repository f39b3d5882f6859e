//! When two reports carry the same words: a similarity over normalised words
//! that tolerates what outlets do to a quote.
//!
//! A text becomes words with [`crate::search::terms`] (case, accents, curly
//! quotes, dashes and other punctuation folded away), cut into segments at
//! ellipses ("…", "...", "[…]"), so that no pair of words spans a cut. Three
//! measures compare reports:
//!
//! - **containment** of word pairs (2-shingles within segments): the share of
//!   the shorter text's pairs found in the longer one. A fragment of a longer
//!   quote, a trimmed or extended end, or a middle left out behind an ellipsis
//!   keep it near 1; two different sentences, even on the same subject, share
//!   few pairs.
//! - **content-word overlap**: the share of the shorter text's content words
//!   (not in [`STOPWORDS`]) found in the other. Reported speech that keeps most
//!   words of the direct quote ("We will not allow it" / "Russia would not
//!   allow it") keeps it high while changing the pairs around the pronouns.
//! - **longest shared run**: the most words in a row whose every pair the
//!   other text has. A rewording that keeps one phrase of the quote word for
//!   word and rephrases the rest shares a long run while both shares stay low.
//!
//! [`Rule`] joins two reports when any passes its threshold with enough
//! shared evidence (a minimum of shared pairs or words, so that a two-word
//! fragment joins nothing by chance). The overlap and the run are paraphrase
//! measures, used only for reports near in time ([`Rule::same_words_only`]). The thresholds were chosen on the dev
//! half of the evaluation set (`tests/fixtures/statements/`, see
//! `docs/statements.md`), and the test half is reported apart.

use std::collections::HashSet;

/// Words too common to say two texts share content.
pub const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but",
    "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "i", "if",
    "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "ours", "s", "she", "should",
    "so", "t", "that", "the", "their", "them", "there", "these", "they", "this", "those", "to", "us", "was", "we",
    "were", "what", "when", "which", "who", "will", "with", "would", "you", "your", "re", "ve", "ll", "d", "m",
];

/// The thresholds of the joining rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Least containment of word pairs for a join.
    pub containment: f64,
    /// Least shared word pairs behind a containment join.
    pub min_pairs: usize,
    /// Least content-word overlap for a paraphrase join.
    pub overlap: f64,
    /// Least shared content words behind a paraphrase join.
    pub min_words: usize,
    /// Least words in a run the two texts share word for word (consecutive
    /// shared pairs) for a paraphrase join that keeps a phrase of the quote
    /// and rewords the rest; `usize::MAX` turns it off.
    pub min_run: usize,
}

impl Rule {
    /// The rule in use (chosen on the dev half of the evaluation set).
    pub const DEFAULT: Rule = Rule { containment: 0.6, min_pairs: 3, overlap: 0.75, min_words: 4, min_run: 5 };

    /// This rule without its paraphrase joins (content-word overlap, shared
    /// runs): for reports too far apart in time to be rewordings of one another.
    pub fn same_words_only(&self) -> Rule {
        Rule { overlap: f64::INFINITY, min_run: usize::MAX, ..*self }
    }

    /// Whether two reports' signatures are the same statement's.
    pub fn joins(&self, a: &Signature, b: &Signature) -> bool {
        let score = Score::of(a, b);
        (score.containment >= self.containment && score.shared_pairs >= self.min_pairs)
            || (score.overlap >= self.overlap && score.shared_words >= self.min_words)
            || score.longest_run >= self.min_run
    }

    /// How strongly two signatures match, for choosing among statements that
    /// both pass: the better of the two shares (containment, overlap).
    pub fn strength(&self, a: &Signature, b: &Signature) -> f64 {
        let score = Score::of(a, b);
        score.containment.max(score.overlap)
    }
}

/// The measures between two texts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub containment: f64,
    pub shared_pairs: usize,
    pub overlap: f64,
    pub shared_words: usize,
    /// The most words in a row of `a` (within a segment) whose every pair is
    /// one of `b`'s: 0 when they share no pair.
    pub longest_run: usize,
}

impl Score {
    pub fn of(a: &Signature, b: &Signature) -> Self {
        let (containment, shared_pairs) = contained(&a.pairs, &b.pairs);
        let (overlap, shared_words) = contained(&a.content, &b.content);
        let longest_run = longest_run(a, b);
        Self { containment, shared_pairs, overlap, shared_words, longest_run }
    }
}

/// The most words in a row of `a` whose every consecutive pair `b` has too.
fn longest_run(a: &Signature, b: &Signature) -> usize {
    let mut longest = 0;
    for segment in &a.segments {
        let mut run = 0;
        for pair in segment {
            run = if b.pairs.contains(pair) { run + 1 } else { 0 };
            longest = longest.max(run);
        }
    }
    if longest == 0 { 0 } else { longest + 1 }
}

/// The share of the smaller set found in the larger, and how many that is.
fn contained<T: Eq + std::hash::Hash>(a: &HashSet<T>, b: &HashSet<T>) -> (f64, usize) {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return (0.0, 0);
    }
    let shared = small.iter().filter(|x| large.contains(x)).count();
    (shared as f64 / small.len() as f64, shared)
}

/// What a text is compared by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    /// Hashes of consecutive word pairs, in text order, per segment.
    pub segments: Vec<Vec<u64>>,
    pub pairs: HashSet<u64>,
    pub content: HashSet<String>,
}

impl Signature {
    pub fn of(text: &str) -> Self {
        let mut signature = Signature::default();
        for segment in segments(text) {
            let words = crate::search::terms(segment);
            let hashes: Vec<u64> = words.windows(2).map(|w| fnv1a(&[w[0].as_bytes(), b" ", w[1].as_bytes()])).collect();
            signature.pairs.extend(&hashes);
            signature.content.extend(words.into_iter().filter(|w| !STOPWORDS.contains(&w.as_str())));
            if !hashes.is_empty() {
                signature.segments.push(hashes);
            }
        }
        signature
    }

    /// Whether the text has anything to compare (at least one word pair).
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The winnowed fingerprints of the text (Schleimer, Wilkerson and Aiken,
    /// 2003): the smallest pair hash in every window of [`WINDOW`] consecutive
    /// pairs. Any run of `WINDOW + 1` words two texts share gives both at
    /// least one common fingerprint, whatever surrounds it, while a text keeps
    /// only about `2 / (WINDOW + 1)` of its pairs as index keys.
    pub fn fingerprints(&self) -> Vec<u64> {
        let mut out = Vec::new();
        for hashes in &self.segments {
            if hashes.len() <= WINDOW {
                out.extend(hashes.iter().min());
                continue;
            }
            for window in hashes.windows(WINDOW) {
                out.extend(window.iter().min());
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The winnowing window, in word pairs.
pub const WINDOW: usize = 4;

/// The text between ellipses.
fn segments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let cut = ["[…]", "[...]", "(…)", "…", "..."].iter().filter_map(|m| rest.find(m).map(|at| (at, m.len()))).min();
        match cut {
            Some((at, len)) => {
                out.push(&rest[..at]);
                rest = &rest[at + len..];
            }
            None => {
                out.push(rest);
                return out;
            }
        }
    }
}

/// FNV-1a, 64 bits: a hash that stays the same across processes and
/// versions, which stored index keys need (the standard library's does not promise it).
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joins(a: &str, b: &str) -> bool {
        Rule::DEFAULT.joins(&Signature::of(a), &Signature::of(b))
    }

    #[test]
    fn typography_case_and_ellipses_do_not_matter() {
        let a = "We don’t want a war — we want talks, and we will keep talking until there is a deal.";
        let b = "\"we don't want a war -- we want talks ... until there is a deal\"";
        assert!(joins(a, b));
        assert_eq!(Score::of(&Signature::of(a), &Signature::of(b)).containment, 1.0);
    }

    #[test]
    fn a_fragment_joins_its_longer_quote_but_not_a_different_sentence() {
        let full = "The ceasefire must hold across the whole country, and humanitarian access must be granted at once.";
        assert!(joins(full, "humanitarian access must be granted at once"));
        assert!(!joins(full, "The talks in Geneva will resume next week with all parties present."));
    }

    #[test]
    fn a_two_word_fragment_joins_nothing_by_chance() {
        assert!(!joins("We will never accept the annexation of Crimea.", "never accept"));
    }

    #[test]
    fn a_shared_run_of_words_gives_a_shared_fingerprint() {
        let a = Signature::of("Before anything else, the ceasefire must hold across the whole country today.");
        let b = Signature::of("He said the ceasefire must hold across the whole country.");
        let shared: Vec<_> = a.fingerprints().into_iter().filter(|f| b.fingerprints().contains(f)).collect();
        assert!(!shared.is_empty());
    }

    #[test]
    fn a_rewording_that_keeps_a_phrase_joins_by_its_run() {
        let quote =
            "We will cut the tax on diesel for farmers by ten cents from January, and we will not raise it again.";
        let reworded = "the government plans to cut the tax on diesel for farmers, it said on Monday";
        let score = Score::of(&Signature::of(reworded), &Signature::of(quote));
        assert_eq!(score.longest_run, 7, "cut the tax on diesel for farmers");
        assert!(score.containment < Rule::DEFAULT.containment && score.overlap < Rule::DEFAULT.overlap);
        assert!(joins(quote, reworded));
        assert!(!Rule::DEFAULT.same_words_only().joins(&Signature::of(quote), &Signature::of(reworded)));
        // Four words in a row are not enough.
        assert!(!joins(quote, "Farmers will not see the tax on diesel fall before the summer"));
    }

    #[test]
    fn segments_cut_at_every_kind_of_ellipsis() {
        assert_eq!(segments("a … b [...] c...d"), vec!["a ", " b ", " c", "d"]);
    }
}
