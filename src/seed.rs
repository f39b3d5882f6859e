//! Loading the curated graph in `seed/`: parse, validate everything, then write
//! once.
//!
//! `seed/graph.json` lists organizations, people and articles; each article's
//! body is a text file beside it, and each quote is located in that body by its
//! text (or by an `at` excerpt for reported speech), which gives the quote its
//! character offsets and its stable id. Any problem (bad JSON, an unknown
//! reference, a quote that is not in the text) is reported with the file, the
//! line or field, and the reason, before anything is written.

use crate::domain::{
    Article, ArticleId, Organization, OrganizationId, Person, PersonId, Quote, QuoteId, Span, Speaker,
};
use crate::store::{GraphBatch, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// The file in the seed directory that holds the graph.
pub const GRAPH_FILE: &str = "graph.json";

/// A seed file that cannot be loaded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedError {
    pub file: PathBuf,
    /// `line L, column C` for syntax errors, or the field path (`articles[0].quotes[2].via[0]`).
    pub location: String,
    pub reason: String,
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file.display(), self.location, self.reason)
    }
}

impl std::error::Error for SeedError {}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedFailure {
    #[error("invalid seed data: {0}")]
    Invalid(#[from] SeedError),
    #[error("could not write the seed graph: {0}")]
    Store(#[from] StoreError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedGraph {
    #[serde(default)]
    organizations: Vec<Organization>,
    #[serde(default)]
    people: Vec<Person>,
    #[serde(default)]
    articles: Vec<SeedArticle>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedArticle {
    id: ArticleId,
    headline: String,
    /// Path of the body text, relative to the seed directory.
    body_file: String,
    dateline: Option<String>,
    published_at: Option<DateTime<Utc>>,
    url: Option<String>,
    language: Option<String>,
    outlet: Option<OrganizationId>,
    #[serde(default)]
    people: Vec<PersonId>,
    #[serde(default)]
    organizations: Vec<OrganizationId>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    quotes: Vec<SeedQuote>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedQuote {
    text: String,
    /// The exact excerpt of the body the statement comes from, when `text` is
    /// not itself in the body (reported speech). Defaults to `text`.
    at: Option<String>,
    direct: bool,
    speaker: Option<SeedSpeaker>,
    #[serde(default)]
    via: Vec<OrganizationId>,
    said_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum SeedSpeaker {
    Person(PersonId),
    Anonymous { description: String, affiliation: Option<OrganizationId> },
}

/// Reads and validates the seed directory into a batch, writing nothing.
pub fn load(dir: &Path) -> Result<GraphBatch, SeedError> {
    let file = dir.join(GRAPH_FILE);
    let raw = std::fs::read_to_string(&file).map_err(|e| SeedError {
        file: file.clone(),
        location: "file".into(),
        reason: format!("cannot read: {e}"),
    })?;
    let mut de = serde_json::Deserializer::from_str(&raw);
    let graph: SeedGraph = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        let path = e.path().to_string();
        SeedError {
            file: file.clone(),
            location: format!("line {}, column {}, field {}", inner.line(), inner.column(), path),
            reason: inner.to_string(),
        }
    })?;
    Validator::new(dir, file).build(graph)
}

/// Loads the seed directory and writes it to `store`. Idempotent.
pub async fn seed(store: &dyn Store, dir: &Path) -> Result<GraphBatch, SeedFailure> {
    let batch = load(dir)?;
    store.write(&batch).await?;
    Ok(batch)
}

struct Validator {
    dir: PathBuf,
    file: PathBuf,
}

impl Validator {
    fn new(dir: &Path, file: PathBuf) -> Self {
        Self { dir: dir.to_path_buf(), file }
    }

    fn error(&self, location: impl Into<String>, reason: impl Into<String>) -> SeedError {
        SeedError { file: self.file.clone(), location: location.into(), reason: reason.into() }
    }

    fn build(&self, graph: SeedGraph) -> Result<GraphBatch, SeedError> {
        let orgs: HashMap<&OrganizationId, &Organization> =
            self.unique("organizations", graph.organizations.iter().map(|o| (&o.id, o)))?;
        let people: HashSet<&PersonId> =
            self.unique("people", graph.people.iter().map(|p| (&p.id, ())))?.into_keys().collect();
        // Article ids must be unique too; nothing refers to them.
        self.unique("articles", graph.articles.iter().map(|a| (&a.id, ())))?;

        let org_ref = |at: String, id: &OrganizationId| -> Result<(), SeedError> {
            if orgs.contains_key(id) { Ok(()) } else { Err(self.error(at, format!("unknown organization `{id}`"))) }
        };
        let person_ref = |at: String, id: &PersonId| -> Result<(), SeedError> {
            if people.contains(id) { Ok(()) } else { Err(self.error(at, format!("unknown person `{id}`"))) }
        };

        for (i, org) in graph.organizations.iter().enumerate() {
            self.non_empty(format!("organizations[{i}].name"), &org.name)?;
            for (j, parent) in org.member_of.iter().enumerate() {
                org_ref(format!("organizations[{i}].member_of[{j}]"), parent)?;
            }
        }
        for (i, person) in graph.people.iter().enumerate() {
            self.non_empty(format!("people[{i}].name"), &person.name)?;
            for (j, org) in person.affiliations.iter().enumerate() {
                org_ref(format!("people[{i}].affiliations[{j}]"), org)?;
            }
        }

        let mut batch = GraphBatch {
            organizations: graph.organizations.clone(),
            people: graph.people.clone(),
            ..GraphBatch::default()
        };
        for (i, seed) in graph.articles.into_iter().enumerate() {
            let at = format!("articles[{i}]");
            self.non_empty(format!("{at}.headline"), &seed.headline)?;
            let body = self.read_body(&format!("{at}.body_file"), &seed.body_file)?;
            if let Some(outlet) = &seed.outlet {
                org_ref(format!("{at}.outlet"), outlet)?;
            }
            for (j, person) in seed.people.iter().enumerate() {
                person_ref(format!("{at}.people[{j}]"), person)?;
            }
            for (j, org) in seed.organizations.iter().enumerate() {
                org_ref(format!("{at}.organizations[{j}]"), org)?;
            }
            let mut starts = HashSet::new();
            for (j, quote) in seed.quotes.into_iter().enumerate() {
                let qat = format!("{at}.quotes[{j}]");
                self.non_empty(format!("{qat}.text"), &quote.text)?;
                let excerpt = quote.at.as_deref().unwrap_or(&quote.text);
                let span =
                    self.locate(&format!("{qat}.{}", if quote.at.is_some() { "at" } else { "text" }), &body, excerpt)?;
                if !starts.insert(span.start) {
                    return Err(self.error(qat, "two quotes start at the same place in the body"));
                }
                let speaker = match quote.speaker {
                    None => None,
                    Some(SeedSpeaker::Person(person)) => {
                        person_ref(format!("{qat}.speaker.person"), &person)?;
                        Some(Speaker::Person { person })
                    }
                    Some(SeedSpeaker::Anonymous { description, affiliation }) => {
                        self.non_empty(format!("{qat}.speaker.anonymous.description"), &description)?;
                        if let Some(org) = &affiliation {
                            org_ref(format!("{qat}.speaker.anonymous.affiliation"), org)?;
                        }
                        Some(Speaker::Anonymous { description, affiliation })
                    }
                };
                for (k, source) in quote.via.iter().enumerate() {
                    let location = format!("{qat}.via[{k}]");
                    org_ref(location.clone(), source)?;
                    if orgs.get(source).is_some_and(|o| !o.kind.is_source()) {
                        return Err(self.error(location, format!("`{source}` is not a news agency or outlet")));
                    }
                }
                batch.quotes.push(Quote {
                    id: QuoteId::for_span(&seed.id, span.start),
                    article: seed.id.clone(),
                    text: quote.text,
                    direct: quote.direct,
                    speaker,
                    via: quote.via,
                    said_on: quote.said_on,
                    date: Quote::date_from(quote.said_on, seed.published_at.as_ref()),
                    span,
                    copy_of: None,
                    statement: None,
                });
            }
            batch.articles.push(Article {
                id: seed.id,
                headline: seed.headline,
                body,
                dateline: seed.dateline,
                published_at: seed.published_at,
                url: seed.url,
                language: seed.language,
                outlet: seed.outlet,
                people: seed.people,
                organizations: seed.organizations,
                topics: seed.topics,
                copy_of: None,
            });
        }
        // Indexed for near-duplicate detection, so that a later copy of a seed
        // article is recognised as one (the seed articles are distinct stories).
        for article in &batch.articles {
            let keys = crate::ingest::fingerprint::Fingerprint::of(&article.body).band_keys();
            if !keys.is_empty() {
                batch.copy_keys.push(crate::store::CopyKeys { article: article.id.clone(), keys });
            }
        }
        Ok(batch)
    }

    fn unique<'a, K: fmt::Display + Eq + std::hash::Hash, V>(
        &self,
        list: &str,
        items: impl Iterator<Item = (&'a K, V)>,
    ) -> Result<HashMap<&'a K, V>, SeedError> {
        let mut seen = HashMap::new();
        for (i, (id, value)) in items.enumerate() {
            if seen.insert(id, value).is_some() {
                return Err(self.error(format!("{list}[{i}].id"), format!("duplicate id `{id}`")));
            }
        }
        Ok(seen)
    }

    fn non_empty(&self, location: String, value: &str) -> Result<(), SeedError> {
        if value.trim().is_empty() { Err(self.error(location, "must not be empty")) } else { Ok(()) }
    }

    fn read_body(&self, location: &str, relative: &str) -> Result<String, SeedError> {
        let path = Path::new(relative);
        if path.is_absolute() || path.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(self.error(location, "must be a plain path inside the seed directory"));
        }
        let bytes = std::fs::read(self.dir.join(path))
            .map_err(|e| self.error(location, format!("cannot read `{relative}`: {e}")))?;
        let body = String::from_utf8(bytes).map_err(|e| {
            self.error(location, format!("`{relative}` is not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
        })?;
        let body = body.trim_end().to_string();
        if body.is_empty() {
            return Err(self.error(location, format!("`{relative}` is empty")));
        }
        Ok(body)
    }

    /// Finds the one place where `excerpt` stands in `body`, in characters.
    fn locate(&self, location: &str, body: &str, excerpt: &str) -> Result<Span, SeedError> {
        let mut found = body.match_indices(excerpt);
        let Some((byte_start, _)) = found.next() else {
            return Err(self.error(location, "not found in the article body"));
        };
        if found.next().is_some() {
            return Err(self.error(location, "found more than once in the article body; quote a longer `at` excerpt"));
        }
        let start = body[..byte_start].chars().count();
        Ok(Span { start, end: start + excerpt.chars().count() })
    }
}
