//! The Relay `Node` interface: any entity, refetched by its global id.

use super::articles::ArticleNode;
use super::context::load_one;
use super::error::{ApiError, ApiResult};
use super::ids::{self, NodeType};
use super::organizations::OrganizationNode;
use super::people::PersonNode;
use super::quotes::QuoteNode;
use super::statements::StatementNode;
use crate::domain::{ArticleId, OrganizationId, PersonId, QuoteId, StatementId};
use async_graphql::{Context, ID, Interface, Object};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global id."))]
pub enum Node {
    Article(ArticleNode),
    Person(PersonNode),
    Organization(OrganizationNode),
    Quote(QuoteNode),
    Statement(StatementNode),
}

/// The `node` root field.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any entity, by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Node> {
        let (node_type, raw) = ids::decode(&id)?;
        resolve(ctx, node_type, raw)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("nothing has the id `{}`", ids::preview(&id))))
    }

    /// Entities by global id, in the order asked (at most 100); `null` for ids
    /// that name nothing. Loaded in one batch per type.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(format!("`nodes` takes at most {MAX_NODES} ids")));
        }
        let decoded = ids.iter().map(|id| ids::decode(id)).collect::<ApiResult<Vec<_>>>()?;
        // Resolving all together lets the loaders batch each type into one call.
        futures_util::future::try_join_all(decoded.into_iter().map(|(node_type, raw)| resolve(ctx, node_type, raw)))
            .await
    }
}

/// The most ids `nodes` takes.
const MAX_NODES: usize = 100;

async fn resolve(ctx: &Context<'_>, node_type: NodeType, raw: String) -> ApiResult<Option<Node>> {
    let bad = |e: crate::domain::IdError| ApiError::bad_input(e.to_string());
    Ok(match node_type {
        NodeType::Article => {
            load_one(ctx, ArticleId::parse(raw).map_err(bad)?).await?.map(|a| Node::Article(ArticleNode(a)))
        }
        NodeType::Person => {
            let id = PersonId::parse(raw).map_err(bad)?;
            match load_one(ctx, id.clone()).await? {
                Some(person) => Some(Node::Person(PersonNode(person))),
                // A person merged into another resolves to the survivor.
                None => super::corrections::merged_person(ctx, &id).await?.map(Node::Person),
            }
        }
        NodeType::Organization => load_one(ctx, OrganizationId::parse(raw).map_err(bad)?)
            .await?
            .map(|o| Node::Organization(OrganizationNode(o))),
        NodeType::Quote => {
            let id = QuoteId::parse(raw).map_err(bad)?;
            match load_one(ctx, id.clone()).await? {
                Some(quote) => Some(Node::Quote(QuoteNode(quote))),
                // A rejected quote stays reachable by id, with its history.
                None => super::corrections::rejected_quote(ctx, &id).await?.map(Node::Quote),
            }
        }
        NodeType::Statement => {
            load_one(ctx, StatementId::parse(raw).map_err(bad)?).await?.map(|s| Node::Statement(StatementNode(s)))
        }
    })
}
