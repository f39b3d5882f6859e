//! Exports for analysts: every quote or article a filter matches, as CSV,
//! NDJSON or JSON-LD (schema.org `Quotation` and `NewsArticle`), for
//! `GET /export/{quotes|articles}.{csv|ndjson|jsonld}` and `newsgraph export`.
//!
//! The filter is the JSON of the GraphQL input (`QuoteFilterInput`,
//! `ArticleFilterInput`) and the order an `orderBy` value, read by the same
//! code as the `quotes` and `articles` fields, so an export holds exactly what
//! paging through those fields would. The rows come a page at a time through
//! the store's keyset paging ([`Store::find_quotes`] after the last row's sort
//! key), with the names they cite (speakers, sources, articles) loaded per
//! page: memory stays that of one page, however many rows there are.

use crate::domain::{Article, ArticleId, Organization, OrganizationId, Person, PersonId, Quote, Speaker};
use crate::graphql::error::ApiError;
use crate::graphql::filters::{self, ArticleFilterInput, ArticleOrder, QuoteFilterInput, QuoteOrder};
use crate::graphql::ids::{self, NodeType};
use crate::store::filter::{After, Page, article_sort_key, quote_sort_key};
use crate::store::{ArticleFilter, ArticleSort, QuoteFilter, QuoteSort, SharedStore};
use async_graphql::InputType;
use futures_util::Stream;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::HashMap;

/// Rows fetched per store call.
pub const PAGE_SIZE: usize = 500;

/// What is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Quotes,
    Articles,
}

/// How it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row (RFC 4180).
    Csv,
    /// One JSON object per line.
    Ndjson,
    /// One JSON-LD document: schema.org `Quotation`s or `NewsArticle`s in `@graph`.
    Jsonld,
}

impl Kind {
    /// `quotes` or `articles`, as in the export's path.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "quotes" => Some(Kind::Quotes),
            "articles" => Some(Kind::Articles),
            _ => None,
        }
    }
}

impl Format {
    /// `csv`, `ndjson` or `jsonld`, as in the export's file extension.
    pub fn parse(extension: &str) -> Option<Self> {
        match extension {
            "csv" => Some(Format::Csv),
            "ndjson" => Some(Format::Ndjson),
            "jsonld" => Some(Format::Jsonld),
            _ => None,
        }
    }

    /// The media type of the export.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Ndjson => "application/x-ndjson",
            Format::Jsonld => "application/ld+json",
        }
    }
}

/// The rows to export: a kind, its filter and its order.
#[derive(Debug, Clone)]
pub enum Selection {
    Quotes(QuoteFilter, QuoteSort),
    Articles(ArticleFilter, ArticleSort),
}

impl Selection {
    /// Reads `filter` (the JSON of the GraphQL filter input) and `order_by` (a
    /// value of `QuoteOrder` or `ArticleOrder`, e.g. `DATE_ASC`) as the
    /// GraphQL fields do; absent (or empty), all rows in the fields' default order.
    pub fn parse(kind: Kind, filter: Option<&str>, order_by: Option<&str>) -> Result<Self, ApiError> {
        let filter = match filter.map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(raw) => {
                let json: Value =
                    serde_json::from_str(raw).map_err(|e| ApiError::bad_input(format!("`filter` is not JSON: {e}")))?;
                Some(async_graphql::Value::from_json(json).map_err(|e| ApiError::bad_input(e.to_string()))?)
            }
        };
        let order = order_by
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| async_graphql::Value::Enum(async_graphql::Name::new(o)));
        fn input<T: InputType>(value: Option<async_graphql::Value>, what: &str) -> Result<T, ApiError> {
            if let Some(value) = &value {
                let mut registry = async_graphql::registry::Registry::default();
                let name = T::create_type_info(&mut registry);
                known_fields(&registry, &name, value, what)?;
            }
            T::parse(value).map_err(|e| {
                let message = e.into_server_error(Default::default()).message;
                ApiError::bad_input(format!("`{what}`: {message}"))
            })
        }
        Ok(match kind {
            Kind::Quotes => {
                let filter: Option<QuoteFilterInput> = input(filter, "filter")?;
                let order: QuoteOrder = if order.is_some() { input(order, "orderBy")? } else { QuoteOrder::default() };
                Selection::Quotes(filters::quote_filter(filter.as_ref())?, order.into())
            }
            Kind::Articles => {
                let filter: Option<ArticleFilterInput> = input(filter, "filter")?;
                let order: ArticleOrder =
                    if order.is_some() { input(order, "orderBy")? } else { ArticleOrder::default() };
                Selection::Articles(filters::article_filter(filter.as_ref())?, order.into())
            }
        })
    }
}

