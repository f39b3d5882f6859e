//! How deep a query's selections go, with introspection counted apart.
//!
//! The depth limit is meant for data: `article → quotes → article → …` can
//! multiply work at every level. Introspection (`__schema`, `__type`) answers
//! from the schema in memory, and the standard query that GraphiQL, Apollo
//! Sandbox and code generators send is 13 levels deep (`ofType` nested to
//! unwrap `[[T!]!]!`), so it has a limit of its own. Fragments are followed;
//! a fragment that spreads itself counts once (validation refuses it anyway).

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Selection, SelectionSet};

/// How deep introspection selections may go.
pub const MAX_INTROSPECTION_DEPTH: usize = 24;

/// The deepest data selection and the deepest introspection selection of a document.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Depth {
    pub data: usize,
    pub introspection: usize,
}

impl Depth {
    fn max(self, other: Depth) -> Depth {
        Depth { data: self.data.max(other.data), introspection: self.introspection.max(other.introspection) }
    }
}

/// The depth of every operation of `document`, the deepest of each kind.
pub fn measure(document: &ExecutableDocument) -> Depth {
    let mut visiting = Vec::new();
    match &document.operations {
        DocumentOperations::Single(op) => walk(&op.node.selection_set.node, document, 0, false, &mut visiting),
        DocumentOperations::Multiple(ops) => ops
            .values()
            .map(|op| walk(&op.node.selection_set.node, document, 0, false, &mut visiting))
            .fold(Depth::default(), Depth::max),
    }
}

fn walk<'a>(
    set: &'a SelectionSet,
    document: &'a ExecutableDocument,
    level: usize,
    introspecting: bool,
    visiting: &mut Vec<&'a str>,
) -> Depth {
    let mut deepest = Depth::default();
    // Past any limit either way: stop walking, the answer is already "too deep".
    if level > MAX_INTROSPECTION_DEPTH + 1 {
        return Depth { data: level, introspection: level };
    }
    for item in &set.items {
        let found = match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                let inside = introspecting || (name.starts_with("__") && name != "__typename");
                let here = if inside {
                    Depth { data: 0, introspection: level + 1 }
                } else {
                    Depth { data: level + 1, introspection: 0 }
                };
                here.max(walk(&field.node.selection_set.node, document, level + 1, inside, visiting))
            }
            Selection::InlineFragment(fragment) => {
                walk(&fragment.node.selection_set.node, document, level, introspecting, visiting)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match document.fragments.get(&spread.node.fragment_name.node) {
                    Some(fragment) if !visiting.contains(&name) => {
                        visiting.push(name);
                        let depth = walk(&fragment.node.selection_set.node, document, level, introspecting, visiting);
                        visiting.pop();
                        depth
                    }
                    _ => Depth::default(),
                }
            }
        };
        deepest = deepest.max(found);
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn depth(query: &str) -> Depth {
        measure(&parse_query(query).unwrap())
    }

    #[test]
    fn counts_data_and_introspection_apart() {
        assert_eq!(depth("{ a { b { c } } }"), Depth { data: 3, introspection: 0 });
        assert_eq!(depth("{ a { __typename } }"), Depth { data: 2, introspection: 0 });
        let introspection = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }";
        assert_eq!(depth(introspection), Depth { data: 0, introspection: 12 });
    }

    #[test]
    fn follows_fragments_and_stops_on_cycles() {
        assert_eq!(depth("{ a { ...F } } fragment F on T { b { c } }").data, 3);
        assert_eq!(depth("{ a { ... on T { b } } }").data, 2);
        assert!(depth("{ a { ...F } } fragment F on T { b { ...F } }").data >= 2, "a cycle ends");
    }
}
