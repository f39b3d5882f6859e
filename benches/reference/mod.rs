//! The hand-written reference server the query bench measures newsgraph
//! against: actix-web and rusqlite, no GraphQL, one hand-written SQL
//! statement per level of each answer, reading the same store file.
//!
//! It answers four of the bench's shapes, each with exactly the bytes
//! newsgraph's `/graphql` answers for the same query (`tests/reference.rs`
//! checks it against the real server):
//!
//! - `GET /node?id=<global id>`: `node(id:) { ... on Article { headline publishedAt outlet { name } } }`;
//! - `GET /quotes?source=<global id>[&after=<cursor>]`: a source's quotes,
//!   newest first, 20 per page (see [`LIST_QUERY`]);
//! - `GET /nested`: 20 articles → their quotes → each speaker → the speaker's
//!   affiliations (see [`NESTED_QUERY`]);
//! - `GET /article?id=<global id>`: an article with its quotes (see [`ARTICLE_QUERY`]).
//!
//! It exists to give the bench a ceiling measured in the same run on the same
//! machine, so that newsgraph's speed can be quoted as a ratio that does not
//! depend on the machine. The bench executable starts it as a separate
//! process with `--reference-serve <data dir>` ([`serve`]).
#![allow(dead_code)]

use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The point look-up, as newsgraph is asked it.
pub const NODE_QUERY: &str =
    "query($id: ID!) { node(id: $id) { ... on Article { headline publishedAt outlet { name } } } }";
/// The filtered list page, as newsgraph is asked it.
pub const LIST_QUERY: &str = "query($source: ID!, $after: String) { quotes(filter: { via: [$source] }, orderBy: DATE_DESC, first: 20, after: $after) {
        pageInfo { endCursor } edges { node { text saidOn direct speaker { ... on Person { name } } } } } }";
/// The nested page of 20, as newsgraph is asked it.
pub const NESTED_QUERY: &str = "{ articles(first: 20) { edges { node { headline quotes { edges { node { text
                speaker { ... on Person { name affiliations { name } } ... on AnonymousSpeaker { description affiliation { name } } } } } } } } } }";
/// An article with its quotes, as newsgraph is asked it.
pub const ARTICLE_QUERY: &str = "query($id: ID!) { article(id: $id) { headline dateline publishedAt
                quotes { edges { node { text direct saidOn span { start end } via { name } } } } } }";

/// Items per page, as newsgraph's default and the list query's `first`.
const PAGE: usize = 20;

thread_local! {
    /// Each actix worker thread reads through its own connection.
    static CONNECTION: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

/// The store file under a data directory, set once at start.
static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Serves the store in `data_dir` on a loopback port until killed, and
/// writes `reference serving on http://<address>` to stderr once listening.
pub fn serve(data_dir: &Path) -> std::io::Result<()> {
    serve_with(data_dir, |address| eprintln!("reference serving on http://{address}"))
}

/// [`serve`], telling `listening` the address instead of writing it. One
/// store per process: the first call's `data_dir` is the one served.
pub fn serve_with(data_dir: &Path, listening: impl FnOnce(std::net::SocketAddr)) -> std::io::Result<()> {
    FILE.set(data_dir.join("newsgraph.sqlite3")).ok();
    actix_web::rt::System::new().block_on(async {
        let server = HttpServer::new(|| {
            App::new()
                .route("/node", web::get().to(node))
                .route("/quotes", web::get().to(quotes))
                .route("/nested", web::get().to(nested))
                .route("/article", web::get().to(article))
        })
        .bind("127.0.0.1:0")?;
        listening(server.addrs()[0]);
        server.run().await
    })
}

type Params = web::Query<HashMap<String, String>>;

fn with_connection<T>(f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    CONNECTION.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            let path = FILE.get().expect("serve sets the file");
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
            )?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.pragma_update(None, "mmap_size", 1i64 << 31)?;
            conn.set_prepared_statement_cache_capacity(64);
            *slot = Some(conn);
        }
        f(slot.as_ref().expect("opened above"))
    })
}

/// The body, or 404 for an unknown id.
fn respond(result: rusqlite::Result<Option<Vec<u8>>>) -> HttpResponse {
    match result {
        Ok(Some(body)) => HttpResponse::Ok().content_type("application/json").body(body),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

/// The stored id inside a global id of type `kind` (`base64url("Article:<id>")`).
fn stored_id(global: &str, kind: &str) -> Option<String> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(global).ok()?).ok()?;
    text.strip_prefix(kind)?.strip_prefix(':').map(str::to_owned)
}

/// A JSON string, escaped as serde_json escapes it (as newsgraph's responses are).
fn string(out: &mut Vec<u8>, value: &str) {
    serde_json::to_writer(&mut *out, value).expect("writing to a Vec");
}

