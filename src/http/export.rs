//! `GET /export/{quotes|articles}.{csv|ndjson|jsonld}?filter=…&orderBy=…`:
//! what a filter matches, streamed as the rows come from the store (see
//! [`crate::export`]). `filter` is the JSON of the GraphQL filter input,
//! `orderBy` a value of the field's order enum. Like `/graphql`, it passes the
//! edge (request id, the per-client rate limit, by API key or address) and
//! reads need no key. A bad filter is a 400 in the GraphQL error shape before
//! anything is sent; a store failure midway ends the response early (the
//! chunked body is left unterminated, so clients see an error, never a short
//! file that looks whole).

use super::AppState;
use super::caching::NO_STORE;
use crate::export::{Format, Kind, PAGE_SIZE, Selection, stream};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION};
use actix_web::{HttpResponse, web};
use futures_util::TryStreamExt as _;
use serde::Deserialize;

/// The query string of an export.
#[derive(Debug, Deserialize)]
pub struct ExportParams {
    /// The filter input, as JSON.
    filter: Option<String>,
    /// The order, e.g. `DATE_ASC`.
    #[serde(rename = "orderBy")]
    order_by: Option<String>,
}

/// The handler of `/export/{file}`.
pub async fn download(
    state: web::Data<AppState>,
    file: web::Path<String>,
    params: Result<web::Query<ExportParams>, actix_web::Error>,
) -> HttpResponse {
    let parsed = file.split_once('.').and_then(|(kind, format)| Some((Kind::parse(kind)?, Format::parse(format)?)));
    let Some((kind, format)) = parsed else {
        return super::request_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "exports are /export/quotes.{csv,ndjson,jsonld} and /export/articles.{csv,ndjson,jsonld}",
        );
    };
    let Ok(params) = params else {
        return super::request_error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "an export takes `filter` (JSON) and `orderBy` in the query string",
        );
    };
    let selection = match Selection::parse(kind, params.filter.as_deref(), params.order_by.as_deref()) {
        Ok(selection) => selection,
        Err(error) => return super::request_error(StatusCode::BAD_REQUEST, error.code(), &error.message()),
    };
    let body = stream(state.store.clone(), selection, format, PAGE_SIZE).map_ok(web::Bytes::from).map_err(|error| {
        tracing::warn!(code = error.code(), "an export stopped midway");
        actix_web::error::ErrorInternalServerError(error.message())
    });
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((CACHE_CONTROL, NO_STORE))
        .insert_header((CONTENT_DISPOSITION, format!("inline; filename=\"{file}\"")))
        .streaming(body)
}
