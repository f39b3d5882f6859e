//! Shared test support: stores on both backends, a real server on port 0, a
//! FerretDB process, and a synthetic graph. Each test binary includes this
//! module; not every binary uses every helper.
#![allow(dead_code)]

pub mod binary;
pub mod feed_server;
pub mod ferretdb;
pub mod machine;
pub mod pages;
pub mod synthetic;
pub mod tools;

use newsgraph::store::SharedStore;
use newsgraph::store::mongo::{MongoOptions, MongoStore};
use newsgraph::store::sqlite::SqliteStore;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Waits for a server child started with its stderr piped to log `… serving on
/// http://<address>` and returns the address; the rest of its stderr is drained in
/// a thread so the child never blocks on a full pipe. Panics if it exits first.
pub fn serving_address(child: &mut std::process::Child) -> String {
    use std::io::{BufRead, BufReader};
    let mut lines = BufReader::new(child.stderr.take().expect("stderr piped")).lines();
    let address = loop {
        let line = lines.next().expect("the server exited").expect("a log line");
        if let Some(rest) = line.split("serving on http://").nth(1) {
            break rest.split_whitespace().next().expect("an address").to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    address
}

/// The repository's seed directory.
pub fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed")
}

/// A database name no other test uses.
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Embedded,
    FerretDb,
}

/// A store for one test, removed afterwards.
pub struct TestStore {
    pub store: SharedStore,
    pub uri: Option<String>,
    pub database: Option<String>,
    mongo: Option<MongoStore>,
}

impl TestStore {
    pub async fn new(backend: TestBackend) -> Self {
        match backend {
            TestBackend::Embedded => Self {
                store: Arc::new(SqliteStore::in_memory().expect("in-memory SQLite")),
                uri: None,
                database: None,
                mongo: None,
            },
            TestBackend::FerretDb => {
                let server = ferretdb::shared();
                let database = unique_name("t");
                let mongo = MongoStore::connect(&server.uri(), &database, &MongoOptions::default())
                    .await
                    .expect("MongoDB client for FerretDB");
                Self {
                    store: Arc::new(mongo.clone()),
                    uri: Some(server.uri()),
                    database: Some(database),
                    mongo: Some(mongo),
                }
            }
        }
    }

    /// Drops the test's database (FerretDB); the in-memory store just goes away.
    pub async fn cleanup(self) {
        if let Some(mongo) = self.mongo {
            mongo.drop_database().await.expect("dropping the test database");
        }
    }
}

/// Declares `mod embedded` and `mod ferretdb`, each with one `#[tokio::test]`
/// per listed function `async fn(TestStore-backed SharedStore)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let test = $crate::support::TestStore::new($crate::support::TestBackend::Embedded).await;
                    super::$name(test.store.clone()).await;
                    test.cleanup().await;
                }
            )*
        }
        mod ferretdb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let test = $crate::support::TestStore::new($crate::support::TestBackend::FerretDb).await;
                    super::$name(test.store.clone()).await;
                    test.cleanup().await;
                }
            )*
        }
    };
}
