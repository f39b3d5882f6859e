//! The MongoDB store, through the official driver: production's backend, tested
//! against FerretDB.
//!
//! Documents are the domain values serialized with serde, with the id moved to
//! `_id` (a string, which FerretDB can push down to SQLite) and, on people and
//! organizations, a `name_keys` array for case-insensitive name lookups.
//! Relations are arrays of ids on the owning document, indexed with multikey
//! indexes; the reverse direction is one `$in` query for any number of parents.
//! Only operators FerretDB v1 supports are used (`$in`, `$gt`, `$or`, `$nin`):
//! no `$lookup`, `$facet`, `$text` or transactions.
//!
//! Writes are `update` commands with many replacement upserts keyed by `_id`:
//! one round trip per collection per batch, idempotent, so a batch that failed
//! on a network error is retried whole. The write concern defaults to
//! `majority` with journaling. After its entities, a write logs what it
//! added in the write sequence ([`changes`]).

mod changes;
mod copies;
mod corrections;
mod feeds;
mod query;
mod statements;
mod text_index;

use super::filter::{article_date_key, day_key, month_key, quote_date_key, speaker_key, week_key};
use super::{
    ArticleFilter, ArticleRelation, ArticleSort, Backend, Bucket, Change, GraphBatch, NameSort, OrganizationFilter,
    OrganizationRelation, Page, PersonFilter, PersonRelation, QuoteFilter, QuoteGroup, QuoteRelation, QuoteSort,
    SearchHits, SearchPage, SearchTarget, StatementSort, Store, StoreError, StoreResult,
};
use super::{FeedItemRecord, FeedState};
use crate::domain::{
    Article, ArticleId, AuditEntry, AuditFilter, Organization, OrganizationId, Person, PersonId, Quote, QuoteDecisions,
    QuoteId, Speaker, Statement, StatementId, name_key, name_keys,
};
use crate::search::SearchQuery;
use async_trait::async_trait;
use futures_util::TryStreamExt;
use mongodb::bson::{self, Bson, Document, doc};
use mongodb::error::ErrorKind;
use mongodb::event::{EventHandler, command::CommandEvent};
use mongodb::options::{Acknowledgment, ClientOptions, IndexOptions, WriteConcern};
use mongodb::{Client, Collection, Database, IndexModel};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const ARTICLES: &str = "articles";
const PEOPLE: &str = "people";
const ORGANIZATIONS: &str = "organizations";
const QUOTES: &str = "quotes";
/// Counter documents (the write sequence's, see [`changes`]).
const COUNTERS: &str = "counters";
/// Documents per reply of a `find` (the server also caps a reply at 16 MiB).
const FIND_BATCH_SIZE: u32 = 5_000;
/// The server error code for "no such collection".
const NAMESPACE_NOT_FOUND: i32 = 26;

/// How the MongoDB store connects and writes.
#[derive(Debug, Clone)]
pub struct MongoOptions {
    /// How long to wait for a usable server before a call fails as unavailable.
    pub server_selection_timeout: Duration,
    /// The write concern's `w`: `majority` (default) or a number of nodes.
    pub write_acknowledgment: String,
    /// Whether writes wait for the journal.
    pub journal: bool,
}

impl Default for MongoOptions {
    fn default() -> Self {
        Self {
            server_selection_timeout: Duration::from_secs(5),
            write_acknowledgment: "majority".into(),
            journal: true,
        }
    }
}

/// The MongoDB store. Cloning shares the client.
#[derive(Clone)]
pub struct MongoStore {
    db: Database,
    write_concern: WriteConcern,
    operations: Arc<AtomicU64>,
}

