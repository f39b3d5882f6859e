//! DataLoaders over the store, created per request.
//!
//! Every nested field loads through [`StoreLoader`]: entities by id, and
//! relations (an article's quotes, a source's reported quotes…) by parent id.
//! Keys requested while one level of the query is resolved are gathered into
//! one store call, so a nested query costs a fixed number of round trips per
//! level, whatever the number of items.
//!
//! The batching delay is zero. Actix runs each request on a single-threaded
//! runtime, and async-graphql resolves the fields of one level by polling all of
//! them before the loader's task gets to run, so every key of a level is queued
//! before the batch is taken; a delay would only add latency per level (1 ms by
//! default). The round-trip test in `tests/api` holds us to that.
//!
//! Each batch's size is recorded in `newsgraph_dataloader_batch_size{kind}`,
//! and each batch runs in a `dataloader.batch` span (for traces).

use super::error::ApiError;
use crate::domain::{
    Article, ArticleId, Organization, OrganizationId, Person, PersonId, Quote, QuoteId, Statement, StatementId,
};
use crate::metrics;
use crate::store::{ArticleRelation, OrganizationRelation, PersonRelation, QuoteRelation, SharedStore};
use crate::telemetry::SPANS;
use async_graphql::dataloader::{DataLoader, Loader};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument as _;

/// Loads entities and relations from the store in batches.
pub struct StoreLoader {
    store: SharedStore,
}

/// The request-scoped loader, put into each request's data.
pub type Loaders = DataLoader<StoreLoader>;

/// A fresh loader for one request. Its batches run as tasks of their own, in
/// the span of the field that started them (so that traces show them under
/// their operation).
pub fn for_request(store: SharedStore) -> Loaders {
    DataLoader::new(StoreLoader { store }, |batch| tokio::spawn(batch.instrument(tracing::Span::current())))
        .delay(Duration::ZERO)
}

/// Records a batch of `keys` keys (`newsgraph_dataloader_batch_size{kind}`)
/// and returns the span to run it in (`dataloader.batch`, for traces).
fn batch(kind: &'static str, keys: usize) -> tracing::Span {
    metrics::loader_batch(kind, keys);
    tracing::info_span!(target: SPANS, "dataloader.batch", dataloader.kind = kind, dataloader.keys = keys)
}

/// The key of a relation: which relation, from which parent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Related<R> {
    pub relation: R,
    pub parent: String,
}

impl<R> Related<R> {
    pub fn new(relation: R, parent: impl Into<String>) -> Self {
        Self { relation, parent: parent.into() }
    }
}

/// The children of one parent, shared between the fields that use them.
pub type Children<T> = Arc<Vec<Arc<T>>>;

fn by_id<K, T>(items: Vec<T>, id: impl Fn(&T) -> &K) -> HashMap<K, Arc<T>>
where
    K: Clone + Eq + Hash,
{
    items.into_iter().map(|item| (id(&item).clone(), Arc::new(item))).collect()
}

impl Loader<ArticleId> for StoreLoader {
    type Value = Arc<Article>;
    type Error = ApiError;

    async fn load(&self, keys: &[ArticleId]) -> Result<HashMap<ArticleId, Self::Value>, Self::Error> {
        let span = batch("articles", keys.len());
        async { Ok::<_, ApiError>(by_id(self.store.articles(keys).await?, |a| &a.id)) }.instrument(span).await
    }
}

impl Loader<PersonId> for StoreLoader {
    type Value = Arc<Person>;
    type Error = ApiError;

    async fn load(&self, keys: &[PersonId]) -> Result<HashMap<PersonId, Self::Value>, Self::Error> {
        let span = batch("people", keys.len());
        async { Ok::<_, ApiError>(by_id(self.store.people(keys).await?, |p| &p.id)) }.instrument(span).await
    }
}

impl Loader<OrganizationId> for StoreLoader {
    type Value = Arc<Organization>;
    type Error = ApiError;

