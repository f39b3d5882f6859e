//! A schema extension that gives every error raised before execution an
//! `extensions.code`, as resolver errors have: syntax errors, validation
//! errors, and the query limits (depth, complexity, parser recursion). Before
//! the parser runs it also applies the caps on tokens, aliases and directives
//! (measured lexically by [`super::shape`]), and it counts every rejection in
//! `newsgraph_rejected_requests_total{reason}`.
//!
//! The codes follow Apollo Server's where one exists, so clients that already
//! branch on them work unchanged.

use crate::metrics::{self, Rejection};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
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

/// Adds codes to parse and validation errors, and applies the lexical caps.
pub struct ErrorCodes {
    caps: Caps,
}

#[derive(Clone, Copy)]
struct Caps {
    /// Deepest data selection (introspection is limited apart, see [`super::depth`]).
    depth: usize,
    aliases: usize,
    directives: usize,
    tokens: usize,
}

impl ErrorCodes {
    pub fn new(limits: &super::QueryLimits) -> Self {
        Self {
            caps: Caps {
                depth: limits.max_depth,
                aliases: limits.max_aliases,
                directives: limits.max_directives,
                tokens: limits.max_tokens,
            },
        }
    }
}

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension { caps: self.caps })
    }
}

struct ErrorCodesExtension {
    caps: Caps,
}

/// Where the extension leaves the name of the operation that ran (named in
/// the document even when the request did not say `operationName`), for the
/// request metrics. Put one into the request's data to receive it.
#[derive(Debug, Clone, Default)]
pub struct OperationName(Arc<std::sync::Mutex<Option<String>>>);

impl OperationName {
    pub fn get(&self) -> Option<String> {
        self.0.lock().ok().and_then(|name| name.clone())
    }

    fn set(&self, name: Option<&str>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = name.map(str::to_owned);
        }
    }
}

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

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    /// Errors raised while executing carry codes from [`super::error::ApiError`],
    /// except argument values that fail to parse (a date that is not one, say):
    /// those are the client's input.
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(slot) = ctx.data_opt::<OperationName>() {
            slot.set(operation_name);
        }
        let mut response = next.run(ctx, operation_name).await;
        response.errors = std::mem::take(&mut response.errors)
            .into_iter()
            .map(|error| {
                let code = if error.message.starts_with("Failed to parse") || error.message.starts_with("Invalid value")
                {
                    BAD_USER_INPUT
                } else {
                    "INTERNAL_SERVER_ERROR"
                };
                with_code(error, code)
            })
            .collect();
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        check_shape(query, self.caps)?;
        let document = next.run(ctx, query, variables).await.map_err(|error| {
            let (code, reason) = if error.message.contains("recursion limit") {
                (QUERY_TOO_DEEP, Rejection::Depth)
            } else {
                (GRAPHQL_PARSE_FAILED, Rejection::Parse)
            };
            metrics::reject(reason);
            with_code(error, code)
        })?;
        let depth = super::depth::measure(&document);
        if depth.data > self.caps.depth || depth.introspection > super::depth::MAX_INTROSPECTION_DEPTH {
            metrics::reject(Rejection::Depth);
            let message = format!(
                "the query is nested too deep ({} levels of data, {} of introspection; at most {} and {})",
                depth.data,
                depth.introspection,
                self.caps.depth,
                super::depth::MAX_INTROSPECTION_DEPTH
            );
            return Err(with_code(ServerError::new(message, None), QUERY_TOO_DEEP));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            let mut counted = false;
            errors
                .into_iter()
                .map(|error| {
                    let (code, reason) = if error.message.contains("too complex") {
                        (QUERY_TOO_COMPLEX, Rejection::Complexity)
                    } else if error.message.contains("nested too deep") {
                        (QUERY_TOO_DEEP, Rejection::Depth)
                    } else {
                        (GRAPHQL_VALIDATION_FAILED, Rejection::Validation)
                    };
                    // One request, one count: by its first error.
                    if !std::mem::replace(&mut counted, true) {
                        metrics::reject(reason);
                    }
                    with_code(error, code)
                })
                .collect()
        })
    }
}
