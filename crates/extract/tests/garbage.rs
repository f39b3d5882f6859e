//! Deterministic pseudo-random garbage: extraction must never panic and must return
//! valid offsets.

use newsgraph_extract::extract;

/// xorshift64*: small, deterministic, no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "\"",
    "“",
    "”",
    "„",
    "«",
    "»",
    "'",
    "’",
    ",",
    ".",
    ":",
    ";",
    "!",
    "?",
    "(",
    ")",
    "-",
    "—",
    "\n",
    "\n\n",
    " ",
    " ",
    " ",
    "said",
    "told",
    "according to",
    "quoted",
    "as saying",
    "he",
    "she",
    "they",
    "it",
    "the",
    "a",
    "that",
    "Reuters",
    "AFP",
    "the Guardian",
    "U.S.",
    "UN",
    "John Kerry",
    "Kerry",
    "Lavrov",
    "officials",
    "a senior official",
    "Ministry",
    "Army",
    "Group",
    "(ISSG)",
    "International",
    "Syria",
    "Dr.",
    "President",
    "de",
    "al",
    "'s",
    "’s",
    "VIENNA",
    "on Monday",
    "in",
    "é",
    "漢字",
    "🙂",
    "\u{200b}",
    "\t",
    "1,000",
    "2.5",
    "U.K.",
    "Mr.",
    "envoy",
    "coach",
    "was",
    "have",
    "would",
    "reported",
    "citing",
    "people familiar with the matter",
    "Xinhua",
    "AP",
    "—",
    "\r\n",
];

fn garbage(rng: &mut Rng, len: usize) -> String {
    let mut s = String::new();
    for _ in 0..len {
        s.push_str(rng.pick(PIECES));
        if rng.next().is_multiple_of(3) {
            s.push(' ');
        }
    }
    s
}

fn strip_edges(s: &str) -> String {
    let t: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    t.trim_matches(|c: char| !c.is_alphanumeric()).to_string()
}

#[test]
fn random_text_never_panics_and_offsets_are_valid() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..1500 {
        let len = (rng.next() % 300) as usize;
        let text = garbage(&mut rng, len);
        let Ok(x) = extract(&text) else { continue };
        let chars: Vec<char> = x.body.chars().collect();
        for q in &x.quotes {
            assert!(
                q.start <= q.end && q.end <= chars.len(),
                "round {round}: bad offsets {}..{} of {}",
                q.start,
                q.end,
                chars.len()
            );
            assert_eq!(q.fragments.len(), q.fragment_spans.len());
            for &(a, b) in &q.fragment_spans {
                assert!(a <= b && b <= chars.len() && a >= q.start && b <= q.end, "round {round}: bad fragment span");
            }
            if q.direct && q.fragments.is_empty() {
                let slice: String = chars[q.start..q.end].iter().collect();
                assert_eq!(strip_edges(&slice), strip_edges(&q.text), "round {round}: {text:?}");
            }
            for (f, &(a, b)) in q.fragments.iter().zip(&q.fragment_spans) {
                let slice: String = chars[a..b].iter().collect();
                assert_eq!(strip_edges(&slice), strip_edges(f), "round {round}");
            }
        }
        for v in x.quotes.iter().flat_map(|q| q.via.iter()) {
            assert!(x.organizations.iter().any(|o| &o.name == v), "round {round}: via {v} not an organization");
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let len = (rng.next() % 200) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        let _ = newsgraph_extract::extract_bytes(&bytes);
    }
}

// How fast this goes is the extraction bench's business (`extract_bench`), not a test's:
// here a large random text only has to come back whole, with every span inside it.
#[test]
fn large_random_text_comes_back_with_spans_inside_it() {
    let mut rng = Rng(7);
    let text = garbage(&mut rng, 120_000);
    let e = extract(&text).expect("random text extracts");
    let chars = e.body.chars().count();
    assert!(e.quotes.iter().all(|q| q.start <= q.end && q.end <= chars), "a span outside the body");
}
