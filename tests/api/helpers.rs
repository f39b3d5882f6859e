//! `spawn_app`: the whole application on port 0 with a fresh store, plus a
//! client that speaks GraphQL to it.

use crate::support::{TestBackend, ferretdb, unique_name};
use newsgraph::config::Settings;
use newsgraph::seed;
use newsgraph::startup::Application;
use newsgraph::store::SharedStore;
use newsgraph::store::mongo::{MongoOptions, MongoStore};
use serde_json::{Value, json};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: SharedStore,
    pub backend: TestBackend,
    handle: actix_web::dev::ServerHandle,
    database: Option<(String, String)>,
    /// The embedded store's directory, when it is on disk.
    data_dir: Option<std::path::PathBuf>,
}

/// Starts the app on `backend` with the seed graph loaded.
pub async fn spawn_app(backend: TestBackend) -> TestApp {
    let app = spawn_app_with(backend, |_| {}).await;
    if backend == TestBackend::FerretDb {
        seed::seed(app.store.as_ref(), &crate::support::seed_dir()).await.expect("seeding FerretDB");
    }
    app
}

/// Seeds database `database` of the MongoDB at `uri` through a store with the default
/// timeouts: on a loaded machine a seed's writes may take longer than a short bound a
/// test sets for what it is about.
pub async fn seed_mongodb(uri: &str, database: &str) {
    let mut settings = Settings::for_tests();
    settings.mongodb_uri = Some(uri.to_string().into());
    settings.database = database.into();
    let store = newsgraph::startup::open_store(&settings).await.expect("opening the store to seed");
    newsgraph::seed::seed(store.as_ref(), &crate::support::seed_dir()).await.expect("seeding");
}

/// Starts the app on `backend` with settings adjusted by `adjust`; the embedded
/// store seeds itself unless told not to, MongoDB starts empty.
pub async fn spawn_app_with(backend: TestBackend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    newsgraph::telemetry::init_for_tests();
    let mut settings = Settings::for_tests();
    let mut database = None;
    if backend == TestBackend::FerretDb {
        let uri = ferretdb::shared().uri();
        let name = unique_name("api");
        settings.mongodb_uri = Some(uri.clone().into());
        settings.database = name.clone();
        database = Some((uri, name));
    }
    adjust(&mut settings);
    let data_dir = (settings.mongodb_uri.is_none() && !settings.in_memory).then(|| settings.data_dir.clone());
    let app = Application::build(settings).await.expect("building the application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let store = app.store();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp { address, client: reqwest::Client::new(), store, backend, handle, database, data_dir }
}

impl TestApp {
    /// POSTs a query with variables and returns the whole response body.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        assert_eq!(response.status(), 200, "GraphQL requests answer 200");
        response.json().await.expect("a JSON body")
    }

    /// POSTs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.query(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The `extensions.code` of the first error of a query that must fail.
    pub async fn error_code(&self, query: &str, variables: Value) -> String {
        let body = self.query(query, variables).await;
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected a coded error, got {body:#}"))
            .to_owned()
    }

    /// The variables that point a `newsgraph` command (another process) at
    /// this app's store: its MongoDB database, or its embedded store's directory.
    pub fn store_env(&self) -> Vec<(&'static str, String)> {
        match (&self.database, &self.data_dir) {
            (Some((uri, name)), _) => {
                vec![("NEWSGRAPH_MONGODB_URI", uri.clone()), ("NEWSGRAPH_DATABASE", name.clone())]
            }
            (None, Some(dir)) => vec![("NEWSGRAPH_DATA_DIR", dir.display().to_string())],
            (None, None) => panic!("an in-memory store cannot be shared with another process"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Stops the server and drops the test database.
    pub async fn cleanup(self) {
        self.handle.stop(false).await;
        if let Some((uri, name)) = self.database {
            let store = MongoStore::connect(&uri, &name, &MongoOptions::default()).await.expect("client");
            store.drop_database().await.expect("dropping the test database");
        }
    }
}

/// Declares `mod embedded` and `mod ferretdb` with one test per listed
/// function `async fn(&TestApp)`, each on a freshly seeded app.
#[macro_export]
macro_rules! http_tests_on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::spawn_app($crate::support::TestBackend::Embedded).await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )*
        }
        mod ferretdb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::spawn_app($crate::support::TestBackend::FerretDb).await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )*
        }
    };
}