impl MongoStore {
    /// Builds the client for `uri` and selects `database`. Does not contact the
    /// server: the store can be created while MongoDB is down and used once it is up.
    pub async fn connect(uri: &str, database: &str, options: &MongoOptions) -> StoreResult<Self> {
        let mut client_options = ClientOptions::parse(uri)
            .await
            .map_err(|e| StoreError::Invalid(format!("invalid MongoDB URI: {}", redact_kind(&e))))?;
        let operations = Arc::new(AtomicU64::new(0));
        let counter = operations.clone();
        client_options.command_event_handler = Some(EventHandler::callback(move |event: CommandEvent| {
            // Reads of the write sequence are the feed's polls, made whatever
            // requests do: left out, so that the count stays exact per request.
            if let CommandEvent::Started(started) = event
                && !changes::is_sequence_read(&started.command_name, &started.command)
            {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
        client_options.app_name.get_or_insert_with(|| "newsgraph".into());
        client_options.server_selection_timeout = Some(options.server_selection_timeout);
        client_options.connect_timeout.get_or_insert(options.server_selection_timeout);
        client_options.retry_writes.get_or_insert(true);
        client_options.retry_reads.get_or_insert(true);
        let w = match options.write_acknowledgment.parse::<u32>() {
            Ok(nodes) => Acknowledgment::Nodes(nodes),
            Err(_) => Acknowledgment::from(options.write_acknowledgment.as_str()),
        };
        let write_concern = WriteConcern::builder().w(w).journal(options.journal).build();
        client_options.write_concern = Some(write_concern.clone());
        let client = Client::with_options(client_options).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(Self { db: client.database(database), write_concern, operations })
    }

    /// Drops the whole database. For tests that made a throw-away one.
    pub async fn drop_database(&self) -> StoreResult<()> {
        self.db.drop().await.map_err(classify)
    }

    fn collection(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }

    async fn find<T: DeserializeOwned>(
        &self,
        collection: &str,
        filter: Document,
        limit: Option<usize>,
    ) -> StoreResult<Vec<T>> {
        self.find_sorted(collection, filter, doc! { "_id": 1 }, limit).await
    }

    async fn find_sorted<T: DeserializeOwned>(
        &self,
        collection: &str,
        filter: Document,
        sort: Document,
        limit: Option<usize>,
    ) -> StoreResult<Vec<T>> {
        let handle = self.collection(collection);
        // A large first batch: the default (101 documents) would add a getMore
        // round trip for every further batch of a large relation.
        let mut find = handle.find(filter).sort(sort).batch_size(FIND_BATCH_SIZE);
        if let Some(limit) = limit {
            find = find.limit(i64::try_from(limit).unwrap_or(i64::MAX));
        }
        let docs: Vec<Document> = find.await.map_err(classify)?.try_collect().await.map_err(classify)?;
        docs.into_iter().map(from_document).collect()
    }

    async fn by_ids<T: DeserializeOwned, I: AsRef<str>>(&self, collection: &str, ids: &[I]) -> StoreResult<Vec<T>> {
        let filter = match ids {
            [] => return Ok(Vec::new()),
            // Equality, not `$in`, for one id: FerretDB v1 pushes only `_id`
            // equality down to its SQLite tables and scans for `$in`.
            [id] => doc! { "_id": id.as_ref() },
            _ => doc! { "_id": { "$in": strings(ids) } },
        };
        self.find(collection, filter, None).await
    }

    async fn by_name<T: DeserializeOwned + Named>(&self, collection: &str, name: &str) -> StoreResult<Option<T>> {
        let key = name_key(name);
        let matches: Vec<T> = self.find(collection, doc! { "name_keys": &key }, None).await?;
        // Prefer an entity whose own name matches over one that has it as an alias.
        let exact = matches.iter().position(|m| name_key(m.name()) == key).unwrap_or(0);
        Ok(matches.into_iter().nth(exact))
    }

    async fn count_where(&self, collection: &str, filter: Document) -> StoreResult<u64> {
        self.collection(collection).count_documents(filter).await.map_err(classify)
    }

    /// How many documents `collection` holds, from the collection's own
    /// metadata (the `count` command without a query) instead of a count of
    /// every document: an unfiltered list's `totalCount` then costs the same
    /// at any size. MongoDB documents it as possibly off after an unclean
    /// shutdown until the collection is validated; the contract suite checks
    /// it agrees with a full count after inserts, re-ingests and removals.
    async fn count_all(&self, collection: &str) -> StoreResult<u64> {
        self.collection(collection).estimated_document_count().await.map_err(classify)
    }

    /// One `update` command upserting every document by `_id`.
    async fn upsert_all(&self, collection: &str, docs: Vec<Document>) -> StoreResult<()> {
        let updates: Vec<Document> = docs
            .into_iter()
            .map(|d| {
                let id = d.get("_id").cloned().unwrap_or(Bson::Null);
                doc! { "q": { "_id": id }, "u": d, "upsert": true }
            })
            .collect();
        self.run_updates(collection, updates).await
    }

    /// The `_id`s of the documents of `collection` that match `filter` (ids only).
    async fn ids_matching(&self, collection: &str, filter: Document) -> StoreResult<Vec<String>> {
        let found: Vec<Document> = self
            .collection(collection)
            .find(filter)
            .projection(doc! { "_id": 1 })
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        Ok(found.iter().filter_map(|d| d.get_str("_id").ok().map(str::to_owned)).collect())
    }

    /// One `update` command with the write concern; retried once on a network
    /// error, which is safe because every update sent through here (a
    /// replacement by `_id`, a `$set` to a value) is idempotent.
    async fn run_updates(&self, collection: &str, updates: Vec<Document>) -> StoreResult<()> {
        check_write_reply(&self.update_command(collection, updates).await?)
    }

    /// Runs one ordered `update` command and gives its reply (write errors are
    /// in the reply, not an error).
    async fn update_command(&self, collection: &str, updates: Vec<Document>) -> StoreResult<Document> {
        if updates.is_empty() {
            return Ok(Document::new());
        }
        let command = doc! {
            "update": collection,
            "updates": updates,
            "ordered": true,
            "writeConcern": bson::to_bson(&self.write_concern).map_err(|e| StoreError::Internal(e.to_string()))?,
        };
        match self.db.run_command(command.clone()).await {
            Err(e) if is_unavailable(&e) => self.db.run_command(command).await,
            other => other,
        }
        .map_err(classify)
    }

    /// Runs upserts that are idempotent (`$addToSet`, `$set` of the same
    /// values), in order, again when one failed on a duplicate key: two writers
    /// upserting the same new `_id` at once can both try to insert it, and the
    /// later one fails (FerretDB, and MongoDB outside the cases it retries
    /// itself); run again, the upsert finds the document and updates it.
    async fn run_idempotent_upserts(&self, collection: &str, updates: Vec<Document>) -> StoreResult<()> {
        let mut attempt = 0;
        loop {
            let reply = self.update_command(collection, updates.clone()).await?;
            let duplicate = reply
                .get_array("writeErrors")
                .ok()
                .and_then(|errors| errors.first())
                .and_then(Bson::as_document)
                .and_then(|error| error.get("code"))
                .and_then(|code| code.as_i32().or_else(|| code.as_i64().and_then(|c| i32::try_from(c).ok())))
                == Some(changes::DUPLICATE_KEY);
            if duplicate && attempt < 3 {
                attempt += 1;
                continue;
            }
            return check_write_reply(&reply);
        }
    }

    /// A page of `collection` matching `filter` in `order`.
    async fn find_page<T: DeserializeOwned>(
        &self,
        collection: &str,
        filter: Document,
        order: query::Order,
        page: &Page,
    ) -> StoreResult<Vec<T>> {
        let filter = order.page_filter(filter, page);
        self.find_sorted(collection, filter, order.sort(), Some(page.limit)).await
    }

    /// The postings of the index keys `keys`, in one indexed `$in`.
    async fn postings(&self, target: SearchTarget, keys: Vec<String>) -> StoreResult<Vec<text_index::Posting>> {
        let found: Vec<Document> = self
            .collection(text_index::POSTINGS)
            .find(doc! { "key": { "$in": keys } })
            .projection(doc! { "key": 1, "doc": 1, "tf": 1, "len": 1 })
            .batch_size(FIND_BATCH_SIZE)
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        Ok(found.iter().filter_map(|p| text_index::Posting::from_document(target, p)).collect())
    }

    /// The searchable text of each document of `target` among `ids`, in one `$in`.
    async fn texts_of(&self, target: SearchTarget, ids: &[String]) -> StoreResult<HashMap<String, String>> {
        Ok(match target {
            SearchTarget::Articles => self
                .by_ids::<Article, _>(ARTICLES, ids)
                .await?
                .into_iter()
                .map(|a| (a.id.to_string(), format!("{}\n{}", a.headline, a.body)))
                .collect(),
            SearchTarget::Quotes => {
                self.by_ids::<Quote, _>(QUOTES, ids).await?.into_iter().map(|q| (q.id.to_string(), q.text)).collect()
            }
        })
    }

    /// The ids each full-text condition among `queries` matches. No round trip
    /// without conditions; otherwise one for the postings of every term of every
    /// condition together, and one more for the candidates' texts only when a
    /// condition has a phrase (word order is not in the postings).
    async fn text_matches(&self, target: SearchTarget, queries: Vec<&SearchQuery>) -> StoreResult<query::TextMatches> {
        let mut matches = query::TextMatches::new();
        if queries.is_empty() {
            return Ok(matches);
        }
        let mut keys: Vec<String> = queries.iter().flat_map(|q| text_index::keys(target, q)).collect();
        keys.sort_unstable();
        keys.dedup();
        let postings = self.postings(target, keys).await?;
        for query in &queries {
            matches.insert((*query).clone(), text_index::matching(query, &postings));
        }
        let mut unchecked: Vec<String> =
            queries.iter().filter(|q| !q.phrases.is_empty()).flat_map(|q| matches[*q].iter().cloned()).collect();
        if unchecked.is_empty() {
            return Ok(matches);
        }
        unchecked.sort_unstable();
        unchecked.dedup();
        let texts = self.texts_of(target, &unchecked).await?;
        for (query, ids) in matches.iter_mut().filter(|(q, _)| !q.phrases.is_empty()) {
            ids.retain(|id| texts.get(id).is_some_and(|text| query.matches(&crate::search::terms(text))));
        }
        Ok(matches)
    }

    /// Removes the quotes of `article` not in `kept`, with their postings.
    async fn delete_stale_quotes(&self, article: &ArticleId, kept: Vec<&str>) -> StoreResult<()> {
        let ids = self.ids_matching(QUOTES, doc! { "article": article.as_str(), "_id": { "$nin": kept } }).await?;
        if ids.is_empty() {
            return Ok(());
        }
        let postings: Vec<String> = ids.iter().map(|id| text_index::doc_key(SearchTarget::Quotes, id)).collect();
        self.collection(text_index::POSTINGS)
            .delete_many(doc! { "doc": { "$in": postings } })
            .await
            .map_err(classify)?;
        self.collection(QUOTES).delete_many(doc! { "_id": { "$in": ids } }).await.map_err(classify)?;
        Ok(())
    }

    /// Replaces the postings of the given documents.
    async fn replace_postings(
        &self,
        target: SearchTarget,
        ids: Vec<String>,
        postings: Vec<Document>,
    ) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let docs: Vec<String> = ids.iter().map(|id| text_index::doc_key(target, id)).collect();
        self.collection(text_index::POSTINGS).delete_many(doc! { "doc": { "$in": docs } }).await.map_err(classify)?;
        if postings.is_empty() {
            return Ok(());
        }
        // Plain inserts, not upserts: the old postings are gone, and an upsert
        // looks its `_id` up first, which FerretDB v1 does by scanning the
        // collection (quadratic over a bulk load). A failed insert fails the
        // write, and writing the batch again starts by deleting these postings.
        self.collection(text_index::POSTINGS).insert_many(postings).ordered(false).await.map_err(classify)?;
        Ok(())
    }

    /// The affiliations of the speakers of `quotes`: from `batch` where it
    /// holds the person, else from the store.
    async fn speaker_affiliations(&self, batch: &GraphBatch) -> StoreResult<HashMap<String, Vec<String>>> {
        let mut affiliations: HashMap<String, Vec<String>> = batch
            .people
            .iter()
            .map(|p| (p.id.to_string(), p.affiliations.iter().map(|o| o.to_string()).collect()))
            .collect();
        let missing: Vec<PersonId> = batch
            .quotes
            .iter()
            .filter_map(|q| q.speaker.as_ref().and_then(|s| s.person()))
            .filter(|p| !affiliations.contains_key(p.as_str()))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for person in self.people(&missing).await? {
            affiliations.insert(person.id.to_string(), person.affiliations.iter().map(|o| o.to_string()).collect());
        }
        Ok(affiliations)
    }

    /// Points the stored quotes of `people` at their current affiliations.
    async fn refresh_speaker_organizations(&self, people: &[Person]) -> StoreResult<()> {
        let updates: Vec<Document> = people
            .iter()
            .map(|p| {
                let orgs: Vec<String> = p.affiliations.iter().map(|o| o.to_string()).collect();
                doc! { "q": { "speaker.person": p.id.as_str() }, "u": { "$set": { "speaker_orgs": orgs } }, "multi": true }
            })
            .collect();
        self.run_updates(QUOTES, updates).await
    }
}

/// Entities that have a display name.
trait Named {
    fn name(&self) -> &str;
}
impl Named for Person {
    fn name(&self) -> &str {
        &self.name
    }
}
impl Named for Organization {
    fn name(&self) -> &str {
        &self.name
    }
}

fn strings<I: AsRef<str>>(ids: &[I]) -> Vec<String> {
    ids.iter().map(|i| i.as_ref().to_owned()).collect()
}

fn is_unavailable(e: &mongodb::error::Error) -> bool {
    matches!(
        e.kind.as_ref(),
        ErrorKind::ServerSelection { .. } | ErrorKind::Io(_) | ErrorKind::ConnectionPoolCleared { .. }
    )
}

fn classify(e: mongodb::error::Error) -> StoreError {
    if is_unavailable(&e) { StoreError::Unavailable(redact_kind(&e)) } else { StoreError::Internal(e.to_string()) }
}

/// A short description of a driver error that never includes a connection string.
fn redact_kind(e: &mongodb::error::Error) -> String {
    match e.kind.as_ref() {
        ErrorKind::ServerSelection { .. } => "no MongoDB server answered in time".into(),
        ErrorKind::Io(io) => format!("network error talking to MongoDB: {}", io.kind()),
        ErrorKind::ConnectionPoolCleared { .. } => "the connection to MongoDB was lost".into(),
        ErrorKind::InvalidArgument { .. } => "the URI does not parse".into(),
        _ => "MongoDB error".into(),
    }
}

fn check_write_reply(reply: &Document) -> StoreResult<()> {
    if let Some(first) = reply.get_array("writeErrors").ok().and_then(|errors| errors.first()) {
        return Err(StoreError::Internal(format!("write refused: {first}")));
    }
    if let Ok(concern) = reply.get_document("writeConcernError") {
        return Err(StoreError::Unavailable(format!("write concern not met: {concern}")));
    }
    Ok(())
}

/// Serializes a domain value into its stored document: `id` becomes `_id`.
fn to_document<T: Serialize>(value: &T) -> StoreResult<Document> {
    let mut body = bson::to_document(value).map_err(|e| StoreError::Internal(format!("cannot encode: {e}")))?;
    let id = body.remove("id").unwrap_or(Bson::Null);
    let mut stored = doc! { "_id": id };
    stored.extend(body);
    Ok(stored)
}

/// Decodes a stored document back into a domain value.
fn from_document<T: DeserializeOwned>(mut stored: Document) -> StoreResult<T> {
    let id = stored.remove("_id").unwrap_or(Bson::Null);
    stored.remove("name_keys");
    stored.insert("id", id);
    bson::from_document(stored).map_err(|e| StoreError::Internal(format!("stored document does not decode: {e}")))
}

fn with_name_keys(mut stored: Document, name: &str, aliases: &[String]) -> Document {
    stored.insert("name_keys", name_keys(name, aliases));
    stored
}

/// Pairs each child with every requested parent it is related to through `parents_of`.
fn pair_by<T, F>(children: Vec<T>, requested: &[String], parents_of: F) -> Vec<(String, T)>
where
    T: Clone,
    F: Fn(&T) -> Vec<String>,
{
    let requested: HashSet<&str> = requested.iter().map(String::as_str).collect();
    let mut pairs = Vec::with_capacity(children.len());
    for child in children {
        let mut parents: Vec<String> =
            parents_of(&child).into_iter().filter(|p| requested.contains(p.as_str())).collect();
        parents.dedup();
        for parent in parents {
            pairs.push((parent, child.clone()));
        }
    }
    pairs
}

/// The stored form of an organization or person: name keys for look-ups and a sort name.
fn with_name_fields(stored: Document, name: &str, aliases: &[String]) -> Document {
    let mut stored = with_name_keys(stored, name, aliases);
    stored.insert("sort_name", name_key(name));
    stored
}

/// The stored form of an article: its date as a sort key.
fn article_document(article: &Article) -> StoreResult<Document> {
    let mut stored = to_document(article)?;
    stored.insert("sort_date", article_date_key(article));
    Ok(stored)
}

/// The stored form of a quote: date buckets, speaker key and speaker organizations.
fn quote_document(quote: &Quote, affiliations: &HashMap<String, Vec<String>>) -> StoreResult<Document> {
    let mut stored = to_document(quote)?;
    let day = quote.date;
    stored.insert("day", day.map(day_key));
    stored.insert("week", day.map(week_key));
    stored.insert("month", day.map(month_key));
    stored.insert("sort_date", quote_date_key(quote));
    stored.insert("speaker_key", quote.speaker.as_ref().map(speaker_key));
    let speaker_orgs: Vec<String> = match &quote.speaker {
        Some(Speaker::Person { person }) => affiliations.get(person.as_str()).cloned().unwrap_or_default(),
        Some(Speaker::Anonymous { affiliation, .. }) => affiliation.iter().map(|o| o.to_string()).collect(),
        None => Vec::new(),
    };
    stored.insert("speaker_orgs", speaker_orgs);
    Ok(stored)
}

impl MongoStore {
    /// Runs a grouping pipeline over the quotes: `{ _id: key, n: count }` rows as buckets.
    async fn buckets(&self, pipeline: Vec<Document>) -> StoreResult<Vec<Bucket>> {
        let rows: Vec<Document> = self
            .collection(QUOTES)
            .aggregate(pipeline)
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let key = row.get_str("_id").ok()?.to_owned();
                let count = match row.get("n")? {
                    Bson::Int32(n) => u64::try_from(*n).ok()?,
                    Bson::Int64(n) => u64::try_from(*n).ok()?,
                    Bson::Double(n) => *n as u64,
                    _ => return None,
                };
                Some(Bucket { key, count })
            })
            .collect())
    }
}