/// Refuses a field the input type does not have, as GraphQL validation would
/// (async-graphql's `InputType::parse` leaves that to validation, and ignores them).
fn known_fields(
    registry: &async_graphql::registry::Registry,
    ty: &str,
    value: &async_graphql::Value,
    path: &str,
) -> Result<(), ApiError> {
    let bare = ty.trim_matches(|c| c == '[' || c == ']' || c == '!');
    match value {
        async_graphql::Value::List(items) => items.iter().try_for_each(|item| known_fields(registry, bare, item, path)),
        async_graphql::Value::Object(fields) => match registry.types.get(bare) {
            Some(async_graphql::registry::MetaType::InputObject { input_fields, .. }) => {
                fields.iter().try_for_each(|(name, value)| match input_fields.get(name.as_str()) {
                    Some(field) => known_fields(registry, &field.ty, value, &format!("{path}.{name}")),
                    None => Err(ApiError::bad_input(format!("`{path}` has no field `{name}` (type {bare})"))),
                })
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Where the export is in its rows.
struct Cursor {
    store: SharedStore,
    selection: Selection,
    format: Format,
    page_size: usize,
    after: Option<After>,
    started: bool,
    finished: bool,
}

/// The export, as chunks of bytes: the header (CSV's row, JSON-LD's opening)
/// with the first page, then a chunk per page, then JSON-LD's closing. A
/// store error ends the stream with that error after the chunks already sent.
pub fn stream(
    store: SharedStore,
    selection: Selection,
    format: Format,
    page_size: usize,
) -> impl Stream<Item = Result<Vec<u8>, ApiError>> + Send + 'static {
    let cursor =
        Cursor { store, selection, format, page_size: page_size.max(1), after: None, started: false, finished: false };
    futures_util::stream::unfold(cursor, |mut cursor| async move {
        if cursor.finished {
            return None;
        }
        match cursor.next_chunk().await {
            Ok(chunk) => Some((Ok(chunk), cursor)),
            Err(error) => {
                cursor.finished = true;
                Some((Err(error), cursor))
            }
        }
    })
}

impl Cursor {
    async fn next_chunk(&mut self) -> Result<Vec<u8>, ApiError> {
        let mut out = Vec::new();
        if !self.started {
            self.started = true;
            let header = |columns: &[&str]| columns.iter().map(|c| c.to_string()).collect::<Vec<_>>();
            match (self.format, &self.selection) {
                (Format::Csv, Selection::Quotes(..)) => csv_rows(&mut out, [header(&QUOTE_COLUMNS)])?,
                (Format::Csv, Selection::Articles(..)) => csv_rows(&mut out, [header(&ARTICLE_COLUMNS)])?,
                (Format::Jsonld, _) => out.extend_from_slice(b"{\"@context\":\"https://schema.org\",\"@graph\":[\n"),
                (Format::Ndjson, _) => {}
            }
        }
        let page = Page { after: self.after.take(), limit: self.page_size };
        let records = match &self.selection {
            Selection::Quotes(filter, sort) => {
                let quotes = self.store.find_quotes(filter, *sort, &page).await?;
                self.after = quotes.last().map(|q| After { key: quote_sort_key(q, *sort), id: q.id.to_string() });
                self.quote_records(quotes).await?
            }
            Selection::Articles(filter, sort) => {
                let articles = self.store.find_articles(filter, *sort, &page).await?;
                self.after = articles.last().map(|a| After { key: article_sort_key(a, *sort), id: a.id.to_string() });
                self.article_records(articles).await?
            }
        };
        let first_page = page.after.is_none();
        let count = records.len();
        if self.format == Format::Csv {
            csv_rows(&mut out, records.into_iter().map(|r| r.csv))?;
        } else {
            self.write_json(&mut out, records, first_page)?;
        }
        if count < self.page_size {
            self.finished = true;
            if self.format == Format::Jsonld {
                out.extend_from_slice(b"\n]}\n");
            }
        }
        Ok(out)
    }

    /// NDJSON lines, or JSON-LD `@graph` members (a comma before each but the very first).
    fn write_json(&self, out: &mut Vec<u8>, records: Vec<Record>, first_page: bool) -> Result<(), ApiError> {
        for (n, record) in records.into_iter().enumerate() {
            match self.format {
                Format::Csv => {}
                Format::Ndjson => {
                    serde_json::to_writer(&mut *out, &record.json).map_err(|_| ApiError::Internal)?;
                    out.push(b'\n');
                }
                Format::Jsonld => {
                    if !(first_page && n == 0) {
                        out.extend_from_slice(b",\n");
                    }
                    serde_json::to_writer(&mut *out, &record.linked).map_err(|_| ApiError::Internal)?;
                }
            }
        }
        Ok(())
    }

    async fn quote_records(&self, quotes: Vec<Quote>) -> Result<Vec<Record>, ApiError> {
        let people: Vec<PersonId> = unique(quotes.iter().filter_map(|q| q.speaker.as_ref()?.person().cloned()));
        let articles: Vec<ArticleId> = unique(quotes.iter().map(|q| q.article.clone()));
        let articles = by_id(self.store.articles(&articles).await?, |a: &Article| a.id.to_string());
        let organizations: Vec<OrganizationId> = unique(
            quotes
                .iter()
                .flat_map(|q| {
                    let affiliation = match &q.speaker {
                        Some(Speaker::Anonymous { affiliation, .. }) => affiliation.clone(),
                        _ => None,
                    };
                    q.via.iter().cloned().chain(affiliation)
                })
                .chain(articles.values().filter_map(|a| a.outlet.clone())),
        );
        let people = by_id(self.store.people(&people).await?, |p: &Person| p.id.to_string());
        let organizations = by_id(self.store.organizations(&organizations).await?, |o: &Organization| o.id.to_string());
        let org_name = |id: &OrganizationId| organizations.get(id.as_str()).map(|o| o.name.clone());
        Ok(quotes
            .iter()
            .map(|quote| {
                let article = articles.get(quote.article.as_str());
                let (speaker, speaker_id, anonymous, affiliation) = match &quote.speaker {
                    Some(Speaker::Person { person }) => (
                        people.get(person.as_str()).map(|p| p.name.clone()),
                        Some(ids::encode(NodeType::Person, person.as_str()).to_string()),
                        false,
                        None,
                    ),
                    Some(Speaker::Anonymous { description, affiliation }) => {
                        (Some(description.clone()), None, true, affiliation.as_ref().and_then(org_name))
                    }
                    None => (None, None, false, None),
                };
                let via: Vec<String> = quote.via.iter().filter_map(org_name).collect();
                let id = ids::encode(NodeType::Quote, quote.id.as_str()).to_string();
                let article_id = ids::encode(NodeType::Article, quote.article.as_str()).to_string();
                let headline = article.map(|a| a.headline.clone());
                let url = article.and_then(|a| a.url.clone());
                let outlet = article.and_then(|a| a.outlet.as_ref()).and_then(org_name);
                let date = quote.date.map(|d| d.to_string());
                let json = json!({
                    "id": id, "key": quote.id.as_str(), "text": quote.text, "direct": quote.direct, "date": date,
                    "speaker": speaker, "speakerId": speaker_id, "anonymous": anonymous,
                    "speakerAffiliation": affiliation, "via": via, "articleId": article_id,
                    "articleHeadline": headline, "articleUrl": url, "outlet": outlet,
                });
                let spoken_by = match (&quote.speaker, &speaker) {
                    (Some(Speaker::Person { .. }), Some(name)) => {
                        json!({ "@type": "Person", "name": name, "identifier": speaker_id })
                    }
                    (Some(Speaker::Anonymous { .. }), Some(description)) => json!({
                        "@type": "Person", "description": description,
                        "affiliation": affiliation.as_ref().map(|name| json!({ "@type": "Organization", "name": name })),
                    }),
                    _ => Value::Null,
                };
                let linked = without_nulls(json!({
                    "@type": "Quotation",
                    "identifier": id,
                    "text": quote.text,
                    "dateCreated": date,
                    "spokenByCharacter": spoken_by,
                    "sourceOrganization": via.iter().map(|name| json!({ "@type": "Organization", "name": name })).collect::<Vec<_>>(),
                    "isPartOf": without_nulls(json!({
                        "@type": "NewsArticle", "identifier": article_id, "headline": headline, "url": url,
                        "publisher": outlet.as_ref().map(|name| json!({ "@type": "Organization", "name": name })),
                    })),
                }));
                let csv = vec![
                    id,
                    quote.id.to_string(),
                    quote.text.clone(),
                    quote.direct.to_string(),
                    date.unwrap_or_default(),
                    speaker.unwrap_or_default(),
                    speaker_id.unwrap_or_default(),
                    anonymous.to_string(),
                    affiliation.unwrap_or_default(),
                    via.join("; "),
                    article_id,
                    headline.unwrap_or_default(),
                    url.unwrap_or_default(),
                    outlet.unwrap_or_default(),
                ];
                Record { csv, json, linked }
            })
            .collect())
    }

    async fn article_records(&self, articles: Vec<Article>) -> Result<Vec<Record>, ApiError> {
        let people: Vec<PersonId> = unique(articles.iter().flat_map(|a| a.people.iter().cloned()));
        let organizations: Vec<OrganizationId> =
            unique(articles.iter().flat_map(|a| a.organizations.iter().cloned().chain(a.outlet.clone())));
        let people = by_id(self.store.people(&people).await?, |p: &Person| p.id.to_string());
        let organizations = by_id(self.store.organizations(&organizations).await?, |o: &Organization| o.id.to_string());
        Ok(articles
            .into_iter()
            .map(|article| {
                let id = ids::encode(NodeType::Article, article.id.as_str()).to_string();
                let published = article.published_at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                let outlet =
                    article.outlet.as_ref().and_then(|o| organizations.get(o.as_str())).map(|o| o.name.clone());
                let mentioned_people: Vec<String> =
                    article.people.iter().filter_map(|p| people.get(p.as_str())).map(|p| p.name.clone()).collect();
                let mentioned_organizations: Vec<String> = article
                    .organizations
                    .iter()
                    .filter_map(|o| organizations.get(o.as_str()))
                    .map(|o| o.name.clone())
                    .collect();
                let json = json!({
                    "id": id, "key": article.id.as_str(), "headline": article.headline, "publishedAt": published,
                    "dateline": article.dateline, "language": article.language, "url": article.url, "outlet": outlet,
                    "people": mentioned_people, "organizations": mentioned_organizations, "body": article.body,
                });
                let mentions: Vec<Value> = mentioned_people
                    .iter()
                    .map(|name| json!({ "@type": "Person", "name": name }))
                    .chain(mentioned_organizations.iter().map(|name| json!({ "@type": "Organization", "name": name })))
                    .collect();
                let linked = without_nulls(json!({
                    "@type": "NewsArticle",
                    "identifier": id,
                    "headline": article.headline,
                    "datePublished": published,
                    "dateline": article.dateline,
                    "inLanguage": article.language,
                    "url": article.url,
                    "publisher": outlet.as_ref().map(|name| json!({ "@type": "Organization", "name": name })),
                    "mentions": mentions,
                    "articleBody": article.body,
                }));
                let csv = vec![
                    id,
                    article.id.to_string(),
                    article.headline.clone(),
                    published.unwrap_or_default(),
                    article.dateline.clone().unwrap_or_default(),
                    article.language.clone().unwrap_or_default(),
                    article.url.clone().unwrap_or_default(),
                    outlet.unwrap_or_default(),
                    mentioned_people.join("; "),
                    mentioned_organizations.join("; "),
                    article.body.clone(),
                ];
                Record { csv, json, linked }
            })
            .collect())
    }
}

/// The CSV columns of a quote export (NDJSON has the same fields, in camelCase).
pub const QUOTE_COLUMNS: [&str; 14] = [
    "id",
    "key",
    "text",
    "direct",
    "date",
    "speaker",
    "speaker_id",
    "anonymous",
    "speaker_affiliation",
    "via",
    "article_id",
    "article_headline",
    "article_url",
    "outlet",
];

/// The CSV columns of an article export.
pub const ARTICLE_COLUMNS: [&str; 11] = [
    "id",
    "key",
    "headline",
    "published_at",
    "dateline",
    "language",
    "url",
    "outlet",
    "people",
    "organizations",
    "body",
];

/// One exported row in each format.
struct Record {
    csv: Vec<String>,
    json: Value,
    linked: Value,
}

/// Appends CSV rows; the `csv` crate quotes what needs quoting (RFC 4180),
/// after [`defuse_formula`] has made each cell inert for spreadsheets.
fn csv_rows(out: &mut Vec<u8>, rows: impl IntoIterator<Item = Vec<String>>) -> Result<(), ApiError> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(std::mem::take(out));
    for row in rows {
        let cells = row.iter().map(|cell| match defuse_formula(cell) {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        });
        writer.write_record(cells).map_err(|_| ApiError::Internal)?;
    }
    *out = writer.into_inner().map_err(|_| ApiError::Internal)?;
    Ok(())
}

/// The characters that make a spreadsheet (Excel, LibreOffice, Google Sheets)
/// read a cell as a formula, or start one after a field separator.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as a spreadsheet will show it, never run it (CSV injection, as
/// OWASP describes it): a cell starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'`, which spreadsheets take as "this is
/// text" and do not display. Quote texts and headlines come from articles,
/// which anyone who can ingest controls. NDJSON and JSON-LD are left as they are.
fn defuse_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_TRIGGERS) { format!("'{cell}").into() } else { cell.into() }
}

