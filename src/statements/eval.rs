//! Measuring the joining on labelled reports: pairwise precision and recall.
//!
//! The evaluation set (`tests/fixtures/statements/reports.jsonl`) holds short
//! quoted sentences from real reporting, each with its outlet, URL, speaker,
//! day and a gold statement label: reports with the same label are the same
//! statement, every other pair is not. The reports go through [`join::plan`]
//! one at a time, in day order, with candidates found only through the index
//! keys, as a store finds them; a pair is predicted the same when both land
//! in the same statement.
//!
//! The set is split into a dev half (to choose thresholds on) and a test half
//! by a rule fixed before any result was seen: events sorted by the FNV-1a
//! hash of their name, the first half (rounded up) dev.

use super::join::{self, lookup_keys};
use super::similarity::{Rule, fnv1a};
use crate::domain::{ArticleId, OrganizationId, PersonId, Quote, QuoteId, Span, Speaker, Statement, StatementId};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// One labelled report.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledReport {
    pub event: String,
    /// A person id, or `anon:<affiliation>:<description>`.
    pub speaker: String,
    pub date: NaiveDate,
    pub outlet: String,
    pub url: String,
    pub direct: bool,
    /// The gold statement label.
    pub statement: String,
    pub text: String,
}

/// Which half of the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    Dev,
    Test,
}

/// Pairwise figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub reports: usize,
    pub statements: usize,
    pub true_pairs: usize,
    pub predicted_pairs: usize,
    pub correct_pairs: usize,
    /// The pairs it got wrong: ("missed" or "wrongly joined", text, text).
    pub mistakes: Vec<(&'static str, String, String)>,
}

impl Figures {
    pub fn precision(&self) -> f64 {
        if self.predicted_pairs == 0 { 1.0 } else { self.correct_pairs as f64 / self.predicted_pairs as f64 }
    }
    pub fn recall(&self) -> f64 {
        if self.true_pairs == 0 { 1.0 } else { self.correct_pairs as f64 / self.true_pairs as f64 }
    }
}

/// Parses the JSON-lines set.
pub fn parse(raw: &str) -> Result<Vec<LabelledReport>, String> {
    raw.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1)))
        .collect()
}

/// The half an event belongs to, by the fixed rule.
pub fn halves(reports: &[LabelledReport]) -> HashMap<String, Half> {
    let mut events: Vec<&str> = reports.iter().map(|r| r.event.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    events.sort_by_key(|e| (fnv1a(&[e.as_bytes()]), *e));
    let dev = events.len().div_ceil(2);
    events.iter().enumerate().map(|(i, e)| (e.to_string(), if i < dev { Half::Dev } else { Half::Test })).collect()
}

/// The speaker of a labelled report.
pub fn speaker(raw: &str) -> Result<Speaker, String> {
    if let Some(rest) = raw.strip_prefix("anon:") {
        let (affiliation, description) = rest.split_once(':').ok_or_else(|| format!("bad speaker {raw:?}"))?;
        let affiliation = OrganizationId::parse(affiliation).map_err(|e| e.to_string())?;
        return Ok(Speaker::Anonymous { description: description.to_owned(), affiliation: Some(affiliation) });
    }
    Ok(Speaker::Person { person: PersonId::parse(raw).map_err(|e| e.to_string())? })
}

/// Joins `reports` as the stores do and compares with the labels.
pub fn evaluate(reports: &[&LabelledReport], rule: &Rule) -> Result<Figures, String> {
    let mut order: Vec<(usize, &LabelledReport)> = reports.iter().copied().enumerate().collect();
    order.sort_by_key(|(i, r)| (r.date, *i));
    let mut index: HashMap<String, BTreeSet<StatementId>> = HashMap::new();
    let mut stored: HashMap<StatementId, Statement> = HashMap::new();
    let mut predicted: Vec<(usize, StatementId)> = Vec::new();
    for (i, report) in order {
        let article = ArticleId::parse(format!("eval-{i}")).map_err(|e| e.to_string())?;
        let quote = Quote {
            id: QuoteId::for_span(&article, 0),
            article,
            text: report.text.clone(),
            direct: report.direct,
            speaker: Some(speaker(&report.speaker)?),
            via: Vec::new(),
            said_on: None,
            date: Some(report.date),
            span: Span { start: 0, end: report.text.chars().count() },
            statement: None,
            copy_of: None,
        };
        let candidates: BTreeSet<&StatementId> =
            lookup_keys(&quote).iter().filter_map(|k| index.get(k)).flatten().collect();
        let candidates: Vec<Statement> = candidates.into_iter().filter_map(|id| stored.get(id).cloned()).collect();
        let plan = join::plan(&[&quote], &join::Outlets::new(), &[], candidates, rule);
        for statement in plan.upserts {
            stored.insert(statement.id.clone(), statement);
        }
        for (key, id) in plan.index {
            index.entry(key).or_default().insert(id);
        }
        predicted.push((i, plan.assignments[0].1.clone()));
    }
    predicted.sort();
    let mut figures = Figures {
        reports: reports.len(),
        statements: reports.iter().map(|r| (&r.speaker, &r.statement)).collect::<BTreeSet<_>>().len(),
        ..Figures::default()
    };
    for a in 0..predicted.len() {
        for b in a + 1..predicted.len() {
            let truly = reports[a].statement == reports[b].statement && reports[a].speaker == reports[b].speaker;
            let said = predicted[a].1 == predicted[b].1;
            figures.true_pairs += usize::from(truly);
            figures.predicted_pairs += usize::from(said);
            figures.correct_pairs += usize::from(truly && said);
            if truly != said {
                let kind = if truly { "missed" } else { "wrongly joined" };
                figures.mistakes.push((kind, reports[a].text.clone(), reports[b].text.clone()));
            }
        }
    }
    Ok(figures)
}
