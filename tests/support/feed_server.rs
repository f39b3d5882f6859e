//! A news site of the tests' own, on 127.0.0.1 port 0: feeds (RSS 2.0, Atom,
//! JSON Feed, a malformed one, one of every misbehaviour, one of 10,000 items,
//! and `/bench/{n}/rss.xml` for measurements) and the article pages they link
//! to, written for the project with the chrome real sites carry (cookie
//! banners, navigation, related links, comments); `/late/rss.xml` answers 503
//! until the test opens it. Feeds with validators answer
//! `304 Not Modified` to a conditional GET. Every request is logged with its
//! answer's status, so a test can count what a poll asked for.
//!
//! The fixture files are in `tests/fixtures/feeds/`; `{base}` in them is the
//! server's address. Used by the API tests and by `examples/feed_polling.rs`.
#![allow(dead_code)]

use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Items of `/big/rss.xml`.
pub const BIG_FEED_ITEMS: usize = 10_000;
/// Bytes of `/hostile/huge.html`.
pub const HUGE_BYTES: usize = 50 * 1024 * 1024;
/// Bytes `/hostile/bomb.html` decodes to (it is a few KiB on the wire).
pub const BOMB_BYTES: usize = 8 * 1024 * 1024;
/// Items of each `/bench/{n}/rss.xml`.
pub const BENCH_ITEMS: usize = 50;

/// One request the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub path: String,
    pub status: u16,
    /// Whether it carried `If-None-Match` or `If-Modified-Since`.
    pub conditional: bool,
}

pub struct FeedServer {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    log: Arc<Mutex<Vec<Logged>>>,
    /// Whether `/late/rss.xml` answers yet (503 until then).
    late_open: Arc<std::sync::atomic::AtomicBool>,
    handle: actix_web::dev::ServerHandle,
}

impl FeedServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// From now on `/late/rss.xml` serves the courier's feed instead of `503 Service Unavailable`.
    pub fn open_late(&self) {
        self.late_open.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The requests answered so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Site {
    base: String,
    bomb: Vec<u8>,
    late_open: Arc<std::sync::atomic::AtomicBool>,
}

/// The validators of every feed that has them: one version, never changing.
const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Mon, 16 Mar 2026 10:00:00 GMT";

/// A feed answer: `304` to a request that sends its validators back, else the body.
fn feed(request: &HttpRequest, content_type: &str, body: String) -> HttpResponse {
    let headers = request.headers();
    let etag_matches = headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == ETAG.as_bytes());
    let date_matches = headers.get(header::IF_MODIFIED_SINCE).is_some_and(|v| v.as_bytes() == LAST_MODIFIED.as_bytes());
    let builder = || {
        let mut response = HttpResponse::build(StatusCode::OK);
        response.insert_header((header::ETAG, ETAG)).insert_header((header::LAST_MODIFIED, LAST_MODIFIED));
        response
    };
    if etag_matches || (date_matches && headers.get(header::IF_NONE_MATCH).is_none()) {
        let mut response = builder();
        return response.status(StatusCode::NOT_MODIFIED).finish();
    }
    builder().content_type(content_type).body(body)
}

fn html(body: impl actix_web::body::MessageBody + 'static) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body)
}

