//! The embedded store's write sequence (see [`crate::store::changes`]): the
//! `changes` table, whose `seq` is an `INTEGER PRIMARY KEY AUTOINCREMENT`.
//!
//! A write finds which of its articles and quotes are not stored yet, writes
//! the batch, and appends their change rows, all in the one transaction of the
//! write. SQLite serializes writers (across processes too), and a rolled-back
//! transaction gives its numbers back, so sequence numbers appear in commit
//! order without gaps: a reader that has seen `n` has seen everything below it.

use super::{classify, json_ids};
use crate::store::changes::{self, Change, ChangeKind};
use crate::store::{GraphBatch, StoreError, StoreResult};
use rusqlite::{Connection, Transaction, params};
use std::collections::HashSet;

/// The ids of `batch` already stored in `table`.
fn stored(tx: &Transaction<'_>, table: &str, ids: &[&str]) -> StoreResult<HashSet<String>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!("SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?1))");
    let mut stmt = tx.prepare_cached(&sql).map_err(classify)?;
    let rows = stmt.query_map([json_ids(ids)?], |row| row.get::<_, String>(0)).map_err(classify)?;
    rows.collect::<Result<_, _>>().map_err(classify)
}

/// What `batch` adds, found before it is written (inside its transaction).
pub fn added(tx: &Transaction<'_>, batch: &GraphBatch) -> StoreResult<Vec<(ChangeKind, String)>> {
    let articles: Vec<&str> = batch.articles.iter().map(|a| a.id.as_str()).collect();
    let quotes: Vec<&str> = batch.quotes.iter().map(|q| q.id.as_str()).collect();
    Ok(changes::added(batch, &stored(tx, "articles", &articles)?, &stored(tx, "quotes", &quotes)?))
}

/// Appends one change row per added entity, in order.
pub fn append(tx: &Transaction<'_>, added: &[(ChangeKind, String)]) -> StoreResult<()> {
    let mut insert = tx.prepare_cached("INSERT INTO changes (kind, entity) VALUES (?1, ?2)").map_err(classify)?;
    for (kind, id) in added {
        insert.execute(params![kind.as_str(), id]).map_err(classify)?;
    }
    Ok(())
}

/// The changes after `after`, at most `limit`: one range of the primary key.
pub fn after(conn: &Connection, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn
        .prepare_cached("SELECT seq, kind, entity FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")
        .map_err(classify)?;
    let rows = stmt
        .query_map(params![after, limit], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })
        .map_err(classify)?;
    rows.map(|row| {
        let (seq, kind, id) = row.map_err(classify)?;
        let kind = ChangeKind::parse(&kind)
            .ok_or_else(|| StoreError::Internal(format!("change {seq} has an unknown kind `{kind}`")))?;
        let seq = u64::try_from(seq).map_err(|_| StoreError::Internal(format!("negative change number {seq}")))?;
        Ok(Change { seq, kind, id })
    })
    .collect()
}

/// The highest number handed out (0 when none).
pub fn last(conn: &Connection) -> StoreResult<u64> {
    let seq: Option<i64> = conn.query_row("SELECT max(seq) FROM changes", [], |row| row.get(0)).map_err(classify)?;
    Ok(seq.and_then(|s| u64::try_from(s).ok()).unwrap_or(0))
}
