//! The size of a GraphQL document, measured lexically before it is parsed:
//! its tokens, its aliases and its directives.
//!
//! Parsing builds a tree whose size grows with the document, so the caps on
//! tokens, aliases and directives are checked on the raw text in one linear
//! pass that allocates nothing. The pass follows the GraphQL lexical grammar
//! (names, numbers, strings and block strings, punctuators; whitespace, commas
//! and comments ignored). An alias is a name followed by `:` outside any
//! parentheses (inside them, `name:` is an argument, a variable definition or
//! an object field); every `@` starts a directive. Text the lexer does not
//! understand counts as one token per character and is left to the parser to
//! reject.

/// What one pass over a document counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    pub tokens: usize,
    pub aliases: usize,
    pub directives: usize,
}

/// Counts tokens, aliases and directives in `query`.
pub fn measure(query: &str) -> Shape {
    let bytes = query.as_bytes();
    let mut shape = Shape::default();
    let mut parens = 0usize;
    // Whether the previous token was a name, outside parentheses.
    let mut after_name = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            // A byte-order mark.
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                i += 3;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        shape.tokens += 1;
        let was_name = std::mem::replace(&mut after_name, false);
        match b {
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i = (i + 3).min(bytes.len());
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                after_name = parens == 0;
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-')) {
                    i += 1;
                }
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b'(' => {
                parens += 1;
                i += 1;
            }
            b')' => {
                parens = parens.saturating_sub(1);
                i += 1;
            }
            b':' => {
                if was_name {
                    shape.aliases += 1;
                }
                i += 1;
            }
            b'@' => {
                shape.directives += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tokens_aliases_and_directives() {
        let shape = measure(
            r#"query Q($n: String! = "a:b", $f: Boolean!) {
                 # a: comment @with stuff
                 who: person(name: $n) { name @include(if: $f) role }
                 other: organization(name: "x") { ...F @skip(if: false) }
               }
               fragment F on Organization { n2: name }"#,
        );
        assert_eq!(shape.aliases, 3, "{shape:?}");
        assert_eq!(shape.directives, 2, "{shape:?}");
        // query Q ( $ n : String ! = "a:b" $ f : Boolean ! ) { = 17
        // who : person ( name : $ n ) { name @ include ( if : $ f ) role } = 21
        // other : organization ( name : "x" ) { ... F @ skip ( if : false ) } = 19
        // } fragment F on Organization { n2 : name } = 10
        assert_eq!(shape.tokens, 67, "{shape:?}");
    }

    #[test]
    fn strings_hide_their_content() {
        let shape = measure(r#"{ a(t: "x: @y \" z: @w", u: """ q: @r \""" s: """) }"#);
        assert_eq!(shape, Shape { tokens: 11, aliases: 0, directives: 0 });
    }

    #[test]
    fn garbage_is_counted_not_trusted() {
        let shape = measure("\u{0}\u{1}{{{ \"unterminated");
        assert!(shape.tokens >= 5);
        assert_eq!(measure("").tokens, 0);
        let many: String = (0..10_000).map(|i| format!("a{i}: __typename ")).collect();
        let shape = measure(&format!("{{ {many} }}"));
        assert_eq!(shape.aliases, 10_000);
        assert_eq!(shape.tokens, 30_002);
    }
}