fn string_or_null(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(value) => string(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// A stored timestamp (`2016-05-17T10:00:00Z`) as GraphQL's `DateTime` writes it.
fn timestamp(out: &mut Vec<u8>, stored: Option<&str>) {
    let formatted = stored
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|at| at.with_timezone(&chrono::Utc).to_rfc3339());
    string_or_null(out, formatted.as_deref());
}

/// `[{"name":…},…]` for the organizations among `ids` that exist, in order.
fn names(out: &mut Vec<u8>, ids: &[String], names: &HashMap<String, String>) {
    out.push(b'[');
    let mut first = true;
    for id in ids {
        if let Some(name) = names.get(id) {
            if !std::mem::replace(&mut first, false) {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"name\":");
            string(out, name);
            out.push(b'}');
        }
    }
    out.push(b']');
}

/// `id → name` for the given ids of `table` (people or organizations), in one statement.
fn names_of(conn: &Connection, table: &str, ids: &[&str]) -> rusqlite::Result<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = serde_json::to_string(ids).expect("strings encode");
    let sql =
        format!("SELECT id, json_extract(doc, '$.name') FROM {table} WHERE id IN (SELECT value FROM json_each(?1))");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([ids], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

async fn node(params: Params) -> HttpResponse {
    let id = params.get("id").and_then(|id| stored_id(id, "Article")).unwrap_or_default();
    respond(with_connection(|conn| {
        let row: Option<(String, Option<String>, Option<String>)> = conn
            .prepare_cached(
                "SELECT json_extract(doc, '$.headline'), json_extract(doc, '$.published_at'), outlet
                 FROM articles WHERE id = ?1",
            )?
            .query_row([&id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        // newsgraph answers an unknown id with an error; the bench never asks for one.
        let Some((headline, published, outlet)) = row else { return Ok(None) };
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\"data\":{\"node\":{\"headline\":");
        string(&mut out, &headline);
        out.extend_from_slice(b",\"publishedAt\":");
        timestamp(&mut out, published.as_deref());
        out.extend_from_slice(b",\"outlet\":");
        let name: Option<String> = match outlet {
            Some(outlet) => conn
                .prepare_cached("SELECT json_extract(doc, '$.name') FROM organizations WHERE id = ?1")?
                .query_row([outlet], |row| row.get(0))
                .optional()?,
            None => None,
        };
        match name {
            Some(name) => {
                out.extend_from_slice(b"{\"name\":");
                string(&mut out, &name);
                out.push(b'}');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
        out.extend_from_slice(b"}}");
        Ok(Some(out))
    }))
}

async fn quotes(params: Params) -> HttpResponse {
    let source = params.get("source").and_then(|id| stored_id(id, "Organization")).unwrap_or_default();
    // A cursor is `base64url("c:<sort key>\u{1f}<id>")`.
    let after = params.get("after").and_then(|cursor| {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let (key, id) = text.strip_prefix("c:")?.split_once('\u{1f}')?;
        Some((key.to_owned(), id.to_owned()))
    });
    respond(with_connection(|conn| {
        let map = |row: &rusqlite::Row<'_>| {
            Ok(ListRow {
                id: row.get(0)?,
                sort_key: row.get(1)?,
                text: row.get(2)?,
                said_on: row.get(3)?,
                direct: row.get(4)?,
                speaker_kind: row.get(5)?,
                person: row.get(6)?,
            })
        };
        const COLUMNS: &str =
            "SELECT l.src, l.sort_key, json_extract(q.doc, '$.text'), json_extract(q.doc, '$.said_on'),
                q.direct, json_extract(q.doc, '$.speaker.kind'), q.speaker_person
                FROM links l JOIN quotes q ON q.id = l.src WHERE l.rel = 'quote_via' AND l.dst = ?1";
        let rows: Vec<ListRow> = match &after {
            None => conn
                .prepare_cached(&format!("{COLUMNS} ORDER BY l.sort_key DESC, l.src DESC LIMIT {PAGE}"))?
                .query_map([&source], map)?
                .collect::<rusqlite::Result<_>>()?,
            Some((key, id)) => conn
                .prepare_cached(&format!(
                    "{COLUMNS} AND (l.sort_key, l.src) < (?2, ?3) ORDER BY l.sort_key DESC, l.src DESC LIMIT {PAGE}"
                ))?
                .query_map([&source, key, id], map)?
                .collect::<rusqlite::Result<_>>()?,
        };
        let people: Vec<&str> = rows.iter().filter_map(|r| r.person.as_deref()).collect();
        let people = names_of(conn, "people", &people)?;
        let mut out = Vec::with_capacity(8192);
        out.extend_from_slice(b"{\"data\":{\"quotes\":{\"pageInfo\":{\"endCursor\":");
        match rows.last() {
            Some(last) => {
                let cursor = URL_SAFE_NO_PAD.encode(format!("c:{}\u{1f}{}", last.sort_key, last.id));
                string(&mut out, &cursor);
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b"},\"edges\":[");
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"node\":{\"text\":");
            string(&mut out, &row.text);
            out.extend_from_slice(b",\"saidOn\":");
            string_or_null(&mut out, row.said_on.as_deref());
            out.extend_from_slice(if row.direct { b",\"direct\":true" } else { b",\"direct\":false" });
            out.extend_from_slice(b",\"speaker\":");
            match (row.speaker_kind.as_deref(), row.person.as_ref().and_then(|p| people.get(p))) {
                (Some("person"), Some(name)) => {
                    out.extend_from_slice(b"{\"name\":");
                    string(&mut out, name);
                    out.push(b'}');
                }
                // An anonymous speaker selects nothing here, and newsgraph answers such a union with null.
                _ => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"]}}}");
        Ok(Some(out))
    }))
}

struct ListRow {
    id: String,
    sort_key: String,
    text: String,
    said_on: Option<String>,
    direct: bool,
    speaker_kind: Option<String>,
    person: Option<String>,
}

/// A quote of the nested page, with its speaker as stored.
struct NestedQuote {
    text: String,
    kind: Option<String>,
    person: Option<String>,
    description: Option<String>,
    affiliation: Option<String>,
}

async fn nested() -> HttpResponse {
    respond(with_connection(|conn| {
        // Level 1: the page of articles, newest first.
        let articles: Vec<(String, String)> = conn
            .prepare_cached(&format!(
                "SELECT id, json_extract(doc, '$.headline') FROM articles ORDER BY sort_date DESC, id DESC LIMIT {PAGE}"
            ))?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // Level 2: their quotes, by id.
        let ids = serde_json::to_string(&articles.iter().map(|a| a.0.as_str()).collect::<Vec<_>>()).expect("ids");
        let mut quotes: HashMap<String, Vec<NestedQuote>> = HashMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT article, json_extract(doc, '$.text'), json_extract(doc, '$.speaker.kind'), speaker_person,
                        json_extract(doc, '$.speaker.description'), json_extract(doc, '$.speaker.affiliation')
                 FROM quotes WHERE article IN (SELECT value FROM json_each(?1)) ORDER BY id",
            )?;
            let mut rows = stmt.query([&ids])?;
            while let Some(row) = rows.next()? {
                let list = quotes.entry(row.get(0)?).or_default();
                if list.len() < PAGE {
                    list.push(NestedQuote {
                        text: row.get(1)?,
                        kind: row.get(2)?,
                        person: row.get(3)?,
                        description: row.get(4)?,
                        affiliation: row.get(5)?,
                    });
                }
            }
        }
        // Level 3: the named speakers, each with its affiliations in order.
        let people: Vec<&str> = quotes.values().flatten().filter_map(|q| q.person.as_deref()).collect();
        let mut speakers: HashMap<String, (String, Vec<String>)> = HashMap::new();
        if !people.is_empty() {
            let ids = serde_json::to_string(&people).expect("ids");
            let mut stmt = conn.prepare_cached(
                "SELECT p.id, json_extract(p.doc, '$.name'), a.value FROM people p
                 LEFT JOIN json_each(p.doc, '$.affiliations') a
                 WHERE p.id IN (SELECT value FROM json_each(?1)) ORDER BY p.id, a.key",
            )?;
            let mut rows = stmt.query([&ids])?;
            while let Some(row) = rows.next()? {
                let entry = speakers.entry(row.get(0)?).or_insert_with(|| (String::new(), Vec::new()));
                entry.0 = row.get(1)?;
                if let Some(org) = row.get::<_, Option<String>>(2)? {
                    entry.1.push(org);
                }
            }
        }
        // Level 4: the organizations' names.
        let orgs: Vec<&str> = speakers
            .values()
            .flat_map(|(_, orgs)| orgs.iter().map(String::as_str))
            .chain(quotes.values().flatten().filter_map(|q| q.affiliation.as_deref()))
            .collect();
        let orgs = names_of(conn, "organizations", &orgs)?;
        let mut out = Vec::with_capacity(64 * 1024);
        out.extend_from_slice(b"{\"data\":{\"articles\":{\"edges\":[");
        for (i, (id, headline)) in articles.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"node\":{\"headline\":");
            string(&mut out, headline);
            out.extend_from_slice(b",\"quotes\":{\"edges\":[");
            for (j, quote) in quotes.get(id).map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"node\":{\"text\":");
                string(&mut out, &quote.text);
                out.extend_from_slice(b",\"speaker\":");
                match quote.kind.as_deref() {
                    Some("person") => match quote.person.as_ref().and_then(|p| speakers.get(p)) {
                        Some((name, affiliations)) => {
                            out.extend_from_slice(b"{\"name\":");
                            string(&mut out, name);
                            out.extend_from_slice(b",\"affiliations\":");
                            names(&mut out, affiliations, &orgs);
                            out.push(b'}');
                        }
                        None => out.extend_from_slice(b"null"),
                    },
                    Some("anonymous") => {
                        out.extend_from_slice(b"{\"description\":");
                        string(&mut out, quote.description.as_deref().unwrap_or_default());
                        out.extend_from_slice(b",\"affiliation\":");
                        match quote.affiliation.as_ref().and_then(|a| orgs.get(a)) {
                            Some(name) => {
                                out.extend_from_slice(b"{\"name\":");
                                string(&mut out, name);
                                out.push(b'}');
                            }
                            None => out.extend_from_slice(b"null"),
                        }
                        out.push(b'}');
                    }
                    _ => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b"}}");
            }
            out.extend_from_slice(b"]}}}");
        }
        out.extend_from_slice(b"]}}}");
        Ok(Some(out))
    }))
}

