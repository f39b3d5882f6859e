//! The plain types of the news graph: articles, people, organizations, quotes and
//! their speakers, with the rules every stored value obeys.
//!
//! Nothing here knows about HTTP, GraphQL or a database. Relations are held as ids
//! on the side that owns them (an article lists the people it mentions; a quote
//! lists the sources it came through); the reverse directions are queries.

pub mod correction;
mod ids;
mod statement;

pub use correction::{AuditEntry, AuditFilter, EntityKind, QuoteDecisions, QuoteField, anchor};
pub use ids::{ArticleId, IdError, MAX_ID_LEN, OrganizationId, PersonId, QuoteId, StatementId, slugify, validate_id};
pub use statement::{ReportSummary, Statement};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A news article: its text and what it mentions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: ArticleId,
    pub headline: String,
    /// The article text; quote spans are character offsets into it.
    pub body: String,
    /// Where the story was filed from, e.g. "Vienna".
    pub dateline: Option<String>,
    #[serde(default, with = "timestamp")]
    pub published_at: Option<DateTime<Utc>>,
    pub url: Option<String>,
    /// A BCP 47 language tag such as `en`.
    pub language: Option<String>,
    /// The outlet that published the article, when known.
    pub outlet: Option<OrganizationId>,
    #[serde(default)]
    pub people: Vec<PersonId>,
    #[serde(default)]
    pub organizations: Vec<OrganizationId>,
    #[serde(default)]
    pub topics: Vec<String>,
    /// The original report this article is a copy of (the earliest published
    /// of the copies of one story), when it is a copy; see `ingest::copies`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<ArticleId>,
}

/// A named person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Their role as the articles give it, e.g. "U.S. Secretary of State".
    pub role: Option<String>,
    /// Organizations they belong to or speak for.
    #[serde(default)]
    pub affiliations: Vec<OrganizationId>,
}

/// An organization: a government, an international body, a news source, a company…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kind: OrgKind,
    /// Organizations this one is a member of (France is a member of the ISSG).
    #[serde(default)]
    pub member_of: Vec<OrganizationId>,
}

/// What sort of organization it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    NewsAgency,
    NewsOutlet,
    Government,
    InternationalOrg,
    Military,
    PoliticalGroup,
    Company,
    Other,
}

impl OrgKind {
    /// Every kind, in declaration order.
    pub const ALL: [OrgKind; 8] = [
        OrgKind::NewsAgency,
        OrgKind::NewsOutlet,
        OrgKind::Government,
        OrgKind::InternationalOrg,
        OrgKind::Military,
        OrgKind::PoliticalGroup,
        OrgKind::Company,
        OrgKind::Other,
    ];

    /// The kinds that report news: the possible `via` of a quote.
    pub const SOURCES: [OrgKind; 2] = [OrgKind::NewsAgency, OrgKind::NewsOutlet];

    /// The stored spelling, e.g. `news_agency`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::NewsAgency => "news_agency",
            OrgKind::NewsOutlet => "news_outlet",
            OrgKind::Government => "government",
            OrgKind::InternationalOrg => "international_org",
            OrgKind::Military => "military",
            OrgKind::PoliticalGroup => "political_group",
            OrgKind::Company => "company",
            OrgKind::Other => "other",
        }
    }

    /// Whether organizations of this kind report news.
    pub fn is_source(self) -> bool {
        Self::SOURCES.contains(&self)
    }
}

/// A statement in an article: quoted words or reported speech.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub id: QuoteId,
    pub article: ArticleId,
    pub text: String,
    /// Quoted words (true) or reported speech (false).
    pub direct: bool,
    /// Who made the statement, when the article says.
    pub speaker: Option<Speaker>,
    /// The news sources through which the statement reached the article.
    #[serde(default)]
    pub via: Vec<OrganizationId>,
    /// The day the statement was made, when known.
    pub said_on: Option<NaiveDate>,
    /// The day the statement is dated by: `said_on`, else the day its article
    /// was published. Dashboards count quotes by it.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// Where the statement stands in the article body.
    pub span: Span,
    /// When the article is a copy of another report, the same statement in
    /// the earliest report that carries it: a statement is counted once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<QuoteId>,
    /// The statement this quote reports (the same words of the same speaker
    /// in other articles): set by the store when it writes the quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementId>,
}

