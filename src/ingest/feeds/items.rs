//! A fetched feed's items: RSS 2.0 (and 0.9x, 1.0), Atom and JSON Feed, read
//! by `feed-rs` into one model, and each item's key.
//!
//! An item's key is what makes "the same item" across polls and across feeds:
//! its link, absolute (relative links resolved against the feed's URL), without
//! its fragment and the tracking parameters (`utm_*`, `fbclid`, `gclid`…)
//! that differ between two feeds carrying one story; an item without a link
//! is keyed by its feed's URL and its own id (RSS `guid`, Atom `id`).

use chrono::{DateTime, Utc};
use url::Url;

/// One item of a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// See the module docs.
    pub key: String,
    /// Its id in the feed (RSS `guid`, Atom `id`, JSON Feed `id`; feed-rs makes
    /// one from the link and title when the feed gives none).
    pub guid: String,
    /// The page it points to (http or https).
    pub link: Option<String>,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// Its own content (RSS `content:encoded`, Atom `content`, JSON Feed
    /// `content_html` / `content_text`) as HTML; not its summary.
    pub content_html: Option<String>,
}

/// Why a feed's bytes give no items.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a feed (RSS, Atom or JSON Feed): {0}")]
pub struct MalformedFeed(pub String);

/// The items of the feed `bytes`, fetched from `feed_url`, in the feed's order.
/// An item met twice in one feed is kept once.
pub fn read_feed(bytes: &[u8], feed_url: &str) -> Result<Vec<FeedItem>, MalformedFeed> {
    let parser = feed_rs::parser::Builder::new().base_uri(Some(feed_url)).build();
    let feed = parser.parse(bytes).map_err(|e| MalformedFeed(e.to_string()))?;
    let base = Url::parse(feed_url).ok();
    let mut items: Vec<FeedItem> = Vec::with_capacity(feed.entries.len());
    let mut keys = std::collections::HashSet::with_capacity(feed.entries.len());
    for entry in feed.entries {
        let link = entry
            .links
            .iter()
            .filter(|l| l.rel.as_deref().is_none_or(|rel| rel == "alternate"))
            .find_map(|l| absolute_http(&l.href, base.as_ref()));
        let key = match &link {
            Some(link) => item_key(link),
            None => format!("guid:{feed_url}#{}", entry.id),
        };
        if !keys.insert(key.clone()) {
            continue;
        }
        let content_html = entry.content.as_ref().and_then(|content| {
            let body = content.body.as_deref()?.trim();
            if body.is_empty() {
                return None;
            }
            let kind = content.content_type.to_string();
            Some(if kind.starts_with("text/plain") { text_as_html(body) } else { body.to_owned() })
        });
        items.push(FeedItem {
            key,
            guid: entry.id,
            link,
            title: entry.title.map(|t| t.content.trim().to_owned()).filter(|t| !t.is_empty()),
            published: entry.published.or(entry.updated),
            content_html,
        });
    }
    Ok(items)
}

/// `href` as an absolute http(s) URL, resolved against `base`.
fn absolute_http(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    let url = match Url::parse(href) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Query parameters that only track where a click came from.
fn is_tracking_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || matches!(name.as_str(), "fbclid" | "gclid" | "dclid" | "mc_cid" | "mc_eid" | "ocid")
}

/// The key of an item linking to `link` (absolute): see the module docs.
pub fn item_key(link: &str) -> String {
    let Ok(mut url) = Url::parse(link) else { return link.to_owned() };
    url.set_fragment(None);
    let kept: Vec<(String, String)> =
        url.query_pairs().filter(|(name, _)| !is_tracking_parameter(name)).map(|(n, v)| (n.into(), v.into())).collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.to_string()
}

/// Plain text as HTML paragraphs (blank lines separate them).
fn text_as_html(text: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drop_fragments_and_tracking_parameters() {
        assert_eq!(
            item_key("https://Courier.example/news/a?utm_source=rss&id=7&fbclid=x#top"),
            "https://courier.example/news/a?id=7"
        );
        assert_eq!(item_key("https://courier.example/news/a?utm_medium=feed"), "https://courier.example/news/a");
    }

    #[test]
    fn rss_atom_and_json_feed_give_the_same_items() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>C</title>
<item><title>Strike ends</title><link>/news/strike?utm_source=rss</link><guid>c-1</guid><pubDate>Sat, 14 Mar 2026 09:30:00 GMT</pubDate>
<description>Short.</description><content:encoded><![CDATA[<p>Full text.</p>]]></content:encoded></item>
<item><title>Again</title><link>https://courier.example/news/strike</link></item></channel></rss>"#;
        let items = read_feed(rss.as_bytes(), "https://courier.example/rss.xml").unwrap();
        assert_eq!(items.len(), 1, "the same link twice is one item");
        let item = &items[0];
        assert_eq!(item.key, "https://courier.example/news/strike");
        assert_eq!((item.guid.as_str(), item.title.as_deref()), ("c-1", Some("Strike ends")));
        assert_eq!(item.published.unwrap().to_rfc3339(), "2026-03-14T09:30:00+00:00");
        assert_eq!(item.content_html.as_deref(), Some("<p>Full text.</p>"), "content, not the description");

        let atom = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>W</title><id>urn:w</id><updated>2026-03-14T09:30:00Z</updated>
<entry><id>urn:w:1</id><title>Strike ends</title><updated>2026-03-14T09:30:00Z</updated>
<link rel="self" href="https://wire.example/entries/1.xml"/><link rel="alternate" href="https://courier.example/news/strike#x"/></entry></feed>"#;
        let items = read_feed(atom.as_bytes(), "https://wire.example/atom").unwrap();
        assert_eq!(items[0].key, "https://courier.example/news/strike", "the alternate link, not self");

        let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
            {"id": "j-1", "url": "https://courier.example/news/strike", "content_text": "One.\n\nTwo & three."},
            {"id": "j-2", "content_html": "<p>No link.</p>"}]}"#;
        let items = read_feed(json.as_bytes(), "https://j.example/feed.json").unwrap();
        assert_eq!(items[0].key, "https://courier.example/news/strike");
        assert_eq!(items[0].content_html.as_deref(), Some("<p>One.</p>\n<p>Two &amp; three.</p>"));
        assert_eq!((items[1].key.as_str(), items[1].link.as_deref()), ("guid:https://j.example/feed.json#j-2", None));
    }

    #[test]
    fn malformed_feeds_are_refused() {
        for bad in ["<rss version=\"2.0\"><channel><item><title>x</ite", "{\"items\": 3}", "just text", ""] {
            assert!(read_feed(bad.as_bytes(), "https://x.example/f").is_err(), "{bad}");
        }
    }
}
