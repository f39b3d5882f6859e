//! The feed: one tailer per server process that polls the store's write
//! sequence ([`crate::store::changes`]) and fans each new run of changes out to
//! every open subscription.
//!
//! The tailer starts with the server and never keeps it from starting: while
//! the store is down it retries in the background. It polls every
//! `NEWSGRAPH_SUBSCRIPTION_POLL_MS` (200 ms by default, so an event reaches its
//! subscribers well within a second of its write being acknowledged), reads up
//! to [`FeedSettings::batch`] changes at a time (and polls again at once while
//! there are more), and sends them on a tokio broadcast channel as one
//! [`Batch`]. While no subscription is open it only follows the sequence's end,
//! so an idle server neither reads changes nor replays old ones to the next
//! subscriber.
//!
//! Changes are delivered in sequence order, each once. A number missing while
//! a later one is visible (MongoDB's gap race: a writer reserved it and has not
//! inserted it yet) holds the rest back until it appears or until
//! `NEWSGRAPH_SUBSCRIPTION_GAP_GRACE_MS` has passed; then the tailer gives it
//! up, logs a warning, and goes on.
//!
//! A subscriber registers with [`Feed::listen`] when its subscribe message
//! arrives and receives every batch read after that, less the changes that
//! were already written then ([`Listener::starting_after`]: the tailer reads
//! up to a poll late). One that falls more than [`BROADCAST_CAPACITY`] batches
//! behind loses the oldest ([`Lagged`]).

use crate::store::{Change, SharedStore};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Batches a subscriber may fall behind before it loses some.
pub const BROADCAST_CAPACITY: usize = 256;

/// A run of changes read in one poll, in sequence order.
pub type Batch = Arc<Vec<Change>>;

/// How the tailer polls.
#[derive(Debug, Clone, Copy)]
pub struct FeedSettings {
    /// Time between polls.
    pub poll: Duration,
    /// How long a missing sequence number holds later ones back before it is given up.
    pub gap_grace: Duration,
    /// Most changes read per poll.
    pub batch: usize,
}

impl Default for FeedSettings {
    fn default() -> Self {
        Self { poll: Duration::from_millis(200), gap_grace: Duration::from_secs(2), batch: 1000 }
    }
}

/// The handle subscriptions register with. Cloning shares the one tailer; the
/// tailer stops when the last handle is dropped.
#[derive(Clone)]
pub struct Feed {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Batch>,
}

/// A subscriber's end of the feed.
pub struct Listener {
    receiver: broadcast::Receiver<Batch>,
    /// Changes numbered up to this one were written before the subscriber
    /// came, and are not delivered to it.
    after: Option<u64>,
}

/// The subscriber fell behind and lost this many batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lagged(pub u64);

impl Listener {
    /// Leaves out the changes numbered up to `seq` (the end of the write
    /// sequence when the subscriber came): the tailer may not have read them yet.
    pub fn starting_after(mut self, seq: u64) -> Self {
        self.after = Some(seq);
        self
    }

    /// The next batch; `None` once the feed has stopped.
    pub async fn next(&mut self) -> Option<Result<Batch, Lagged>> {
        loop {
            let batch = match self.receiver.recv().await {
                Ok(batch) => batch,
                Err(broadcast::error::RecvError::Lagged(missed)) => return Some(Err(Lagged(missed))),
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            match self.after {
                Some(after) if batch.first().is_some_and(|c| c.seq <= after) => {
                    let newer: Vec<Change> = batch.iter().filter(|c| c.seq > after).cloned().collect();
                    if !newer.is_empty() {
                        return Some(Ok(Arc::new(newer)));
                    }
                }
                _ => return Some(Ok(batch)),
            }
        }
    }
}

impl Feed {
    /// Starts the tailer on the current tokio runtime.
    pub fn start(store: SharedStore, settings: FeedSettings) -> Self {
        let (sender, _) = broadcast::channel(BROADCAST_CAPACITY);
        let inner = Arc::new(Inner { sender });
        tokio::spawn(tail(store, Arc::downgrade(&inner), settings));
        Self { inner }
    }

    /// Registers a subscriber: it receives every batch read from now on.
    pub fn listen(&self) -> Listener {
        Listener { receiver: self.inner.sender.subscribe(), after: None }
    }

