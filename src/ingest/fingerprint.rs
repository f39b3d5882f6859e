//! Near-duplicate fingerprints of article text: what tells a wire story
//! republished by another site (new headline, a byline, trimmed last
//! paragraphs, an added local paragraph, light rewording) from a different
//! story, even one on the same event.
//!
//! - The text is cut into lower-cased words (letters and digits of any
//!   script), and the words into overlapping runs of [`SHINGLE_WORDS`]
//!   (*shingles*), each hashed to 64 bits.
//! - **MinHash**: for each of [`HASHES`] fixed mixing functions, the smallest
//!   mixed shingle hash. Two texts agree on one of them with a probability
//!   equal to the Jaccard resemblance of their shingle sets.
//! - **LSH bands**: the minima in [`BANDS`] groups of [`ROWS`], each group
//!   hashed with its number to one 63-bit key. Texts that share any key are
//!   *candidates*: at resemblance 0.3 about 6 in 7 pairs share one, at 0.5
//!   all but 1 in 300, at 0.05 one in 20. The keys are what the stores index
//!   (one indexed look-up per key), so finding the candidates of a text
//!   costs the same at 1M articles as at 100.
//! - **Confirmation**: a candidate is a copy when the shingle sets of the two
//!   texts overlap by at least [`COPY_OVERLAP`] of the smaller one
//!   ([`overlap`], exact, over every shingle): a trimmed copy is contained in
//!   its original, and an added paragraph only grows the larger side. Two
//!   agencies' stories on one event share names and the odd quoted sentence,
//!   far below it.
//!
//! Every hash here is written out (FNV-1a, SplitMix64) rather than taken from
//! `std` or a crate, because the keys are stored: a hash that changed with a
//! compiler or crate version would silently stop finding older copies.

use std::collections::HashSet;

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 4;
/// LSH bands (index keys per article).
pub const BANDS: usize = 20;
/// MinHash values per band.
pub const ROWS: usize = 2;
/// MinHash values per text.
pub const HASHES: usize = BANDS * ROWS;
/// The least [`overlap`] of two texts that makes one a copy of the other.
pub const COPY_OVERLAP: f64 = 0.5;
/// Texts with fewer shingles than this are too short to call copies (a
/// one-line brief shares most of its few shingles with any report of it).
pub const MIN_SHINGLES: usize = 25;

/// The shingles of a text, and its MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// The distinct shingle hashes, for the exact [`overlap`].
    shingles: HashSet<u64>,
    /// The MinHash values; empty when the text has too few shingles.
    minima: Vec<u64>,
}

impl Fingerprint {
    /// The fingerprint of `text`.
    pub fn of(text: &str) -> Fingerprint {
        let shingles = shingles(text);
        let minima = if shingles.len() < MIN_SHINGLES {
            Vec::new()
        } else {
            (0..HASHES as u64)
                .map(|i| {
                    let seed = splitmix64(i.wrapping_add(0x5EED));
                    shingles.iter().map(|&s| splitmix64(s ^ seed)).min().unwrap_or(u64::MAX)
                })
                .collect()
        };
        Fingerprint { shingles, minima }
    }

    /// Whether the text is long enough to be compared at all.
    pub fn is_comparable(&self) -> bool {
        !self.minima.is_empty()
    }

    /// How many distinct shingles the text has.
    pub fn len(&self) -> usize {
        self.shingles.len()
    }

    /// Whether the text has no shingles at all.
    pub fn is_empty(&self) -> bool {
        self.shingles.is_empty()
    }

    /// The LSH band keys to index and look up: [`BANDS`] of them, none when
    /// the text is too short to compare. Non-negative, so they store as a
    /// signed 64-bit integer on both backends.
    pub fn band_keys(&self) -> Vec<i64> {
        self.minima
            .chunks(ROWS)
            .enumerate()
            .map(|(band, rows)| {
                let mut h = FNV_OFFSET ^ band as u64;
                for &row in rows {
                    h = splitmix64(h ^ row);
                }
                (h >> 1) as i64
            })
            .collect()
    }

    /// The estimated Jaccard resemblance (the share of agreeing minima).
    pub fn estimated_resemblance(&self, other: &Fingerprint) -> f64 {
        if self.minima.is_empty() || other.minima.is_empty() {
            return 0.0;
        }
        let same = self.minima.iter().zip(&other.minima).filter(|(a, b)| a == b).count();
        same as f64 / self.minima.len() as f64
    }

    /// Whether the texts are copies of one another: both comparable and
    /// [`overlap`] at least [`COPY_OVERLAP`].
    pub fn is_copy_of(&self, other: &Fingerprint) -> bool {
        self.is_comparable() && other.is_comparable() && overlap(self, other) >= COPY_OVERLAP
    }
}

/// The share of the smaller text's shingles that the other text has too
/// (the overlap coefficient, exact): 1 for a trimmed copy, about 1 for one
/// with an added paragraph, lower with each reworded phrase.
pub fn overlap(a: &Fingerprint, b: &Fingerprint) -> f64 {
    let (small, large) = if a.shingles.len() <= b.shingles.len() { (a, b) } else { (b, a) };
    if small.shingles.is_empty() {
        return 0.0;
    }
    let shared = small.shingles.iter().filter(|s| large.shingles.contains(s)).count();
    shared as f64 / small.shingles.len() as f64
}

/// The exact Jaccard resemblance of two texts' shingle sets.
pub fn resemblance(a: &Fingerprint, b: &Fingerprint) -> f64 {
    let shared = a.shingles.iter().filter(|s| b.shingles.contains(s)).count();
    let union = a.shingles.len() + b.shingles.len() - shared;
    if union == 0 { 0.0 } else { shared as f64 / union as f64 }
}

