//! The values of editors' corrections (see `crate::corrections`): an audit
//! entry, the human decisions about one quote ([`QuoteDecisions`]) and the
//! key they survive re-extraction by ([`anchor`]), and how the audit log is
//! filtered.

use super::{ArticleId, Quote, QuoteId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The kinds of entity a correction changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Quote,
    Person,
    Organization,
    Statement,
}

impl EntityKind {
    /// The stored spelling, e.g. `quote`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Quote => "quote",
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Statement => "statement",
        }
    }
}

/// The fields a correction can change: a quote's, where `rejected` is the
/// rejection (`true` after a reject, `false` after a restore), and the
/// `aliases` of a person or an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum QuoteField {
    Speaker,
    Text,
    Direct,
    Via,
    Span,
    Rejected,
    Aliases,
    /// A person merged into another: `after` is the survivor's id.
    MergedInto,
}

impl QuoteField {
    /// The fields of a quote.
    pub const ALL: [QuoteField; 6] = [
        QuoteField::Speaker,
        QuoteField::Text,
        QuoteField::Direct,
        QuoteField::Via,
        QuoteField::Span,
        QuoteField::Rejected,
    ];

    /// The stored spelling, e.g. `speaker`.
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteField::Speaker => "speaker",
            QuoteField::Text => "text",
            QuoteField::Direct => "direct",
            QuoteField::Via => "via",
            QuoteField::Span => "span",
            QuoteField::Rejected => "rejected",
            QuoteField::Aliases => "aliases",
            QuoteField::MergedInto => "merged_into",
        }
    }

    pub fn parse(text: &str) -> Option<QuoteField> {
        QuoteField::ALL.into_iter().chain([QuoteField::Aliases, QuoteField::MergedInto]).find(|f| f.as_str() == text)
    }

    /// The field's value in `quote` as JSON (before and after values of audit entries).
    pub fn value_of(self, quote: &Quote, rejected: bool) -> serde_json::Value {
        match self {
            QuoteField::Speaker => serde_json::to_value(&quote.speaker),
            QuoteField::Text => serde_json::to_value(&quote.text),
            QuoteField::Direct => serde_json::to_value(quote.direct),
            QuoteField::Via => serde_json::to_value(&quote.via),
            QuoteField::Span => serde_json::to_value(quote.span),
            QuoteField::Rejected => serde_json::to_value(rejected),
            QuoteField::Aliases | QuoteField::MergedInto => Ok(serde_json::Value::Null),
        }
        .unwrap_or(serde_json::Value::Null)
    }

    /// Copies this field from `from` into `into` (not `rejected`, which is no field of a quote).
    pub fn copy(self, from: &Quote, into: &mut Quote) {
        match self {
            QuoteField::Speaker => into.speaker = from.speaker.clone(),
            QuoteField::Text => into.text = from.text.clone(),
            QuoteField::Direct => into.direct = from.direct,
            QuoteField::Via => into.via = from.via.clone(),
            QuoteField::Span => into.span = from.span,
            QuoteField::Rejected | QuoteField::Aliases | QuoteField::MergedInto => {}
        }
    }
}

/// One recorded change, append-only: who, when, which entity and field, the
/// value before and after (JSON), and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Sortable by time: milliseconds since the epoch (13 digits), then a
    /// digest of the entity and its version, then the entry's place in its
    /// correction. Fixed before anything is written, so a retried write
    /// rewrites the same entries.
    pub id: String,
    #[serde(with = "millis")]
    pub at: DateTime<Utc>,
    /// The API key's name, or [`crate::graphql::access::DEVELOPMENT_AUTHOR`].
    pub by: String,
    pub entity: EntityKind,
    pub entity_id: String,
    pub field: QuoteField,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    #[serde(default)]
    pub reason: Option<String>,
    /// The entity's version after this change.
    pub version: u64,
    /// The entry this change undoes, when it is an undo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
}

impl AuditEntry {
    /// The id of the `index`th entry of the correction that makes `entity_id` version `version` at `at`.
    pub fn make_id(at: &DateTime<Utc>, entity_id: &str, version: u64, index: usize) -> String {
        let digest = Sha256::digest(format!("{entity_id}\0{version}").as_bytes());
        let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        format!("{:013}-{hash}-{index}", at.timestamp_millis().max(0))
    }
}

