//! Dashboard figures over a date range, read from the pre-aggregated
//! `quote_counts` table instead of counting every quote in the range.
//!
//! Triggers on `quotes` and `links` (see `schema.rs`) keep, inside each write's
//! transaction, how many quotes fall in every year and month overall, by
//! source, by speaker and by speaker organization, and in every day overall.
//! A range is cut into whole years, whole months and the days at its edges
//! ([`decompose`]): years and months are read from the counters, and so are
//! the edge days (migration 9): the overall and per-source and per-organization
//! day rows of `quote_counts`, and for a speaker its rows of `speaker_days`.
//! Only when the top speakers cannot be found by the walk below are the edge
//! days of every speaker counted from the covering index `quotes_day`, whose
//! cost is bounded by two months of quotes: ten times more at 1M articles
//! than at 100k, which is why the counters exist.
//!
//! Only filters made of a date range (with at least one end) and, for speaker
//! figures, `anonymous`, nested in `allOf` or not, are answered here; anything
//! else falls back to the plain grouped query (`sql::group_query`). A count
//! ([`count`]) may also name exactly one source, one speaker or one speaker
//! organization besides its range: it reads that key's rows, one primary-key
//! look-up per period (or, for a speaker's edge days, one range of
//! `speaker_days`).
//!
//! The top speakers of a range ([`top_speakers`]) do not sum every speaker's
//! rows (thousands for a two-year range): speakers are visited by their
//! all-time count (migration 5's `quote_counts_ranked`), which bounds their
//! count in any range, each one's range count is read with primary-key look-ups
//! of its year and month rows plus a range of its day rows for each run of edge
//! days, and the walk stops once the
//! `limit`-th best range count beats every speaker not visited yet.

use super::classify;
use super::sql;
use crate::domain::Speaker;
use crate::store::StoreResult;
use crate::store::filter::{Bucket, DateRange, QuoteFilter, QuoteGroup, day_key, month_key, speaker_key, week_key};
use chrono::{Datelike, NaiveDate};
use foldhash::{HashMap, HashMapExt};
use rusqlite::{Connection, OptionalExtension, ToSql, params};

