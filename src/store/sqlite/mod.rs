//! The embedded store: one SQLite file (WAL mode) under the data directory.
//!
//! Each entity is a row holding its JSON document plus the columns that queries
//! filter on; relations live in one `links` table indexed from both ends, and
//! names and aliases in a `names` table, so every [`Store`] method is a single
//! indexed SQL statement. Calls run on tokio's blocking pool: one writer
//! connection, and a few reader connections that WAL lets run beside it.
//! Reads whose cost is small and bounded (entities by id, an article's
//! quotes) run on the calling thread instead when a reader is free, as a
//! hand-written server would: the hand-off to the pool and back cost more
//! than the read.
//!
//! Every write also appends what it added to the `changes` table, in the
//! same transaction ([`changes`]), for subscriptions.
//!
//! Durability: `synchronous = FULL`, so a write is on disk (WAL fsynced) before
//! [`Store::write`] returns; an acknowledged write survives a process kill and a
//! power cut. `NORMAL` would survive a process kill only, and ingest volumes are
//! small enough that the extra fsync per transaction costs little.

mod bulk;
mod changes;
mod copies;
mod corrections;
mod counts;
mod feeds;
mod lists;
mod rank;
mod schema;
mod sql;
mod statements;
mod text;
mod write;

pub use sql::FEW_TEXT_MATCHES;

use super::{
    ArticleFilter, ArticleRelation, ArticleSort, Backend, Bucket, Change, GraphBatch, NameSort, OrganizationFilter,
    OrganizationRelation, Page, PersonFilter, PersonRelation, QuoteFilter, QuoteGroup, QuoteRelation, QuoteSort,
    SearchHits, SearchPage, SearchTarget, StatementSort, Store, StoreError, StoreResult,
};
use super::{FeedItemRecord, FeedState};
use crate::domain::{
    Article, ArticleId, AuditEntry, AuditFilter, Organization, OrganizationId, Person, PersonId, Quote, QuoteDecisions,
    QuoteId, Statement, StatementId, name_key,
};
use crate::search::SearchQuery;
use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params, params_from_iter};
use schema::MIGRATIONS;
use serde::{Serialize, de::DeserializeOwned};
use sql::Query;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub use super::SEARCH_WINDOW;

/// How many reader connections a file-backed store opens.
const READERS: usize = 4;

/// How many prepared statements each connection keeps.
const STATEMENT_CACHE: usize = 256;

/// How much of the database file each reader maps into memory.
const READER_MMAP_BYTES: i64 = 1 << 31;

