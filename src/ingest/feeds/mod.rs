//! Feeds that keep the graph current: RSS, Atom and JSON Feed polled on a
//! schedule, each new item followed to its page and ingested.
//!
//! - [`file`]: the feeds file (TOML): which feeds, how often, with what defaults.
//! - [`items`]: a fetched feed's items (`feed-rs`) and the key that makes an
//!   item the same across polls and feeds.
//! - [`polite`]: one request at a time per host, with a delay between two.
//! - [`poll`]: one poll of one feed: conditional fetch, new items, ingest,
//!   state and records in the store, backoff, log and metrics.
//! - [`watch`]: all the feeds of a file, once or on their schedules
//!   (`newsgraph watch`, `newsgraph serve --feeds`).
//!
//! Fetching is [`crate::ingest::fetch`]'s (its address, redirect, timeout and
//! size rules apply to feeds and pages alike); what the watcher remembers is
//! in the store ([`crate::store::feed_state`]), on either backend.

pub mod file;
pub mod items;
pub mod polite;
pub mod poll;
pub mod watch;

pub use file::{FeedSpec, FeedsFile, FeedsFileError};
pub use poll::PollReport;
pub use watch::Watcher;