#[async_trait]
impl Store for MongoStore {
    fn backend(&self) -> Backend {
        Backend::MongoDb
    }

    fn operations(&self) -> u64 {
        self.operations.load(Ordering::Relaxed)
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db.run_command(doc! { "ping": 1 }).await.map_err(classify)?;
        Ok(())
    }

    async fn prepare(&self) -> StoreResult<()> {
        let indexes: [(&str, Vec<Document>); 9] = [
            (
                ARTICLES,
                vec![
                    // Also an outlet's articles newest first, as one index range.
                    doc! { "outlet": 1, "sort_date": -1, "_id": -1 },
                    doc! { "people": 1 },
                    doc! { "organizations": 1 },
                    doc! { "sort_date": -1, "_id": -1 },
                    doc! { "published_at": 1 },
                    doc! { "copy_of": 1 },
                ],
            ),
            (PEOPLE, vec![doc! { "name_keys": 1 }, doc! { "affiliations": 1 }]),
            (ORGANIZATIONS, vec![doc! { "name_keys": 1 }, doc! { "kind": 1, "_id": 1 }, doc! { "member_of": 1 }]),
            (
                QUOTES,
                vec![
                    doc! { "article": 1, "_id": 1 },
                    // One key's quotes newest first (a page, or a page of a
                    // date range, read as one index range in its order); the
                    // leading field serves every look-up by that key.
                    doc! { "speaker.person": 1, "sort_date": -1, "_id": -1 },
                    doc! { "speaker.affiliation": 1 },
                    doc! { "via": 1, "sort_date": -1, "_id": -1 },
                    doc! { "speaker_orgs": 1, "sort_date": -1, "_id": -1 },
                    doc! { "speaker_key": 1 },
                    doc! { "sort_date": -1, "_id": -1 },
                    doc! { "day": 1 },
                ],
            ),
            (text_index::POSTINGS, vec![doc! { "key": 1 }, doc! { "doc": 1 }]),
            // Statements across reports (issue 15).
            (QUOTES, vec![doc! { "statement": 1 }]),
            (
                statements::STATEMENTS,
                vec![
                    doc! { "sort_date": -1, "_id": -1 },
                    doc! { "reports_key": -1, "_id": -1 },
                    doc! { "speaker_key": 1 },
                ],
            ),
            // Corrections with an audit trail (issue 15, see `corrections`).
            (corrections::DECISIONS, vec![doc! { "anchor": 1 }]),
            (corrections::AUDIT_LOG, vec![doc! { "entity_id": 1, "_id": -1 }, doc! { "by": 1, "_id": -1 }]),
        ];
        for (collection, keys) in indexes {
            let models: Vec<IndexModel> = keys
                .into_iter()
                .map(|keys| {
                    let name = keys.iter().map(|(field, dir)| format!("{field}_{dir}")).collect::<Vec<_>>().join("_");
                    IndexModel::builder().keys(keys).options(IndexOptions::builder().name(name).build()).build()
                })
                .collect();
            // Create only the missing ones: FerretDB v1 drops the connection when
            // asked to create an index that already exists.
            let handle = self.collection(collection);
            let existing = match handle.list_index_names().await {
                Ok(names) => names,
                Err(e) if matches!(e.kind.as_ref(), ErrorKind::Command(c) if c.code == NAMESPACE_NOT_FOUND) => {
                    Vec::new()
                }
                Err(e) => return Err(classify(e)),
            };
            let missing: Vec<IndexModel> = models
                .into_iter()
                .filter(|m| m.options.as_ref().and_then(|o| o.name.as_ref()).is_none_or(|n| !existing.contains(n)))
                .collect();
            if !missing.is_empty() {
                handle.create_indexes(missing).await.map_err(classify)?;
            }
        }
        // Corrections a crash left half-written are finished before anything else runs.
        self.recover().await?;
        Ok(())
    }

