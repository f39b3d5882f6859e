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
    /// Print what extraction finds in article texts, as JSON, without touching any store.
    Extract(ExtractArgs),
    /// Extract article texts and merge them into the configured store.
    Ingest(IngestArgs),
    /// Write a deterministic synthetic corpus into the configured store.
    Generate(GenerateArgs),
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Score extraction on a directory of `NN.txt` texts with `NN.gold.json` beside them.
    Eval(EvalArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExtractArgs {
    /// Article text files (UTF-8).
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
    /// Write `DIR/<file stem>.json` per input instead of printing.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct IngestArgs {
    /// Files, directories (read recursively), `-` for standard input or http(s) URLs (fetched
    /// with the `--fetch-*` settings; private addresses refused unless allowed): article text (UTF-8; a
    /// short first line followed by a blank line is the headline), HTML pages or NDJSON (one
    /// article a line: `text` or `html`, and `headline`, `url`, `outlet`, `publishedAt`, `language`),
    /// told apart by their content.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
    /// The outlet that published these articles, when an article or page does not say.
    #[arg(long)]
    pub outlet: Option<String>,
    /// Language tag of these articles.
    #[arg(long)]
    pub language: Option<String>,
    /// Publication time (RFC 3339) of these articles.
    #[arg(long)]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// Directory of `NN.txt` and `NN.gold.json` pairs.
    pub gold_dir: std::path::PathBuf,
    /// List the missed, spurious and misattributed quotes of each file.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum KeyCommand {
    /// Print a fresh random API key, and the line that authorizes it in a keys file.
    Generate,
}

#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// How many articles (about three quotes each).
    #[arg(long, default_value_t = 10_000)]
    pub articles: usize,
    /// The same seed and size always give the same corpus.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Articles per write.
    #[arg(long, default_value_t = crate::generate::DEFAULT_BATCH)]
    pub batch: usize,
}
