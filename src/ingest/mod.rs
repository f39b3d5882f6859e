//! Ingest: article text in, graph writes out.
//!
//! 1. The names the text may mention are looked up in the graph, and
//!    [`newsgraph_extract::extract_with`] turns the text into people,
//!    organizations and quotes, recognizing those known names ("Kerry" alone
//!    is the stored John Kerry); the extractor itself knows nothing of the graph.
//! 2. [`resolve`] matches every extracted name against the graph ("Kerry" is the
//!    stored John Kerry; "AFP" and "Agence France Presse" are one outlet) and
//!    merges what is new into what exists.
//! 3. The article, its quotes and the merged entities are written as one batch:
//!    atomically on the embedded store, article last on MongoDB.
//!
//! Before step 1, [`source`] tells what an input is (text, an HTML page or
//! NDJSON), [`fetch`] fetches a page from its URL, safely, and [`page`] reads
//! a page's article and metadata; [`input_from_page`] (and [`input_from_url`])
//! turns a page into the same [`IngestInput`] a text gives, and
//! [`Submission::into_input`] does it for an NDJSON line or a mutation's input.
//!
//! Step 3 also links copies: [`copies`] finds, through the store's
//! near-duplicate index ([`fingerprint`]), the stories this article republishes
//! or that republish it, and links them to the earliest report.
//! [`feeds`] polls RSS, Atom and JSON Feed and ingests each new item's page
//! through the same path (`newsgraph watch`, `newsgraph serve --feeds`).
//!
//! Before step 3, the editors' decisions about the article's quotes
//! (`crate::corrections`) are applied: re-ingesting never undoes a correction.
//!
//! Ids come from the content (the article id from its headline and a hash of
//! its body and URL or outlet, quote ids from their position), so ingesting the same text again
//! rewrites the same records: nothing is duplicated.

pub mod copies;
pub mod feeds;
pub mod fetch;
pub mod fingerprint;
pub mod page;
mod resolve;
pub mod source;

use crate::domain::{Article, ArticleId, OrgKind, OrganizationId, Quote, QuoteId, Span, Speaker, slugify};
use crate::store::{GraphBatch, Store, StoreError};
use chrono::{DateTime, Utc};
use newsgraph_extract::{ExtractError, Extraction, KnownNames, KnownOrganization, KnownPerson};
use resolve::Resolver;
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// What a caller supplies with the text; everything but the text is optional.
#[derive(Debug, Clone, Default)]
pub struct IngestInput {
    pub text: String,
    /// Overrides a headline found in the text's first line.
    pub headline: Option<String>,
    pub url: Option<String>,
    /// Name of the outlet that published the article; created as a news outlet when unknown.
    pub outlet: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub language: Option<String>,
}

/// What one ingest did.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestReport {
    pub article: ArticleId,
    /// Whether the article was already in the graph (and was rewritten).
    pub replaced: bool,
    pub quotes: Vec<QuoteId>,
    pub people_added: Vec<String>,
    pub people_merged: Vec<String>,
    pub organizations_added: Vec<String>,
    pub organizations_merged: Vec<String>,
    /// The original report this article is a copy of, when it is one (see [`copies`]).
    pub copy_of: Option<ArticleId>,
    /// How many other articles are copies of the same story (0 when none).
    pub copies: usize,
}

/// Why an ingest failed. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Extract(#[from] ExtractError),
    #[error("{0}")]
    Invalid(String),
    /// The page is a section front, an index or another page that is not an article.
    #[error("{0}")]
    NotAnArticle(String),
    /// The page could not be fetched from its URL.
    #[error("{0}")]
    Fetch(#[from] fetch::FetchError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The longest headline kept.
const MAX_HEADLINE_CHARS: usize = 300;

impl From<page::PageError> for IngestError {
    fn from(error: page::PageError) -> Self {
        match error {
            page::PageError::NotAnArticle(_) => IngestError::NotAnArticle(error.to_string()),
            page::PageError::Binary => IngestError::Invalid(error.to_string()),
        }
    }
}

/// An article as a client submits it (an NDJSON line, the `ingestArticle`
/// mutation): its text or its page's HTML, exactly one, and what the client
/// says about it.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Submission {
    pub text: Option<String>,
    /// A web page, as a (Unicode) string: whatever charset its markup declares is moot.
    pub html: Option<String>,
    pub headline: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub language: Option<String>,
}

