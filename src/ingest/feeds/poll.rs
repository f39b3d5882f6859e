//! One poll of one feed: fetch it conditionally, read its items, and ingest
//! the new ones, recording everything in the store as it goes.
//!
//! 1. The feed's stored state gives the validators of its last complete poll;
//!    the fetch sends them back, and a `304 Not Modified` ends the poll there.
//! 2. The items are read ([`super::items`]) and looked up in the store by key
//!    in one call. An item recorded before is not read again, unless it
//!    failed for a reason that may pass (at most [`MAX_ATTEMPTS`] tries in all)
//!    or its claim is older than [`STALE_CLAIM`] (a poll that died reading it).
//!    An item another feed claimed counts as a duplicate, once: a record of
//!    this feed's sighting of it is claimed beside the item's.
//! 3. At most the feed's `max_items_per_poll` items are read; the rest wait
//!    for the next poll.
//! 4. Each item is claimed in the store (atomically: of two feeds or two
//!    processes reading it at once, one reads it, the other counts a duplicate), its page fetched and read, and its article ingested
//!    through the ordinary path ([`crate::ingest::ingest`], which writes the
//!    article and its statements in one write and logs them in the write
//!    sequence, so subscriptions see them). When the page is refused (any
//!    fetch refusal, not an article, unreadable) and the item carries its own
//!    full text (at least [`MIN_FULL_TEXT_WORDS`] words of content, not a
//!    summary), that text is ingested instead. The item's record then says
//!    what became of it.
//! 5. The feed's state is saved: the new validators only if the poll read
//!    every item it has (none left for later, none to try again), since a
//!    `304` next time would otherwise hide them; the next poll time is the
//!    interval after a success, an exponential backoff after failures.
//!
//! A store failure stops the poll (the items left are read next time); any
//! other failure is the item's or the poll's alone.

use super::file::FeedSpec;
use super::items::{FeedItem, read_feed};
use super::polite::HostGate;
use crate::ingest::fetch::{FetchError, Fetched, Fetcher, Validators};
use crate::ingest::{IngestError, IngestInput, ingest, input_from_page, input_from_url};
use crate::metrics;
use crate::store::{FeedItemRecord, FeedState, ItemStatus, SharedStore, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The most times an item is tried before it is given up.
pub const MAX_ATTEMPTS: u32 = 3;

/// How old a claim may be before the item is taken as abandoned and read again.
pub const STALE_CLAIM: Duration = Duration::from_secs(10 * 60);

/// The least words of an item's own content for it to count as the full text.
pub const MIN_FULL_TEXT_WORDS: usize = 150;

/// Item keys looked up in the store per call.
const LOOKUP_CHUNK: usize = 500;

/// What one poll did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollReport {
    pub feed: String,
    /// `ok`, `not_modified`, or the failure's code.
    pub outcome: String,
    /// The failure, when the poll failed.
    pub error: Option<String>,
    /// Items in the feed (0 when it was not fetched or not read).
    pub items: usize,
    pub ingested: usize,
    /// Ingested from the item's own text after its page was refused (counted in `ingested` too).
    pub from_item_content: usize,
    pub duplicates: usize,
    pub skipped: usize,
    pub failed: usize,
    /// New items past the per-poll cap, left for the next poll.
    pub left_for_next_poll: usize,
    pub next_poll_at: DateTime<Utc>,
}

/// What became of one item.
enum ItemOutcome {
    Ingested {
        article: String,
        from_item_content: bool,
    },
    /// Its article was already in the graph (the same text under another URL, or ingested before).
    AlreadyStored {
        article: String,
    },
    Refused {
        code: &'static str,
        message: String,
        retry: bool,
    },
}