/// A piece of a date range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Single days, from the first to the last.
    Days(NaiveDate, NaiveDate),
    /// Whole months: from the first day of one to the last day of another.
    Months(NaiveDate, NaiveDate),
    /// Whole years; an open end reaches as far as the data does.
    Years(Option<i32>, Option<i32>),
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn last_of_month(day: NaiveDate) -> NaiveDate {
    let next = if day.month() == 12 {
        NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(day.year(), day.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(day)
}

fn first_of_year(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 1, 1)
}

fn last_of_year(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

/// Cuts `range` into leading days, leading months, whole years, trailing
/// months and trailing days (each part only when needed), in time order.
/// Returns `None` for an empty range (it ends before it starts).
pub fn decompose(range: &DateRange) -> Option<Vec<Segment>> {
    let (mut lo, mut hi) = (range.from, range.to);
    if let (Some(from), Some(to)) = (lo, hi)
        && from > to
    {
        return None;
    }
    let mut head = Vec::new();
    let mut tail = Vec::new();
    let done = |lo: Option<NaiveDate>, hi: Option<NaiveDate>| matches!((lo, hi), (Some(l), Some(h)) if l > h);
    // Days up to the first whole month, and after the last one.
    if let Some(from) = lo
        && from.day() != 1
    {
        let end = hi.map_or(last_of_month(from), |to| to.min(last_of_month(from)));
        head.push(Segment::Days(from, end));
        lo = end.succ_opt();
    }
    if !done(lo, hi)
        && let Some(to) = hi
        && to != last_of_month(to)
    {
        let start = lo.map_or(first_of_month(to), |from| from.max(first_of_month(to)));
        tail.push(Segment::Days(start, to));
        hi = start.pred_opt();
    }
    // Months up to the first whole year, and after the last one.
    if !done(lo, hi)
        && let Some(from) = lo
        && from.month() != 1
    {
        let year_end = last_of_year(from.year()).unwrap_or(from);
        let end = hi.map_or(year_end, |to| to.min(year_end));
        head.push(Segment::Months(from, end));
        lo = end.succ_opt();
    }
    if !done(lo, hi)
        && let Some(to) = hi
        && to.month() != 12
    {
        let year_start = first_of_year(to.year()).unwrap_or(to);
        let start = lo.map_or(year_start, |from| from.max(year_start));
        tail.push(Segment::Months(start, to));
        hi = start.pred_opt();
    }
    if !done(lo, hi) {
        head.push(Segment::Years(lo.map(|d| d.year()), hi.map(|d| d.year())));
    }
    head.extend(tail.into_iter().rev());
    Some(head)
}

/// What a filter asks, when the counters can answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plan {
    range: DateRange,
    anonymous: Option<bool>,
}

/// The plan for `filter`: its date ranges intersected and its `anonymous`
/// flag, or `None` when it has any other condition (or no date bound at all:
/// undated quotes count then, and the counters do not hold them).
fn plan(filter: &QuoteFilter) -> Option<Plan> {
    fn collect(filter: &QuoteFilter, plan: &mut Plan) -> bool {
        let QuoteFilter {
            ids,
            statements,
            articles,
            speakers,
            speaker_organizations,
            anonymous,
            via,
            direct,
            date,
            text,
            originals_only,
            all_of,
            any_of,
        } = filter;
        if ids.is_some()
            || *originals_only
            || statements.is_some()
            || articles.is_some()
            || speakers.is_some()
            || speaker_organizations.is_some()
            || via.is_some()
            || direct.is_some()
            || text.is_some()
            || !any_of.is_empty()
        {
            return false;
        }
        if let Some(flag) = anonymous {
            if plan.anonymous.is_some_and(|f| f != *flag) {
                return false;
            }
            plan.anonymous = Some(*flag);
        }
        if let Some(range) = date {
            plan.range.from = plan.range.from.max(range.from);
            plan.range.to = match (plan.range.to, range.to) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        all_of.iter().all(|f| collect(f, plan))
    }
    let mut plan = Plan { range: DateRange::default(), anonymous: None };
    (collect(filter, &mut plan) && (plan.range.from.is_some() || plan.range.to.is_some())).then_some(plan)
}

/// The counter dimension of a figure, and the prefix its keys must have.
fn dimension(group: QuoteGroup, anonymous: Option<bool>) -> Option<(&'static str, &'static str)> {
    let prefix = match anonymous {
        None => "",
        Some(true) => "anon:",
        Some(false) => "person:",
    };
    match group {
        QuoteGroup::Speaker => Some(("speaker", prefix)),
        _ if anonymous.is_some() => None,
        QuoteGroup::Source => Some(("source", "")),
        QuoteGroup::SpeakerOrganization => Some(("org", "")),
        QuoteGroup::Day | QuoteGroup::Week | QuoteGroup::Month => Some(("all", "")),
    }
}

/// The overall counter rows `(period, n)` at `grain` from `lo` to `hi`
/// (period keys, inclusive; `""` and `"~"` leave an end open).
fn periods(conn: &Connection, grain: &str, lo: &str, hi: &str, mut each: impl FnMut(String, i64)) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT period, n FROM quote_counts WHERE dim = 'all' AND grain = ?1 AND period >= ?2 AND period <= ?3",
        )
        .map_err(classify)?;
    let mut rows = stmt.query(params![grain, lo, hi]).map_err(classify)?;
    while let Some(row) = rows.next().map_err(classify)? {
        each(row.get(0).map_err(classify)?, row.get(1).map_err(classify)?);
    }
    Ok(())
}

