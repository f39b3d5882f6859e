//! The HTTP edge: `/graphql` (POST and GET), the playground at `/` and the
//! dashboard at `/dashboard` (their scripts and style sheets under `/assets/`), the
//! health endpoints `/healthz` (the process answers) and `/readyz` (the store
//! answers), and `/metrics` (Prometheus text). Request bodies are capped before
//! they are read; requests a browser could send cross-site without a preflight
//! are refused (CSRF, as Apollo Server does it); batches are capped; each
//! request is bounded in time; malformed requests get a 4xx in the GraphQL
//! error shape, never a 500.
//!
//! `GET /graphql` with `Upgrade: websocket` speaks GraphQL over websockets
//! (subscriptions), see [`ws`].
//!
//! `/export/{quotes|articles}.{csv|ndjson|jsonld}` streams what a filter
//! matches, see [`export`].
//!
//! GET queries are cacheable by HTTP caches (`Cache-Control` from the
//! schema's hints, `ETag`, 304), see [`caching`]; POST never is.
//!
//! [`edge`] holds the middleware every request passes (request id, access log,
//! rate limit); [`cors`] builds the CORS policy.

pub mod caching;
pub mod dashboard;
pub mod edge;
pub mod export;
pub mod playground;
pub mod ws;

pub use playground::EXAMPLE_QUERY;

use crate::graphql::access::caller_from_header;
use crate::graphql::codes::{Admission, SUBSCRIPTION_OVER_HTTP};
use crate::graphql::persisted::{DocumentIds, Persisted, Registration};
use crate::graphql::{AppSchema, prepare_request};
use crate::metrics::{self, Rejection};
use crate::store::{SharedStore, StoreError};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, ETAG};
use actix_web::{HttpRequest, HttpResponse, web};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What every handler shares.
pub struct AppState {
    pub schema: AppSchema,
    /// The per-request checks and error codes that wrap every execution of `schema`.
    pub admission: Admission,
    pub store: SharedStore,
    pub readiness: Readiness,
    /// Whether `/` serves the playground.
    pub playground: bool,
    /// Whether `/dashboard` serves the dashboard.
    pub dashboard: bool,
    /// Whether responses say how many store operations they took (not in production).
    pub expose_store_operations: bool,
    /// Most operations in one batched request (1: arrays refused).
    pub max_batch: usize,
    /// Bound on one GraphQL request, from its arrival (body included) to its answer.
    pub query_timeout: Duration,
    /// Largest body `/graphql` reads.
    pub max_body_bytes: usize,
    /// The per-client rate limit, when configured.
    pub rate_limit: Option<edge::RateLimit>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The tailer of the write sequence that feeds subscriptions.
    pub feed: crate::feed::Feed,
    /// The limits of websocket connections.
    pub websocket: ws::WsLimits,
    /// Operations open over websockets, for the per-server cap.
    pub open_operations: ws::OpenOperations,
    /// Origins allowed to call from a browser (CORS); websockets check them too.
    pub cors_origins: Vec<String>,
    /// Automatic persisted queries, or the trusted documents.
    pub persisted: Persisted,
}

/// The CORS policy: the listed origins (or `*` for any) may call from a
/// browser; with none listed, cross-origin browsers get no CORS grant (and
/// their preflights fail), while same-origin pages and non-browser clients are
/// unaffected.
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .block_on_origin_mismatch(false)
        .allowed_methods(["GET", "POST"])
        .allowed_headers([
            CONTENT_TYPE.as_str(),
            AUTHORIZATION.as_str(),
            "apollo-require-preflight",
            "x-apollo-operation-name",
        ])
        .expose_headers([edge::REQUEST_ID.as_str()])
        .max_age(3600);
    for origin in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        cors = if origin == "*" { cors.allow_any_origin() } else { cors.allowed_origin(origin) };
    }
    cors
}

/// The response header that carries a request's store operations (development mode only).
pub const STORE_OPERATIONS_HEADER: &str = "x-newsgraph-store-operations";