impl Submission {
    /// The ingest input: the submission's fields, else (for a page) the page's
    /// metadata, else `defaults`' fields. Reading a page takes a while for a
    /// large one: call this off async threads.
    pub fn into_input(self, defaults: &IngestInput) -> Result<IngestInput, IngestError> {
        let given = IngestInput {
            text: String::new(),
            headline: self.headline,
            url: self.url,
            outlet: self.outlet,
            published_at: self.published_at,
            language: self.language,
        };
        let input = match (self.text, self.html) {
            (Some(text), None) => IngestInput { text, ..given },
            (None, Some(html)) => input_from_page(html.as_bytes(), Some("utf-8"), given)?,
            (Some(_), Some(_)) => {
                return Err(IngestError::Invalid("an article has exactly one of `text` and `html`, not both".into()));
            }
            (None, None) => return Err(IngestError::Invalid("an article has exactly one of `text` and `html`".into())),
        };
        Ok(input.or(defaults))
    }
}

impl IngestInput {
    /// This input, its missing headline, url, outlet, date and language taken from `defaults`.
    pub fn or(self, defaults: &IngestInput) -> IngestInput {
        IngestInput {
            text: self.text,
            headline: self.headline.or_else(|| defaults.headline.clone()),
            url: self.url.or_else(|| defaults.url.clone()),
            outlet: self.outlet.or_else(|| defaults.outlet.clone()),
            published_at: self.published_at.or(defaults.published_at),
            language: self.language.or_else(|| defaults.language.clone()),
        }
    }
}

/// The ingest input of an HTML page: its main text, and for every field the
/// caller's value (`given`, whose `text` is ignored) else the page's metadata.
/// `charset` is the transport's (an HTTP `Content-Type`), if any.
pub fn input_from_page(html: &[u8], charset: Option<&str>, given: IngestInput) -> Result<IngestInput, IngestError> {
    let page_url = given.url.clone();
    page_input(html, charset, page_url.as_deref(), given)
}

/// The ingest input of the page at `url`, fetched by `fetcher`: as
/// [`input_from_page`], the HTTP charset declared to the page reader, and the
/// article's URL the page's canonical link, else where it was found (after
/// redirects), unless `given` has one. A body that is binary is refused as
/// not HTML.
pub async fn input_from_url(
    fetcher: &fetch::Fetcher,
    url: &str,
    given: IngestInput,
) -> Result<IngestInput, IngestError> {
    let fetched = fetcher.fetch(url).await?;
    let utf16 = fetched.bytes.starts_with(&[0xFF, 0xFE]) || fetched.bytes.starts_with(&[0xFE, 0xFF]);
    if !utf16 && source::is_binary(&fetched.bytes) {
        return Err(fetch::FetchError::NotHtml("the content is binary".into()).into());
    }
    // Reading a large page takes a while: off the async threads.
    tokio::task::spawn_blocking(move || {
        page_input(&fetched.bytes, fetched.charset.as_deref(), Some(&fetched.url), given)
    })
    .await
    .map_err(|e| IngestError::Invalid(format!("reading the page failed: {e}")))?
}

/// [`input_from_page`] of a page read from `page_url`.
fn page_input(
    html: &[u8],
    charset: Option<&str>,
    page_url: Option<&str>,
    given: IngestInput,
) -> Result<IngestInput, IngestError> {
    let article = page::read_page(html, charset, page_url)?;
    let headline = given.headline.or(article.headline);
    // The headline goes first, as in a text file, so the extractor never takes
    // the first paragraph for one; the stored headline is the full one.
    let text = format!("{}\n\n{}", headline_line(headline.as_deref(), &article.text), article.text);
    Ok(IngestInput {
        text,
        headline,
        url: given.url.or(article.url),
        outlet: given.outlet.or(article.outlet),
        published_at: given.published_at.or(article.published_at),
        language: given.language.or(article.language),
    })
}

