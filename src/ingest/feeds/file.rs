//! The feeds file: which feeds to poll and how, in TOML.
//!
//! ```toml
//! host_delay = "1s"        # between two requests to one host (default 1s)
//! max_backoff = "6h"       # the longest wait after failures (default 6h)
//!
//! [defaults]               # for every feed that does not say otherwise
//! interval = "15m"         # between polls (default 15m)
//! max_items_per_poll = 50  # new items read per poll; the rest wait for the next (default 50)
//! language = "en"          # when the page does not say
//! use_item_content = true  # ingest the item's own full text when its page is refused (default true)
//!
//! [[feed]]
//! url = "https://courier.example/rss.xml"
//! outlet = "Coastline Courier"   # when the page does not name its publisher
//! interval = "5m"
//! ```
//!
//! Durations are a number and a unit (`500ms`, `30s`, `15m`, `2h`, `1d`) or
//! a number of seconds. Unknown keys, a URL that is not http(s), the same URL
//! twice, or an interval under a second are refused, naming the place.

use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// The least interval between two polls of a feed.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// A feed to poll, with its settings resolved (its own, else the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSpec {
    /// The feed's URL: its identity in the store, the log and the metrics.
    pub url: String,
    /// The outlet of its articles when a page does not name its publisher.
    pub outlet: Option<String>,
    pub interval: Duration,
    /// The most new items read in one poll.
    pub max_items_per_poll: usize,
    /// The language of its articles when a page does not say.
    pub language: Option<String>,
    /// Whether an item's own full text is ingested when its page is refused.
    pub use_item_content: bool,
}

/// The feeds of a file and the settings of the watcher that polls them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedsFile {
    pub feeds: Vec<FeedSpec>,
    /// The least time between two requests to one host.
    pub host_delay: Duration,
    /// The longest wait before polling a failing feed again.
    pub max_backoff: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    host_delay: Option<RawDuration>,
    max_backoff: Option<RawDuration>,
    #[serde(default)]
    defaults: RawFeedSettings,
    #[serde(default)]
    feed: Vec<RawFeed>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeedSettings {
    interval: Option<RawDuration>,
    max_items_per_poll: Option<usize>,
    language: Option<String>,
    use_item_content: Option<bool>,
    outlet: Option<String>,
}

/// A `[[feed]]`: its URL and [`RawFeedSettings`]' fields (written out, since
/// serde cannot refuse unknown keys through a flattened struct).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    url: String,
    interval: Option<RawDuration>,
    max_items_per_poll: Option<usize>,
    language: Option<String>,
    use_item_content: Option<bool>,
    outlet: Option<String>,
}

impl RawFeed {
    fn settings(&self) -> RawFeedSettings {
        RawFeedSettings {
            interval: self.interval.clone(),
            max_items_per_poll: self.max_items_per_poll,
            language: self.language.clone(),
            use_item_content: self.use_item_content,
            outlet: self.outlet.clone(),
        }
    }
}

/// A duration as written: `"15m"` or a number of seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawDuration {
    Seconds(u64),
    Text(String),
}

impl RawDuration {
    fn resolve(&self, key: &str) -> Result<Duration, String> {
        match self {
            RawDuration::Seconds(seconds) => Ok(Duration::from_secs(*seconds)),
            RawDuration::Text(text) => parse_duration(text).ok_or_else(|| {
                format!("`{key} = \"{text}\"` is not a duration (a number and ms, s, m, h or d: \"15m\")")
            }),
        }
    }
}

/// `500ms`, `30s`, `15m`, `2h`, `1d`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let unit_ms: u64 = match unit.trim() {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    number.checked_mul(unit_ms).map(Duration::from_millis)
}

/// Why a feeds file was refused.
#[derive(Debug, thiserror::Error)]
pub enum FeedsFileError {
    #[error("cannot read the feeds file {path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("the feeds file {path} is not valid: {message}")]
    Invalid { path: String, message: String },
}

