//! Fuzzes the request path: JSON body → GraphQL request → lexical caps, parse,
//! validation and limits → execution against the seeded embedded store (in
//! memory), exactly as `/graphql` runs it. Input that is not a JSON request is
//! used as the query text itself.
//!
//! A crash is a panic anywhere on that path, or a response that leaks internal
//! text or reports an internal error for input a client can send.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsgraph::graphql::{AppSchema, QueryLimits, access, build_schema, prepare_request};
use newsgraph::store::sqlite::SqliteStore;
use newsgraph::store::SharedStore;
use std::sync::{Arc, OnceLock};

struct Target {
    runtime: tokio::runtime::Runtime,
    schema: AppSchema,
    store: SharedStore,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let store: SharedStore = Arc::new(SqliteStore::in_memory().unwrap());
        let seed_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seed");
        runtime.block_on(async {
            store.prepare().await.unwrap();
            newsgraph::seed::seed(store.as_ref(), &seed_dir)
                .await
                .unwrap();
        });
        // Production limits; writes refused (no keys, production), so the
        // fuzzer reads but never changes the graph.
        let limits = QueryLimits {
            introspection: false,
            suggestions: false,
            ..QueryLimits::default()
        };
        let writes = access::WritePolicy {
            keys: vec![],
            production: true,
        };
        let feed = runtime.block_on(async {
            newsgraph::feed::Feed::start(store.clone(), Default::default())
        });
        let schema = build_schema(store.clone(), feed, &limits, writes);
        Target {
            runtime,
            schema,
            store,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let target = target();
    let request = match serde_json::from_slice::<async_graphql::Request>(data) {
        Ok(request) => request,
        Err(_) => async_graphql::Request::new(String::from_utf8_lossy(data)),
    };
    let request = prepare_request(request, target.store.clone(), access::Caller::Anonymous);
    let response = target.runtime.block_on(target.schema.execute(request));
    let text = serde_json::to_string(&response).unwrap();
    for leak in [
        "rusqlite",
        "SQLITE",
        "sqlite3",
        "panicked",
        "src/",
        "newsgraph::",
    ] {
        assert!(!text.contains(leak), "internal text {leak:?} in {text}");
    }
    assert!(
        !text.contains("INTERNAL_SERVER_ERROR"),
        "an internal error for client input: {text}"
    );
});