/// Whether start-up preparation of the store (indexes) has finished.
#[derive(Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    pub fn mark_prepared(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_prepared(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Registers every route.
pub fn routes(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(web::PayloadConfig::new(max_body_bytes))
        .service(
            resource("/graphql", "GET, POST").route(web::post().to(graphql_post)).route(web::get().to(graphql_get)),
        )
        .service(resource("/", "GET").route(web::get().to(playground_page)))
        .service(resource("/dashboard", "GET").route(web::get().to(dashboard_page)))
        .service(
            resource("/assets/{name}", "GET")
                // GraphiQL's bundle is 3.5 MB, about a quarter of that gzipped.
                .wrap(actix_web::middleware::Compress::default())
                .route(web::get().to(page_asset)),
        )
        .service(resource("/export/{file}", "GET").route(web::get().to(export::download)))
        .service(resource("/healthz", "GET").route(web::get().to(healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(readyz)))
        .service(resource("/metrics", "GET").route(web::get().to(metrics_page)));
}

/// A route at `path` that answers a method it does not serve with 405 and
/// the `Allow` header listing `allow` (a bare route would answer 404, as if
/// the path did not exist).
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        let mut response =
            request_error(StatusCode::METHOD_NOT_ALLOWED, "BAD_REQUEST", &format!("this path accepts {allow} only"));
        response
            .headers_mut()
            .insert(actix_web::http::header::ALLOW, actix_web::http::header::HeaderValue::from_static(allow));
        response
    }))
}

/// `/metrics`: every metric in the Prometheus text format.
async fn metrics_page(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(metrics::render(&state.metrics))
}

/// A GraphQL-shaped error body for failures before execution.
fn request_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}

fn bad_request(message: &str) -> HttpResponse {
    request_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

/// Runs one GraphQL request until `deadline` (the request's arrival plus the
/// query timeout), and records it.
async fn execute_one(
    state: &AppState,
    req: &HttpRequest,
    request: async_graphql::Request,
    ids: &DocumentIds,
    deadline: tokio::time::Instant,
) -> async_graphql::Response {
    let mut request = request;
    let registration = match state.persisted.resolve(&mut request, ids) {
        Ok(registration) => registration,
        Err(error) => return async_graphql::Response::from_errors(vec![error]),
    };
    execute_resolved(state, req, request, registration, deadline).await
}

/// Runs a request whose document text is known (see [`Persisted::resolve`]);
/// a document it registered is remembered once it has passed validation.
async fn execute_resolved(
    state: &AppState,
    req: &HttpRequest,
    request: async_graphql::Request,
    registration: Option<Registration>,
    deadline: tokio::time::Instant,
) -> async_graphql::Response {
    let header = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let caller = caller_from_header(header);
    let mut request = request;
    let started = Instant::now();
    let admitted = state.admission.admit(&mut request);
    let requested_name = request.operation_name.clone();
    let executed_name = admitted.as_ref().ok().cloned().flatten();
    let span = crate::graphql::trace::operation_span(
        &mut request,
        executed_name.as_deref().or(requested_name.as_deref()),
        admitted.is_ok(),
    );
    let run = async {
        match admitted {
            Ok(_) => {
                Admission::codes(state.schema.execute(prepare_request(request, state.store.clone(), caller)).await)
            }
            Err(refused) => *refused,
        }
    };
    let response = match tokio::time::timeout_at(deadline, tracing::Instrument::instrument(run, span)).await {
        Ok(response) => response,
        Err(_) => {
            metrics::reject(Rejection::Timeout);
            tracing::warn!(timeout_ms = state.query_timeout.as_millis() as u64, "a request ran past the query timeout");
            let mut error = async_graphql::ServerError::new(
                format!("the request did not finish within {} ms", state.query_timeout.as_millis()),
                None,
            );
            error.extensions.get_or_insert_with(Default::default).set("code", QUERY_TIMEOUT);
            async_graphql::Response::from_errors(vec![error])
        }
    };
    // Like Apollo Server, remember a registered document only once it has
    // passed validation (errors raised before execution have no path).
    if let Some(registration) = registration
        && (response.data != async_graphql::Value::Null || response.errors.iter().any(|e| !e.path.is_empty()))
    {
        state.persisted.remember(registration);
    }
    let response = point_subscriptions_to_the_websocket(response);
    let operation = metrics::operation_label(executed_name.or(requested_name).as_deref());
    metrics::graphql_request(operation, outcome(&response), started.elapsed());
    response
}

/// A subscription sent over plain HTTP: a `BAD_REQUEST` that says where to
/// send it, instead of async-graphql's uncoded error. (Recognised after
/// execution, which refuses it before any resolver: finding it before would
/// mean parsing every document ahead of the lexical caps.)
fn point_subscriptions_to_the_websocket(mut response: async_graphql::Response) -> async_graphql::Response {
    if let [error] = response.errors.as_mut_slice()
        && error.message == SUBSCRIPTION_OVER_HTTP
    {
        error.message = "subscriptions run over a websocket: GET /graphql with `Upgrade: websocket` and the \
                         `graphql-transport-ws` or `graphql-ws` subprotocol"
            .into();
        error.extensions.get_or_insert_with(Default::default).set("code", "BAD_REQUEST");
    }
    response
}

/// The code of a request that ran past `NEWSGRAPH_QUERY_TIMEOUT_MS`.
pub const QUERY_TIMEOUT: &str = "QUERY_TIMEOUT";

/// `ok`, or the code of the first error (codes are a fixed set; anything else is `error`).
fn outcome(response: &async_graphql::Response) -> String {
    let Some(error) = response.errors.first() else {
        return "ok".into();
    };
    match error.extensions.as_ref().and_then(|e| e.get("code")) {
        Some(async_graphql::Value::String(code))
            if code.len() <= 40 && code.bytes().all(|b| b == b'_' || b.is_ascii_uppercase()) =>
        {
            code.clone()
        }
        _ => "error".into(),
    }
}

/// How an answer may be cached: GET queries by what they touch, anything else never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caching {
    /// A query over GET: `Cache-Control` from its hints, an `ETag`, 304 on `If-None-Match`.
    ByHints,
    /// POST: `no-store`.
    Never,
}

