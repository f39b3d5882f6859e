//! The GraphiQL playground served at `/`, opened on an example query that
//! answers "what did Lavrov say, and who reported it".
//!
//! Its scripts and style sheet (GraphiQL's bundle, whose fonts are inlined in
//! its CSS, React and ReactDOM) come from the npm lockfile in `web/`: `build.rs`
//! installs them at build time and they are embedded in the binary, so the
//! page needs no network but this server. They are served under `/assets/`
//! with a content hash in the URL and a year-long, immutable cache lifetime.
//! A binary built where npm was missing serves a page that loads the same
//! files from the unpkg CDN instead ([`offline`] is false, and
//! [`fallback_reason`] says why).

use actix_web::http::header::{CACHE_CONTROL, ETAG, HeaderValue, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The query the playground opens with.
pub const EXAMPLE_QUERY: &str = r#"# What did Lavrov say, and who reported it?
{
  person(name: "Lavrov") {
    name
    role
    affiliations { name }
    quotes(first: 10) {
      totalCount
      edges {
        node {
          text
          direct
          saidOn
          via { name kind }
          article { headline dateline }
          span { start end }
        }
      }
    }
  }
}
"#;

/// The introspection query the playground sends (for its docs explorer and
/// completion) in place of GraphiQL's own: graphql-js nests `ofType` nine
/// deep, past the default `NEWSGRAPH_MAX_DEPTH` (12), so the standard query
/// is refused with `QUERY_TOO_DEEP`. Six levels cover every type this schema
/// has (the deepest is a non-null list of non-null items: three).
pub const INTROSPECTION_QUERY: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
}"#;

/// One file the page loads, embedded at build time.
pub struct Asset {
    /// Its name under `/assets/`.
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

pub(crate) const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
pub(crate) const CSS: &str = "text/css; charset=utf-8";

#[cfg(newsgraph_offline_playground)]
macro_rules! embedded {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!(env!("OUT_DIR"), "/web/", $name)),
        }
    };
}

/// The embedded files, in the order the page loads them.
#[cfg(newsgraph_offline_playground)]
pub const ASSETS: &[Asset] = &[
    embedded!("graphiql.min.css", CSS),
    embedded!("react.production.min.js", JAVASCRIPT),
    embedded!("react-dom.production.min.js", JAVASCRIPT),
    embedded!("graphiql.min.js", JAVASCRIPT),
];

/// Nothing is embedded: npm was missing when this binary was built.
#[cfg(not(newsgraph_offline_playground))]
pub const ASSETS: &[Asset] = &[];

/// Whether the page's front-end code is served by this binary (true), or
/// loaded from a CDN because npm was missing at build time (false).
pub const fn offline() -> bool {
    !ASSETS.is_empty()
}

/// Why the page loads GraphiQL from a CDN, when it does.
pub fn fallback_reason() -> Option<&'static str> {
    if offline() {
        None
    } else {
        Some(option_env!("NEWSGRAPH_PLAYGROUND_FALLBACK").unwrap_or("the front-end assets were not built"))
    }
}

/// Each asset's content hash (12 hex digits of its SHA-256), computed once.
static HASHES: LazyLock<Vec<String>> = LazyLock::new(|| ASSETS.iter().map(|asset| content_hash(asset.bytes)).collect());

/// The content hash of an embedded file: 12 hex digits of its SHA-256.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(6).map(|byte| format!("{byte:02x}")).collect()
}

/// The versioned URL of each embedded asset, in load order.
pub fn asset_urls() -> Vec<String> {
    ASSETS.iter().zip(HASHES.iter()).map(|(asset, hash)| format!("/assets/{}?v={hash}", asset.name)).collect()
}

