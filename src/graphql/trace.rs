//! The span of one GraphQL operation, for traces: named as OpenTelemetry's
//! GraphQL conventions name it (`query Lavrov`, or `query` when anonymous),
//! with `graphql.operation.name` and `graphql.operation.type`. Never the
//! document's text, variables or argument values: those can be personal data.

use crate::telemetry::SPANS;
use async_graphql::Request;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use tracing::field::Empty;

/// The span to run `request` in; `name` is the operation it executes, and
/// `parsed` says whether admission parsed its document (a refused one is not
/// parsed again just to name it).
pub fn operation_span(request: &mut Request, name: Option<&str>, parsed: bool) -> tracing::Span {
    let span = tracing::info_span!(
        target: SPANS,
        "graphql.operation",
        otel.name = Empty,
        graphql.operation.name = Empty,
        graphql.operation.type = Empty,
    );
    if span.is_disabled() {
        return span;
    }
    let kind =
        if parsed { request.parsed_query().ok().and_then(|document| operation_type(document, name)) } else { None };
    let kind_name = kind.map(|kind| match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    });
    if let Some(kind) = kind_name {
        span.record("graphql.operation.type", kind);
    }
    if let Some(name) = name {
        span.record("graphql.operation.name", name);
    }
    let title = match (kind_name, name) {
        (Some(kind), Some(name)) => format!("{kind} {name}"),
        (Some(kind), None) => kind.to_owned(),
        (None, Some(name)) => name.to_owned(),
        (None, None) => "GraphQL operation".to_owned(),
    };
    span.record("otel.name", title);
    span
}

/// The type of the operation named `name` (or of the only one) in `document`.
fn operation_type(
    document: &async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> Option<OperationType> {
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations.values().next(),
        _ => None,
    };
    operation.map(|operation| operation.node.ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_that_of_the_named_or_only_operation() {
        let document = async_graphql::parser::parse_query("query A { a } mutation B { b }").unwrap();
        assert_eq!(operation_type(&document, Some("B")), Some(OperationType::Mutation));
        assert_eq!(operation_type(&document, Some("A")), Some(OperationType::Query));
        assert_eq!(operation_type(&document, None), None, "two operations and no name");
        assert_eq!(operation_type(&document, Some("C")), None);
        let anonymous = async_graphql::parser::parse_query("{ a }").unwrap();
        assert_eq!(operation_type(&anonymous, None), Some(OperationType::Query));
    }
}
