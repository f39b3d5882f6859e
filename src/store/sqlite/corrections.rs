//! Corrections on the embedded store: `quote_decisions` (a quote's human
//! decisions, by quote id, indexed by anchor) and `audit_log` (append-only:
//! triggers refuse updates and deletes), from the corrections migration.
//! A correction is written in one transaction with its article's batch
//! ([`write`]): the version check, the entries, the decisions and the batch
//! commit together or not at all.

use super::{classify, json_ids, query_docs, to_json};
use crate::domain::correction::millis;
use crate::domain::{AuditEntry, AuditFilter, QuoteDecisions, QuoteId};
use crate::store::corrections::{CorrectionWrite, PersonMerge};
use crate::store::{StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};

pub(super) fn decisions(conn: &Connection, quotes: &[QuoteId]) -> StoreResult<Vec<QuoteDecisions>> {
    if quotes.is_empty() {
        return Ok(Vec::new());
    }
    query_docs(
        conn,
        "SELECT doc FROM quote_decisions WHERE quote IN (SELECT value FROM json_each(?1)) ORDER BY quote",
        params![json_ids(quotes)?],
    )
}

pub(super) fn decisions_by_anchor(conn: &Connection, anchors: &[String]) -> StoreResult<Vec<QuoteDecisions>> {
    if anchors.is_empty() {
        return Ok(Vec::new());
    }
    query_docs(
        conn,
        "SELECT doc FROM quote_decisions WHERE anchor IN (SELECT value FROM json_each(?1)) ORDER BY quote",
        params![json_ids(anchors)?],
    )
}

/// Checks the version, then writes the entries, the decisions and the batch,
/// all in `tx`. The caller appends the batch's changes and commits.
pub(super) fn write(tx: &Transaction<'_>, correction: &CorrectionWrite) -> StoreResult<()> {
    if let Some(decisions) = &correction.decisions {
        check_version(tx, decisions, correction.expected_version)?;
    }
    insert_entries(tx, &correction.entries)?;
    if let Some(decisions) = &correction.decisions {
        save_decisions(tx, decisions)?;
    }
    Ok(())
}

fn check_version(tx: &Transaction<'_>, decisions: &QuoteDecisions, expected: u64) -> StoreResult<()> {
    let stored: Option<i64> = tx
        .prepare_cached("SELECT version FROM quote_decisions WHERE quote = ?1")
        .and_then(|mut s| s.query_row([decisions.quote.as_str()], |row| row.get(0)).optional())
        .map_err(classify)?;
    let stored = stored.unwrap_or(0) as u64;
    if stored != expected {
        return Err(StoreError::Conflict(format!(
            "quote `{}` is at version {stored}, not {expected}",
            decisions.quote
        )));
    }
    Ok(())
}

fn insert_entries(tx: &Transaction<'_>, entries: &[AuditEntry]) -> StoreResult<()> {
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO audit_log (id, at, by_name, entity, entity_id, field, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(classify)?;
    for entry in entries {
        insert
            .execute(params![
                entry.id,
                millis::format(&entry.at),
                entry.by,
                entry.entity.as_str(),
                entry.entity_id,
                entry.field.as_str(),
                to_json(entry)?
            ])
            .map_err(classify)?;
    }
    Ok(())
}

fn save_decisions(tx: &Transaction<'_>, decisions: &QuoteDecisions) -> StoreResult<()> {
    let doc = to_json(decisions)?;
    tx.prepare_cached(
        "INSERT INTO quote_decisions (quote, anchor, version, doc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (quote) DO UPDATE SET anchor = excluded.anchor, version = excluded.version, doc = excluded.doc",
    )
    .and_then(|mut s| s.execute(params![decisions.quote.as_str(), decisions.anchor, decisions.version as i64, doc]))
    .map_err(classify)?;
    Ok(())
}

/// Removes the merged person (its row, names and affiliation links) and
/// redirects its id, after the batch has moved everything that named it.
pub(super) fn finish_merge(tx: &Transaction<'_>, merge: &PersonMerge) -> StoreResult<()> {
    let from = merge.from.as_str();
    for sql in [
        "DELETE FROM names WHERE kind = 'person' AND id = ?1",
        "DELETE FROM links WHERE rel = 'person_org' AND src = ?1",
        "DELETE FROM people WHERE id = ?1",
    ] {
        tx.prepare_cached(sql).and_then(|mut s| s.execute([from])).map_err(classify)?;
    }
    tx.prepare_cached(
        "INSERT INTO merges (from_id, into_id) VALUES (?1, ?2) ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id",
    )
    .and_then(|mut s| s.execute(params![from, merge.into.as_str()]))
    .map_err(classify)?;
    Ok(())
}

pub(super) fn merged_into(conn: &Connection, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare_cached("SELECT from_id, into_id FROM merges WHERE from_id IN (SELECT value FROM json_each(?1))")
        .map_err(classify)?;
    let rows = stmt.query_map([json_ids(ids)?], |row| Ok((row.get(0)?, row.get(1)?))).map_err(classify)?;
    rows.map(|r| r.map_err(classify)).collect()
}

/// The WHERE clause and parameters of `filter`, plus `before`.
fn conditions(filter: &AuditFilter, before: Option<&str>) -> StoreResult<(String, Vec<Value>)> {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut values: Vec<Value> = Vec::new();
    let mut push = |clause: &str, value: Value| {
        values.push(value);
        clauses.push(clause.replace('?', &format!("?{}", values.len())));
    };
    if !filter.ids.is_empty() {
        push("id IN (SELECT value FROM json_each(?))", Value::Text(json_ids(&filter.ids)?));
    }
    if let Some(entity) = filter.entity {
        push("entity = ?", Value::Text(entity.as_str().into()));
    }
    if !filter.entity_ids.is_empty() {
        push("entity_id IN (SELECT value FROM json_each(?))", Value::Text(json_ids(&filter.entity_ids)?));
    }
    if let Some(field) = filter.field {
        push("field = ?", Value::Text(field.as_str().into()));
    }
    if let Some(by) = &filter.by {
        push("by_name = ?", Value::Text(by.clone()));
    }
    if let Some(since) = &filter.since {
        push("at >= ?", Value::Text(millis::format(since)));
    }
    if let Some(until) = &filter.until {
        push("at <= ?", Value::Text(millis::format(until)));
    }
    if let Some(before) = before {
        push("id < ?", Value::Text(before.to_owned()));
    }
    Ok((clauses.join(" AND "), values))
}

pub(super) fn entries(
    conn: &Connection,
    filter: &AuditFilter,
    limit: usize,
    before: Option<&str>,
) -> StoreResult<Vec<AuditEntry>> {
    let (clause, values) = conditions(filter, before)?;
    let sql = format!("SELECT doc FROM audit_log WHERE {clause} ORDER BY id DESC LIMIT {limit}");
    query_docs(conn, &sql, params_from_iter(values))
}

pub(super) fn count(conn: &Connection, filter: &AuditFilter) -> StoreResult<u64> {
    let (clause, values) = conditions(filter, None)?;
    let sql = format!("SELECT count(*) FROM audit_log WHERE {clause}");
    let n: i64 = conn
        .prepare_cached(&sql)
        .and_then(|mut s| s.query_row(params_from_iter(values), |row| row.get(0)))
        .map_err(classify)?;
    Ok(n as u64)
}
