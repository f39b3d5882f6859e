//! A store decorator that bounds every call in time.
//!
//! A database that stalls (a paused process, a network partition) would
//! otherwise hold requests open forever. Wrapped in [`GuardedStore`], each call
//! either finishes within the timeout or fails as [`StoreError::Unavailable`],
//! so clients get a clear error and the server keeps its threads. Every call is
//! also counted and timed here, by backend and name, for `/metrics`, and runs
//! in a `store` span named by the call (for traces).

use super::{
    ArticleFilter, ArticleRelation, ArticleSort, Backend, Bucket, Change, Counts, GraphBatch, NameSort,
    OrganizationFilter, OrganizationRelation, Page, PersonFilter, PersonRelation, QuoteFilter, QuoteGroup,
    QuoteRelation, QuoteSort, SearchHits, SearchPage, SearchTarget, SharedStore, StatementSort, Store, StoreError,
    StoreResult,
};
use super::{FeedItemRecord, FeedState};
use crate::domain::{
    Article, ArticleId, AuditEntry, AuditFilter, Organization, OrganizationId, Person, PersonId, Quote, QuoteDecisions,
    QuoteId, Statement, StatementId,
};
use crate::metrics;
use crate::search::SearchQuery;
use crate::telemetry::SPANS;
use async_trait::async_trait;
use std::future::Future;
use std::time::{Duration, Instant};
use tracing::Instrument as _;

/// Wraps a store so that every call fails as unavailable after `timeout`.
pub struct GuardedStore {
    inner: SharedStore,
    timeout: Duration,
}

impl GuardedStore {
    pub fn new(inner: SharedStore, timeout: Duration) -> Self {
        Self { inner, timeout }
    }

    /// Runs one store call, named `operation` (for logs and metrics), within the
    /// timeout, and records it in `newsgraph_store_operations_total` and
    /// `newsgraph_store_operation_duration_seconds`.
    async fn within<T>(&self, operation: &'static str, call: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        let backend = self.inner.backend().as_str();
        let started = Instant::now();
        // Only a request's calls: the feed's polling and start-up make no spans.
        let span = if tracing::Span::current().is_none() {
            tracing::Span::none()
        } else {
            tracing::info_span!(
                target: SPANS,
                "store",
                otel.name = operation,
                otel.kind = "client",
                db.system.name = backend,
                db.operation.name = operation,
            )
        };
        let result = match tokio::time::timeout(self.timeout, call.instrument(span)).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable(format!(
                "the {backend} store did not answer {operation} within {} ms",
                self.timeout.as_millis()
            ))),
        };
        metrics::store_call(backend, operation, outcome(&result), started.elapsed());
        result
    }
}

/// A call's outcome, as the metrics label it.
fn outcome<T>(result: &StoreResult<T>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(StoreError::Unavailable(_)) => "unavailable",
        Err(StoreError::Invalid(_)) => "invalid",
        Err(StoreError::Conflict(_)) => "conflict",
        Err(StoreError::Internal(_)) => "internal",
    }
}

