//! The per-request admission of GraphQL operations: before execution, the
//! caps on tokens, aliases and directives (measured lexically by
//! [`super::shape`]), the parse and the depth limit; after it, an
//! `extensions.code` on every error raised before execution, as resolver
//! errors have (syntax errors, validation errors, the complexity and
//! recursion limits). Every rejection is counted in
//! `newsgraph_rejected_requests_total{reason}`.
//!
//! This was a schema extension. async-graphql sends every resolved field of a
//! schema that has any extension through the extension chain (a registry
//! look-up of the field's type and a boxed future per field, in
//! `resolver_utils/container.rs`), so checks made once per request were paid
//! for on every field; [`Admission`] runs them once, from the HTTP and
//! websocket handlers, with the same limits.
//!
//! The codes follow Apollo Server's where one exists, so clients that already
//! branch on them work unchanged.

use super::document_cache::{Admitted, DocumentCache};
use crate::metrics::{self, Rejection};
use async_graphql::parser::types::DocumentOperations;
use async_graphql::{Request, Response, ServerError, ServerResult, Value};
use std::sync::Arc;

/// The code for a query nested deeper than the limit.
pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
/// The code for a query that costs more than the limit.
pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
/// The code for a document that does not parse.
pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// The code for a document that does not validate against the schema.
pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
/// The code for an argument whose value does not fit its type ("Failed to parse").
pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
/// The code for a document with more aliases than the limit.
pub const TOO_MANY_ALIASES: &str = "TOO_MANY_ALIASES";
/// The code for a document with more directives than the limit.
pub const TOO_MANY_DIRECTIVES: &str = "TOO_MANY_DIRECTIVES";
/// The code for a document with more tokens than the limit.
pub const TOO_MANY_TOKENS: &str = "TOO_MANY_TOKENS";
/// The code for a document that selects `__schema` or `__type` while
/// introspection is off. Apollo Server refuses such a document in validation,
/// with a message naming the fields, before anything runs; this does the same
/// with a code of its own, so a client (or a code generator pointed at
/// production) can tell "introspection is off" from a broken query.
pub const INTROSPECTION_DISABLED: &str = "INTROSPECTION_DISABLED";

/// The code for a write by a valid API key that lacks the scope it needs
/// (`ingest`, `edit` or `admin`; see [`super::access::Scope`]).
pub const FORBIDDEN: &str = "FORBIDDEN";
/// The code for a correction that carries a stale `expectedVersion`: someone
/// changed the entity since the client read it. Read it again and retry.
pub const CONFLICT: &str = "CONFLICT";

/// Admits requests within the limits, and codes the errors of their responses.
#[derive(Debug, Clone)]
pub struct Admission {
    caps: Caps,
    /// Documents already admitted, by their text (shared by every worker).
    documents: Arc<DocumentCache>,
}

#[derive(Debug, Clone, Copy)]
struct Caps {
    /// Deepest data selection (introspection is limited apart, see [`super::depth`]).
    depth: usize,
    aliases: usize,
    directives: usize,
    tokens: usize,
    /// Whether documents may select `__schema` and `__type`.
    introspection: bool,
    /// Whether documents may select `_service` (the subgraph's SDL).
    service_sdl: bool,
}

impl Admission {
    pub fn new(limits: &super::QueryLimits) -> Self {
        Self {
            caps: Caps {
                depth: limits.max_depth,
                aliases: limits.max_aliases,
                directives: limits.max_directives,
                tokens: limits.max_tokens,
                introspection: limits.introspection,
                service_sdl: limits.introspection || limits.federation,
            },
            documents: Arc::default(),
        }
    }

    /// Checks `request` against the lexical caps, parses it and checks its
    /// depth: the name of the operation it will run (named in the document
    /// even when the request does not say `operationName`), or the response
    /// to send instead. The parsed document stays in the request, so
    /// execution does not parse it again. A text admitted before is not
    /// checked again: its document comes from the [`DocumentCache`].
    pub fn admit(&self, request: &mut Request) -> Result<Option<String>, Box<Response>> {
        let requested = request.operation_name.clone();
        if let Some(admitted) = self.documents.get(&request.query) {
            request.set_parsed_query(admitted.document.clone());
            return Ok(requested.or_else(|| admitted.operation.clone()));
        }
        let refuse = |error: ServerError| Box::new(Response::from_errors(vec![error]));
        check_shape(&request.query, self.caps).map_err(refuse)?;
        let document = request.parsed_query().map_err(|error| {
            let (code, reason) = if error.message.contains("recursion limit") {
                (QUERY_TOO_DEEP, Rejection::Depth)
            } else {
                (GRAPHQL_PARSE_FAILED, Rejection::Parse)
            };
            metrics::reject(reason);
            refuse(with_code(error, code))
        })?;
        let depth = super::depth::measure(document);
        if depth.data > self.caps.depth || depth.introspection > super::depth::MAX_INTROSPECTION_DEPTH {
            metrics::reject(Rejection::Depth);
            let message = format!(
                "the query is nested too deep ({} levels of data, {} of introspection; at most {} and {})",
                depth.data,
                depth.introspection,
                self.caps.depth,
                super::depth::MAX_INTROSPECTION_DEPTH
            );
            return Err(refuse(with_code(ServerError::new(message, None), QUERY_TOO_DEEP)));
        }
        if depth.introspection > 0 && !self.caps.introspection {
            metrics::reject(Rejection::Validation);
            let message = "GraphQL introspection is not allowed on this server, but the query contained \
                           __schema or __type (NEWSGRAPH_INTROSPECTION=true turns it on)";
            return Err(refuse(with_code(ServerError::new(message, None), INTROSPECTION_DISABLED)));
        }
        if !self.caps.service_sdl && selects_root_field(document, "_service") {
            metrics::reject(Rejection::Validation);
            let message = "`_service` (the subgraph's SDL) is off with introspection: NEWSGRAPH_FEDERATION=true \
                           answers it for a federation router";
            return Err(refuse(with_code(ServerError::new(message, None), INTROSPECTION_DISABLED)));
        }
        let operation = match &document.operations {
            DocumentOperations::Multiple(operations) if operations.len() == 1 => {
                operations.keys().next().map(|name| name.to_string())
            }
            _ => None,
        };
        let admitted = Admitted { document: document.clone(), operation: operation.clone() };
        self.documents.insert(&request.query, admitted);
        Ok(requested.or(operation))
    }

