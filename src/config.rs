//! Every setting of the server, in one typed struct.
//!
//! Each setting has a default, can be set by an environment variable, and by a
//! command-line flag that wins over the variable (clap's `env` support, so
//! `newsgraph --help` documents them all with their variables). Secrets — the
//! MongoDB URI may carry a password — are held in a redacting type and never
//! printed.

use crate::feed::FeedSettings;
use crate::graphql::QueryLimits;
use crate::graphql::access::{self, WritePolicy};
use crate::http::ws::WsLimits;
use crate::ingest::fetch::FetchSettings;
use clap::{ArgAction, Args, ValueEnum};
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Duration;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The server's settings. Flags override environment variables, which override defaults.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address the HTTP server listens on (port 0 picks a free port).
    #[arg(long, env = "NEWSGRAPH_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,

    /// MongoDB connection string. When set, MongoDB is the store; otherwise the embedded store is used.
    #[arg(long, env = "NEWSGRAPH_MONGODB_URI", value_parser = parse_secret, hide_env_values = true, global = true)]
    pub mongodb_uri: Option<SecretString>,

    /// MongoDB database name.
    #[arg(long, env = "NEWSGRAPH_DATABASE", default_value = "newsgraph", global = true)]
    pub database: String,

    /// MongoDB write concern `w`: `majority` or a number of nodes.
    #[arg(long, env = "NEWSGRAPH_MONGODB_WRITE_CONCERN", default_value = "majority", global = true)]
    pub mongodb_write_concern: String,

    /// Whether MongoDB writes wait for the journal.
    #[arg(long, env = "NEWSGRAPH_MONGODB_JOURNAL", default_value_t = true, action = ArgAction::Set, global = true)]
    pub mongodb_journal: bool,

    /// Directory of the embedded store.
    #[arg(long, env = "NEWSGRAPH_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Keep the embedded store in memory only (nothing is persisted). For tests and demos.
    #[arg(long, env = "NEWSGRAPH_IN_MEMORY", global = true)]
    pub in_memory: bool,

    /// Directory of extra extraction word lists, files named as in `crates/extract/lexicon/`
    /// (`organizations.txt`, `given-names-female.txt`, ...), each entry added to the built-in ones.
    #[arg(long, env = "NEWSGRAPH_LEXICON_DIR", global = true)]
    pub lexicon_dir: Option<PathBuf>,

    /// Directory of the seed graph (`graph.json` and article texts).
    #[arg(long, env = "NEWSGRAPH_SEED_DIR", default_value = "seed", global = true)]
    pub seed_dir: PathBuf,

    /// Do not seed an empty embedded store at start-up.
    #[arg(long, env = "NEWSGRAPH_NO_SEED", global = true)]
    pub no_seed: bool,

    /// Longest a single store call may take before it fails as STORE_UNAVAILABLE, in milliseconds.
    #[arg(long, env = "NEWSGRAPH_STORE_TIMEOUT_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=600_000), global = true)]
    pub store_timeout_ms: u64,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "NEWSGRAPH_MAX_DEPTH", default_value_t = 12, global = true)]
    pub max_depth: usize,

    /// Highest query cost accepted; a connection's `first` multiplies the cost of what is selected under it.
    #[arg(long, env = "NEWSGRAPH_MAX_COMPLEXITY", default_value_t = 20_000, global = true)]
    pub max_complexity: usize,

    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "NEWSGRAPH_MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// Most aliases an operation may use (`a: field`), counted before parsing.
    #[arg(long, env = "NEWSGRAPH_MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: usize,

    /// Most directives (`@include`, `@skip`, …) a document may carry, counted before parsing.
    #[arg(long, env = "NEWSGRAPH_MAX_DIRECTIVES", default_value_t = 50, global = true)]
    pub max_directives: usize,

    /// Most tokens (names, punctuation, literals) a document may have, counted before parsing.
    #[arg(long, env = "NEWSGRAPH_MAX_TOKENS", default_value_t = 2000, global = true)]
    pub max_tokens: usize,

    /// Most operations in one JSON-array (batched) request; 1 refuses arrays.
    #[arg(long, env = "NEWSGRAPH_MAX_BATCH", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000), global = true)]
    pub max_batch: u64,

    /// Longest a whole GraphQL request may take, from its arrival (reading its body included) to its answer, before it fails as QUERY_TIMEOUT, in milliseconds.
    #[arg(long, env = "NEWSGRAPH_QUERY_TIMEOUT_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=600_000), global = true)]
    pub query_timeout_ms: u64,

    /// Requests per second allowed per client (its API key when valid, else its IP); off when unset. Over it: 429 with Retry-After.
    #[arg(long, env = "NEWSGRAPH_RATE_LIMIT", value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub rate_limit: Option<u32>,

    /// Requests a client may make at once above the rate (default: the rate itself).
    #[arg(long, env = "NEWSGRAPH_RATE_LIMIT_BURST", value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub rate_limit_burst: Option<u32>,

    /// Origins allowed to call the API from a browser (CORS), comma-separated, or `*`; none by default.
    #[arg(long, env = "NEWSGRAPH_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "NEWSGRAPH_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Production mode: introspection, the playground, the dashboard and "did you mean" suggestions off unless re-enabled; writes refused when no API keys are configured.
    #[arg(long, env = "NEWSGRAPH_PRODUCTION", global = true)]
    pub production: bool,

    /// Answer introspection queries (default: on, off in production).
    #[arg(long, env = "NEWSGRAPH_INTROSPECTION", action = ArgAction::Set, global = true)]
    pub introspection: Option<bool>,

    /// Serve as an Apollo Federation v2 subgraph: answer `_service { sdl }` to a router even when introspection is off.
    #[arg(long, env = "NEWSGRAPH_FEDERATION", global = true)]
    pub federation: bool,

    /// Serve the GraphiQL playground at `/` (default: on, off in production).
    #[arg(long, env = "NEWSGRAPH_PLAYGROUND", action = ArgAction::Set, global = true)]
    pub playground: Option<bool>,

    /// Serve the read-only dashboard page at `/dashboard` (default: on, off in production).
    #[arg(long, env = "NEWSGRAPH_DASHBOARD", action = ArgAction::Set, global = true)]
    pub dashboard: Option<bool>,

    /// API keys that may write (mutations), comma-separated; each may be followed by ` name=<name> scopes=<scope>+<scope>` as in a keys file (with `+` between scopes, as commas separate keys).
    #[arg(long, env = "NEWSGRAPH_API_KEYS", value_delimiter = ',', hide_env_values = true, global = true)]
    pub api_keys: Vec<String>,

    /// File of API keys, one key or its SHA-256 (hex) per line, optionally followed by `name=<name>` and `scopes=read,ingest,edit,admin` (default `read,ingest`); `#` starts a comment.
    #[arg(long, env = "NEWSGRAPH_API_KEYS_FILE", global = true)]
    pub api_keys_file: Option<PathBuf>,

    /// Bytes of document text kept for automatic persisted queries (Apollo's `extensions.persistedQuery`), least recently used out first; 0 turns the protocol off.
    #[arg(long, env = "NEWSGRAPH_APQ_CACHE_BYTES", default_value_t = crate::graphql::persisted::DEFAULT_CACHE_BYTES, global = true)]
    pub apq_cache_bytes: usize,

    /// Trusted documents: a manifest (Relay's or GraphQL Code Generator's `{id: text}` JSON, or Apollo's persisted-query manifest); when set, only its documents run.
    #[arg(long, env = "NEWSGRAPH_TRUSTED_DOCUMENTS", global = true)]
    pub trusted_documents: Option<PathBuf>,

    /// How often the server reads the store's write sequence for subscriptions, in milliseconds.
    #[arg(long, env = "NEWSGRAPH_SUBSCRIPTION_POLL_MS", default_value_t = 200, value_parser = clap::value_parser!(u64).range(10..=60_000), global = true)]
    pub subscription_poll_ms: u64,

    /// How long a missing number of the write sequence (on MongoDB, a writer between reserving it and logging it) holds later changes back before it is given up, in milliseconds.
    #[arg(long, env = "NEWSGRAPH_SUBSCRIPTION_GAP_GRACE_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(0..=600_000), global = true)]
    pub subscription_gap_grace_ms: u64,

    /// How long a websocket client has to send `connection_init` before it is closed with 4408, in milliseconds.
    #[arg(long, env = "NEWSGRAPH_WS_INIT_TIMEOUT_MS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(1..=600_000), global = true)]
    pub ws_init_timeout_ms: u64,

    /// Time between keep-alive pings on an idle websocket, in milliseconds.
    #[arg(long, env = "NEWSGRAPH_WS_KEEPALIVE_MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(100..=3_600_000), global = true)]
    pub ws_keepalive_ms: u64,

    /// Most operations (subscriptions) open at once on one websocket connection.
    #[arg(long, env = "NEWSGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=100_000), global = true)]
    pub max_subscriptions_per_connection: u64,

    /// Most operations (subscriptions) open at once on this server, over all connections.
    #[arg(long, env = "NEWSGRAPH_MAX_SUBSCRIPTIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000), global = true)]
    pub max_subscriptions: u64,

    /// Most messages waiting to be sent to one websocket client; a client that lets more pile up is closed with 1013.
    #[arg(long, env = "NEWSGRAPH_WS_SEND_BUFFER", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_000_000), global = true)]
    pub ws_send_buffer: u64,

    /// Fetch pages (`ingest URL`, `ingestUrl`) from private, loopback and link-local addresses too. Off: a URL cannot reach into the server's own network.
    #[arg(long, env = "NEWSGRAPH_FETCH_ALLOW_PRIVATE", global = true)]
    pub fetch_allow_private: bool,

    /// Longest a page fetch may take, redirects and body included, in milliseconds.
    #[arg(long, env = "NEWSGRAPH_FETCH_TIMEOUT_MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(1..=600_000), global = true)]
    pub fetch_timeout_ms: u64,

    /// Longest opening a connection for a page fetch may take, in milliseconds.
    #[arg(long, env = "NEWSGRAPH_FETCH_CONNECT_TIMEOUT_MS", default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..=600_000), global = true)]
    pub fetch_connect_timeout_ms: u64,

    /// Largest page fetched, in bytes after gzip or brotli decoding; a larger one is refused.
    #[arg(long, env = "NEWSGRAPH_FETCH_MAX_BYTES", default_value_t = 16 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..=1024 * 1024 * 1024), global = true)]
    pub fetch_max_bytes: u64,

    /// A feeds file (TOML, see `newsgraph watch --help`): the server polls its feeds in the background and ingests their new items, as `newsgraph watch` does.
    #[arg(long, env = "NEWSGRAPH_FEEDS", global = true)]
    pub feeds: Option<PathBuf>,

    /// Log format.
    #[arg(long, env = "NEWSGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Export traces over OTLP/HTTP (protobuf) to this collector, e.g. `http://localhost:4318`
    /// (spans are POSTed to its `/v1/traces`); off when unset. A request's W3C `traceparent` is
    /// its trace's parent; spans carry the operation's name and type, never variables' values.
    #[arg(long, env = "NEWSGRAPH_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,
}

