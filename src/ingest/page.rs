//! HTML pages: the article a page carries, not the page.
//!
//! 1. The bytes are decoded ([`decode_html`]): a byte-order mark, else the
//!    charset the transport declared (an HTTP `Content-Type`), else the one the
//!    markup declares in its first kilobytes (`<meta charset>`, `http-equiv`),
//!    else UTF-8 when the bytes are valid UTF-8, else the legacy encoding
//!    `chardetng` guesses (what Firefox does with undeclared pages).
//! 2. The main text is found by `rs-trafilatura` (boilerplate removal: navigation,
//!    ads, comments, related links, captions and cookie notices go). It won the
//!    comparison with `dom_smoothie` on the article-extraction benchmark; the
//!    figures are in docs/ingest.md.
//! 3. The metadata comes from JSON-LD (`NewsArticle` and the other article
//!    types: headline, datePublished, publisher → outlet, author, inLanguage),
//!    then OpenGraph and `<meta>` tags, `<link rel=canonical>` and `<html lang>`.
//!
//! A page that declares itself something else than an article (JSON-LD
//! `CollectionPage`, `og:type` `product`…), a section front whose main text is
//! its list of headline links, or a page with under [`MIN_ARTICLE_WORDS`] words
//! of main text is refused as [`PageError::NotAnArticle`].
//!
//! The text handed on is the main text with paragraphs separated by blank
//! lines; the extractor's body is made from it, and quote offsets index that body.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use dom_query::Document;
use encoding_rs::Encoding;
use serde_json::Value;

/// The least words a page's main text has for it to be taken as an article.
pub const MIN_ARTICLE_WORDS: usize = 40;

/// Above this share of its main text in whole links to other pages (headlines
/// of a list), a page that does not declare itself an article is not one.
const MAX_LINKED_SHARE: f64 = 0.25;

/// The article found in a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageArticle {
    /// The main text: paragraphs separated by blank lines, nothing else of the page.
    pub text: String,
    pub headline: Option<String>,
    /// The canonical URL, else the URL the page was read from.
    pub url: Option<String>,
    /// The publisher's name.
    pub outlet: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// A BCP 47 tag, as the page declares it.
    pub language: Option<String>,
    pub authors: Vec<String>,
    /// The character encoding the page was decoded from.
    pub encoding: &'static str,
}

/// Why a page gives no article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// The bytes are not text (NUL bytes or control characters): an image or an archive named `.html`.
    #[error("not an HTML page: the content is binary")]
    Binary,
    /// A section front, an index of links, a product page…
    #[error("not an article: {0}")]
    NotAnArticle(String),
}

/// The article of an HTML page. `declared_charset` is the transport's (an HTTP
/// `Content-Type` charset), `url` where the page was read from, if anywhere.
pub fn read_page(bytes: &[u8], declared_charset: Option<&str>, url: Option<&str>) -> Result<PageArticle, PageError> {
    let (html, encoding) = decode_html(bytes, declared_charset)?;
    let metadata = Metadata::from_html(&html);
    let options = rs_trafilatura::Options { url: url.map(str::to_owned), ..rs_trafilatura::Options::default() };
    let extracted = rs_trafilatura::extract_with_options(&html, &options)
        .map_err(|e| PageError::NotAnArticle(format!("no main text found ({e})")))?;
    let text = paragraphs(&extracted.content_text);
    let words = text.split_whitespace().count();
    if !metadata.declares_article {
        if let Some(kind) = metadata.declares_other.as_deref() {
            return Err(PageError::NotAnArticle(format!("the page declares itself a {kind}")));
        }
        // A section front's main text is its list of headlines, each a link.
        // (rs-trafilatura's page classifier calls 8 of the benchmark's 181 real
        // articles listings or services, so it is not used.)
        let linked_words: usize = text
            .split("\n\n")
            .filter(|paragraph| metadata.link_texts.contains(*paragraph))
            .map(|paragraph| paragraph.split_whitespace().count())
            .sum();
        let linked = linked_words as f64 / words.max(1) as f64;
        if linked > MAX_LINKED_SHARE {
            return Err(PageError::NotAnArticle(format!(
                "the page is an index: {:.0}% of its main text is links to other pages",
                linked * 100.0
            )));
        }
    }
    if words < MIN_ARTICLE_WORDS {
        return Err(PageError::NotAnArticle(format!(
            "its main text has {words} words (an article has at least {MIN_ARTICLE_WORDS})"
        )));
    }
    let headline =
        metadata.headline.or(extracted.metadata.title).map(|h| collapse_spaces(&h)).filter(|h| !h.is_empty());
    Ok(PageArticle {
        text,
        headline,
        url: metadata.canonical.or_else(|| url.map(str::to_owned)),
        outlet: metadata.outlet.or(extracted.metadata.sitename),
        published_at: metadata.published_at,
        language: metadata.language,
        authors: metadata.authors,
        encoding: encoding.name(),
    })
}