/// The words of a text, lower-cased: runs of letters and digits (an
/// apostrophe inside a word is dropped, so "didn't" and "didnt" agree).
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if (c == '\'' || c == '’') && !current.is_empty() {
            continue;
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// A statement's text as copies share it: its words, lower-cased, one space
/// apart ("Peace," he said → `peace he said`), so punctuation and quotation
/// marks a site restyles do not part two reports of one statement.
pub fn statement_key(text: &str) -> String {
    words(text).join(" ")
}

fn shingles(text: &str) -> HashSet<u64> {
    let hashes: Vec<u64> = words(text).iter().map(|w| fnv1a(w.as_bytes())).collect();
    if hashes.len() < SHINGLE_WORDS {
        return HashSet::new();
    }
    hashes.windows(SHINGLE_WORDS).map(|window| window.iter().fold(FNV_OFFSET, |h, &w| splitmix64(h ^ w))).collect()
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// SplitMix64's finalizer: a fixed bijective mix of 64 bits.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "The government of Freedonia said on Tuesday it would reopen the northern border \
        crossing at Kestrel Pass after three weeks of closure, easing a backlog of more than two thousand \
        lorries carrying grain and fuel. Transport minister Anna Vell told reporters in the capital that \
        engineers had finished repairs to the bridge damaged by floods last month. \"Traffic will resume at \
        six in the morning, starting with food and medicine,\" Vell said. Hauliers had warned that the \
        closure was costing the region millions each day, and farmers said their grain was spoiling in \
        silos. The opposition accused the government of moving too slowly. Officials said a second crossing \
        further east would stay shut until inspections were complete next week.";

    #[test]
    fn words_are_lower_cased_runs_of_letters_and_digits_in_any_script() {
        assert_eq!(words("Didn't see “Zürich”, 2,000 ЛЮДЕЙ!"), ["didnt", "see", "zürich", "2", "000", "людей"]);
        assert_eq!(statement_key("“Peace,” he said."), "peace he said");
        assert_eq!(statement_key("\"Peace\" — he said"), "peace he said");
    }

    #[test]
    fn the_same_text_gives_the_same_keys_every_time() {
        let a = Fingerprint::of(STORY);
        let keys = a.band_keys();
        assert_eq!(keys.len(), BANDS);
        assert!(keys.iter().all(|&k| k >= 0));
        assert_eq!(Fingerprint::of(STORY).band_keys(), keys);
        // Pinned: a change to any hash would orphan every stored key.
        assert_eq!(Fingerprint::of("one two three four five six").shingles.len(), 3);
        let pinned = Fingerprint::of(&(0..40).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")).band_keys();
        assert_eq!(pinned[0], PINNED_FIRST_KEY, "band key hashing changed: stored keys would no longer match");
    }

    /// The first band key of the words `w0 … w39`, as computed when the keys were first stored.
    const PINNED_FIRST_KEY: i64 = 7_364_717_402_288_382_487;

    #[test]
    fn a_trimmed_retitled_copy_with_a_local_paragraph_is_a_copy() {
        let original = Fingerprint::of(STORY);
        let sentences: Vec<&str> = STORY.split(". ").collect();
        let trimmed = sentences[..sentences.len() - 2].join(". ");
        let copy = format!(
            "Border crossing to reopen, minister says\n\nBy Staff Writer\n\n{trimmed}.\n\n\
             In Riverton, the local chamber of commerce welcomed the news and said shops had run short of flour."
        );
        let copy = Fingerprint::of(&copy);
        assert!(copy.is_copy_of(&original), "overlap {}", overlap(&copy, &original));
        assert!(original.is_copy_of(&copy));
        let shared = copy.band_keys().iter().filter(|k| original.band_keys().contains(k)).count();
        assert!(shared >= 3, "a copy shares band keys: {shared}");
    }

    #[test]
    fn another_agencys_story_on_the_same_event_is_not_a_copy() {
        let other = "Freedonia will reopen Kestrel Pass, its main northern border post, from Wednesday, \
            the transport ministry announced, ending a closure that stranded truck drivers for weeks. Repairs \
            to the flood-damaged bridge are done, minister Anna Vell said at a news conference. \"Traffic will \
            resume at six in the morning, starting with food and medicine,\" she said. Drivers queueing near \
            the post said they had slept in their cabs for days. Grain traders expect prices to ease once the \
            lorries move, while opposition lawmakers said the repairs should have started sooner.";
        let a = Fingerprint::of(STORY);
        let b = Fingerprint::of(other);
        assert!(!a.is_copy_of(&b), "overlap {}", overlap(&a, &b));
        assert!(overlap(&a, &b) < 0.3);
    }

    #[test]
    fn short_texts_are_not_compared() {
        let short = Fingerprint::of("Rates on hold. The bank kept rates on hold.");
        assert!(!short.is_comparable());
        assert!(short.band_keys().is_empty());
        assert!(!short.is_copy_of(&short));
        assert!(Fingerprint::of("").is_empty());
    }

    #[test]
    fn minhash_estimates_resemblance() {
        let a = Fingerprint::of(STORY);
        let half: String = STORY.split(". ").take(4).collect::<Vec<_>>().join(". ");
        let b = Fingerprint::of(&format!("{half}. An unrelated closing passage about weather and sport follows here."));
        let exact = resemblance(&a, &b);
        let estimate = a.estimated_resemblance(&b);
        assert!(exact > 0.2 && exact < 0.9, "{exact}");
        assert!((exact - estimate).abs() < 0.25, "exact {exact} estimate {estimate}");
        assert_eq!(a.estimated_resemblance(&a), 1.0);
    }
}