fn parse_secret(raw: &str) -> Result<SecretString, String> {
    if raw.trim().is_empty() {
        return Err("must not be empty".into());
    }
    Ok(SecretString::from(raw.to_owned()))
}

impl Settings {
    /// Settings for tests: an in-memory store, a free port, the repo's seed.
    pub fn for_tests() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            settings: Settings,
        }
        let mut settings = Only::parse_from(["newsgraph"]).settings;
        settings.bind = "127.0.0.1:0".into();
        settings.in_memory = true;
        settings.seed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed");
        settings
    }

    /// The per-call store timeout.
    pub fn store_timeout(&self) -> Duration {
        Duration::from_millis(self.store_timeout_ms)
    }

    /// The query limits for the schema.
    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
            max_aliases: self.max_aliases,
            max_directives: self.max_directives,
            max_tokens: self.max_tokens,
            introspection: self.introspection.unwrap_or(!self.production),
            suggestions: !self.production,
            federation: self.federation,
        }
    }

    /// The bound on a whole GraphQL request.
    pub fn query_timeout(&self) -> Duration {
        Duration::from_millis(self.query_timeout_ms)
    }

    /// How the feed polls the write sequence.
    pub fn feed_settings(&self) -> FeedSettings {
        FeedSettings {
            poll: Duration::from_millis(self.subscription_poll_ms),
            gap_grace: Duration::from_millis(self.subscription_gap_grace_ms),
            ..FeedSettings::default()
        }
    }

    /// The limits of GraphQL over websockets.
    pub fn websocket_limits(&self) -> WsLimits {
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        WsLimits {
            init_timeout: Duration::from_millis(self.ws_init_timeout_ms),
            keepalive: Duration::from_millis(self.ws_keepalive_ms),
            max_per_connection: size(self.max_subscriptions_per_connection),
            max_per_server: size(self.max_subscriptions),
            send_buffer: size(self.ws_send_buffer),
        }
    }

    /// How pages are fetched for ingest.
    pub fn fetch_settings(&self) -> FetchSettings {
        FetchSettings {
            allow_private: self.fetch_allow_private,
            connect_timeout: Duration::from_millis(self.fetch_connect_timeout_ms),
            timeout: Duration::from_millis(self.fetch_timeout_ms),
            max_bytes: usize::try_from(self.fetch_max_bytes).unwrap_or(usize::MAX),
        }
    }

    /// Whether `/` serves the playground.
    pub fn playground_enabled(&self) -> bool {
        self.playground.unwrap_or(!self.production)
    }

    /// Whether `/dashboard` serves the dashboard.
    pub fn dashboard_enabled(&self) -> bool {
        self.dashboard.unwrap_or(!self.production)
    }

    /// The write policy: the configured keys (from the list and the file) and the mode.
    pub fn write_policy(&self) -> anyhow::Result<WritePolicy> {
        let mut keys = Vec::new();
        for entry in self.api_keys.iter().filter(|k| !k.trim().is_empty()) {
            let key = access::parse_key_entry(entry)
                .map_err(|e| anyhow::anyhow!("NEWSGRAPH_API_KEYS: {e}"))?
                .ok_or_else(|| anyhow::anyhow!("NEWSGRAPH_API_KEYS: an entry is empty or a comment"))?;
            keys.push(key);
        }
        if let Some(path) = &self.api_keys_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read the API keys file {}: {e}", path.display()))?;
            for (number, line) in text.lines().enumerate() {
                let key = access::parse_key_line(line)
                    .map_err(|e| anyhow::anyhow!("{}, line {}: {e}", path.display(), number + 1))?;
                keys.extend(key);
            }
        }
        Ok(WritePolicy { keys, production: self.production })
    }
}
