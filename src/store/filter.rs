//! The typed filters, sort orders and pages that both backends compile into
//! queries, and the values derived from entities that those queries use
//! (sort keys, date buckets, speaker keys).
//!
//! Filters arrive from GraphQL input objects, never as JSON: every field is an
//! id, a date, a flag or a kind, so nothing a client sends can become a
//! database operator. Within one filter every given field must match; a list
//! of ids matches any of them; `all_of` and `any_of` combine sub-filters.

use crate::domain::{
    Article, ArticleId, OrgKind, Organization, OrganizationId, Person, PersonId, Quote, QuoteId, Speaker, name_key,
};
use crate::search::SearchQuery;
use chrono::{Datelike, NaiveDate};

/// The deepest nesting of `all_of`/`any_of` accepted.
pub const MAX_FILTER_DEPTH: usize = 4;
/// The most conditions (fields and sub-filters) one filter may hold in all.
pub const MAX_FILTER_CONDITIONS: usize = 64;
/// The most ids one condition may list.
pub const MAX_FILTER_IDS: usize = 200;

/// Days from `from` to `to`, both included; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// `from` as the stored day text.
    pub fn from_day(&self) -> Option<String> {
        self.from.map(day_key)
    }
    /// `to` as the stored day text.
    pub fn to_day(&self) -> Option<String> {
        self.to.map(day_key)
    }
    /// The first instant of `from`, as stored timestamps read.
    pub fn from_timestamp(&self) -> Option<String> {
        self.from.map(|d| format!("{}T00:00:00Z", day_key(d)))
    }
    /// Just past the last instant of `to`: timestamps sort below `"YYYY-MM-DDT~"`.
    pub fn to_timestamp_exclusive(&self) -> Option<String> {
        self.to.map(|d| format!("{}T~", day_key(d)))
    }
}

/// Which articles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleFilter {
    pub ids: Option<Vec<ArticleId>>,
    pub published: Option<DateRange>,
    pub outlets: Option<Vec<OrganizationId>>,
    pub mentions_people: Option<Vec<PersonId>>,
    pub mentions_organizations: Option<Vec<OrganizationId>>,
    pub language: Option<String>,
    /// Headline or body matching a full-text query (the syntax of `search`).
    pub text: Option<SearchQuery>,
    pub all_of: Vec<ArticleFilter>,
    pub any_of: Vec<ArticleFilter>,
}

/// Which quotes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuoteFilter {
    /// Only these quotes (not offered to clients: subscriptions use it to run a
    /// client's filter over just the quotes a write added).
    pub ids: Option<Vec<QuoteId>>,
    /// Only reports of these statements (not offered to clients either:
    /// `statementReported` narrows a client's filter to the statements a write changed).
    pub statements: Option<Vec<crate::domain::StatementId>>,
    pub articles: Option<Vec<ArticleId>>,
    /// Quotes by these people.
    pub speakers: Option<Vec<PersonId>>,
    /// Quotes by people affiliated with, or anonymous speakers tied to, these organizations.
    pub speaker_organizations: Option<Vec<OrganizationId>>,
    /// Only anonymous speakers (true) or only named ones (false).
    pub anonymous: Option<bool>,
    /// Quotes that reached their article through these sources.
    pub via: Option<Vec<OrganizationId>>,
    pub direct: Option<bool>,
    /// By the quote's day (when it was said, else when its article was published).
    pub date: Option<DateRange>,
    /// Text matching a full-text query (the syntax of `search`).
    pub text: Option<SearchQuery>,
    /// Only statements counted once: not the quotes of a copy that point to
    /// the same statement in an earlier report (`Quote::copy_of`).
    pub originals_only: bool,
    pub all_of: Vec<QuoteFilter>,
    pub any_of: Vec<QuoteFilter>,
}

impl ArticleFilter {
    /// Every full-text condition in the filter, nested ones included.
    pub fn texts(&self) -> Vec<&SearchQuery> {
        let mut all: Vec<&SearchQuery> = self.text.iter().collect();
        all.extend(self.all_of.iter().chain(&self.any_of).flat_map(ArticleFilter::texts));
        all
    }
}

