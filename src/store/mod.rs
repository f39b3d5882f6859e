//! The one storage interface the GraphQL layer sees, and its two backends.
//!
//! [`Store`] speaks in domain terms: fetch entities by id in batches, follow a
//! relation from many parents at once, list a collection page by page, look a
//! name up, and write a [`GraphBatch`]. Every method is one or a small fixed
//! number of database round trips whatever the number of ids, which is what
//! lets DataLoaders keep a nested query's cost proportional to its depth.
//! Lists take typed filters and keyset pages ([`filter`]), never raw queries.
//!
//! - [`sqlite::SqliteStore`]: the embedded default, a SQLite file in WAL mode.
//! - [`mongo::MongoStore`]: MongoDB through the official driver (FerretDB in tests).
//! - [`changes`]: the write sequence every write appends to, which
//!   subscriptions tail on both backends.
//! - [`feed_state`]: what the feed watcher remembers between polls (validators,
//!   failures, the items it has met), on both backends.
//! - [`corrections`]: what one editor's correction writes (audit entries,
//!   the quote's decisions, its article), together on both backends.
//! - [`guard::GuardedStore`]: wraps either with a per-call timeout, so a stalled
//!   database turns into [`StoreError::Unavailable`] instead of a hung request.

pub mod changes;
pub mod corrections;
pub mod feed_state;
pub mod filter;
pub mod guard;
pub mod mongo;
pub mod sqlite;

pub use changes::{Change, ChangeKind};
pub use feed_state::{FeedItemRecord, FeedState, ItemStatus};
pub use filter::{
    After, ArticleFilter, ArticleSort, Bucket, DateRange, NameSort, OrganizationFilter, Page, PersonFilter,
    QuoteFilter, QuoteGroup, QuoteSort, SEARCH_COUNT_CAP, SEARCH_WINDOW, SearchHits, SearchPage, SearchTarget,
    StatementSort,
};

use crate::domain::{
    Article, ArticleId, AuditEntry, AuditFilter, Organization, OrganizationId, Person, PersonId, Quote, QuoteDecisions,
    QuoteId, Statement, StatementId,
};
use crate::search::SearchQuery;
use async_trait::async_trait;
use std::sync::Arc;

/// What can go wrong in a store call, in terms the API can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached, or did not answer in time. Retrying later may work.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// The write was refused because it breaks a rule of the data (a dangling reference…).
    #[error("invalid data: {0}")]
    Invalid(String),
    /// A correction based on a stale version: another write changed the entity first.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else: a bug, or data in the database that does not decode.
    #[error("store failure: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    MongoDb,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Embedded => "embedded",
            Backend::MongoDb => "mongodb",
        }
    }
}

/// The relations that lead to quotes, each from a parent id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteRelation {
    /// The quotes of an article (parent: article id).
    InArticle,
    /// The quotes a person made (parent: person id).
    BySpeaker,
    /// The quotes a source reported (parent: organization id).
    Via,
    /// The quotes made by an organization's people or anonymous spokespeople (parent: organization id).
    ByOrganization,
    /// The reports of a statement (parent: statement id).
    InStatement,
}

/// The relations that lead to articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArticleRelation {
    /// Articles that mention a person.
    MentionsPerson,
    /// Articles that mention an organization.
    MentionsOrganization,
    /// Articles an outlet published.
    PublishedBy,
    /// The copies of an original report (parent: the original's id): the
    /// articles whose `copy_of` it is.
    CopiesOf,
}

/// The relations that lead to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonRelation {
    /// People affiliated with an organization.
    AffiliatedWith,
}

/// The relations that lead to organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrganizationRelation {
    /// The members of an organization.
    MembersOf,
}

/// A set of entities written together. Writing the same batch twice changes nothing.
///
/// An article in a batch replaces the stored one, and its quotes replace the
/// article's stored quotes (quotes it no longer has are removed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphBatch {
    pub organizations: Vec<Organization>,
    pub people: Vec<Person>,
    pub articles: Vec<Article>,
    pub quotes: Vec<Quote>,
    /// Near-duplicate index keys to add (see `ingest::copies`).
    pub copy_keys: Vec<CopyKeys>,
}

/// The near-duplicate index keys of one article (its LSH band keys, see
/// `ingest::fingerprint`). Adding keys an article already has changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyKeys {
    pub article: ArticleId,
    pub keys: Vec<i64>,
}

/// How many entities a collection holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub articles: u64,
    pub people: u64,
    pub organizations: u64,
    pub quotes: u64,
}

impl std::fmt::Display for Counts {
    /// `1 articles, 9 quotes, 4 people, 17 organizations`, as the CLI reports it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} articles, {} quotes, {} people, {} organizations",
            self.articles, self.quotes, self.people, self.organizations
        )
    }
}