/// Decodes an HTML page (see the module docs for the order of evidence).
pub fn decode_html(bytes: &[u8], declared_charset: Option<&str>) -> Result<(String, &'static Encoding), PageError> {
    let bom = Encoding::for_bom(bytes);
    // UTF-16 with a byte-order mark has NULs but is text.
    if bom.is_none() && super::source::is_binary(bytes) {
        return Err(PageError::Binary);
    }
    let encoding = bom
        .map(|(encoding, _)| encoding)
        .or_else(|| declared_charset.and_then(|label| Encoding::for_label(label.trim().as_bytes())))
        .or_else(|| charset_in_markup(bytes))
        .unwrap_or_else(|| {
            if std::str::from_utf8(bytes).is_ok() {
                encoding_rs::UTF_8
            } else {
                let mut detector = chardetng::EncodingDetector::new();
                detector.feed(bytes, true);
                detector.guess(None, true)
            }
        });
    // A page that declares UTF-16 but is read as bytes of ASCII markup is UTF-8 (the HTML rule).
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        if bom.is_some() { encoding } else { encoding_rs::UTF_8 }
    } else {
        encoding
    };
    let (text, used, _) = encoding.decode(bytes);
    if super::source::is_binary(text.as_bytes()) {
        return Err(PageError::Binary);
    }
    Ok((text.into_owned(), used))
}

/// The charset a `<meta>` tag declares in the first 4 KiB (the HTML prescan, simplified).
fn charset_in_markup(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(at) = rest.find("<meta") {
        let tag_end = rest[at..].find('>').map_or(rest.len(), |end| at + end);
        let tag = &rest[at..tag_end];
        if let Some(pos) = tag.find("charset") {
            let value = tag[pos + "charset".len()..].trim_start().strip_prefix('=').map(str::trim_start);
            if let Some(value) = value {
                let label: String = value
                    .trim_start_matches(['"', '\''])
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | ';' | ' ' | '/' | '>'))
                    .collect();
                if let Some(encoding) = Encoding::for_label(label.as_bytes()) {
                    return Some(encoding);
                }
            }
        }
        rest = &rest[tag_end..];
    }
    None
}

/// Lines trimmed, runs of spaces collapsed, empty lines dropped, paragraphs separated by one blank line.
fn paragraphs(text: &str) -> String {
    text.lines().map(collapse_spaces).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("\n\n")
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// JSON-LD `@type`s that are articles.
const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "askpublicnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
];

/// JSON-LD `@type`s of pages that are not articles.
const NON_ARTICLE_TYPES: &[&str] = &["collectionpage", "itemlist", "searchresultspage", "product", "profilepage"];

/// What a page says about itself.
#[derive(Debug, Default)]
struct Metadata {
    headline: Option<String>,
    outlet: Option<String>,
    published_at: Option<DateTime<Utc>>,
    language: Option<String>,
    canonical: Option<String>,
    authors: Vec<String>,
    /// JSON-LD or OpenGraph says this is an article.
    declares_article: bool,
    /// JSON-LD or OpenGraph says this is something else (the type named).
    declares_other: Option<String>,
    /// The texts of the page's links of three words or more (spaces collapsed):
    /// a section front's main text is made of them, an article's is not.
    link_texts: std::collections::HashSet<String>,
}

