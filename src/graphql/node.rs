//! The Relay `Node` interface: any entity, refetched by its global id.

use super::articles::ArticleNode;
use super::context::load_one;
use super::error::{ApiError, ApiResult};
use super::ids::{self, NodeType};
use super::organizations::OrganizationNode;
use super::people::PersonNode;
use super::quotes::QuoteNode;
use crate::domain::{ArticleId, OrganizationId, PersonId, QuoteId};
use async_graphql::{Context, ID, Interface, Object};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global id."))]
pub enum Node {
    Article(ArticleNode),
    Person(PersonNode),
    Organization(OrganizationNode),
    Quote(QuoteNode),
}

/// The `node` root field.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any entity, by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Node> {
        let (node_type, raw) = ids::decode(&id)?;
        let bad = |e: crate::domain::IdError| ApiError::bad_input(e.to_string());
        let found = match node_type {
            NodeType::Article => {
                load_one(ctx, ArticleId::parse(raw).map_err(bad)?).await?.map(|a| Node::Article(ArticleNode(a)))
            }
            NodeType::Person => {
                load_one(ctx, PersonId::parse(raw).map_err(bad)?).await?.map(|p| Node::Person(PersonNode(p)))
            }
            NodeType::Organization => load_one(ctx, OrganizationId::parse(raw).map_err(bad)?)
                .await?
                .map(|o| Node::Organization(OrganizationNode(o))),
            NodeType::Quote => {
                load_one(ctx, QuoteId::parse(raw).map_err(bad)?).await?.map(|q| Node::Quote(QuoteNode(q)))
            }
        };
        found.ok_or_else(|| ApiError::not_found(format!("nothing has the id `{}`", ids::preview(&id))))
    }
}
