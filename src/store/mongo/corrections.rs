//! Corrections on MongoDB, which has no transactions (FerretDB v1 neither):
//! an ordered, idempotent write that a reader can verify and a crash cannot
//! leave half-done for long.
//!
//! Collections: `correction_intents` (a correction in flight: the whole
//! [`CorrectionWrite`] as JSON, under the deterministic id
//! `<quote>@<version>`), `quote_decisions` (by quote id, indexed by anchor)
//! and `audit_log` (entries by their fixed ids, indexed by entity).
//!
//! [`MongoStore::correct`] writes, in this order:
//! 1. the intent. Its id is unique: a second correction based on the same
//!    version fails here with a conflict (unless it is the same correction,
//!    retried);
//! 2. a quote's decisions, compare-and-set on the version (a stale version is a
//!    conflict, and the intent is dropped: nothing else was written);
//! 3. the article's batch (idempotent upserts, see [`MongoStore::write`]);
//!    for a merge of two people, then the merged person's removal and the
//!    redirect of its id (both idempotent);
//! 4. the audit entries (replacements by id);
//! 5. the intent is deleted: the correction is complete and acknowledged.
//!
//! Steps 2 to 5 can run again with the same result, so
//! [`MongoStore::recover`] finishes every intent left by a crash (rolls it
//! forward). It runs before each correction and each read of the audit log
//! (one `find` on a collection that holds only corrections in flight), and
//! when the store is prepared: a change is never seen without its entry
//! once anyone looks, and entries are only written after their change.

use super::{MongoStore, classify};
use crate::domain::correction::millis;
use crate::domain::{Article, AuditEntry, AuditFilter, Quote, QuoteDecisions, QuoteId};
use crate::store::corrections::{CorrectionWrite, PersonMerge};
use crate::store::{GraphBatch, StoreError, StoreResult};
use futures_util::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use serde::{Deserialize, Serialize};

pub(super) const INTENTS: &str = "correction_intents";
pub(super) const DECISIONS: &str = "quote_decisions";
pub(super) const AUDIT_LOG: &str = "audit_log";
/// Merged people: `_id` the merged id, `into` the survivor's.
pub(super) const MERGES: &str = "merges";

/// A [`CorrectionWrite`] as the intent document keeps it.
#[derive(Serialize, Deserialize, PartialEq)]
struct Intent {
    expected_version: u64,
    decisions: Option<QuoteDecisions>,
    entries: Vec<AuditEntry>,
    articles: Vec<Article>,
    quotes: Vec<Quote>,
    #[serde(default)]
    people: Vec<crate::domain::Person>,
    #[serde(default)]
    organizations: Vec<crate::domain::Organization>,
    #[serde(default)]
    merged: Option<PersonMerge>,
}

impl Intent {
    fn of(c: &CorrectionWrite) -> Self {
        Intent {
            expected_version: c.expected_version,
            decisions: c.decisions.clone(),
            entries: c.entries.clone(),
            articles: c.batch.articles.clone(),
            quotes: c.batch.quotes.clone(),
            people: c.batch.people.clone(),
            organizations: c.batch.organizations.clone(),
            merged: c.merged.clone(),
        }
    }

    fn into_write(self) -> CorrectionWrite {
        CorrectionWrite {
            expected_version: self.expected_version,
            decisions: self.decisions,
            entries: self.entries,
            batch: GraphBatch {
                articles: self.articles,
                quotes: self.quotes,
                people: self.people,
                organizations: self.organizations,
                ..GraphBatch::default()
            },
            merged: self.merged,
        }
    }
}

fn json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Internal(format!("cannot encode: {e}")))
}

fn unjson<T: for<'de> Deserialize<'de>>(raw: &str) -> StoreResult<T> {
    serde_json::from_str(raw).map_err(|e| StoreError::Internal(format!("stored document does not decode: {e}")))
}

fn payload<T: for<'de> Deserialize<'de>>(document: &Document) -> StoreResult<T> {
    unjson(document.get_str("payload").map_err(|e| StoreError::Internal(e.to_string()))?)
}