impl QuoteFilter {
    /// Every full-text condition in the filter, nested ones included.
    pub fn texts(&self) -> Vec<&SearchQuery> {
        let mut all: Vec<&SearchQuery> = self.text.iter().collect();
        all.extend(self.all_of.iter().chain(&self.any_of).flat_map(QuoteFilter::texts));
        all
    }
}

/// Which people.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonFilter {
    pub affiliations: Option<Vec<OrganizationId>>,
    pub all_of: Vec<PersonFilter>,
    pub any_of: Vec<PersonFilter>,
}

/// Which organizations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganizationFilter {
    pub kinds: Option<Vec<OrgKind>>,
    pub member_of: Option<Vec<OrganizationId>>,
    pub all_of: Vec<OrganizationFilter>,
    pub any_of: Vec<OrganizationFilter>,
}

/// The order of an article list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ArticleSort {
    /// Newest first; articles without a date last.
    #[default]
    PublishedDesc,
    /// Oldest first; articles without a date first.
    PublishedAsc,
    Id,
}

/// The order of a quote list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum QuoteSort {
    /// Newest first; undated quotes last.
    DateDesc,
    DateAsc,
    /// By article, then by position in it.
    #[default]
    Id,
}

/// The order of a list of statements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum StatementSort {
    /// By the day of the first report, newest first; undated last.
    #[default]
    FirstReportedDesc,
    FirstReportedAsc,
    /// Most reports first.
    MostReported,
}

/// The stored sort key of a statement's first day, or empty.
pub fn statement_date_key(statement: &crate::domain::Statement) -> String {
    statement.date.map(day_key).unwrap_or_default()
}

/// The stored sort key of a statement's report count: fixed width, so that text order is number order.
pub fn statement_reports_key(statement: &crate::domain::Statement) -> String {
    format!("{:012}", statement.reports)
}

/// The sort key of a statement in `sort` order.
pub fn statement_sort_key(statement: &crate::domain::Statement, sort: StatementSort) -> String {
    match sort {
        StatementSort::FirstReportedDesc | StatementSort::FirstReportedAsc => statement_date_key(statement),
        StatementSort::MostReported => statement_reports_key(statement),
    }
}

/// The order of a list of people or organizations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum NameSort {
    #[default]
    Name,
    Id,
}

/// Where a page starts: after the item with this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub key: String,
    pub id: String,
}

/// A keyset page: the items after `after` in the list's order, at most `limit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub after: Option<After>,
    pub limit: usize,
}

impl Page {
    /// The first `limit` items.
    pub fn first(limit: usize) -> Self {
        Self { after: None, limit }
    }
}

/// What quotes are counted by, for dashboards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteGroup {
    /// By source (a quote counts once for each of its `via`).
    Source,
    /// By speaker: a person, or an anonymous description (see [`speaker_key`]).
    Speaker,
    /// By the organizations speakers belong to.
    SpeakerOrganization,
    Day,
    Week,
    Month,
}

impl QuoteGroup {
    /// Whether buckets are periods (ordered by time) rather than things (ordered by count).
    pub fn is_period(self) -> bool {
        matches!(self, QuoteGroup::Day | QuoteGroup::Week | QuoteGroup::Month)
    }
}

/// One group and how many quotes fall in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub key: String,
    pub count: u64,
}

/// What full-text search looks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchTarget {
    /// Headlines and bodies.
    Articles,
    /// Quote texts.
    Quotes,
}

/// The most matches of a search that are ranked: pages reach this far and no
/// further.
pub const SEARCH_WINDOW: usize = 1_000;

/// The most matches a search counts one by one. A store that counts by
/// walking the matches (the embedded store, for anything but one word) stops
/// here and estimates the rest, saying so ([`SearchHits::total_is_estimate`]):
/// counting every match grew with the corpus (a third of a search's time at
/// 1M articles). Like Elasticsearch's `track_total_hits` default, ten
/// thousand, ten times the deepest page a client can reach.
pub const SEARCH_COUNT_CAP: usize = 10_000;

