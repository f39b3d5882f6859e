//! HTTP caching of GraphQL queries sent over GET, so that a CDN or a caching
//! proxy in front can hold them.
//!
//! `Cache-Control` comes from what the query touches: each object type and
//! list field carries a hint (`#[graphql(cache_control(max_age = …))]`, like
//! Apollo's `@cacheControl`: entities 300 s, lists and figures 60 s), which
//! async-graphql folds into the smallest `max-age` while it validates the
//! document (once per request, no per-field cost). A query that touches
//! nothing with a hint, any answer with errors, and POST are `no-store`; a
//! request that presents an API key (`Authorization`) is `private`, so shared
//! caches keep none of it. Mutations never run over GET.
//!
//! Every answer to a GET carries a strong `ETag` (a digest of the body); a
//! request whose `If-None-Match` names it gets `304 Not Modified` without the
//! body.

use actix_web::HttpRequest;
use actix_web::http::header::IF_NONE_MATCH;
use sha2::{Digest, Sha256};

/// What answers that must not be kept anywhere carry.
pub const NO_STORE: &str = "no-store";

/// The `Cache-Control` of an answer to a GET query.
pub fn cache_control(response: &async_graphql::Response, authenticated: bool) -> String {
    if !response.errors.is_empty() {
        return NO_STORE.into();
    }
    let hint = response.cache_control;
    if hint.max_age <= 0 {
        return NO_STORE.into();
    }
    if authenticated || !hint.public {
        format!("private, max-age={}", hint.max_age)
    } else {
        format!("public, max-age={}", hint.max_age)
    }
}

/// A strong entity tag for `body`.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether the request's `If-None-Match` names `etag` (or is `*`); weak
/// comparison, as RFC 9110 asks for `If-None-Match`.
pub fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    req.headers()
        .get_all(IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || bare(tag) == bare(etag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_none_match_matches_lists_weak_tags_and_any() {
        let tag = etag(b"{\"data\":{}}");
        assert_eq!(tag.len(), 34);
        assert_ne!(tag, etag(b"{\"data\":null}"));
        let with = |value: &str| TestRequest::default().insert_header((IF_NONE_MATCH, value)).to_http_request();
        assert!(not_modified(&with(&tag), &tag));
        assert!(not_modified(&with(&format!("\"other\", W/{tag}")), &tag));
        assert!(not_modified(&with("*"), &tag));
        assert!(!not_modified(&with("\"other\""), &tag));
        assert!(!not_modified(&TestRequest::default().to_http_request(), &tag));
    }

    #[test]
    fn errors_and_unhinted_answers_are_not_stored_and_keys_make_them_private() {
        let mut response = async_graphql::Response::new(async_graphql::Value::Null);
        assert_eq!(cache_control(&response, false), NO_STORE, "nothing with a hint was touched");
        response.cache_control = async_graphql::CacheControl { public: true, max_age: 60 };
        assert_eq!(cache_control(&response, false), "public, max-age=60");
        assert_eq!(cache_control(&response, true), "private, max-age=60");
        response.errors.push(async_graphql::ServerError::new("no", None));
        assert_eq!(cache_control(&response, false), NO_STORE);
    }
}