#[async_trait]
impl Store for GuardedStore {
    fn backend(&self) -> Backend {
        self.inner.backend()
    }
    fn operations(&self) -> u64 {
        self.inner.operations()
    }
    async fn ping(&self) -> StoreResult<()> {
        self.within("ping", self.inner.ping()).await
    }
    async fn prepare(&self) -> StoreResult<()> {
        self.within("prepare", self.inner.prepare()).await
    }
    async fn articles(&self, ids: &[ArticleId]) -> StoreResult<Vec<Article>> {
        self.within("articles", self.inner.articles(ids)).await
    }
    async fn people(&self, ids: &[PersonId]) -> StoreResult<Vec<Person>> {
        self.within("people", self.inner.people(ids)).await
    }
    async fn organizations(&self, ids: &[OrganizationId]) -> StoreResult<Vec<Organization>> {
        self.within("organizations", self.inner.organizations(ids)).await
    }
    async fn quotes(&self, ids: &[QuoteId]) -> StoreResult<Vec<Quote>> {
        self.within("quotes", self.inner.quotes(ids)).await
    }
    async fn related_quotes(&self, relation: QuoteRelation, parents: &[String]) -> StoreResult<Vec<(String, Quote)>> {
        self.within("related_quotes", self.inner.related_quotes(relation, parents)).await
    }
    async fn related_articles(
        &self,
        relation: ArticleRelation,
        parents: &[String],
    ) -> StoreResult<Vec<(String, Article)>> {
        self.within("related_articles", self.inner.related_articles(relation, parents)).await
    }
    async fn related_people(&self, relation: PersonRelation, parents: &[String]) -> StoreResult<Vec<(String, Person)>> {
        self.within("related_people", self.inner.related_people(relation, parents)).await
    }
    async fn related_organizations(
        &self,
        relation: OrganizationRelation,
        parents: &[String],
    ) -> StoreResult<Vec<(String, Organization)>> {
        self.within("related_organizations", self.inner.related_organizations(relation, parents)).await
    }
    async fn find_articles(&self, filter: &ArticleFilter, sort: ArticleSort, page: &Page) -> StoreResult<Vec<Article>> {
        self.within("find_articles", self.inner.find_articles(filter, sort, page)).await
    }
    async fn count_articles(&self, filter: &ArticleFilter) -> StoreResult<u64> {
        self.within("count_articles", self.inner.count_articles(filter)).await
    }
    async fn find_quotes(&self, filter: &QuoteFilter, sort: QuoteSort, page: &Page) -> StoreResult<Vec<Quote>> {
        self.within("find_quotes", self.inner.find_quotes(filter, sort, page)).await
    }
    async fn count_quotes(&self, filter: &QuoteFilter) -> StoreResult<u64> {
        self.within("count_quotes", self.inner.count_quotes(filter)).await
    }
    async fn find_people(&self, filter: &PersonFilter, sort: NameSort, page: &Page) -> StoreResult<Vec<Person>> {
        self.within("find_people", self.inner.find_people(filter, sort, page)).await
    }
    async fn count_people(&self, filter: &PersonFilter) -> StoreResult<u64> {
        self.within("count_people", self.inner.count_people(filter)).await
    }
    async fn find_organizations(
        &self,
        filter: &OrganizationFilter,
        sort: NameSort,
        page: &Page,
    ) -> StoreResult<Vec<Organization>> {
        self.within("find_organizations", self.inner.find_organizations(filter, sort, page)).await
    }
    async fn count_organizations(&self, filter: &OrganizationFilter) -> StoreResult<u64> {
        self.within("count_organizations", self.inner.count_organizations(filter)).await
    }
    async fn search(&self, target: SearchTarget, query: &SearchQuery, page: &SearchPage) -> StoreResult<SearchHits> {
        self.within("search", self.inner.search(target, query, page)).await
    }
    async fn group_quotes(&self, filter: &QuoteFilter, group: QuoteGroup, limit: usize) -> StoreResult<Vec<Bucket>> {
        self.within("group_quotes", self.inner.group_quotes(filter, group, limit)).await
    }
    async fn counts(&self) -> StoreResult<Counts> {
        self.within("counts", self.inner.counts()).await
    }
    async fn person_by_name(&self, name: &str) -> StoreResult<Option<Person>> {
        self.within("person_by_name", self.inner.person_by_name(name)).await
    }
    async fn organization_by_name(&self, name: &str) -> StoreResult<Option<Organization>> {
        self.within("organization_by_name", self.inner.organization_by_name(name)).await
    }
    async fn people_by_names(&self, names: &[String]) -> StoreResult<Vec<Person>> {
        self.within("people_by_names", self.inner.people_by_names(names)).await
    }
    async fn organizations_by_names(&self, names: &[String]) -> StoreResult<Vec<Organization>> {
        self.within("organizations_by_names", self.inner.organizations_by_names(names)).await
    }
    async fn write(&self, batch: &GraphBatch) -> StoreResult<()> {
        self.within("write", self.inner.write(batch)).await
    }
    /// On the embedded store the load is one local transaction that takes as
    /// long as its size, with no network to stall: it is not bounded (a timeout
    /// could not stop the blocking thread anyway). Elsewhere each batch is a
    /// guarded [`Store::write`].
    async fn write_bulk(&self, mut batches: tokio::sync::mpsc::Receiver<GraphBatch>) -> StoreResult<()> {
        if self.inner.backend() == Backend::Embedded {
            let started = Instant::now();
            let result = self.inner.write_bulk(batches).await;
            metrics::store_call(self.inner.backend().as_str(), "write_bulk", outcome(&result), started.elapsed());
            return result;
        }
        while let Some(batch) = batches.recv().await {
            self.write(&batch).await?;
        }
        Ok(())
    }
    async fn statements(&self, ids: &[StatementId]) -> StoreResult<Vec<Statement>> {
        self.within("statements", self.inner.statements(ids)).await
    }
    async fn find_statements(
        &self,
        filter: &QuoteFilter,
        sort: StatementSort,
        page: &Page,
    ) -> StoreResult<Vec<Statement>> {
        self.within("find_statements", self.inner.find_statements(filter, sort, page)).await
    }
    async fn count_statements(&self, filter: &QuoteFilter) -> StoreResult<u64> {
        self.within("count_statements", self.inner.count_statements(filter)).await
    }
    async fn group_statements(
        &self,
        filter: &QuoteFilter,
        group: QuoteGroup,
        limit: usize,
    ) -> StoreResult<Vec<Bucket>> {
        self.within("group_statements", self.inner.group_statements(filter, group, limit)).await
    }
    /// Not bounded by the per-call timeout: a rebuild reads and writes every quote.
    async fn rebuild_statements(&self) -> StoreResult<u64> {
        let started = Instant::now();
        let result = self.inner.rebuild_statements().await;
        metrics::store_call(self.inner.backend().as_str(), "rebuild_statements", outcome(&result), started.elapsed());
        result
    }
    async fn changes_after(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
        self.within("changes_after", self.inner.changes_after(after, limit)).await
    }
    async fn last_change_seq(&self) -> StoreResult<u64> {
        self.within("last_change_seq", self.inner.last_change_seq()).await
    }

