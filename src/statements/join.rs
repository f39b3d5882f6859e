//! Joining the quotes of a write to statements: a pure plan that both stores
//! carry out.
//!
//! A store gives the plan the quotes it is writing, what it already holds
//! about them ([`Previous`]: the statement each of those quotes, and every
//! other quote of the written articles, reported before) and the candidate
//! statements it found under the quotes' look-up [`keys`]. The plan says which
//! statement each quote reports, which statements are new or changed, which
//! index entries to add, and which statements lost a report and must be
//! summarised again from the reports they keep ([`Plan::recheck`]).
//!
//! A quote already joined keeps its statement when it is written again with
//! the same speaker, so re-ingesting an article never moves its reports (and a
//! later correction, such as a split, that moved a report stays where it put it).

use super::similarity::{Rule, Signature, fnv1a};
use crate::domain::{
    ArticleId, OrganizationId, Quote, QuoteId, ReportSummary, Speaker, Statement, StatementId, name_key,
};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The most texts whose signatures [`signature_of`] keeps (about 1 KiB each).
const REMEMBERED_SIGNATURES: usize = 10_000;

/// The signature of `text`, remembered process-wide: a text's signature
/// never changes, and the same texts come back write after write (each
/// batch of a bulk load compares its quotes with the texts of every
/// candidate statement, and a busy speaker's statements are candidates of
/// batch after batch), so each is computed once rather than once per batch.
/// Bounded: past [`REMEMBERED_SIGNATURES`] texts the memory starts again.
pub fn signature_of(text: &str) -> Arc<Signature> {
    static REMEMBERED: Mutex<Option<HashMap<String, Arc<Signature>>>> = Mutex::new(None);
    if let Ok(mut guard) = REMEMBERED.lock() {
        let remembered = guard.get_or_insert_with(HashMap::new);
        if let Some(signature) = remembered.get(text) {
            return signature.clone();
        }
        if remembered.len() >= REMEMBERED_SIGNATURES {
            remembered.clear();
        }
        let signature = Arc::new(Signature::of(text));
        remembered.insert(text.to_owned(), signature.clone());
        return signature;
    }
    // A poisoned lock (a panic elsewhere while holding it): compute afresh.
    Arc::new(Signature::of(text))
}

/// How many days apart a paraphrase may be reported and still join by
/// content-word overlap alone (the same words join whenever they were said).
pub const PARAPHRASE_DAYS: i64 = 3;

/// The key that says two reports have the same speaker: the person, or an
/// anonymous speaker's description (case and spaces folded) and affiliation.
pub fn speaker_key(speaker: &Speaker) -> String {
    match speaker {
        Speaker::Person { person } => format!("person:{person}"),
        Speaker::Anonymous { description, affiliation } => {
            format!("anon:{}:{}", affiliation.as_ref().map(|a| a.as_str()).unwrap_or(""), name_key(description))
        }
    }
}

/// A stored quote's membership and what it said, as the store held it before this write.
#[derive(Debug, Clone, PartialEq)]
pub struct Previous {
    pub quote: QuoteId,
    pub statement: StatementId,
    pub text: String,
    pub direct: bool,
    pub date: Option<NaiveDate>,
}

/// What a write does to statements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The statement of every quote of the write that has a speaker.
    pub assignments: Vec<(QuoteId, StatementId)>,
    /// Statements to store (created, or with a report added).
    pub upserts: Vec<Statement>,
    /// Look-up index entries to add: (key, statement).
    pub index: Vec<(String, StatementId)>,
    /// Statements that lost or changed a report: summarise them again from
    /// their stored reports once the write is done (and remove them if none is left).
    pub recheck: Vec<StatementId>,
    /// Statements that gained a source (an outlet or agency that had not
    /// carried them), new ones included: what `statementReported` announces.
    pub gained: Vec<StatementId>,
}

/// The articles' outlets a plan knows: the written articles'.
pub type Outlets<'a> = HashMap<&'a ArticleId, &'a OrganizationId>;

