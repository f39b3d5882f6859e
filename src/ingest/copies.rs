//! Copies known as copies: on ingest, an article that republishes a story
//! already in the graph (a wire story on another site) is linked to it
//! instead of standing as an unrelated article.
//!
//! 1. The article's [`Fingerprint`] gives its LSH band keys; the store
//!    returns the articles indexed under any of them, those sharing most keys
//!    first ([`Store::copy_candidates`], at most [`MAX_CANDIDATES`]).
//! 2. Each candidate is confirmed on the texts ([`Fingerprint::is_copy_of`]).
//!    Stories that merely share a topic or an event stop here.
//! 3. The confirmed articles' groups (an original and its copies) and the new
//!    article become one group. Its **original** is the earliest published
//!    (undated last, ties by id), whatever the order they arrived in: a copy
//!    dated before the current original takes its place, and every member
//!    then points to it (`Article::copy_of`).
//! 4. Statements: taking the members in that order, a quote whose words
//!    ([`statement_key`]) an earlier member already carries points to that
//!    earlier quote (`Quote::copy_of`), so the statement is counted once; a
//!    statement only a copy carries (an added local paragraph) counts on its own.
//!
//! Each copy stays an article of its own (outlet, URL, date, quotes). The
//! members whose links changed are rewritten in the same batch as the new
//! article. Groups are found and rewritten at ingest time; two copies of one
//! story ingested at the same instant by two processes may each miss the other.

use super::fingerprint::{Fingerprint, statement_key};
use crate::domain::{Article, ArticleId, Quote, QuoteId};
use crate::store::{ArticleRelation, CopyKeys, QuoteRelation, Store, StoreResult};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// The most candidates confirmed for one article (the ones sharing most keys).
pub const MAX_CANDIDATES: usize = 20;

/// What [`link`] decided for a new article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Linked {
    /// The article's index keys, to write with it.
    pub keys: Option<CopyKeys>,
    /// Stored members of its group whose links changed, with all their quotes, to rewrite.
    pub rewritten: Vec<(Article, Vec<Quote>)>,
    /// How many other articles its group holds.
    pub group_size: usize,
}

/// Finds the copies of `article` (about to be written with `quotes`), sets
/// its and its quotes' `copy_of`, and returns what else to write.
pub async fn link(store: &dyn Store, article: &mut Article, quotes: &mut [Quote]) -> StoreResult<Linked> {
    article.copy_of = None;
    for quote in quotes.iter_mut() {
        quote.copy_of = None;
    }
    let fingerprint = Fingerprint::of(&article.body);
    if !fingerprint.is_comparable() {
        return Ok(Linked::default());
    }
    let keys = fingerprint.band_keys();
    let mut linked =
        Linked { keys: Some(CopyKeys { article: article.id.clone(), keys: keys.clone() }), ..Linked::default() };
    let found = store.copy_candidates(&keys, MAX_CANDIDATES + 1).await?;
    let ids: Vec<ArticleId> =
        found.into_iter().map(|(id, _)| id).filter(|id| *id != article.id).take(MAX_CANDIDATES).collect();
    if ids.is_empty() {
        return Ok(linked);
    }
    let confirmed: Vec<Article> =
        store.articles(&ids).await?.into_iter().filter(|c| Fingerprint::of(&c.body).is_copy_of(&fingerprint)).collect();
    if confirmed.is_empty() {
        return Ok(linked);
    }

    // Every member of every group a confirmed copy belongs to.
    let mut roots: Vec<ArticleId> =
        confirmed.iter().map(|c| c.copy_of.clone().unwrap_or_else(|| c.id.clone())).collect();
    roots.sort();
    roots.dedup();
    let root_keys: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
    let (originals, copies) =
        futures_util::try_join!(store.articles(&roots), store.related_articles(ArticleRelation::CopiesOf, &root_keys))?;
    let mut members: BTreeMap<ArticleId, Article> = BTreeMap::new();
    for member in confirmed.into_iter().chain(originals).chain(copies.into_iter().map(|(_, a)| a)) {
        members.insert(member.id.clone(), member);
    }
    members.remove(&article.id);
    if members.is_empty() {
        return Ok(linked);
    }
    let member_keys: Vec<String> = members.keys().map(|id| id.to_string()).collect();
    let mut stored_quotes: HashMap<String, Vec<Quote>> = HashMap::new();
    for (parent, quote) in store.related_quotes(QuoteRelation::InArticle, &member_keys).await? {
        stored_quotes.entry(parent).or_default().push(quote);
    }
    linked.group_size = members.len();

    // The group in publication order; the new article is one of them.
    // Equal dates keep the report met first: the current original, then the
    // other stored reports, then the new article (then by id).
    let mut order: Vec<(Option<DateTime<Utc>>, ArticleId)> = members
        .values()
        .map(|m| (m.published_at, m.id.clone()))
        .chain(std::iter::once((article.published_at, article.id.clone())))
        .collect();
    let met = |id: &ArticleId| match members.get(id) {
        Some(m) if m.copy_of.is_none() => 0,
        Some(_) => 1,
        None => 2,
    };
    order
        .sort_by(|(pa, a), (pb, b)| (pa.is_none(), pa, met(a)).cmp(&(pb.is_none(), pb, met(b))).then_with(|| a.cmp(b)));
    let original = order[0].1.clone();

    let mut first_report: HashMap<String, QuoteId> = HashMap::new();
    let mut rewritten = Vec::new();
    for (_, id) in &order {
        let copy_of = (*id != original).then(|| original.clone());
        if *id == article.id {
            article.copy_of = copy_of;
            point_to_first_reports(quotes, &mut first_report);
            continue;
        }
        let mut member = members[id].clone();
        let mut member_quotes = stored_quotes.remove(id.as_str()).unwrap_or_default();
        let before: Vec<Option<QuoteId>> = member_quotes.iter().map(|q| q.copy_of.clone()).collect();
        point_to_first_reports(&mut member_quotes, &mut first_report);
        let quotes_changed = member_quotes.iter().map(|q| &q.copy_of).ne(before.iter());
        if member.copy_of != copy_of || quotes_changed {
            member.copy_of = copy_of;
            rewritten.push((member, member_quotes));
        }
    }
    linked.rewritten = rewritten;
    Ok(linked)
}

/// Points each of `quotes` (one article's) to the first report of the same
/// statement by an earlier article of the group (`first_report`), then
/// records the statements this article is the first to carry.
fn point_to_first_reports(quotes: &mut [Quote], first_report: &mut HashMap<String, QuoteId>) {
    let mut in_order: Vec<&mut Quote> = quotes.iter_mut().collect();
    in_order.sort_by_key(|q| q.span.start);
    let mut firsts = Vec::new();
    for quote in in_order {
        let key = statement_key(&quote.text);
        quote.copy_of = first_report.get(&key).filter(|_| !key.is_empty()).cloned();
        if quote.copy_of.is_none() && !key.is_empty() {
            firsts.push((key, quote.id.clone()));
        }
    }
    for (key, id) in firsts {
        first_report.entry(key).or_insert(id);
    }
}
