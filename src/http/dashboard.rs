//! The monitoring desk's dashboard at `/dashboard`: statements per source and
//! over time, top speakers and organizations, a searchable list of statements
//! that opens each one in its article, and a live feed of new ones.
//!
//! The page is a client of the public API and nothing else: it sends the same
//! GraphQL queries to `/graphql` (and opens the same `graphql-transport-ws`
//! subscription on it) that a customer's own dashboard would; the queries are
//! in one place at the top of `web/dashboard/dashboard.js`. This module only
//! serves the page and its files: the page's own source (`web/dashboard/`,
//! embedded with `include_bytes!`) and the `graphql-ws` client from npm (built
//! by `build.rs` from `web/package-lock.json`, like the playground's GraphiQL).
//! They are served under `/assets/` with a content hash in the URL, and the
//! page carries a Content-Security-Policy that lets it reach this server only.
//! A binary built without npm loads `graphql-ws` from unpkg instead (only the
//! live panel needs it).
//!
//! The dashboard is a read-only view, served like the playground: on by
//! default, off in production unless `NEWSGRAPH_DASHBOARD=true`.

use crate::http::playground::{self, Asset, CSS, JAVASCRIPT};
use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY};
use actix_web::{HttpRequest, HttpResponse};
use std::sync::LazyLock;

/// The page's own files, then the npm-built client, in load order.
#[cfg(newsgraph_offline_playground)]
pub const ASSETS: &[Asset] = &[
    Asset { name: "dashboard.css", content_type: CSS, bytes: include_bytes!("../../web/dashboard/dashboard.css") },
    Asset {
        name: "graphql-ws.min.js",
        content_type: JAVASCRIPT,
        bytes: include_bytes!(concat!(env!("OUT_DIR"), "/web/graphql-ws.min.js")),
    },
    Asset { name: "dashboard.js", content_type: JAVASCRIPT, bytes: include_bytes!("../../web/dashboard/dashboard.js") },
];

/// The page's own files; `graphql-ws` comes from [`CDN_CLIENT`] (npm was missing at build time).
#[cfg(not(newsgraph_offline_playground))]
pub const ASSETS: &[Asset] = &[
    Asset { name: "dashboard.css", content_type: CSS, bytes: include_bytes!("../../web/dashboard/dashboard.css") },
    Asset { name: "dashboard.js", content_type: JAVASCRIPT, bytes: include_bytes!("../../web/dashboard/dashboard.js") },
];

/// Where a binary built without npm loads the websocket client from.
const CDN_CLIENT: &str = "https://unpkg.com/graphql-ws@6.4.2/umd/graphql-ws.min.js";

/// The page, with `__ASSETS__` where its style sheet and scripts go.
const PAGE: &str = include_str!("../../web/dashboard/index.html");

static HASHES: LazyLock<Vec<String>> =
    LazyLock::new(|| ASSETS.iter().map(|asset| playground::content_hash(asset.bytes)).collect());

/// Whether every file the page loads comes from this binary.
pub fn offline() -> bool {
    ASSETS.iter().any(|asset| asset.name == "graphql-ws.min.js")
}

/// The versioned URL of each embedded file, in load order.
pub fn asset_urls() -> Vec<String> {
    ASSETS.iter().zip(HASHES.iter()).map(|(asset, hash)| format!("/assets/{}?v={hash}", asset.name)).collect()
}

/// The page's Content-Security-Policy: everything from this server (the
/// websocket to `/graphql` included: `'self'` covers `ws:`/`wss:` to the same
/// host), nothing inline, no framing.
fn content_security_policy() -> String {
    let scripts = if offline() { "'self'".to_owned() } else { "'self' https://unpkg.com".to_owned() };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// `GET /dashboard`.
pub async fn page() -> HttpResponse {
    let mut head = playground::head_tags(ASSETS, asset_urls());
    if !offline() {
        // Before the page's own script, which is last.
        let at = head.len().saturating_sub(1);
        head.insert(at, format!(r#"  <script defer crossorigin src="{CDN_CLIENT}"></script>"#));
    }
    let html = PAGE.replace("__ASSETS__", head.join("\n").trim_start());
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header((CONTENT_SECURITY_POLICY, content_security_policy()))
        .body(html)
}

/// `GET /assets/{name}`: one of the dashboard's files (`None` when the name is not one of them).
pub fn asset(req: &HttpRequest, name: &str) -> Option<HttpResponse> {
    let (asset, hash) = ASSETS.iter().zip(HASHES.iter()).find(|(asset, _)| asset.name == name)?;
    Some(playground::serve(req, asset, hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_a_slot_for_its_files_and_loads_its_own_script_last() {
        assert!(PAGE.contains("__ASSETS__"));
        let urls = asset_urls();
        assert!(urls.last().is_some_and(|url| url.starts_with("/assets/dashboard.js?v=")), "{urls:?}");
    }

    #[test]
    fn the_policy_allows_only_this_server_when_built_offline() {
        let policy = content_security_policy();
        assert!(policy.contains("connect-src 'self'"), "{policy}");
        assert_eq!(policy.contains("unpkg"), !offline(), "{policy}");
    }
}
