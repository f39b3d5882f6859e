//! The GraphiQL playground served at `/`, opened on an example query that
//! answers "what did Lavrov say, and who reported it".

use actix_web::HttpResponse;

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

pub async fn page() -> HttpResponse {
    let query = serde_json::to_string(EXAMPLE_QUERY).unwrap_or_else(|_| "\"\"".into());
    let html = PAGE.replace("__DEFAULT_QUERY__", &query);
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html)
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>newsgraph playground</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css">
</head>
<body>
  <div id="graphiql">Loading the newsgraph playground…</div>
  <script crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: __DEFAULT_QUERY__, defaultEditorToolsVisibility: true })
    );
  </script>
</body>
</html>
"#;
