//! The GraphQL schema: types and root fields split by domain, merged here.
//!
//! - [`articles`], [`people`], [`organizations`], [`quotes`]: one domain each,
//!   its object type and its root fields.
//! - [`node`]: the Relay `Node` interface, `node(id:)` and `nodes(ids:)`.
//! - [`filters`]: filter and order inputs; [`search`]: full-text search;
//!   [`stats`]: dashboard aggregations.
//! - [`subscriptions`]: `quoteAdded` and `articleAdded`, fed by [`crate::feed`].
//! - [`ingest`]: the `ingestArticle` mutation; [`access`]: API keys for writes.
//! - [`corrections`]: editors' corrections, their audit log and `history`.
//! - [`loaders`]: the per-request DataLoaders that batch nested fields.
//! - [`connection`]: Relay connections, cursors and page-size caps.
//! - [`ids`]: global ids.
//! - [`error`]: the one mapping from internal errors to `extensions.code`;
//!   [`codes`] admits each request (the lexical caps measured by [`shape`]:
//!   tokens, aliases, directives; the parse; the depth limit) and adds codes
//!   to errors raised before execution. It runs per request, from the HTTP and
//!   websocket handlers, not as a schema extension (see its docs); documents
//!   it admitted are kept parsed by their text in [`document_cache`].
//!
//! - [`federation`]: the Apollo Federation v2 entity resolvers (`_entities`).
//! - [`persisted`]: automatic persisted queries and trusted documents, resolved
//!   per request before admission.
//! - [`trace`]: the span of each operation, for traces (name and type only).
//!
//! The schema is built once at start-up ([`build_schema`]) and shared; each
//! request gets fresh loaders through [`prepare_request`].

pub mod access;
pub mod articles;
pub mod codes;
pub mod connection;
mod context;
pub mod corrections;
mod depth;
pub mod document_cache;
pub mod error;
pub mod federation;
pub mod filters;
pub mod ids;
pub mod ingest;
pub mod loaders;
pub mod node;
pub mod organizations;
pub mod people;
pub mod persisted;
pub mod quotes;
pub mod search;
pub mod shape;
pub mod statements;
pub mod stats;
pub mod subscriptions;
pub mod trace;

use crate::feed::Feed;
use crate::store::SharedStore;
use async_graphql::{MergedObject, Schema};
pub use subscriptions::SubscriptionRoot;

/// The root query type.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    node::NodeQuery,
    articles::ArticleQuery,
    people::PersonQuery,
    organizations::OrganizationQuery,
    quotes::QuoteQuery,
    statements::StatementQuery,
    search::SearchRoot,
    stats::StatsRoot,
    federation::EntityQuery,
    corrections::CorrectionQuery,
);

/// The root mutation type.
#[derive(MergedObject, Default)]
pub struct MutationRoot(ingest::IngestMutation, corrections::CorrectionMutation, corrections::MergeMutation);

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits applied to every operation after parsing and before any resolver
/// runs: complexity and introspection by the schema, the others by
/// [`codes::Admission`].
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// Deepest selection nesting accepted.
    pub max_depth: usize,
    /// Highest cost accepted; a connection multiplies what is under it by its `first`.
    pub max_complexity: usize,
    /// Most aliases per document.
    pub max_aliases: usize,
    /// Most directives per document.
    pub max_directives: usize,
    /// Most tokens per document.
    pub max_tokens: usize,
    /// Whether the schema answers introspection queries.
    pub introspection: bool,
    /// Whether validation errors suggest field names ("Did you mean …").
    pub suggestions: bool,
    /// Whether `_service { sdl }` is answered even with introspection off (for a federation router).
    pub federation: bool,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 20_000,
            max_aliases: 30,
            max_directives: 50,
            max_tokens: 2000,
            introspection: true,
            suggestions: true,
            federation: false,
        }
    }
}

/// Builds the schema over `store`, its subscriptions fed by `feed`. Call once and share the result.
/// `ingestUrl` fetches pages with `fetcher`.
pub fn build_schema(
    store: SharedStore,
    feed: Feed,
    limits: &QueryLimits,
    writes: access::WritePolicy,
    fetcher: crate::ingest::fetch::Fetcher,
) -> AppSchema {
    let mut builder = Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot)
        .data(store)
        .data(feed)
        .data(writes)
        .data(fetcher)
        .data(std::sync::Arc::new(crate::corrections::Corrections::default()))
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(64)
        .enable_federation();
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// Adds what a request needs to execute: fresh DataLoaders over `store`, and who is calling.
pub fn prepare_request(
    request: async_graphql::Request,
    store: SharedStore,
    caller: access::Caller,
) -> async_graphql::Request {
    request.data(loaders::for_request(store)).data(caller)
}

/// The schema in SDL, as committed in `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot).enable_federation().finish().sdl()
}