/// The `<link>` or `<script>` line that loads each of `assets` from its URL
/// in `urls`, in load order: a page's `__ASSETS__`.
pub(crate) fn head_tags(assets: &[Asset], urls: Vec<String>) -> Vec<String> {
    assets
        .iter()
        .zip(urls)
        .map(|(asset, url)| {
            if asset.content_type == CSS {
                format!(r#"  <link rel="stylesheet" href="{url}">"#)
            } else {
                format!(r#"  <script defer src="{url}"></script>"#)
            }
        })
        .collect()
}

pub async fn page() -> HttpResponse {
    let query = serde_json::to_string(EXAMPLE_QUERY).unwrap_or_else(|_| "\"\"".into());
    let head = if offline() { head_tags(ASSETS, asset_urls()).join("\n") } else { CDN_ASSETS.to_owned() };
    let introspection = serde_json::to_string(INTROSPECTION_QUERY).unwrap_or_else(|_| "\"\"".into());
    let html = PAGE
        .replace("__ASSETS__", &head)
        .replace("__INTROSPECTION_QUERY__", &introspection)
        .replace("__DEFAULT_QUERY__", &query);
    HttpResponse::Ok().content_type("text/html; charset=utf-8").insert_header((CACHE_CONTROL, "no-cache")).body(html)
}

/// `GET /assets/{name}`: one of the playground's embedded files (`None` when
/// the name is not one of them). With the current `?v=` hash it may be cached
/// for a year; otherwise it must be revalidated (by its ETag).
pub fn asset(req: &HttpRequest, name: &str) -> Option<HttpResponse> {
    let (asset, hash) = ASSETS.iter().zip(HASHES.iter()).find(|(asset, _)| asset.name == name)?;
    Some(serve(req, asset, hash))
}

/// Answers with an embedded file whose content hash is `hash`: cached for a
/// year when asked for with `?v=<hash>`, revalidated by its ETag otherwise.
pub(crate) fn serve(req: &HttpRequest, asset: &Asset, hash: &str) -> HttpResponse {
    let etag = format!("\"{hash}\"");
    let versioned = req.query_string().split('&').any(|pair| pair.strip_prefix("v=") == Some(hash));
    let cache = if versioned { "public, max-age=31536000, immutable" } else { "no-cache" };
    let matches = req.headers().get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|tags| {
        tags.split(',').any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        })
    });
    let mut reply = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    reply.insert_header((CACHE_CONTROL, cache)).insert_header((ETAG, HeaderValue::from_str(&etag).expect("hex")));
    if matches { reply.finish() } else { reply.content_type(asset.content_type).body(asset.bytes) }
}

/// The page's front-end code from unpkg: only for binaries built without npm.
const CDN_ASSETS: &str = r#"  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css">
  <script defer crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script defer crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script defer crossorigin src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>"#;

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>newsgraph playground</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
__ASSETS__
</head>
<body>
  <div id="graphiql">Loading the newsgraph playground…</div>
  <noscript>The playground needs JavaScript. Without it, POST queries to /graphql.</noscript>
  <script>
    window.addEventListener('DOMContentLoaded', () => {
      // Subscriptions go over a websocket to the same /graphql (graphql-ws,
      // bundled in GraphiQL), opened only when one runs.
      const socket = new URL('/graphql', location.href);
      socket.protocol = socket.protocol === 'https:' ? 'wss:' : 'ws:';
      const graphql = GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl: socket.href });
      // GraphiQL's introspection query is deeper than the server's depth
      // limit: send a shallower one that this schema is fully described by.
      const introspection = __INTROSPECTION_QUERY__;
      const fetcher = (params, options) =>
        graphql(params.operationName === 'IntrospectionQuery' ? { ...params, query: introspection } : params, options);
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, {
          fetcher,
          defaultQuery: __DEFAULT_QUERY__,
          defaultEditorToolsVisibility: true,
          // Open on the docs explorer: the schema, browsable, beside the query.
          visiblePlugin: GraphiQL.React.DOC_EXPLORER_PLUGIN,
        })
      );
    });
  </script>
</body>
</html>
"#;