impl Metadata {
    fn from_html(html: &str) -> Self {
        let doc = Document::from(html);
        let mut meta = Metadata::default();
        for script in doc.select(r#"script[type="application/ld+json"]"#).iter() {
            let Ok(json) = serde_json::from_str::<Value>(script.text().trim()) else {
                continue;
            };
            let mut nodes = Vec::new();
            flatten_json_ld(&json, &mut nodes);
            for node in nodes {
                meta.absorb_json_ld(node);
            }
        }
        let property = |name: &str| -> Option<String> {
            let selector = format!(r#"meta[property="{name}"], meta[name="{name}"]"#);
            doc.select(&selector)
                .iter()
                .filter_map(|m| m.attr("content"))
                .map(|c| collapse_spaces(&c))
                .find(|c| !c.is_empty())
        };
        match property("og:type").map(|t| t.to_ascii_lowercase()).as_deref() {
            Some("article") => meta.declares_article = true,
            Some(other) if !meta.declares_article && meta.declares_other.is_none() && other != "website" => {
                meta.declares_other = Some(other.to_owned())
            }
            _ => {}
        }
        meta.headline = meta.headline.take().or_else(|| property("og:title")).or_else(|| property("twitter:title"));
        meta.outlet = meta.outlet.take().or_else(|| property("og:site_name")).or_else(|| property("application-name"));
        if meta.published_at.is_none() {
            meta.published_at =
                ["article:published_time", "pubdate", "publishdate", "date", "dc.date", "dcterms.created"]
                    .iter()
                    .find_map(|name| property(name).and_then(|d| parse_date(&d)));
        }
        if meta.authors.is_empty() {
            meta.authors.extend(property("author"));
        }
        meta.canonical = doc
            .select(r#"link[rel="canonical"]"#)
            .iter()
            .filter_map(|l| l.attr("href"))
            .map(|h| h.trim().to_owned())
            .find(|h| h.starts_with("http://") || h.starts_with("https://"))
            .or_else(|| property("og:url").filter(|u| u.starts_with("http")));
        meta.language = meta
            .language
            .take()
            .or_else(|| doc.select("html").attr("lang").map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()))
            .or_else(|| property("og:locale").map(|l| l.replace('_', "-")))
            .or_else(|| property("content-language"));
        meta.link_texts = doc
            .select("body a")
            .iter()
            .map(|a| collapse_spaces(&a.text()))
            .filter(|text| text.split_whitespace().count() >= 3)
            .collect();
        if meta.headline.is_none() {
            meta.headline =
                doc.select("title").iter().next().map(|t| collapse_spaces(&t.text())).filter(|t| !t.is_empty());
        }
        meta
    }

    fn absorb_json_ld(&mut self, node: &Value) {
        let types = json_ld_types(node);
        if types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
            if self.declares_article {
                return; // the first article node wins
            }
            self.declares_article = true;
            self.declares_other = None;
            self.headline = text_of(node.get("headline")).or_else(|| text_of(node.get("name")));
            self.published_at = text_of(node.get("datePublished")).and_then(|d| parse_date(&d));
            self.outlet = node.get("publisher").and_then(name_of);
            self.language = text_of(node.get("inLanguage"));
            self.authors = match node.get("author") {
                Some(Value::Array(authors)) => authors.iter().filter_map(name_of).collect(),
                Some(author) => name_of(author).into_iter().collect(),
                None => Vec::new(),
            };
        } else if !self.declares_article && self.declares_other.is_none() {
            self.declares_other = types.into_iter().find(|t| NON_ARTICLE_TYPES.contains(&t.as_str()));
        }
    }
}

/// Every object of a JSON-LD document: top-level arrays and `@graph`s opened.
fn flatten_json_ld<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| flatten_json_ld(item, out)),
        Value::Object(map) => {
            out.push(value);
            if let Some(graph) = map.get("@graph") {
                flatten_json_ld(graph, out);
            }
        }
        _ => {}
    }
}

fn json_ld_types(node: &Value) -> Vec<String> {
    match node.get("@type") {
        Some(Value::String(t)) => vec![t.to_ascii_lowercase()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect(),
        _ => Vec::new(),
    }
}

/// A string, or the first string of an array.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(collapse_spaces(s)).filter(|s| !s.is_empty()),
        Value::Array(items) => items.iter().find_map(|item| text_of(Some(item))),
        _ => None,
    }
}

/// A name given as a string or as an object with a `name`.
fn name_of(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => text_of(map.get("name")),
        Value::Array(items) => items.iter().find_map(name_of),
        other => text_of(Some(other)),
    }
}

