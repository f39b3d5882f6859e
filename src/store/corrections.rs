//! What one correction writes, on either backend (see `crate::corrections`
//! for the model, and each backend for how it writes it together).

use super::GraphBatch;
use crate::domain::{AuditEntry, QuoteDecisions};

/// A correction as the store writes it: the audit entries, the quote's
/// decisions after it, and the article rewritten with its quotes as corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectionWrite {
    /// The version the correction was based on: the write fails with
    /// [`super::StoreError::Conflict`] when the stored one differs.
    pub expected_version: u64,
    pub decisions: QuoteDecisions,
    pub entries: Vec<AuditEntry>,
    pub batch: GraphBatch,
}

impl CorrectionWrite {
    /// The deterministic id of this correction: the quote and the version it makes.
    pub fn id(&self) -> String {
        format!("{}@{}", self.decisions.quote, self.decisions.version)
    }
}
