//! The subscription root: `quoteAdded`, `articleAdded` and `statementReported`, fed by the write
//! sequence through the server's [`Feed`].
//!
//! Each subscription takes the same filter input as its root list. For every
//! batch of changes the feed delivers, it runs the store's own filter query
//! (the root list's, narrowed to the ids the batch added, one query per batch)
//! so that it matches exactly what `quotes(filter:)` or `articles(filter:)`
//! would, and yields the matches in write order. The yielded objects resolve
//! like any other (`speaker`, `via`, `article`…) through the request's
//! DataLoaders, which cache nothing, so a long subscription holds no entities.
//!
//! A batch whose query fails is retried (the store may be restarting); after
//! [`ATTEMPTS`] failures the subscription ends with `STORE_UNAVAILABLE`. A
//! subscription that falls more than [`crate::feed::BROADCAST_CAPACITY`]
//! batches behind the feed ends with `EVENTS_DROPPED`.

use super::articles::ArticleNode;
use super::context::store;
use super::error::{ApiError, ApiResult};
use super::filters::{self, ArticleFilterInput, QuoteFilterInput};
use super::quotes::QuoteNode;
use super::statements::StatementNode;
use crate::domain::{ArticleId, QuoteId, StatementId};
use crate::feed::{Feed, Lagged, Listener};
use crate::store::{
    ArticleFilter, ArticleSort, ChangeKind, Page, QuoteFilter, QuoteSort, SharedStore, StatementSort, StoreError,
    StoreResult,
};
use async_graphql::{Context, Subscription};
use futures_util::stream::{BoxStream, Stream, StreamExt};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Tries per batch before a subscription gives up on an unavailable store.
pub const ATTEMPTS: u32 = 10;

/// Ids per filter query (the store's own cap on a listed condition is 200).
const CHUNK: usize = 200;

/// The listener registered when the subscribe message arrived, for the
/// resolver to take: registering then, not when the resolver first runs, means
/// a client that has sent its subscribe message misses no later write.
pub struct PendingListener(Mutex<Option<Listener>>);

impl PendingListener {
    pub fn new(listener: Listener) -> Self {
        Self(Mutex::new(Some(listener)))
    }

    fn take(&self) -> Option<Listener> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// The pending listener of this request, or a new one.
fn listener(ctx: &Context<'_>) -> ApiResult<Listener> {
    if let Some(listener) = ctx.data_opt::<PendingListener>().and_then(PendingListener::take) {
        return Ok(listener);
    }
    match ctx.data_opt::<Feed>() {
        Some(feed) => Ok(feed.listen()),
        None => {
            tracing::error!("schema built without a feed");
            Err(ApiError::Internal)
        }
    }
}

/// The root subscription type.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Statements as they are written (by ingest, seed, the `ingestArticle`
    /// mutation, any process on this store) that match `filter` (all when
    /// absent), in write order, each once. Only new statements: an edited
    /// article announces the statements it gained, not those it kept.
    async fn quote_added(
        &self,
        ctx: &Context<'_>,
        filter: Option<QuoteFilterInput>,
    ) -> Result<BoxStream<'static, ApiResult<QuoteNode>>, ApiError> {
        let filter = filters::quote_filter(filter.as_ref())?;
        let store = store(ctx)?.clone();
        let fetch = move |ids: Vec<String>| matching_quotes(store.clone(), filter.clone(), ids);
        Ok(added(listener(ctx)?, ChangeKind::Quote, fetch).boxed())
    }

    /// Statements as they gain a source: each time a write gives a statement an
    /// outlet or agency that had not carried it (its first report included,
    /// when that has a source), for the statements with a report matching
    /// `filter` (the quote filter, as in `statements(filter:)`; all when
    /// absent), in write order.
    async fn statement_reported(
        &self,
        ctx: &Context<'_>,
        filter: Option<QuoteFilterInput>,
    ) -> Result<BoxStream<'static, ApiResult<StatementNode>>, ApiError> {
        let filter = filters::quote_filter(filter.as_ref())?;
        let store = store(ctx)?.clone();
        let fetch = move |ids: Vec<String>| matching_statements(store.clone(), filter.clone(), ids);
        Ok(added(listener(ctx)?, ChangeKind::Statement, fetch).boxed())
    }

    /// Articles as they are written that match `filter` (all when absent), in
    /// write order, each once. An article written again (edited) is not announced again.
    async fn article_added(
        &self,
        ctx: &Context<'_>,
        filter: Option<ArticleFilterInput>,
    ) -> Result<BoxStream<'static, ApiResult<ArticleNode>>, ApiError> {
        let filter = filters::article_filter(filter.as_ref())?;
        let store = store(ctx)?.clone();
        let fetch = move |ids: Vec<String>| matching_articles(store.clone(), filter.clone(), ids);
        Ok(added(listener(ctx)?, ChangeKind::Article, fetch).boxed())
    }
}

/// Puts `items` in the order of `ids` (the write order).
fn in_order<T>(ids: &[String], items: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
    let position: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut items = items;
    items.sort_by_key(|item| position.get(id(item)).copied().unwrap_or(usize::MAX));
    items
}

