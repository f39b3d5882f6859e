//! The GraphQL schema: types and root fields split by domain, merged here.
//!
//! - [`articles`], [`people`], [`organizations`], [`quotes`]: one domain each,
//!   its object type and its root fields.
//! - [`node`]: the Relay `Node` interface and `node(id:)`.
//! - [`loaders`]: the per-request DataLoaders that batch nested fields.
//! - [`connection`]: Relay connections, cursors and page-size caps.
//! - [`ids`]: global ids.
//! - [`error`]: the one mapping from internal errors to `extensions.code`;
//!   [`codes`] adds codes to errors raised before execution.
//!
//! The schema is built once at start-up ([`build_schema`]) and shared; each
//! request gets fresh loaders through [`prepare_request`].

pub mod articles;
pub mod codes;
pub mod connection;
mod context;
pub mod error;
pub mod ids;
pub mod loaders;
pub mod node;
pub mod organizations;
pub mod people;
pub mod quotes;

use crate::store::SharedStore;
use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};

/// The root query type.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    node::NodeQuery,
    articles::ArticleQuery,
    people::PersonQuery,
    organizations::OrganizationQuery,
    quotes::QuoteQuery,
);

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Limits applied to every operation after parsing and before any resolver runs.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// Deepest selection nesting accepted.
    pub max_depth: usize,
    /// Highest cost accepted; a connection multiplies what is under it by its `first`.
    pub max_complexity: usize,
    /// Whether the schema answers introspection queries.
    pub introspection: bool,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 20_000,
            introspection: true,
        }
    }
}

/// Builds the schema over `store`. Call once and share the result.
pub fn build_schema(store: SharedStore, limits: &QueryLimits) -> AppSchema {
    let mut builder = Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .data(store)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(64)
        .extension(codes::ErrorCodes);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// Adds what a request needs to execute: fresh DataLoaders over `store`.
pub fn prepare_request(
    request: async_graphql::Request,
    store: SharedStore,
) -> async_graphql::Request {
    request.data(loaders::for_request(store))
}

/// The schema in SDL, as committed in `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}