/// An article page (with a site's chrome) for item `n` of the generated feeds.
pub fn generated_page(n: usize) -> String {
    let district = n % 97;
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour report {n} | Generated Gazette</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Generated Gazette">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"Harbour report number {n} shows busier quays","datePublished":"2026-03-16T08:00:00Z","publisher":{{"@type":"Organization","name":"Generated Gazette"}}}}</script>
</head><body>
<div class="cookie-banner"><p>We use cookies to improve your experience. By continuing to browse you agree.</p><button>Accept</button></div>
<header><nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<main><article><h1>Harbour report number {n} shows busier quays</h1>
<p>PORT ELLERY — Quay {district} handled more ships in the week to Friday than in any week since records began, report number {n} of the harbour authority said on Monday.</p>
<p>"The figures for quay {district} are the best we have seen, and report {n} confirms the trend," harbour master Ana Silva told reporters at the terminal.</p>
<p>The authority said traffic had recovered quickly after the strike, and that it expected another busy month as the fishing season begins along the coast.</p>
<div class="related"><h3>Read more</h3><ul><li><a href="/a">Ferry fares to rise</a></li><li><a href="/b">Bridge closure extended</a></li></ul></div>
</article>
<section class="comments"><h2>Comments</h2><p>Great news for the town.</p></section></main>
<footer><p>© 2026 Generated Gazette</p></footer></body></html>"#
    )
}

/// An RSS 2.0 feed of `count` items linking to generated pages `first..first+count`.
pub fn generated_feed(base: &str, title: &str, first: usize, count: usize) -> String {
    let mut feed = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>{base}/</link><description>Generated</description>\n"
    );
    for n in first..first + count {
        feed.push_str(&format!(
            "<item><title>Harbour report number {n} shows busier quays</title><link>{base}/gen/{n}</link><guid>gen-{n}</guid><pubDate>Mon, 16 Mar 2026 08:00:00 GMT</pubDate><description>Report {n}.</description></item>\n"
        ));
    }
    feed.push_str("</channel></rss>\n");
    feed
}

fn gzipped(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn redirect(to: &str) -> HttpResponse {
    HttpResponse::Found().insert_header((header::LOCATION, to.to_owned())).finish()
}

/// Starts the site; see the module docs for what it serves.
pub async fn start() -> FeedServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the feed server");
    let address = format!("http://{}", listener.local_addr().unwrap());
    let late_open: Arc<std::sync::atomic::AtomicBool> = Arc::default();
    let site = web::Data::new(Site {
        base: address.clone(),
        bomb: gzipped(&b"<p>news </p>".repeat(BOMB_BYTES / 12)),
        late_open: late_open.clone(),
    });
    let log: Arc<Mutex<Vec<Logged>>> = Arc::default();
    let logged = log.clone();
    let server = HttpServer::new(move || {
        let logged = logged.clone();
        App::new()
            .app_data(site.clone())
            .wrap_fn(move |request, service| {
                use actix_web::dev::Service as _;
                let path = request.path().to_owned();
                let conditional = request.headers().contains_key(header::IF_NONE_MATCH)
                    || request.headers().contains_key(header::IF_MODIFIED_SINCE);
                let logged = logged.clone();
                let answer = service.call(request);
                async move {
                    let response = answer.await?;
                    logged.lock().unwrap().push(Logged { path, status: response.status().as_u16(), conditional });
                    Ok(response)
                }
            })
            .route("/bench/{n}/rss.xml", web::get().to(bench_feed))
            .route("/gen/{n}", web::get().to(|n: web::Path<usize>| async move { html(generated_page(*n)) }))
            .route("/courier/news/{page}", web::get().to(courier_page))
            .route("/wire/news/rail-talks", web::get().to(|| async { html(fixture("feeds/rail-talks.html")) }))
            .route("/desk/news/clinic-opens", web::get().to(|| async { html(fixture("feeds/clinic-opens.html")) }))
            .route("/hostile/huge.html", web::get().to(|| async { huge() }))
            .route(
                "/hostile/bomb.html",
                web::get().to(|site: web::Data<Site>| async move {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .insert_header((header::CONTENT_ENCODING, "gzip"))
                        .body(site.bomb.clone())
                }),
            )
            .route("/hostile/slow.html", web::get().to(|| async { slow() }))
            .route("/hostile/loop/a", web::get().to(|| async { redirect("/hostile/loop/b") }))
            .route("/hostile/loop/b", web::get().to(|| async { redirect("/hostile/loop/a") }))
            .route("/hostile/photo.html", web::get().to(|| async { html(png()) }))
            .route(
                "/hostile/legacy.html",
                // windows-1252, declared neither in the header nor in the page.
                web::get().to(|| async {
                    HttpResponse::Ok().content_type("text/html").body(fixture("feeds/legacy-cp1252.html"))
                }),
            )
            // Last: the fixture feeds (`/courier/rss.xml`…), after the pages of two segments.
            .route("/{feed}/{file}", web::get().to(feed_file))
    })
    .workers(2)
    .listen(listener)
    .expect("listening");
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    FeedServer { address, log, late_open, handle }
}