    /// Gives every error of an executed `response` a code. Errors raised
    /// before execution (validation, the complexity and recursion limits)
    /// have no path and come without data, and are counted as rejections,
    /// once per request; errors raised while executing carry codes from
    /// [`super::error::ApiError`], except argument values that fail to parse
    /// (a date that is not one, say): those are the client's input.
    pub fn codes(mut response: Response) -> Response {
        let before_execution =
            response.data == Value::Null && response.errors.iter().all(|error| error.path.is_empty());
        let mut counted = false;
        response.errors = std::mem::take(&mut response.errors)
            .into_iter()
            .map(|error| {
                if error.extensions.as_ref().is_some_and(|e| e.get("code").is_some()) {
                    return error;
                }
                let code = if before_execution && error.message != SUBSCRIPTION_OVER_HTTP {
                    let (code, reason) = if error.message.contains("too complex") {
                        (QUERY_TOO_COMPLEX, Rejection::Complexity)
                    } else if error.message.contains("nested too deep") || error.message.contains("recursion") {
                        (QUERY_TOO_DEEP, Rejection::Depth)
                    } else {
                        (GRAPHQL_VALIDATION_FAILED, Rejection::Validation)
                    };
                    // One request, one count: by its first error.
                    if !std::mem::replace(&mut counted, true) {
                        metrics::reject(reason);
                    }
                    code
                } else if error.message.starts_with("Failed to parse") || error.message.starts_with("Invalid value") {
                    BAD_USER_INPUT
                } else {
                    "INTERNAL_SERVER_ERROR"
                };
                with_code(error, code)
            })
            .collect();
        response
    }
}

/// Whether any operation of `document` selects `name` at its root (through
/// fragments too).
fn selects_root_field(document: &async_graphql::parser::types::ExecutableDocument, name: &str) -> bool {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn in_set(
        set: &SelectionSet,
        document: &async_graphql::parser::types::ExecutableDocument,
        name: &str,
        depth: usize,
    ) -> bool {
        depth < 8
            && set.items.iter().any(|item| match &item.node {
                Selection::Field(field) => field.node.name.node.as_str() == name,
                Selection::InlineFragment(fragment) => {
                    in_set(&fragment.node.selection_set.node, document, name, depth + 1)
                }
                Selection::FragmentSpread(spread) => document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .is_some_and(|f| in_set(&f.node.selection_set.node, document, name, depth + 1)),
            })
    }
    document.operations.iter().any(|(_, op)| in_set(&op.node.selection_set.node, document, name, 0))
}

/// What async-graphql answers a subscription sent over plain HTTP (coded by
/// the HTTP handler, which says where to send it instead).
pub const SUBSCRIPTION_OVER_HTTP: &str = "Subscriptions are not supported on this transport.";

/// Refuses a document over a lexical cap, before it is parsed.
fn check_shape(query: &str, caps: Caps) -> ServerResult<()> {
    let shape = super::shape::measure(query);
    let over = |what: &str, count: usize, cap: usize, code: &str, reason: Rejection| {
        metrics::reject(reason);
        Err(with_code(
            ServerError::new(format!("the document has {count} {what}; at most {cap} are accepted"), None),
            code,
        ))
    };
    if shape.aliases > caps.aliases {
        return over("aliases", shape.aliases, caps.aliases, TOO_MANY_ALIASES, Rejection::Aliases);
    }
    if shape.directives > caps.directives {
        return over("directives", shape.directives, caps.directives, TOO_MANY_DIRECTIVES, Rejection::Directives);
    }
    if shape.tokens > caps.tokens {
        return over("tokens", shape.tokens, caps.tokens, TOO_MANY_TOKENS, Rejection::Tokens);
    }
    Ok(())
}

fn with_code(mut error: ServerError, code: &str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}
