//! A statement: what a speaker said, once, however many articles reported it.
//!
//! Each [`Quote`](super::Quote) is one report of a statement in one article;
//! the reports of the same words by the same speaker join into one statement
//! (see `crate::statements` for how). The stored statement is a summary of
//! its reports, enough to join further reports to it and to list it: who,
//! the fullest words, the texts reported so far (bounded), and the first day.
//! Which quotes report it is stored with the quotes (a quote's statement),
//! so a later split can move reports between statements one quote at a time.

use super::{OrganizationId, Speaker, StatementId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most distinct report texts a statement keeps for joining further reports.
pub const MAX_TEXTS: usize = 12;

/// What a speaker said, across every article that reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub id: StatementId,
    /// Who said it (every report has this speaker).
    pub speaker: Speaker,
    /// The fullest words reported: the longest direct quote, else the longest reported speech.
    pub text: String,
    /// Whether `text` is quoted words.
    pub direct: bool,
    /// Distinct texts of its reports (at most [`MAX_TEXTS`], longest kept), which
    /// further reports are compared with.
    #[serde(default)]
    pub texts: Vec<String>,
    /// The day of its earliest report (when it was said, else published).
    pub date: Option<NaiveDate>,
    /// How many reports (quotes) it has.
    #[serde(default)]
    pub reports: u64,
    /// The sources that carried it (its reports' articles' outlets and the
    /// sources the quotes came through), in the order they first did.
    #[serde(default)]
    pub sources: Vec<OrganizationId>,
}

/// One report as a statement's summary sees it.
#[derive(Debug, Clone, Copy)]
pub struct ReportSummary<'a> {
    pub text: &'a str,
    pub direct: bool,
    pub date: Option<NaiveDate>,
    /// The report's sources: its article's outlet, then its `via`.
    pub sources: &'a [OrganizationId],
}

impl Statement {
    /// A statement founded by one report.
    pub fn founded(id: StatementId, speaker: Speaker, report: ReportSummary<'_>) -> Self {
        let mut statement = Self {
            id,
            speaker,
            text: report.text.to_owned(),
            direct: report.direct,
            texts: vec![report.text.to_owned()],
            date: report.date,
            reports: 1,
            sources: Vec::new(),
        };
        statement.add_sources(report.sources);
        statement
    }

    /// Adds a report's text, direct flag, day and sources to the summary.
    /// Returns whether the statement gained a source.
    pub fn absorb(&mut self, report: ReportSummary<'_>) -> bool {
        let ReportSummary { text, direct, date, .. } = report;
        self.reports += 1;
        if (direct && !self.direct) || (direct == self.direct && text.chars().count() > self.text.chars().count()) {
            self.text = text.to_owned();
            self.direct = direct;
        }
        if !self.texts.iter().any(|t| t == text) {
            self.texts.push(text.to_owned());
            if self.texts.len() > MAX_TEXTS {
                // Keep the longest: a fragment is contained in them anyway.
                self.texts.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
                self.texts.truncate(MAX_TEXTS);
            }
        }
        self.date = match (self.date, date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.add_sources(report.sources)
    }

    fn add_sources(&mut self, sources: &[OrganizationId]) -> bool {
        let before = self.sources.len();
        for source in sources {
            if !self.sources.contains(source) {
                self.sources.push(source.clone());
            }
        }
        self.sources.len() > before
    }

    /// The summary of a statement rebuilt from all its reports, in any
    /// order; `None` when there are none.
    pub fn summarize<'a>(
        id: StatementId,
        speaker: Speaker,
        reports: impl IntoIterator<Item = ReportSummary<'a>>,
    ) -> Option<Self> {
        let mut reports: Vec<ReportSummary<'a>> = reports.into_iter().collect();
        // Earliest first, so that the summary does not depend on the order given.
        reports.sort_by(|a, b| (a.date, a.text).cmp(&(b.date, b.text)));
        let mut reports = reports.into_iter();
        let mut statement = Self::founded(id, speaker, reports.next()?);
        for report in reports {
            statement.absorb(report);
        }
        Some(statement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonId;

    fn lavrov() -> Speaker {
        Speaker::Person { person: PersonId::parse("sergei-lavrov").unwrap() }
    }

    #[test]
    fn the_summary_prefers_the_longest_direct_words_and_the_earliest_day() {
        let id = StatementId::parse("s1").unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2016, 5, d);
        let tass = [OrganizationId::parse("tass").unwrap()];
        let report = |text, direct, date| ReportSummary { text, direct, date, sources: &tass };
        let s = Statement::summarize(
            id,
            lavrov(),
            [
                report("Russia would not allow it and would answer firmly", false, day(18)),
                report("We will not allow it", true, day(17)),
                report("We will not allow it, and we will answer", true, day(19)),
            ],
        )
        .unwrap();
        assert_eq!(s.sources, tass);
        assert_eq!(s.text, "We will not allow it, and we will answer");
        assert!(s.direct);
        assert_eq!(s.date, day(17));
        assert_eq!(s.reports, 3);
        assert_eq!(s.texts.len(), 3);
    }

    #[test]
    fn derived_ids_stay_valid_and_distinct() {
        let quote = crate::domain::QuoteId::parse("a".repeat(160)).unwrap();
        let second = StatementId::for_quote(&quote, 2);
        assert!(second.as_str().ends_with("~s2"));
        assert!(StatementId::parse(second.as_str()).is_ok());
        assert_ne!(StatementId::for_quote(&quote, 0), second);
    }
}
