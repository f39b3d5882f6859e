//! Statements on the embedded store: joining a write's quotes inside the
//! write's transaction, and the statement lists.
//!
//! Tables (see the statements migration in `schema.rs`): `statements` (the
//! summary document, with its speaker, first day and report count as sort
//! columns), `statement_reports` (quote → statement, with the quote's
//! article, so a rewritten article finds its quotes' old statements in one
//! indexed look-up) and `statement_keys` ((key, statement), the candidate
//! index of [`crate::statements::join`]). A write plans before its rows are
//! written ([`plan_batch`]: one query for the previous memberships, one for
//! the candidates under the quotes' keys) and applies the plan after them
//! ([`apply`]), all in its one transaction.

use super::schema::rel;
use super::sql::Query;
use super::{classify, from_json, query_docs, to_json};
use crate::domain::{ArticleId, OrganizationId, Quote, QuoteId, Statement, StatementId};
use crate::statements::Rule;
use crate::statements::join::{self, Outlets, Plan, Previous, speaker_key};
use crate::store::filter::{statement_date_key, statement_reports_key};
use crate::store::{GraphBatch, QuoteFilter, QuoteGroup, StoreResult};
use rusqlite::{Connection, params};
use std::collections::{BTreeSet, HashMap};

/// Text that only the statements migration holds: `migrate` runs
/// [`rebuild_in`] after the migration that contains it.
pub const TABLE_DEFINITION: &str = "CREATE TABLE IF NOT EXISTS statements (";

/// Quotes joined per step of a rebuild.
const REBUILD_CHUNK: usize = 2_000;

/// Plans the statements of `batch`'s quotes, before its rows are written.
pub fn plan_batch(conn: &Connection, batch: &GraphBatch) -> StoreResult<Plan> {
    let articles: Vec<&str> = batch.articles.iter().map(|a| a.id.as_str()).collect();
    let quote_ids: Vec<&str> = batch.quotes.iter().map(|q| q.id.as_str()).collect();
    if articles.is_empty() && quote_ids.is_empty() {
        return Ok(Plan::default());
    }
    let previous = previous(conn, &to_json(&articles)?, &to_json(&quote_ids)?)?;
    let quotes: Vec<&Quote> = batch.quotes.iter().collect();
    let outlets: Outlets<'_> = batch.articles.iter().filter_map(|a| a.outlet.as_ref().map(|o| (&a.id, o))).collect();
    plan_quotes(conn, &quotes, &outlets, &previous)
}

/// Plans `quotes` against the statements stored.
fn plan_quotes(
    conn: &Connection,
    quotes: &[&Quote],
    outlets: &Outlets<'_>,
    previous: &[Previous],
) -> StoreResult<Plan> {
    let keys = join::batch_lookup_keys(quotes.iter().copied());
    let mut known: BTreeSet<String> = previous.iter().map(|p| p.statement.to_string()).collect();
    // A new statement takes its first report's id (or the one it had): one stored under it must be seen.
    known.extend(join::founding_candidates(quotes.iter().copied()));
    let stored: Vec<Statement> = query_docs(
        conn,
        "SELECT doc FROM statements WHERE id IN (
             SELECT statement FROM statement_keys WHERE key IN (SELECT value FROM json_each(?1))
             UNION SELECT value FROM json_each(?2))",
        params![to_json(&keys)?, to_json(&known)?],
    )?;
    Ok(join::plan(quotes, outlets, previous, stored, &Rule::DEFAULT))
}

/// The stored memberships of the quotes of `articles` and of `quotes` (JSON lists).
fn previous(conn: &Connection, articles: &str, quotes: &str) -> StoreResult<Vec<Previous>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.statement, q.doc FROM statement_reports r JOIN quotes q ON q.id = r.quote
             WHERE r.article IN (SELECT value FROM json_each(?1))
             UNION SELECT r.statement, q.doc FROM statement_reports r JOIN quotes q ON q.id = r.quote
             WHERE r.quote IN (SELECT value FROM json_each(?2))",
        )
        .map_err(classify)?;
    let rows = stmt
        .query_map(params![articles, quotes], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
        .map_err(classify)?;
    let mut out = Vec::new();
    for row in rows {
        let (statement, doc) = row.map_err(classify)?;
        let quote: Quote = from_json(&doc)?;
        out.push(Previous {
            quote: quote.id,
            statement: StatementId::parse(statement).map_err(|e| crate::store::StoreError::Internal(e.to_string()))?,
            text: quote.text,
            direct: quote.direct,
            date: quote.date,
        });
    }
    Ok(out)
}

/// The statement each quote of a plan reports.
pub fn assignments(plan: &Plan) -> HashMap<&QuoteId, &StatementId> {
    plan.assignments.iter().map(|(q, s)| (q, s)).collect()
}

