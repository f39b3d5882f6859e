//! The MongoDB store's write sequence (see [`crate::store::changes`]): a
//! counter document and a `changes` collection, no change streams (FerretDB
//! has none, nor does a standalone `mongod`).
//!
//! A write first looks up which of its articles and quotes are already stored
//! (one `_id` query per collection), writes its entities as before, and then
//! reserves one number per added entity from the counter (`findAndModify` with
//! `$inc`, one round trip for the whole batch) and inserts the change
//! documents. Their `_id`s are the numbers zero-padded to 20 digits, so string
//! order is number order and a tailer reads `_id > last` sorted by `_id`: a
//! range of the `_id` index on MongoDB (FerretDB scans, which is fine at the
//! sizes it is used at). The tailer reads the counter first, by `_id`
//! equality, and queries `changes` only when the counter has moved, so an idle
//! server costs one point read per poll.
//!
//! Change documents are written after the entities they name, so whoever reads
//! a change can load its entity. Numbers are reserved at the end of the write,
//! so two writers racing can still insert 6 before 5 becomes visible: the gap
//! race. The tailer ([`crate::feed`]) then holds 6 back until 5 appears or a
//! grace period passes; after it, 5 is given up (and logged), which is what
//! happens when a writer dies between reserving and inserting. A write that
//! fails after its entities are stored and before its change documents are
//! loses those changes: retrying it finds the entities stored and adds none.

use super::{COUNTERS, MongoStore, classify};
use crate::store::changes::{self, Change, ChangeKind};
use crate::store::{GraphBatch, StoreError, StoreResult};
use futures_util::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use mongodb::error::ErrorKind;
use mongodb::options::ReturnDocument;
use std::collections::HashSet;

/// The collection of change documents.
pub const CHANGES: &str = "changes";
/// The `_id` of the counter document in the counters collection.
const SEQUENCE: &str = "changes";

/// The `_id` of change number `seq`: zero-padded, so that string order is number order.
pub fn key(seq: u64) -> String {
    format!("{seq:020}")
}

/// The server's code for a duplicate key.
pub(super) const DUPLICATE_KEY: i32 = 11000;

pub(super) fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    match error.kind.as_ref() {
        ErrorKind::Command(command) => command.code == DUPLICATE_KEY,
        ErrorKind::Write(mongodb::error::WriteFailure::WriteError(write)) => write.code == DUPLICATE_KEY,
        _ => false,
    }
}

/// Whether a command only reads the write sequence (a `find` on the counter
/// or the change documents): the feed's polls, not counted as operations.
pub fn is_sequence_read(name: &str, command: &Document) -> bool {
    name == "find" && matches!(command.get_str("find"), Ok(CHANGES | COUNTERS))
}

/// Tries at numbering one write's changes before giving up.
const RESERVE_ATTEMPTS: usize = 5;

/// The index of the first document of an ordered insert that collided with
/// another's `_id` (a number another writer took), if that is what failed.
fn collided_at(error: &mongodb::error::Error) -> Option<usize> {
    match error.kind.as_ref() {
        ErrorKind::InsertMany(failure) => {
            let first = failure.write_errors.as_ref()?.first()?;
            (first.code == DUPLICATE_KEY && failure.write_concern_error.is_none()).then_some(first.index)
        }
        _ => None,
    }
}

/// Reads a number stored as any BSON number type.
fn number(value: Option<&Bson>) -> Option<u64> {
    match value? {
        Bson::Int32(n) => u64::try_from(*n).ok(),
        Bson::Int64(n) => u64::try_from(*n).ok(),
        Bson::Double(n) if *n >= 0.0 => Some(*n as u64),
        _ => None,
    }
}

impl MongoStore {
    /// The ids of `ids` already stored in `collection`.
    async fn stored_ids(&self, collection: &str, ids: Vec<String>) -> StoreResult<HashSet<String>> {
        let filter = match ids.as_slice() {
            [] => return Ok(HashSet::new()),
            // Equality for one id: FerretDB pushes only that down.
            [id] => doc! { "_id": id.as_str() },
            _ => doc! { "_id": { "$in": &ids } },
        };
        Ok(self.ids_matching(collection, filter).await?.into_iter().collect())
    }

    /// What `batch` adds: its articles and quotes not stored yet. Read before the write.
    pub(super) async fn added(&self, batch: &GraphBatch) -> StoreResult<Vec<(ChangeKind, String)>> {
        let articles = batch.articles.iter().map(|a| a.id.to_string()).collect();
        let quotes = batch.quotes.iter().map(|q| q.id.to_string()).collect();
        let (stored_articles, stored_quotes) = futures_util::try_join!(
            self.stored_ids(super::ARTICLES, articles),
            self.stored_ids(super::QUOTES, quotes)
        )?;
        Ok(changes::added(batch, &stored_articles, &stored_quotes))
    }

