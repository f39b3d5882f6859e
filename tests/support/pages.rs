//! A web server of the tests' own, on 127.0.0.1 port 0, serving the fixture
//! pages and every way a server can misbehave for `ingest URL` and `ingestUrl`:
//! redirect chains and loops, large and compressed-bomb bodies, one byte a
//! second, binary bodies, error statuses.

use actix_web::http::header;
use actix_web::{App, HttpResponse, HttpServer, web};
use std::io::Write as _;
use std::time::Duration;

/// Bytes of the large bodies: over a test cap of 1 MiB.
pub const LARGE_BYTES: usize = 2 * 1024 * 1024;

pub struct PageServer {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    handle: actix_web::dev::ServerHandle,
}

impl PageServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// The harbour strike fixture page.
pub fn harbour_page() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages/harbour-article.html");
    std::fs::read_to_string(path).unwrap()
}

/// The harbour page without its canonical link or `og:url`: its URL is where it was found.
fn page_without_canonical() -> String {
    let page = harbour_page();
    let lines: Vec<&str> =
        page.lines().filter(|line| !line.contains("canonical") && !line.contains("og:url")).collect();
    lines.join("\n")
}

fn html(body: impl actix_web::body::MessageBody + 'static) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body)
}

fn redirect(to: String) -> HttpResponse {
    HttpResponse::Found().insert_header((header::LOCATION, to)).finish()
}

/// `/page` (canonical link), `/plain` (none), `/redirect/{n}` (n redirects to
/// `/plain`), `/loop/a` ↔ `/loop/b`, `/large` (2 MiB of HTML), `/bomb` (2 MiB
/// gzipped to a few KiB), `/slow` (a byte a second), `/image` (a PNG),
/// `/binary.html` (binary bytes called HTML), `/missing` (404).
pub async fn start() -> PageServer {
    let server = HttpServer::new(|| {
        App::new()
            .route("/page", web::get().to(|| async { html(harbour_page()) }))
            .route("/plain", web::get().to(|| async { html(page_without_canonical()) }))
            .route(
                "/redirect/{n}",
                web::get().to(|n: web::Path<u32>| async move {
                    match n.into_inner() {
                        0 => redirect("/plain".into()),
                        n => redirect(format!("/redirect/{}", n - 1)),
                    }
                }),
            )
            .route("/loop/a", web::get().to(|| async { redirect("/loop/b".into()) }))
            .route("/loop/b", web::get().to(|| async { redirect("/loop/a".into()) }))
            .route("/large", web::get().to(|| async { html(large_page()) }))
            .route(
                "/bomb",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .insert_header((header::CONTENT_ENCODING, "gzip"))
                        .body(gzipped(large_page().as_bytes()))
                }),
            )
            .route(
                "/slow",
                web::get().to(|| async {
                    let bytes = futures_util::stream::unfold(0u32, |sent| async move {
                        if sent > 0 {
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        (sent < 60).then(|| (Ok::<_, std::io::Error>(web::Bytes::from_static(b"<")), sent + 1))
                    });
                    HttpResponse::Ok().content_type("text/html").streaming(bytes)
                }),
            )
            .route(
                "/image",
                web::get().to(|| async {
                    HttpResponse::Ok().content_type("image/png").body(&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01"[..])
                }),
            )
            .route("/binary.html", web::get().to(|| async { html(vec![0u8, 159, 146, 150, 0, 0, 1, 2, 0, 0, 0, 7]) }))
            .route("/missing", web::get().to(|| async { HttpResponse::NotFound().body("no such page") }))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("binding the page server");
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    PageServer { address: format!("http://127.0.0.1:{port}"), handle }
}

/// An HTML page of [`LARGE_BYTES`].
pub fn large_page() -> String {
    let mut page = String::from("<!DOCTYPE html><html><body><p>");
    page.push_str(&"news ".repeat((LARGE_BYTES - page.len()) / 5));
    page
}

pub fn gzipped(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}
