//! Measures near-duplicate detection ("copies known as copies") end to end:
//! every text goes through `newsgraph::ingest::ingest` into an in-memory
//! embedded store, and the links the store holds afterwards are scored.
//!
//! The set:
//! - **Stories**: the licensed texts of `tests/fixtures/extraction/real/`
//!   (Wikinews and US-government news, read, not changed) and the
//!   project-written `tests/fixtures/copies/` (several agencies' own reports
//!   of each of five events, which share names, figures and a quotation but
//!   are not copies). Every story is a different story.
//! - **Copies**: five of each story, made with typical wire edits, seeded:
//!   a new headline and a byline; the last paragraphs trimmed; a local
//!   paragraph added; light rewording (word swaps, "percent" → "per cent"…);
//!   and all of these at once. Each copy has its own outlet and date, some
//!   earlier than the story's own, and everything arrives in a shuffled order.
//!
//! Scored over pairs of texts: a pair is linked when the store puts both in
//! one group (the same `Article.original`, or one is the other's original).
//! Precision: linked pairs that are copies of one story; recall: pairs of
//! copies of one story that are linked. It also prints recall by edit, the
//! linked pairs of different reports of the same event (must be 0), and how
//! many groups have as original their earliest published member.
//!
//! ```sh
//! cargo run --example copy_detection            # add -- --seed N for another shuffle
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};
use newsgraph::domain::ArticleId;
use newsgraph::ingest::fingerprint::{COPY_OVERLAP, Fingerprint, overlap};
use newsgraph::ingest::{IngestInput, ingest};
use newsgraph::store::Store;
use newsgraph::store::sqlite::SqliteStore;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The edits a copy is made with.
const EDITS: [&str; 5] = ["headline+byline", "trimmed", "local paragraph", "reworded", "all at once"];

/// Word swaps of light rewording, applied to about half their occurrences.
const SWAPS: &[(&str, &str)] = &[
    ("said", "stated"),
    ("percent", "per cent"),
    ("about", "around"),
    ("more than", "over"),
    ("began", "started"),
    ("however", "but"),
    ("told", "informed"),
    ("on Tuesday", "Tuesday"),
    ("on Monday", "Monday"),
    ("on Sunday", "Sunday"),
    ("on Saturday", "Saturday"),
    ("on Thursday", "Thursday"),
    ("people", "residents"),
    ("killed", "left dead"),
    ("officials", "authorities"),
    ("United States", "U.S."),
    ("announced", "said"),
    ("would", "will"),
];

const LOCAL: &[&str] = &[
    "In Riverton, the county emergency office said it was following the situation closely and would update residents on its website.",
    "Local businesses in Greenfield said the news would be discussed at the chamber of commerce meeting on Thursday evening.",
    "The Daily Ledger contacted the mayor's office for comment; a spokeswoman said the council would consider the matter at its next session.",
    "Readers in the valley can find earlier coverage of this story and a timeline of events on our website.",
];

const OUTLETS: &[&str] = &["Valley Ledger", "Morning Star", "Harbour Gazette", "City Courier", "Tri-County Herald"];