async fn article(params: Params) -> HttpResponse {
    let id = params.get("id").and_then(|id| stored_id(id, "Article")).unwrap_or_default();
    respond(with_connection(|conn| {
        // Level 1: the article.
        let row: Option<(String, Option<String>, Option<String>)> = conn
            .prepare_cached(
                "SELECT json_extract(doc, '$.headline'), json_extract(doc, '$.dateline'), json_extract(doc, '$.published_at')
                 FROM articles WHERE id = ?1",
            )?
            .query_row([&id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        // newsgraph answers an unknown id with an error; the bench never asks for one.
        let Some((headline, dateline, published)) = row else { return Ok(None) };
        // Level 2: its first 20 quotes by id, each with its sources in order.
        struct Row {
            text: String,
            direct: bool,
            said_on: Option<String>,
            start: i64,
            end: i64,
            via: Vec<String>,
        }
        let mut quotes: Vec<(String, Row)> = Vec::new();
        {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT q.id, json_extract(q.doc, '$.text'), q.direct, json_extract(q.doc, '$.said_on'),
                        json_extract(q.doc, '$.span.start'), json_extract(q.doc, '$.span.end'), v.value
                 FROM (SELECT id, direct, doc FROM quotes WHERE article = ?1 ORDER BY id LIMIT {PAGE}) q
                 LEFT JOIN json_each(q.doc, '$.via') v ORDER BY q.id, v.key"
            ))?;
            let mut rows = stmt.query([&id])?;
            while let Some(row) = rows.next()? {
                let quote_id: String = row.get(0)?;
                if quotes.last().is_none_or(|(last, _)| *last != quote_id) {
                    quotes.push((
                        quote_id,
                        Row {
                            text: row.get(1)?,
                            direct: row.get(2)?,
                            said_on: row.get(3)?,
                            start: row.get(4)?,
                            end: row.get(5)?,
                            via: Vec::new(),
                        },
                    ));
                }
                if let Some(source) = row.get::<_, Option<String>>(6)? {
                    quotes.last_mut().expect("pushed above").1.via.push(source);
                }
            }
        }
        // Level 3: the sources' names.
        let sources: Vec<&str> = quotes.iter().flat_map(|(_, q)| q.via.iter().map(String::as_str)).collect();
        let sources = names_of(conn, "organizations", &sources)?;
        let mut out = Vec::with_capacity(8192);
        out.extend_from_slice(b"{\"data\":{\"article\":{\"headline\":");
        string(&mut out, &headline);
        out.extend_from_slice(b",\"dateline\":");
        string_or_null(&mut out, dateline.as_deref());
        out.extend_from_slice(b",\"publishedAt\":");
        timestamp(&mut out, published.as_deref());
        out.extend_from_slice(b",\"quotes\":{\"edges\":[");
        for (i, (_, quote)) in quotes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"node\":{\"text\":");
            string(&mut out, &quote.text);
            out.extend_from_slice(if quote.direct { b",\"direct\":true" } else { b",\"direct\":false" });
            out.extend_from_slice(b",\"saidOn\":");
            string_or_null(&mut out, quote.said_on.as_deref());
            write!(out, ",\"span\":{{\"start\":{},\"end\":{}}},\"via\":", quote.start, quote.end).expect("a Vec");
            names(&mut out, &quote.via, &sources);
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"]}}}}");
        Ok(Some(out))
    }))
}
