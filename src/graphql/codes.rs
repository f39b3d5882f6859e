//! A schema extension that gives every error raised before execution an
//! `extensions.code`, as resolver errors have: syntax errors, validation
//! errors, and the query limits (depth, complexity, parser recursion).
//!
//! The codes follow Apollo Server's where one exists, so clients that already
//! branch on them work unchanged.

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

/// Adds codes to parse and validation errors.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

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
        next.run(ctx, query, variables).await.map_err(|error| {
            let code = if error.message.contains("recursion limit") { QUERY_TOO_DEEP } else { GRAPHQL_PARSE_FAILED };
            with_code(error, code)
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| {
                    let code = if error.message.contains("too complex") {
                        QUERY_TOO_COMPLEX
                    } else if error.message.contains("nested too deep") {
                        QUERY_TOO_DEEP
                    } else {
                        GRAPHQL_VALIDATION_FAILED
                    };
                    with_code(error, code)
                })
                .collect()
        })
    }
}