/// What humans decided about one quote: the fields they corrected, whether it
/// is rejected, and the quote as corrected. Kept by the quote's id and by its
/// [`anchor`], which re-ingest looks it up by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteDecisions {
    pub quote: QuoteId,
    pub anchor: String,
    /// How many corrections the quote has had (0: none).
    pub version: u64,
    /// The fields a human set; re-ingest keeps them.
    pub corrected: Vec<QuoteField>,
    pub rejected: bool,
    /// The quote with the corrections applied: its corrected fields'
    /// values, and the quote itself for a rejected one (which is no longer
    /// among the stored quotes).
    pub quote_as_corrected: Quote,
}

impl QuoteDecisions {
    /// Applies these decisions to a freshly extracted `quote` of `body`:
    /// `None` when it is rejected, else the quote with its corrected fields.
    /// A corrected span that no longer fits the body (a changed version of
    /// the article) gives way to the extracted one.
    pub fn apply(&self, mut quote: Quote, body: &str) -> Option<Quote> {
        if self.rejected {
            return None;
        }
        for field in &self.corrected {
            if *field == QuoteField::Span && self.quote_as_corrected.span.slice(body).is_none() {
                continue;
            }
            field.copy(&self.quote_as_corrected, &mut quote);
        }
        Some(quote)
    }
}

/// Which audit entries to list. Fields combine with AND; empty lists match all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub ids: Vec<String>,
    pub entity: Option<EntityKind>,
    /// Entries about any of these entities (of `entity`'s kind when it is set).
    pub entity_ids: Vec<String>,
    pub field: Option<QuoteField>,
    pub by: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// Whether `entry` passes (for stores that filter in memory).
    pub fn matches(&self, entry: &AuditEntry) -> bool {
        (self.ids.is_empty() || self.ids.contains(&entry.id))
            && self.entity.is_none_or(|e| e == entry.entity)
            && (self.entity_ids.is_empty() || self.entity_ids.contains(&entry.entity_id))
            && self.field.is_none_or(|f| f == entry.field)
            && self.by.as_ref().is_none_or(|b| b == &entry.by)
            && self.since.is_none_or(|s| entry.at >= s)
            && self.until.is_none_or(|u| entry.at <= u)
    }
}

/// The key under which the decisions about a quote survive re-extraction:
/// the article's URL when it has one (a changed version of a page keeps its
/// URL but not its id, which hashes the body), else the article's id, and
/// the quote's words as first extracted, folded (lowercase letters and
/// digits, single spaces). Quote ids hash nothing but the article and the
/// span's start, which an edit of the article upstream of the quote moves.
pub fn anchor(article: &ArticleId, url: Option<&str>, extracted_text: &str) -> String {
    let place = match url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => format!("url:{url}"),
        None => format!("article:{article}"),
    };
    let words: Vec<String> =
        extracted_text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let digest = Sha256::digest(format!("{place}\0{}", words.join(" ")).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Times in the audit log: RFC 3339 in UTC with milliseconds, so that text order is time order.
pub mod millis {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn format(at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&raw).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anchor_survives_a_changed_version_with_the_same_url_and_case_and_punctuation() {
        let a = ArticleId::parse("talks-end-aaaa").unwrap();
        let b = ArticleId::parse("talks-end-bbbb").unwrap();
        let url = Some("https://news.example/talks");
        assert_eq!(anchor(&a, url, "We will sign, now."), anchor(&b, url, "we will  sign now"));
        assert_ne!(anchor(&a, None, "We will sign"), anchor(&b, None, "We will sign"), "no URL: the article id");
        assert_ne!(anchor(&a, url, "We will sign"), anchor(&a, url, "We will not sign"));
    }

    #[test]
    fn entry_ids_sort_by_time_and_are_deterministic() {
        let early = DateTime::parse_from_rfc3339("2026-01-01T00:00:00.001Z").unwrap().with_timezone(&Utc);
        let late = DateTime::parse_from_rfc3339("2026-01-01T00:00:00.010Z").unwrap().with_timezone(&Utc);
        assert!(AuditEntry::make_id(&early, "q", 1, 0) < AuditEntry::make_id(&late, "q", 1, 0));
        assert_eq!(AuditEntry::make_id(&early, "q", 1, 0), AuditEntry::make_id(&early, "q", 1, 0));
        assert_ne!(AuditEntry::make_id(&early, "q", 1, 0), AuditEntry::make_id(&early, "q", 2, 0));
    }
}
