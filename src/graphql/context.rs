//! What a resolver needs from the request: the store and the request's loaders,
//! and a helper to load a list of entities in order.

use super::connection::{self, Conn, PageArgs};
use super::error::{ApiError, ApiResult};
use super::loaders::{Loaders, StoreLoader};
use crate::domain::Entity;
use crate::store::Countable;
use crate::store::SharedStore;
use async_graphql::Context;
use async_graphql::OutputType;
use async_graphql::dataloader::Loader;
use std::hash::Hash;
use std::sync::Arc;

/// The store the schema was built with.
pub fn store<'a>(ctx: &Context<'a>) -> ApiResult<&'a SharedStore> {
    ctx.data::<SharedStore>().map_err(|_| {
        tracing::error!("schema built without a store");
        ApiError::Internal
    })
}

/// The loaders of this request.
pub fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    ctx.data::<Loaders>().map_err(|_| {
        tracing::error!("request executed without loaders");
        ApiError::Internal
    })
}

/// Loads one entity by id.
pub async fn load_one<K, T>(ctx: &Context<'_>, id: K) -> ApiResult<Option<Arc<T>>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    T: Send + Sync + 'static,
    StoreLoader: Loader<K, Value = Arc<T>, Error = ApiError>,
{
    loaders(ctx)?.load_one(id).await
}

/// Loads entities by id, in the order of `ids`, leaving out any that no longer exist.
pub async fn load_all<K, T>(ctx: &Context<'_>, ids: &[K]) -> ApiResult<Vec<Arc<T>>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    T: Send + Sync + 'static,
    StoreLoader: Loader<K, Value = Arc<T>, Error = ApiError>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = loaders(ctx)?.load_many(ids.iter().cloned()).await?;
    Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
}

/// Loads the children of `parent` through `relation`.
pub async fn load_related<R, T>(ctx: &Context<'_>, relation: R, parent: &str) -> ApiResult<Arc<Vec<Arc<T>>>>
where
    R: Send + Sync + Hash + Eq + Clone + 'static,
    T: Send + Sync + 'static,
    StoreLoader: Loader<super::loaders::Related<R>, Value = Arc<Vec<Arc<T>>>, Error = ApiError>,
{
    Ok(loaders(ctx)?.load_one(super::loaders::Related::new(relation, parent)).await?.unwrap_or_default())
}

/// A connection page over the children of `parent` through `relation`, ordered by id.
pub async fn related_page<R, T, N>(
    ctx: &Context<'_>,
    relation: R,
    parent: &str,
    first: Option<i32>,
    after: Option<String>,
    node: impl Fn(Arc<T>) -> N,
) -> ApiResult<Conn<N>>
where
    R: Send + Sync + Hash + Eq + Clone + 'static,
    T: Entity + Send + Sync + 'static,
    N: OutputType,
    StoreLoader: Loader<super::loaders::Related<R>, Value = Arc<Vec<Arc<T>>>, Error = ApiError>,
{
    let args = PageArgs::new(first, after)?;
    let children = load_related(ctx, relation, parent).await?;
    Ok(connection::from_sorted(children.to_vec(), &args, |c| c.key().to_owned(), node))
}

/// A connection page of a root list: `items` as fetched with
/// [`PageArgs::store_page`], and `totalCount` from a count query made only
/// when the client selected it.
pub async fn root_page<T, N>(
    ctx: &Context<'_>,
    items: Vec<T>,
    args: &PageArgs,
    countable: Countable,
    node: impl Fn(T) -> N,
) -> ApiResult<Conn<N>>
where
    T: Entity,
    N: OutputType,
{
    let total = if connection::wants_total(ctx) { store(ctx)?.count(&countable).await? } else { 0 };
    Ok(connection::from_store_page(items, args, total, |item| item.key().to_owned(), node))
}