/// The code under which an ingest failure is logged and counted.
fn ingest_code(error: &IngestError) -> &'static str {
    match error {
        IngestError::Fetch(e) => e.code(),
        IngestError::NotAnArticle(_) => "NOT_AN_ARTICLE",
        IngestError::Invalid(_) | IngestError::Extract(_) => "INVALID_ARTICLE",
        IngestError::Store(StoreError::Unavailable(_)) => "STORE_UNAVAILABLE",
        IngestError::Store(_) => "STORE_ERROR",
    }
}

/// Whether a failure may pass if tried again later.
fn may_pass(error: &IngestError) -> bool {
    match error {
        IngestError::Fetch(FetchError::Timeout(_) | FetchError::Failed(_)) => true,
        IngestError::Fetch(FetchError::HttpStatus(status)) => *status >= 500 || matches!(status, 408 | 429),
        IngestError::Store(_) => true,
        _ => false,
    }
}

/// How long a feed that failed `failures` times in a row waits: its interval
/// doubled per failure, at most `cap` (and never less than the interval).
pub fn backoff(interval: Duration, failures: u32, cap: Duration) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(20));
    interval.saturating_mul(factor).min(cap).max(interval)
}

/// Words of text in `html`, its tags left out.
fn words_of_html(html: &str) -> usize {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// Polls feeds: the store, the fetcher and the hosts' turns they share.
pub struct Poller {
    pub(super) store: SharedStore,
    pub(super) fetcher: Fetcher,
    pub(super) gate: HostGate,
    pub(super) max_backoff: Duration,
}

impl Poller {
    /// Polls `feed` once; see the module docs. Never fails: a failure is in the report.
    pub async fn poll(&self, feed: &FeedSpec) -> PollReport {
        let now = Utc::now();
        let mut report = PollReport {
            feed: feed.url.clone(),
            outcome: "ok".into(),
            error: None,
            items: 0,
            ingested: 0,
            from_item_content: 0,
            duplicates: 0,
            skipped: 0,
            failed: 0,
            left_for_next_poll: 0,
            next_poll_at: now,
        };
        let mut state = match self.store.feed_state(&feed.url).await {
            Ok(state) => state.unwrap_or_else(|| FeedState { id: feed.url.clone(), ..FeedState::default() }),
            Err(error) => {
                let state = FeedState { id: feed.url.clone(), ..FeedState::default() };
                return self.failed(feed, state, report, "STORE_UNAVAILABLE", error.to_string(), None).await;
            }
        };
        state.last_poll_at = Some(now);
        let validators = Validators { etag: state.etag.clone(), last_modified: state.last_modified.clone() };
        let started = Instant::now();
        let fetched = {
            let _turn = self.gate.turn(&feed.url).await;
            self.fetcher.fetch_feed(&feed.url, &validators).await
        };
        let took = Some(started.elapsed());
        let (page, new_validators) = match fetched {
            Err(error) => return self.failed(feed, state, report, error.code(), error.to_string(), took).await,
            Ok(Fetched::NotModified) => {
                report.outcome = "not_modified".into();
                return self.succeeded(feed, state, report, took).await;
            }
            Ok(Fetched::Body { page, validators }) => (page, validators),
        };
        let feed_url = page.url.clone();
        let read = tokio::task::spawn_blocking(move || read_feed(&page.bytes, &feed_url)).await;
        let items = match read {
            Ok(Ok(items)) => items,
            Ok(Err(malformed)) => {
                return self.failed(feed, state, report, "MALFORMED_FEED", malformed.to_string(), took).await;
            }
            Err(panicked) => {
                let message = format!("reading the feed failed: {panicked}");
                return self.failed(feed, state, report, "MALFORMED_FEED", message, took).await;
            }
        };
        report.items = items.len();
        let to_retry = match self.take_items(feed, items, &mut report).await {
            Ok(to_retry) => to_retry,
            Err(error) => {
                return self.failed(feed, state, report, "STORE_UNAVAILABLE", error.to_string(), took).await;
            }
        };
        // Validators only for a poll that read everything: a 304 must not hide items.
        let complete = report.left_for_next_poll == 0 && to_retry == 0;
        state.etag = new_validators.etag.filter(|_| complete);
        state.last_modified = new_validators.last_modified.filter(|_| complete);
        self.succeeded(feed, state, report, took).await
    }

    /// Reads the feed's items that are due; the number that failed and will be tried again.
    async fn take_items(
        &self,
        feed: &FeedSpec,
        items: Vec<FeedItem>,
        report: &mut PollReport,
    ) -> Result<usize, StoreError> {
        // Each item's own record, and this feed's sighting of it if another feed had it first.
        let keys: Vec<String> =
            items.iter().flat_map(|item| [item.key.clone(), sighting_key(&item.key, &feed.url)]).collect();
        let mut known: HashMap<String, FeedItemRecord> = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(LOOKUP_CHUNK) {
            known.extend(self.store.feed_items(chunk).await?.into_iter().map(|r| (r.id.clone(), r)));
        }
        let now = Utc::now();
        let mut due: Vec<(FeedItem, Option<FeedItemRecord>)> = Vec::new();
        for item in items {
            if known.contains_key(&sighting_key(&item.key, &feed.url)) {
                continue;
            }
            match known.remove(&item.key) {
                None => due.push((item, None)),
                Some(record) if record.feed != feed.url => {
                    report.duplicates += usize::from(self.sighted(feed, &item).await?);
                }
                Some(record) => {
                    let stale = record.status == ItemStatus::Pending
                        && (now - record.updated_at).to_std().is_ok_and(|age| age > STALE_CLAIM);
                    let retry = record.status == ItemStatus::Failed && record.attempts < MAX_ATTEMPTS;
                    if stale || retry {
                        due.push((item, Some(record)));
                    }
                }
            }
        }
        metrics::feed_items(&feed.url, "duplicate", report.duplicates as u64);
        if due.len() > feed.max_items_per_poll {
            report.left_for_next_poll = due.len() - feed.max_items_per_poll;
            due.truncate(feed.max_items_per_poll);
        }
        let mut to_retry = 0;
        for (item, previous) in due {
            let mut record = FeedItemRecord {
                id: item.key.clone(),
                feed: feed.url.clone(),
                guid: item.guid.clone(),
                status: ItemStatus::Pending,
                code: None,
                article: None,
                attempts: previous.as_ref().map_or(0, |r| r.attempts) + 1,
                updated_at: Utc::now(),
            };
            match record.attempts {
                1 => {
                    if !self.store.claim_feed_item(&record).await? {
                        // Another feed claimed it since the look-up.
                        if self.sighted(feed, &item).await? {
                            report.duplicates += 1;
                            metrics::feed_items(&feed.url, "duplicate", 1);
                        }
                        continue;
                    }
                }
                _ => self.store.save_feed_item(&record).await?,
            }
            let outcome = self.read_item(feed, &item).await;
            let (status, label) = match outcome {
                ItemOutcome::Ingested { article, from_item_content } => {
                    report.ingested += 1;
                    report.from_item_content += usize::from(from_item_content);
                    tracing::info!(
                        feed = %feed.url, item = %item.key, article = %article,
                        source = if from_item_content { "item content" } else { "page" },
                        "feed item ingested"
                    );
                    record.article = Some(article);
                    (ItemStatus::Ingested, "ingested")
                }
                ItemOutcome::AlreadyStored { article } => {
                    report.duplicates += 1;
                    tracing::info!(feed = %feed.url, item = %item.key, article = %article, "feed item already stored");
                    record.article = Some(article);
                    (ItemStatus::Ingested, "duplicate")
                }
                ItemOutcome::Refused { code, message, retry } => {
                    metrics::feed_failure(&feed.url, code);
                    record.code = Some(code.to_owned());
                    let again = retry && record.attempts < MAX_ATTEMPTS;
                    tracing::warn!(
                        feed = %feed.url, item = %item.key, code, error = %message, attempt = record.attempts,
                        "feed item not ingested{}", if again { "; tried again next poll" } else { "" }
                    );
                    if code.starts_with("STORE_") {
                        // Recorded as failed if the store takes it; the poll stops either way.
                        record.status = ItemStatus::Failed;
                        let _ = self.store.save_feed_item(&record).await;
                        return Err(StoreError::Unavailable(message));
                    }
                    if again {
                        to_retry += 1;
                        report.failed += 1;
                        (ItemStatus::Failed, "failed")
                    } else {
                        report.skipped += 1;
                        (ItemStatus::Skipped, "skipped")
                    }
                }
            };
            metrics::feed_items(&feed.url, label, 1);
            record.status = status;
            record.updated_at = Utc::now();
            self.store.save_feed_item(&record).await?;
        }
        Ok(to_retry)
    }

    /// Records that `feed` carries `item`, which another feed claimed; whether
    /// this is the first time (then it counts as a duplicate).
    async fn sighted(&self, feed: &FeedSpec, item: &FeedItem) -> Result<bool, StoreError> {
        let sighting = FeedItemRecord {
            id: sighting_key(&item.key, &feed.url),
            feed: feed.url.clone(),
            guid: item.guid.clone(),
            status: ItemStatus::Duplicate,
            code: None,
            article: None,
            attempts: 0,
            updated_at: Utc::now(),
        };
        let first = self.store.claim_feed_item(&sighting).await?;
        if first {
            tracing::info!(feed = %feed.url, item = %item.key, "feed item already carried by another feed");
        }
        Ok(first)
    }

    /// Fetches, reads and ingests one item's article.
    async fn read_item(&self, feed: &FeedSpec, item: &FeedItem) -> ItemOutcome {
        let defaults = IngestInput {
            outlet: feed.outlet.clone(),
            language: feed.language.clone(),
            published_at: item.published,
            headline: item.title.clone(),
            ..IngestInput::default()
        };
        let from_page = match &item.link {
            Some(link) => {
                let _turn = self.gate.turn(link).await;
                input_from_url(&self.fetcher, link, IngestInput::default()).await.map(|input| input.or(&defaults))
            }
            None => Err(IngestError::Invalid("the item links to no page".into())),
        };
        let (input, from_item_content) = match from_page {
            Ok(input) => (input, false),
            Err(error @ IngestError::Store(_)) => return refused(error),
            Err(error) => match self.item_content_input(feed, item, &defaults).await {
                Some(Ok(input)) => {
                    tracing::info!(
                        feed = %feed.url, item = %item.key, code = ingest_code(&error), error = %error,
                        "the item's page was refused: ingesting the item's own full text"
                    );
                    (input, true)
                }
                Some(Err(content_error)) => {
                    let code = ingest_code(&error);
                    let message = format!("{error} (and the item's own text: {content_error})");
                    return ItemOutcome::Refused { code, message, retry: may_pass(&error) };
                }
                None if item.link.is_none() => {
                    return ItemOutcome::Refused {
                        code: "NO_LINK",
                        message: "the item links to no page and carries no full text".into(),
                        retry: false,
                    };
                }
                None => return refused(error),
            },
        };
        match ingest(self.store.as_ref(), input).await {
            Ok(report) if report.replaced => ItemOutcome::AlreadyStored { article: report.article.to_string() },
            Ok(report) => ItemOutcome::Ingested { article: report.article.to_string(), from_item_content },
            Err(error) => refused(error),
        }
    }

    /// The item's own full text as an ingest input, if it carries one and the feed allows it.
    async fn item_content_input(
        &self,
        feed: &FeedSpec,
        item: &FeedItem,
        defaults: &IngestInput,
    ) -> Option<Result<IngestInput, IngestError>> {
        let content = item.content_html.as_ref().filter(|_| feed.use_item_content)?;
        if words_of_html(content) < MIN_FULL_TEXT_WORDS {
            return None;
        }
        let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
        let page = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body><article>{content}</article></body></html>",
            escape(item.title.as_deref().unwrap_or(""))
        );
        let given = IngestInput { url: item.link.clone(), ..IngestInput::default() };
        let defaults = defaults.clone();
        let read = tokio::task::spawn_blocking(move || input_from_page(page.as_bytes(), Some("utf-8"), given));
        Some(match read.await {
            Ok(result) => result.map(|input| input.or(&defaults)),
            Err(e) => Err(IngestError::Invalid(format!("reading the item's text failed: {e}"))),
        })
    }

    async fn succeeded(
        &self,
        feed: &FeedSpec,
        mut state: FeedState,
        mut report: PollReport,
        took: Option<Duration>,
    ) -> PollReport {
        let now = Utc::now();
        state.failures = 0;
        state.last_error = None;
        state.last_success_at = Some(now);
        // Items left over are read at the next poll, which comes after the usual interval.
        let next = now + chrono::Duration::from_std(feed.interval).unwrap_or(chrono::Duration::MAX);
        state.next_poll_at = Some(next);
        report.next_poll_at = next;
        self.finish(feed, state, report, took).await
    }

    async fn failed(
        &self,
        feed: &FeedSpec,
        mut state: FeedState,
        mut report: PollReport,
        code: &'static str,
        message: String,
        took: Option<Duration>,
    ) -> PollReport {
        state.failures = state.failures.saturating_add(1);
        state.last_error = Some(format!("{code}: {message}"));
        let wait = backoff(feed.interval, state.failures, self.max_backoff);
        let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        state.next_poll_at = Some(next);
        metrics::feed_failure(&feed.url, code);
        tracing::warn!(
            feed = %feed.url, code, error = %message, failures = state.failures, next_poll_at = %next.to_rfc3339(),
            "feed poll failed; backing off"
        );
        report.outcome = code.to_owned();
        report.error = Some(message);
        report.next_poll_at = next;
        self.finish(feed, state, report, took).await
    }

    /// Saves the state (a store failure is logged: the next poll starts from the old one) and counts the poll.
    async fn finish(
        &self,
        feed: &FeedSpec,
        state: FeedState,
        report: PollReport,
        took: Option<Duration>,
    ) -> PollReport {
        if let Err(error) = self.store.save_feed_state(&state).await {
            tracing::warn!(feed = %feed.url, %error, "cannot save the feed's state");
        }
        metrics::feed_poll(&feed.url, &report.outcome, took, report.next_poll_at.timestamp());
        tracing::info!(
            feed = %feed.url,
            outcome = %report.outcome,
            items = report.items,
            ingested = report.ingested,
            duplicates = report.duplicates,
            skipped = report.skipped,
            failed = report.failed,
            left_for_next_poll = report.left_for_next_poll,
            next_poll_at = %report.next_poll_at.to_rfc3339(),
            "feed polled"
        );
        report
    }
}

/// The key of the record saying that `feed` carries the item `key` another feed claimed
/// (a space cannot appear in a URL, so it is no item's key).
fn sighting_key(key: &str, feed: &str) -> String {
    format!("{key} in {feed}")
}

fn refused(error: IngestError) -> ItemOutcome {
    ItemOutcome::Refused { code: ingest_code(&error), retry: may_pass(&error), message: error.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let minute = Duration::from_secs(60);
        let hour = Duration::from_secs(3600);
        assert_eq!(backoff(minute, 1, hour), 2 * minute);
        assert_eq!(backoff(minute, 3, hour), 8 * minute);
        assert_eq!(backoff(minute, 10, hour), hour);
        assert_eq!(backoff(minute, u32::MAX, hour), hour);
        assert_eq!(backoff(2 * hour, 1, hour), 2 * hour, "never sooner than the interval");
    }

    #[test]
    fn words_are_counted_without_tags() {
        assert_eq!(words_of_html("<p>One <b>two</b></p><p>three — four.</p>"), 4);
        assert_eq!(words_of_html("<img src=\"a b c d\">"), 0);
    }
}