    async fn articles(&self, ids: &[ArticleId]) -> StoreResult<Vec<Article>> {
        self.by_ids(ARTICLES, ids).await
    }

    async fn people(&self, ids: &[PersonId]) -> StoreResult<Vec<Person>> {
        self.by_ids(PEOPLE, ids).await
    }

    async fn organizations(&self, ids: &[OrganizationId]) -> StoreResult<Vec<Organization>> {
        self.by_ids(ORGANIZATIONS, ids).await
    }

    async fn quotes(&self, ids: &[QuoteId]) -> StoreResult<Vec<Quote>> {
        self.by_ids(QUOTES, ids).await
    }

    async fn related_quotes(&self, relation: QuoteRelation, parents: &[String]) -> StoreResult<Vec<(String, Quote)>> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let ids = strings(parents);
        Ok(match relation {
            QuoteRelation::InArticle => {
                let quotes = self.find(QUOTES, doc! { "article": { "$in": &ids } }, None).await?;
                pair_by(quotes, parents, |q: &Quote| vec![q.article.to_string()])
            }
            QuoteRelation::BySpeaker => {
                let quotes = self.find(QUOTES, doc! { "speaker.person": { "$in": &ids } }, None).await?;
                pair_by(quotes, parents, |q: &Quote| {
                    q.speaker.as_ref().and_then(|s| s.person()).map(|p| p.to_string()).into_iter().collect()
                })
            }
            QuoteRelation::Via => {
                let quotes = self.find(QUOTES, doc! { "via": { "$in": &ids } }, None).await?;
                pair_by(quotes, parents, |q: &Quote| q.via.iter().map(|o| o.to_string()).collect())
            }
            QuoteRelation::InStatement => {
                let quotes = self.find(QUOTES, doc! { "statement": { "$in": &ids } }, None).await?;
                pair_by(quotes, parents, |q: &Quote| q.statement.iter().map(|s| s.to_string()).collect())
            }
            QuoteRelation::ByOrganization => {
                // Two round trips: who is affiliated with these organizations, then
                // the quotes by those people or by spokespeople tied to them.
                let members: Vec<Person> = self.find(PEOPLE, doc! { "affiliations": { "$in": &ids } }, None).await?;
                let orgs_of: HashMap<String, Vec<String>> = members
                    .iter()
                    .map(|p| (p.id.to_string(), p.affiliations.iter().map(|o| o.to_string()).collect()))
                    .collect();
                let people: Vec<&String> = orgs_of.keys().collect();
                let filter = doc! { "$or": [
                    { "speaker.person": { "$in": people } },
                    { "speaker.affiliation": { "$in": &ids } },
                ] };
                let quotes = self.find(QUOTES, filter, None).await?;
                pair_by(quotes, parents, |q: &Quote| match &q.speaker {
                    Some(speaker) => {
                        let mut orgs: BTreeSet<String> = speaker
                            .person()
                            .and_then(|p| orgs_of.get(p.as_str()))
                            .cloned()
                            .unwrap_or_default()
                            .into_iter()
                            .collect();
                        orgs.extend(speaker.anonymous_affiliation().map(|o| o.to_string()));
                        orgs.into_iter().collect()
                    }
                    None => Vec::new(),
                })
            }
        })
    }

    async fn related_articles(
        &self,
        relation: ArticleRelation,
        parents: &[String],
    ) -> StoreResult<Vec<(String, Article)>> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let ids = strings(parents);
        Ok(match relation {
            ArticleRelation::MentionsPerson => {
                let articles = self.find(ARTICLES, doc! { "people": { "$in": &ids } }, None).await?;
                pair_by(articles, parents, |a: &Article| a.people.iter().map(|p| p.to_string()).collect())
            }
            ArticleRelation::MentionsOrganization => {
                let articles = self.find(ARTICLES, doc! { "organizations": { "$in": &ids } }, None).await?;
                pair_by(articles, parents, |a: &Article| a.organizations.iter().map(|o| o.to_string()).collect())
            }
            ArticleRelation::PublishedBy => {
                let articles = self.find(ARTICLES, doc! { "outlet": { "$in": &ids } }, None).await?;
                pair_by(articles, parents, |a: &Article| a.outlet.iter().map(|o| o.to_string()).collect())
            }
            ArticleRelation::CopiesOf => {
                let articles = self.find(ARTICLES, doc! { "copy_of": { "$in": &ids } }, None).await?;
                pair_by(articles, parents, |a: &Article| a.copy_of.iter().map(|o| o.to_string()).collect())
            }
        })
    }

    async fn related_people(&self, relation: PersonRelation, parents: &[String]) -> StoreResult<Vec<(String, Person)>> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let ids = strings(parents);
        match relation {
            PersonRelation::AffiliatedWith => {
                let people = self.find(PEOPLE, doc! { "affiliations": { "$in": &ids } }, None).await?;
                Ok(pair_by(people, parents, |p: &Person| p.affiliations.iter().map(|o| o.to_string()).collect()))
            }
        }
    }

    async fn related_organizations(
        &self,
        relation: OrganizationRelation,
        parents: &[String],
    ) -> StoreResult<Vec<(String, Organization)>> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let ids = strings(parents);
        match relation {
            OrganizationRelation::MembersOf => {
                let orgs = self.find(ORGANIZATIONS, doc! { "member_of": { "$in": &ids } }, None).await?;
                Ok(pair_by(orgs, parents, |o: &Organization| o.member_of.iter().map(|m| m.to_string()).collect()))
            }
        }
    }

    async fn find_articles(&self, filter: &ArticleFilter, sort: ArticleSort, page: &Page) -> StoreResult<Vec<Article>> {
        let texts = self.text_matches(SearchTarget::Articles, filter.texts()).await?;
        self.find_page(ARTICLES, query::article_filter(filter, &texts), query::article_order(sort), page).await
    }

    async fn count_articles(&self, filter: &ArticleFilter) -> StoreResult<u64> {
        if *filter == ArticleFilter::default() {
            return self.count_all(ARTICLES).await;
        }
        let texts = self.text_matches(SearchTarget::Articles, filter.texts()).await?;
        self.count_where(ARTICLES, query::article_filter(filter, &texts)).await
    }

    async fn find_quotes(&self, filter: &QuoteFilter, sort: QuoteSort, page: &Page) -> StoreResult<Vec<Quote>> {
        let texts = self.text_matches(SearchTarget::Quotes, filter.texts()).await?;
        self.find_page(QUOTES, query::quote_page_filter(filter, &texts), query::quote_order(sort), page).await
    }

    async fn count_quotes(&self, filter: &QuoteFilter) -> StoreResult<u64> {
        if *filter == QuoteFilter::default() {
            return self.count_all(QUOTES).await;
        }
        let texts = self.text_matches(SearchTarget::Quotes, filter.texts()).await?;
        self.count_where(QUOTES, query::quote_filter(filter, &texts)).await
    }

    async fn find_people(&self, filter: &PersonFilter, sort: NameSort, page: &Page) -> StoreResult<Vec<Person>> {
        self.find_page(PEOPLE, query::person_filter(filter), query::name_order(sort), page).await
    }

    async fn count_people(&self, filter: &PersonFilter) -> StoreResult<u64> {
        if *filter == PersonFilter::default() {
            return self.count_all(PEOPLE).await;
        }
        self.count_where(PEOPLE, query::person_filter(filter)).await
    }

    async fn find_organizations(
        &self,
        filter: &OrganizationFilter,
        sort: NameSort,
        page: &Page,
    ) -> StoreResult<Vec<Organization>> {
        self.find_page(ORGANIZATIONS, query::organization_filter(filter), query::name_order(sort), page).await
    }

    async fn count_organizations(&self, filter: &OrganizationFilter) -> StoreResult<u64> {
        if *filter == OrganizationFilter::default() {
            return self.count_all(ORGANIZATIONS).await;
        }
        self.count_where(ORGANIZATIONS, query::organization_filter(filter)).await
    }

    async fn search(&self, target: SearchTarget, query: &SearchQuery, page: &SearchPage) -> StoreResult<SearchHits> {
        let postings = self.postings(target, text_index::keys(target, query)).await?;
        let documents = match target {
            SearchTarget::Articles => self.count_all(ARTICLES).await?,
            SearchTarget::Quotes => self.count_all(QUOTES).await?,
        };
        let mut ranked = text_index::rank(query, &postings, documents);
        if page.originals_only && !ranked.is_empty() {
            // Copies among the matches, in one round trip.
            let ids: Vec<String> = ranked.iter().map(|(id, _)| id.clone()).collect();
            let collection = match target {
                SearchTarget::Articles => ARTICLES,
                SearchTarget::Quotes => QUOTES,
            };
            let copies: HashSet<String> = self
                .ids_matching(collection, doc! { "_id": { "$in": ids }, "copy_of": { "$ne": Bson::Null } })
                .await?
                .into_iter()
                .collect();
            ranked.retain(|(id, _)| !copies.contains(id));
        }
        if query.phrases.is_empty() || ranked.is_empty() {
            return Ok(page.cut(ranked));
        }
        // Phrases: check word order against the texts of the candidates.
        let ids: Vec<String> = ranked.iter().map(|(id, _)| id.clone()).collect();
        let texts = self.texts_of(target, &ids).await?;
        Ok(page.cut(text_index::verify(query, ranked, &texts)))
    }

    async fn group_quotes(&self, filter: &QuoteFilter, group: QuoteGroup, limit: usize) -> StoreResult<Vec<Bucket>> {
        let texts = self.text_matches(SearchTarget::Quotes, filter.texts()).await?;
        self.buckets(query::group_pipeline(filter, &texts, group, limit)).await
    }

    async fn person_by_name(&self, name: &str) -> StoreResult<Option<Person>> {
        self.by_name(PEOPLE, name).await
    }

    async fn organization_by_name(&self, name: &str) -> StoreResult<Option<Organization>> {
        self.by_name(ORGANIZATIONS, name).await
    }

    async fn people_by_names(&self, names: &[String]) -> StoreResult<Vec<Person>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = names.iter().map(|n| name_key(n)).collect();
        self.find(PEOPLE, doc! { "name_keys": { "$in": keys } }, None).await
    }

    async fn organizations_by_names(&self, names: &[String]) -> StoreResult<Vec<Organization>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = names.iter().map(|n| name_key(n)).collect();
        self.find(ORGANIZATIONS, doc! { "name_keys": { "$in": keys } }, None).await
    }

    async fn write(&self, batch: &GraphBatch) -> StoreResult<()> {
        let mut added = self.added(batch).await?;
        let orgs = batch
            .organizations
            .iter()
            .map(|o| Ok(with_name_fields(to_document(o)?, &o.name, &o.aliases)))
            .collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(ORGANIZATIONS, orgs).await?;
        let people = batch
            .people
            .iter()
            .map(|p| Ok(with_name_fields(to_document(p)?, &p.name, &p.aliases)))
            .collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(PEOPLE, people).await?;
        self.refresh_speaker_organizations(&batch.people).await?;
        let affiliations = self.speaker_affiliations(batch).await?;
        // Statements: planned from what the quotes were before this write,
        // stored before the quotes that name them.
        let statement_plan = self.plan_statements(batch).await?;
        self.store_statements(&statement_plan).await?;
        let statement_of: HashMap<&QuoteId, &StatementId> =
            statement_plan.assignments.iter().map(|(q, s)| (q, s)).collect();
        let quotes = batch
            .quotes
            .iter()
            .map(|q| {
                let statement = statement_of.get(&q.id).map(|s| (*s).clone());
                if statement == q.statement {
                    quote_document(q, &affiliations)
                } else {
                    quote_document(&Quote { statement, ..q.clone() }, &affiliations)
                }
            })
            .collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(QUOTES, quotes).await?;
        let quote_postings = batch
            .quotes
            .iter()
            .flat_map(|q| text_index::postings(SearchTarget::Quotes, q.id.as_str(), "", &q.text))
            .collect();
        self.replace_postings(
            SearchTarget::Quotes,
            batch.quotes.iter().map(|q| q.id.to_string()).collect(),
            quote_postings,
        )
        .await?;
        for article in &batch.articles {
            let kept = batch.quotes.iter().filter(|q| q.article == article.id).map(|q| q.id.as_str()).collect();
            self.delete_stale_quotes(&article.id, kept).await?;
        }
        self.recheck_statements(&statement_plan.recheck).await?;
        let article_postings = batch
            .articles
            .iter()
            .flat_map(|a| text_index::postings(SearchTarget::Articles, a.id.as_str(), &a.headline, &a.body))
            .collect();
        self.replace_postings(
            SearchTarget::Articles,
            batch.articles.iter().map(|a| a.id.to_string()).collect(),
            article_postings,
        )
        .await?;
        copies::add_keys(self, &batch.copy_keys).await?;
        // The article goes last: it is what makes the write visible as a whole.
        let articles = batch.articles.iter().map(article_document).collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(ARTICLES, articles).await?;
        // Logged last, once everything it names is visible.
        added.extend(statement_plan.gained.iter().map(|s| (super::ChangeKind::Statement, s.to_string())));
        self.append_changes(&added).await
    }

    async fn statements(&self, ids: &[StatementId]) -> StoreResult<Vec<Statement>> {
        self.by_ids(statements::STATEMENTS, ids).await
    }

    async fn find_statements(
        &self,
        filter: &QuoteFilter,
        sort: StatementSort,
        page: &Page,
    ) -> StoreResult<Vec<Statement>> {
        self.find_statements_page(filter, sort, page).await
    }

    async fn count_statements(&self, filter: &QuoteFilter) -> StoreResult<u64> {
        self.count_statements_matching(filter).await
    }

    async fn group_statements(
        &self,
        filter: &QuoteFilter,
        group: QuoteGroup,
        limit: usize,
    ) -> StoreResult<Vec<Bucket>> {
        let texts = self.text_matches(SearchTarget::Quotes, filter.texts()).await?;
        let pipeline = query::statement_group_pipeline(filter, &texts, group, limit);
        if !group.is_period() {
            return self.buckets(pipeline).await;
        }
        // (period, statement) pairs: each statement counts at its earliest period.
        let pairs: Vec<Document> = self
            .collection(QUOTES)
            .aggregate(pipeline)
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        let mut first: HashMap<String, String> = HashMap::new();
        for pair in &pairs {
            let Ok(id) = pair.get_document("_id") else { continue };
            let (Ok(period), Ok(statement)) = (id.get_str("key"), id.get_str("statement")) else { continue };
            let earliest = first.entry(statement.to_owned()).or_insert_with(|| period.to_owned());
            if period < earliest.as_str() {
                *earliest = period.to_owned();
            }
        }
        let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        for period in first.into_values() {
            *counts.entry(period).or_default() += 1;
        }
        Ok(counts.into_iter().take(limit).map(|(key, count)| Bucket { key, count }).collect())
    }

    async fn rebuild_statements(&self) -> StoreResult<u64> {
        self.rebuild().await
    }

    async fn changes_after(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
        self.read_changes_after(after, limit).await
    }

    async fn copy_candidates(&self, keys: &[i64], limit: usize) -> StoreResult<Vec<(ArticleId, usize)>> {
        copies::candidates(self, keys, limit).await
    }

    async fn last_change_seq(&self) -> StoreResult<u64> {
        self.read_last_change_seq().await
    }

    async fn feed_state(&self, feed: &str) -> StoreResult<Option<FeedState>> {
        self.read_feed_state(feed).await
    }

    async fn save_feed_state(&self, state: &FeedState) -> StoreResult<()> {
        self.write_feed_state(state).await
    }

    async fn feed_items(&self, keys: &[String]) -> StoreResult<Vec<FeedItemRecord>> {
        self.read_feed_items(keys).await
    }

    async fn claim_feed_item(&self, item: &FeedItemRecord) -> StoreResult<bool> {
        self.insert_feed_item(item).await
    }

    async fn save_feed_item(&self, item: &FeedItemRecord) -> StoreResult<()> {
        self.write_feed_item(item).await
    }

    async fn quote_decisions(&self, quotes: &[QuoteId]) -> StoreResult<Vec<QuoteDecisions>> {
        self.read_decisions(quotes).await
    }

    async fn quote_decisions_by_anchor(&self, anchors: &[String]) -> StoreResult<Vec<QuoteDecisions>> {
        self.read_decisions_by_anchor(anchors).await
    }

    /// Ordered and idempotent, without transactions: see [`corrections`].
    async fn write_correction(&self, correction: &super::corrections::CorrectionWrite) -> StoreResult<()> {
        self.correct(correction).await
    }

    async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: usize,
        before: Option<&str>,
    ) -> StoreResult<Vec<AuditEntry>> {
        self.read_audit(filter, limit, before).await
    }

    async fn count_audit_entries(&self, filter: &AuditFilter) -> StoreResult<u64> {
        self.count_audit(filter).await
    }

    async fn merged_into(&self, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        self.read_merges(ids).await
    }

    async fn recover_corrections(&self) -> StoreResult<u64> {
        self.recover().await
    }
}
