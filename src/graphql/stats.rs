//! Dashboard aggregations: how many statements by source, by speaker, by
//! organization and over time, as typed objects ready for charts.
//!
//! Every figure is one grouped store query over the quotes that match the
//! filter (a `GROUP BY` on the embedded store, a `$group` pipeline on MongoDB);
//! the date buckets it groups on were computed when the quotes were written.

use super::context::{load_all, store};
use super::error::{ApiError, ApiResult};
use super::filters::{self, Interval, QuoteFilterInput};
use super::organizations::OrganizationNode;
use super::people::PersonNode;
use super::quotes::{AnonymousSpeaker, SpeakerUnion};
use crate::domain::{OrganizationId, PersonId};
use crate::store::filter::{day_key, month_key, week_key};
use crate::store::{Bucket, QuoteFilter, QuoteGroup};
use async_graphql::{Context, Object, SimpleObject};
use chrono::{Datelike, NaiveDate, Weekday};

/// The most groups one figure returns.
pub const MAX_GROUPS: i32 = 100;
/// The most periods a timeline returns.
pub const MAX_PERIODS: usize = 1_000;

/// Root field for dashboard figures.
#[derive(Default)]
pub struct StatsRoot;

#[Object]
impl StatsRoot {
    /// Figures over the statements matching `filter` (all when absent): a date
    /// range, a source, a speaker or organization narrow every figure at once.
    /// A statement repeated by copies of one story (a wire story republished)
    /// counts once, by its first report, unless `includeCopies` is true.
    async fn quote_stats(
        &self,
        filter: Option<QuoteFilterInput>,
        #[graphql(default = false)] include_copies: bool,
    ) -> ApiResult<QuoteStats> {
        let mut filter = filters::quote_filter(filter.as_ref())?;
        filter.originals_only = !include_copies;
        Ok(QuoteStats { filter })
    }
}

/// Figures over a set of statements.
pub struct QuoteStats {
    pub filter: QuoteFilter,
}

/// A source and how many statements it carried.
#[derive(SimpleObject)]
#[graphql(cache_control(max_age = 60))]
pub struct SourceCount {
    pub source: OrganizationNode,
    pub count: u64,
}

/// An organization and how many statements its people and spokespeople made.
#[derive(SimpleObject)]
#[graphql(cache_control(max_age = 60))]
pub struct OrganizationCount {
    pub organization: OrganizationNode,
    pub count: u64,
}

/// A person and how many statements they made.
#[derive(SimpleObject)]
#[graphql(cache_control(max_age = 60))]
pub struct PersonCount {
    pub person: PersonNode,
    pub count: u64,
}

/// A speaker (named or anonymous) and how many statements they made.
#[derive(SimpleObject)]
#[graphql(cache_control(max_age = 60))]
pub struct SpeakerCount {
    pub speaker: SpeakerUnion,
    pub count: u64,
}

/// A period and how many statements are dated in it.
#[derive(SimpleObject)]
#[graphql(cache_control(max_age = 60))]
pub struct PeriodCount {
    /// `2016-05-17`, `2016-W20` or `2016-05`.
    pub period: String,
    /// The first day of the period.
    pub start: NaiveDate,
    pub count: u64,
}

fn group_limit(first: i32) -> ApiResult<usize> {
    if (0..=MAX_GROUPS).contains(&first) {
        Ok(first as usize)
    } else {
        Err(ApiError::bad_input(format!("`first` must be between 0 and {MAX_GROUPS}")))
    }
}

async fn groups(
    ctx: &Context<'_>,
    filter: &QuoteFilter,
    group: QuoteGroup,
    limit: usize,
    unit: CountUnit,
) -> ApiResult<Vec<Bucket>> {
    let store = store(ctx)?;
    Ok(match unit {
        CountUnit::Reports => store.group_quotes(filter, group, limit).await?,
        CountUnit::Statements => store.group_statements(filter, group, limit).await?,
    })
}