/// Which page of a search's ranked matches to return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchPage {
    /// Start after this hit (a cursor): its score and id.
    pub after: Option<(f64, String)>,
    /// The most hits to return; one more comes back when more follow.
    pub first: usize,
    /// Whether to count every match: a pass over all of them, so only when asked.
    pub count: bool,
    /// Leave out the copies: articles that copy an earlier report, quotes that
    /// repeat an earlier report's statement (their `copy_of`).
    pub originals_only: bool,
}

impl SearchPage {
    /// This page of `ranked` (every match, best first, ties by id), for a store
    /// that ranks all matches at once.
    pub fn cut(&self, mut ranked: Vec<(String, f64)>) -> SearchHits {
        let total = self.count.then_some(ranked.len() as u64);
        ranked.truncate(SEARCH_WINDOW);
        let start = match &self.after {
            Some((score, id)) => ranked.iter().position(|(i, s)| s < score || (s == score && i > id)),
            None => Some(0),
        }
        .unwrap_or(ranked.len());
        let hits = ranked.into_iter().skip(start).take(self.first.saturating_add(1)).collect();
        SearchHits { total, total_is_estimate: false, hits }
    }
}

/// One page of a search's matches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchHits {
    /// How many matched in all, when [`SearchPage::count`] asked: exact, or
    /// past [`SEARCH_COUNT_CAP`] matches possibly an estimate.
    pub total: Option<u64>,
    /// Whether `total` is an estimate: more than [`SEARCH_COUNT_CAP`] matched,
    /// and the store did not count them all. It is then above the cap and at
    /// most the document count of the query's rarest required word.
    pub total_is_estimate: bool,
    /// `(id, score)`, best first (higher is better): the page, plus one more
    /// hit when more follow.
    pub hits: Vec<(String, f64)>,
}

/// Why a filter is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterTooComplex(pub String);

/// Counts conditions and nesting so that a filter cannot grow a huge query.
pub trait Bounded {
    fn conditions(&self) -> usize;
    fn depth(&self) -> usize;
    fn longest_list(&self) -> usize;

    fn check(&self) -> Result<(), FilterTooComplex> {
        if self.depth() > MAX_FILTER_DEPTH {
            return Err(FilterTooComplex(format!("filters nest at most {MAX_FILTER_DEPTH} levels deep")));
        }
        if self.conditions() > MAX_FILTER_CONDITIONS {
            return Err(FilterTooComplex(format!("a filter holds at most {MAX_FILTER_CONDITIONS} conditions")));
        }
        if self.longest_list() > MAX_FILTER_IDS {
            return Err(FilterTooComplex(format!("a filter condition lists at most {MAX_FILTER_IDS} values")));
        }
        Ok(())
    }
}

macro_rules! bounded {
    ($type:ty, [$($option:ident),*]) => {
        impl Bounded for $type {
            fn conditions(&self) -> usize {
                let own = 0 $(+ usize::from(self.$option.is_some()))*;
                own + self.all_of.iter().chain(&self.any_of).map(|f| 1 + f.conditions()).sum::<usize>()
            }
            fn depth(&self) -> usize {
                1 + self.all_of.iter().chain(&self.any_of).map(Bounded::depth).max().unwrap_or(0)
            }
            fn longest_list(&self) -> usize {
                let own = [0 $(, list_len(&self.$option))*].into_iter().max().unwrap_or(0);
                self.all_of.iter().chain(&self.any_of).map(Bounded::longest_list).max().unwrap_or(0).max(own)
            }
        }
    };
}

/// The length of a list condition (other conditions count as 0).
trait ListLen {
    fn list_len(&self) -> usize;
}
impl<T> ListLen for Option<Vec<T>> {
    fn list_len(&self) -> usize {
        self.as_ref().map_or(0, Vec::len)
    }
}
impl ListLen for Option<DateRange> {
    fn list_len(&self) -> usize {
        0
    }
}
impl ListLen for Option<String> {
    fn list_len(&self) -> usize {
        0
    }
}
impl ListLen for Option<SearchQuery> {
    fn list_len(&self) -> usize {
        0
    }
}
impl ListLen for Option<bool> {
    fn list_len(&self) -> usize {
        0
    }
}
fn list_len(condition: &impl ListLen) -> usize {
    condition.list_len()
}