async fn execute(
    state: &AppState,
    req: &HttpRequest,
    request: async_graphql::Request,
    registration: Option<Registration>,
    caching: Caching,
    deadline: tokio::time::Instant,
) -> HttpResponse {
    let before = state.store.operations();
    let response = execute_resolved(state, req, request, registration, deadline).await;
    let mut reply = HttpResponse::Ok();
    if state.expose_store_operations {
        // The change of a process-wide counter: exact when requests do not
        // overlap, which is how the benchmark reads it.
        let used = state.store.operations().saturating_sub(before);
        reply.insert_header((STORE_OPERATIONS_HEADER, used.to_string()));
    }
    let body = match serde_json::to_vec(&response) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "a response could not be serialized");
            return request_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_SERVER_ERROR", "internal error");
        }
    };
    match caching {
        Caching::Never => {
            reply.insert_header((CACHE_CONTROL, caching::NO_STORE));
        }
        Caching::ByHints => {
            let authenticated = req.headers().get(AUTHORIZATION).is_some_and(|v| !v.as_bytes().is_empty());
            let tag = caching::etag(&body);
            reply.insert_header((CACHE_CONTROL, caching::cache_control(&response, authenticated)));
            if caching::not_modified(req, &tag) {
                return reply.status(StatusCode::NOT_MODIFIED).insert_header((ETAG, tag)).finish();
            }
            reply.insert_header((ETAG, tag));
        }
    }
    reply.content_type(actix_web::http::header::ContentType::json()).body(body)
}

/// A GraphQL answer produced before execution (a persisted document that
/// cannot be resolved): never stored, since a cache holding a
/// `PERSISTED_QUERY_NOT_FOUND` would keep a client from ever registering it.
fn unexecuted(error: async_graphql::ServerError) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, caching::NO_STORE))
        .json(async_graphql::Response::from_errors(vec![error]))
}

