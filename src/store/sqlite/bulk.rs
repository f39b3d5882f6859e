//! Bulk loads into the embedded store (`newsgraph generate`): many batches in
//! one transaction, with the dashboard counters' triggers and, into an empty
//! store, the secondary indexes dropped while rows go in.
//!
//! Row by row, each quote costs about 80 B-tree writes, a quarter of them the
//! counters' upserts. In a bulk load the counters are rebuilt once at the end
//! with the grouped backfills of migrations 3 and 5, and dropped indexes are recreated
//! with `CREATE INDEX`, which sorts the rows once instead of inserting into a
//! B-tree row by row. The definitions recreated are the ones read back from
//! `sqlite_master` at the start, so there is one copy of the schema.
//!
//! Crash safety comes from SQLite: the drops, the rows and the rebuilds are one
//! transaction, so a load that dies (process killed, a batch that fails)
//! commits nothing and the next open finds the store as it was, triggers and
//! indexes included. The load ends, and commits, when the channel closes.
//!
//! Indexes are only dropped when the store holds no quotes: writes that
//! replace stored entities look their old rows up through those indexes, and on
//! a filled store rebuilding them would cost more than it saves.
//!
//! Each batch is written by [`write::write_batch`] and logged in `changes`
//! exactly as [`Store::write`](crate::store::Store::write) does, so the result
//! is the same as writing the batches one by one.

use super::schema::COUNTS_BACKFILL;
use super::{changes, classify, write};
use crate::store::{GraphBatch, StoreResult};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::mpsc::Receiver;

/// Tables whose secondary indexes a load into an empty store drops and recreates.
const INDEXED: &str = "'articles', 'quotes', 'links'";

/// Loads every batch from `batches` (until the channel closes) in one
/// transaction on the writer connection. Blocks: run it off the async threads.
pub fn load(conn: &mut Connection, mut batches: Receiver<GraphBatch>) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(classify)?;
    let empty = !tx.prepare("SELECT 1 FROM quotes LIMIT 1").and_then(|mut s| s.exists([])).map_err(classify)?;
    let mut dropped = definitions(&tx, "trigger", "sql LIKE '%quote_counts%'")?;
    if empty {
        dropped.extend(definitions(&tx, "index", &format!("tbl_name IN ({INDEXED})"))?);
    }
    for (kind, name, _) in &dropped {
        tx.execute_batch(&format!("DROP {kind} \"{name}\"")).map_err(classify)?;
    }
    while let Some(batch) = batches.blocking_recv() {
        let added = changes::added(&tx, &batch)?;
        write::write_batch(&tx, &batch)?;
        changes::append(&tx, &added)?;
    }
    // Indexes first: the backfill groups faster with them, and the triggers
    // must not fire on the backfill itself.
    for (_, _, sql) in dropped.iter().filter(|(kind, _, _)| kind == "index") {
        tx.execute_batch(sql).map_err(classify)?;
    }
    tx.execute_batch("DELETE FROM quote_counts;").map_err(classify)?;
    tx.execute_batch(COUNTS_BACKFILL).map_err(classify)?;
    for (_, _, sql) in dropped.iter().filter(|(kind, _, _)| kind == "trigger") {
        tx.execute_batch(sql).map_err(classify)?;
    }
    tx.commit().map_err(classify)
}

/// `(type, name, sql)` of the schema objects of `kind` matching `condition`.
fn definitions(conn: &Connection, kind: &str, condition: &str) -> StoreResult<Vec<(String, String, String)>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT type, name, sql FROM sqlite_master WHERE type = ?1 AND sql IS NOT NULL AND {condition} ORDER BY name"
        ))
        .map_err(classify)?;
    let rows = stmt.query_map([kind], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))).map_err(classify)?;
    rows.collect::<Result<_, _>>().map_err(classify)
}

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;
    use crate::generate::{Cast, article};
    use crate::store::{GraphBatch, Store};

    /// Every row of the tables a write keeps, the schema's indexes and
    /// triggers, and what full-text search finds, as text.
    fn dump(store: &SqliteStore) -> Vec<String> {
        let conn = store.inner.writer.lock().unwrap();
        let queries = [
            "SELECT type || ' ' || name || ' ' || sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name",
            "SELECT id || doc FROM articles ORDER BY id",
            "SELECT id || doc || ifnull(day, '') || ifnull(speaker_key, '') FROM quotes ORDER BY id",
            "SELECT id || doc FROM people ORDER BY id",
            "SELECT id || doc FROM organizations ORDER BY id",
            "SELECT kind || key || id || is_name FROM names ORDER BY 1",
            "SELECT rel || src || dst || ifnull(sort_key, '') FROM links ORDER BY 1",
            "SELECT dim || grain || period || key || n FROM quote_counts WHERE n <> 0 ORDER BY 1",
            "SELECT seq || kind || entity FROM changes ORDER BY seq",
            "SELECT target || term || docs FROM search_terms WHERE docs <> 0 ORDER BY 1",
            "SELECT q.id FROM quotes_fts f JOIN quotes q ON q.rowid = f.rowid WHERE quotes_fts MATCH 'ceasefire' ORDER BY 1",
            "SELECT a.id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid WHERE articles_fts MATCH 'protesters' ORDER BY 1",
        ];
        let mut rows = Vec::new();
        for sql in queries {
            let mut stmt = conn.prepare(sql).unwrap();
            let found: Vec<String> = stmt.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
            assert!(!found.is_empty(), "{sql} finds rows");
            rows.push(format!("-- {sql}"));
            rows.extend(found);
        }
        rows
    }

    fn batches(articles: usize) -> Vec<GraphBatch> {
        let cast = Cast::new(articles, 3);
        let mut first =
            GraphBatch { organizations: cast.organizations(), people: cast.people.clone(), ..Default::default() };
        let mut second = GraphBatch::default();
        for n in 0..articles {
            let (a, quotes) = article(&cast, 3, n);
            let batch = if n < articles / 2 { &mut first } else { &mut second };
            batch.articles.push(a);
            batch.quotes.extend(quotes);
        }
        // Rewritten inside the load: the same articles again.
        let again = GraphBatch {
            articles: second.articles[..5].to_vec(),
            quotes: second.quotes[..5].to_vec(),
            ..Default::default()
        };
        vec![first, second, again]
    }

    async fn bulk(store: &SqliteStore, batches: Vec<GraphBatch>) -> crate::store::StoreResult<()> {
        let (sender, receiver) = tokio::sync::mpsc::channel(batches.len().max(1));
        for batch in batches {
            sender.send(batch).await.unwrap();
        }
        drop(sender);
        store.write_bulk(receiver).await
    }

    #[tokio::test]
    async fn a_bulk_load_stores_what_writing_each_batch_stores() {
        let plain = SqliteStore::in_memory().unwrap();
        for batch in batches(200) {
            plain.write(&batch).await.unwrap();
        }
        let loaded = SqliteStore::in_memory().unwrap();
        bulk(&loaded, batches(200)).await.unwrap();
        assert_eq!(dump(&loaded), dump(&plain), "into an empty store");

        // Into a filled store (indexes kept, counters recounted), and writes after the load.
        let more = batches(260);
        for batch in &more {
            plain.write(batch).await.unwrap();
        }
        bulk(&loaded, more.clone()).await.unwrap();
        plain.write(&more[1]).await.unwrap();
        loaded.write(&more[1]).await.unwrap();
        assert_eq!(dump(&loaded), dump(&plain), "into a filled store, then written to");
    }
}