/// A quote's sources: its article's outlet (when known), then its `via`.
pub fn sources_of(quote: &Quote, outlets: &Outlets<'_>) -> Vec<OrganizationId> {
    let mut sources: Vec<OrganizationId> = outlets.get(&quote.article).map(|o| (*o).clone()).into_iter().collect();
    for via in &quote.via {
        if !sources.contains(via) {
            sources.push(via.clone());
        }
    }
    sources
}

/// A quote as a statement's summary sees it.
pub fn summary<'a>(quote: &'a Quote, sources: &'a [OrganizationId]) -> ReportSummary<'a> {
    ReportSummary { text: &quote.text, direct: quote.direct, date: quote.date, sources }
}

/// The index keys a report is found under: its speaker with each of its
/// text's fingerprints, and its speaker with its day.
pub fn index_keys(quote: &Quote) -> Vec<String> {
    let Some(speaker) = &quote.speaker else { return Vec::new() };
    let speaker = speaker_key(speaker);
    let mut keys: Vec<String> =
        signature_of(&quote.text).fingerprints().into_iter().map(|f| fingerprint_key(&speaker, f)).collect();
    keys.extend(quote.date.map(|d| day_key(&speaker, d)));
    keys
}

/// The keys to look a report's candidate statements up by: its index keys,
/// and its speaker with the days around its own (paraphrases).
pub fn lookup_keys(quote: &Quote) -> Vec<String> {
    let Some(speaker) = &quote.speaker else { return Vec::new() };
    let speaker = speaker_key(speaker);
    let mut keys: Vec<String> =
        signature_of(&quote.text).fingerprints().into_iter().map(|f| fingerprint_key(&speaker, f)).collect();
    if let Some(day) = quote.date {
        for offset in -PARAPHRASE_DAYS..=PARAPHRASE_DAYS {
            keys.extend(day.checked_add_signed(chrono::Duration::days(offset)).map(|d| day_key(&speaker, d)));
        }
    }
    keys
}

/// Every look-up key of `quotes`, sorted, without repeats.
pub fn batch_lookup_keys<'a>(quotes: impl IntoIterator<Item = &'a Quote>) -> Vec<String> {
    let keys: BTreeSet<String> = quotes.into_iter().flat_map(lookup_keys).collect();
    keys.into_iter().collect()
}

fn fingerprint_key(speaker: &str, fingerprint: u64) -> String {
    format!("f{:016x}", fnv1a(&[speaker.as_bytes(), b"\0", &fingerprint.to_le_bytes()]))
}

fn day_key(speaker: &str, day: NaiveDate) -> String {
    format!("d{:016x}", fnv1a(&[speaker.as_bytes(), b"\0", day.to_string().as_bytes()]))
}