    /// How many subscribers are registered.
    pub fn listeners(&self) -> usize {
        self.inner.sender.receiver_count()
    }
}

/// The changes the tailer may deliver now, and the first missing number that holds the rest back.
#[derive(Debug, Default, PartialEq, Eq)]
struct Ready {
    changes: Vec<Change>,
    missing: Option<u64>,
    /// Numbers given up on: `(first, last)`.
    skipped: Option<(u64, u64)>,
}

/// Takes the changes after `position` that follow it without a gap. A gap at
/// `give_up` (whose grace has passed) is skipped instead of waited for.
fn ready(position: u64, changes: Vec<Change>, give_up: Option<u64>) -> Ready {
    let mut out = Ready::default();
    let mut expected = position.saturating_add(1);
    for change in changes {
        if change.seq < expected {
            continue;
        }
        if change.seq > expected {
            if give_up == Some(expected) && out.skipped.is_none() {
                out.skipped = Some((expected, change.seq - 1));
            } else {
                out.missing = Some(expected);
                break;
            }
        }
        expected = change.seq.saturating_add(1);
        out.changes.push(change);
    }
    out
}

/// The tailer's loop. Ends when every [`Feed`] handle is gone.
async fn tail(store: SharedStore, feed: Weak<Inner>, settings: FeedSettings) {
    let mut position = None;
    let mut gap: Option<(u64, Instant)> = None;
    let mut failures = 0u32;
    loop {
        let Some(inner) = feed.upgrade() else {
            return;
        };
        let mut more = false;
        let outcome = match position {
            // Nobody listens (or we do not know where the sequence ends yet):
            // follow its end, so the next subscriber starts from now.
            None => store.last_change_seq().await.map(|last| {
                position = Some(last);
                gap = None;
            }),
            Some(_) if inner.sender.receiver_count() == 0 => store.last_change_seq().await.map(|last| {
                position = Some(last);
                gap = None;
            }),
            Some(at) => store.changes_after(at, settings.batch).await.map(|changes| {
                let read = changes.len();
                let give_up = gap.filter(|(_, since)| since.elapsed() >= settings.gap_grace).map(|(seq, _)| seq);
                let ready = ready(at, changes, give_up);
                if let Some((first, last)) = ready.skipped {
                    tracing::warn!(
                        first,
                        last,
                        grace_ms = settings.gap_grace.as_millis() as u64,
                        "changes {first}..={last} of the write sequence did not appear within the grace period; \
                         subscriptions go on without them"
                    );
                }
                gap = match (ready.missing, gap) {
                    (Some(missing), Some((held, since))) if held == missing => Some((held, since)),
                    (Some(missing), _) => Some((missing, Instant::now())),
                    (None, _) => None,
                };
                if let Some(last) = ready.changes.last() {
                    position = Some(last.seq);
                    more = read >= settings.batch && ready.missing.is_none();
                    // No receivers left since the check: nothing to do with the batch.
                    let _ = inner.sender.send(Arc::new(ready.changes));
                }
            }),
        };
        drop(inner);
        match outcome {
            Ok(()) => failures = 0,
            Err(error) => {
                failures += 1;
                // Once when it starts failing, then every 50th poll.
                if failures == 1 || failures.is_multiple_of(50) {
                    tracing::warn!(%error, failures, "cannot read the write sequence; subscriptions wait for the store");
                }
            }
        }
        if !more {
            tokio::time::sleep(settings.poll).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ChangeKind;

    fn changes(seqs: &[u64]) -> Vec<Change> {
        seqs.iter().map(|&seq| Change { seq, kind: ChangeKind::Quote, id: format!("q{seq}") }).collect()
    }

    fn seqs(ready: &Ready) -> Vec<u64> {
        ready.changes.iter().map(|c| c.seq).collect()
    }

    #[test]
    fn a_run_without_gaps_is_delivered_whole() {
        let out = ready(4, changes(&[5, 6, 7]), None);
        assert_eq!(seqs(&out), vec![5, 6, 7]);
        assert_eq!(out.missing, None);
    }

    #[test]
    fn a_gap_holds_back_everything_after_it() {
        let out = ready(4, changes(&[6, 7]), None);
        assert!(out.changes.is_empty());
        assert_eq!(out.missing, Some(5));
        let out = ready(4, changes(&[5, 7, 8]), None);
        assert_eq!(seqs(&out), vec![5]);
        assert_eq!(out.missing, Some(6));
    }

    #[test]
    fn a_gap_past_its_grace_is_skipped_once() {
        let out = ready(4, changes(&[6, 7, 9]), Some(5));
        assert_eq!(seqs(&out), vec![6, 7]);
        assert_eq!(out.skipped, Some((5, 5)));
        assert_eq!(out.missing, Some(8), "a second gap waits for its own grace");
    }

    #[test]
    fn numbers_at_or_below_the_position_are_not_delivered_again() {
        let out = ready(5, changes(&[4, 5, 6]), None);
        assert_eq!(seqs(&out), vec![6]);
    }
}
