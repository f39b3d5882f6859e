//! The command line: `serve` (the default), `seed` and `schema`, over the shared settings.

use crate::config::Settings;
use clap::{Parser, Subcommand};

/// newsgraph: who said what, where, and who reported it — a GraphQL API over a news graph.
#[derive(Debug, Parser)]
#[command(name = "newsgraph", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API, the playground and the health endpoints (the default).
    Serve,
    /// Load the seed graph into the configured store. Safe to run again: nothing is duplicated.
    Seed,
    /// Print the GraphQL schema (SDL).
    Schema,
}