/// Plans the statements of `quotes` (the quotes being written), given what
/// the store held: `previous` (the memberships of these quotes and of every
/// other stored quote of their articles) and `stored` (candidate statements
/// and the statements of `previous`, in any order); `outlets` are the
/// outlets of the quotes' articles, where known.
pub fn plan(
    quotes: &[&Quote],
    outlets: &Outlets<'_>,
    previous: &[Previous],
    stored: Vec<Statement>,
    rule: &Rule,
) -> Plan {
    let mut statements: HashMap<StatementId, Statement> = stored.into_iter().map(|s| (s.id.clone(), s)).collect();
    // Candidates are compared with the statements of the same speaker only.
    let mut by_speaker: HashMap<String, BTreeSet<StatementId>> = HashMap::new();
    for (id, statement) in &statements {
        by_speaker.entry(speaker_key(&statement.speaker)).or_default().insert(id.clone());
    }
    let mut signatures: HashMap<StatementId, Vec<Arc<Signature>>> = HashMap::new();
    let previous: HashMap<&QuoteId, &Previous> = previous.iter().map(|p| (&p.quote, p)).collect();
    let mut changed: BTreeSet<StatementId> = BTreeSet::new();
    let mut recheck: BTreeSet<StatementId> = BTreeSet::new();
    let mut gained: BTreeSet<StatementId> = BTreeSet::new();
    let mut plan = Plan::default();
    let mut placed: HashSet<&QuoteId> = HashSet::new();

    let mut ordered: Vec<&Quote> = quotes.iter().copied().filter(|q| q.speaker.is_some()).collect();
    ordered.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    for quote in ordered {
        let Some(speaker) = &quote.speaker else { continue };
        let key = speaker_key(speaker);
        placed.insert(&quote.id);
        // Written again: it keeps its statement while its speaker is the same.
        if let Some(prev) = previous.get(&quote.id)
            && let Some(statement) = statements.get(&prev.statement)
            && speaker_key(&statement.speaker) == key
        {
            let unchanged = prev.text == quote.text && prev.direct == quote.direct && prev.date == quote.date;
            if !unchanged {
                recheck.insert(prev.statement.clone());
                plan.index.extend(index_keys(quote).into_iter().map(|k| (k, prev.statement.clone())));
            }
            plan.assignments.push((quote.id.clone(), prev.statement.clone()));
            continue;
        }
        if let Some(prev) = previous.get(&quote.id) {
            recheck.insert(prev.statement.clone());
        }
        let signature = signature_of(&quote.text);
        let sources = sources_of(quote, outlets);
        let same_speaker = by_speaker.entry(key.clone()).or_default();
        let best = best_match(quote, same_speaker, &signature, &statements, &mut signatures, rule);
        let id = match best {
            Some(id) => {
                let statement = statements.get_mut(&id).expect("a matched statement is known");
                if statement.absorb(summary(quote, &sources)) {
                    gained.insert(id.clone());
                }
                signatures.entry(id.clone()).or_default().push(signature);
                id
            }
            None => {
                let id = founding_id(quote, &statements);
                let statement = Statement::founded(id.clone(), speaker.clone(), summary(quote, &sources));
                if !statement.sources.is_empty() {
                    gained.insert(id.clone());
                }
                statements.insert(id.clone(), statement);
                same_speaker.insert(id.clone());
                signatures.insert(id.clone(), vec![signature]);
                id
            }
        };
        changed.insert(id.clone());
        plan.index.extend(index_keys(quote).into_iter().map(|k| (k, id.clone())));
        plan.assignments.push((quote.id.clone(), id));
    }
    // Stored quotes of the written articles that this write no longer has.
    for prev in previous.values() {
        if !placed.contains(&prev.quote) {
            recheck.insert(prev.statement.clone());
        }
    }
    plan.upserts = changed.iter().filter_map(|id| statements.get(id).cloned()).collect();
    plan.recheck = recheck.into_iter().collect();
    plan.gained = gained.into_iter().collect();
    plan.index.sort();
    plan.index.dedup();
    plan
}

/// The id of the statement `quote` founds. A quote that reported a statement
/// before (a rebuild, which replans every stored quote carrying its old
/// membership) gives the new statement that id, unless it is taken: so a
/// rebuild gives each statement its id again, whichever of its reports is
/// replanned first, and an id outlives the report it was first derived from.
/// Otherwise the id is the quote's own ([`StatementId::for_quote`]), with a
/// suffix if that is taken.
pub fn founding_id(quote: &Quote, statements: &HashMap<StatementId, Statement>) -> StatementId {
    if let Some(previous) = &quote.statement
        && !statements.contains_key(previous)
    {
        return previous.clone();
    }
    let mut attempt = 0;
    let mut id = StatementId::for_quote(&quote.id, attempt);
    while statements.contains_key(&id) {
        attempt += 1;
        id = StatementId::for_quote(&quote.id, attempt);
    }
    id
}

/// The ids a plan of `quotes` must know to be stored, if they are, so that
/// [`founding_id`] does not reuse a taken one: each quote's own id and the
/// statement it reported before.
pub fn founding_candidates<'a>(quotes: impl IntoIterator<Item = &'a Quote>) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for quote in quotes.into_iter().filter(|q| q.speaker.is_some()) {
        ids.insert(quote.id.to_string());
        ids.extend(quote.statement.as_ref().map(|s| s.to_string()));
    }
    ids
}

