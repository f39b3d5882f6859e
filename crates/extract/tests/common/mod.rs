//! Helpers shared by the integration tests: loading fixture sets and scoring them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use newsgraph_extract::{Gold, Scores};

/// Directory of a fixture set ("seed", "dev", "heldout").
pub fn set_dir(set: &str) -> PathBuf {
    // The fixtures live at the workspace root, beside the server's tests.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/extraction").join(set)
}

/// (name, text, gold) for every `NN.txt` with a `NN.gold.json`.
pub fn load(set: &str) -> Vec<(String, String, Gold)> {
    let dir = set_dir(set);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".txt")).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            let text = std::fs::read_to_string(dir.join(format!("{n}.txt"))).ok()?;
            let gold = std::fs::read_to_string(dir.join(format!("{n}.gold.json"))).ok()?;
            let gold: Gold = serde_json::from_str(&gold).expect("gold file parses");
            Some((n, text, gold))
        })
        .collect()
}

/// Micro-averaged scores over a fixture set.
pub fn score(set: &str) -> (usize, Scores) {
    let report = newsgraph_extract::eval::evaluate_dir(&set_dir(set)).unwrap_or_else(|e| panic!("{e}"));
    (report.files.len(), report.total)
}

/// One-line summary for assertion messages.
pub fn summary(s: &Scores) -> String {
    format!(
        "people F1 {:.3}, orgs F1 {:.3}, quote P {:.3} R {:.3} F1 {:.3}, speaker {:.3}, via {:.3}\nmissed: {:#?}\nspurious: {:#?}\nwrong: {:#?}",
        s.people.f1(),
        s.organizations.f1(),
        s.quotes.precision(),
        s.quotes.recall(),
        s.quotes.f1(),
        s.speaker.value(),
        s.via.value(),
        s.missed_quotes,
        s.spurious_quotes,
        s.wrong_attributions
    )
}
