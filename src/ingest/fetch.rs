//! Fetching a web page for ingest, safely: the one place newsgraph reaches out
//! to other servers (`newsgraph ingest https://…`, the `ingestUrl` mutation).
//!
//! A URL given by a client must not become a way into the network the server
//! sits in, nor a way to exhaust it, so a [`Fetcher`]:
//!
//! - takes only `http` and `https` URLs, without credentials in them;
//! - refuses private, loopback, link-local, unspecified, multicast and other
//!   non-public addresses unless [`FetchSettings::allow_private`] is set. An
//!   address written in the URL is checked before connecting; a host name is
//!   checked after resolution, by a DNS resolver of its own that drops such
//!   answers ([`CheckedResolver`]), so a name that resolves to a private
//!   address (DNS rebinding) connects nowhere;
//! - follows at most [`MAX_REDIRECTS`] redirects, each target checked again,
//!   and refuses a redirect loop; it sends no credentials, and the client
//!   drops `Authorization` and cookies on a redirect to another host anyway;
//! - gives up on a connection after the connect timeout and on the whole fetch
//!   (body included) after the total timeout;
//! - reads the body as it streams in and stops past [`FetchSettings::max_bytes`]
//!   of decoded bytes: gzip and brotli are decoded on the way, so a small
//!   compressed bomb stops at the cap like a large page;
//! - takes HTML only (`text/html`, `application/xhtml+xml`, or no type at all,
//!   when the page reader judges the bytes);
//! - names itself in `User-Agent`.
//!
//! No proxy is used, whatever the environment says.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The most redirects followed for one fetch.
pub const MAX_REDIRECTS: usize = 5;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("newsgraph/", env!("CARGO_PKG_VERSION"), " (news article ingest)");

/// How a [`Fetcher`] fetches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchSettings {
    /// Allow private, loopback and link-local addresses (a local test server, an intranet).
    pub allow_private: bool,
    /// Longest a connection (TCP and TLS) may take to open.
    pub connect_timeout: Duration,
    /// Longest a whole fetch may take, redirects and body included.
    pub timeout: Duration,
    /// Most bytes of (decoded) body read.
    pub max_bytes: usize,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            allow_private: false,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            max_bytes: super::source::MAX_SOURCE_BYTES,
        }
    }
}

/// A fetched page.
#[derive(Debug, Clone)]
pub struct FetchedPage {
    /// Where the page was found, after redirects.
    pub url: String,
    /// The body, decoded from gzip or brotli if it was sent so.
    pub bytes: Vec<u8>,
    /// The charset of the `Content-Type` header, if it names one.
    pub charset: Option<String>,
}

/// Why a fetch gave no page. [`FetchError::code`] is the GraphQL error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Not an absolute http(s) URL, or one with credentials in it.
    #[error("bad URL: {0}")]
    BadUrl(String),
    /// The host is or resolves only to addresses that are not public.
    #[error("refused: {0} (private, loopback and link-local addresses are not fetched)")]
    AddressRefused(String),
    #[error("the fetch took longer than {0:?}")]
    Timeout(Duration),
    #[error("the page is over the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("{0}")]
    TooManyRedirects(String),
    #[error("the server answered HTTP {0}")]
    HttpStatus(u16),
    #[error("not an HTML page: {0}")]
    NotHtml(String),
    /// The connection failed: no such host, refused, reset, a TLS error.
    #[error("the fetch failed: {0}")]
    Failed(String),
}

impl FetchError {
    /// The code a GraphQL client branches on.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::BadUrl(_) => "BAD_URL",
            FetchError::AddressRefused(_) => "ADDRESS_REFUSED",
            FetchError::Timeout(_) => "FETCH_TIMEOUT",
            FetchError::TooLarge { .. } => "PAGE_TOO_LARGE",
            FetchError::TooManyRedirects(_) => "TOO_MANY_REDIRECTS",
            FetchError::HttpStatus(_) => "HTTP_ERROR_STATUS",
            FetchError::NotHtml(_) => "NOT_HTML",
            FetchError::Failed(_) => "FETCH_FAILED",
        }
    }
}

/// Fetches pages by the rules of the module docs. Cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    settings: FetchSettings,
}

