//! Politeness towards the servers polled: one request at a time per host, and
//! a delay between two requests to the same host.
//!
//! Every request of the watcher, feed or page, first takes its host's turn
//! ([`HostGate::turn`]); the turn waits for the previous request to that host
//! to end and for the delay to pass since, and ends when dropped. Hosts are
//! told apart by name and port.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

/// The turns of every host, shared by all the feeds of a watcher.
#[derive(Debug, Default)]
pub struct HostGate {
    delay: Duration,
    /// Per host, when its last request ended (`None` before the first).
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
}

/// A host's turn: while held, no other request goes to that host.
#[derive(Debug)]
pub struct HostTurn {
    last: OwnedMutexGuard<Option<Instant>>,
}

impl Drop for HostTurn {
    fn drop(&mut self) {
        *self.last = Some(Instant::now());
    }
}

impl HostGate {
    pub fn new(delay: Duration) -> Self {
        HostGate { delay, hosts: Mutex::default() }
    }

    /// Waits for the turn of `url`'s host. A URL without a host (refused by the
    /// fetcher anyway) shares one turn with all others like it.
    pub async fn turn(&self, url: &str) -> HostTurn {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default().unwrap_or(0))))
            .unwrap_or_default();
        let slot = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            hosts.entry(host).or_default().clone()
        };
        let last = slot.lock_owned().await;
        if let Some(ended) = *last {
            tokio::time::sleep_until(ended + self.delay).await;
        }
        HostTurn { last }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_host_waits_its_delay_and_others_do_not() {
        let delay = Duration::from_millis(300);
        let gate = Arc::new(HostGate::new(delay));
        drop(gate.turn("https://a.example/feed").await);
        let ended = Instant::now();
        drop(gate.turn("https://b.example/feed").await);
        drop(gate.turn("https://a.example:8443/feed").await);
        assert!(ended.elapsed() < delay, "another host, or another port, does not wait");
        drop(gate.turn("https://a.example/page").await);
        assert!(ended.elapsed() >= delay, "the second request to one host waits the delay");

        // While a turn is held, the host's next request waits for it to end, then the delay.
        let held = gate.turn("https://b.example/x").await;
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move {
                let _turn = gate.turn("https://b.example/y").await;
                Instant::now()
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let released = Instant::now();
        drop(held);
        assert!(waiting.await.unwrap() - released >= delay);
    }
}