/// Reads the body: 413 at once when `Content-Length` is over the limit, 413 as
/// soon as a chunked body passes it, and 408 (`QUERY_TIMEOUT`) when the client
/// has not sent it all by `deadline`, so a slow sender cannot hold a worker.
async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    deadline: tokio::time::Instant,
) -> Result<web::Bytes, HttpResponse> {
    use futures_util::StreamExt as _;
    let too_large = || {
        request_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!("the body is larger than {limit} bytes"),
        )
    };
    let announced = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::with_capacity(announced.unwrap_or(0).min(limit));
    loop {
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Err(_) => {
                metrics::reject(Rejection::Timeout);
                return Err(request_error(
                    StatusCode::REQUEST_TIMEOUT,
                    QUERY_TIMEOUT,
                    "the body did not arrive within the query timeout",
                ));
            }
            Ok(None) => return Ok(body.freeze()),
            Ok(Some(Err(_))) => return Err(bad_request("the body could not be read")),
            Ok(Some(Ok(chunk))) => {
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
}

async fn playground_page(state: web::Data<AppState>) -> HttpResponse {
    if state.playground {
        playground::page().await
    } else {
        HttpResponse::NotFound().body("the playground is disabled on this server")
    }
}

async fn dashboard_page(state: web::Data<AppState>) -> HttpResponse {
    if state.dashboard {
        dashboard::page().await
    } else {
        HttpResponse::NotFound().body("the dashboard is disabled on this server")
    }
}

/// `/assets/{name}`: the playground's and the dashboard's scripts and style
/// sheets, embedded in the binary (each served only while its page is).
async fn page_asset(state: web::Data<AppState>, req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    let found = state
        .playground
        .then(|| playground::asset(&req, &name))
        .flatten()
        .or_else(|| state.dashboard.then(|| dashboard::asset(&req, &name)).flatten());
    found.unwrap_or_else(|| HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("no such asset"))
}

/// Whether the document's chosen operation is a mutation (GET may only read).
fn is_mutation(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false; // execution reports the syntax error
    };
    let is_mutation = |ty: OperationType| ty == OperationType::Mutation;
    match &document.operations {
        DocumentOperations::Single(op) => is_mutation(op.node.ty),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()).is_some_and(|op| is_mutation(op.node.ty)),
            None => ops.values().any(|op| is_mutation(op.node.ty)),
        },
    }
}

/// Content types a browser may send cross-site without a CORS preflight.
const SIMPLE_CONTENT_TYPES: [&str; 3] = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"];

/// Headers whose presence proves the request went through a CORS preflight.
const PREFLIGHT_HEADERS: [&str; 2] = ["x-apollo-operation-name", "apollo-require-preflight"];

/// The media type of the request, lower-cased, without parameters; empty when absent.
fn mime(req: &HttpRequest) -> String {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Apollo Server's CSRF rule: a request a browser can send cross-site without
/// a preflight (no content type, or a "simple" one, and no preflight header)
/// could be a forgery riding on the user's cookies or network position.
fn could_be_forged(req: &HttpRequest) -> bool {
    let has_preflight_header =
        PREFLIGHT_HEADERS.iter().any(|name| req.headers().get(*name).is_some_and(|v| !v.as_bytes().is_empty()));
    if has_preflight_header {
        return false;
    }
    let mime = mime(req);
    mime.is_empty() || SIMPLE_CONTENT_TYPES.contains(&mime.as_str())
}

fn csrf_refusal() -> HttpResponse {
    metrics::reject(Rejection::Csrf);
    bad_request(
        "this request has been blocked as a potential cross-site request forgery (CSRF): \
         send `Content-Type: application/json`, or a non-empty `apollo-require-preflight` \
         or `x-apollo-operation-name` header",
    )
}

async fn graphql_post(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let deadline = tokio::time::Instant::now() + state.query_timeout;
    if could_be_forged(&req) {
        return csrf_refusal();
    }
    if mime(&req) != "application/json" {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST /graphql takes a JSON body with `Content-Type: application/json`",
        );
    }
    let body = match read_body(&req, payload, state.max_body_bytes, deadline).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return batch(&state, &req, &body, deadline).await;
    }
    match serde_json::from_slice::<async_graphql::Request>(&body) {
        Ok(mut request) => {
            let ids = serde_json::from_slice::<DocumentIds>(&body).unwrap_or_default();
            match state.persisted.resolve(&mut request, &ids) {
                Ok(registration) => execute(&state, &req, request, registration, Caching::Never, deadline).await,
                Err(error) => unexecuted(error),
            }
        }
        Err(e) => bad_request(&format!("the body is not a GraphQL request: {}", e.classify_message())),
    }
}