struct Text {
    story: usize,
    /// `None` for a story as its agency wrote it, else the copy's edit.
    edit: Option<usize>,
    input: IngestInput,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = match std::env::args().skip_while(|a| a != "--seed").nth(1) {
        Some(n) => n.parse()?,
        None => 14,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["tests/fixtures/extraction/real/dev", "tests/fixtures/extraction/real/test", "tests/fixtures/copies"] {
        for entry in std::fs::read_dir(root.join(dir))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut rng = fastrand::Rng::with_seed(seed);
    let base_time = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
    let mut texts = Vec::new();
    let mut events: Vec<Option<String>> = Vec::new();
    for (story, file) in files.iter().enumerate() {
        let raw = std::fs::read_to_string(file)?;
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        // Project-written reports of one event share the part before the first dot.
        events.push(
            file.starts_with(root.join("tests/fixtures/copies"))
                .then(|| name.split('.').next().unwrap_or("").to_owned()),
        );
        let (headline, body) = split_headline(&raw);
        let published = base_time + Duration::days(story as i64);
        texts.push(Text { story, edit: None, input: input(format!("{headline}\n\n{body}"), "Wire Agency", published) });
        for edit in 0..EDITS.len() {
            let copy = make_copy(&mut rng, edit, &headline, &body);
            let when = published + Duration::minutes(rng.i64(-180..=600));
            texts.push(Text { story, edit: Some(edit), input: input(copy, OUTLETS[rng.usize(..OUTLETS.len())], when) });
        }
    }
    rng.shuffle(&mut texts);

    let runtime = tokio::runtime::Runtime::new()?;
    let store = SqliteStore::in_memory()?;
    let started = std::time::Instant::now();
    let mut ids: Vec<ArticleId> = Vec::with_capacity(texts.len());
    for text in &texts {
        let report = runtime.block_on(ingest(&store, text.input.clone()))?;
        ids.push(report.article);
    }
    let elapsed = started.elapsed();
    let stored = runtime.block_on(store.articles(&ids))?;
    let by_id: HashMap<&ArticleId, _> = stored.iter().map(|a| (&a.id, a)).collect();
    let group: Vec<&ArticleId> = ids.iter().map(|id| by_id[id].copy_of.as_ref().unwrap_or(id)).collect();

    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    let mut same_event_linked = 0u64;
    let mut same_event_pairs = 0u64;
    let mut by_edit = vec![(0u64, 0u64); EDITS.len()];
    for i in 0..texts.len() {
        for j in i + 1..texts.len() {
            let truth = texts[i].story == texts[j].story;
            let linked = group[i] == group[j];
            match (truth, linked) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => {}
            }
            if !truth
                && let (Some(a), Some(b)) = (&events[texts[i].story], &events[texts[j].story])
                && a == b
            {
                same_event_pairs += 1;
                same_event_linked += u64::from(linked);
            }
            // Recall by edit: a copy linked to the story as its agency wrote it.
            let (copy, story) = match (texts[i].edit, texts[j].edit) {
                (Some(e), None) if truth => (e, linked),
                (None, Some(e)) if truth => (e, linked),
                _ => continue,
            };
            by_edit[copy].0 += 1;
            by_edit[copy].1 += u64::from(story);
        }
    }
    // Originals: each group's original must be its earliest published member.
    let mut groups: HashMap<&ArticleId, Vec<usize>> = HashMap::new();
    for (i, g) in group.iter().enumerate() {
        groups.entry(g).or_default().push(i);
    }
    let linked_groups: Vec<_> = groups.iter().filter(|(_, members)| members.len() > 1).collect();
    let earliest_ok = linked_groups
        .iter()
        .filter(|(original, members)| {
            let earliest = members.iter().map(|&i| texts[i].input.published_at).min().flatten();
            by_id[*original].published_at == earliest
        })
        .count();

    // The margins of the confirmation threshold, from the texts themselves.
    let prints: Vec<Fingerprint> = stored.iter().map(|a| Fingerprint::of(&a.body)).collect();
    let index: HashMap<&ArticleId, usize> = stored.iter().enumerate().map(|(i, a)| (&a.id, i)).collect();
    let (mut lowest_copy, mut lowest_pair, mut highest_other, mut highest_event) = (1.0f64, 1.0f64, 0.0f64, 0.0f64);
    for i in 0..texts.len() {
        for j in i + 1..texts.len() {
            let value = overlap(&prints[index[&ids[i]]], &prints[index[&ids[j]]]);
            if texts[i].story == texts[j].story {
                lowest_pair = lowest_pair.min(value);
                if texts[i].edit.is_none() || texts[j].edit.is_none() {
                    lowest_copy = lowest_copy.min(value);
                }
            } else {
                highest_other = highest_other.max(value);
                if events[texts[i].story].is_some() && events[texts[i].story] == events[texts[j].story] {
                    highest_event = highest_event.max(value);
                }
            }
        }
    }

    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!("texts {} ({} stories, {} copies each), seed {seed}", texts.len(), files.len(), EDITS.len());
    println!(
        "pairs: precision {precision:.3}  recall {recall:.3}  (linked {} of {} copy pairs; {fp} wrong links)",
        tp,
        tp + fn_
    );
    for (edit, (pairs, linked)) in EDITS.iter().zip(&by_edit) {
        println!(
            "  recall of a copy with {edit:<16} {:.3} ({linked} of {pairs})",
            *linked as f64 / (*pairs).max(1) as f64
        );
    }
    println!("same event, different agencies: {same_event_linked} of {same_event_pairs} pairs linked");
    println!("groups whose original is the earliest published: {earliest_ok} of {}", linked_groups.len());
    println!(
        "shingle overlap (copy threshold {COPY_OVERLAP}): lowest between a copy and its story {lowest_copy:.3} \
         (between two copies {lowest_pair:.3}: linked through the group), highest between different stories \
         {highest_other:.3} (same event, other agency: {highest_event:.3})"
    );
    println!(
        "ingest time {:.1} s for {} texts (extraction, detection and writes; {} build)",
        elapsed.as_secs_f64(),
        texts.len(),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    Ok(())
}

fn input(text: String, outlet: &str, published_at: DateTime<Utc>) -> IngestInput {
    IngestInput {
        text,
        outlet: Some(outlet.to_owned()),
        published_at: Some(published_at),
        language: Some("en".into()),
        ..IngestInput::default()
    }
}

/// The headline line and the paragraphs after it.
fn split_headline(raw: &str) -> (String, String) {
    let raw = raw.trim();
    match raw.split_once("\n\n") {
        Some((headline, body)) => (headline.trim().to_owned(), body.trim().to_owned()),
        None => (String::new(), raw.to_owned()),
    }
}

fn make_copy(rng: &mut fastrand::Rng, edit: usize, headline: &str, body: &str) -> String {
    let mut paragraphs: Vec<String> = body.split("\n\n").map(str::to_owned).filter(|p| !p.trim().is_empty()).collect();
    let mut headline = headline.to_owned();
    let mut byline = None;
    let all = edit == 4;
    if edit == 0 || all {
        headline = new_headline(rng, &paragraphs);
        byline = Some(format!("By {} staff and wire reports", OUTLETS[rng.usize(..OUTLETS.len())]));
    }
    if edit == 1 || all {
        let words = |ps: &[String]| ps.iter().map(|p| p.split_whitespace().count()).sum::<usize>();
        let total = words(&paragraphs);
        let most = if all { (paragraphs.len() / 4).max(1) } else { (paragraphs.len() / 3).max(1) };
        let cut = rng.usize(1..=most);
        for _ in 0..cut {
            if paragraphs.len() > 1 && words(&paragraphs[..paragraphs.len() - 1]) * 2 >= total {
                paragraphs.pop();
            }
        }
    }
    if edit == 2 || all {
        let local = LOCAL[rng.usize(..LOCAL.len())].to_owned();
        let at = if rng.bool() { paragraphs.len() } else { paragraphs.len().min(2) };
        paragraphs.insert(at, local);
    }
    if edit == 3 || all {
        paragraphs = paragraphs.into_iter().map(|p| reword(rng, &p)).collect();
    }
    let mut text = format!("{headline}\n\n");
    if let Some(byline) = byline {
        text.push_str(&byline);
        text.push_str("\n\n");
    }
    text.push_str(&paragraphs.join("\n\n"));
    text
}

/// A different headline: the first words of the lead, as a desk rewrites it.
fn new_headline(rng: &mut fastrand::Rng, paragraphs: &[String]) -> String {
    let lead = paragraphs.first().map(String::as_str).unwrap_or("Update");
    let words: Vec<&str> = lead.split_whitespace().filter(|w| !w.contains('(') && !w.contains(')')).collect();
    let n = rng.usize(6..=10).min(words.len());
    let line = words[..n].join(" ");
    format!("UPDATE - {}", line.trim_end_matches([',', '.', ';', ':', '-']))
}

/// Swaps about half of the occurrences of the rewording table's phrases.
fn reword(rng: &mut fastrand::Rng, paragraph: &str) -> String {
    let mut out = paragraph.to_owned();
    for (from, to) in SWAPS {
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(from) {
            let before_ok = rest[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after_ok = rest[at + from.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            result.push_str(&rest[..at]);
            if before_ok && after_ok && rng.bool() {
                result.push_str(to);
            } else {
                result.push_str(from);
            }
            rest = &rest[at + from.len()..];
        }
        result.push_str(rest);
        out = result;
    }
    out
}
