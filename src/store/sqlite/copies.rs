//! Copies known as copies on the embedded store: the near-duplicate index
//! (`copy_keys`, migration 10) and the `originals_only` condition's shortcut.
//!
//! The dashboard counters (`counts.rs`, `lists.rs`) count every quote. A
//! filter that asks for originals only is answered from them when the store
//! holds no copied quote at all (one look-up in the partial index
//! `quotes_copy_of`), since the condition then excludes nothing; otherwise
//! it is answered by the plain query, which reads `quotes.copy_of`.

use super::classify;
use crate::domain::ArticleId;
use crate::store::{QuoteFilter, StoreError, StoreResult};
use rusqlite::{Connection, params};

/// The articles indexed under any of `keys`, with how many keys each shares,
/// most first (ties by id), at most `limit`: one range of the primary key per key.
pub fn candidates(conn: &Connection, keys: &[i64], limit: usize) -> StoreResult<Vec<(ArticleId, usize)>> {
    let keys = serde_json::to_string(keys).map_err(|e| StoreError::Internal(e.to_string()))?;
    let rows: Vec<(String, i64)> = conn
        .prepare_cached(
            "SELECT article, count(*) AS shared FROM copy_keys
             WHERE key IN (SELECT value FROM json_each(?1))
             GROUP BY article ORDER BY shared DESC, article LIMIT ?2",
        )
        .and_then(|mut s| s.query_map(params![keys, limit as i64], |row| Ok((row.get(0)?, row.get(1)?)))?.collect())
        .map_err(classify)?;
    rows.into_iter()
        .map(|(id, shared)| {
            let id = ArticleId::parse(id).map_err(|e| StoreError::Internal(e.to_string()))?;
            Ok((id, usize::try_from(shared).unwrap_or(0)))
        })
        .collect()
}

/// `filter`, without its `originals_only` conditions when the store holds no
/// copied quote (they would exclude nothing), so that the counters answer it.
pub fn without_moot_condition(conn: &Connection, filter: QuoteFilter) -> StoreResult<QuoteFilter> {
    if !asks_originals_only(&filter) {
        return Ok(filter);
    }
    let any_copy = conn
        .prepare_cached("SELECT 1 FROM quotes WHERE copy_of IS NOT NULL LIMIT 1")
        .and_then(|mut s| s.exists([]))
        .map_err(classify)?;
    Ok(if any_copy { filter } else { cleared(filter) })
}

fn asks_originals_only(filter: &QuoteFilter) -> bool {
    filter.originals_only || filter.all_of.iter().chain(&filter.any_of).any(asks_originals_only)
}

fn cleared(filter: QuoteFilter) -> QuoteFilter {
    QuoteFilter {
        originals_only: false,
        all_of: filter.all_of.into_iter().map(cleared).collect(),
        any_of: filter.any_of.into_iter().map(cleared).collect(),
        ..filter
    }
}