fn unique<T: Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.collect();
    items.sort();
    items.dedup();
    items
}

fn by_id<T>(items: Vec<T>, id: impl Fn(&T) -> String) -> HashMap<String, T> {
    items.into_iter().map(|item| (id(&item), item)).collect()
}

/// An object without its `null` members (JSON-LD leaves unknown properties out).
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter().filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty())).collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::sqlite::SqliteStore;
    use futures_util::TryStreamExt as _;
    use std::sync::Arc;

    async fn corpus_store(articles: usize) -> SharedStore {
        let store = SqliteStore::in_memory().unwrap();
        store.prepare().await.unwrap();
        let cast = crate::generate::Cast::new(articles, 7);
        store.write(&crate::generate::corpus(&cast, 7, articles)).await.unwrap();
        Arc::new(store)
    }

    async fn export(store: &SharedStore, selection: &Selection, format: Format, page_size: usize) -> String {
        let chunks: Vec<Vec<u8>> =
            stream(store.clone(), selection.clone(), format, page_size).try_collect().await.unwrap();
        String::from_utf8(chunks.concat()).unwrap()
    }

    #[tokio::test]
    async fn pages_join_into_the_same_export_in_every_format() {
        let store = corpus_store(12).await;
        for kind in [Kind::Quotes, Kind::Articles] {
            let selection = Selection::parse(kind, None, None).unwrap();
            for format in [Format::Csv, Format::Ndjson, Format::Jsonld] {
                let whole = export(&store, &selection, format, 10_000).await;
                assert_eq!(export(&store, &selection, format, 3).await, whole, "{kind:?} {format:?}");
            }
            let expected = match kind {
                Kind::Quotes => store.count_quotes(&QuoteFilter::default()).await.unwrap(),
                Kind::Articles => store.count_articles(&ArticleFilter::default()).await.unwrap(),
            } as usize;
            assert!(expected >= 12, "the corpus has rows: {expected}");
            let lines = export(&store, &selection, Format::Ndjson, 5).await;
            assert_eq!(lines.lines().count(), expected);
            let linked: Value = serde_json::from_str(&export(&store, &selection, Format::Jsonld, 5).await).unwrap();
            assert_eq!(linked["@graph"].as_array().unwrap().len(), expected);
            let ty = if kind == Kind::Quotes { "Quotation" } else { "NewsArticle" };
            assert!(linked["@graph"].as_array().unwrap().iter().all(|n| n["@type"] == ty));
        }
    }

    #[tokio::test]
    async fn an_empty_selection_is_a_header_or_an_empty_graph() {
        let store = corpus_store(2).await;
        let none = Selection::parse(Kind::Quotes, Some(r#"{"articles": ["no-such-article"]}"#), None).unwrap();
        assert_eq!(export(&store, &none, Format::Csv, 10).await, QUOTE_COLUMNS.join(",") + "\r\n");
        assert_eq!(export(&store, &none, Format::Ndjson, 10).await, "");
        let linked: Value = serde_json::from_str(&export(&store, &none, Format::Jsonld, 10).await).unwrap();
        assert_eq!(linked["@graph"], json!([]));
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_get_a_leading_apostrophe() {
        for hostile in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse_formula(hostile), format!("'{hostile}"));
        }
        for plain in ["Lavrov said", "2016-05-01", "", "a=b", " =1", "'quoted'"] {
            assert_eq!(defuse_formula(plain), plain);
        }
        let mut out = Vec::new();
        csv_rows(&mut out, [vec!["=1+1".to_owned(), "said, \"no\"".to_owned(), "-".to_owned()]]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "'=1+1,\"said, \"\"no\"\"\",'-\r\n");
    }

    #[test]
    fn filters_and_orders_are_read_as_graphql_reads_them() {
        let parsed = Selection::parse(
            Kind::Quotes,
            Some(r#"{"direct": true, "date": {"from": "2016-05-01"}}"#),
            Some("DATE_ASC"),
        );
        assert!(matches!(parsed, Ok(Selection::Quotes(f, QuoteSort::DateAsc)) if f.direct == Some(true)));
        for (filter, order) in [
            (Some("{not json"), None),
            (Some(r#"{"nope": 1}"#), None),
            (Some(r#"{"anyOf": [{"direct": true, "nope": 1}]}"#), None),
            (Some(r#"{"date": {"since": "2016-05-01"}}"#), None),
            (Some(r#"{"date": {"from": "2016-05-31", "to": "2016-05-01"}}"#), None),
            (None, Some("SIDEWAYS")),
        ] {
            let error = Selection::parse(Kind::Quotes, filter, order).unwrap_err();
            assert_eq!(error.code(), "BAD_USER_INPUT", "{filter:?} {order:?}");
        }
        assert!(Selection::parse(Kind::Articles, Some(r#"{"language": "en"}"#), Some("PUBLISHED_AT_ASC")).is_ok());
    }
}
