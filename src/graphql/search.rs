//! The `search` root field: ranked full-text results over articles and quotes.

use super::articles::ArticleNode;
use super::connection::{self, Cursor, PageArgs};
use super::context::{loaders, store};
use super::error::{ApiError, ApiResult};
use super::loaders::StoreLoader;
use super::quotes::QuoteNode;
use crate::domain::{ArticleId, QuoteId};
use crate::search::SearchQuery;
use crate::store::{After, SearchHits, SearchPage, SearchTarget};
use async_graphql::connection::{Connection, ConnectionNameType, DefaultEdgeName, Edge, EmptyFields};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object, OutputType, SimpleObject};
use std::hash::Hash;
use std::sync::Arc;

/// Root field for full-text search.
#[derive(Default)]
pub struct SearchRoot;

#[Object]
impl SearchRoot {
    /// Full-text search. `query` is words (all must appear), `"quoted phrases"`,
    /// `+required` and `-excluded` words; case and accents are ignored. Results
    /// come best first, up to 1,000. `totalCount` is exact up to 10,000
    /// matches; past that it may be an estimate, and `totalCountIsEstimate`
    /// says so. When more than 1,000 match, the embedded store ranks the 1,000
    /// stored last, and equal scores come newest stored first there (by id on
    /// MongoDB).
    ///
    /// A story republished by several sites (copies) is found once, by its
    /// earliest report, and so is a statement the copies repeat, unless
    /// `includeCopies` is true.
    async fn search(
        &self,
        query: String,
        #[graphql(default = false)] include_copies: bool,
    ) -> ApiResult<SearchResults> {
        let query = SearchQuery::parse(&query).map_err(|e| ApiError::bad_input(e.to_string()))?;
        Ok(SearchResults { query, include_copies })
    }
}

/// The count of a search's matches.
#[derive(SimpleObject)]
pub struct SearchTotal {
    /// How many documents match, across all pages: exact up to 10,000; past
    /// that possibly an estimate (see `totalCountIsEstimate`).
    pub total_count: u64,
    /// Whether `totalCount` is an estimate. It is only when more than 10,000
    /// documents match a query of more than one word (the embedded store
    /// counts the 10,000 newest matches and extrapolates from how far back
    /// they reach); the estimate is then above 10,000 and at most the number of
    /// documents holding the query's rarest word.
    pub total_count_is_estimate: bool,
}

/// Names a search's connections `Search<Node>Connection`: they have the
/// fields of the other connections and `totalCountIsEstimate`.
pub struct SearchConnectionName;

impl ConnectionNameType for SearchConnectionName {
    fn type_name<T: OutputType>() -> String {
        format!("Search{}Connection", T::type_name())
    }
}

/// A connection over search results, with [`SearchTotal`].
pub type SearchConn<N> = Connection<Cursor, N, SearchTotal, EmptyFields, SearchConnectionName, DefaultEdgeName>;

/// Matches of one search.
pub struct SearchResults {
    query: SearchQuery,
    include_copies: bool,
}

/// The ranked matches of a search, among articles and among quotes.
#[Object(cache_control(max_age = 60))]
impl SearchResults {
    /// Articles whose headline or body match, best first.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<SearchConn<ArticleNode>> {
        let args = PageArgs::new(first, after)?;
        let hits = store(ctx)?
            .search(SearchTarget::Articles, &self.query, &search_page(ctx, &args, self.include_copies)?)
            .await?;
        ranked_connection(ctx, hits, &args, ArticleId::parse, ArticleNode).await
    }

    /// Quotes whose text matches, best first.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn quotes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<SearchConn<QuoteNode>> {
        let args = PageArgs::new(first, after)?;
        let hits = store(ctx)?
            .search(SearchTarget::Quotes, &self.query, &search_page(ctx, &args, self.include_copies)?)
            .await?;
        ranked_connection(ctx, hits, &args, QuoteId::parse, QuoteNode).await
    }
}

/// What the store is asked for: the page after the cursor, counted only when
/// the selection wants `totalCount`.
fn search_page(ctx: &Context<'_>, args: &PageArgs, include_copies: bool) -> ApiResult<SearchPage> {
    let after = match &args.after {
        Some(after) => {
            let score: f64 = after
                .key
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite())
                .ok_or_else(|| ApiError::bad_input("`after` is not a cursor of these search results"))?;
            Some((score, after.id.clone()))
        }
        None => None,
    };
    Ok(SearchPage { after, first: args.first, count: connection::wants_total(ctx), originals_only: !include_copies })
}

/// The page of `hits` (one more than the page when more follow), with the
/// entities loaded in one batch.
async fn ranked_connection<K, T, N>(
    ctx: &Context<'_>,
    mut hits: SearchHits,
    args: &PageArgs,
    parse: fn(String) -> Result<K, crate::domain::IdError>,
    node: fn(Arc<T>) -> N,
) -> ApiResult<SearchConn<N>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    T: Send + Sync + 'static,
    N: OutputType,
    StoreLoader: Loader<K, Value = Arc<T>, Error = ApiError>,
{
    let has_next = hits.hits.len() > args.first;
    hits.hits.truncate(args.first);
    let keys = hits
        .hits
        .iter()
        .map(|(id, _)| parse(id.clone()))
        .collect::<Result<Vec<K>, _>>()
        .map_err(|_| ApiError::Internal)?;
    let found = loaders(ctx)?.load_many(keys.iter().cloned()).await?;
    // Not asked for when `None`: the field is not in the selection.
    let total = SearchTotal { total_count: hits.total.unwrap_or(0), total_count_is_estimate: hits.total_is_estimate };
    let mut connection = Connection::with_additional_fields(args.after.is_some(), has_next, total);
    // A hit whose entity vanished between the search and the load is left out.
    connection.edges.extend(hits.hits.into_iter().zip(keys).filter_map(|((id, score), key)| {
        found.get(&key).map(|entity| Edge::new(Cursor(After { key: score_key(score), id }), node(entity.clone())))
    }));
    Ok(connection)
}

/// The sort key of a hit in a cursor: its score, exactly.
fn score_key(score: f64) -> String {
    format!("{score:e}")
}