/// The fixture feeds, by their URL.
async fn feed_file(request: HttpRequest, path: web::Path<(String, String)>, site: web::Data<Site>) -> HttpResponse {
    let fill = |name: &str| String::from_utf8(fixture(name)).unwrap().replace("{base}", &site.base);
    match (path.0.as_str(), path.1.as_str()) {
        ("courier", "rss.xml") => feed(&request, "application/rss+xml; charset=utf-8", fill("feeds/courier-rss.xml")),
        ("wire", "atom.xml") => feed(&request, "application/atom+xml", fill("feeds/wire-atom.xml")),
        // No validators: every poll gets the whole feed.
        ("desk", "feed.json") => {
            HttpResponse::Ok().content_type("application/feed+json").body(fill("feeds/desk-feed.json"))
        }
        ("broken", "feed.xml") => {
            HttpResponse::Ok().content_type("application/rss+xml").body(fill("feeds/malformed.xml"))
        }
        ("hostile", "rss.xml") => feed(&request, "application/rss+xml", fill("feeds/hostile-rss.xml")),
        ("hostile", "slow.xml") => slow(),
        ("late", "rss.xml") if site.late_open.load(std::sync::atomic::Ordering::SeqCst) => {
            feed(&request, "application/rss+xml", fill("feeds/courier-rss.xml"))
        }
        ("late", "rss.xml") => HttpResponse::ServiceUnavailable().body("try again later"),
        ("big", "rss.xml") => {
            feed(&request, "application/rss+xml", generated_feed(&site.base, "Big", 1_000_000, BIG_FEED_ITEMS))
        }
        _ => HttpResponse::NotFound().body("no such feed"),
    }
}

async fn bench_feed(request: HttpRequest, n: web::Path<usize>, site: web::Data<Site>) -> HttpResponse {
    let first = *n * BENCH_ITEMS;
    feed(&request, "application/rss+xml", generated_feed(&site.base, &format!("Bench {n}"), first, BENCH_ITEMS))
}

async fn courier_page(page: web::Path<String>) -> HttpResponse {
    match page.as_str() {
        "harbour-strike-ends" => html(fixture("pages/harbour-article.html")),
        "council-budget" => html(fixture("feeds/council-budget.html")),
        // A binary file named `.html`: the item's own full text is ingested instead.
        "lifeboat-rescue.html" => html(png()),
        _ => HttpResponse::NotFound().body("no such page"),
    }
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    bytes
}

/// [`HUGE_BYTES`] of HTML, streamed without a length.
fn huge() -> HttpResponse {
    const CHUNK: usize = 64 * 1024;
    let chunk = web::Bytes::from("<p>news</p>".repeat(CHUNK / 11));
    let chunks =
        futures_util::stream::iter((0..HUGE_BYTES / chunk.len()).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    HttpResponse::Ok().content_type("text/html; charset=utf-8").streaming(chunks)
}

/// One byte a second, for a minute.
fn slow() -> HttpResponse {
    let bytes = futures_util::stream::unfold(0u32, |sent| async move {
        if sent > 0 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        (sent < 60).then(|| (Ok::<_, std::io::Error>(web::Bytes::from_static(b"<")), sent + 1))
    });
    HttpResponse::Ok().content_type("text/html").streaming(bytes)
}