impl Fetcher {
    pub fn new(settings: FetchSettings) -> Result<Self, FetchError> {
        let allow_private = settings.allow_private;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            let refusal = if attempt.previous().contains(attempt.url()) {
                Some(FetchError::TooManyRedirects(format!("a redirect loop back to {}", attempt.url())))
            } else if attempt.previous().len() > MAX_REDIRECTS {
                Some(FetchError::TooManyRedirects(format!("more than {MAX_REDIRECTS} redirects")))
            } else {
                check_url(attempt.url(), allow_private).err()
            };
            match refusal {
                Some(error) => attempt.error(error),
                None => attempt.follow(),
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(redirects)
            .dns_resolver(Arc::new(CheckedResolver { allow_private }))
            .no_proxy()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .build()
            .map_err(|e| FetchError::Failed(format!("cannot build the HTTP client: {e}")))?;
        Ok(Fetcher { client, settings })
    }

    pub fn settings(&self) -> &FetchSettings {
        &self.settings
    }

    /// Fetches the page at `url`, counting the fetch and its outcome in the
    /// metrics (`newsgraph_page_fetches_total`, `…_duration_seconds`).
    pub async fn fetch(&self, url: &str) -> Result<FetchedPage, FetchError> {
        let started = std::time::Instant::now();
        let result = self.fetch_uncounted(url).await;
        crate::metrics::page_fetch(result.as_ref().map_or_else(FetchError::code, |_| "ok"), started.elapsed());
        result
    }

    async fn fetch_uncounted(&self, url: &str) -> Result<FetchedPage, FetchError> {
        match self.get(url, Wanted::Html, &Validators::default()).await? {
            Fetched::Body { page, .. } => Ok(page),
            // Not asked conditionally: a 304 is a server error here.
            Fetched::NotModified => Err(FetchError::HttpStatus(304)),
        }
    }

    /// Fetches the feed at `url` by the same rules (any content type but
    /// HTML-looking binary is the parser's to judge), conditionally: with
    /// `If-None-Match` and `If-Modified-Since` from `validators`, so that an
    /// unchanged feed costs a `304 Not Modified` and no body. Not counted in
    /// the page metrics (the feed watcher counts its own).
    pub async fn fetch_feed(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        self.get(url, Wanted::Feed, validators).await
    }

    async fn get(&self, url: &str, wanted: Wanted, validators: &Validators) -> Result<Fetched, FetchError> {
        let url = parse_url(url)?;
        check_url(&url, self.settings.allow_private)?;
        let timeout = self.settings.timeout;
        tokio::time::timeout(timeout, self.get_checked(url, wanted, validators))
            .await
            .map_err(|_| FetchError::Timeout(timeout))?
    }

    async fn get_checked(&self, url: Url, wanted: Wanted, validators: &Validators) -> Result<Fetched, FetchError> {
        use reqwest::header;
        let classify = |error: reqwest::Error| classify(error, self.settings.timeout);
        let accept = match wanted {
            Wanted::Html => "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            Wanted::Feed => {
                "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,\
                 text/xml;q=0.9,application/json;q=0.8,*/*;q=0.1"
            }
        };
        let mut request = self.client.get(url).header(header::ACCEPT, accept);
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, modified);
        }
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED && !validators.is_empty() {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::HttpStatus(status.as_u16()));
        }
        let text_header = |name: header::HeaderName| {
            response.headers().get(name).map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        let content_type = text_header(header::CONTENT_TYPE);
        let found = Validators { etag: text_header(header::ETAG), last_modified: text_header(header::LAST_MODIFIED) };
        let charset = content_type.as_deref().and_then(charset_of);
        if let Some(content_type) = content_type.as_deref() {
            let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = match wanted {
                Wanted::Html => !matches!(mime.as_str(), "text/html" | "application/xhtml+xml" | ""),
                Wanted::Feed => ["image/", "audio/", "video/", "font/"].iter().any(|kind| mime.starts_with(kind)),
            };
            if refused {
                return Err(FetchError::NotHtml(format!("the server sent {mime}")));
            }
        }
        let limit = self.settings.max_bytes;
        // Known only when the body is not compressed (reqwest drops it when it decodes).
        if response.content_length().is_some_and(|length| length > limit as u64) {
            return Err(FetchError::TooLarge { limit });
        }
        let final_url = response.url().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if bytes.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body { page: FetchedPage { url: final_url, bytes, charset }, validators: found })
    }
}

/// What is fetched: the `Accept` header sent and the content types taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// A page: HTML only.
    Html,
    /// A feed: XML or JSON, told apart by the parser; images, audio, video and fonts refused.
    Feed,
}

