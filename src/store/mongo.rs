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
//! `majority` with journaling.

use super::{
    ArticleRelation, Backend, Countable, GraphBatch, OrganizationRelation, Page, PersonRelation, QuoteRelation, Store,
    StoreError, StoreResult,
};
use crate::domain::{
    Article, ArticleId, OrgKind, Organization, OrganizationId, Person, PersonId, Quote, QuoteId, name_key, name_keys,
};
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
            if let CommandEvent::Started(_) = event {
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
        let handle = self.collection(collection);
        // A large first batch: the default (101 documents) would add a getMore
        // round trip for every further batch of a large relation.
        let mut find = handle.find(filter).sort(doc! { "_id": 1 }).batch_size(FIND_BATCH_SIZE);
        if let Some(limit) = limit {
            find = find.limit(i64::try_from(limit).unwrap_or(i64::MAX));
        }
        let docs: Vec<Document> = find.await.map_err(classify)?.try_collect().await.map_err(classify)?;
        docs.into_iter().map(from_document).collect()
    }

    async fn by_ids<T: DeserializeOwned, I: AsRef<str>>(&self, collection: &str, ids: &[I]) -> StoreResult<Vec<T>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.find(collection, doc! { "_id": { "$in": strings(ids) } }, None).await
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

    /// One `update` command upserting every document by `_id`; retried once on a
    /// network error, which is safe because replacing by `_id` is idempotent.
    async fn upsert_all(&self, collection: &str, docs: Vec<Document>) -> StoreResult<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let updates: Vec<Document> = docs
            .into_iter()
            .map(|d| {
                let id = d.get("_id").cloned().unwrap_or(Bson::Null);
                doc! { "q": { "_id": id }, "u": d, "upsert": true }
            })
            .collect();
        let command = doc! {
            "update": collection,
            "updates": updates,
            "ordered": true,
            "writeConcern": bson::to_bson(&self.write_concern).map_err(|e| StoreError::Internal(e.to_string()))?,
        };
        let reply = match self.db.run_command(command.clone()).await {
            Err(e) if is_unavailable(&e) => self.db.run_command(command).await,
            other => other,
        }
        .map_err(classify)?;
        check_write_reply(&reply)
    }

    async fn delete_stale_quotes(&self, article: &ArticleId, kept: Vec<&str>) -> StoreResult<()> {
        self.collection(QUOTES)
            .delete_many(doc! { "article": article.as_str(), "_id": { "$nin": kept } })
            .await
            .map_err(classify)?;
        Ok(())
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

fn page_filter(page: &Page) -> Document {
    match &page.after {
        Some(after) => doc! { "_id": { "$gt": after } },
        None => doc! {},
    }
}

fn kinds_filter(kinds: &[OrgKind]) -> Document {
    if kinds.is_empty() {
        doc! {}
    } else {
        doc! { "kind": { "$in": kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>() } }
    }
}

fn and(mut left: Document, right: Document) -> Document {
    left.extend(right);
    left
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
        let indexes: [(&str, Vec<Document>); 4] = [
            (
                ARTICLES,
                vec![
                    doc! { "outlet": 1, "_id": 1 },
                    doc! { "people": 1 },
                    doc! { "organizations": 1 },
                    doc! { "published_at": -1, "_id": -1 },
                ],
            ),
            (PEOPLE, vec![doc! { "name_keys": 1 }, doc! { "affiliations": 1 }]),
            (ORGANIZATIONS, vec![doc! { "name_keys": 1 }, doc! { "kind": 1, "_id": 1 }, doc! { "member_of": 1 }]),
            (
                QUOTES,
                vec![
                    doc! { "article": 1, "_id": 1 },
                    doc! { "speaker.person": 1, "_id": 1 },
                    doc! { "speaker.affiliation": 1 },
                    doc! { "via": 1 },
                ],
            ),
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

    async fn list_articles(&self, page: &Page) -> StoreResult<Vec<Article>> {
        self.find(ARTICLES, page_filter(page), Some(page.limit)).await
    }

    async fn list_people(&self, page: &Page) -> StoreResult<Vec<Person>> {
        self.find(PEOPLE, page_filter(page), Some(page.limit)).await
    }

    async fn list_organizations(&self, kinds: &[OrgKind], page: &Page) -> StoreResult<Vec<Organization>> {
        self.find(ORGANIZATIONS, and(page_filter(page), kinds_filter(kinds)), Some(page.limit)).await
    }

    async fn list_quotes(&self, page: &Page) -> StoreResult<Vec<Quote>> {
        self.find(QUOTES, page_filter(page), Some(page.limit)).await
    }

    async fn count(&self, what: &Countable) -> StoreResult<u64> {
        match what {
            Countable::Articles => self.count_where(ARTICLES, doc! {}).await,
            Countable::People => self.count_where(PEOPLE, doc! {}).await,
            Countable::Quotes => self.count_where(QUOTES, doc! {}).await,
            Countable::Organizations(kinds) => self.count_where(ORGANIZATIONS, kinds_filter(kinds)).await,
        }
    }

    async fn person_by_name(&self, name: &str) -> StoreResult<Option<Person>> {
        self.by_name(PEOPLE, name).await
    }

    async fn organization_by_name(&self, name: &str) -> StoreResult<Option<Organization>> {
        self.by_name(ORGANIZATIONS, name).await
    }

    async fn write(&self, batch: &GraphBatch) -> StoreResult<()> {
        let orgs = batch
            .organizations
            .iter()
            .map(|o| Ok(with_name_keys(to_document(o)?, &o.name, &o.aliases)))
            .collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(ORGANIZATIONS, orgs).await?;
        let people = batch
            .people
            .iter()
            .map(|p| Ok(with_name_keys(to_document(p)?, &p.name, &p.aliases)))
            .collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(PEOPLE, people).await?;
        let quotes = batch.quotes.iter().map(to_document).collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(QUOTES, quotes).await?;
        for article in &batch.articles {
            let kept = batch.quotes.iter().filter(|q| q.article == article.id).map(|q| q.id.as_str()).collect();
            self.delete_stale_quotes(&article.id, kept).await?;
        }
        // The article goes last: it is what makes the write visible as a whole.
        let articles = batch.articles.iter().map(to_document).collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(ARTICLES, articles).await
    }
}
