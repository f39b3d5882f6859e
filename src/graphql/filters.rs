//! The GraphQL input types for filtering and ordering lists, and their
//! conversion into the store's typed filters.
//!
//! Ids in filters are global ids of the right type, or an entity's own key.
//! Every filter is bounded (nesting, conditions, ids per list) and dates must
//! be plausible, so a filter can never ask the store for a runaway query.

use super::error::{ApiError, ApiResult};
use super::ids::{self, NodeType};
use super::organizations::OrganizationKind;
use crate::domain::{ArticleId, IdError, OrganizationId, PersonId};
use crate::search::SearchQuery;
use crate::store::filter::Bounded;
use crate::store::{
    ArticleFilter, ArticleSort, DateRange, NameSort, OrganizationFilter, PersonFilter, QuoteFilter, QuoteGroup,
    QuoteSort,
};
use async_graphql::{Enum, ID, InputObject};
use chrono::{Datelike, NaiveDate};

/// Earliest and latest years a date filter accepts.
const YEARS: std::ops::RangeInclusive<i32> = 1800..=2200;

/// An inclusive range of days; either end may be left open.
#[derive(InputObject, Clone, Default)]
pub struct DateRangeInput {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRangeInput {
    fn to_range(&self) -> ApiResult<DateRange> {
        for day in [self.from, self.to].into_iter().flatten() {
            if !YEARS.contains(&day.year()) {
                return Err(ApiError::bad_input(format!(
                    "dates must fall between the years {} and {}",
                    YEARS.start(),
                    YEARS.end()
                )));
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(ApiError::bad_input("a date range must not end before it starts"));
        }
        Ok(DateRange { from: self.from, to: self.to })
    }
}

/// Reads ids that may be global ids of `node_type` or plain keys.
fn parse_ids<T>(raw: &[ID], node_type: NodeType, parse: fn(String) -> Result<T, IdError>) -> ApiResult<Vec<T>> {
    raw.iter()
        .map(|id| {
            let key = match ids::decode(id) {
                Ok(_) => ids::decode_as(id, node_type)?,
                Err(_) => id.to_string(),
            };
            parse(key).map_err(|e| ApiError::bad_input(format!("`{}` is not a valid id: {e}", ids::preview(id))))
        })
        .collect()
}

fn opt_ids<T>(
    raw: &Option<Vec<ID>>,
    node_type: NodeType,
    parse: fn(String) -> Result<T, IdError>,
) -> ApiResult<Option<Vec<T>>> {
    raw.as_deref().map(|ids| parse_ids(ids, node_type, parse)).transpose()
}

/// Parses a `text` condition: the rules of `search(query:)`, a bad one a typed error.
fn text_query(raw: &Option<String>) -> ApiResult<Option<SearchQuery>> {
    raw.as_deref()
        .map(|raw| SearchQuery::parse(raw).map_err(|e| ApiError::bad_input(format!("`text`: {e}"))))
        .transpose()
}

fn checked<F: Bounded>(filter: F) -> ApiResult<F> {
    filter.check().map_err(|e| ApiError::bad_input(e.to_string()))?;
    Ok(filter)
}

fn convert_all<I, F>(items: &Option<Vec<I>>, convert: fn(&I) -> ApiResult<F>) -> ApiResult<Vec<F>> {
    items.iter().flatten().map(convert).collect()
}

/// Which articles. Every given field must match; a list matches any of its ids.
#[derive(InputObject, Clone, Default)]
pub struct ArticleFilterInput {
    pub ids: Option<Vec<ID>>,
    /// Published within these days (articles without a date never match).
    pub published: Option<DateRangeInput>,
    /// Published by any of these outlets.
    pub outlets: Option<Vec<ID>>,
    /// Mentioning any of these people.
    pub mentions_people: Option<Vec<ID>>,
    /// Mentioning any of these organizations.
    pub mentions_organizations: Option<Vec<ID>>,
    /// A BCP 47 language tag such as `en`.
    pub language: Option<String>,
    /// Headline or body matching this full-text query, in the syntax of
    /// `search(query:)`: words (all required), `"phrases"`, `+required`,
    /// `-excluded`; case and accents ignored.
    pub text: Option<String>,
    /// Every one of these filters must match too.
    pub all_of: Option<Vec<ArticleFilterInput>>,
    /// At least one of these filters must match too.
    pub any_of: Option<Vec<ArticleFilterInput>>,
}

impl ArticleFilterInput {
    fn convert(&self) -> ApiResult<ArticleFilter> {
        Ok(ArticleFilter {
            ids: opt_ids(&self.ids, NodeType::Article, ArticleId::parse)?,
            published: self.published.as_ref().map(DateRangeInput::to_range).transpose()?,
            outlets: opt_ids(&self.outlets, NodeType::Organization, OrganizationId::parse)?,
            mentions_people: opt_ids(&self.mentions_people, NodeType::Person, PersonId::parse)?,
            mentions_organizations: opt_ids(
                &self.mentions_organizations,
                NodeType::Organization,
                OrganizationId::parse,
            )?,
            language: self.language.clone(),
            text: text_query(&self.text)?,
            all_of: convert_all(&self.all_of, Self::convert)?,
            any_of: convert_all(&self.any_of, Self::convert)?,
        })
    }
}

/// Which quotes. Every given field must match; a list matches any of its ids.
#[derive(InputObject, Clone, Default)]
pub struct QuoteFilterInput {
    /// In any of these articles.
    pub articles: Option<Vec<ID>>,
    /// Said by any of these people.
    pub speakers: Option<Vec<ID>>,
    /// Said by people affiliated with, or anonymous speakers tied to, any of these organizations.
    pub speaker_organizations: Option<Vec<ID>>,
    /// Only anonymous speakers (true) or only named people (false).
    pub anonymous: Option<bool>,
    /// Reported through any of these sources.
    pub via: Option<Vec<ID>>,
    /// Quoted words (true) or reported speech (false).
    pub direct: Option<bool>,
    /// Dated within these days (said on, else published on).
    pub date: Option<DateRangeInput>,
    /// Words matching this full-text query, in the syntax of `search(query:)`:
    /// words (all required), `"phrases"`, `+required`, `-excluded`; case and
    /// accents ignored.
    pub text: Option<String>,
    /// Every one of these filters must match too.
    pub all_of: Option<Vec<QuoteFilterInput>>,
    /// At least one of these filters must match too.
    pub any_of: Option<Vec<QuoteFilterInput>>,
}

impl QuoteFilterInput {
    fn convert(&self) -> ApiResult<QuoteFilter> {
        Ok(QuoteFilter {
            ids: None,
            statements: None,
            articles: opt_ids(&self.articles, NodeType::Article, ArticleId::parse)?,
            speakers: opt_ids(&self.speakers, NodeType::Person, PersonId::parse)?,
            speaker_organizations: opt_ids(&self.speaker_organizations, NodeType::Organization, OrganizationId::parse)?,
            anonymous: self.anonymous,
            via: opt_ids(&self.via, NodeType::Organization, OrganizationId::parse)?,
            direct: self.direct,
            date: self.date.as_ref().map(DateRangeInput::to_range).transpose()?,
            text: text_query(&self.text)?,
            // Set by the fields that take `includeCopies`, not by the filter.
            originals_only: false,
            all_of: convert_all(&self.all_of, Self::convert)?,
            any_of: convert_all(&self.any_of, Self::convert)?,
        })
    }
}

/// Which people.
#[derive(InputObject, Clone, Default)]
pub struct PersonFilterInput {
    /// Affiliated with any of these organizations.
    pub affiliations: Option<Vec<ID>>,
    pub all_of: Option<Vec<PersonFilterInput>>,
    pub any_of: Option<Vec<PersonFilterInput>>,
}

impl PersonFilterInput {
    fn convert(&self) -> ApiResult<PersonFilter> {
        Ok(PersonFilter {
            affiliations: opt_ids(&self.affiliations, NodeType::Organization, OrganizationId::parse)?,
            all_of: convert_all(&self.all_of, Self::convert)?,
            any_of: convert_all(&self.any_of, Self::convert)?,
        })
    }
}

/// Which organizations.
#[derive(InputObject, Clone, Default)]
pub struct OrganizationFilterInput {
    /// Of any of these kinds.
    pub kinds: Option<Vec<OrganizationKind>>,
    /// Members (or parts) of any of these organizations.
    pub member_of: Option<Vec<ID>>,
    pub all_of: Option<Vec<OrganizationFilterInput>>,
    pub any_of: Option<Vec<OrganizationFilterInput>>,
}

impl OrganizationFilterInput {
    fn convert(&self) -> ApiResult<OrganizationFilter> {
        Ok(OrganizationFilter {
            kinds: self.kinds.as_ref().map(|kinds| kinds.iter().map(|k| (*k).into()).collect()),
            member_of: opt_ids(&self.member_of, NodeType::Organization, OrganizationId::parse)?,
            all_of: convert_all(&self.all_of, Self::convert)?,
            any_of: convert_all(&self.any_of, Self::convert)?,
        })
    }
}

/// Converts an optional article filter input, checking its bounds.
pub fn article_filter(input: Option<&ArticleFilterInput>) -> ApiResult<ArticleFilter> {
    checked(input.map(ArticleFilterInput::convert).transpose()?.unwrap_or_default())
}

/// Converts an optional quote filter input, checking its bounds.
pub fn quote_filter(input: Option<&QuoteFilterInput>) -> ApiResult<QuoteFilter> {
    checked(input.map(QuoteFilterInput::convert).transpose()?.unwrap_or_default())
}

/// Converts an optional person filter input, checking its bounds.
pub fn person_filter(input: Option<&PersonFilterInput>) -> ApiResult<PersonFilter> {
    checked(input.map(PersonFilterInput::convert).transpose()?.unwrap_or_default())
}

/// Converts an optional organization filter input, checking its bounds.
pub fn organization_filter(input: Option<&OrganizationFilterInput>) -> ApiResult<OrganizationFilter> {
    checked(input.map(OrganizationFilterInput::convert).transpose()?.unwrap_or_default())
}

/// The order of an article list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ArticleOrder {
    /// Newest first; articles without a publication date last.
    #[default]
    PublishedAtDesc,
    /// Oldest first; articles without a publication date first.
    PublishedAtAsc,
    /// By id.
    Id,
}

impl From<ArticleOrder> for ArticleSort {
    fn from(order: ArticleOrder) -> Self {
        match order {
            ArticleOrder::PublishedAtDesc => ArticleSort::PublishedDesc,
            ArticleOrder::PublishedAtAsc => ArticleSort::PublishedAsc,
            ArticleOrder::Id => ArticleSort::Id,
        }
    }
}

/// The order of a quote list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum QuoteOrder {
    /// Newest first; undated quotes last.
    #[default]
    DateDesc,
    /// Oldest first; undated quotes first.
    DateAsc,
    /// By id: by article, then by position in the article.
    Id,
}

impl From<QuoteOrder> for QuoteSort {
    fn from(order: QuoteOrder) -> Self {
        match order {
            QuoteOrder::DateDesc => QuoteSort::DateDesc,
            QuoteOrder::DateAsc => QuoteSort::DateAsc,
            QuoteOrder::Id => QuoteSort::Id,
        }
    }
}

/// The order of a list of people or organizations.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum NameOrder {
    /// Alphabetically by name, ignoring case.
    #[default]
    Name,
    /// By id.
    Id,
}

impl From<NameOrder> for NameSort {
    fn from(order: NameOrder) -> Self {
        match order {
            NameOrder::Name => NameSort::Name,
            NameOrder::Id => NameSort::Id,
        }
    }
}

/// A period quotes are counted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum Interval {
    Day,
    /// ISO weeks (Monday to Sunday), labelled like `2016-W20`.
    Week,
    Month,
}

impl From<Interval> for QuoteGroup {
    fn from(interval: Interval) -> Self {
        match interval {
            Interval::Day => QuoteGroup::Day,
            Interval::Week => QuoteGroup::Week,
            Interval::Month => QuoteGroup::Month,
        }
    }
}
