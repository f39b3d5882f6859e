//! Articles: the `Article` type and the root fields that find articles.

use super::connection::{self, Conn, PageArgs};
use super::context::{load_all, load_one, load_related, related_page, store, total_if_wanted};
use super::error::{ApiError, ApiResult};
use super::filters::{self, ArticleFilterInput, ArticleOrder};
use super::ids::{self, NodeType};
use super::organizations::OrganizationNode;
use super::people::PersonNode;
use super::quotes::QuoteNode;
use crate::domain::{Article, ArticleId};
use crate::store::filter::article_sort_key;
use crate::store::{After, ArticleRelation, QuoteRelation};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A news article.
#[derive(Clone)]
pub struct ArticleNode(pub Arc<Article>);

/// A news article: its text, where it came from, who and what it mentions, and the statements it carries.
#[Object(name = "Article", cache_control(max_age = 300))]
impl ArticleNode {
    /// The global id (Relay `Node`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Article, self.0.id.as_str())
    }

    /// The article's own id, stable across re-imports.
    async fn key(&self) -> &str {
        self.0.id.as_str()
    }

    async fn headline(&self) -> &str {
        &self.0.headline
    }

    /// The full text. Quote spans are character offsets into it.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Where the story was filed from, e.g. "Vienna".
    async fn dateline(&self) -> Option<&str> {
        self.0.dateline.as_deref()
    }

    /// When it was published, when known.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// A BCP 47 language tag such as `en`.
    async fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }

    /// Subjects the article is about.
    async fn topics(&self) -> &[String] {
        &self.0.topics
    }

    /// The news outlet or agency that published the article, when known.
    async fn outlet(&self, ctx: &Context<'_>) -> ApiResult<Option<OrganizationNode>> {
        match &self.0.outlet {
            Some(id) => Ok(load_one(ctx, id.clone()).await?.map(OrganizationNode)),
            None => Ok(None),
        }
    }

    /// The people the article mentions.
    async fn people(&self, ctx: &Context<'_>) -> ApiResult<Vec<PersonNode>> {
        Ok(load_all(ctx, &self.0.people).await?.into_iter().map(PersonNode).collect())
    }

    /// The organizations the article mentions.
    async fn organizations(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrganizationNode>> {
        Ok(load_all(ctx, &self.0.organizations).await?.into_iter().map(OrganizationNode).collect())
    }

    /// The original report this article is a copy of: the earliest published
    /// article of the same story (a wire story republished by several sites).
    /// Null when the article is itself the original, or has no copies.
    async fn original(&self, ctx: &Context<'_>) -> ApiResult<Option<ArticleNode>> {
        match &self.0.copy_of {
            Some(id) => Ok(load_one(ctx, id.clone()).await?.map(ArticleNode)),
            None => Ok(None),
        }
    }

    /// The other articles of the same story (copies republished by other
    /// sites, and the original), earliest published first (undated last).
    /// Empty when no other site carried it.
    async fn copies(&self, ctx: &Context<'_>) -> ApiResult<Vec<ArticleNode>> {
        let root = self.0.copy_of.as_ref().unwrap_or(&self.0.id);
        let members: Arc<Vec<Arc<Article>>> = load_related(ctx, ArticleRelation::CopiesOf, root.as_str()).await?;
        let mut group: Vec<Arc<Article>> = members.iter().filter(|a| a.id != self.0.id).cloned().collect();
        if self.0.copy_of.is_some()
            && let Some(original) = load_one(ctx, root.clone()).await?
        {
            group.push(original);
        }
        group.sort_by(|a, b| {
            (a.published_at.is_none(), a.published_at, &a.id).cmp(&(b.published_at.is_none(), b.published_at, &b.id))
        });
        Ok(group.into_iter().map(ArticleNode).collect())
    }

    /// The statements in the article, in the order they appear in the body.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn quotes(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> ApiResult<Conn<QuoteNode>> {
        related_page(ctx, QuoteRelation::InArticle, self.0.id.as_str(), first, after, QuoteNode).await
    }
}

/// Root fields about articles.
#[derive(Default)]
pub struct ArticleQuery;

#[Object]
impl ArticleQuery {
    /// One article, by its global id or its own id (`key`).
    async fn article(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ArticleNode> {
        // A global id must be an article's; anything else is taken as a key.
        let raw = match ids::decode(&id) {
            Ok(_) => ids::decode_as(&id, NodeType::Article)?,
            Err(_) => id.to_string(),
        };
        let id = ArticleId::parse(raw).map_err(|e| ApiError::bad_input(e.to_string()))?;
        load_one(ctx, id.clone())
            .await?
            .map(ArticleNode)
            .ok_or_else(|| ApiError::not_found(format!("no article with id `{id}`")))
    }

    /// Articles matching `filter` (all when absent), newest first unless `orderBy` says otherwise.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        filter: Option<ArticleFilterInput>,
        #[graphql(default)] order_by: ArticleOrder,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<ArticleNode>> {
        let filter = filters::article_filter(filter.as_ref())?;
        let sort = order_by.into();
        let args = PageArgs::new(first, after)?;
        let store = store(ctx)?;
        let items = store.find_articles(&filter, sort, &args.store_page()).await?;
        let total = total_if_wanted(ctx, store.count_articles(&filter)).await?;
        Ok(connection::from_store_page(
            items,
            &args,
            total,
            |a| After { key: article_sort_key(a, sort), id: a.id.to_string() },
            |a| ArticleNode(Arc::new(a)),
        ))
    }
}