/// Sums of `dim` by key at `grain` from `lo` to `hi`, keys starting with
/// `prefix`, added to `totals`. Summed here rather than with `GROUP BY`: the
/// rows come in period order, and sorting ten thousand of them by key in a
/// temporary B-tree cost three times as much as reading them.
fn sums(
    conn: &Connection,
    dim: &str,
    grain: &str,
    lo: &str,
    hi: &str,
    prefix: &str,
    totals: &mut HashMap<String, i64>,
) -> StoreResult<()> {
    let mut add = |key: &str, n: i64| match totals.get_mut(key) {
        Some(total) => *total += n,
        None => {
            totals.insert(key.to_owned(), n);
        }
    };
    let mut stmt;
    let mut rows = if prefix.is_empty() {
        stmt = conn
            .prepare_cached(
                "SELECT key, n FROM quote_counts WHERE dim = ?1 AND grain = ?2 AND period >= ?3 AND period <= ?4",
            )
            .map_err(classify)?;
        stmt.query(params![dim, grain, lo, hi]).map_err(classify)?
    } else {
        // Keys from `prefix` up to, not including, the prefix with its last character raised by one.
        let mut end = prefix.to_owned();
        if let Some(last) = end.pop() {
            end.push(char::from_u32(u32::from(last) + 1).unwrap_or(char::MAX));
        }
        stmt = conn
            .prepare_cached(
                "SELECT key, n FROM quote_counts WHERE dim = ?1 AND grain = ?2 AND period >= ?3 AND period <= ?4
                 AND key >= ?5 AND key < ?6",
            )
            .map_err(classify)?;
        stmt.query(params![dim, grain, lo, hi, prefix, end]).map_err(classify)?
    };
    while let Some(row) = rows.next().map_err(classify)? {
        let key = row.get_ref(0).map_err(classify)?.as_str().map_err(|e| classify(e.into()))?;
        add(key, row.get(1).map_err(classify)?);
    }
    Ok(())
}

/// Counts by `group` key of the quotes from day `a` to day `b`, added to
/// `totals`, from the covering indexes the plain grouped query reads.
fn edge_days(
    conn: &Connection,
    a: NaiveDate,
    b: NaiveDate,
    anonymous: Option<bool>,
    group: QuoteGroup,
    totals: &mut HashMap<String, i64>,
) -> StoreResult<()> {
    let edge =
        QuoteFilter { date: Some(DateRange { from: Some(a), to: Some(b) }), anonymous, ..QuoteFilter::default() };
    // Summed here rather than grouped by SQLite, which sorted the keys of a
    // month's thousands of quotes twice (group, then order): 2 ms of a
    // dashboard whose range starts mid-month.
    let query = sql::bucket_rows(&edge, group);
    let mut stmt = conn.prepare_cached(&query.sql).map_err(classify)?;
    let mut found = stmt.query(rusqlite::params_from_iter(query.params.iter())).map_err(classify)?;
    while let Some(row) = found.next().map_err(classify)? {
        let key = row.get_ref(0).map_err(classify)?.as_str().map_err(|e| classify(e.into()))?;
        match totals.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                totals.insert(key.to_owned(), 1);
            }
        }
    }
    Ok(())
}

/// How many rows of the all-time ranking [`top_speakers`] walks before it
/// gives up and the speakers' rows are summed instead: each visited speaker
/// costs a few primary-key look-ups, a summed row one sequential read.
const RANKED_WALK_LIMIT: usize = 400;

