//! The dashboard's Live panel in a real browser: a `quoteAdded` subscription
//! the page opens over `ws://<this host>/graphql` (graphql-transport-ws)
//! receives a quote that `newsgraph ingest`, another process, writes through
//! the selected source, and not one written through another source.

use crate::dashboard::{BIN, run_in_browser};
use crate::helpers::spawn_app_with;
use crate::playground::assert_built_offline;
use crate::support::TestBackend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_opened_in_the_dashboard_receives_a_quote_ingested_by_the_cli() {
    assert_built_offline();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_owned();
    // On disk, so that the CLI can write to the same store; seeded at start-up.
    let app = spawn_app_with(TestBackend::Embedded, move |s| {
        s.in_memory = false;
        s.data_dir = data_dir;
    })
    .await;
    let env = vec![("NEWSGRAPH_BIN", BIN.to_owned()), ("NEWSGRAPH_DATA_DIR", dir.path().display().to_string())];
    let report = run_in_browser(&app, "live", "dashboard-live.png", env).await;
    let live: Vec<&str> = report["live"].as_array().expect("the live list").iter().filter_map(|v| v.as_str()).collect();
    assert_eq!(live.len(), 1, "exactly the AFP quote: {live:?}");
    assert!(live[0].contains("The cranes will move again on Monday"), "{live:?}");
    app.cleanup().await;
}