    /// Reserves numbers for `added` and inserts their change documents. Call
    /// after the entities are stored.
    ///
    /// MongoDB's `$inc` is atomic, so two writers never get the same numbers;
    /// FerretDB's is not, and two writers racing may. The change documents'
    /// `_id`s then collide: the writer whose insert fails takes fresh numbers
    /// for the documents not inserted yet, and tries again.
    pub(super) async fn append_changes(&self, added: &[(ChangeKind, String)]) -> StoreResult<()> {
        let mut remaining = added;
        for _ in 0..RESERVE_ATTEMPTS {
            if remaining.is_empty() {
                return Ok(());
            }
            let first = self.reserve(remaining.len()).await?;
            let documents: Vec<Document> = remaining
                .iter()
                .zip(first..)
                .map(|((kind, id), seq)| {
                    doc! { "_id": key(seq), "seq": seq as i64, "kind": kind.as_str(), "entity": id.as_str() }
                })
                .collect();
            match self.collection(CHANGES).insert_many(documents).ordered(true).await {
                Ok(_) => return Ok(()),
                Err(e) => match collided_at(&e) {
                    // Ordered: the documents before the collision are in.
                    Some(index) => remaining = &remaining[index..],
                    None => return Err(classify(e)),
                },
            }
        }
        Err(StoreError::Unavailable(format!(
            "could not number {} changes after {RESERVE_ATTEMPTS} tries: other writers kept taking the numbers",
            remaining.len()
        )))
    }

    /// Reserves `count` numbers from the counter; returns the first.
    async fn reserve(&self, count: usize) -> StoreResult<u64> {
        let increment = i64::try_from(count).map_err(|_| StoreError::Internal("too many changes".into()))?;
        let counters = self.collection(COUNTERS);
        let reserve = || {
            counters
                .find_one_and_update(doc! { "_id": SEQUENCE }, doc! { "$inc": { "seq": increment } })
                .upsert(true)
                .return_document(ReturnDocument::After)
        };
        // Two first writers racing both try to create the counter; the loser
        // gets a duplicate key error, and the counter now exists.
        let counter = match reserve().await {
            Err(e) if is_duplicate_key(&e) => reserve().await,
            other => other,
        }
        .map_err(classify)?
        .ok_or_else(|| StoreError::Internal("the change counter was not returned".into()))?;
        let end = number(counter.get("seq"))
            .ok_or_else(|| StoreError::Internal(format!("the change counter holds no number: {counter}")))?;
        Ok(end + 1 - count as u64)
    }

    /// The changes after `after`, at most `limit`; one point read when there are none.
    pub(super) async fn read_changes_after(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
        if self.read_last_change_seq().await? <= after || limit == 0 {
            return Ok(Vec::new());
        }
        let found: Vec<Document> = self
            .collection(CHANGES)
            .find(doc! { "_id": { "$gt": key(after) } })
            .sort(doc! { "_id": 1 })
            .limit(i64::try_from(limit).unwrap_or(i64::MAX))
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        found
            .iter()
            .map(|d| {
                let seq = number(d.get("seq"));
                let kind = d.get_str("kind").ok().and_then(ChangeKind::parse);
                let id = d.get_str("entity").ok();
                match (seq, kind, id) {
                    (Some(seq), Some(kind), Some(id)) => Ok(Change { seq, kind, id: id.to_owned() }),
                    _ => Err(StoreError::Internal(format!("a change document does not decode: {d}"))),
                }
            })
            .collect()
    }

    /// The highest number reserved so far (0 when none).
    pub(super) async fn read_last_change_seq(&self) -> StoreResult<u64> {
        let counter = self.collection(COUNTERS).find_one(doc! { "_id": SEQUENCE }).await.map_err(classify)?;
        Ok(counter.and_then(|c| number(c.get("seq"))).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_of_the_sequence_go_uncounted() {
        assert!(is_sequence_read("find", &doc! { "find": "changes", "filter": {} }));
        assert!(is_sequence_read("find", &doc! { "find": "counters", "filter": {} }));
        assert!(!is_sequence_read("find", &doc! { "find": "quotes", "filter": {} }));
        assert!(!is_sequence_read("findAndModify", &doc! { "findAndModify": "counters" }));
        assert!(!is_sequence_read("insert", &doc! { "insert": "changes" }));
    }

    #[test]
    fn keys_sort_as_their_numbers() {
        let mut keys: Vec<String> = [10u64, 9, 100, 1, u64::MAX].iter().map(|n| key(*n)).collect();
        keys.sort();
        assert_eq!(keys, vec![key(1), key(9), key(10), key(100), key(u64::MAX)]);
    }

    #[test]
    fn numbers_read_from_every_bson_number_type() {
        assert_eq!(number(Some(&Bson::Int32(5))), Some(5));
        assert_eq!(number(Some(&Bson::Int64(6))), Some(6));
        assert_eq!(number(Some(&Bson::Double(7.0))), Some(7));
        assert_eq!(number(Some(&Bson::Int64(-1))), None);
        assert_eq!(number(Some(&Bson::String("8".into()))), None);
        assert_eq!(number(None), None);
    }
}