/// A first line the extractor takes for a headline (at most 20 words and 160
/// characters, not ending like a sentence): the headline shortened to fit, or
/// the body's first words.
fn headline_line(headline: Option<&str>, body: &str) -> String {
    let source = headline.filter(|h| !h.trim().is_empty()).unwrap_or(body);
    let mut line = String::new();
    for word in source.split_whitespace().take(12) {
        if line.len() + word.len() + 1 > 150 {
            break;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    let line = line.replace(") -", ")").replace(") —", ")").replace(") –", ")");
    let line = line.trim_end_matches(['.', ',', ';', ':', ' ']);
    if line.is_empty() { "Article".to_owned() } else { line.to_owned() }
}

/// Extracts `input.text`, resolves it against `store`, and writes the result.
pub async fn ingest(store: &dyn Store, input: IngestInput) -> Result<IngestReport, IngestError> {
    let known = known_names(store, &input.text).await?;
    let extraction = newsgraph_extract::extract_with(&input.text, &known)?;
    let headline = headline(&input, &extraction)?;

    let mut resolver = Resolver::new(store);
    for org in &extraction.organizations {
        resolver.organization(&org.name, &org.aliases, org.kind.into()).await?;
    }
    let outlet = match input.outlet.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(name) => Some(resolver.organization(name, &[], OrgKind::NewsOutlet).await?),
        None => None,
    };
    let url = input.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let article_id = article_id(&headline, &extraction.body, url, outlet.as_ref())?;
    let replaced = !store.articles(std::slice::from_ref(&article_id)).await?.is_empty();
    for person in &extraction.people {
        resolver.person(&person.name, &person.aliases, person.role.as_deref(), person.affiliation.as_deref()).await?;
    }

    let mut quotes = quotes(&article_id, input.published_at.as_ref(), &extraction, &mut resolver).await?;
    let mut article = Article {
        id: article_id.clone(),
        headline,
        body: extraction.body.clone(),
        dateline: extraction.dateline.clone(),
        published_at: input.published_at,
        url: input.url.clone().filter(|u| !u.trim().is_empty()),
        language: input.language.clone().or_else(|| Some("en".into())),
        outlet,
        people: resolver.mentioned_people(),
        organizations: resolver.mentioned_organizations(),
        topics: Vec::new(),
        copy_of: None,
    };
    // Human decisions win: corrected fields keep their values, rejected quotes stay out.
    quotes = crate::corrections::apply_decisions(store, &article, quotes).await?;
    let linked = copies::link(store, &mut article, &mut quotes).await?;
    let copy_of = article.copy_of.clone();
    let outcome = resolver.finish();
    let mut batch = GraphBatch {
        organizations: outcome.organizations,
        people: outcome.people,
        articles: vec![article],
        quotes: quotes.clone(),
        copy_keys: linked.keys.into_iter().collect(),
    };
    for (member, member_quotes) in linked.rewritten {
        batch.articles.push(member);
        batch.quotes.extend(member_quotes);
    }
    store.write(&batch).await?;
    Ok(IngestReport {
        article: article_id,
        replaced,
        quotes: quotes.into_iter().map(|q| q.id).collect(),
        people_added: outcome.people_added,
        people_merged: outcome.people_merged,
        organizations_added: outcome.organizations_added,
        organizations_merged: outcome.organizations_merged,
        copy_of,
        copies: linked.group_size,
    })
}

/// The people and organizations of the graph that the text may mention: the
/// extractor's candidate names looked up by name or alias (two round trips),
/// so "Kerry" alone is the stored John Kerry.
async fn known_names(store: &dyn Store, text: &str) -> Result<KnownNames, IngestError> {
    let candidates = newsgraph_extract::candidate_names(text);
    if candidates.is_empty() {
        return Ok(KnownNames::default());
    }
    let (people, organizations) =
        futures_util::try_join!(store.people_by_names(&candidates), store.organizations_by_names(&candidates))?;
    Ok(KnownNames {
        people: people
            .into_iter()
            .map(|p| KnownPerson { name: p.name, aliases: p.aliases, role: p.role, affiliation: None })
            .collect(),
        organizations: organizations
            .into_iter()
            .map(|o| KnownOrganization { name: o.name, aliases: o.aliases, kind: o.kind.into() })
            .collect(),
    })
}

impl From<OrgKind> for newsgraph_extract::OrgKind {
    fn from(kind: OrgKind) -> Self {
        use newsgraph_extract::OrgKind as K;
        match kind {
            OrgKind::NewsAgency => K::NewsAgency,
            OrgKind::NewsOutlet => K::NewsOutlet,
            OrgKind::Government => K::Government,
            OrgKind::InternationalOrg => K::InternationalOrg,
            OrgKind::Military => K::Military,
            OrgKind::PoliticalGroup => K::PoliticalGroup,
            OrgKind::Company => K::Company,
            OrgKind::Other => K::Other,
        }
    }
}

impl From<newsgraph_extract::OrgKind> for OrgKind {
    fn from(kind: newsgraph_extract::OrgKind) -> Self {
        use newsgraph_extract::OrgKind as K;
        match kind {
            K::NewsAgency => OrgKind::NewsAgency,
            K::NewsOutlet => OrgKind::NewsOutlet,
            K::Government => OrgKind::Government,
            K::InternationalOrg => OrgKind::InternationalOrg,
            K::Military => OrgKind::Military,
            K::PoliticalGroup => OrgKind::PoliticalGroup,
            K::Company => OrgKind::Company,
            K::Other => OrgKind::Other,
        }
    }
}

/// The caller's headline, else the text's, else the body's first words.
fn headline(input: &IngestInput, extraction: &Extraction) -> Result<String, IngestError> {
    let chosen = input
        .headline
        .as_deref()
        .or(extraction.headline.as_deref())
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let words: Vec<&str> = extraction.body.split_whitespace().take(12).collect();
            let mut lead = words.join(" ");
            if extraction.body.split_whitespace().count() > words.len() {
                lead.push('…');
            }
            lead
        });
    if chosen.is_empty() {
        return Err(IngestError::Invalid("the article has no text to name it by".into()));
    }
    Ok(chosen.chars().take(MAX_HEADLINE_CHARS).collect())
}