bounded!(ArticleFilter, [ids, published, outlets, mentions_people, mentions_organizations, language, text]);
bounded!(QuoteFilter, [ids, statements, articles, speakers, speaker_organizations, anonymous, via, direct, date, text]);
bounded!(PersonFilter, [affiliations]);
bounded!(OrganizationFilter, [kinds, member_of]);

/// A day as stored: `2016-05-17`.
pub fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The ISO week of a day as stored: `2016-W20`.
pub fn week_key(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The month of a day as stored: `2016-05`.
pub fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// The stored sort key of an article's date: its timestamp, or empty (sorts before every date).
pub fn article_date_key(article: &Article) -> String {
    article.published_at.as_ref().map(crate::domain::timestamp::format).unwrap_or_default()
}

/// The stored sort key of a quote's day, or empty.
pub fn quote_date_key(quote: &Quote) -> String {
    quote.date.map(day_key).unwrap_or_default()
}

/// The key quotes are grouped under by speaker: `person:<id>`, or
/// `anon:<affiliation id>:<description>` (the affiliation may be empty).
pub fn speaker_key(speaker: &Speaker) -> String {
    match speaker {
        Speaker::Person { person } => format!("person:{person}"),
        Speaker::Anonymous { description, affiliation } => {
            format!("anon:{}:{}", affiliation.as_ref().map(|a| a.as_str()).unwrap_or(""), description)
        }
    }
}

/// The sort key of an article in `sort` order.
pub fn article_sort_key(article: &Article, sort: ArticleSort) -> String {
    match sort {
        ArticleSort::PublishedDesc | ArticleSort::PublishedAsc => article_date_key(article),
        ArticleSort::Id => article.id.to_string(),
    }
}

/// The sort key of a quote in `sort` order.
pub fn quote_sort_key(quote: &Quote, sort: QuoteSort) -> String {
    match sort {
        QuoteSort::DateDesc | QuoteSort::DateAsc => quote_date_key(quote),
        QuoteSort::Id => quote.id.to_string(),
    }
}

/// The sort key of a person in `sort` order.
pub fn person_sort_key(person: &Person, sort: NameSort) -> String {
    match sort {
        NameSort::Name => name_key(&person.name),
        NameSort::Id => person.id.to_string(),
    }
}

/// The sort key of an organization in `sort` order.
pub fn organization_sort_key(organization: &Organization, sort: NameSort) -> String {
    match sort {
        NameSort::Name => name_key(&organization.name),
        NameSort::Id => organization.id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_bounded() {
        let mut filter = QuoteFilter { direct: Some(true), ..QuoteFilter::default() };
        assert!(filter.check().is_ok());
        for _ in 0..MAX_FILTER_DEPTH {
            filter = QuoteFilter { all_of: vec![filter], ..QuoteFilter::default() };
        }
        assert!(filter.check().is_err(), "too deep");
        let wide =
            QuoteFilter { any_of: vec![QuoteFilter::default(); MAX_FILTER_CONDITIONS + 1], ..QuoteFilter::default() };
        assert!(wide.check().is_err(), "too many conditions");
        let long = ArticleFilter {
            ids: Some(vec![ArticleId::parse("a").unwrap(); MAX_FILTER_IDS + 1]),
            ..ArticleFilter::default()
        };
        assert!(long.check().is_err(), "too many ids");
    }

    #[test]
    fn date_keys() {
        let day = NaiveDate::from_ymd_opt(2016, 5, 17).unwrap();
        assert_eq!(day_key(day), "2016-05-17");
        assert_eq!(week_key(day), "2016-W20");
        assert_eq!(month_key(day), "2016-05");
        assert_eq!(week_key(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()), "2020-W53");
        let range = DateRange { from: Some(day), to: Some(day) };
        let inside = "2016-05-17T23:59:59Z".to_string();
        assert!(range.from_timestamp().unwrap() <= inside && inside < range.to_timestamp_exclusive().unwrap());
    }
}