/// The `limit` speakers (keys starting with `prefix`) with the most quotes in
/// the range cut into `segments`, ordered as the plain grouped query orders
/// them (count descending, then key); `None` when that would take walking
/// more than `walk_limit` rows of the ranking.
///
/// Speakers come in descending all-time count, ties by key. A speaker's
/// all-time count bounds its count in the range, so once `limit` speakers are
/// kept and the last kept one beats the next speaker's all-time count (more
/// quotes, or as many and a smaller key, since tied speakers come by key), no
/// speaker left can enter.
fn top_speakers(
    conn: &Connection,
    segments: &[Segment],
    prefix: &str,
    limit: usize,
    walk_limit: usize,
) -> StoreResult<Option<Vec<Bucket>>> {
    if limit == 0 {
        return Ok(Some(Vec::new()));
    }
    // The year and month periods holding any quote, and the edge days.
    let (mut years, mut months, mut days) = (Vec::new(), Vec::new(), Vec::new());
    for segment in segments {
        match *segment {
            Segment::Days(a, b) => days.push((day_key(a), day_key(b))),
            Segment::Months(a, b) => periods(conn, "m", &month_key(a), &month_key(b), |p, _| months.push(p))?,
            Segment::Years(a, b) => periods(conn, "y", &year_key(a, ""), &year_key(b, "~"), |p, _| years.push(p))?,
        }
    }
    // One statement per grain: `period IN (...)` with the key fixed is one
    // primary-key look-up per period.
    let mut readers = Vec::new();
    for (grain, list) in [("y", &years), ("m", &months)] {
        if !list.is_empty() {
            let marks = vec!["?"; list.len()].join(", ");
            let sql = format!(
                "SELECT n FROM quote_counts WHERE dim = 'speaker' AND grain = '{grain}' AND period IN ({marks}) AND key = ?"
            );
            readers.push((conn.prepare_cached(&sql).map_err(classify)?, list.as_slice()));
        }
    }
    // A speaker's quotes in a run of edge days: one range of `speaker_days`.
    let mut on_days = conn
        .prepare_cached("SELECT ifnull(sum(n), 0) FROM speaker_days WHERE speaker_key = ?1 AND day >= ?2 AND day <= ?3")
        .map_err(classify)?;
    let mut ranked = conn
        .prepare_cached("SELECT key, n FROM quote_counts WHERE dim = 'speaker' AND grain = 't' ORDER BY n DESC, key")
        .map_err(classify)?;
    let mut speakers = ranked.query([]).map_err(classify)?;
    let order = |a: &Bucket, b: &Bucket| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key));
    let mut kept: Vec<Bucket> = Vec::with_capacity(limit + 1);
    let mut walked = 0;
    while let Some(row) = speakers.next().map_err(classify)? {
        let key = row.get_ref(0).map_err(classify)?.as_str().map_err(|e| classify(e.into()))?;
        let bound = u64::try_from(row.get::<_, i64>(1).map_err(classify)?).unwrap_or(0);
        if bound == 0 {
            break;
        }
        if let Some(last) = kept.get(limit - 1)
            && (last.count > bound || last.count == bound && last.key.as_str() < key)
        {
            break;
        }
        walked += 1;
        if walked > walk_limit {
            return Ok(None);
        }
        if !key.starts_with(prefix) {
            continue;
        }
        let mut n = 0;
        for (a, b) in &days {
            n += on_days.query_row(params![key, a, b], |row| row.get::<_, i64>(0)).map_err(classify)?;
        }
        for (stmt, periods) in &mut readers {
            let args = periods.iter().map(|p| p as &dyn ToSql).chain([&key as &dyn ToSql]);
            let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(classify)?;
            while let Some(found) = rows.next().map_err(classify)? {
                n += found.get::<_, i64>(0).map_err(classify)?;
            }
        }
        let Some(count) = u64::try_from(n).ok().filter(|n| *n > 0) else {
            continue;
        };
        let bucket = Bucket { key: key.to_owned(), count };
        let at = kept.partition_point(|b| order(b, &bucket).is_lt());
        if at < limit {
            kept.insert(at, bucket);
            kept.truncate(limit);
        }
    }
    Ok(Some(kept))
}

fn year_key(year: Option<i32>, open: &str) -> String {
    year.map_or_else(|| open.to_owned(), |y| format!("{y:04}"))
}

/// How many quotes match `filter`, from the counters; `None` when they cannot answer.
pub fn count(conn: &Connection, filter: &QuoteFilter) -> StoreResult<Option<u64>> {
    let (keyed, rest) = match keyed(filter) {
        Some((keyed, rest)) => (Some(keyed), rest),
        None => (None, filter.clone()),
    };
    let Some(plan) = plan(&rest).filter(|p| p.anonymous.is_none()) else {
        return Ok(None);
    };
    let Some(segments) = decompose(&plan.range) else {
        return Ok(Some(0));
    };
    let Some((dim, key)) = keyed else {
        let mut totals = HashMap::new();
        for segment in segments {
            let (grain, lo, hi) = bounds(segment);
            sums(conn, "all", grain, &lo, &hi, "", &mut totals)?;
        }
        return Ok(Some(u64::try_from(totals.values().sum::<i64>()).unwrap_or(0)));
    };
    let mut total = 0;
    for segment in segments {
        total += match segment {
            // A speaker's days are one range of `speaker_days`.
            Segment::Days(a, b) if dim == "speaker" => conn
                .prepare_cached(
                    "SELECT ifnull(sum(n), 0) FROM speaker_days WHERE speaker_key = ?1 AND day >= ?2 AND day <= ?3",
                )
                .and_then(|mut stmt| stmt.query_row(params![key, day_key(a), day_key(b)], |row| row.get::<_, i64>(0)))
                .map_err(classify)?,
            // Otherwise one primary-key look-up per period that holds any
            // quote (the overall rows list them): a bounded number of reads,
            // where a range of the key's rows would pass every other key's.
            segment => {
                let (grain, lo, hi) = bounds(segment);
                let mut held = Vec::new();
                periods(conn, grain, &lo, &hi, |period, _| held.push(period))?;
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT n FROM quote_counts WHERE dim = ?1 AND grain = ?2 AND period = ?3 AND key = ?4",
                    )
                    .map_err(classify)?;
                let mut n = 0;
                for period in held {
                    n += stmt
                        .query_row(params![dim, grain, period, key], |row| row.get::<_, i64>(0))
                        .optional()
                        .map_err(classify)?
                        .unwrap_or(0);
                }
                n
            }
        };
    }
    Ok(Some(u64::try_from(total).unwrap_or(0)))
}

