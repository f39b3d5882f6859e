//! Apollo Federation v2: with `NEWSGRAPH_FEDERATION=true` the schema is a
//! subgraph, answering `_service { sdl }` and `_entities(representations:)`.
//! `Article`, `Person`, `Organization` and `Quote` are entities keyed by their
//! own id (`@key(fields: "key")`), so a router can join them with another
//! subgraph's types. Entities load through the request's DataLoaders, as
//! `nodes(ids:)` does: a router's batch of representations of one type is one
//! store call.

use super::articles::ArticleNode;
use super::context::load_one;
use super::error::{ApiError, ApiResult};
use super::organizations::OrganizationNode;
use super::people::PersonNode;
use super::quotes::QuoteNode;
use crate::domain::{ArticleId, IdError, OrganizationId, PersonId, QuoteId};
use async_graphql::{Context, Object};

/// The entity resolvers (hidden from the schema's own fields; reached through `_entities`).
#[derive(Default)]
pub struct EntityQuery;

fn bad(error: IdError) -> ApiError {
    ApiError::bad_input(error.to_string())
}

#[Object]
impl EntityQuery {
    #[graphql(entity)]
    async fn article_by_key(&self, ctx: &Context<'_>, key: String) -> ApiResult<Option<ArticleNode>> {
        Ok(load_one(ctx, ArticleId::parse(key).map_err(bad)?).await?.map(ArticleNode))
    }

    #[graphql(entity)]
    async fn person_by_key(&self, ctx: &Context<'_>, key: String) -> ApiResult<Option<PersonNode>> {
        Ok(load_one(ctx, PersonId::parse(key).map_err(bad)?).await?.map(PersonNode))
    }

    #[graphql(entity)]
    async fn organization_by_key(&self, ctx: &Context<'_>, key: String) -> ApiResult<Option<OrganizationNode>> {
        Ok(load_one(ctx, OrganizationId::parse(key).map_err(bad)?).await?.map(OrganizationNode))
    }

    #[graphql(entity)]
    async fn quote_by_key(&self, ctx: &Context<'_>, key: String) -> ApiResult<Option<QuoteNode>> {
        Ok(load_one(ctx, QuoteId::parse(key).map_err(bad)?).await?.map(QuoteNode))
    }
}