/// Stores what `plan` decided for `batch`, after the batch's rows are written.
pub fn apply(conn: &Connection, batch: &GraphBatch, plan: &Plan) -> StoreResult<()> {
    let articles: Vec<&str> = batch.articles.iter().map(|a| a.id.as_str()).collect();
    let quote_ids: Vec<&str> = batch.quotes.iter().map(|q| q.id.as_str()).collect();
    let (articles, quote_ids) = (to_json(&articles)?, to_json(&quote_ids)?);
    conn.prepare_cached(
        "DELETE FROM statement_reports WHERE article IN (SELECT value FROM json_each(?1))
         OR quote IN (SELECT value FROM json_each(?2))",
    )
    .and_then(|mut s| s.execute(params![articles, quote_ids]))
    .map_err(classify)?;
    let article_of: HashMap<&QuoteId, &str> = batch.quotes.iter().map(|q| (&q.id, q.article.as_str())).collect();
    write_plan(conn, plan, &article_of)
}

fn write_plan(conn: &Connection, plan: &Plan, article_of: &HashMap<&QuoteId, &str>) -> StoreResult<()> {
    let mut report = conn
        .prepare_cached("INSERT OR REPLACE INTO statement_reports (quote, statement, article) VALUES (?1, ?2, ?3)")
        .map_err(classify)?;
    for (quote, statement) in &plan.assignments {
        let article = article_of.get(quote).copied().unwrap_or_default();
        report.execute(params![quote.as_str(), statement.as_str(), article]).map_err(classify)?;
    }
    for statement in &plan.upserts {
        upsert(conn, statement)?;
    }
    let mut key = conn
        .prepare_cached("INSERT OR IGNORE INTO statement_keys (key, statement) VALUES (?1, ?2)")
        .map_err(classify)?;
    for (k, statement) in &plan.index {
        key.execute(params![k, statement.as_str()]).map_err(classify)?;
    }
    recheck(conn, &plan.recheck)
}

fn upsert(conn: &Connection, statement: &Statement) -> StoreResult<()> {
    let doc = to_json(statement)?;
    conn.prepare_cached(
        "INSERT INTO statements (id, speaker_key, sort_date, reports_key, doc) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET speaker_key = excluded.speaker_key, sort_date = excluded.sort_date,
           reports_key = excluded.reports_key, doc = excluded.doc",
    )
    .and_then(|mut s| {
        s.execute(params![
            statement.id.as_str(),
            speaker_key(&statement.speaker),
            statement_date_key(statement),
            statement_reports_key(statement),
            doc
        ])
    })
    .map_err(classify)?;
    Ok(())
}

/// Summarises each statement again from the reports it has now, and
/// removes those left with none.
fn recheck(conn: &Connection, ids: &[StatementId]) -> StoreResult<()> {
    for id in ids {
        let rows: Vec<(String, Option<String>)> = conn
            .prepare_cached(
                "SELECT q.doc, a.outlet FROM statement_reports r JOIN quotes q ON q.id = r.quote
                 LEFT JOIN articles a ON a.id = q.article WHERE r.statement = ?1",
            )
            .and_then(|mut s| s.query_map([id.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))?.collect())
            .map_err(classify)?;
        let reports: Vec<Quote> = rows.iter().map(|(doc, _)| from_json(doc)).collect::<StoreResult<_>>()?;
        let outlet_ids: Vec<(ArticleId, OrganizationId)> = reports
            .iter()
            .zip(&rows)
            .filter_map(|(q, (_, outlet))| Some((q.article.clone(), OrganizationId::parse(outlet.clone()?).ok()?)))
            .collect();
        let outlets: Outlets<'_> = outlet_ids.iter().map(|(a, o)| (a, o)).collect();
        let sources: Vec<Vec<OrganizationId>> = reports.iter().map(|q| join::sources_of(q, &outlets)).collect();
        let speaker = reports.iter().find_map(|q| q.speaker.clone());
        let summary = speaker.and_then(|speaker| {
            Statement::summarize(id.clone(), speaker, reports.iter().zip(&sources).map(|(q, s)| join::summary(q, s)))
        });
        match summary {
            Some(statement) => upsert(conn, &statement)?,
            None => {
                conn.prepare_cached("DELETE FROM statements WHERE id = ?1")
                    .and_then(|mut s| s.execute([id.as_str()]))
                    .map_err(classify)?;
            }
        }
    }
    Ok(())
}