/// A readable, stable id: the headline's slug and a hash of the body and of
/// where it was published, when known: its URL, else its outlet. The same
/// page, or the same text from the same outlet, is the same article; a site
/// that republishes a story word for word has its own article (a copy, see
/// [`copies`]), with its own outlet, URL and date.
fn article_id(
    headline: &str,
    body: &str,
    url: Option<&str>,
    outlet: Option<&OrganizationId>,
) -> Result<ArticleId, IngestError> {
    let mut hasher = Sha256::new();
    hasher.update(body.as_bytes());
    match (url, outlet) {
        (Some(url), _) => hasher.update(format!("\0url:{url}")),
        (None, Some(outlet)) => hasher.update(format!("\0outlet:{outlet}")),
        (None, None) => {}
    }
    let digest = hasher.finalize();
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    let mut slug = slugify(headline).unwrap_or_else(|| "article".into());
    if slug.len() > 60 {
        slug.truncate(60);
        slug = slug.trim_end_matches('-').to_owned();
    }
    ArticleId::parse(format!("{slug}-{hash}")).map_err(|e| IngestError::Invalid(e.to_string()))
}

async fn quotes(
    article: &ArticleId,
    published_at: Option<&DateTime<Utc>>,
    extraction: &Extraction,
    resolver: &mut Resolver<'_>,
) -> Result<Vec<Quote>, IngestError> {
    let mut starts = HashSet::new();
    let mut quotes = Vec::with_capacity(extraction.quotes.len());
    for quote in &extraction.quotes {
        if quote.text.trim().is_empty() || quote.end <= quote.start || !starts.insert(quote.start) {
            continue;
        }
        let speaker = match quote.speaker.as_deref() {
            None => None,
            Some(name) if quote.speaker_is_person => {
                let affiliation = quote.speaker_affiliation.as_deref();
                Some(Speaker::Person { person: resolver.person(name, &[], None, affiliation).await? })
            }
            Some(description) => {
                let affiliation = match quote.speaker_affiliation.as_deref() {
                    Some(org) => Some(resolver.organization(org, &[], OrgKind::Other).await?),
                    None => None,
                };
                Some(Speaker::Anonymous { description: description.to_owned(), affiliation })
            }
        };
        let mut via: Vec<OrganizationId> = Vec::with_capacity(quote.via.len());
        for source in &quote.via {
            let id = resolver.organization(source, &[], OrgKind::NewsOutlet).await?;
            if !via.contains(&id) {
                via.push(id);
            }
        }
        quotes.push(Quote {
            id: QuoteId::for_span(article, quote.start),
            article: article.clone(),
            text: quote.text.clone(),
            direct: quote.direct,
            speaker,
            via,
            said_on: None,
            date: Quote::date_from(None, published_at),
            span: Span { start: quote.start, end: quote.end },
            copy_of: None,
            statement: None,
        });
    }
    Ok(quotes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn harbour_page() -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages/harbour-article.html");
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_submission_wins_over_its_page_which_wins_over_defaults() {
        let defaults = IngestInput {
            outlet: Some("Wire Desk".into()),
            language: Some("fr".into()),
            url: Some("https://default.example/".into()),
            ..IngestInput::default()
        };
        let page = Submission { html: Some(harbour_page()), ..Submission::default() };
        let input = page.clone().into_input(&defaults).unwrap();
        assert_eq!(input.outlet.as_deref(), Some("Coastline Courier"), "the page's publisher over the default");
        assert_eq!(input.language.as_deref(), Some("en-GB"));
        assert_eq!(input.headline.as_deref(), Some("Harbour workers end three-week strike after pay deal"));
        assert!(
            input.text.starts_with("Harbour workers end three-week strike after pay deal\n\nPORT ELLERY"),
            "{}",
            input.text
        );
        let given = Submission { outlet: Some("Harbour Gazette".into()), ..page }.into_input(&defaults).unwrap();
        assert_eq!(given.outlet.as_deref(), Some("Harbour Gazette"), "the submission's own over the page's");

        let text = Submission { text: Some("Rates on hold\n\nRates held.".into()), ..Submission::default() };
        let input = text.into_input(&defaults).unwrap();
        assert_eq!((input.outlet.as_deref(), input.language.as_deref()), (Some("Wire Desk"), Some("fr")));

        let both = Submission { text: Some("x".into()), html: Some("<p>x</p>".into()), ..Submission::default() };
        assert!(matches!(both.into_input(&defaults), Err(IngestError::Invalid(_))));
        assert!(matches!(Submission::default().into_input(&defaults), Err(IngestError::Invalid(_))));
    }

    #[test]
    fn the_headline_line_is_one_the_extractor_takes() {
        assert_eq!(headline_line(Some("Strike ends."), "body"), "Strike ends");
        let long = "word ".repeat(40);
        assert_eq!(headline_line(Some(&long), "body").split_whitespace().count(), 12);
        assert_eq!(headline_line(Some("LONDON (Reuters) - Strike ends"), "body"), "LONDON (Reuters) Strike ends");
        assert_eq!(headline_line(None, "First words of the body, and more."), "First words of the body, and more");
        assert_eq!(headline_line(None, ""), "Article");
    }
}