/// The statement of the same speaker that `quote` joins best, if any:
/// ties go to the earliest statement, then the smallest id.
fn best_match(
    quote: &Quote,
    same_speaker: &BTreeSet<StatementId>,
    signature: &Signature,
    statements: &HashMap<StatementId, Statement>,
    signatures: &mut HashMap<StatementId, Vec<Arc<Signature>>>,
    rule: &Rule,
) -> Option<StatementId> {
    let mut best: Option<(f64, Option<NaiveDate>, StatementId)> = None;
    for id in same_speaker {
        let Some(statement) = statements.get(id) else { continue };
        let texts =
            signatures.entry(id.clone()).or_insert_with(|| statement.texts.iter().map(|t| signature_of(t)).collect());
        let near_in_time = match (quote.date, statement.date) {
            (Some(a), Some(b)) => (a - b).num_days().abs() <= PARAPHRASE_DAYS,
            _ => true,
        };
        let strength = texts
            .iter()
            .filter(|t| joins(rule, signature, t, near_in_time, &quote.text, statement))
            .map(|t| rule.strength(signature, t))
            .fold(None, |acc: Option<f64>, s| Some(acc.map_or(s, |a| a.max(s))));
        if let Some(strength) = strength {
            let better = match &best {
                None => true,
                Some((s, date, _)) => strength > *s || (strength == *s && statement.date < *date),
            };
            if better {
                best = Some((strength, statement.date, id.clone()));
            }
        }
    }
    best.map(|(_, _, id)| id)
}

