//! The write sequence: a log of what each write added, numbered in write order,
//! that every server process tails to feed GraphQL subscriptions.
//!
//! MongoDB change streams would be the native way on a replica set, but
//! FerretDB (and a standalone `mongod`) has none, and the embedded store has
//! nothing like them; a numbered log in the database works on both and sees
//! writes from every process (`newsgraph ingest`, `seed`, `generate`, another
//! server on the same store).
//!
//! What a write emits: one [`Change`] per article and per quote whose id was
//! not stored before the write, articles first, then quotes, each in batch
//! order. Writing the same batch again emits nothing. An edited article (same
//! id, new text) emits only the quotes it gained (new ids); the article itself,
//! its changed quotes and the quotes it lost emit nothing: subscriptions
//! announce additions, not updates or removals. A quote removed by an edit and
//! added back later is new again, and emitted again. After them, one change per
//! statement that the write gave a source it had not had (a new statement with
//! a source included), for `statementReported`.
//!
//! Sequence numbers start at 1 and grow with each change. The embedded store
//! numbers them inside the write's own transaction, so they appear without
//! gaps in commit order. On MongoDB a write reserves its numbers from a counter
//! after its entities are stored and then inserts its change documents, so a
//! reader may briefly see number 6 before 5 (two writers racing), and some
//! numbers may never be used (a writer that died after reserving them; on
//! FerretDB, whose `$inc` is not atomic, a writer that lost a race for its
//! numbers and took fresh ones): the tailer ([`crate::feed`]) waits a grace
//! period for a missing number before it moves on.

use super::GraphBatch;
use std::collections::HashSet;

/// What kind of entity a change added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    Article,
    Quote,
    /// A statement that gained a source (see [`crate::statements::join::Plan::gained`]).
    Statement,
}

impl ChangeKind {
    /// The stored name: `article` or `quote`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Article => "article",
            ChangeKind::Quote => "quote",
            ChangeKind::Statement => "statement",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "article" => Some(ChangeKind::Article),
            "quote" => Some(ChangeKind::Quote),
            "statement" => Some(ChangeKind::Statement),
            _ => None,
        }
    }
}

/// One entity a write added, with its place in the write sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: u64,
    pub kind: ChangeKind,
    /// The entity's own id (its key).
    pub id: String,
}

/// The entities of `batch` that are not stored yet, in the order they are
/// logged: articles, then quotes, each in batch order, each id once.
/// `stored_articles` and `stored_quotes` hold the batch's ids already stored.
pub fn added(
    batch: &GraphBatch,
    stored_articles: &HashSet<String>,
    stored_quotes: &HashSet<String>,
) -> Vec<(ChangeKind, String)> {
    let mut seen = HashSet::new();
    let articles = batch
        .articles
        .iter()
        .map(|a| a.id.as_str())
        .filter(|id| !stored_articles.contains(*id))
        .map(|id| (ChangeKind::Article, id.to_owned()));
    let quotes = batch
        .quotes
        .iter()
        .map(|q| q.id.as_str())
        .filter(|id| !stored_quotes.contains(*id))
        .map(|id| (ChangeKind::Quote, id.to_owned()));
    articles.chain(quotes).filter(|entry| seen.insert(entry.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_what_they_store() {
        for kind in [ChangeKind::Article, ChangeKind::Quote, ChangeKind::Statement] {
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ChangeKind::parse("person"), None);
    }
}