/// The quotes among `ids` that match `filter`, as `quotes(filter:)` would find them, in the order of `ids`.
async fn matching_quotes(store: SharedStore, filter: QuoteFilter, ids: Vec<String>) -> StoreResult<Vec<QuoteNode>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let chunk = chunk.iter().map(|id| QuoteId::parse(id.clone())).collect::<Result<Vec<_>, _>>();
        let chunk = chunk.map_err(|e| StoreError::Internal(format!("a change names an invalid quote id: {e}")))?;
        let page = Page::first(chunk.len());
        let narrowed = QuoteFilter { ids: Some(chunk), all_of: vec![filter.clone()], ..QuoteFilter::default() };
        found.extend(store.find_quotes(&narrowed, QuoteSort::Id, &page).await?);
    }
    Ok(in_order(&ids, found, |q| q.id.as_str()).into_iter().map(|q| QuoteNode(Arc::new(q))).collect())
}

/// The statements among `ids` with a report matching `filter`, in the order of `ids`.
async fn matching_statements(
    store: SharedStore,
    filter: QuoteFilter,
    ids: Vec<String>,
) -> StoreResult<Vec<StatementNode>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let chunk = chunk.iter().map(|id| StatementId::parse(id.clone())).collect::<Result<Vec<_>, _>>();
        let chunk = chunk.map_err(|e| StoreError::Internal(format!("a change names an invalid statement id: {e}")))?;
        let page = Page::first(chunk.len());
        let narrowed = QuoteFilter { statements: Some(chunk), all_of: vec![filter.clone()], ..QuoteFilter::default() };
        found.extend(store.find_statements(&narrowed, StatementSort::FirstReportedDesc, &page).await?);
    }
    Ok(in_order(&ids, found, |s| s.id.as_str()).into_iter().map(|s| StatementNode(Arc::new(s))).collect())
}

/// The articles among `ids` that match `filter`, in the order of `ids`.
async fn matching_articles(
    store: SharedStore,
    filter: ArticleFilter,
    ids: Vec<String>,
) -> StoreResult<Vec<ArticleNode>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let chunk = chunk.iter().map(|id| ArticleId::parse(id.clone())).collect::<Result<Vec<_>, _>>();
        let chunk = chunk.map_err(|e| StoreError::Internal(format!("a change names an invalid article id: {e}")))?;
        let page = Page::first(chunk.len());
        let narrowed = ArticleFilter { ids: Some(chunk), all_of: vec![filter.clone()], ..ArticleFilter::default() };
        found.extend(store.find_articles(&narrowed, ArticleSort::Id, &page).await?);
    }
    Ok(in_order(&ids, found, |a| a.id.as_str()).into_iter().map(|a| ArticleNode(Arc::new(a))).collect())
}

/// Runs `attempt` until it succeeds, an error other than unavailability, or [`ATTEMPTS`] tries.
async fn with_retries<T, Fut: Future<Output = StoreResult<T>>>(attempt: impl Fn() -> Fut) -> StoreResult<T> {
    let mut delay = Duration::from_millis(100);
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(StoreError::Unavailable(detail)) if tries < ATTEMPTS => {
                tracing::warn!(%detail, tries, "a subscription cannot read its matches yet; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
                tries += 1;
            }
            other => return other,
        }
    }
}

/// What a subscription's stream holds between items.
struct State<F, N> {
    listener: Listener,
    fetch: F,
    pending: VecDeque<N>,
    ended: bool,
}

/// The stream of the entities of `kind` that each batch adds and `fetch` keeps.
fn added<N, F, Fut>(listener: Listener, kind: ChangeKind, fetch: F) -> impl Stream<Item = ApiResult<N>> + use<N, F, Fut>
where
    N: Send + 'static,
    F: Fn(Vec<String>) -> Fut + Send + 'static,
    Fut: Future<Output = StoreResult<Vec<N>>> + Send,
{
    let state = State { listener, fetch, pending: VecDeque::new(), ended: false };
    futures_util::stream::unfold(state, move |mut state| async move {
        if state.ended {
            return None;
        }
        loop {
            if let Some(node) = state.pending.pop_front() {
                return Some((Ok(node), state));
            }
            let batch = match state.listener.next().await? {
                Ok(batch) => batch,
                Err(Lagged(missed)) => {
                    state.ended = true;
                    return Some((Err(ApiError::EventsDropped(missed)), state));
                }
            };
            let ids: Vec<String> = batch.iter().filter(|c| c.kind == kind).map(|c| c.id.clone()).collect();
            if ids.is_empty() {
                continue;
            }
            match with_retries(|| (state.fetch)(ids.clone())).await {
                Ok(nodes) => state.pending.extend(nodes),
                Err(error) => {
                    state.ended = true;
                    return Some((Err(error.into()), state));
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_come_back_in_write_order() {
        let ids: Vec<String> = ["c", "a", "b"].iter().map(|s| s.to_string()).collect();
        let found = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(in_order(&ids, found, |s| s.as_str()), vec!["c", "a", "b"]);
    }
}
