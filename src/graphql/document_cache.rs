//! Parsed documents that passed admission, kept by their exact text, so the
//! queries a client sends again and again (every dashboard, every app screen)
//! are not lexed, parsed and measured on every request.
//!
//! [`super::codes::Admission::admit`] looks a request's text up here first: on
//! a hit the request gets a copy of the parsed document (async-graphql then
//! skips its own parse: `Request::set_parsed_query`) and the admission's
//! verdict stands, since the caps, the parse and the depth limit depend on
//! the text alone and the limits are fixed for the server's life. Only
//! documents that passed are stored, so a rejected document is checked (and
//! counted as a rejection) every time. Validation against the schema, the
//! complexity limit and async-graphql's own recursion and directive limits
//! still run on every request: they depend on the variables.
//!
//! Bounded twice: at most [`CAPACITY`] documents, least recently used
//! evicted first, and only texts up to [`LONGEST`] bytes are kept, so a
//! client sending endless distinct documents costs at most a few MiB.
//! The `lru` crate (already built as part of async-graphql) does the
//! bookkeeping.

use async_graphql::parser::types::ExecutableDocument;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

/// How many documents are kept.
pub const CAPACITY: usize = 512;
/// The longest query text kept, in bytes.
pub const LONGEST: usize = 16 * 1024;

/// An admitted document and the operation it runs.
#[derive(Debug)]
pub struct Admitted {
    pub document: ExecutableDocument,
    /// The operation's name when the document names its only operation.
    pub operation: Option<String>,
}

/// Admitted documents by their text (see the module docs).
pub struct DocumentCache {
    entries: Mutex<lru::LruCache<String, Arc<Admitted>>>,
}

impl std::fmt::Debug for DocumentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentCache").field("len", &self.len()).finish()
    }
}

impl Default for DocumentCache {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl DocumentCache {
    /// A cache of at most `capacity` documents (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self { entries: Mutex::new(lru::LruCache::new(capacity)) }
    }

    /// The admitted document of `query`, if it is kept.
    pub fn get(&self, query: &str) -> Option<Arc<Admitted>> {
        if query.len() > LONGEST {
            return None;
        }
        self.lock().get(query).cloned()
    }

    /// Keeps `admitted` as the document of `query` (unless the text is too long).
    pub fn insert(&self, query: &str, admitted: Admitted) {
        if query.len() <= LONGEST {
            self.lock().put(query.to_owned(), Arc::new(admitted));
        }
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<String, Arc<Admitted>>> {
        // A panic while holding the lock leaves a consistent map (every
        // operation on it is one call), so a poisoned lock is still usable.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn admitted(query: &str) -> Admitted {
        Admitted { document: parse_query(query).unwrap(), operation: None }
    }

    #[test]
    fn keeps_the_most_recently_used_and_no_long_texts() {
        let cache = DocumentCache::with_capacity(2);
        cache.insert("{ a }", admitted("{ a }"));
        cache.insert("{ b }", admitted("{ b }"));
        assert!(cache.get("{ a }").is_some(), "a used again");
        cache.insert("{ c }", admitted("{ c }"));
        assert!(cache.get("{ b }").is_none(), "b was the least recently used");
        assert!(cache.get("{ a }").is_some() && cache.get("{ c }").is_some());
        assert_eq!(cache.len(), 2);

        let long = format!("{{ a {} }}", " ".repeat(LONGEST));
        cache.insert(&long, admitted(&long));
        assert!(cache.get(&long).is_none());
        assert!(cache.get("{ a }").is_some(), "a long text evicts nothing");
    }
}