/// The storage interface, in domain terms.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// How many database round trips this store has made since it was opened,
    /// less the reads of the write sequence ([`Store::changes_after`],
    /// [`Store::last_change_seq`]), which the feed makes on its own schedule.
    fn operations(&self) -> u64;

    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Creates tables, collections and indexes if they are missing. Idempotent.
    async fn prepare(&self) -> StoreResult<()>;

    async fn articles(&self, ids: &[ArticleId]) -> StoreResult<Vec<Article>>;
    async fn people(&self, ids: &[PersonId]) -> StoreResult<Vec<Person>>;
    async fn organizations(&self, ids: &[OrganizationId]) -> StoreResult<Vec<Organization>>;
    async fn quotes(&self, ids: &[QuoteId]) -> StoreResult<Vec<Quote>>;

    /// The quotes related to each parent, as `(parent id, quote)` pairs ordered by quote id.
    async fn related_quotes(&self, relation: QuoteRelation, parents: &[String]) -> StoreResult<Vec<(String, Quote)>>;
    /// The articles related to each parent, as `(parent id, article)` pairs ordered by article id.
    async fn related_articles(
        &self,
        relation: ArticleRelation,
        parents: &[String],
    ) -> StoreResult<Vec<(String, Article)>>;
    /// The people related to each parent, as `(parent id, person)` pairs ordered by person id.
    async fn related_people(&self, relation: PersonRelation, parents: &[String]) -> StoreResult<Vec<(String, Person)>>;
    /// The organizations related to each parent, ordered by organization id.
    async fn related_organizations(
        &self,
        relation: OrganizationRelation,
        parents: &[String],
    ) -> StoreResult<Vec<(String, Organization)>>;

    /// A page of the articles that match `filter`, in `sort` order.
    async fn find_articles(&self, filter: &ArticleFilter, sort: ArticleSort, page: &Page) -> StoreResult<Vec<Article>>;
    /// How many articles match `filter`.
    async fn count_articles(&self, filter: &ArticleFilter) -> StoreResult<u64>;
    /// A page of the quotes that match `filter`, in `sort` order.
    async fn find_quotes(&self, filter: &QuoteFilter, sort: QuoteSort, page: &Page) -> StoreResult<Vec<Quote>>;
    /// How many quotes match `filter`.
    async fn count_quotes(&self, filter: &QuoteFilter) -> StoreResult<u64>;
    /// A page of the people that match `filter`, in `sort` order.
    async fn find_people(&self, filter: &PersonFilter, sort: NameSort, page: &Page) -> StoreResult<Vec<Person>>;
    /// How many people match `filter`.
    async fn count_people(&self, filter: &PersonFilter) -> StoreResult<u64>;
    /// A page of the organizations that match `filter`, in `sort` order.
    async fn find_organizations(
        &self,
        filter: &OrganizationFilter,
        sort: NameSort,
        page: &Page,
    ) -> StoreResult<Vec<Organization>>;
    /// How many organizations match `filter`.
    async fn count_organizations(&self, filter: &OrganizationFilter) -> StoreResult<u64>;

    /// A page of the ranked matches of a full-text query, found through an
    /// index: among the best [`SEARCH_WINDOW`], those after `page.after`.
    /// The total is exact up to [`SEARCH_COUNT_CAP`] matches; past it a store
    /// may estimate it and must say so.
    async fn search(&self, target: SearchTarget, query: &SearchQuery, page: &SearchPage) -> StoreResult<SearchHits>;

    /// How many quotes matching `filter` fall in each group: the `limit` largest
    /// groups (ties by key), or for periods the first `limit` in time order.
    async fn group_quotes(&self, filter: &QuoteFilter, group: QuoteGroup, limit: usize) -> StoreResult<Vec<Bucket>>;

    /// How many entities each collection holds.
    async fn counts(&self) -> StoreResult<Counts> {
        Ok(Counts {
            articles: self.count_articles(&ArticleFilter::default()).await?,
            people: self.count_people(&PersonFilter::default()).await?,
            organizations: self.count_organizations(&OrganizationFilter::default()).await?,
            quotes: self.count_quotes(&QuoteFilter::default()).await?,
        })
    }

    /// The person whose name or alias matches `name` (see [`crate::domain::name_key`]).
    async fn person_by_name(&self, name: &str) -> StoreResult<Option<Person>>;
    /// The organization whose name or alias matches `name`.
    async fn organization_by_name(&self, name: &str) -> StoreResult<Option<Organization>>;
    /// The people any of whose names or aliases is among `names` (compared as
    /// [`crate::domain::name_key`]s), in one round trip.
    async fn people_by_names(&self, names: &[String]) -> StoreResult<Vec<Person>>;
    /// The organizations any of whose names or aliases is among `names`, in one round trip.
    async fn organizations_by_names(&self, names: &[String]) -> StoreResult<Vec<Organization>>;

    /// Writes a batch: atomically on the embedded store; on MongoDB in an order
    /// (organizations, people, quotes, then the article) that never shows an
    /// article without its quotes. The articles and quotes it adds are logged
    /// in the write sequence ([`changes`]) after them.
    async fn write(&self, batch: &GraphBatch) -> StoreResult<()>;

    /// Writes every batch received from `batches` until the channel closes: a
    /// bulk load (`newsgraph generate`). The result is what [`Store::write`] of
    /// each batch in turn gives (entities, counters, indexes, change log); only
    /// the cost differs. By default that is what it does. The embedded store
    /// loads everything in one transaction with the dashboard counters' triggers
    /// and, into an empty store, the secondary indexes dropped, and rebuilds
    /// them before it commits: nothing is visible until the whole load is, and
    /// a load that dies leaves the store as it was.
    async fn write_bulk(&self, mut batches: tokio::sync::mpsc::Receiver<GraphBatch>) -> StoreResult<()> {
        while let Some(batch) = batches.recv().await {
            self.write(&batch).await?;
        }
        Ok(())
    }

    /// The articles indexed under any of `keys` (near-duplicate index keys,
    /// see [`CopyKeys`]), each with how many of the keys it shares, most
    /// first (ties by id), at most `limit`. Each key is one indexed look-up.
    async fn copy_candidates(&self, keys: &[i64], limit: usize) -> StoreResult<Vec<(ArticleId, usize)>>;

    // --- Statements across reports (issue 15) ---

    /// Statements by id.
    async fn statements(&self, ids: &[StatementId]) -> StoreResult<Vec<Statement>>;
    /// A page of the statements with at least one report matching `filter`, in `sort` order.
    async fn find_statements(
        &self,
        filter: &QuoteFilter,
        sort: StatementSort,
        page: &Page,
    ) -> StoreResult<Vec<Statement>>;
    /// How many statements have at least one report matching `filter`.
    async fn count_statements(&self, filter: &QuoteFilter) -> StoreResult<u64>;
    /// [`Store::group_quotes`] counting statements instead of quotes: among the
    /// quotes matching `filter`, a statement counts once in each group its
    /// reports fall in (once per source that carried it, once for its
    /// speaker, once per speaker organization), and for periods once, in the
    /// period of its earliest matching report, so a timeline adds up to
    /// [`Store::count_statements`] of its dated reports.
    async fn group_statements(&self, filter: &QuoteFilter, group: QuoteGroup, limit: usize)
    -> StoreResult<Vec<Bucket>>;
    /// Joins every stored quote into statements again, from nothing (for a
    /// store written before statements existed, or after the joining rule
    /// changed). Returns how many statements there are afterwards.
    async fn rebuild_statements(&self) -> StoreResult<u64>;

    /// The logged changes numbered after `after`, in sequence order, at most `limit`.
    async fn changes_after(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>>;

    /// The highest sequence number handed out so far (0 before the first change).
    async fn last_change_seq(&self) -> StoreResult<u64>;

    // Feed polling ([`feed_state`], used by `crate::ingest::feeds`).

    /// The stored state of the feed whose URL is `feed`.
    async fn feed_state(&self, feed: &str) -> StoreResult<Option<FeedState>>;
    /// Stores `state`, replacing the feed's previous one.
    async fn save_feed_state(&self, state: &FeedState) -> StoreResult<()>;
    /// The records of the feed items among `keys`, from any feed, in one round trip.
    async fn feed_items(&self, keys: &[String]) -> StoreResult<Vec<FeedItemRecord>>;
    /// Records `item` unless an item with its key is recorded already; whether
    /// it was. Atomic: of two polls claiming one key, one wins.
    async fn claim_feed_item(&self, item: &FeedItemRecord) -> StoreResult<bool>;
    /// Stores `item`, replacing its record.
    async fn save_feed_item(&self, item: &FeedItemRecord) -> StoreResult<()>;

    // --- Corrections with an audit trail (issue 15, see `crate::corrections`) ---

    /// The human decisions about each of `quotes` that has any.
    async fn quote_decisions(&self, quotes: &[QuoteId]) -> StoreResult<Vec<QuoteDecisions>>;
    /// The human decisions kept under any of `anchors` (see [`crate::domain::anchor`]).
    async fn quote_decisions_by_anchor(&self, anchors: &[String]) -> StoreResult<Vec<QuoteDecisions>>;
    /// Writes a correction, its audit entries and its article together (see
    /// each backend): all or nothing. [`StoreError::Conflict`] when the
    /// quote's stored version is not `correction.expected_version`.
    async fn write_correction(&self, correction: &corrections::CorrectionWrite) -> StoreResult<()>;
    /// Audit entries matching `filter`, newest first, those with ids below
    /// `before` (a page's last id), at most `limit`.
    async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: usize,
        before: Option<&str>,
    ) -> StoreResult<Vec<AuditEntry>>;
    /// How many audit entries match `filter`.
    async fn count_audit_entries(&self, filter: &AuditFilter) -> StoreResult<u64>;
    /// The people merged into others among `ids`, as (merged, survivor) pairs
    /// (one step: a survivor may have been merged in turn).
    async fn merged_into(&self, ids: &[String]) -> StoreResult<Vec<(String, String)>>;
    /// Finishes the corrections a crash left half-written; how many. Nothing
    /// to do on a store that writes a correction in one transaction.
    async fn recover_corrections(&self) -> StoreResult<u64> {
        Ok(0)
    }
}

/// A store shared by every request.
pub type SharedStore = Arc<dyn Store>;