/// The outlets of the articles of `quotes`.
fn outlets_of(conn: &Connection, quotes: &[Quote]) -> StoreResult<Vec<(ArticleId, OrganizationId)>> {
    let articles: BTreeSet<&str> = quotes.iter().map(|q| q.article.as_str()).collect();
    let rows: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT id, outlet FROM articles WHERE id IN (SELECT value FROM json_each(?1)) AND outlet IS NOT NULL",
        )
        .and_then(|mut s| {
            s.query_map([to_json(&articles).unwrap_or_default()], |row| Ok((row.get(0)?, row.get(1)?)))?.collect()
        })
        .map_err(classify)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, o)| Some((ArticleId::parse(a).ok()?, OrganizationId::parse(o).ok()?)))
        .collect())
}

/// Joins every stored quote into statements from nothing, in the caller's
/// transaction: in day order, a chunk at a time, each chunk joined like a write.
pub fn rebuild_in(conn: &Connection) -> StoreResult<()> {
    conn.execute_batch("DELETE FROM statements; DELETE FROM statement_reports; DELETE FROM statement_keys;")
        .map_err(classify)?;
    let mut after: Option<(String, String)> = None;
    loop {
        let rows: Vec<(String, String)> = {
            let (key, id) = after.clone().unwrap_or_default();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT sort_date, doc FROM quotes WHERE ?1 = 0 OR (sort_date, id) > (?2, ?3)
                     ORDER BY sort_date, id LIMIT ?4",
                )
                .map_err(classify)?;
            let rows = stmt
                .query_map(params![after.is_some(), key, id, REBUILD_CHUNK as i64], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .map_err(classify)?;
            rows.collect::<Result<_, _>>().map_err(classify)?
        };
        let Some((last_key, _)) = rows.last().cloned() else { return Ok(()) };
        let quotes: Vec<Quote> = rows.iter().map(|(_, doc)| from_json(doc)).collect::<StoreResult<_>>()?;
        after = quotes.last().map(|q| (last_key, q.id.to_string()));
        let refs: Vec<&Quote> = quotes.iter().collect();
        let outlet_ids = outlets_of(conn, &quotes)?;
        let outlets: Outlets<'_> = outlet_ids.iter().map(|(a, o)| (a, o)).collect();
        let plan = plan_quotes(conn, &refs, &outlets, &[])?;
        let article_of: HashMap<&QuoteId, &str> = quotes.iter().map(|q| (&q.id, q.article.as_str())).collect();
        write_plan(conn, &plan, &article_of)?;
        let assigned = assignments(&plan);
        let mut update = conn.prepare_cached("UPDATE quotes SET doc = ?2 WHERE id = ?1").map_err(classify)?;
        for quote in &quotes {
            let statement = assigned.get(&quote.id).map(|s| (*s).clone());
            if statement != quote.statement {
                let doc = to_json(&Quote { statement, ..quote.clone() })?;
                update.execute(params![quote.id.as_str(), doc]).map_err(classify)?;
            }
        }
        if quotes.len() < REBUILD_CHUNK {
            return Ok(());
        }
    }
}

/// Writes the condition "has a report matching `filter`" over `statements s`.
pub fn condition(filter: &crate::store::QuoteFilter, query: &mut super::sql::Query) {
    if *filter == crate::store::QuoteFilter::default() {
        query.push("1");
        return;
    }
    query.push("s.id IN (SELECT r.statement FROM statement_reports r JOIN quotes q ON q.id = r.quote WHERE ");
    super::sql::quote_condition(filter, query);
    query.push(")");
}

/// `SELECT bucket, n` counting statements in groups, as
/// [`crate::store::Store::group_statements`] says: the quotes matching
/// `filter` that report a statement (`statement_reports`' primary key from
/// each), `count(DISTINCT statement)` per key, or for periods each
/// statement's earliest period among them, counted once. The period keys
/// (`2016-05-17`, `2016-W20`, `2016-05`) sort in time order, so `min` is the earliest.
pub fn group_query(filter: &QuoteFilter, group: QuoteGroup, limit: usize) -> Query {
    let (key, link) = match group {
        QuoteGroup::Source => ("l.dst", Some(rel::QUOTE_VIA)),
        QuoteGroup::SpeakerOrganization => ("l.dst", Some(rel::QUOTE_SPEAKER_ORG)),
        QuoteGroup::Speaker => ("q.speaker_key", None),
        QuoteGroup::Day => ("q.day", None),
        QuoteGroup::Week => ("q.week", None),
        QuoteGroup::Month => ("q.month", None),
    };
    let counted = if group.is_period() {
        format!("SELECT min({key}) AS bucket FROM ")
    } else {
        format!("SELECT {key} AS bucket, count(DISTINCT r.statement) AS n FROM ")
    };
    let mut query = Query::new(counted);
    let date_only = QuoteFilter { date: filter.date, ..QuoteFilter::default() } == *filter;
    match (link, &filter.date) {
        // No filter or a date range alone, over links: the links carry their
        // quote's day, so the range is one covering index range
        // (`links_dated`), as for reports, and the quotes are not read.
        (Some(relation), range) if date_only => {
            query.push("links l JOIN statement_reports r ON r.quote = l.src WHERE l.rel = ");
            query.bind(relation.to_owned());
            if let Some(range) = range {
                // Undated quotes fall outside any date range.
                query.push(" AND l.sort_key <> ''");
                if let Some(from) = range.from_day() {
                    query.push(" AND l.sort_key >= ").bind(from);
                }
                if let Some(to) = range.to_day() {
                    query.push(" AND l.sort_key <= ").bind(to);
                }
            }
        }
        _ => {
            query.push("quotes q JOIN statement_reports r ON r.quote = q.id");
            if let Some(relation) = link {
                query.push(" JOIN links l ON l.rel = ").bind(relation.to_owned()).push(" AND l.src = q.id");
            }
            query.push(&format!(" WHERE {key} IS NOT NULL AND "));
            super::sql::quote_condition(filter, &mut query);
        }
    }
    if group.is_period() {
        query.push(" GROUP BY r.statement");
        let mut outer = Query::new("SELECT bucket, count(*) AS n FROM (");
        outer.sql.push_str(&query.sql);
        outer.params.append(&mut query.params);
        outer.push(") GROUP BY bucket ORDER BY bucket LIMIT ");
        query = outer;
    } else {
        query.push(" GROUP BY bucket ORDER BY n DESC, bucket LIMIT ");
    }
    query.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    query
}

