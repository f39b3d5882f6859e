//! The HTTP edge: `/graphql` (POST and GET), the playground at `/`, and the
//! health endpoints `/healthz` (the process answers) and `/readyz` (the store
//! answers). Request bodies are capped before they are read; malformed requests
//! get a 400 in the GraphQL error shape, never a 500.

mod playground;

pub use playground::EXAMPLE_QUERY;

use crate::graphql::access::caller_from_header;
use crate::graphql::{AppSchema, prepare_request};
use crate::store::SharedStore;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What every handler shares.
pub struct AppState {
    pub schema: AppSchema,
    pub store: SharedStore,
    pub readiness: Readiness,
    /// Whether `/` serves the playground.
    pub playground: bool,
    /// Whether responses say how many store operations they took (not in production).
    pub expose_store_operations: bool,
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
        .route("/graphql", web::post().to(graphql_post))
        .route("/graphql", web::get().to(graphql_get))
        .route("/", web::get().to(playground_page))
        .route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

/// A GraphQL-shaped error body for failures before execution.
fn request_error(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}

fn bad_request(message: &str) -> HttpResponse {
    request_error(actix_web::http::StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

async fn execute(state: &AppState, req: &HttpRequest, request: async_graphql::Request) -> HttpResponse {
    let header = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let caller = caller_from_header(header);
    let before = state.store.operations();
    let response = state.schema.execute(prepare_request(request, state.store.clone(), caller)).await;
    let mut reply = HttpResponse::Ok();
    if state.expose_store_operations {
        // The change of a process-wide counter: exact when requests do not
        // overlap, which is how the benchmark reads it.
        let used = state.store.operations().saturating_sub(before);
        reply.insert_header((STORE_OPERATIONS_HEADER, used.to_string()));
    }
    reply.json(response)
}

async fn playground_page(state: web::Data<AppState>) -> HttpResponse {
    if state.playground {
        playground::page().await
    } else {
        HttpResponse::NotFound().body("the playground is disabled on this server")
    }
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

async fn graphql_post(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let content_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime != "application/json" {
        return request_error(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST /graphql takes a JSON body with `Content-Type: application/json`",
        );
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return bad_request("batched requests are not accepted: send one operation per request");
    }
    match serde_json::from_slice::<async_graphql::Request>(&body) {
        Ok(request) => execute(&state, &req, request).await,
        Err(e) => bad_request(&format!("the body is not a GraphQL request: {}", e.classify_message())),
    }
}

async fn graphql_get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(request) if is_mutation(&request) => request_error(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            "BAD_REQUEST",
            "mutations are only accepted over POST",
        ),
        Ok(request) => execute(&state, &req, request).await,
        Err(_) => bad_request(
            "GET /graphql takes `query`, and optionally `operationName` and JSON `variables`, in the query string",
        ),
    }
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
        Err(error) => HttpResponse::ServiceUnavailable().json(json!({
            "status": "unavailable", "backend": backend, "reason": error.to_string()
        })),
    }
}
