//! The feed watcher's state on the embedded store: `feed_states` and
//! `feed_items` (the last migration of the feeds block), a JSON document per
//! row keyed by `id`. See [`crate::store::feed_state`].

use super::{classify, from_json, json_ids, query_docs, to_json};
use crate::store::{FeedItemRecord, FeedState, StoreResult};
use rusqlite::{Connection, OptionalExtension, params};

pub(super) fn state(conn: &Connection, feed: &str) -> StoreResult<Option<FeedState>> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT doc FROM feed_states WHERE id = ?1")
        .and_then(|mut stmt| stmt.query_row(params![feed], |row| row.get(0)).optional())
        .map_err(classify)?;
    raw.map(|raw| from_json(&raw)).transpose()
}

pub(super) fn save_state(conn: &Connection, state: &FeedState) -> StoreResult<()> {
    let doc = to_json(state)?;
    conn.prepare_cached(
        "INSERT INTO feed_states (id, doc) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
    )
    .and_then(|mut stmt| stmt.execute(params![state.id, doc]))
    .map_err(classify)?;
    Ok(())
}

pub(super) fn items(conn: &Connection, keys: &[String]) -> StoreResult<Vec<FeedItemRecord>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    query_docs(
        conn,
        "SELECT i.doc FROM feed_items i WHERE i.id IN (SELECT value FROM json_each(?1)) ORDER BY i.id",
        params![json_ids(keys)?],
    )
}

/// Inserts `item` unless its key is taken; whether it was inserted.
pub(super) fn claim_item(conn: &Connection, item: &FeedItemRecord) -> StoreResult<bool> {
    let doc = to_json(item)?;
    let inserted = conn
        .prepare_cached("INSERT INTO feed_items (id, feed, doc) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING")
        .and_then(|mut stmt| stmt.execute(params![item.id, item.feed, doc]))
        .map_err(classify)?;
    Ok(inserted == 1)
}

pub(super) fn save_item(conn: &Connection, item: &FeedItemRecord) -> StoreResult<()> {
    let doc = to_json(item)?;
    conn.prepare_cached(
        "INSERT INTO feed_items (id, feed, doc) VALUES (?1, ?2, ?3) \
         ON CONFLICT (id) DO UPDATE SET feed = excluded.feed, doc = excluded.doc",
    )
    .and_then(|mut stmt| stmt.execute(params![item.id, item.feed, doc]))
    .map_err(classify)?;
    Ok(())
}
