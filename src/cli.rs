//! The command line: `serve` (the default), `seed`, `schema` and the batch
//! commands, over the shared settings.
//!
//! Every setting is a global flag, so `newsgraph --data-dir d ingest …` and
//! `newsgraph ingest --data-dir d …` both work; [`command`] hides, in each
//! subcommand's `--help`, the settings that subcommand never reads (no
//! websocket limits under `ingest`), as listed by [`settings_used_by`].

use crate::config::Settings;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

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
    /// Write the quotes or articles a filter matches, as CSV, NDJSON or JSON-LD.
    Export(ExportArgs),
    /// Poll the feeds of a feeds file (RSS, Atom, JSON Feed) and ingest their new items, on their schedules.
    Watch(WatchArgs),
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Score extraction on a directory of `NN.txt` texts with `NN.gold.json` beside them.
    Eval(EvalArgs),
    /// Statements across reports (the same words of one speaker in several articles).
    #[command(subcommand)]
    Statements(StatementsCommand),
}

/// `newsgraph statements …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum StatementsCommand {
    /// Join every stored quote into statements again, from nothing: for a store written
    /// before statements existed, or after the joining rule changed. Writes keep statements
    /// current on their own; run this with no other writer.
    Rebuild,
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
pub struct WatchArgs {
    /// The feeds file (TOML): top-level `host_delay` and `max_backoff`, a `[defaults]` table
    /// (`interval`, `max_items_per_poll`, `language`, `outlet`, `use_item_content`) and one
    /// `[[feed]]` table per feed with its `url` and any of those settings. Example:
    /// `[[feed]]` `url = "https://courier.example/rss.xml"` `outlet = "Coastline Courier"` `interval = "10m"`.
    pub file: std::path::PathBuf,
    /// Poll every feed once, now, and exit (non-zero if a poll failed), instead of polling on schedule.
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub kind: crate::export::Kind,
    /// How to write it: CSV with a header row, one JSON object per line, or JSON-LD (schema.org).
    #[arg(long, value_enum, default_value_t = crate::export::Format::Csv)]
    pub format: crate::export::Format,
    /// Which rows: the JSON of the GraphQL filter input (`QuoteFilterInput` or `ArticleFilterInput`),
    /// e.g. '{"via": ["afp"], "date": {"from": "2016-05-01", "to": "2016-05-31"}}'.
    #[arg(long)]
    pub filter: Option<String>,
    /// The order: `DATE_DESC` (default), `DATE_ASC` or `ID` for quotes; `PUBLISHED_AT_DESC` (default),
    /// `PUBLISHED_AT_ASC` or `ID` for articles.
    #[arg(long)]
    pub order_by: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
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
    Generate(KeyGenerateArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct KeyGenerateArgs {
    /// Who the key belongs to: the author of the corrections it makes (letters, digits, `-`, `_`, `.`, `@`).
    #[arg(long)]
    pub name: Option<String>,
    /// What it may do, comma-separated: `read`, `ingest`, `edit` (corrections), `admin` (merges, and everything).
    #[arg(long, default_value = "read,ingest")]
    pub scope: String,
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

/// The settings (clap ids, the field names of [`Settings`]) that open the configured store.
/// The settings of page fetches (`ingest` of http(s) URLs).
const FETCH_SETTINGS: &[&str] =
    &["fetch_allow_private", "fetch_timeout_ms", "fetch_connect_timeout_ms", "fetch_max_bytes"];

const STORE_SETTINGS: &[&str] = &[
    "mongodb_uri",
    "database",
    "mongodb_write_concern",
    "mongodb_journal",
    "data_dir",
    "in_memory",
    "store_timeout_ms",
];

/// The settings a subcommand reads, by its name (`key generate` is `key`);
/// `None` for `serve`, which reads them all. `log_format` applies everywhere.
pub fn settings_used_by(subcommand: &str) -> Option<Vec<&'static str>> {
    let with = |groups: &[&[&'static str]]| Some(groups.iter().flat_map(|g| g.iter().copied()).collect());
    match subcommand {
        "serve" => None,
        "seed" => with(&[STORE_SETTINGS, &["seed_dir", "log_format"]]),
        "ingest" | "watch" => with(&[STORE_SETTINGS, FETCH_SETTINGS, &["lexicon_dir", "log_format"]]),
        "generate" | "export" | "statements" => with(&[STORE_SETTINGS, &["log_format"]]),
        "extract" | "eval" => with(&[&["lexicon_dir", "log_format"]]),
        _ => with(&[&["log_format"]]),
    }
}

/// The command line, with each subcommand's `--help` listing only the settings it reads.
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    let settings: Vec<clap::Arg> = command.get_arguments().filter(|a| a.is_global_set()).cloned().collect();
    let names: Vec<String> = command.get_subcommands().map(|c| c.get_name().to_owned()).collect();
    for name in names {
        let Some(used) = settings_used_by(&name) else { continue };
        // clap copies a global setting into each subcommand that does not
        // already have one of the same id: give the subcommand a hidden copy
        // of each setting it does not read (still accepted, still global for
        // its own subcommands, never listed).
        let hidden: Vec<clap::Arg> =
            settings.iter().filter(|a| !used.contains(&a.get_id().as_str())).map(|a| a.clone().hide(true)).collect();
        command = command.mut_subcommand(&name, |sub| sub.args(hidden));
    }
    command
}

impl Cli {
    /// Parses the process's arguments (exiting with the usage on an error), through [`command`].
    pub fn parse_args() -> Self {
        let matches = command().get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_setting_is_a_setting() {
        let ids: Vec<String> = Cli::command().get_arguments().map(|a| a.get_id().to_string()).collect();
        for name in ["seed", "ingest", "watch", "generate", "export", "extract", "eval", "schema", "key", "statements"]
        {
            for id in settings_used_by(name).unwrap() {
                assert!(ids.iter().any(|i| i == id), "{name} lists `{id}`, which is no setting");
            }
        }
    }

    #[test]
    fn a_subcommand_still_accepts_its_settings_after_its_name() {
        let matches = command()
            .try_get_matches_from(["newsgraph", "ingest", "--data-dir", "elsewhere", "a.txt"])
            .expect("parses");
        let cli = Cli::from_arg_matches(&matches).unwrap();
        assert_eq!(cli.settings.data_dir, std::path::PathBuf::from("elsewhere"));
        assert!(matches!(cli.command, Some(Command::Ingest(_))));
    }
}
