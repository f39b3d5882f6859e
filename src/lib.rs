//! newsgraph: a GraphQL API over a graph of news articles, the people and
//! organizations they mention, the statements they carry, and the sources that
//! reported them.
//!
//! Data flows one way: HTTP → GraphQL → the [`store::Store`] trait → a database.
//!
//! - [`cli`]: the command line (`serve`, `seed`, `schema`, `extract`, `ingest`, `watch`, `eval`);
//!   [`commands`] runs the batch ones.
//! - [`config`]: every setting, from defaults, environment variables and flags.
//! - [`telemetry`]: the log subscriber; [`metrics`]: Prometheus metrics.
//! - [`startup`]: builds the application — store, schema, listener.
//! - [`http`]: routes — `/graphql`, the playground, `/healthz`, `/readyz`, `/metrics` —
//!   and the edge defences (request ids, rate limit, CSRF, CORS, body and batch caps).
//! - [`graphql`]: the schema, resolvers, DataLoaders, connections, error codes.
//! - [`domain`]: the plain types of the graph and their rules.
//! - [`store`]: the storage interface and its SQLite and MongoDB backends.
//! - [`feed`]: the one tailer per process that reads the store's write sequence
//!   and fans it out to subscriptions.
//! - [`seed`]: loading and validating the curated graph in `seed/`.
//! - [`export`]: quotes and articles a filter matches as CSV, NDJSON or JSON-LD,
//!   streamed page by page (`/export/…`, `newsgraph export`).
//! - [`statements`]: joining quotes that report the same words into statements.
//! - [`ingest`]: article text, HTML pages and NDJSON → extraction (crate `newsgraph-extract`) → resolution → writes;
//!   `ingest::feeds` polls RSS, Atom and JSON Feed into the same path (`watch`, `serve --feeds`).

pub mod cli;
pub mod commands;
pub mod config;
pub mod corrections;
pub mod domain;
pub mod export;
pub mod feed;
pub mod generate;
pub mod graphql;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod search;
pub mod seed;
pub mod startup;
pub mod statements;
pub mod store;
pub mod telemetry;
