//! A deterministic synthetic news corpus of any size, for benchmarks and demos.
//!
//! The same `articles` and `seed` always give the same graph (ids, texts,
//! dates), written in batches. Proportions follow a wire service's: about three
//! statements per article, one person per ten articles, a few hundred
//! organizations, forty sources whose use falls off like a long tail (Zipf),
//! six years of dates, one article in ten in French. Bodies are built from
//! sentence templates so that full-text search has real words to find, and
//! every quote's span points at its words in the body.

use crate::domain::{
    Article, ArticleId, OrgKind, Organization, OrganizationId, Person, PersonId, Quote, QuoteId, Span, Speaker, slugify,
};
use crate::store::{GraphBatch, Store, StoreResult};
use chrono::{DateTime, Duration, TimeZone, Utc};

const AGENCIES: [&str; 5] = ["Agence France-Presse", "Reuters", "Associated Press", "Xinhua", "Anadolu Agency"];
const OUTLETS: [&str; 35] = [
    "The Guardian",
    "The New York Times",
    "BBC News",
    "Le Monde",
    "Der Spiegel",
    "El País",
    "The Washington Post",
    "Financial Times",
    "Al Jazeera",
    "The Times of India",
    "The Hindu",
    "South China Morning Post",
    "The Japan Times",
    "Corriere della Sera",
    "La Repubblica",
    "Die Zeit",
    "NRC",
    "Gazeta Wyborcza",
    "Haaretz",
    "The Globe and Mail",
    "Sydney Morning Herald",
    "Mail & Guardian",
    "Daily Nation",
    "Folha de S.Paulo",
    "Clarín",
    "El Universal",
    "Kyiv Independent",
    "Politico",
    "Bloomberg News",
    "The Economist",
    "Deutsche Welle",
    "France 24",
    "NPR",
    "The Straits Times",
    "Dawn",
];
const COUNTRIES: [&str; 40] = [
    "France",
    "Germany",
    "Italy",
    "Spain",
    "Poland",
    "Ukraine",
    "Russia",
    "Turkey",
    "Iran",
    "Iraq",
    "Syria",
    "Israel",
    "Egypt",
    "Saudi Arabia",
    "Qatar",
    "India",
    "Pakistan",
    "China",
    "Japan",
    "South Korea",
    "Indonesia",
    "Australia",
    "Brazil",
    "Argentina",
    "Mexico",
    "Canada",
    "United States",
    "United Kingdom",
    "Nigeria",
    "Kenya",
    "South Africa",
    "Ethiopia",
    "Ghana",
    "Morocco",
    "Algeria",
    "Greece",
    "Sweden",
    "Norway",
    "Netherlands",
    "Belgium",
];
const BODIES: [&str; 10] = [
    "United Nations",
    "European Union",
    "NATO",
    "World Health Organization",
    "World Trade Organization",
    "African Union",
    "ASEAN",
    "International Monetary Fund",
    "World Bank",
    "OPEC",
];
const FIRST_NAMES: [&str; 24] = [
    "Amina", "Boris", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Ingrid", "Jamal", "Keiko", "Lars",
    "Maria", "Nikos", "Olga", "Pedro", "Qiu", "Rania", "Stefan", "Tariq", "Ursula", "Viktor", "Wanjiru", "Yusuf",
];
const SURNAMES: [&str; 30] = [
    "Abara",
    "Bianchi",
    "Castro",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gonzalez",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Mensah",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Santos",
    "Tanaka",
    "Ulrich",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
    "Mbeki",
    "Novak",
    "Horvat",
    "Silva",
];
const ROLES: [&str; 8] = [
    "Foreign Minister",
    "Prime Minister",
    "President",
    "Finance Minister",
    "Health Minister",
    "spokesperson",
    "ambassador",
    "Defence Minister",
];
const TOPICS: [&str; 16] = [
    "ceasefire talks",
    "trade agreement",
    "climate summit",
    "interest rates",
    "vaccine rollout",
    "election results",
    "energy prices",
    "border dispute",
    "refugee crisis",
    "peace process",
    "budget deficit",
    "drought relief",
    "nuclear programme",
    "sanctions package",
    "grain exports",
    "security council vote",
];
const STATEMENTS: [&str; 12] = [
    "We are a long way from an agreement on the {topic}",
    "The {topic} must be settled before the end of the year",
    "Nobody should expect a quick breakthrough on the {topic}",
    "Our position on the {topic} has not changed",
    "There is every chance the {topic} will succeed if both sides act in good faith",
    "The {topic} cannot wait any longer",
    "We will not accept any conditions on the {topic}",
    "Progress on the {topic} has been slower than we hoped",
    "The {topic} is the first priority of this government",
    "We welcome the latest steps on the {topic}",
    "The talks on the {topic} will continue next week",
    "Any delay to the {topic} would be a mistake",
];
const FILLER: [&str; 6] = [
    "Officials met in {place} on {day} to discuss the {topic}.",
    "The {topic} has dominated the agenda in {place} for weeks.",
    "Markets reacted calmly to the news from {place}.",
    "Delegations from several countries were expected in {place} later in the week.",
    "Analysts said the {topic} could take months to resolve.",
    "Protesters gathered outside the meeting venue in {place}.",
];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Articles per write. Organizations and people are written with the first
/// batch. Larger transactions write each touched index page fewer times.
pub const DEFAULT_BATCH: usize = 5_000;