impl MongoStore {
    /// Writes `correction` in the order of the module docs.
    pub(super) async fn correct(&self, correction: &CorrectionWrite) -> StoreResult<()> {
        let id = correction.id();
        let intent = Intent::of(correction);
        let raw = json(&intent)?;
        let inserted = self
            .collection(INTENTS)
            .insert_one(doc! { "_id": &id, "entity": correction.entity(), "payload": &raw })
            .await;
        match inserted {
            Ok(_) => {}
            Err(e) if super::changes::is_duplicate_key(&e) => {
                let existing = self.collection(INTENTS).find_one(doc! { "_id": &id }).await.map_err(classify)?;
                let same = existing.map(|d| payload::<Intent>(&d)).transpose()?.is_some_and(|i| i == intent);
                if !same {
                    return Err(StoreError::Conflict(format!(
                        "another correction of `{}` is in flight",
                        correction.entity()
                    )));
                }
            }
            Err(e) => return Err(classify(e)),
        }
        self.finish(&id, correction).await
    }

    /// Steps 2 to 5 of the module docs, for the intent `id`.
    async fn finish(&self, id: &str, correction: &CorrectionWrite) -> StoreResult<()> {
        if let Err(error) = self.set_decisions(correction).await {
            if matches!(error, StoreError::Conflict(_)) {
                self.collection(INTENTS).delete_one(doc! { "_id": id }).await.map_err(classify)?;
            }
            return Err(error);
        }
        crate::store::Store::write(self, &correction.batch).await?;
        if let Some(merge) = &correction.merged {
            self.collection(super::PEOPLE).delete_one(doc! { "_id": merge.from.as_str() }).await.map_err(classify)?;
            self.upsert_all(MERGES, vec![doc! { "_id": merge.from.as_str(), "into": merge.into.as_str() }]).await?;
        }
        let entries = correction
            .entries
            .iter()
            .map(|entry| {
                Ok(doc! {
                    "_id": &entry.id,
                    "at": millis::format(&entry.at),
                    "by": &entry.by,
                    "entity": entry.entity.as_str(),
                    "entity_id": &entry.entity_id,
                    "field": entry.field.as_str(),
                    "payload": json(entry)?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(AUDIT_LOG, entries).await?;
        self.collection(INTENTS).delete_one(doc! { "_id": id }).await.map_err(classify)?;
        Ok(())
    }

    /// Compare-and-set of the quote's decisions on their version. Finding
    /// them already as this correction sets them is success (a replay).
    async fn set_decisions(&self, correction: &CorrectionWrite) -> StoreResult<()> {
        let Some(decisions) = &correction.decisions else {
            return Ok(());
        };
        let quote = decisions.quote.as_str();
        let raw = json(decisions)?;
        let document = doc! {
            "_id": quote,
            "anchor": &decisions.anchor,
            "version": decisions.version as i64,
            "payload": &raw,
        };
        let expected = correction.expected_version as i64;
        let applied = if expected == 0 {
            match self.collection(DECISIONS).insert_one(document).await {
                Ok(_) => true,
                Err(e) if super::changes::is_duplicate_key(&e) => false,
                Err(e) => return Err(classify(e)),
            }
        } else {
            let result = self
                .collection(DECISIONS)
                .replace_one(doc! { "_id": quote, "version": expected }, document)
                .await
                .map_err(classify)?;
            result.matched_count == 1
        };
        if applied {
            return Ok(());
        }
        let stored = self.collection(DECISIONS).find_one(doc! { "_id": quote }).await.map_err(classify)?;
        match stored {
            Some(d) if d.get_str("payload").ok() == Some(raw.as_str()) => Ok(()),
            Some(d) => Err(StoreError::Conflict(format!(
                "quote `{quote}` is at version {}, not {expected}",
                d.get("version").and_then(Bson::as_i64).unwrap_or_default()
            ))),
            None => Err(StoreError::Conflict(format!("quote `{quote}` is at version 0, not {expected}"))),
        }
    }

    /// Finishes every correction in flight (see the module docs); how many.
    pub(super) async fn recover(&self) -> StoreResult<u64> {
        let pending: Vec<Document> = self
            .collection(INTENTS)
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        let mut finished = 0;
        for document in pending {
            let id = document.get_str("_id").map_err(|e| StoreError::Internal(e.to_string()))?.to_owned();
            let correction = payload::<Intent>(&document)?.into_write();
            match self.finish(&id, &correction).await {
                Ok(()) => finished += 1,
                // Superseded: the stale intent was dropped, nothing of it was applied.
                Err(StoreError::Conflict(_)) => {}
                Err(other) => return Err(other),
            }
        }
        if finished > 0 {
            tracing::warn!(finished, "finished corrections a crash had left half-written");
        }
        Ok(finished)
    }

    pub(super) async fn read_decisions(&self, quotes: &[QuoteId]) -> StoreResult<Vec<QuoteDecisions>> {
        let filter = match quotes {
            [] => return Ok(Vec::new()),
            [one] => doc! { "_id": one.as_str() },
            _ => doc! { "_id": { "$in": quotes.iter().map(|q| q.as_str()).collect::<Vec<_>>() } },
        };
        self.decisions_where(filter).await
    }

    pub(super) async fn read_decisions_by_anchor(&self, anchors: &[String]) -> StoreResult<Vec<QuoteDecisions>> {
        if anchors.is_empty() {
            return Ok(Vec::new());
        }
        self.decisions_where(doc! { "anchor": { "$in": anchors } }).await
    }

    async fn decisions_where(&self, filter: Document) -> StoreResult<Vec<QuoteDecisions>> {
        let found: Vec<Document> = self
            .collection(DECISIONS)
            .find(filter)
            .sort(doc! { "_id": 1 })
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        found.iter().map(payload).collect()
    }

    fn audit_filter(filter: &AuditFilter, before: Option<&str>) -> Document {
        let mut query = Document::new();
        let mut id = Document::new();
        if !filter.ids.is_empty() {
            id.insert("$in", filter.ids.clone());
        }
        if let Some(before) = before {
            id.insert("$lt", before);
        }
        if !id.is_empty() {
            query.insert("_id", id);
        }
        if let Some(entity) = filter.entity {
            query.insert("entity", entity.as_str());
        }
        if !filter.entity_ids.is_empty() {
            query.insert("entity_id", doc! { "$in": filter.entity_ids.clone() });
        }
        if let Some(field) = filter.field {
            query.insert("field", field.as_str());
        }
        if let Some(by) = &filter.by {
            query.insert("by", by.as_str());
        }
        let mut at = Document::new();
        if let Some(since) = &filter.since {
            at.insert("$gte", millis::format(since));
        }
        if let Some(until) = &filter.until {
            at.insert("$lte", millis::format(until));
        }
        if !at.is_empty() {
            query.insert("at", at);
        }
        query
    }

    pub(super) async fn read_audit(
        &self,
        filter: &AuditFilter,
        limit: usize,
        before: Option<&str>,
    ) -> StoreResult<Vec<AuditEntry>> {
        self.recover().await?;
        let found: Vec<Document> = self
            .collection(AUDIT_LOG)
            .find(Self::audit_filter(filter, before))
            .sort(doc! { "_id": -1 })
            .limit(i64::try_from(limit).unwrap_or(i64::MAX))
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        found.iter().map(payload).collect()
    }

    pub(super) async fn read_merges(&self, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        let filter = match ids {
            [] => return Ok(Vec::new()),
            [one] => doc! { "_id": one },
            _ => doc! { "_id": { "$in": ids } },
        };
        let found: Vec<Document> =
            self.collection(MERGES).find(filter).await.map_err(classify)?.try_collect().await.map_err(classify)?;
        Ok(found
            .iter()
            .filter_map(|d| Some((d.get_str("_id").ok()?.to_owned(), d.get_str("into").ok()?.to_owned())))
            .collect())
    }

    pub(super) async fn count_audit(&self, filter: &AuditFilter) -> StoreResult<u64> {
        self.collection(AUDIT_LOG).count_documents(Self::audit_filter(filter, None)).await.map_err(classify)
    }
}