/// Whether a report joins one text of a statement: the same words, or (near
/// in time) a paraphrase; a text too short to have word pairs only joins the
/// same words.
fn joins(
    rule: &Rule,
    quote: &Signature,
    text: &Signature,
    near_in_time: bool,
    raw: &str,
    statement: &Statement,
) -> bool {
    if quote.is_empty() || text.is_empty() {
        let words = crate::search::terms(raw);
        return !words.is_empty() && statement.texts.iter().any(|t| crate::search::terms(t) == words);
    }
    let paraphrase_allowed = if near_in_time { *rule } else { rule.same_words_only() };
    paraphrase_allowed.joins(quote, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ArticleId, PersonId, Span};

    fn quote(article: &str, text: &str, speaker: &str, day: u32) -> Quote {
        let article = ArticleId::parse(article).unwrap();
        Quote {
            id: QuoteId::for_span(&article, 10),
            article,
            text: text.into(),
            direct: true,
            speaker: Some(Speaker::Person { person: PersonId::parse(speaker).unwrap() }),
            via: Vec::new(),
            said_on: None,
            date: NaiveDate::from_ymd_opt(2016, 5, day),
            span: Span { start: 10, end: 10 + text.chars().count() },
            statement: None,
            copy_of: None,
        }
    }

    const SAID: &str = "We will not allow anyone to dictate the terms of the ceasefire to Syria";

    #[test]
    fn reports_of_the_same_words_in_one_write_join_and_others_stay_apart() {
        let a = quote("a1", SAID, "sergei-lavrov", 17);
        let b = quote("a2", "not allow anyone to dictate the terms of the ceasefire", "sergei-lavrov", 17);
        let c = quote("a3", "The talks in Vienna were useful and will go on next week", "sergei-lavrov", 17);
        let d = quote("a4", SAID, "john-kerry", 17);
        let plan = plan(&[&a, &b, &c, &d], &Outlets::new(), &[], Vec::new(), &Rule::DEFAULT);
        let of = |q: &Quote| plan.assignments.iter().find(|(id, _)| *id == q.id).unwrap().1.clone();
        assert_eq!(of(&a), of(&b));
        assert_ne!(of(&a), of(&c));
        assert_ne!(of(&a), of(&d));
        assert_eq!(plan.upserts.len(), 3);
        let joined = plan.upserts.iter().find(|s| s.id == of(&a)).unwrap();
        assert_eq!(joined.reports, 2);
        assert_eq!(joined.text, SAID);
    }

    #[test]
    fn a_stored_statement_is_found_again_and_a_rewrite_keeps_its_membership() {
        let a = quote("a1", SAID, "sergei-lavrov", 17);
        let first = plan(&[&a], &Outlets::new(), &[], Vec::new(), &Rule::DEFAULT);
        let stored = first.upserts.clone();
        let b = quote("a2", SAID, "sergei-lavrov", 18);
        let second = plan(&[&b], &Outlets::new(), &[], stored.clone(), &Rule::DEFAULT);
        assert_eq!(second.assignments[0].1, first.assignments[0].1);
        assert_eq!(second.upserts[0].reports, 2);
        let previous = Previous {
            quote: a.id.clone(),
            statement: first.assignments[0].1.clone(),
            text: a.text.clone(),
            direct: true,
            date: a.date,
        };
        let again = plan(&[&a], &Outlets::new(), std::slice::from_ref(&previous), stored, &Rule::DEFAULT);
        assert_eq!(again.assignments, first.assignments);
        assert!(again.upserts.is_empty() && again.recheck.is_empty(), "{again:?}");
    }

    #[test]
    fn a_quote_dropped_from_its_article_makes_its_statement_be_rechecked() {
        let a = quote("a1", SAID, "sergei-lavrov", 17);
        let first = plan(&[&a], &Outlets::new(), &[], Vec::new(), &Rule::DEFAULT);
        let previous = Previous {
            quote: a.id.clone(),
            statement: first.assignments[0].1.clone(),
            text: a.text.clone(),
            direct: true,
            date: a.date,
        };
        let emptied = plan(&[], &Outlets::new(), &[previous], first.upserts, &Rule::DEFAULT);
        assert_eq!(emptied.recheck, vec![first.assignments[0].1.clone()]);
    }

    #[test]
    fn a_statement_gains_a_source_once() {
        let a = quote("a1", SAID, "sergei-lavrov", 17);
        let b = quote("a2", SAID, "sergei-lavrov", 17);
        let c = quote("a3", SAID, "sergei-lavrov", 18);
        let (tass, afp) = (OrganizationId::parse("tass").unwrap(), OrganizationId::parse("afp").unwrap());
        let outlets: Outlets<'_> = [(&a.article, &tass), (&b.article, &afp), (&c.article, &afp)].into_iter().collect();
        let first = plan(&[&a], &outlets, &[], Vec::new(), &Rule::DEFAULT);
        assert_eq!(first.gained, vec![first.assignments[0].1.clone()], "a new statement with an outlet gained it");
        let second = plan(&[&b], &outlets, &[], first.upserts.clone(), &Rule::DEFAULT);
        assert_eq!(second.gained, first.gained, "a second outlet");
        assert_eq!(second.upserts[0].sources, vec![tass.clone(), afp.clone()]);
        let third = plan(&[&c], &outlets, &[], second.upserts, &Rule::DEFAULT);
        assert!(third.gained.is_empty(), "the same outlet again gains nothing");
    }

    #[test]
    fn a_replanned_statement_keeps_its_id_unless_it_is_taken() {
        let founder = quote("a1", SAID, "sergei-lavrov", 18);
        let id = StatementId::for_quote(&founder.id, 0);
        // Replanned from nothing (a rebuild), an earlier report comes first and founds it again under its id.
        let earlier = Quote { statement: Some(id.clone()), ..quote("a0", SAID, "sergei-lavrov", 17) };
        let founder = Quote { statement: Some(id.clone()), ..founder };
        let again = plan(&[&founder, &earlier], &Outlets::new(), &[], Vec::new(), &Rule::DEFAULT);
        assert!(again.assignments.iter().all(|(_, s)| *s == id), "{again:?}");
        // A report that no longer joins it founds another statement: the id is taken, so its own.
        let other = Quote {
            statement: Some(id.clone()),
            ..quote("a2", "The talks in Vienna were useful and will go on next week", "sergei-lavrov", 19)
        };
        let split = plan(&[&founder, &other], &Outlets::new(), &[], Vec::new(), &Rule::DEFAULT);
        let of = |q: &Quote| split.assignments.iter().find(|(id, _)| *id == q.id).unwrap().1.clone();
        assert_eq!(of(&founder), id);
        assert_eq!(of(&other), StatementId::for_quote(&other.id, 0));
    }

    #[test]
    fn index_keys_are_among_the_lookup_keys_of_the_same_words() {
        let a = quote("a1", SAID, "sergei-lavrov", 17);
        let lookup = lookup_keys(&a);
        assert!(index_keys(&a).iter().all(|k| lookup.contains(k)));
        let other = quote("a1", SAID, "john-kerry", 17);
        assert!(index_keys(&other).iter().all(|k| !lookup.contains(k)), "keys are per speaker");
    }
}
