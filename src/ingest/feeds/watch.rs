//! Keeping the graph current: a [`Watcher`] polls every feed of a feeds file,
//! once ([`Watcher::poll_all`], `newsgraph watch --once`) or for as long as it
//! runs ([`Watcher::run`], `newsgraph watch` and `newsgraph serve --feeds`),
//! each feed on its own schedule.
//!
//! On start a feed waits for the next poll time its stored state gives (so a
//! restart does not poll everything at once), then polls after its interval,
//! or after a backoff while it fails. At most [`MAX_POLLS_AT_ONCE`] feeds poll
//! at the same time, which bounds the memory held by fetched bodies; requests
//! to one host go one at a time ([`super::polite`]).

use super::file::{FeedSpec, FeedsFile};
use super::polite::HostGate;
use super::poll::{PollReport, Poller};
use crate::ingest::fetch::Fetcher;
use crate::store::SharedStore;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The most feeds polled at the same time.
pub const MAX_POLLS_AT_ONCE: usize = 8;

/// Polls the feeds of a feeds file into a store. Cheap to clone.
#[derive(Clone)]
pub struct Watcher {
    poller: Arc<Poller>,
    feeds: Arc<Vec<FeedSpec>>,
    polls: Arc<Semaphore>,
}

impl Watcher {
    pub fn new(store: SharedStore, fetcher: Fetcher, file: FeedsFile) -> Self {
        let poller = Poller { store, fetcher, gate: HostGate::new(file.host_delay), max_backoff: file.max_backoff };
        Watcher {
            poller: Arc::new(poller),
            feeds: Arc::new(file.feeds),
            polls: Arc::new(Semaphore::new(MAX_POLLS_AT_ONCE)),
        }
    }

    pub fn feeds(&self) -> &[FeedSpec] {
        &self.feeds
    }

    /// Polls one feed now.
    pub async fn poll(&self, feed: &FeedSpec) -> PollReport {
        let _permit = self.polls.acquire().await;
        self.poller.poll(feed).await
    }

    /// Polls every feed once, now, whatever their schedules; the reports in the file's order.
    pub async fn poll_all(&self) -> Vec<PollReport> {
        futures_util::future::join_all(self.feeds.iter().map(|feed| self.poll(feed))).await
    }

    /// Polls every feed on its schedule, until dropped (the task aborted).
    pub async fn run(self) {
        tracing::info!(feeds = self.feeds.len(), "watching feeds");
        let tasks: Vec<_> = (0..self.feeds.len())
            .map(|index| {
                let watcher = self.clone();
                tokio::spawn(async move { watcher.run_feed(index).await })
            })
            .collect();
        // Aborting this future aborts the feeds' tasks too.
        let _abort = AbortOnDrop(tasks.iter().map(|t| t.abort_handle()).collect());
        futures_util::future::join_all(tasks).await;
    }

    /// Starts [`Watcher::run`] in the background; aborting the handle stops it.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run())
    }

    async fn run_feed(&self, index: usize) {
        let feed = &self.feeds[index];
        // A feed not due yet (by its stored state) waits; an unreadable state polls now.
        let mut due = match self.poller.store.feed_state(&feed.url).await {
            Ok(Some(state)) => state.next_poll_at.unwrap_or_else(Utc::now),
            _ => Utc::now(),
        };
        loop {
            if let Ok(wait) = (due - Utc::now()).to_std() {
                tokio::time::sleep(wait).await;
            }
            due = self.poll(feed).await.next_poll_at;
        }
    }
}

struct AbortOnDrop(Vec<tokio::task::AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}