    async fn copy_candidates(&self, keys: &[i64], limit: usize) -> StoreResult<Vec<(ArticleId, usize)>> {
        self.within("copy_candidates", self.inner.copy_candidates(keys, limit)).await
    }
    async fn feed_state(&self, feed: &str) -> StoreResult<Option<FeedState>> {
        self.within("feed_state", self.inner.feed_state(feed)).await
    }
    async fn save_feed_state(&self, state: &FeedState) -> StoreResult<()> {
        self.within("save_feed_state", self.inner.save_feed_state(state)).await
    }
    async fn feed_items(&self, keys: &[String]) -> StoreResult<Vec<FeedItemRecord>> {
        self.within("feed_items", self.inner.feed_items(keys)).await
    }
    async fn claim_feed_item(&self, item: &FeedItemRecord) -> StoreResult<bool> {
        self.within("claim_feed_item", self.inner.claim_feed_item(item)).await
    }
    async fn save_feed_item(&self, item: &FeedItemRecord) -> StoreResult<()> {
        self.within("save_feed_item", self.inner.save_feed_item(item)).await
    }

    async fn quote_decisions(&self, quotes: &[QuoteId]) -> StoreResult<Vec<QuoteDecisions>> {
        self.within("quote_decisions", self.inner.quote_decisions(quotes)).await
    }

    async fn quote_decisions_by_anchor(&self, anchors: &[String]) -> StoreResult<Vec<QuoteDecisions>> {
        self.within("quote_decisions_by_anchor", self.inner.quote_decisions_by_anchor(anchors)).await
    }

    async fn write_correction(&self, correction: &super::corrections::CorrectionWrite) -> StoreResult<()> {
        self.within("write_correction", self.inner.write_correction(correction)).await
    }

    async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: usize,
        before: Option<&str>,
    ) -> StoreResult<Vec<AuditEntry>> {
        self.within("audit_entries", self.inner.audit_entries(filter, limit, before)).await
    }

    async fn count_audit_entries(&self, filter: &AuditFilter) -> StoreResult<u64> {
        self.within("count_audit_entries", self.inner.count_audit_entries(filter)).await
    }

    async fn merged_into(&self, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        self.within("merged_into", self.inner.merged_into(ids)).await
    }

    async fn recover_corrections(&self) -> StoreResult<u64> {
        self.within("recover_corrections", self.inner.recover_corrections()).await
    }
}