/// A JSON array of requests: refused unless `NEWSGRAPH_MAX_BATCH` admits its
/// length; then each runs in turn, each within the query timeout.
async fn batch(state: &AppState, req: &HttpRequest, body: &[u8], deadline: tokio::time::Instant) -> HttpResponse {
    let refuse = |message: String| {
        metrics::reject(Rejection::Batch);
        request_error(StatusCode::BAD_REQUEST, BATCH_TOO_LARGE, &message)
    };
    if state.max_batch <= 1 {
        return refuse("batched requests are not accepted: send one operation per request".into());
    }
    // Count the elements before building any request.
    let count = match serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(body) {
        Ok(items) => items.len(),
        Err(e) => {
            return bad_request(&format!("the body is not a batch of GraphQL requests: {}", e.classify_message()));
        }
    };
    if count > state.max_batch {
        return refuse(format!("the batch has {count} operations; at most {} are accepted", state.max_batch));
    }
    if count == 0 {
        return bad_request("the batch is empty");
    }
    let requests = match serde_json::from_slice::<Vec<async_graphql::Request>>(body) {
        Ok(requests) => requests,
        Err(e) => {
            return bad_request(&format!("the body is not a batch of GraphQL requests: {}", e.classify_message()));
        }
    };
    let ids = serde_json::from_slice::<Vec<DocumentIds>>(body).unwrap_or_default();
    let mut responses = Vec::with_capacity(requests.len());
    for (at, request) in requests.into_iter().enumerate() {
        let ids = ids.get(at).cloned().unwrap_or_default();
        responses.push(execute_one(state, req, request, &ids, deadline).await);
    }
    HttpResponse::Ok().insert_header((CACHE_CONTROL, caching::NO_STORE)).json(responses)
}

/// The code of a batch longer than `NEWSGRAPH_MAX_BATCH` (or any batch when it is 1).
pub const BATCH_TOO_LARGE: &str = "BATCH_TOO_LARGE";

async fn graphql_get(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let upgrade = req.headers().get(actix_web::http::header::UPGRADE).and_then(|v| v.to_str().ok());
    if upgrade.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return ws::upgrade(state, req, payload).await;
    }
    let Ok(mut request) = async_graphql::http::parse_query_string(req.query_string()) else {
        return bad_request(
            "GET /graphql takes `query` (or a persisted document's id), and optionally `operationName` and JSON \
             `variables` and `extensions`, in the query string",
        );
    };
    let ids = web::Query::<DocumentIds>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    let registration = match state.persisted.resolve(&mut request, &ids) {
        Ok(registration) => registration,
        Err(error) => return unexecuted(error),
    };
    if is_mutation(&request) {
        return request_error(StatusCode::METHOD_NOT_ALLOWED, "BAD_REQUEST", "mutations are only accepted over POST");
    }
    if could_be_forged(&req) {
        return csrf_refusal();
    }
    let deadline = tokio::time::Instant::now() + state.query_timeout;
    execute(&state, &req, request, registration, Caching::ByHints, deadline).await
}

/// Says what kind of JSON problem a body has without echoing it.
trait ClassifyMessage {
    fn classify_message(&self) -> String;
}

impl ClassifyMessage for serde_json::Error {
    fn classify_message(&self) -> String {
        use serde_json::error::Category;
        match self.classify() {
            Category::Syntax => format!("invalid JSON at line {}, column {}", self.line(), self.column()),
            Category::Eof => "the JSON ends too early".into(),
            Category::Data => format!("unexpected JSON structure at line {}, column {}", self.line(), self.column()),
            Category::Io => "the body could not be read".into(),
        }
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.store.backend().as_str();
    match state.store.ping().await {
        Ok(()) if state.readiness.is_prepared() => {
            HttpResponse::Ok().json(json!({ "status": "ready", "backend": backend }))
        }
        Ok(()) => HttpResponse::ServiceUnavailable().json(json!({
            "status": "unavailable", "backend": backend, "reason": "the store answers, but its indexes are not ensured yet"
        })),
        Err(error) => {
            // The detail (a host, a file path) is for the operator's log, not for
            // whoever can reach the probe.
            tracing::warn!(%error, "readiness check failed");
            let reason = match error {
                StoreError::Unavailable(_) => "the store does not answer",
                StoreError::Invalid(_) | StoreError::Conflict(_) | StoreError::Internal(_) => "the store answers with an error",
            };
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "backend": backend, "reason": reason }))
        }
    }
}