/// The keyset order of a statement list.
pub fn order(sort: crate::store::StatementSort) -> super::sql::Order {
    use crate::store::StatementSort::*;
    match sort {
        FirstReportedDesc => super::sql::Order { key: "s.sort_date", id: "s.id", descending: true },
        FirstReportedAsc => super::sql::Order { key: "s.sort_date", id: "s.id", descending: false },
        MostReported => super::sql::Order { key: "s.reports_key", id: "s.id", descending: true },
    }
}

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;

    /// The steps of SQLite's plan for `sql`.
    fn plan(store: &SqliteStore, sql: &str, params: &[&str]) -> Vec<String> {
        let conn = store.inner.writer.lock().unwrap();
        conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(rusqlite::params_from_iter(params), |row| row.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// A write's statement look-ups read indexes only, whatever the store's size.
    #[test]
    fn the_look_ups_of_a_write_use_indexes() {
        let store = SqliteStore::in_memory().unwrap();
        let candidates = plan(
            &store,
            "SELECT doc FROM statements WHERE id IN (
                 SELECT statement FROM statement_keys WHERE key IN (SELECT value FROM json_each(?1))
                 UNION SELECT value FROM json_each(?2))",
            &["[\"k\"]", "[\"s\"]"],
        );
        assert!(candidates.iter().all(|step| !step.starts_with("SCAN statement")), "{candidates:?}");
        assert!(candidates.iter().any(|step| step.contains("statement_keys USING PRIMARY KEY")), "{candidates:?}");
        let previous = plan(
            &store,
            "SELECT r.statement, q.doc FROM statement_reports r JOIN quotes q ON q.id = r.quote
             WHERE r.article IN (SELECT value FROM json_each(?1))",
            &["[\"a\"]"],
        );
        assert!(previous.iter().any(|step| step.contains("statement_reports_by_article")), "{previous:?}");
        assert!(previous.iter().all(|step| !step.starts_with("SCAN r") && !step.starts_with("SCAN q")), "{previous:?}");
    }

    /// Statements by source over a date range read one range of the dated
    /// links and `statement_reports` by primary key: never a scan, never the quotes.
    #[test]
    fn statements_by_source_over_a_range_read_an_index_range() {
        use crate::store::{DateRange, QuoteFilter, QuoteGroup};
        let store = SqliteStore::in_memory().unwrap();
        let filter = QuoteFilter {
            date: Some(DateRange { from: "2016-05-01".parse().ok(), to: "2016-05-31".parse().ok() }),
            ..QuoteFilter::default()
        };
        let query = super::group_query(&filter, QuoteGroup::Source, 10);
        let conn = store.inner.writer.lock().unwrap();
        let steps: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", query.sql))
            .unwrap()
            .query_map(rusqlite::params_from_iter(query.params.iter()), |row| row.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(steps.iter().any(|s| s.contains("links_dated") && s.starts_with("SEARCH")), "{steps:?}");
        assert!(steps.iter().any(|s| s.starts_with("SEARCH r") && s.contains("(quote=?)")), "{steps:?}");
        assert!(steps.iter().all(|s| !s.starts_with("SCAN") || s.contains("TEMP")), "{steps:?}");
        assert!(steps.iter().all(|s| !s.contains("quotes")), "{steps:?}");
    }
}
