//! Building the application from settings: pick and open the store, prepare
//! and seed it, build the schema once, bind the listener (port 0 works, and
//! [`Application::port`] tells which port was taken), and hand back a server
//! that runs until SIGINT/SIGTERM (or until its handle stops it).

use crate::config::Settings;
use crate::feed::Feed;
use crate::graphql::build_schema;
use crate::http::{self, AppState, Readiness};
use crate::metrics;
use crate::seed;
use crate::store::guard::GuardedStore;
use crate::store::mongo::{MongoOptions, MongoStore};
use crate::store::sqlite::SqliteStore;
use crate::store::{Backend, SharedStore};
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Opens the store the settings ask for, wrapped with the per-call timeout.
pub async fn open_store(settings: &Settings) -> anyhow::Result<SharedStore> {
    let store: SharedStore = match &settings.mongodb_uri {
        Some(uri) => {
            let options = MongoOptions {
                server_selection_timeout: settings.store_timeout(),
                write_acknowledgment: settings.mongodb_write_concern.clone(),
                journal: settings.mongodb_journal,
            };
            Arc::new(MongoStore::connect(uri.expose_secret(), &settings.database, &options).await?)
        }
        None if settings.in_memory => Arc::new(SqliteStore::in_memory()?),
        None => Arc::new(
            SqliteStore::open(&settings.data_dir)
                .with_context(|| format!("opening the embedded store in {}", settings.data_dir.display()))?,
        ),
    };
    Ok(Arc::new(GuardedStore::new(store, settings.store_timeout())))
}

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    store: SharedStore,
}

impl Application {
    /// Opens the configured store and builds the application on it.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = open_store(&settings).await?;
        Self::build_with_store(settings, store).await
    }

    /// Builds the application on a store opened by the caller (tests share one this way).
    pub async fn build_with_store(settings: Settings, store: SharedStore) -> anyhow::Result<Self> {
        let readiness = Readiness::default();
        match store.backend() {
            Backend::Embedded => {
                store.prepare().await?;
                seed_if_empty(&settings, &store).await?;
                readiness.mark_prepared();
            }
            // MongoDB may be down at start-up: serve anyway, and ensure the
            // indexes in the background as soon as it answers.
            Backend::MongoDb => spawn_prepare(store.clone(), readiness.clone()),
        }

        let listener = TcpListener::bind(&settings.bind).with_context(|| format!("binding {}", settings.bind))?;
        let address = listener.local_addr()?;
        let writes = settings.write_policy()?;
        let persisted =
            crate::graphql::persisted::Persisted::new(settings.trusted_documents.as_deref(), settings.apq_cache_bytes)?;
        if let crate::graphql::persisted::Persisted::Trusted(manifest) = &persisted {
            tracing::info!(documents = manifest.len(), "trusted documents only");
        }
        if writes.keys.is_empty() && !settings.production {
            tracing::warn!("no API keys configured: anyone who can reach this server can write (development mode)");
        }
        let rate_limit = settings.rate_limit.and_then(NonZeroU32::new).map(|rate| {
            let burst = settings.rate_limit_burst.and_then(NonZeroU32::new).unwrap_or(rate);
            http::edge::RateLimit::new(rate, burst, writes.digests())
        });
        // One tailer of the write sequence for the whole process; it waits in
        // the background while the store is down.
        let feed = Feed::start(store.clone(), settings.feed_settings());
        let fetcher = crate::ingest::fetch::Fetcher::new(settings.fetch_settings())?;
        // Feeds polled in the background (`--feeds`): a bad file stops the start, but
        // polling waits for the store without ever delaying the server.
        if let Some(path) = &settings.feeds {
            let file = crate::ingest::feeds::FeedsFile::read(path)?;
            tracing::info!(feeds = file.feeds.len(), file = %path.display(), "polling feeds in the background");
            spawn_watcher(crate::ingest::feeds::Watcher::new(store.clone(), fetcher.clone(), file), readiness.clone());
        }
        let schema = build_schema(store.clone(), feed.clone(), &settings.query_limits(), writes, fetcher);
        let state = web::Data::new(AppState {
            schema,
            admission: crate::graphql::codes::Admission::new(&settings.query_limits()),
            store: store.clone(),
            readiness,
            playground: settings.playground_enabled(),
            dashboard: settings.dashboard_enabled(),
            expose_store_operations: !settings.production,
            max_batch: usize::try_from(settings.max_batch).unwrap_or(usize::MAX),
            query_timeout: settings.query_timeout(),
            max_body_bytes: settings.max_body_bytes,
            rate_limit,
            metrics: metrics::install(),
            feed,
            websocket: settings.websocket_limits(),
            open_operations: http::ws::OpenOperations::default(),
            cors_origins: settings.cors_origins.clone(),
            persisted,
        });
        let max_body = settings.max_body_bytes;
        let cors_origins = settings.cors_origins.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .configure(|cfg| http::routes(cfg, max_body))
                // CORS outermost, so that a browser can read every answer
                // from an allowed origin, 429s and 413s included.
                .wrap(from_fn(http::edge::edge))
                .wrap(http::cors(&cors_origins))
        })
        .shutdown_timeout(10)
        .listen(listener)?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        tracing::info!(
            backend = store.backend().as_str(),
            address = %address,
            "newsgraph serving on http://{address} with the {} store",
            store.backend().as_str()
        );
        if settings.playground_enabled() {
            match http::playground::fallback_reason() {
                None => {
                    tracing::info!("the playground at / serves GraphiQL from this binary: it needs no other network")
                }
                Some(reason) => tracing::warn!(
                    reason,
                    "the playground at / loads GraphiQL from the unpkg CDN (this binary was built without its \
                     front-end assets: install npm and rebuild to serve them offline)"
                ),
            }
        }
        Ok(Self { port: address.port(), server: server.run(), store })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The store the server uses.
    pub fn store(&self) -> SharedStore {
        self.store.clone()
    }

    /// A handle that can stop the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped by a signal or the handle; in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn seed_if_empty(settings: &Settings, store: &SharedStore) -> anyhow::Result<()> {
    if settings.no_seed || store.counts().await?.articles > 0 {
        return Ok(());
    }
    if !settings.seed_dir.join(seed::GRAPH_FILE).exists() {
        tracing::warn!(dir = %settings.seed_dir.display(), "no seed graph found; serving an empty store");
        return Ok(());
    }
    let batch = seed::seed(store.as_ref(), &settings.seed_dir).await?;
    tracing::info!(
        articles = batch.articles.len(),
        quotes = batch.quotes.len(),
        people = batch.people.len(),
        organizations = batch.organizations.len(),
        "seeded the empty store from {}",
        settings.seed_dir.display()
    );
    Ok(())
}

/// Runs the feed watcher once the store is prepared (at once on the embedded store).
fn spawn_watcher(watcher: crate::ingest::feeds::Watcher, readiness: Readiness) {
    tokio::spawn(async move {
        while !readiness.is_prepared() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        watcher.run().await;
    });
}

fn spawn_prepare(store: SharedStore, readiness: Readiness) {
    tokio::spawn(async move {
        let mut delay = Duration::from_millis(200);
        loop {
            match store.prepare().await {
                Ok(()) => {
                    tracing::info!("MongoDB indexes ensured");
                    readiness.mark_prepared();
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot ensure MongoDB indexes yet; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    });
}