/// Organizations for buckets keyed by organization id, in bucket order.
async fn organization_counts(ctx: &Context<'_>, buckets: Vec<Bucket>) -> ApiResult<Vec<(OrganizationNode, u64)>> {
    let ids: Vec<OrganizationId> = buckets.iter().filter_map(|b| OrganizationId::parse(b.key.clone()).ok()).collect();
    let found = load_all(ctx, &ids).await?;
    Ok(buckets
        .into_iter()
        .filter_map(|b| found.iter().find(|o| o.id.as_str() == b.key).map(|o| (OrganizationNode(o.clone()), b.count)))
        .collect())
}

/// Statements by source, largest first: what a person's words reached readers through, say.
pub async fn source_counts(
    ctx: &Context<'_>,
    filter: &QuoteFilter,
    first: i32,
    unit: CountUnit,
) -> ApiResult<Vec<SourceCount>> {
    let buckets = groups(ctx, filter, QuoteGroup::Source, group_limit(first)?, unit).await?;
    Ok(organization_counts(ctx, buckets)
        .await?
        .into_iter()
        .map(|(source, count)| SourceCount { source, count })
        .collect())
}

/// What a figure counts.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum CountUnit {
    /// Each quote: a statement reported in three articles counts three times.
    #[default]
    Reports,
    /// Each statement once, however many articles reported it (see `Statement`).
    Statements,
}

#[Object(cache_control(max_age = 60))]
impl QuoteStats {
    /// How many statements match: quotes (`REPORTS`, the default: the same
    /// words in three articles count three times), or statements (`STATEMENTS`:
    /// once, whatever the number of articles that reported them).
    async fn total(&self, ctx: &Context<'_>, #[graphql(default)] count: CountUnit) -> ApiResult<u64> {
        Ok(match count {
            CountUnit::Reports => store(ctx)?.count_quotes(&self.filter).await?,
            CountUnit::Statements => store(ctx)?.count_statements(&self.filter).await?,
        })
    }