impl FeedsFile {
    /// Reads and checks the feeds file at `path`.
    pub fn read(path: &Path) -> Result<FeedsFile, FeedsFileError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|error| FeedsFileError::Read { path: shown.clone(), error })?;
        FeedsFile::parse(&text).map_err(|message| FeedsFileError::Invalid { path: shown, message })
    }

    /// Parses and checks a feeds file's text.
    pub fn parse(text: &str) -> Result<FeedsFile, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        let defaults = &raw.defaults;
        let mut feeds: Vec<FeedSpec> = Vec::with_capacity(raw.feed.len());
        for (index, feed) in raw.feed.iter().enumerate() {
            let place = format!("feed {} ({})", index + 1, feed.url);
            let url = url::Url::parse(feed.url.trim()).map_err(|e| format!("{place}: not a URL ({e})"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(format!("{place}: only http and https feeds are polled"));
            }
            let url = url.to_string();
            if feeds.iter().any(|f| f.url == url) {
                return Err(format!("{place}: the same URL is listed twice"));
            }
            let own = &feed.settings();
            let interval = match own.interval.as_ref().or(defaults.interval.as_ref()) {
                Some(raw) => raw.resolve("interval").map_err(|e| format!("{place}: {e}"))?,
                None => Duration::from_secs(15 * 60),
            };
            if interval < MIN_INTERVAL {
                return Err(format!("{place}: an interval under {MIN_INTERVAL:?} would hammer the server"));
            }
            let max_items_per_poll = own.max_items_per_poll.or(defaults.max_items_per_poll).unwrap_or(50);
            if max_items_per_poll == 0 {
                return Err(format!("{place}: max_items_per_poll must be at least 1"));
            }
            let text =
                |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
            feeds.push(FeedSpec {
                url,
                outlet: text(&own.outlet).or_else(|| text(&defaults.outlet)),
                interval,
                max_items_per_poll,
                language: text(&own.language).or_else(|| text(&defaults.language)),
                use_item_content: own.use_item_content.or(defaults.use_item_content).unwrap_or(true),
            });
        }
        if feeds.is_empty() {
            return Err("no feeds: add a [[feed]] table with a url".into());
        }
        let host_delay = match &raw.host_delay {
            Some(raw) => raw.resolve("host_delay")?,
            None => Duration::from_secs(1),
        };
        let max_backoff = match &raw.max_backoff {
            Some(raw) => raw.resolve("max_backoff")?,
            None => Duration::from_secs(6 * 3600),
        };
        Ok(FeedsFile { feeds, host_delay, max_backoff })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_units() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1d"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        for bad in ["", "m", "15 minutes", "-5s", "1.5h", "99999999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn feeds_take_their_own_settings_else_the_defaults() {
        let file = FeedsFile::parse(
            r#"
host_delay = "250ms"
[defaults]
interval = "10m"
language = "en"
max_items_per_poll = 20
[[feed]]
url = "https://courier.example/rss.xml"
outlet = "Coastline Courier"
interval = 300
[[feed]]
url = "https://wire.example/atom"
use_item_content = false
"#,
        )
        .unwrap();
        assert_eq!(file.host_delay, Duration::from_millis(250));
        assert_eq!(file.max_backoff, Duration::from_secs(6 * 3600));
        let [courier, wire] = &file.feeds[..] else { panic!("{file:?}") };
        assert_eq!(courier.outlet.as_deref(), Some("Coastline Courier"));
        assert_eq!(courier.interval, Duration::from_secs(300));
        assert_eq!((courier.max_items_per_poll, courier.language.as_deref()), (20, Some("en")));
        assert!(courier.use_item_content);
        assert_eq!((wire.outlet.as_deref(), wire.interval), (None, Duration::from_secs(600)));
        assert!(!wire.use_item_content);
    }

    #[test]
    fn bad_files_are_refused_naming_the_place() {
        let refused = |text: &str| FeedsFile::parse(text).unwrap_err();
        assert!(refused("").contains("no feeds"));
        assert!(refused("[[feed]]\nurl = \"ftp://x.example/f\"").contains("only http and https"));
        assert!(refused("[[feed]]\nurl = \"not a url\"").contains("not a URL"));
        let twice = refused("[[feed]]\nurl = \"https://a.example/f\"\n[[feed]]\nurl = \"https://a.example/f\"");
        assert!(twice.contains("feed 2") && twice.contains("twice"), "{twice}");
        assert!(refused("[[feed]]\nurl = \"https://a.example/f\"\ninterval = \"100ms\"").contains("hammer"));
        assert!(refused("[[feed]]\nurl = \"https://a.example/f\"\ninterval = \"soon\"").contains("not a duration"));
        let unknown = refused("[[feed]]\nurl = \"https://a.example/f\"\nintervall = \"5m\"");
        assert!(unknown.contains("intervall"), "{unknown}");
        assert!(refused("[[feed]]\nurl = ").contains("line 2"), "TOML errors name the line");
    }
}