/// Picks an index in `0..n` with Zipf-like weights (rank r weighs 1/(r+1)).
fn zipf(rng: &mut fastrand::Rng, weights: &[f64]) -> usize {
    let total = weights.last().copied().unwrap_or(1.0);
    let target = rng.f64() * total;
    weights.partition_point(|&w| w < target).min(weights.len().saturating_sub(1))
}

fn cumulative(n: usize) -> Vec<f64> {
    let mut sum = 0.0;
    (0..n)
        .map(|r| {
            sum += 1.0 / (r as f64 + 1.0);
            sum
        })
        .collect()
}

/// An organization named `name`; `None` only if the name has no letters or
/// digits (every name listed above has).
fn org(name: &str, kind: OrgKind) -> Option<Organization> {
    let id = OrganizationId::parse(slugify(name)?).ok()?;
    Some(Organization { id, name: name.into(), aliases: Vec::new(), kind, member_of: Vec::new() })
}

/// The fixed part of the corpus: sources, governments, bodies and people.
pub struct Cast {
    pub sources: Vec<Organization>,
    pub governments: Vec<Organization>,
    pub bodies: Vec<Organization>,
    pub people: Vec<Person>,
    source_weights: Vec<f64>,
    people_weights: Vec<f64>,
}

impl Cast {
    /// The cast for a corpus of `articles` articles.
    pub fn new(articles: usize, seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x5eed);
        let sources: Vec<Organization> = AGENCIES
            .iter()
            .filter_map(|n| org(n, OrgKind::NewsAgency))
            .chain(OUTLETS.iter().filter_map(|n| org(n, OrgKind::NewsOutlet)))
            .collect();
        let bodies: Vec<Organization> = BODIES.iter().filter_map(|n| org(n, OrgKind::InternationalOrg)).collect();
        let governments: Vec<Organization> = COUNTRIES
            .iter()
            .filter_map(|n| {
                let mut g = org(n, OrgKind::Government)?;
                g.member_of = vec![bodies[rng.usize(..bodies.len())].id.clone()];
                Some(g)
            })
            .collect();
        let count = (articles / 10).max(20);
        let people = (0..count)
            .map(|i| {
                let first = FIRST_NAMES[i % FIRST_NAMES.len()];
                // Shifted by the given name's index, so that people of
                // neighbouring ranks (the most quoted ones) do not all share
                // one surname; still one distinct pair per index below
                // FIRST_NAMES × SURNAMES (7 is coprime with 30).
                let last = SURNAMES[(i / FIRST_NAMES.len() + 7 * (i % FIRST_NAMES.len())) % SURNAMES.len()];
                let name = if i < FIRST_NAMES.len() * SURNAMES.len() {
                    format!("{first} {last}")
                } else {
                    format!("{first} {last} {}", i / (FIRST_NAMES.len() * SURNAMES.len()) + 1)
                };
                let government = &governments[rng.usize(..governments.len())];
                Person {
                    id: PersonId::parse(format!("gen-{}", slugify(&name).unwrap_or_else(|| i.to_string())))
                        .unwrap_or_else(|_| PersonId::parse(format!("gen-person-{i}")).expect("a valid id")),
                    aliases: vec![last.to_string()],
                    name,
                    role: Some(ROLES[rng.usize(..ROLES.len())].into()),
                    affiliations: vec![government.id.clone()],
                }
            })
            .collect::<Vec<_>>();
        Cast {
            source_weights: cumulative(sources.len()),
            people_weights: cumulative(people.len()),
            sources,
            governments,
            bodies,
            people,
        }
    }

    /// All organizations.
    pub fn organizations(&self) -> Vec<Organization> {
        self.sources.iter().chain(&self.governments).chain(&self.bodies).cloned().collect()
    }
}

