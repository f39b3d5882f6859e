//! `newsgraph-extract`: turns the text of a news article into people, organizations,
//! quotes (direct and reported) and the sources that carried them, ready to be stored
//! as a graph. Pure functions, no I/O.
//!
//! The pipeline has four stages, each behind a trait so that a stronger model can
//! replace one of them later:
//!
//! 1. [`segment`]: headline/body split, dateline, paragraphs, sentences, quote marks;
//! 2. [`entities::EntityRecognizer`]: people and organizations (gazetteer + patterns);
//! 3. [`quotes::QuoteFinder`]: direct quotes and reported speech, with the tokens that
//!    attribute them;
//! 4. [`attribution::Attributor`]: speaker (names, pronouns, anonymous sources) and
//!    the outlets the statement came through ("via").
//!
//! [`eval`] scores an [`Extraction`] against a gold file.
//!
//! Names the caller already knows (from its database) can be passed to
//! [`extract_with`] as [`KnownNames`]; the entity stage then recognizes them too
//! ("Kerry" alone is John Kerry when the graph knows him). [`candidate_names`] lists
//! the word sequences of a text worth looking up before doing so.
//!
//! Offsets: [`Quote::start`] and [`Quote::end`] are **character** offsets (Unicode
//! scalar values, end exclusive) into [`Extraction::body`]. For a direct quote they
//! cover the quoted words (inside the marks); for a quote split by an attribution
//! ("…," he said, "…") they run from the first fragment's start to the last one's end
//! and [`Quote::fragment_spans`] gives each fragment; for reported speech they cover
//! the reported clause.

#![warn(missing_docs)]

pub mod attribution;
pub mod entities;
mod error;
pub mod eval;
pub mod gazetteer;
pub mod lexicon;
pub mod names;
pub mod quotes;
pub mod segment;
pub mod text;

use serde::{Deserialize, Serialize};

pub use error::ExtractError;
pub use eval::{Gold, Scores, evaluate};
pub use names::{MAX_CANDIDATES, candidate_names};

/// Largest accepted input, in bytes (2 MiB). Longer input is rejected with
/// [`ExtractError::TooLarge`]; news articles are a few kilobytes.
pub const MAX_INPUT_BYTES: usize = 2 * 1024 * 1024;

/// Share of control characters (other than tab/newline/carriage return) above which
/// input counts as binary.
pub const MAX_CONTROL_RATIO: f64 = 0.01;

/// What kind of organization an [`Organization`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// Wire service (AFP, Reuters, AP, Xinhua, ...).
    NewsAgency,
    /// Newspaper, broadcaster or site (The Guardian, BBC, ...).
    NewsOutlet,
    /// A state, a government or one of its bodies.
    Government,
    /// Body of several states (UN, EU, WHO, ...).
    InternationalOrg,
    /// Armed forces.
    Military,
    /// Party, movement or armed political group.
    PoliticalGroup,
    /// Business.
    Company,
    /// Anything else (clubs, universities, NGOs, ...).
    Other,
}

impl OrgKind {
    /// Whether statements can reach an article through this organization.
    pub fn is_news(self) -> bool {
        matches!(self, OrgKind::NewsAgency | OrgKind::NewsOutlet)
    }
}

/// A person named in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Fullest form of the name found.
    pub name: String,
    /// Other forms used (surname alone, spelling variants).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Title or job ("Foreign Minister", "UN envoy").
    #[serde(default)]
    pub role: Option<String>,
    /// Canonical name of the organization or country the person belongs to.
    #[serde(default)]
    pub affiliation: Option<String>,
}

/// An organization (or a country acting as one) named in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Canonical name.
    pub name: String,
    /// Other forms (acronyms, short forms, spellings seen).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Kind.
    pub kind: OrgKind,
}

/// A person the caller already knows (e.g. from its database).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KnownPerson {
    /// Canonical name, used in the output whenever the person is recognized.
    pub name: String,
    /// Other forms that refer to this person ("Kerry"); matched like the name.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Role used when the text gives none.
    #[serde(default)]
    pub role: Option<String>,
    /// Canonical name of the organization or country used when the text gives none.
    #[serde(default)]
    pub affiliation: Option<String>,
}

/// An organization the caller already knows (e.g. from its database).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnownOrganization {
    /// Canonical name, used in the output whenever the organization is recognized.
    pub name: String,
    /// Other forms (acronyms, short forms); matched like the name.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Kind, which wins over the kind the text would suggest.
    pub kind: OrgKind,
}

/// People and organizations the caller already knows (e.g. from its database).
///
/// An occurrence in the text of a known name or alias (whole words, case-sensitive
/// as written) is a mention of that entity: it can be a speaker and appears in the
/// output under the known canonical name, with the forms seen as aliases. Text
/// evidence still wins: a full name introduced by the text ("Mary Kerry") keeps its
/// surname ("Kerry") even when a known alias has the same form. A form shared by
/// several known entries is ambiguous and ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KnownNames {
    /// Known people.
    #[serde(default)]
    pub people: Vec<KnownPerson>,
    /// Known organizations.
    #[serde(default)]
    pub organizations: Vec<KnownOrganization>,
}