/// The embedded SQLite store.
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Connection>,
    /// Empty for an in-memory database, whose connections cannot share data:
    /// then the writer serves reads too.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    operations: AtomicU64,
    path: Option<PathBuf>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir/newsgraph.sqlite3` and migrates it.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        configure_sqlite();
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Unavailable(format!("cannot create data directory {}: {e}", dir.display())))?;
        let path = dir.join("newsgraph.sqlite3");
        let mut writer = open_connection(&path, false)?;
        migrate(&mut writer)?;
        let readers =
            (0..READERS).map(|_| open_connection(&path, true).map(Mutex::new)).collect::<StoreResult<Vec<_>>>()?;
        Ok(Self::from_parts(writer, readers, Some(path)))
    }

    /// A private in-memory store, gone when dropped. For tests and `--in-memory`.
    pub fn in_memory() -> StoreResult<Self> {
        configure_sqlite();
        let mut writer = Connection::open_in_memory().map_err(internal)?;
        equip(&writer)?;
        migrate(&mut writer)?;
        Ok(Self::from_parts(writer, Vec::new(), None))
    }

    fn from_parts(writer: Connection, readers: Vec<Mutex<Connection>>, path: Option<PathBuf>) -> Self {
        Self {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
                operations: AtomicU64::new(0),
                path,
            }),
        }
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Runs `f` on a reader connection, off the async threads.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.inner.operations.fetch_add(1, Ordering::Relaxed);
        self.read_uncounted(f).await
    }

    /// [`Self::read`] for reads whose cost is small and bounded (primary-key
    /// look-ups of a batch of ids, the quotes of some articles): run right
    /// here, on the calling thread, when a reader connection is free, as the
    /// hand-written reference server does; otherwise as [`Self::read`] does.
    /// Handing such a read to the blocking pool and back (two thread
    /// wake-ups) cost more CPU than the read itself.
    async fn read_bounded<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.inner.operations.fetch_add(1, Ordering::Relaxed);
        let readers = &self.inner.readers;
        if !readers.is_empty() {
            let start = self.inner.next_reader.fetch_add(1, Ordering::Relaxed);
            for offset in 0..readers.len() {
                if let Ok(conn) = readers[(start + offset) % readers.len()].try_lock() {
                    return f(&conn);
                }
            }
        }
        self.read_uncounted(f).await
    }

    /// [`Self::read`] without counting in [`Store::operations`]: for the write
    /// sequence, which the feed polls whatever requests do.
    async fn read_uncounted<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        run_blocking(move || {
            if inner.readers.is_empty() {
                let conn = lock(&inner.writer)?;
                return f(&conn);
            }
            let start = inner.next_reader.fetch_add(1, Ordering::Relaxed);
            for offset in 0..inner.readers.len() {
                let slot = &inner.readers[(start + offset) % inner.readers.len()];
                if let Ok(conn) = slot.try_lock() {
                    return f(&conn);
                }
            }
            let conn = lock(&inner.readers[start % inner.readers.len()])?;
            f(&conn)
        })
        .await
    }

    /// Runs `f` (one statement, atomic by itself) on the writer connection, off the async threads.
    async fn write_statement<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        run_blocking(move || {
            inner.operations.fetch_add(1, Ordering::Relaxed);
            let conn = lock(&inner.writer)?;
            f(&conn)
        })
        .await
    }

    /// Runs `f` inside one write transaction, off the async threads.
    async fn write_tx<F>(&self, f: F) -> StoreResult<()>
    where
        F: FnOnce(&rusqlite::Transaction<'_>) -> StoreResult<()> + Send + 'static,
    {
        let inner = self.inner.clone();
        run_blocking(move || {
            inner.operations.fetch_add(1, Ordering::Relaxed);
            let mut conn = lock(&inner.writer)?;
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(classify)?;
            f(&tx)?;
            tx.commit().map_err(classify)
        })
        .await
    }
}

async fn run_blocking<T, F>(f: F) -> StoreResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> StoreResult<T> + Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Internal(format!("store task failed: {e}")))?
}

fn lock(conn: &Mutex<Connection>) -> StoreResult<std::sync::MutexGuard<'_, Connection>> {
    conn.lock().map_err(|_| StoreError::Internal("a store connection was poisoned by a panic".into()))
}

/// Turns off SQLite's memory statistics, once, before the first connection
/// initializes the library. They take a global mutex on every allocation (9%
/// of a bulk load's profile) and nothing reads them. If some other code opened
/// a connection first, SQLite refuses the change and keeps counting: only
/// slower.
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `SQLITE_CONFIG_MEMSTATUS` takes one int argument, and
        // `sqlite3_config` is only called here, once, from one thread; after
        // initialization it returns `SQLITE_MISUSE` without changing anything.
        let _ = unsafe { rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
    });
}

fn open_connection(path: &Path, read_only: bool) -> StoreResult<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
    } else {
        OpenFlags::default()
    };
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(internal)?;
    equip(&conn)?;
    if !read_only {
        conn.pragma_update(None, "journal_mode", "WAL").map_err(internal)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(internal)?;
        // 64 MiB of page cache for the writer: bulk writes (generate, large
        // ingests) otherwise spill pages to the WAL again and again.
        conn.pragma_update(None, "cache_size", -65_536).map_err(internal)?;
        // Statement journals (every upsert and trigger in a transaction keeps
        // one) in memory: in temporary files they were a large share of a bulk
        // load's writes.
        conn.pragma_update(None, "temp_store", "MEMORY").map_err(internal)?;
    } else {
        // Readers map the file instead of copying each page through their own
        // small cache: a profile of search at 100k articles spent a fifth of
        // its time in page-cache look-ups and kernel copies, and mapping
        // nearly doubled single-client search throughput. The mapped pages
        // are the OS's file cache, shared by all readers (they show in RSS as
        // file-backed). SQLite caps the size at its compile-time maximum (2 GiB
        // by default); beyond that, pages are read as before.
        conn.pragma_update(None, "mmap_size", READER_MMAP_BYTES).map_err(internal)?;
    }
    Ok(conn)
}

/// What every connection of the store needs, file-backed or in memory.
fn equip(conn: &Connection) -> StoreResult<()> {
    // Statements are prepared once per connection and kept: rusqlite's default
    // of 16 is fewer than the store's distinct statements.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    rank::register(conn).map_err(internal)
}

/// A migration step written in Rust.
type MigrationStep = fn(&Connection) -> StoreResult<()>;

/// Migration steps that need Rust after their SQL, in the same transaction:
/// (migration number, step).
const MIGRATION_STEPS: &[(usize, MigrationStep)] = &[(6, text::reindex)];

fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let done: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(internal)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let number = index + 1;
        let failed = |e: String| StoreError::Internal(format!("migration {number} failed: {e}"));
        let tx = conn.transaction().map_err(|e| failed(e.to_string()))?;
        tx.execute_batch(sql).map_err(|e| failed(e.to_string()))?;
        for (_, step) in MIGRATION_STEPS.iter().filter(|(n, _)| *n == number) {
            step(&tx).map_err(|e| failed(e.to_string()))?;
        }
        if sql.contains(statements::TABLE_DEFINITION) {
            statements::rebuild_in(&tx).map_err(|e| failed(e.to_string()))?;
        }
        tx.pragma_update(None, "user_version", number).map_err(|e| failed(e.to_string()))?;
        tx.commit().map_err(|e| failed(e.to_string()))?;
    }
    Ok(())
}

fn internal(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// Busy and I/O failures are the database being unavailable; the rest are bugs.
pub(crate) fn classify(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked | SystemIoFailure | DiskFull | CannotOpen | ReadOnly) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => internal(e),
    }
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Internal(format!("cannot encode: {e}")))
}

fn from_json<T: DeserializeOwned>(raw: &str) -> StoreResult<T> {
    serde_json::from_str(raw).map_err(|e| StoreError::Internal(format!("stored document does not decode: {e}")))
}

/// A list of ids as one JSON array parameter, read in SQL with `json_each`.
fn json_ids<T: AsRef<str>>(ids: &[T]) -> StoreResult<String> {
    to_json(&ids.iter().map(AsRef::as_ref).collect::<Vec<_>>())
}

/// Runs `sql` with `params` and decodes column 0 of every row as a document.
fn query_docs<T: DeserializeOwned>(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(classify)?;
    let rows = stmt.query_map(params, |row| row.get::<_, String>(0)).map_err(classify)?;
    rows.map(|raw| from_json(&raw.map_err(classify)?)).collect()
}

/// Runs `sql` and decodes rows of `(parent id, document)`.
fn query_pairs<T: DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<(String, T)>> {
    let mut stmt = conn.prepare_cached(sql).map_err(classify)?;
    let rows =
        stmt.query_map(params, |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))).map_err(classify)?;
    rows.map(|row| {
        let (parent, raw) = row.map_err(classify)?;
        Ok((parent, from_json(&raw)?))
    })
    .collect()
}

/// Runs a built query and decodes column 0 of every row as a document.
fn query_built<T: DeserializeOwned>(conn: &Connection, query: &Query) -> StoreResult<Vec<T>> {
    query_docs(conn, &query.sql, params_from_iter(query.params.iter()))
}

/// Runs a built `SELECT count(*)` query.
fn count_built(conn: &Connection, query: &Query) -> StoreResult<u64> {
    conn.prepare_cached(&query.sql)
        .and_then(|mut stmt| stmt.query_row(params_from_iter(query.params.iter()), |row| row.get::<_, u64>(0)))
        .map_err(classify)
}

/// `SELECT doc FROM <table> <alias> WHERE <condition>` + keyset page.
fn find_query(table: &str, condition: impl FnOnce(&mut Query), order: sql::Order, page: &Page) -> Query {
    let mut query = Query::new(format!("SELECT {alias}.doc FROM {table} {alias} WHERE ", alias = &table[..1]));
    condition(&mut query);
    order.page(page, &mut query);
    query
}

/// `SELECT count(*) FROM <table> <alias> WHERE <condition>`.
fn count_query(table: &str, condition: impl FnOnce(&mut Query)) -> Query {
    let mut query = Query::new(format!("SELECT count(*) FROM {table} {alias} WHERE ", alias = &table[..1]));
    condition(&mut query);
    query
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Embedded
    }

    fn operations(&self) -> u64 {
        self.inner.operations.load(Ordering::Relaxed)
    }

    async fn ping(&self) -> StoreResult<()> {
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(classify)).await
    }

    async fn prepare(&self) -> StoreResult<()> {
        Ok(())
    }

    async fn articles(&self, ids: &[ArticleId]) -> StoreResult<Vec<Article>> {
        let ids = json_ids(ids)?;
        self.read_bounded(move |c| {
            query_docs(c, "SELECT doc FROM articles WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id", [ids])
        })
        .await
    }

    async fn people(&self, ids: &[PersonId]) -> StoreResult<Vec<Person>> {
        let ids = json_ids(ids)?;
        self.read_bounded(move |c| {
            query_docs(c, "SELECT doc FROM people WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id", [ids])
        })
        .await
    }

    async fn organizations(&self, ids: &[OrganizationId]) -> StoreResult<Vec<Organization>> {
        let ids = json_ids(ids)?;
        self.read_bounded(move |c| {
            query_docs(
                c,
                "SELECT doc FROM organizations WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
                [ids],
            )
        })
        .await
    }

    async fn quotes(&self, ids: &[QuoteId]) -> StoreResult<Vec<Quote>> {
        let ids = json_ids(ids)?;
        self.read_bounded(move |c| {
            query_docs(c, "SELECT doc FROM quotes WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id", [ids])
        })
        .await
    }

    async fn related_quotes(&self, relation: QuoteRelation, parents: &[String]) -> StoreResult<Vec<(String, Quote)>> {
        let sql = match relation {
            QuoteRelation::InArticle => {
                "SELECT article, doc FROM quotes WHERE article IN (SELECT value FROM json_each(?1)) ORDER BY id"
            }
            QuoteRelation::BySpeaker => {
                "SELECT speaker_person, doc FROM quotes WHERE speaker_person IN (SELECT value FROM json_each(?1)) ORDER BY id"
            }
            QuoteRelation::Via => {
                "SELECT l.dst, q.doc FROM links l JOIN quotes q ON q.id = l.src
                 WHERE l.rel = 'quote_via' AND l.dst IN (SELECT value FROM json_each(?1)) ORDER BY q.id"
            }
            QuoteRelation::InStatement => {
                "SELECT r.statement, q.doc FROM statement_reports r JOIN quotes q ON q.id = r.quote
                 WHERE r.statement IN (SELECT value FROM json_each(?1)) ORDER BY q.id"
            }
            QuoteRelation::ByOrganization => {
                "SELECT parent, doc FROM (
                    SELECT l.dst AS parent, q.id AS id, q.doc AS doc FROM links l JOIN quotes q ON q.speaker_person = l.src
                    WHERE l.rel = 'person_org' AND l.dst IN (SELECT value FROM json_each(?1))
                    UNION
                    SELECT q.speaker_org, q.id, q.doc FROM quotes q WHERE q.speaker_org IN (SELECT value FROM json_each(?1))
                 ) ORDER BY id"
            }
        };
        let parents = json_ids(parents)?;
        // An article holds a few quotes; other relations can hold thousands.
        if relation == QuoteRelation::InArticle {
            return self.read_bounded(move |c| query_pairs(c, sql, [parents])).await;
        }
        self.read(move |c| query_pairs(c, sql, [parents])).await
    }

    async fn related_articles(
        &self,
        relation: ArticleRelation,
        parents: &[String],
    ) -> StoreResult<Vec<(String, Article)>> {
        let sql = match relation {
            ArticleRelation::MentionsPerson => {
                "SELECT l.dst, a.doc FROM links l JOIN articles a ON a.id = l.src
                 WHERE l.rel = 'article_person' AND l.dst IN (SELECT value FROM json_each(?1)) ORDER BY a.id"
            }
            ArticleRelation::MentionsOrganization => {
                "SELECT l.dst, a.doc FROM links l JOIN articles a ON a.id = l.src
                 WHERE l.rel = 'article_org' AND l.dst IN (SELECT value FROM json_each(?1)) ORDER BY a.id"
            }
            ArticleRelation::PublishedBy => {
                "SELECT outlet, doc FROM articles WHERE outlet IN (SELECT value FROM json_each(?1)) ORDER BY id"
            }
            ArticleRelation::CopiesOf => {
                "SELECT copy_of, doc FROM articles WHERE copy_of IN (SELECT value FROM json_each(?1)) ORDER BY id"
            }
        };
        let parents = json_ids(parents)?;
        self.read(move |c| query_pairs(c, sql, [parents])).await
    }

    async fn related_people(&self, relation: PersonRelation, parents: &[String]) -> StoreResult<Vec<(String, Person)>> {
        let sql = match relation {
            PersonRelation::AffiliatedWith => {
                "SELECT l.dst, p.doc FROM links l JOIN people p ON p.id = l.src
                 WHERE l.rel = 'person_org' AND l.dst IN (SELECT value FROM json_each(?1)) ORDER BY p.id"
            }
        };
        let parents = json_ids(parents)?;
        self.read(move |c| query_pairs(c, sql, [parents])).await
    }

    async fn related_organizations(
        &self,
        relation: OrganizationRelation,
        parents: &[String],
    ) -> StoreResult<Vec<(String, Organization)>> {
        let sql = match relation {
            OrganizationRelation::MembersOf => {
                "SELECT l.dst, o.doc FROM links l JOIN organizations o ON o.id = l.src
                 WHERE l.rel = 'org_member_of' AND l.dst IN (SELECT value FROM json_each(?1)) ORDER BY o.id"
            }
        };
        let parents = json_ids(parents)?;
        self.read(move |c| query_pairs(c, sql, [parents])).await
    }

    async fn find_articles(&self, filter: &ArticleFilter, sort: ArticleSort, page: &Page) -> StoreResult<Vec<Article>> {
        let query = find_query("articles", |q| sql::article_condition(filter, q), sql::article_order(sort), page);
        self.read(move |c| query_built(c, &query)).await
    }

    async fn count_articles(&self, filter: &ArticleFilter) -> StoreResult<u64> {
        let filter = filter.clone();
        self.read(move |c| match lists::articles(c, &filter)? {
            Some(total) => Ok(total),
            None => count_built(c, &count_query("articles", |q| sql::article_condition(&filter, q))),
        })
        .await
    }

    async fn find_quotes(&self, filter: &QuoteFilter, sort: QuoteSort, page: &Page) -> StoreResult<Vec<Quote>> {
        let (filter, page) = (filter.clone(), page.clone());
        self.read(move |c| {
            let filter = copies::without_moot_condition(c, filter)?;
            // How selective the text is decides which index drives the page.
            let text_matches = match &filter.text {
                Some(text) => Some(
                    c.prepare_cached("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?1")
                        .and_then(|mut stmt| stmt.query_row([text.to_fts5()], |row| row.get::<_, u64>(0)))
                        .map_err(classify)?,
                ),
                None => None,
            };
            query_built(c, &sql::find_quotes_query(&filter, sort, &page, text_matches))
        })
        .await
    }

    async fn count_quotes(&self, filter: &QuoteFilter) -> StoreResult<u64> {
        let filter = filter.clone();
        self.read(move |c| {
            let filter = copies::without_moot_condition(c, filter)?;
            // Counters kept at write time: for the list, one source or one
            // speaker, then for a date range; a plain count otherwise.
            if let Some(total) = lists::quotes(c, &filter)? {
                return Ok(total);
            }
            match counts::count(c, &filter)? {
                Some(total) => Ok(total),
                None => count_built(c, &count_query("quotes", |q| sql::quote_condition(&filter, q))),
            }
        })
        .await
    }

    async fn find_people(&self, filter: &PersonFilter, sort: NameSort, page: &Page) -> StoreResult<Vec<Person>> {
        let query = find_query("people", |q| sql::person_condition(filter, q), sql::person_order(sort), page);
        self.read(move |c| query_built(c, &query)).await
    }

    async fn count_people(&self, filter: &PersonFilter) -> StoreResult<u64> {
        let filter = filter.clone();
        self.read(move |c| match lists::people(c, &filter)? {
            Some(total) => Ok(total),
            None => count_built(c, &count_query("people", |q| sql::person_condition(&filter, q))),
        })
        .await
    }

    async fn find_organizations(
        &self,
        filter: &OrganizationFilter,
        sort: NameSort,
        page: &Page,
    ) -> StoreResult<Vec<Organization>> {
        let query = find_query(
            "organizations",
            |q| sql::organization_condition(filter, q),
            sql::organization_order(sort),
            page,
        );
        self.read(move |c| query_built(c, &query)).await
    }

    async fn count_organizations(&self, filter: &OrganizationFilter) -> StoreResult<u64> {
        let filter = filter.clone();
        self.read(move |c| match lists::organizations(c, &filter)? {
            Some(total) => Ok(total),
            None => count_built(c, &count_query("organizations", |q| sql::organization_condition(&filter, q))),
        })
        .await
    }

    async fn search(&self, target: SearchTarget, query: &SearchQuery, page: &SearchPage) -> StoreResult<SearchHits> {
        let (query, page) = (query.clone(), page.clone());
        self.read(move |c| text::search(c, target, &query, &page)).await
    }

    async fn group_quotes(&self, filter: &QuoteFilter, group: QuoteGroup, limit: usize) -> StoreResult<Vec<Bucket>> {
        let filter = filter.clone();
        self.read(move |c| {
            let filter = copies::without_moot_condition(c, filter)?;
            // A date range alone (the usual dashboard) is read from the counters.
            if let Some(buckets) = counts::group(c, &filter, group, limit)? {
                return Ok(buckets);
            }
            let query = sql::group_query(&filter, group, limit);
            let mut stmt = c.prepare_cached(&query.sql).map_err(classify)?;
            let rows = stmt
                .query_map(params_from_iter(query.params.iter()), |row| {
                    Ok(Bucket { key: row.get(0)?, count: row.get(1)? })
                })
                .map_err(classify)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(classify)
        })
        .await
    }

    async fn person_by_name(&self, name: &str) -> StoreResult<Option<Person>> {
        let key = name_key(name);
        self.read(move |c| by_name(c, "people", "person", &key)).await
    }

    async fn organization_by_name(&self, name: &str) -> StoreResult<Option<Organization>> {
        let key = name_key(name);
        self.read(move |c| by_name(c, "organizations", "organization", &key)).await
    }

    async fn people_by_names(&self, names: &[String]) -> StoreResult<Vec<Person>> {
        let keys = name_keys_json(names)?;
        self.read(move |c| by_names(c, "people", "person", keys)).await
    }

    async fn organizations_by_names(&self, names: &[String]) -> StoreResult<Vec<Organization>> {
        let keys = name_keys_json(names)?;
        self.read(move |c| by_names(c, "organizations", "organization", keys)).await
    }

    async fn write(&self, batch: &GraphBatch) -> StoreResult<()> {
        let batch = batch.clone();
        self.write_tx(move |tx| {
            let mut added = changes::added(tx, &batch)?;
            let gained = write::write_batch(tx, &batch)?;
            added.extend(gained.into_iter().map(|s| (super::ChangeKind::Statement, s.to_string())));
            changes::append(tx, &added)
        })
        .await
    }

    async fn write_bulk(&self, batches: tokio::sync::mpsc::Receiver<GraphBatch>) -> StoreResult<()> {
        let inner = self.inner.clone();
        run_blocking(move || {
            inner.operations.fetch_add(1, Ordering::Relaxed);
            let mut conn = lock(&inner.writer)?;
            bulk::load(&mut conn, batches)
        })
        .await
    }

    async fn copy_candidates(&self, keys: &[i64], limit: usize) -> StoreResult<Vec<(ArticleId, usize)>> {
        if keys.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let keys = keys.to_vec();
        self.read(move |c| copies::candidates(c, &keys, limit)).await
    }

    async fn statements(&self, ids: &[StatementId]) -> StoreResult<Vec<Statement>> {
        let ids = json_ids(ids)?;
        self.read(move |c| {
            query_docs(c, "SELECT doc FROM statements WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id", [ids])
        })
        .await
    }

    async fn find_statements(
        &self,
        filter: &QuoteFilter,
        sort: StatementSort,
        page: &Page,
    ) -> StoreResult<Vec<Statement>> {
        let query = find_query("statements", |q| statements::condition(filter, q), statements::order(sort), page);
        self.read(move |c| query_built(c, &query)).await
    }

    async fn count_statements(&self, filter: &QuoteFilter) -> StoreResult<u64> {
        let query = count_query("statements", |q| statements::condition(filter, q));
        self.read(move |c| count_built(c, &query)).await
    }

    async fn group_statements(
        &self,
        filter: &QuoteFilter,
        group: QuoteGroup,
        limit: usize,
    ) -> StoreResult<Vec<Bucket>> {
        let filter = filter.clone();
        self.read(move |c| {
            let filter = copies::without_moot_condition(c, filter)?;
            let query = statements::group_query(&filter, group, limit);
            let mut stmt = c.prepare_cached(&query.sql).map_err(classify)?;
            let rows = stmt
                .query_map(params_from_iter(query.params.iter()), |row| {
                    Ok(Bucket { key: row.get(0)?, count: row.get(1)? })
                })
                .map_err(classify)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(classify)
        })
        .await
    }

    async fn rebuild_statements(&self) -> StoreResult<u64> {
        self.write_tx(|tx| statements::rebuild_in(tx)).await?;
        self.read(|c| c.query_row("SELECT count(*) FROM statements", [], |row| row.get(0)).map_err(classify)).await
    }

    async fn changes_after(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
        self.read_uncounted(move |c| changes::after(c, after, limit)).await
    }

    async fn last_change_seq(&self) -> StoreResult<u64> {
        self.read_uncounted(changes::last).await
    }

    async fn feed_state(&self, feed: &str) -> StoreResult<Option<FeedState>> {
        let feed = feed.to_owned();
        self.read(move |conn| feeds::state(conn, &feed)).await
    }

    async fn save_feed_state(&self, state: &FeedState) -> StoreResult<()> {
        let state = state.clone();
        self.write_statement(move |conn| feeds::save_state(conn, &state)).await
    }

    async fn feed_items(&self, keys: &[String]) -> StoreResult<Vec<FeedItemRecord>> {
        let keys = keys.to_vec();
        self.read(move |conn| feeds::items(conn, &keys)).await
    }

    async fn claim_feed_item(&self, item: &FeedItemRecord) -> StoreResult<bool> {
        let item = item.clone();
        self.write_statement(move |conn| feeds::claim_item(conn, &item)).await
    }

    async fn save_feed_item(&self, item: &FeedItemRecord) -> StoreResult<()> {
        let item = item.clone();
        self.write_statement(move |conn| feeds::save_item(conn, &item)).await
    }

    async fn quote_decisions(&self, quotes: &[QuoteId]) -> StoreResult<Vec<QuoteDecisions>> {
        let quotes = quotes.to_vec();
        self.read(move |c| corrections::decisions(c, &quotes)).await
    }

    async fn quote_decisions_by_anchor(&self, anchors: &[String]) -> StoreResult<Vec<QuoteDecisions>> {
        let anchors = anchors.to_vec();
        self.read(move |c| corrections::decisions_by_anchor(c, &anchors)).await
    }

    /// One transaction: the version check, the audit entries, the decisions,
    /// the article's batch and its changes.
    async fn write_correction(&self, correction: &super::corrections::CorrectionWrite) -> StoreResult<()> {
        let correction = correction.clone();
        self.write_tx(move |tx| {
            corrections::write(tx, &correction)?;
            let batch = &correction.batch;
            let mut added = changes::added(tx, batch)?;
            let gained = write::write_batch(tx, batch)?;
            if let Some(merge) = &correction.merged {
                corrections::finish_merge(tx, merge)?;
            }
            added.extend(gained.into_iter().map(|s| (super::ChangeKind::Statement, s.to_string())));
            changes::append(tx, &added)
        })
        .await
    }

    async fn merged_into(&self, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        let ids = ids.to_vec();
        self.read(move |c| corrections::merged_into(c, &ids)).await
    }

    async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: usize,
        before: Option<&str>,
    ) -> StoreResult<Vec<AuditEntry>> {
        let (filter, before) = (filter.clone(), before.map(str::to_owned));
        self.read(move |c| corrections::entries(c, &filter, limit, before.as_deref())).await
    }

    async fn count_audit_entries(&self, filter: &AuditFilter) -> StoreResult<u64> {
        let filter = filter.clone();
        self.read(move |c| corrections::count(c, &filter)).await
    }
}

/// The look-up keys of `names`, as one JSON array parameter.
fn name_keys_json(names: &[String]) -> StoreResult<String> {
    json_ids(&names.iter().map(|n| name_key(n)).collect::<Vec<_>>())
}

/// Every entity of `table` with a name or alias among the JSON array `keys`.
fn by_names<T: DeserializeOwned>(c: &Connection, table: &str, kind: &str, keys: String) -> StoreResult<Vec<T>> {
    let sql = format!(
        "SELECT t.doc FROM {table} t WHERE t.id IN (
            SELECT id FROM names WHERE kind = ?1 AND key IN (SELECT value FROM json_each(?2)))
         ORDER BY t.id"
    );
    query_docs(c, &sql, params![kind, keys])
}

/// Looks a name up, preferring an entity whose own name matches over one whose alias does.
fn by_name<T: DeserializeOwned>(c: &Connection, table: &str, kind: &str, key: &str) -> StoreResult<Option<T>> {
    let sql = format!(
        "SELECT t.doc FROM names n JOIN {table} t ON t.id = n.id
         WHERE n.kind = ?1 AND n.key = ?2 ORDER BY n.is_name DESC, n.id LIMIT 1"
    );
    let raw: Option<String> = c
        .prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row(params![kind, key], |row| row.get(0)).optional())
        .map_err(classify)?;
    raw.map(|raw| from_json(&raw)).transpose()
}