/// The first `articles` articles of the corpus with their quotes, and the cast's
/// organizations and people, as one batch (for tests and small stores).
pub fn corpus(cast: &Cast, seed: u64, articles: usize) -> GraphBatch {
    let mut batch =
        GraphBatch { organizations: cast.organizations(), people: cast.people.clone(), ..Default::default() };
    for n in 0..articles {
        let (a, quotes) = article(cast, seed, n);
        batch.articles.push(a);
        batch.quotes.extend(quotes);
    }
    batch
}

/// The article numbered `n` of the corpus, with its quotes.
pub fn article(cast: &Cast, seed: u64, n: usize) -> (Article, Vec<Quote>) {
    let mut rng = fastrand::Rng::with_seed(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n as u64);
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2019, 1, 1, 6, 0, 0).single().unwrap_or_default();
    let published_at = start + Duration::minutes(rng.i64(0..6 * 365 * 24 * 60));
    let topic = TOPICS[rng.usize(..TOPICS.len())];
    let place = COUNTRIES[rng.usize(..COUNTRIES.len())];
    let day = DAYS[rng.usize(..DAYS.len())];
    let outlet = &cast.sources[zipf(&mut rng, &cast.source_weights)];
    let id = ArticleId::parse(format!("gen-{seed}-{n:07}")).unwrap_or_else(|_| ArticleId::parse("gen").expect("valid"));
    let fill = |template: &str| template.replace("{topic}", topic).replace("{place}", place).replace("{day}", day);

    let mut body = String::new();
    let mut chars = 0usize;
    let mut push = |text: &str, body: &mut String| -> usize {
        if !body.is_empty() {
            body.push(' ');
            chars += 1;
        }
        let at = chars;
        body.push_str(text);
        chars += text.chars().count();
        at
    };
    push(&fill(FILLER[rng.usize(..FILLER.len())]), &mut body);
    let mut quotes = Vec::new();
    let mut people = Vec::new();
    let mut organizations = vec![outlet.id.clone()];
    for _ in 0..rng.usize(1..=5) {
        let words = fill(STATEMENTS[rng.usize(..STATEMENTS.len())]);
        let named = rng.f64() < 0.7;
        let (speaker, attribution) = if named {
            let person = &cast.people[zipf(&mut rng, &cast.people_weights)];
            if !people.contains(&person.id) {
                people.push(person.id.clone());
            }
            organizations.extend(person.affiliations.iter().cloned());
            (Speaker::Person { person: person.id.clone() }, person.name.clone())
        } else {
            let government = &cast.governments[rng.usize(..cast.governments.len())];
            organizations.push(government.id.clone());
            let description = format!("a senior {} official", government.name);
            (
                Speaker::Anonymous { description: description.clone(), affiliation: Some(government.id.clone()) },
                description,
            )
        };
        let via: Vec<OrganizationId> = if rng.f64() < 0.5 {
            vec![cast.sources[zipf(&mut rng, &cast.source_weights)].id.clone()]
        } else {
            Vec::new()
        };
        let told =
            via.first().and_then(|v| cast.sources.iter().find(|s| &s.id == v)).map(|s| format!(" told {}", s.name));
        let direct = rng.f64() < 0.6;
        let (text, span) = if direct {
            let sentence = format!("\"{words},\" {attribution}{} said.", told.clone().unwrap_or_default());
            let at = push(&sentence, &mut body);
            let start = at + 1;
            (format!("{words},"), Span { start, end: start + words.chars().count() + 1 })
        } else {
            let sentence = format!("{attribution} said that {}.", lowercase_first(&words));
            let at = push(&sentence, &mut body);
            (lowercase_first(&words), Span { start: at, end: at + sentence.chars().count() })
        };
        push(&fill(FILLER[rng.usize(..FILLER.len())]), &mut body);
        quotes.push(Quote {
            id: QuoteId::for_span(&id, span.start),
            article: id.clone(),
            text,
            direct,
            speaker: Some(speaker),
            via,
            said_on: None,
            date: Some(published_at.date_naive()),
            span,
            copy_of: None,
            statement: None,
        });
    }
    organizations.sort();
    organizations.dedup();
    let article = Article {
        id,
        headline: format!("{} in {place}: talks on the {topic} continue", capitalize(topic)),
        body,
        dateline: Some(place.to_string()),
        published_at: Some(published_at),
        url: None,
        language: Some(if rng.f64() < 0.9 { "en" } else { "fr" }.into()),
        outlet: Some(outlet.id.clone()),
        people,
        organizations,
        topics: vec![topic.to_string()],
        copy_of: None,
    };
    (article, quotes)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Writes the corpus into `store` as one bulk load ([`Store::write_bulk`]) of
