//! Full-text search for the MongoDB store without `$text` (which FerretDB
//! lacks): an inverted index kept in its own collection.
//!
//! For every article and quote, one posting per distinct term:
//! `{ _id: "<t>:<term>:<id>", key: "<t>:<term>", doc: "<t>:<id>", tf, len }`, where
//! `<t>` is `a` for articles (headline terms count four times) and `q` for
//! quotes. A search reads the postings of its terms with one indexed `$in` on
//! `key`, keeps the documents that have every required term and no excluded
//! one, checks phrases against the documents' text, and ranks with BM25.
//!
//! A `text` condition in a filter uses the same postings without ranking: the
//! store resolves every text condition of a filter to the ids it matches in at
//! most two round trips (the postings of all their terms in one `$in`, then,
//! only if a condition has a phrase, the texts of its candidates in one `$in`)
//! and compiles them into the filter as `_id: { $in: [...] }`.

use crate::search::{SearchQuery, terms};
use crate::store::filter::SearchTarget;
use mongodb::bson::{Document, doc};
use std::collections::{BTreeMap, HashMap};

/// The collection of postings.
pub const POSTINGS: &str = "search_postings";

/// How many times a headline term counts against a body term.
const HEADLINE_WEIGHT: u32 = 4;

pub fn prefix(target: SearchTarget) -> &'static str {
    match target {
        SearchTarget::Articles => "a",
        SearchTarget::Quotes => "q",
    }
}

/// The postings of one document's text. `weighted` parts count `HEADLINE_WEIGHT` times.
pub fn postings(target: SearchTarget, id: &str, weighted: &str, text: &str) -> Vec<Document> {
    let mut tf: BTreeMap<String, u32> = BTreeMap::new();
    let mut len = 0u32;
    for term in terms(weighted) {
        *tf.entry(term).or_default() += HEADLINE_WEIGHT;
        len += HEADLINE_WEIGHT;
    }
    for term in terms(text) {
        *tf.entry(term).or_default() += 1;
        len += 1;
    }
    let t = prefix(target);
    tf.into_iter()
        .map(|(term, count)| {
            doc! {
                "_id": format!("{t}:{term}:{id}"),
                "key": format!("{t}:{term}"),
                "doc": format!("{t}:{id}"),
                "tf": i64::from(count),
                "len": i64::from(len),
            }
        })
        .collect()
}

/// The `doc` value of the postings of a document.
pub fn doc_key(target: SearchTarget, id: &str) -> String {
    format!("{}:{id}", prefix(target))
}

/// The index keys a query needs: positive terms and excluded terms.
pub fn keys(target: SearchTarget, query: &SearchQuery) -> Vec<String> {
    let t = prefix(target);
    let mut keys: Vec<String> = query
        .positive_terms()
        .into_iter()
        .map(|term| format!("{t}:{term}"))
        .chain(query.excluded.iter().map(|term| format!("{t}:{term}")))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// One posting as read back.
pub struct Posting {
    pub term: String,
    pub doc: String,
    pub tf: f64,
    pub len: f64,
}

impl Posting {
    pub fn from_document(target: SearchTarget, posting: &Document) -> Option<Self> {
        let t = prefix(target);
        let term = posting.get_str("key").ok()?.strip_prefix(t)?.strip_prefix(':')?.to_owned();
        Some(Posting {
            term,
            doc: posting.get_str("doc").ok()?.strip_prefix(t)?.strip_prefix(':')?.to_owned(),
            tf: posting.get_i64("tf").ok()? as f64,
            len: posting.get_i64("len").ok()? as f64,
        })
    }
}

/// The candidates: documents with every required term and phrase word and no
/// excluded term, scored with BM25 over the positive terms.
pub fn rank(query: &SearchQuery, postings: &[Posting], documents: u64) -> Vec<(String, f64)> {
    let positive = query.positive_terms();
    let mut by_doc: HashMap<&str, Vec<&Posting>> = HashMap::new();
    let mut df: HashMap<&str, f64> = HashMap::new();
    for posting in postings {
        by_doc.entry(&posting.doc).or_default().push(posting);
        *df.entry(&posting.term).or_default() += 1.0;
    }
    let avg_len =
        if postings.is_empty() { 1.0 } else { postings.iter().map(|p| p.len).sum::<f64>() / postings.len() as f64 };
    let n = documents.max(1) as f64;
    let (k1, b) = (1.2, 0.75);
    let mut scored: Vec<(String, f64)> = by_doc
        .into_iter()
        .filter(|(_, ps)| positive.iter().all(|t| ps.iter().any(|p| p.term == *t)))
        .filter(|(_, ps)| !ps.iter().any(|p| query.excluded.contains(&p.term)))
        .map(|(doc, ps)| {
            let score = ps
                .iter()
                .filter(|p| positive.contains(&p.term.as_str()))
                .map(|p| {
                    let dft = df.get(p.term.as_str()).copied().unwrap_or(1.0);
                    let idf = ((n - dft + 0.5) / (dft + 0.5) + 1.0).ln();
                    idf * p.tf * (k1 + 1.0) / (p.tf + k1 * (1.0 - b + b * p.len / avg_len))
                })
                .sum();
            (doc.to_owned(), score)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scored
}

/// The documents with every positive term of `query` and no excluded one,
/// sorted, before phrases are checked (postings of other terms are ignored).
pub fn matching(query: &SearchQuery, postings: &[Posting]) -> Vec<String> {
    let positive = query.positive_terms();
    let mut terms_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for posting in postings {
        terms_of.entry(&posting.doc).or_default().push(&posting.term);
    }
    let mut docs: Vec<String> = terms_of
        .into_iter()
        .filter(|(_, terms)| positive.iter().all(|t| terms.contains(t)))
        .filter(|(_, terms)| !query.excluded.iter().any(|t| terms.contains(&t.as_str())))
        .map(|(doc, _)| doc.to_owned())
        .collect();
    docs.sort_unstable();
    docs
}

/// Keeps the candidates whose text satisfies the query (phrases in order).
pub fn verify(
    query: &SearchQuery,
    candidates: Vec<(String, f64)>,
    texts: &HashMap<String, String>,
) -> Vec<(String, f64)> {
    if query.phrases.is_empty() {
        return candidates;
    }
    candidates.into_iter().filter(|(id, _)| texts.get(id).is_some_and(|text| query.matches(&terms(text)))).collect()
}
