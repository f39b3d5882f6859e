//! The embedded store: one SQLite file (WAL mode) under the data directory.
//!
//! Each entity is a row holding its JSON document plus the columns that queries
//! filter on; relations live in one `links` table indexed from both ends, and
//! names and aliases in a `names` table, so every [`Store`] method is a single
//! indexed SQL statement. Calls run on tokio's blocking pool: one writer
//! connection, and a few reader connections that WAL lets run beside it.
//!
//! Durability: `synchronous = FULL`, so a write is on disk (WAL fsynced) before
//! [`Store::write`] returns; an acknowledged write survives a process kill and a
//! power cut. `NORMAL` would survive a process kill only, and ingest volumes are
//! small enough that the extra fsync per transaction costs little.

use super::{
    ArticleRelation, Backend, Countable, GraphBatch, OrganizationRelation, Page, PersonRelation, QuoteRelation, Store,
    StoreError, StoreResult,
};
use crate::domain::{
    Article, ArticleId, OrgKind, Organization, OrganizationId, Person, PersonId, Quote, QuoteId, name_key, name_keys,
};
use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The schema, one migration per entry; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    outlet TEXT,
    published_at TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX articles_outlet ON articles (outlet, id);
CREATE TABLE people (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE organizations (id TEXT PRIMARY KEY, kind TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX organizations_kind ON organizations (kind, id);
CREATE TABLE quotes (
    id TEXT PRIMARY KEY,
    article TEXT NOT NULL,
    speaker_person TEXT,
    speaker_org TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX quotes_article ON quotes (article, id);
CREATE INDEX quotes_speaker_person ON quotes (speaker_person, id);
CREATE INDEX quotes_speaker_org ON quotes (speaker_org, id);
CREATE TABLE names (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    is_name INTEGER NOT NULL,
    PRIMARY KEY (kind, key, id)
) WITHOUT ROWID;
CREATE TABLE links (
    rel TEXT NOT NULL,
    src TEXT NOT NULL,
    dst TEXT NOT NULL,
    PRIMARY KEY (rel, src, dst)
) WITHOUT ROWID;
CREATE INDEX links_reverse ON links (rel, dst, src);
"#];

/// Relation names in the `links` table: `src` holds the id of the owning side.
mod rel {
    pub const ARTICLE_PERSON: &str = "article_person";
    pub const ARTICLE_ORG: &str = "article_org";
    pub const PERSON_ORG: &str = "person_org";
    pub const ORG_MEMBER_OF: &str = "org_member_of";
    pub const QUOTE_VIA: &str = "quote_via";
}

/// How many reader connections a file-backed store opens.
const READERS: usize = 4;

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
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Unavailable(format!("cannot create data directory {}: {e}", dir.display())))?;
        let path = dir.join("newsgraph.sqlite3");
        let writer = open_connection(&path, false)?;
        migrate(&writer)?;
        let readers =
            (0..READERS).map(|_| open_connection(&path, true).map(Mutex::new)).collect::<StoreResult<Vec<_>>>()?;
        Ok(Self::from_parts(writer, readers, Some(path)))
    }

    /// A private in-memory store, gone when dropped. For tests and `--in-memory`.
    pub fn in_memory() -> StoreResult<Self> {
        let writer = Connection::open_in_memory().map_err(internal)?;
        migrate(&writer)?;
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
        let inner = self.inner.clone();
        run_blocking(move || {
            inner.operations.fetch_add(1, Ordering::Relaxed);
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

fn open_connection(path: &Path, read_only: bool) -> StoreResult<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
    } else {
        OpenFlags::default()
    };
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(internal)?;
    if !read_only {
        conn.pragma_update(None, "journal_mode", "WAL").map_err(internal)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(internal)?;
    }
    Ok(conn)
}

fn migrate(conn: &Connection) -> StoreResult<()> {
    let done: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(internal)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        conn.execute_batch(&format!("BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;", index + 1))
            .map_err(|e| StoreError::Internal(format!("migration {} failed: {e}", index + 1)))?;
    }
    Ok(())
}

fn internal(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// Busy and I/O failures are the database being unavailable; the rest are bugs.
fn classify(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked | SystemIoFailure | DiskFull | CannotOpen | ReadOnly) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => internal(e),
    }
}

fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
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

fn page_params(page: &Page) -> (Option<String>, i64) {
    (page.after.clone(), i64::try_from(page.limit).unwrap_or(i64::MAX))
}

fn kinds_json(kinds: &[OrgKind]) -> StoreResult<String> {
    to_json(&kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>())
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
        self.read(move |c| {
            query_docs(c, "SELECT doc FROM articles WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id", [ids])
        })
        .await
    }

    async fn people(&self, ids: &[PersonId]) -> StoreResult<Vec<Person>> {
        let ids = json_ids(ids)?;
        self.read(move |c| {
            query_docs(c, "SELECT doc FROM people WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id", [ids])
        })
        .await
    }

    async fn organizations(&self, ids: &[OrganizationId]) -> StoreResult<Vec<Organization>> {
        let ids = json_ids(ids)?;
        self.read(move |c| {
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
        self.read(move |c| {
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

    async fn list_articles(&self, page: &Page) -> StoreResult<Vec<Article>> {
        let (after, limit) = page_params(page);
        self.read(move |c| {
            query_docs(
                c,
                "SELECT doc FROM articles WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2",
                params![after, limit],
            )
        })
        .await
    }

    async fn list_people(&self, page: &Page) -> StoreResult<Vec<Person>> {
        let (after, limit) = page_params(page);
        self.read(move |c| {
            query_docs(
                c,
                "SELECT doc FROM people WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2",
                params![after, limit],
            )
        })
        .await
    }

    async fn list_organizations(&self, kinds: &[OrgKind], page: &Page) -> StoreResult<Vec<Organization>> {
        let (after, limit) = page_params(page);
        let kinds = kinds_json(kinds)?;
        self.read(move |c| {
            query_docs(
                c,
                "SELECT doc FROM organizations
                 WHERE (?1 IS NULL OR id > ?1)
                   AND (json_array_length(?3) = 0 OR kind IN (SELECT value FROM json_each(?3)))
                 ORDER BY id LIMIT ?2",
                params![after, limit, kinds],
            )
        })
        .await
    }

    async fn list_quotes(&self, page: &Page) -> StoreResult<Vec<Quote>> {
        let (after, limit) = page_params(page);
        self.read(move |c| {
            query_docs(
                c,
                "SELECT doc FROM quotes WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2",
                params![after, limit],
            )
        })
        .await
    }

    async fn count(&self, what: &Countable) -> StoreResult<u64> {
        let what = what.clone();
        self.read(move |c| {
            let count = |sql: &str, params: &[&dyn rusqlite::ToSql]| {
                c.query_row(sql, params, |row| row.get::<_, u64>(0)).map_err(classify)
            };
            match what {
                Countable::Articles => count("SELECT count(*) FROM articles", &[]),
                Countable::People => count("SELECT count(*) FROM people", &[]),
                Countable::Quotes => count("SELECT count(*) FROM quotes", &[]),
                Countable::Organizations(kinds) => count(
                    "SELECT count(*) FROM organizations
                     WHERE json_array_length(?1) = 0 OR kind IN (SELECT value FROM json_each(?1))",
                    &[&kinds_json(&kinds)?],
                ),
            }
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

    async fn write(&self, batch: &GraphBatch) -> StoreResult<()> {
        let batch = batch.clone();
        self.write_tx(move |tx| write_batch(tx, &batch)).await
    }
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

fn write_batch(tx: &rusqlite::Transaction<'_>, batch: &GraphBatch) -> StoreResult<()> {
    for org in &batch.organizations {
        tx.execute(
            "INSERT OR REPLACE INTO organizations (id, kind, doc) VALUES (?1, ?2, ?3)",
            params![org.id.as_str(), org.kind.as_str(), to_json(org)?],
        )
        .map_err(classify)?;
        replace_names(tx, "organization", org.id.as_str(), &org.name, &org.aliases)?;
        replace_links(tx, rel::ORG_MEMBER_OF, org.id.as_str(), &org.member_of)?;
    }
    for person in &batch.people {
        tx.execute(
            "INSERT OR REPLACE INTO people (id, doc) VALUES (?1, ?2)",
            params![person.id.as_str(), to_json(person)?],
        )
        .map_err(classify)?;
        replace_names(tx, "person", person.id.as_str(), &person.name, &person.aliases)?;
        replace_links(tx, rel::PERSON_ORG, person.id.as_str(), &person.affiliations)?;
    }
    for article in &batch.articles {
        let published_at = article.published_at.as_ref().map(crate::domain::timestamp::format);
        tx.execute(
            "INSERT OR REPLACE INTO articles (id, outlet, published_at, doc) VALUES (?1, ?2, ?3, ?4)",
            params![article.id.as_str(), article.outlet.as_ref().map(|o| o.as_str()), published_at, to_json(article)?],
        )
        .map_err(classify)?;
        replace_links(tx, rel::ARTICLE_PERSON, article.id.as_str(), &article.people)?;
        replace_links(tx, rel::ARTICLE_ORG, article.id.as_str(), &article.organizations)?;
        let kept: Vec<&str> = batch.quotes.iter().filter(|q| q.article == article.id).map(|q| q.id.as_str()).collect();
        let kept = to_json(&kept)?;
        tx.execute(
            "DELETE FROM links WHERE rel = 'quote_via' AND src IN (
                SELECT id FROM quotes WHERE article = ?1 AND id NOT IN (SELECT value FROM json_each(?2)))",
            params![article.id.as_str(), kept],
        )
        .map_err(classify)?;
        tx.execute(
            "DELETE FROM quotes WHERE article = ?1 AND id NOT IN (SELECT value FROM json_each(?2))",
            params![article.id.as_str(), kept],
        )
        .map_err(classify)?;
    }
    for quote in &batch.quotes {
        let speaker = quote.speaker.as_ref();
        tx.execute(
            "INSERT OR REPLACE INTO quotes (id, article, speaker_person, speaker_org, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                quote.id.as_str(),
                quote.article.as_str(),
                speaker.and_then(|s| s.person()).map(|p| p.as_str()),
                speaker.and_then(|s| s.anonymous_affiliation()).map(|o| o.as_str()),
                to_json(quote)?
            ],
        )
        .map_err(classify)?;
        replace_links(tx, rel::QUOTE_VIA, quote.id.as_str(), &quote.via)?;
    }
    Ok(())
}

fn replace_names(
    tx: &rusqlite::Transaction<'_>,
    kind: &str,
    id: &str,
    name: &str,
    aliases: &[String],
) -> StoreResult<()> {
    tx.execute("DELETE FROM names WHERE kind = ?1 AND id = ?2", params![kind, id]).map_err(classify)?;
    let own = name_key(name);
    let mut insert = tx
        .prepare_cached("INSERT OR IGNORE INTO names (kind, key, id, is_name) VALUES (?1, ?2, ?3, ?4)")
        .map_err(classify)?;
    for key in name_keys(name, aliases) {
        let is_name = key == own;
        insert.execute(params![kind, key, id, is_name]).map_err(classify)?;
    }
    Ok(())
}

fn replace_links<T: AsRef<str>>(tx: &rusqlite::Transaction<'_>, rel: &str, src: &str, dsts: &[T]) -> StoreResult<()> {
    tx.execute("DELETE FROM links WHERE rel = ?1 AND src = ?2", params![rel, src]).map_err(classify)?;
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO links (rel, src, dst) VALUES (?1, ?2, ?3)").map_err(classify)?;
    for dst in dsts {
        insert.execute(params![rel, src, dst.as_ref()]).map_err(classify)?;
    }
    Ok(())
}
