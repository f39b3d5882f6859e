//! What one correction writes, on either backend (see `crate::corrections`
//! for the model, and each backend for how it writes it together).

use super::GraphBatch;
use crate::domain::{AuditEntry, PersonId, QuoteDecisions};

/// A correction as the store writes it: the audit entries, the quote's
/// decisions after it, and the article rewritten with its quotes as corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectionWrite {
    /// The version the correction was based on: the write fails with
    /// [`super::StoreError::Conflict`] when the stored one differs.
    pub expected_version: u64,
    /// The quote's decisions after it (none for a change of a person or an organization).
    pub decisions: Option<QuoteDecisions>,
    pub entries: Vec<AuditEntry>,
    pub batch: GraphBatch,
    /// A merge of two people: after the batch (which holds the survivor and
    /// every article and quote that named the merged person, now naming the
    /// survivor), the merged person is removed and its id redirected.
    pub merged: Option<PersonMerge>,
}

/// One person merged into another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonMerge {
    pub from: PersonId,
    pub into: PersonId,
}

impl CorrectionWrite {
    /// The deterministic id of this correction: the quote and the version it
    /// makes, else its first entry's id.
    pub fn id(&self) -> String {
        match &self.decisions {
            Some(d) => format!("{}@{}", d.quote, d.version),
            None => self.entries.first().map(|e| e.id.clone()).unwrap_or_default(),
        }
    }

    /// The entity it changes, for messages.
    pub fn entity(&self) -> String {
        self.entries.first().map(|e| e.entity_id.clone()).unwrap_or_default()
    }
}