    /// Statements by the source that reported them, largest first (a statement
    /// reported by two sources counts for each). `count: STATEMENTS` counts a
    /// statement once per source that carried it, however many of its reports did.
    async fn by_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
        #[graphql(default)] count: CountUnit,
    ) -> ApiResult<Vec<SourceCount>> {
        source_counts(ctx, &self.filter, first, count).await
    }

    /// Statements by speaker, named or anonymous, largest first (`count:
    /// STATEMENTS`: each statement once).
    async fn by_speaker(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
        #[graphql(default)] count: CountUnit,
    ) -> ApiResult<Vec<SpeakerCount>> {
        let buckets = groups(ctx, &self.filter, QuoteGroup::Speaker, group_limit(first)?, count).await?;
        let people: Vec<PersonId> = buckets
            .iter()
            .filter_map(|b| b.key.strip_prefix("person:"))
            .filter_map(|id| PersonId::parse(id).ok())
            .collect();
        let found = load_all(ctx, &people).await?;
        Ok(buckets
            .into_iter()
            .filter_map(|b| {
                let speaker = if let Some(id) = b.key.strip_prefix("person:") {
                    SpeakerUnion::Person(PersonNode(found.iter().find(|p| p.id.as_str() == id)?.clone()))
                } else {
                    let (affiliation, description) = b.key.strip_prefix("anon:")?.split_once(':')?;
                    SpeakerUnion::AnonymousSpeaker(AnonymousSpeaker::new(
                        description.to_owned(),
                        OrganizationId::parse(affiliation).ok(),
                    ))
                };
                Some(SpeakerCount { speaker, count: b.count })
            })
            .collect())
    }

    /// Named people by how many statements they made, largest first (`count:
    /// STATEMENTS`: each statement once).
    async fn top_people(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
        #[graphql(default)] count: CountUnit,
    ) -> ApiResult<Vec<PersonCount>> {
        let named = QuoteFilter { anonymous: Some(false), all_of: vec![self.filter.clone()], ..QuoteFilter::default() };
        let buckets = groups(ctx, &named, QuoteGroup::Speaker, group_limit(first)?, count).await?;
        let ids: Vec<PersonId> = buckets
            .iter()
            .filter_map(|b| b.key.strip_prefix("person:"))
            .filter_map(|id| PersonId::parse(id).ok())
            .collect();
        let people = load_all(ctx, &ids).await?;
        Ok(buckets
            .into_iter()
            .filter_map(|b| {
                let id = b.key.strip_prefix("person:")?;
                let person = people.iter().find(|p| p.id.as_str() == id)?;
                Some(PersonCount { person: PersonNode(person.clone()), count: b.count })
            })
            .collect())
    }

    /// Statements by the organizations their speakers belong to, largest
    /// first (`count: STATEMENTS`: each statement once per organization).
    async fn by_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
        #[graphql(default)] count: CountUnit,
    ) -> ApiResult<Vec<OrganizationCount>> {
        let buckets = groups(ctx, &self.filter, QuoteGroup::SpeakerOrganization, group_limit(first)?, count).await?;
        Ok(organization_counts(ctx, buckets)
            .await?
            .into_iter()
            .map(|(organization, count)| OrganizationCount { organization, count })
            .collect())
    }

    /// Statements per day, week or month, in time order. When the filter gives
    /// a date range with both ends, periods without statements are included
    /// with a count of 0, so a chart has no gaps. `count: STATEMENTS` counts
    /// each statement once, in the period of its earliest matching report
    /// (when it was first reported), so the periods add up to `total` of the
    /// dated reports.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        interval: Interval,
        #[graphql(default)] count: CountUnit,
    ) -> ApiResult<Vec<PeriodCount>> {
        let buckets = groups(ctx, &self.filter, interval.into(), MAX_PERIODS, count).await?;
        let mut counts: std::collections::BTreeMap<String, u64> =
            buckets.into_iter().map(|b| (b.key, b.count)).collect();
        if let Some(range) = &self.filter.date
            && let (Some(from), Some(to)) = (range.from, range.to)
        {
            for period in periods(interval, from, to).into_iter().take(MAX_PERIODS) {
                counts.entry(period).or_insert(0);
            }
        }
        Ok(counts
            .into_iter()
            .take(MAX_PERIODS)
            .filter_map(|(period, count)| Some(PeriodCount { start: period_start(interval, &period)?, period, count }))
            .collect())
    }
}

/// The periods from `from` to `to`, in order.
fn periods(interval: Interval, from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let key = match interval {
        Interval::Day => day_key,
        Interval::Week => week_key,
        Interval::Month => month_key,
    };
    let mut out: Vec<String> = Vec::new();
    let mut day = from;
    while day <= to && out.len() <= MAX_PERIODS {
        let period = key(day);
        if out.last() != Some(&period) {
            out.push(period);
        }
        day = match day.succ_opt() {
            Some(next) => next,
            None => break,
        };
    }
    out
}

/// The first day of a stored period key.
fn period_start(interval: Interval, period: &str) -> Option<NaiveDate> {
    match interval {
        Interval::Day => period.parse().ok(),
        Interval::Week => {
            let (year, week) = period.split_once("-W")?;
            NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)
        }
        Interval::Month => {
            let (year, month) = period.split_once('-')?;
            NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
        }
    }
    .filter(|d| d.year() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_cover_the_range_once_each() {
        let from = NaiveDate::from_ymd_opt(2016, 5, 16).unwrap();
        let to = NaiveDate::from_ymd_opt(2016, 6, 2).unwrap();
        assert_eq!(periods(Interval::Month, from, to), ["2016-05", "2016-06"]);
        assert_eq!(periods(Interval::Week, from, to), ["2016-W20", "2016-W21", "2016-W22"]);
        assert_eq!(periods(Interval::Day, from, to).len(), 18);
        assert_eq!(period_start(Interval::Week, "2016-W20"), Some(from));
        assert_eq!(period_start(Interval::Month, "2016-06"), NaiveDate::from_ymd_opt(2016, 6, 1));
        assert_eq!(period_start(Interval::Day, "garbage"), None);
    }
}