impl KnownNames {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty() && self.organizations.is_empty()
    }
}

/// A statement: a direct quote or reported speech.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The words (direct: inside the marks, fragments joined by a space; reported: the clause).
    pub text: String,
    /// `true` for words in quotation marks.
    pub direct: bool,
    /// Canonical person name, anonymous description ("a senior U.S. official"),
    /// organization name, or `None` when only an outlet is given.
    pub speaker: Option<String>,
    /// Whether `speaker` is a named person.
    pub speaker_is_person: bool,
    /// Canonical organization the speaker belongs to (or the speaking organization).
    #[serde(default)]
    pub speaker_affiliation: Option<String>,
    /// Canonical names of the news organizations the statement came through.
    #[serde(default)]
    pub via: Vec<String>,
    /// Character offset (into `body`) where the quote starts.
    #[serde(default)]
    pub start: usize,
    /// Character offset (into `body`) where it ends, exclusive.
    #[serde(default)]
    pub end: usize,
    /// The pieces of a quote split by an attribution or across paragraphs (empty when whole).
    #[serde(default)]
    pub fragments: Vec<String>,
    /// Character span of each fragment (same order as `fragments`).
    #[serde(default)]
    pub fragment_spans: Vec<(usize, usize)>,
}

/// Everything extracted from one article.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// Headline, when the first line is one.
    pub headline: Option<String>,
    /// The article text after the headline; all offsets refer to it.
    pub body: String,
    /// Where the story was filed from ("Vienna").
    pub dateline: Option<String>,
    /// People.
    pub people: Vec<Person>,
    /// Organizations, countries included.
    pub organizations: Vec<Organization>,
    /// Statements in text order.
    pub quotes: Vec<Quote>,
}

/// Extracts from UTF-8 text.
///
/// Errors: [`ExtractError::Empty`] for blank text, [`ExtractError::TooLarge`] above
/// [`MAX_INPUT_BYTES`], [`ExtractError::Binary`] when NUL or many control characters
/// appear. Text without quotes or names gives an empty (not failed) extraction.
pub fn extract(text: &str) -> Result<Extraction, ExtractError> {
    extract_with(text, &KnownNames::default())
}

/// Like [`extract`], also recognizing the people and organizations in `known`
/// (see [`KnownNames`]). `extract(text)` is `extract_with(text, &KnownNames::default())`.
pub fn extract_with(text: &str, known: &KnownNames) -> Result<Extraction, ExtractError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ExtractError::TooLarge { bytes: text.len(), limit: MAX_INPUT_BYTES });
    }
    check_binary(text)?;
    if text.trim().is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(Pipeline::default().run_with(text, known))
}

/// Extracts from raw bytes: rejects non-UTF-8 ([`ExtractError::NotUtf8`]) and binary
/// input before calling [`extract`].
pub fn extract_bytes(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ExtractError::TooLarge { bytes: bytes.len(), limit: MAX_INPUT_BYTES });
    }
    if bytes.contains(&0) {
        return Err(ExtractError::Binary);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ExtractError::NotUtf8 { valid_up_to: e.valid_up_to() })?;
    extract(text)
}

fn check_binary(text: &str) -> Result<(), ExtractError> {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\0' {
            return Err(ExtractError::Binary);
        }
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            control += 1;
        }
    }
    if total > 0 && control as f64 / total as f64 > MAX_CONTROL_RATIO {
        return Err(ExtractError::Binary);
    }
    Ok(())
}

/// The four stages wired together. Swap a field to replace a stage.
pub struct Pipeline {
    /// People and organizations.
    pub entities: Box<dyn entities::EntityRecognizer + Send + Sync>,
    /// Quote and reported-speech spans.
    pub quotes: Box<dyn quotes::QuoteFinder + Send + Sync>,
    /// Speakers and via.
    pub attribution: Box<dyn attribution::Attributor + Send + Sync>,
}

impl Default for Pipeline {
    fn default() -> Self {
        Pipeline {
            entities: Box::new(entities::RuleEntities),
            quotes: Box::new(quotes::RuleQuotes),
            attribution: Box::new(attribution::RuleAttribution),
        }
    }
}

impl Pipeline {
    /// Runs every stage on already validated text.
    pub fn run(&self, text: &str) -> Extraction {
        self.run_with(text, &KnownNames::default())
    }

    /// Runs every stage on already validated text, with names the caller knows.
    pub fn run_with(&self, text: &str, known: &KnownNames) -> Extraction {
        let split = segment::split_headline(text);
        let doc = segment::segment(split.body);
        let head_doc = split.headline.as_ref().map(|h| segment::segment(h.clone()));
        let dateline = segment::find_dateline(&doc);
        let mut ents = self.entities.recognize_with(&doc, head_doc.as_ref(), known);
        let cands = self.quotes.find(&doc, &ents);
        let quotes = self.attribution.attribute(&doc, &mut ents, cands);
        let (people, organizations) = ents.into_public();
        Extraction { headline: split.headline, body: doc.body, dateline, people, organizations, quotes }
    }
}
