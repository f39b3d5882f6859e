//! What the feed watcher ([`crate::ingest::feeds`]) keeps in the store, so that
//! a restart neither fetches every item again nor forgets how a feed was doing:
//! per feed its HTTP validators, poll times and failures ([`FeedState`]); per
//! item it has met, under the item's key (its page's URL, so two feeds carrying
//! one story share it), what became of it ([`FeedItemRecord`]).
//!
//! Both backends keep them as documents keyed by `id`: the embedded store in
//! `feed_states` and `feed_items` tables, MongoDB in collections of those
//! names. Neither is part of the graph, and neither is logged in the write
//! sequence.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a feed was doing when last polled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedState {
    /// The feed's URL, as the feeds file gives it.
    pub id: String,
    /// The `ETag` of the last complete poll, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` of the last complete poll, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
    pub last_poll_at: Option<DateTime<Utc>>,
    /// The last poll that fetched and read the feed (or was told it had not changed).
    pub last_success_at: Option<DateTime<Utc>>,
    /// When the feed is due again: its interval after a success, a backoff after failures.
    pub next_poll_at: Option<DateTime<Utc>>,
    /// Polls failed in a row (0 after a success).
    pub failures: u32,
    /// The last failure's code and message.
    pub last_error: Option<String>,
}

/// What became of a feed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Claimed by a poll that is reading it now (or died doing so).
    Pending,
    /// Its article is in the graph.
    Ingested,
    /// Not ingested for good: not an article, too large, not HTML…
    Skipped,
    /// Not ingested for a reason that may pass (a timeout, a 5xx): tried again on later polls.
    Failed,
    /// Another feed's item, met in this one too (a record of its own, keyed by
    /// the item's key and this feed, so that it is counted a duplicate once).
    Duplicate,
}

/// One feed item met by a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedItemRecord {
    /// The item's key: its link without fragment and tracking parameters, else
    /// `guid:` and the feed's URL and the item's id.
    pub id: String,
    /// The feed that claimed it first.
    pub feed: String,
    /// The item's id in that feed (RSS `guid`, Atom `id`, JSON Feed `id`).
    pub guid: String,
    pub status: ItemStatus,
    /// Why it was skipped or failed (`PAGE_TOO_LARGE`, `FETCH_TIMEOUT`…).
    pub code: Option<String>,
    /// The stored article's key, once ingested.
    pub article: Option<String>,
    /// How many times it was tried.
    pub attempts: u32,
    pub updated_at: DateTime<Utc>,
}