/// Who made a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Speaker {
    /// A named person of the graph.
    Person { person: PersonId },
    /// Someone the article does not name: "a senior U.S. State Department official".
    Anonymous { description: String, affiliation: Option<OrganizationId> },
}

impl Quote {
    /// The day to date a quote by: when it was said, else when `published` (its article's date).
    pub fn date_from(said_on: Option<NaiveDate>, published: Option<&DateTime<Utc>>) -> Option<NaiveDate> {
        said_on.or_else(|| published.map(|at| at.date_naive()))
    }
}

impl Speaker {
    /// The person, when the speaker is named.
    pub fn person(&self) -> Option<&PersonId> {
        match self {
            Speaker::Person { person } => Some(person),
            Speaker::Anonymous { .. } => None,
        }
    }

    /// The organization an anonymous speaker is tied to.
    pub fn anonymous_affiliation(&self) -> Option<&OrganizationId> {
        match self {
            Speaker::Anonymous { affiliation, .. } => affiliation.as_ref(),
            Speaker::Person { .. } => None,
        }
    }
}

/// Anything stored under an id; lists are ordered by it.
pub trait Entity {
    /// The stored id.
    fn key(&self) -> &str;
}

macro_rules! entity {
    ($($type:ty),*) => {
        $(impl Entity for $type {
            fn key(&self) -> &str {
                self.id.as_str()
            }
        })*
    };
}
entity!(Article, Person, Organization, Quote, Statement);

/// A range of characters (Unicode scalar values) in an article body, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The text of `body` that this span covers, or `None` when it lies outside.
    pub fn slice<'a>(&self, body: &'a str) -> Option<&'a str> {
        if self.start > self.end {
            return None;
        }
        let mut indices = body.char_indices().map(|(i, _)| i).chain([body.len()]);
        let start = indices.nth(self.start)?;
        let end = if self.end == self.start { start } else { indices.nth(self.end - self.start - 1)? };
        body.get(start..end)
    }
}

/// The key under which a name or alias is looked up: lowercase, with runs of
/// white space folded to one space and the ends trimmed.
pub fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The lookup keys of an entity's name and aliases, without repeats.
pub fn name_keys<'a>(name: &'a str, aliases: &'a [String]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(aliases.len() + 1);
    for key in std::iter::once(name).chain(aliases.iter().map(String::as_str)).map(name_key) {
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// Timestamps are stored as RFC 3339 text in UTC with whole seconds
/// (`2016-05-17T09:30:00Z`), so that text order is time order on every backend.
pub mod timestamp {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Formats a timestamp the way it is stored.
    pub fn format(at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&format(at)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let raw: Option<String> = Option::deserialize(d)?;
        raw.map(|raw| {
            DateTime::parse_from_rfc3339(&raw).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_slices_by_characters_not_bytes() {
        let body = "Iran — an ally";
        assert_eq!(Span { start: 5, end: 6 }.slice(body), Some("—"));
        assert_eq!(Span { start: 7, end: 14 }.slice(body), Some("an ally"));
        assert_eq!(Span { start: 3, end: 3 }.slice(body), Some(""));
        assert_eq!(Span { start: 7, end: 15 }.slice(body), None);
        assert_eq!(Span { start: 6, end: 2 }.slice(body), None);
    }

    #[test]
    fn name_keys_fold_case_and_space_and_drop_repeats() {
        let aliases = vec!["AFP".to_string(), "afp".to_string(), "Agence  France Presse".into()];
        assert_eq!(
            name_keys("Agence France-Presse", &aliases),
            vec!["agence france-presse", "afp", "agence france presse"]
        );
    }

    #[test]
    fn speakers_serialize_with_a_kind_tag() {
        let speaker = Speaker::Anonymous {
            description: "U.S. officials".into(),
            affiliation: Some(OrganizationId::parse("united-states").unwrap()),
        };
        let json = serde_json::to_value(&speaker).unwrap();
        assert_eq!(json["kind"], "anonymous");
        assert_eq!(json["affiliation"], "united-states");
        assert_eq!(serde_json::from_value::<Speaker>(json).unwrap(), speaker);
    }
}
