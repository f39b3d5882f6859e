//! HTTP tests: the real server on port 0, on the embedded store and on MongoDB
//! (FerretDB), driven the way a client drives it.

#[path = "../support/mod.rs"]
mod support;

mod helpers;

mod caching;
mod clients;
mod copies;
mod corrections;
mod dashboard;
mod dashboard_live;
mod errors;
mod export;
mod federation;
mod feeds;
mod fetch;
mod graph;
mod health;
mod ingest;
mod malformed;
mod persisted;
mod playground;
mod queries;
mod roundtrips;
mod security;
mod statements;
mod subscriptions;