/// batches of `batch` articles, calling `progress` with the number of articles
/// handed to the store after each batch. Batches are made here while the store
/// writes the previous one.
pub async fn generate(
    store: &dyn Store,
    articles: usize,
    seed: u64,
    batch: usize,
    mut progress: impl FnMut(usize),
) -> StoreResult<()> {
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let produce = async move {
        let cast = Cast::new(articles, seed);
        let mut written = 0;
        let mut first = true;
        while written < articles || first {
            let end = (written + batch.max(1)).min(articles);
            let mut graph = GraphBatch::default();
            if first {
                graph.organizations = cast.organizations();
                graph.people = cast.people.clone();
                first = false;
            }
            for n in written..end {
                let (article, quotes) = article(&cast, seed, n);
                graph.articles.push(article);
                graph.quotes.extend(quotes);
            }
            if sender.send(graph).await.is_err() {
                // The load ended early: its error is the result.
                return;
            }
            written = end;
            progress(written);
        }
    };
    let ((), result) = tokio::join!(produce, store.write_bulk(receiver));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_corpus_and_spans_point_at_the_words() {
        let cast = Cast::new(100, 7);
        let (a, qa) = article(&cast, 7, 42);
        let (b, qb) = article(&Cast::new(100, 7), 7, 42);
        assert_eq!(a, b);
        assert_eq!(qa, qb);
        assert_ne!(article(&cast, 8, 42).0.body, a.body, "another seed, another text");
        for n in 0..200 {
            let (article, quotes) = article(&cast, 7, n);
            assert!((1..=5).contains(&quotes.len()));
            for quote in quotes {
                let excerpt = quote.span.slice(&article.body).unwrap();
                if quote.direct {
                    assert_eq!(excerpt, quote.text, "{}", article.body);
                } else {
                    assert!(excerpt.contains(&quote.text), "{excerpt} / {}", quote.text);
                }
            }
        }
        assert_eq!(cast.people.len(), 20);
        assert_eq!(Cast::new(10_000, 7).people.len(), 1_000);
        let ids: std::collections::HashSet<_> = Cast::new(10_000, 7).people.iter().map(|p| p.id.clone()).collect();
        assert_eq!(ids.len(), 1_000, "person ids are unique");
    }
}