/// The grain and the first and last period keys of `segment`.
fn bounds(segment: Segment) -> (&'static str, String, String) {
    match segment {
        Segment::Days(a, b) => ("d", day_key(a), day_key(b)),
        Segment::Months(a, b) => ("m", month_key(a), month_key(b)),
        Segment::Years(a, b) => ("y", year_key(a, ""), year_key(b, "~")),
    }
}

/// When `filter` narrows quotes to exactly one source, one speaker or one
/// speaker organization (at its top level, and no more than one of those),
/// the counter dimension and key that count them, and the filter without
/// that condition.
fn keyed(filter: &QuoteFilter) -> Option<((&'static str, String), QuoteFilter)> {
    let mut rest = filter.clone();
    let (via, speakers, organizations) = (rest.via.take(), rest.speakers.take(), rest.speaker_organizations.take());
    let keyed = match (via.as_deref(), speakers.as_deref(), organizations.as_deref()) {
        (Some([source]), None, None) => ("source", source.to_string()),
        (None, Some([person]), None) => ("speaker", speaker_key(&Speaker::Person { person: person.clone() })),
        (None, None, Some([organization])) => ("org", organization.to_string()),
        _ => return None,
    };
    Some((keyed, rest))
}

/// How many quotes matching `filter` fall in each group, from the counters
/// (see [`crate::store::Store::group_quotes`]); `None` when they cannot answer.
pub fn group(
    conn: &Connection,
    filter: &QuoteFilter,
    group: QuoteGroup,
    limit: usize,
) -> StoreResult<Option<Vec<Bucket>>> {
    group_walking(conn, filter, group, limit, RANKED_WALK_LIMIT)
}

/// [`group`], with top speakers found by walking at most `walk_limit` speakers
/// of the all-time ranking before summing them all.
fn group_walking(
    conn: &Connection,
    filter: &QuoteFilter,
    group: QuoteGroup,
    limit: usize,
    walk_limit: usize,
) -> StoreResult<Option<Vec<Bucket>>> {
    let Some(plan) = plan(filter) else {
        return Ok(None);
    };
    let Some((dim, prefix)) = dimension(group, plan.anonymous) else {
        return Ok(None);
    };
    let Some(segments) = decompose(&plan.range) else {
        return Ok(Some(Vec::new()));
    };
    if group == QuoteGroup::Speaker
        && let Some(top) = top_speakers(conn, &segments, prefix, limit, walk_limit)?
    {
        return Ok(Some(top));
    }
    // Room for every speaker of a two-year range without rehashing.
    let mut totals: HashMap<String, i64> = HashMap::with_capacity(16_384);
    match group {
        QuoteGroup::Day | QuoteGroup::Week => {
            let lo = plan.range.from.map_or_else(String::new, day_key);
            let hi = plan.range.to.map_or_else(|| "~".to_owned(), day_key);
            periods(conn, "d", &lo, &hi, |period, n| {
                let key = match (group, period.parse::<NaiveDate>()) {
                    (QuoteGroup::Week, Ok(day)) => week_key(day),
                    _ => period,
                };
                *totals.entry(key).or_default() += n;
            })?;
        }
        QuoteGroup::Month => {
            for segment in segments {
                let (grain, lo, hi) = match segment {
                    Segment::Days(a, b) => ("d", day_key(a), day_key(b)),
                    Segment::Months(a, b) => ("m", month_key(a), month_key(b)),
                    Segment::Years(a, b) => ("m", year_key(a, ""), format!("{}-12", year_key(b, "~"))),
                };
                periods(conn, grain, &lo, &hi, |period, n| {
                    let month = period.get(..7).unwrap_or(&period).to_owned();
                    *totals.entry(month).or_default() += n;
                })?;
            }
        }
        QuoteGroup::Source | QuoteGroup::Speaker | QuoteGroup::SpeakerOrganization => {
            for segment in segments {
                match segment {
                    // Sources and organizations have day counters (migration 9);
                    // speakers' are keyed speaker first, for `top_speakers`.
                    Segment::Days(a, b) if group != QuoteGroup::Speaker => {
                        sums(conn, dim, "d", &day_key(a), &day_key(b), prefix, &mut totals)?
                    }
                    Segment::Days(a, b) => edge_days(conn, a, b, plan.anonymous, group, &mut totals)?,
                    Segment::Months(a, b) => sums(conn, dim, "m", &month_key(a), &month_key(b), prefix, &mut totals)?,
                    Segment::Years(a, b) => {
                        sums(conn, dim, "y", &year_key(a, ""), &year_key(b, "~"), prefix, &mut totals)?
                    }
                }
            }
        }
    }
    let mut buckets: Vec<Bucket> = totals
        .into_iter()
        .filter_map(|(key, n)| Some(Bucket { key, count: u64::try_from(n).ok().filter(|n| *n > 0)? }))
        .collect();
    let order = |a: &Bucket, b: &Bucket| {
        if group.is_period() { a.key.cmp(&b.key) } else { b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)) }
    };
    // Only the first `limit` need sorting (thousands of speakers, ten wanted).
    if limit < buckets.len() {
        buckets.select_nth_unstable_by(limit, order);
        buckets.truncate(limit);
    }
    buckets.sort_unstable_by(order);
    Ok(Some(buckets))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    fn range(from: Option<&str>, to: Option<&str>) -> DateRange {
        DateRange { from: from.map(d), to: to.map(d) }
    }

    #[test]
    fn ranges_cut_into_edge_days_months_and_whole_years() {
        use Segment::*;
        assert_eq!(
            decompose(&range(Some("2020-03-15"), Some("2023-02-10"))).unwrap(),
            [
                Days(d("2020-03-15"), d("2020-03-31")),
                Months(d("2020-04-01"), d("2020-12-31")),
                Years(Some(2021), Some(2022)),
                Months(d("2023-01-01"), d("2023-01-31")),
                Days(d("2023-02-01"), d("2023-02-10")),
            ]
        );
        assert_eq!(decompose(&range(Some("2021-01-01"), Some("2022-12-31"))).unwrap(), [Years(Some(2021), Some(2022))]);
        assert_eq!(
            decompose(&range(Some("2021-05-03"), Some("2021-05-20"))).unwrap(),
            [Days(d("2021-05-03"), d("2021-05-20"))]
        );
        assert_eq!(
            decompose(&range(Some("2021-05-03"), Some("2021-07-20"))).unwrap(),
            [
                Days(d("2021-05-03"), d("2021-05-31")),
                Months(d("2021-06-01"), d("2021-06-30")),
                Days(d("2021-07-01"), d("2021-07-20")),
            ]
        );
        assert_eq!(
            decompose(&range(Some("2021-05-01"), Some("2021-06-30"))).unwrap(),
            [Months(d("2021-05-01"), d("2021-06-30"))]
        );
        assert_eq!(
            decompose(&range(Some("2021-05-31"), Some("2021-06-01"))).unwrap(),
            [Days(d("2021-05-31"), d("2021-05-31")), Days(d("2021-06-01"), d("2021-06-01"))]
        );
        assert_eq!(decompose(&range(None, Some("2020-12-31"))).unwrap(), [Years(None, Some(2020))]);
        assert_eq!(
            decompose(&range(Some("2020-02-02"), None)).unwrap(),
            [Days(d("2020-02-02"), d("2020-02-29")), Months(d("2020-03-01"), d("2020-12-31")), Years(Some(2021), None)]
        );
        assert_eq!(decompose(&range(Some("2021-01-02"), Some("2021-01-01"))), None);
    }

    #[test]
    fn segments_cover_each_day_of_a_range_once() {
        let mut rng = fastrand::Rng::with_seed(3);
        let start = d("2018-01-01");
        for _ in 0..500 {
            let from = start + chrono::Duration::days(rng.i64(0..2000));
            let to = from + chrono::Duration::days(rng.i64(0..1200));
            let mut covered = Vec::new();
            for segment in decompose(&DateRange { from: Some(from), to: Some(to) }).unwrap() {
                let (a, b) = match segment {
                    Segment::Days(a, b) => (a, b),
                    Segment::Months(a, b) => {
                        assert_eq!((a.day(), b), (1, last_of_month(b)));
                        (a, b)
                    }
                    Segment::Years(Some(a), Some(b)) => (first_of_year(a).unwrap(), last_of_year(b).unwrap()),
                    Segment::Years(..) => panic!("closed ranges have closed years"),
                };
                assert!(a <= b, "{from} {to}: {segment:?}");
                covered.push((a, b));
            }
            assert_eq!(covered.first().unwrap().0, from);
            assert_eq!(covered.last().unwrap().1, to);
            assert!(covered.windows(2).all(|w| w[0].1.succ_opt() == Some(w[1].0)), "{from} {to}: {covered:?}");
        }
    }

    /// On a long-tailed corpus (300 people, and anonymous speakers) the walk
    /// stops within 150 rows of the ranking and finds what summing every
    /// speaker's rows finds; with no rows allowed it gives up.
    #[tokio::test]
    async fn top_speakers_walk_few_speakers_and_agree_with_the_sums() {
        use crate::generate::{Cast, corpus};
        use crate::store::Store;
        use crate::store::sqlite::SqliteStore;
        let cast = Cast::new(3000, 4);
        assert_eq!(cast.people.len(), 300);
        let batch = corpus(&cast, 4, 3000);
        let store = SqliteStore::in_memory().unwrap();
        store.write(&batch).await.unwrap();
        let conn = store.inner.writer.lock().unwrap();
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..20 {
            let from = d("2019-01-01") + chrono::Duration::days(rng.i64(0..1500));
            let to = from + chrono::Duration::days(rng.i64(300..800));
            let dated = QuoteFilter {
                date: Some(range(Some(&from.to_string()), Some(&to.to_string()))),
                ..QuoteFilter::default()
            };
            for anonymous in [None, Some(false)] {
                let filter = QuoteFilter { anonymous, all_of: vec![dated.clone()], ..QuoteFilter::default() };
                for limit in [1, 5, 10] {
                    let summed = group_walking(&conn, &filter, QuoteGroup::Speaker, limit, 0).unwrap().unwrap();
                    assert_eq!(summed.len(), limit);
                    let plan = plan(&filter).unwrap();
                    let segments = decompose(&plan.range).unwrap();
                    let prefix = dimension(QuoteGroup::Speaker, anonymous).unwrap().1;
                    let top = top_speakers(&conn, &segments, prefix, limit, 150).unwrap();
                    assert_eq!(top.as_ref(), Some(&summed), "{from} {to} {anonymous:?} {limit}");
                    assert_eq!(top_speakers(&conn, &segments, prefix, limit, 0).unwrap(), None);
                }
            }
        }
    }

    #[test]
    fn only_date_ranges_and_speaker_kinds_use_the_counters() {
        let dated = QuoteFilter { date: Some(range(Some("2020-01-01"), None)), ..QuoteFilter::default() };
        assert!(plan(&dated).is_some());
        assert!(plan(&QuoteFilter::default()).is_none(), "undated quotes count without a range");
        let named = QuoteFilter { anonymous: Some(false), all_of: vec![dated.clone()], ..QuoteFilter::default() };
        assert_eq!(plan(&named).unwrap().anonymous, Some(false));
        assert!(dimension(QuoteGroup::Source, Some(false)).is_none());
        let direct = QuoteFilter { direct: Some(true), ..dated.clone() };
        assert!(plan(&direct).is_none());
        let either = QuoteFilter { any_of: vec![dated.clone()], ..QuoteFilter::default() };
        assert!(plan(&either).is_none());
        let narrowed =
            QuoteFilter { date: Some(range(None, Some("2021-06-30"))), all_of: vec![dated], ..QuoteFilter::default() };
        assert_eq!(plan(&narrowed).unwrap().range, range(Some("2020-01-01"), Some("2021-06-30")));
    }
}