/// RFC 3339, ISO 8601 without a colon in the offset, a local time (taken as UTC), or a date.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(date) = DateTime::parse_from_str(text, format) {
            return Some(date.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(date) = NaiveDateTime::parse_from_str(text, format) {
            return Some(date.and_utc());
        }
    }
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0).map(|d| d.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages").join(name)).unwrap()
    }

    /// A page written with legacy bytes: `body` (Latin-1 only) inside markup, with `head` in `<head>`.
    fn latin1_page(head: &str, body: &str) -> Vec<u8> {
        let html = format!(
            "<!DOCTYPE html><html><head>{head}<title>Grève</title></head><body><article>{body}</article></body></html>"
        );
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&html);
        assert!(!unmappable);
        bytes.into_owned()
    }

    const FRENCH: &str = "<h1>Les dockers de Port-Ellery mettent fin à la grève</h1>\
        <p>Les dockers de Port-Ellery ont voté vendredi en faveur d'un nouvel accord salarial, mettant fin à une grève \
        de trois semaines qui avait laissé des dizaines de porte-conteneurs au large des côtes.</p>\
        <p>« Nous avons un accord dont nos membres peuvent être fiers », a déclaré la dirigeante syndicale Maria Lopez \
        devant les grilles du terminal. « Personne ne voulait que cela dure aussi longtemps. »</p>\
        <p>L'accord prévoit une hausse de sept pour cent du salaire de base cette année et de quatre pour cent l'année \
        prochaine, selon un résumé publié par le syndicat. Les entreprises locales estiment les pertes à plusieurs \
        millions d'euros, et les exportateurs de poisson ont été les plus touchés.</p>";

    #[test]
    fn the_article_and_its_metadata_not_the_page() {
        let article = read_page(&fixture("harbour-article.html"), None, None).unwrap();
        assert_eq!(article.headline.as_deref(), Some("Harbour workers end three-week strike after pay deal"));
        assert_eq!(article.outlet.as_deref(), Some("Coastline Courier"));
        assert_eq!(article.url.as_deref(), Some("https://courier.example/news/2026/03/14/harbour-strike-ends"));
        assert_eq!(article.published_at.unwrap().to_rfc3339(), "2026-03-14T08:30:00+00:00");
        assert_eq!(article.language.as_deref(), Some("en-GB"));
        assert_eq!(article.authors, vec!["Ruth Okafor".to_owned()]);
        assert_eq!(article.encoding, "UTF-8");
        let text = &article.text;
        for kept in [
            "Dock workers at Port Ellery voted on Friday",
            "\"We have a deal that our members can be proud of,\"",
            "\"Three weeks is too long",
        ] {
            assert!(text.contains(kept), "lost {kept:?}:\n{text}");
        }
        for chrome in [
            "cookies",
            "Subscribe today",
            "Most read",
            "About time!",
            "Share on Facebook",
            "Ferry fares",
            "Sign up",
            "All rights reserved",
            "Idle cranes",
            "Advertisement",
        ] {
            assert!(!text.contains(chrome), "kept {chrome:?}:\n{text}");
        }
        assert!(text.contains("\n\n"), "paragraphs are separated by blank lines");
    }

    #[test]
    fn a_section_front_is_not_an_article() {
        let error = read_page(&fixture("section-business.html"), None, None).unwrap_err();
        assert!(matches!(error, PageError::NotAnArticle(_)), "{error:?}");
    }

    #[test]
    fn charsets_declared_in_the_transport_or_the_markup_or_guessed() {
        let declared = latin1_page(r#"<meta charset="windows-1252">"#, FRENCH);
        let undeclared = latin1_page("", FRENCH);
        for (bytes, transport) in [(&declared, None), (&undeclared, Some("iso-8859-1")), (&undeclared, None)] {
            let article = read_page(bytes, transport, None).unwrap();
            assert_eq!(article.encoding, "windows-1252", "{transport:?}");
            assert!(article.text.contains("à une grève de trois semaines"), "{}", article.text);
            assert!(article.text.contains("« Nous avons un accord"), "{}", article.text);
        }
        // The transport's charset wins over the markup's.
        let utf8 = format!(
            "<html><head><meta charset=\"windows-1252\"></head><body><article>{FRENCH}</article></body></html>"
        );
        let article = read_page(utf8.as_bytes(), Some("utf-8"), None).unwrap();
        assert_eq!(article.encoding, "UTF-8");
        assert!(article.text.contains("grève"));
    }

    #[test]
    fn binary_is_refused() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R'];
        assert_eq!(read_page(&png, None, None), Err(PageError::Binary));
    }

    #[test]
    fn dates_in_the_forms_pages_use() {
        for (text, expected) in [
            ("2026-03-14T08:30:00Z", "2026-03-14T08:30:00+00:00"),
            ("2026-03-14T10:30:00+02:00", "2026-03-14T08:30:00+00:00"),
            ("2026-03-14T10:30:00+0200", "2026-03-14T08:30:00+00:00"),
            ("2026-03-14T08:30:00", "2026-03-14T08:30:00+00:00"),
            ("2026-03-14", "2026-03-14T00:00:00+00:00"),
        ] {
            assert_eq!(parse_date(text).map(|d| d.to_rfc3339()).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(parse_date("last Tuesday"), None);
    }
}