    async fn load(&self, keys: &[OrganizationId]) -> Result<HashMap<OrganizationId, Self::Value>, Self::Error> {
        let span = batch("organizations", keys.len());
        async { Ok::<_, ApiError>(by_id(self.store.organizations(keys).await?, |o| &o.id)) }.instrument(span).await
    }
}

impl Loader<QuoteId> for StoreLoader {
    type Value = Arc<Quote>;
    type Error = ApiError;

    async fn load(&self, keys: &[QuoteId]) -> Result<HashMap<QuoteId, Self::Value>, Self::Error> {
        let span = batch("quotes", keys.len());
        async { Ok::<_, ApiError>(by_id(self.store.quotes(keys).await?, |q| &q.id)) }.instrument(span).await
    }
}

impl Loader<StatementId> for StoreLoader {
    type Value = Arc<Statement>;
    type Error = ApiError;

    async fn load(&self, keys: &[StatementId]) -> Result<HashMap<StatementId, Self::Value>, Self::Error> {
        metrics::loader_batch("statements", keys.len());
        Ok(by_id(self.store.statements(keys).await?, |s| &s.id))
    }
}

/// Groups relation keys by relation, runs `fetch` once per relation, and files
/// the `(parent, child)` pairs under their keys; parents without children get
/// an empty list.
async fn load_related<R, T, F, Fut>(keys: &[Related<R>], fetch: F) -> Result<HashMap<Related<R>, Children<T>>, ApiError>
where
    R: Copy + Eq + Hash,
    F: Fn(R, Vec<String>) -> Fut,
    Fut: std::future::Future<Output = crate::store::StoreResult<Vec<(String, T)>>>,
{
    let mut parents_by_relation: HashMap<R, Vec<String>> = HashMap::new();
    for key in keys {
        parents_by_relation.entry(key.relation).or_default().push(key.parent.clone());
    }
    let mut grouped: HashMap<Related<R>, Vec<Arc<T>>> = keys.iter().map(|key| (key.clone(), Vec::new())).collect();
    for (relation, parents) in parents_by_relation {
        for (parent, child) in fetch(relation, parents).await? {
            if let Some(children) = grouped.get_mut(&Related { relation, parent }) {
                children.push(Arc::new(child));
            }
        }
    }
    Ok(grouped.into_iter().map(|(key, children)| (key, Arc::new(children))).collect())
}

impl Loader<Related<QuoteRelation>> for StoreLoader {
    type Value = Children<Quote>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[Related<QuoteRelation>],
    ) -> Result<HashMap<Related<QuoteRelation>, Self::Value>, Self::Error> {
        let span = batch("related_quotes", keys.len());
        async {
            load_related(keys, |relation, parents| async move { self.store.related_quotes(relation, &parents).await })
                .await
        }
        .instrument(span)
        .await
    }
}

impl Loader<Related<ArticleRelation>> for StoreLoader {
    type Value = Children<Article>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[Related<ArticleRelation>],
    ) -> Result<HashMap<Related<ArticleRelation>, Self::Value>, Self::Error> {
        let span = batch("related_articles", keys.len());
        async {
            load_related(keys, |relation, parents| async move { self.store.related_articles(relation, &parents).await })
                .await
        }
        .instrument(span)
        .await
    }
}

impl Loader<Related<PersonRelation>> for StoreLoader {
    type Value = Children<Person>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[Related<PersonRelation>],
    ) -> Result<HashMap<Related<PersonRelation>, Self::Value>, Self::Error> {
        let span = batch("related_people", keys.len());
        async {
            load_related(keys, |relation, parents| async move { self.store.related_people(relation, &parents).await })
                .await
        }
        .instrument(span)
        .await
    }
}

impl Loader<Related<OrganizationRelation>> for StoreLoader {
    type Value = Children<Organization>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[Related<OrganizationRelation>],
    ) -> Result<HashMap<Related<OrganizationRelation>, Self::Value>, Self::Error> {
        let span = batch("related_organizations", keys.len());
        async {
            load_related(
                keys,
                |relation, parents| async move { self.store.related_organizations(relation, &parents).await },
            )
            .await
        }
        .instrument(span)
        .await
    }
}
