//! A small deterministic graph of any size, for tests that need more than the
//! one seed article: round-trip counts, paging, relations.

use newsgraph::domain::{
    Article, ArticleId, OrgKind, Organization, OrganizationId, Person, PersonId, Quote, QuoteId, Span, Speaker,
};
use newsgraph::store::GraphBatch;

pub const OUTLETS: usize = 3;
pub const GOVERNMENTS: usize = 4;
pub const QUOTES_PER_ARTICLE: usize = 3;

fn org_id(raw: String) -> OrganizationId {
    OrganizationId::parse(raw).unwrap()
}

/// `articles` articles, one published each day from 2020-01-01 (even ones in
/// English, odd ones in French), one person per two articles (at least one),
/// three quotes per article: by a person, by an anonymous official, and with no
/// speaker, each through one outlet in turn.
pub fn graph(articles: usize) -> GraphBatch {
    let outlets: Vec<Organization> = (0..OUTLETS)
        .map(|i| Organization {
            id: org_id(format!("outlet-{i}")),
            name: format!("Outlet {i}"),
            aliases: vec![format!("O{i}")],
            kind: if i == 0 { OrgKind::NewsAgency } else { OrgKind::NewsOutlet },
            member_of: vec![],
        })
        .collect();
    let governments: Vec<Organization> = (0..GOVERNMENTS)
        .map(|i| Organization {
            id: org_id(format!("gov-{i}")),
            name: format!("Government {i}"),
            aliases: vec![],
            kind: OrgKind::Government,
            member_of: if i > 0 { vec![org_id("gov-0".into())] } else { vec![] },
        })
        .collect();
    let people_count = articles.div_ceil(2).max(1);
    let people: Vec<Person> = (0..people_count)
        .map(|i| Person {
            id: PersonId::parse(format!("person-{i:04}")).unwrap(),
            name: format!("Person Number{i}"),
            aliases: vec![format!("Number{i}")],
            role: Some("Minister".into()),
            affiliations: vec![governments[i % GOVERNMENTS].id.clone(), governments[(i + 1) % GOVERNMENTS].id.clone()],
        })
        .collect();
    let mut batch = GraphBatch {
        organizations: outlets.iter().chain(&governments).cloned().collect(),
        people: people.clone(),
        ..GraphBatch::default()
    };
    let epoch = chrono::DateTime::parse_from_rfc3339("2020-01-01T12:00:00Z").unwrap().with_timezone(&chrono::Utc);
    for a in 0..articles {
        let id = ArticleId::parse(format!("article-{a:05}")).unwrap();
        let published_at = epoch + chrono::Duration::days(a as i64);
        let person = &people[a / 2 % people_count];
        let sentences = [
            format!("\"Statement {a} by a person,\" said {}.", person.name),
            format!("An official said talks number {a} would go on."),
            format!("Reports said item {a} was delayed."),
        ];
        let body = sentences.join(" ");
        let mut offset = 0;
        for (q, sentence) in sentences.iter().enumerate() {
            let span = Span { start: offset, end: offset + sentence.chars().count() };
            offset = span.end + 1;
            let speaker = match q {
                0 => Some(Speaker::Person { person: person.id.clone() }),
                1 => Some(Speaker::Anonymous {
                    description: "an official".into(),
                    affiliation: Some(governments[a % GOVERNMENTS].id.clone()),
                }),
                _ => None,
            };
            batch.quotes.push(Quote {
                id: QuoteId::for_span(&id, span.start),
                article: id.clone(),
                text: sentence.clone(),
                direct: q == 0,
                speaker,
                via: vec![outlets[(a + q) % OUTLETS].id.clone()],
                said_on: None,
                date: Some(published_at.date_naive()),
                span,
                copy_of: None,
                statement: None,
            });
        }
        batch.articles.push(Article {
            id,
            headline: format!("Headline {a}"),
            body,
            dateline: Some("Geneva".into()),
            published_at: Some(published_at),
            url: None,
            language: Some(if a % 2 == 0 { "en" } else { "fr" }.into()),
            outlet: Some(outlets[a % OUTLETS].id.clone()),
            people: vec![person.id.clone()],
            organizations: vec![governments[a % GOVERNMENTS].id.clone()],
            topics: vec!["talks".into()],
            copy_of: None,
        });
    }
    batch
}
