//! Bulk loads into the embedded store (`newsgraph generate`): many batches in
//! one transaction, with the dashboard counters' triggers and, into an empty
//! store, the secondary indexes dropped while rows go in.
//!
//! Row by row, each quote costs about 80 B-tree writes, a quarter of them the
//! counters' upserts. In a bulk load the counters are rebuilt once at the end
//! ([`BACKFILL`]: the rows of migrations 3 and 5's backfills, counted by month
//! and rolled up, then migration 9's day counters, [`super::schema::DAYS_BACKFILL`]), as are the list totals (`list_counts`, recounted with
//! migration 8's and migration 12's backfills), and dropped indexes are recreated
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

use super::{changes, classify, write};
use crate::store::{GraphBatch, StoreResult};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::mpsc::Receiver;

/// Tables whose secondary indexes a load into an empty store drops and recreates.
const INDEXED: &str = "'articles', 'quotes', 'links'";

/// Counts every stored quote into `quote_counts` (which must be empty): the
/// same rows as the backfills of migrations 3 and 5 (`schema::COUNTS_BACKFILL`;
/// a test compares them), in a third of the time at 100k articles. Those group
/// every quote once per grain (year, month, day) in a temporary B-tree; this
/// groups once at the finest grain, mostly along an index's order (`quotes_day`
/// for the overall counts), and sums the few resulting rows into the coarser
/// grains and the all-time totals.
const BACKFILL: &str = r#"
INSERT INTO quote_counts (dim, grain, period, key, n)
WITH d (day, n) AS MATERIALIZED (SELECT day, count(*) FROM quotes WHERE day IS NOT NULL GROUP BY day)
SELECT 'all', 'd', day, '', n FROM d
UNION ALL SELECT 'all', 'm', substr(day, 1, 7), '', sum(n) FROM d GROUP BY 3
UNION ALL SELECT 'all', 'y', substr(day, 1, 4), '', sum(n) FROM d GROUP BY 3;
INSERT INTO quote_counts (dim, grain, period, key, n)
WITH m (month, key, n) AS MATERIALIZED (
    SELECT substr(day, 1, 7), speaker_key, count(*) FROM quotes
    WHERE day IS NOT NULL AND speaker_key IS NOT NULL GROUP BY 1, 2)
SELECT 'speaker', 'm', month, key, n FROM m
UNION ALL SELECT 'speaker', 'y', substr(month, 1, 4), key, sum(n) FROM m GROUP BY 3, 4
UNION ALL SELECT 'speaker', 't', '', key, sum(n) FROM m GROUP BY 4;
INSERT INTO quote_counts (dim, grain, period, key, n)
WITH m (dim, month, key, n) AS MATERIALIZED (
    SELECT CASE rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, substr(sort_key, 1, 7), dst, count(*) FROM links
    WHERE rel IN ('quote_via', 'quote_speaker_org') AND sort_key <> '' GROUP BY rel, 2, dst)
SELECT dim, 'm', month, key, n FROM m
UNION ALL SELECT dim, 'y', substr(month, 1, 4), key, sum(n) FROM m GROUP BY 1, 3, 4;
"#;