/// The HTTP validators of a fetched document, sent back to ask for it only if it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// The answer to a conditional fetch.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// `304 Not Modified`: what was fetched with these validators is current.
    NotModified,
    /// The document, and its validators for the next fetch.
    Body { page: FetchedPage, validators: Validators },
}

/// `raw` as an absolute URL.
fn parse_url(raw: &str) -> Result<Url, FetchError> {
    Url::parse(raw.trim()).map_err(|e| FetchError::BadUrl(format!("`{raw}` is not a URL ({e})")))
}

/// Whether `url` may be fetched: http(s), no credentials, a host, and an
/// address literal only when it is public (or private ones are allowed).
/// Names are checked when they are resolved, by [`CheckedResolver`].
fn check_url(url: &Url, allow_private: bool) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::BadUrl(format!("only http and https URLs are fetched, not {}:", url.scheme())));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::BadUrl("a URL with credentials in it is not fetched".into()));
    }
    let ip = match url.host() {
        None => return Err(FetchError::BadUrl(format!("{url} has no host"))),
        Some(url::Host::Domain(_)) => return Ok(()),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
    };
    if allow_private || is_public(ip) {
        Ok(())
    } else {
        Err(FetchError::AddressRefused(format!("{ip} is not a public address")))
    }
}

/// Whether `ip` is a public unicast address: not private, loopback,
/// link-local, unspecified, multicast, broadcast, shared (CGNAT),
/// documentation, benchmarking or reserved; IPv4 inside IPv6 (mapped, NAT64)
/// judged as IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19)))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., high, low] = segments;
        return is_public_v4(Ipv4Addr::from((u32::from(high) << 16) | u32::from(low)));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || (segments[0] & 0xffc0) == 0xfec0
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
        || segments[..6] == [0, 0, 0, 0, 0, 0])
}

/// A host name whose every address was refused.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to addresses that are not public ({addresses})")]
struct RefusedName {
    host: String,
    addresses: String,
}

/// The system resolver, with the answers that are not public addresses
/// dropped (unless allowed): what reqwest connects to is what was checked.
struct CheckedResolver {
    allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let answers: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) =
                answers.into_iter().partition(|address| allow_private || is_public(address.ip()));
            if allowed.is_empty() && !refused.is_empty() {
                let addresses = refused.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>().join(", ");
                return Err(Box::new(RefusedName { host, addresses }) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// A reqwest error as a [`FetchError`]: the refusals of the redirect policy and
/// the resolver are found in its chain of sources.
fn classify(error: reqwest::Error, timeout: Duration) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(cause) = source {
        if let Some(refusal) = cause.downcast_ref::<FetchError>() {
            return refusal.clone();
        }
        if let Some(refused) = cause.downcast_ref::<RefusedName>() {
            return FetchError::AddressRefused(refused.to_string());
        }
        source = cause.source();
    }
    if error.is_timeout() {
        return FetchError::Timeout(timeout);
    }
    if error.is_redirect() {
        return FetchError::TooManyRedirects(error.to_string());
    }
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    FetchError::Failed(message)
}

/// The `charset` parameter of a `Content-Type` value.
fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_connection() {
        let check = |raw: &str, allow: bool| check_url(&parse_url(raw).unwrap(), allow).map_err(|e| e.code());
        assert_eq!(check("https://news.example/a", false), Ok(()));
        assert_eq!(check("ftp://news.example/a", false), Err("BAD_URL"));
        assert_eq!(check("file:///etc/passwd", false), Err("BAD_URL"));
        assert_eq!(check("https://user:pw@news.example/", false), Err("BAD_URL"));
        assert_eq!(check("http://127.0.0.1:8080/", false), Err("ADDRESS_REFUSED"));
        assert_eq!(check("http://[::1]/", false), Err("ADDRESS_REFUSED"));
        assert_eq!(check("http://169.254.169.254/latest/meta-data/", false), Err("ADDRESS_REFUSED"));
        assert_eq!(check("http://127.0.0.1:8080/", true), Ok(()));
        assert_eq!(parse_url("news.example/a").unwrap_err().code(), "BAD_URL");
    }

    #[test]
    fn the_charset_is_read_from_the_content_type() {
        assert_eq!(charset_of("text/html; charset=ISO-8859-1").as_deref(), Some("ISO-8859-1"));
        assert_eq!(charset_of("text/html;Charset=\"utf-8\"").as_deref(), Some("utf-8"));
        assert_eq!(charset_of("text/html"), None);
    }
}