/// Loads every batch from `batches` (until the channel closes) in one
/// transaction on the writer connection. Blocks: run it off the async threads.
pub fn load(conn: &mut Connection, mut batches: Receiver<GraphBatch>) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(classify)?;
    let empty = !tx.prepare("SELECT 1 FROM quotes LIMIT 1").and_then(|mut s| s.exists([])).map_err(classify)?;
    let mut dropped = definitions(
        &tx,
        "trigger",
        "(sql LIKE '%quote_counts%' OR sql LIKE '%list_counts%' OR sql LIKE '%speaker_days%')",
    )?;
    if empty {
        dropped.extend(definitions(&tx, "index", &format!("tbl_name IN ({INDEXED})"))?);
    }
    for (kind, name, _) in &dropped {
        tx.execute_batch(&format!("DROP {kind} \"{name}\"")).map_err(classify)?;
    }
    while let Some(batch) = batches.blocking_recv() {
        let mut added = changes::added(&tx, &batch)?;
        let gained = write::write_batch(&tx, &batch)?;
        added.extend(gained.into_iter().map(|s| (crate::store::ChangeKind::Statement, s.to_string())));
        changes::append(&tx, &added)?;
    }
    // Indexes first: the backfill groups faster with them, and the triggers
    // must not fire on the backfill itself.
    for (_, _, sql) in dropped.iter().filter(|(kind, _, _)| kind == "index") {
        tx.execute_batch(sql).map_err(classify)?;
    }
    tx.execute_batch("DELETE FROM quote_counts;").map_err(classify)?;
    tx.execute_batch(BACKFILL).map_err(classify)?;
    tx.execute_batch(super::schema::DAYS_BACKFILL).map_err(classify)?;
    tx.execute_batch("DELETE FROM list_counts;").map_err(classify)?;
    tx.execute_batch(super::schema::LIST_COUNTS_BACKFILL).map_err(classify)?;
    tx.execute_batch(super::schema::FILTERED_LIST_COUNTS_BACKFILL).map_err(classify)?;
    for (_, _, sql) in dropped.iter().filter(|(kind, _, _)| kind == "trigger") {
        tx.execute_batch(sql).map_err(classify)?;
    }
    // Merge each full-text index into one segment: a load leaves several, and
    // every search walks all of them (5 to 8% of a search at 100k articles;
    // the merge costs about 0.5 s there).
    tx.execute_batch(
        "INSERT INTO articles_fts (articles_fts) VALUES ('optimize');
         INSERT INTO quotes_fts (quotes_fts) VALUES ('optimize');",
    )
    .map_err(classify)?;
    tx.commit().map_err(classify)?;
    // The whole load sits in the WAL. Until a later write restarts the WAL,
    // readers would look every page up there and read it from the WAL file
    // rather than the memory-mapped database: copy it back and empty the WAL
    // now. Busy (another process still reading an older snapshot) only means
    // SQLite does it later, so that is not an error.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(classify)
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
    use super::super::schema::{COUNTS_BACKFILL, DAYS_BACKFILL};
    use super::BACKFILL;
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
            "SELECT list || key || n FROM list_counts WHERE n <> 0 ORDER BY 1",
            "SELECT speaker_key || day || n FROM speaker_days WHERE n <> 0 ORDER BY 1",
            "SELECT seq || kind || entity FROM changes ORDER BY seq",
            "SELECT target || term || docs FROM search_terms WHERE docs <> 0 ORDER BY 1",
        ];
        let found = |fts: &str, table: &str, word: &str| {
            let of_row = super::super::text::entity_rowid("f.rowid");
            format!(
                "SELECT e.id FROM {fts} f JOIN {table} e ON e.rowid = {of_row} WHERE {fts} MATCH '{word}' ORDER BY 1"
            )
        };
        let searches = [found("quotes_fts", "quotes", "ceasefire"), found("articles_fts", "articles", "protesters")];
        let mut rows = Vec::new();
        for sql in queries.into_iter().chain(searches.iter().map(String::as_str)) {
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

    /// Every counter row (`speaker_days` rows start with "day "), as text.
    fn counters(store: &SqliteStore) -> Vec<String> {
        let conn = store.inner.writer.lock().unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT dim || ' ' || grain || ' ' || period || ' ' || key || ' ' || n FROM quote_counts
                 UNION ALL SELECT 'day ' || speaker_key || ' ' || day || ' ' || n FROM speaker_days ORDER BY 1",
            )
            .unwrap();
        stmt.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[tokio::test]
    async fn the_bulk_backfill_counts_what_the_migrations_backfill_counts() {
        let store = SqliteStore::in_memory().unwrap();
        for batch in batches(300) {
            store.write(&batch).await.unwrap();
        }
        let recount = |sql: &str| {
            let conn = store.inner.writer.lock().unwrap();
            conn.execute_batch("DELETE FROM quote_counts; DELETE FROM speaker_days;").unwrap();
            conn.execute_batch(sql).unwrap();
        };
        // What the triggers kept row by row (rows emptied by rewrites left out).
        let kept: Vec<String> = counters(&store).into_iter().filter(|row| !row.ends_with(" 0")).collect();
        recount(COUNTS_BACKFILL);
        let migrations = counters(&store);
        assert_eq!(kept, migrations, "the triggers keep what the backfills count");
        assert!(migrations.iter().any(|row| row.starts_with("speaker t ")), "{migrations:?}");
        assert!(migrations.iter().any(|row| row.starts_with("source m ")), "{migrations:?}");
        assert!(migrations.iter().any(|row| row.starts_with("source d ")), "{migrations:?}");
        assert!(migrations.iter().any(|row| row.starts_with("day ")), "{migrations:?}");
        recount(&format!("{BACKFILL}{DAYS_BACKFILL}"));
        assert_eq!(counters(&store), migrations);
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
