//! Statements on MongoDB: joining a write's quotes, and the statement lists.
//!
//! Collections: `statements` (the summary documents, with `speaker_key`,
//! `sort_date` and `reports_key` to sort and filter on) and `statement_keys`
//! (`_id` the look-up key of [`crate::statements::join`], `statements` the
//! ids filed under it, grown with `$addToSet` so that concurrent writers add
//! and never overwrite). A quote's document holds its `statement` (indexed),
//! which is how a statement's reports are found.
//!
//! A write joins in a fixed number of round trips whatever the store's size:
//! before its quotes are written, one `find` for the stored memberships of its
//! articles' quotes, one `_id $in` on `statement_keys` for the candidates and
//! one `_id $in` on `statements`; then one upsert command for the statements
//! it changed and one for its index keys; and, only when a rewrite moved or
//! dropped a report, one `find` of the reports of the statements concerned to
//! summarise them again. On real MongoDB every look-up is an indexed `_id`
//! or `statement` read; FerretDB v1 pushes only `_id` equality down and scans
//! for `$in`, which its tests tolerate at their size.
//!
//! Two writers racing for the same new statement may each create one (the
//! embedded store, with one writer, cannot); `newsgraph statements rebuild`
//! joins them again.

use super::{MongoStore, QUOTES, classify, to_document};
use crate::domain::{Article, ArticleId, OrganizationId, Quote, Statement, StatementId};
use crate::statements::Rule;
use crate::statements::join::{self, Outlets, Plan, Previous, speaker_key};
use crate::store::filter::{QuoteSort, statement_date_key, statement_reports_key};
use crate::store::{GraphBatch, Page, QuoteFilter, StatementSort, StoreResult};
use futures_util::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use std::collections::{BTreeSet, HashMap};

pub const STATEMENTS: &str = "statements";
pub const STATEMENT_KEYS: &str = "statement_keys";

/// Quotes joined per step of a rebuild.
const REBUILD_CHUNK: usize = 2_000;

/// The stored form of a statement: its sort and filter fields beside it.
fn statement_document(statement: &Statement) -> StoreResult<Document> {
    let mut stored = to_document(statement)?;
    stored.insert("speaker_key", speaker_key(&statement.speaker));
    stored.insert("sort_date", statement_date_key(statement));
    stored.insert("reports_key", statement_reports_key(statement));
    Ok(stored)
}

/// The keyset order of a statement list.
pub fn order(sort: StatementSort) -> super::query::Order {
    match sort {
        StatementSort::FirstReportedDesc => super::query::Order { field: "sort_date", descending: true },
        StatementSort::FirstReportedAsc => super::query::Order { field: "sort_date", descending: false },
        StatementSort::MostReported => super::query::Order { field: "reports_key", descending: true },
    }
}

impl MongoStore {
    /// Plans the statements of `batch`'s quotes. Call before its quotes are written.
    pub(super) async fn plan_statements(&self, batch: &GraphBatch) -> StoreResult<Plan> {
        if batch.quotes.is_empty() && batch.articles.is_empty() {
            return Ok(Plan::default());
        }
        let previous = self.previous_memberships(batch).await?;
        let quotes: Vec<&Quote> = batch.quotes.iter().collect();
        let outlets: Outlets<'_> =
            batch.articles.iter().filter_map(|a| a.outlet.as_ref().map(|o| (&a.id, o))).collect();
        self.plan_quotes(&quotes, &outlets, &previous).await
    }

    async fn plan_quotes(&self, quotes: &[&Quote], outlets: &Outlets<'_>, previous: &[Previous]) -> StoreResult<Plan> {
        let keys = join::batch_lookup_keys(quotes.iter().copied());
        let mut ids: BTreeSet<String> = previous.iter().map(|p| p.statement.to_string()).collect();
        // A new statement takes its first report's id (or the one it had): one stored under it must be seen.
        ids.extend(join::founding_candidates(quotes.iter().copied()));
        if !keys.is_empty() {
            let filed: Vec<Document> = self
                .collection(STATEMENT_KEYS)
                .find(doc! { "_id": { "$in": &keys } })
                .await
                .map_err(classify)?
                .try_collect()
                .await
                .map_err(classify)?;
            for entry in filed {
                if let Ok(list) = entry.get_array("statements") {
                    ids.extend(list.iter().filter_map(|id| id.as_str().map(str::to_owned)));
                }
            }
        }
        let ids: Vec<String> = ids.into_iter().collect();
        let stored: Vec<Statement> = self.by_ids(STATEMENTS, &ids).await?;
        Ok(join::plan(quotes, outlets, previous, stored, &Rule::DEFAULT))
    }

    /// The stored memberships of the batch's quotes and of its articles' quotes.
    async fn previous_memberships(&self, batch: &GraphBatch) -> StoreResult<Vec<Previous>> {
        let articles: Vec<&str> = batch.articles.iter().map(|a| a.id.as_str()).collect();
        let quotes: Vec<&str> = batch.quotes.iter().map(|q| q.id.as_str()).collect();
        let filter = doc! {
            "$or": [ { "article": { "$in": articles } }, { "_id": { "$in": quotes } } ],
            "statement": { "$exists": true },
        };
        let stored: Vec<Quote> = self.find(QUOTES, filter, None).await?;
        Ok(stored
            .into_iter()
            .filter_map(|q| {
                Some(Previous { statement: q.statement?, quote: q.id, text: q.text, direct: q.direct, date: q.date })
            })
            .collect())
    }

    /// Stores the statements and index keys a plan changed. Call before the quotes that name them.
    pub(super) async fn store_statements(&self, plan: &Plan) -> StoreResult<()> {
        let docs = plan.upserts.iter().map(statement_document).collect::<StoreResult<Vec<_>>>()?;
        self.upsert_all(STATEMENTS, docs).await?;
        let mut by_key: HashMap<&str, Vec<&str>> = HashMap::new();
        for (key, statement) in &plan.index {
            by_key.entry(key.as_str()).or_default().push(statement.as_str());
        }
        let updates: Vec<Document> = by_key
            .into_iter()
            .map(|(key, ids)| {
                doc! { "q": { "_id": key }, "u": { "$addToSet": { "statements": { "$each": ids } } }, "upsert": true }
            })
            .collect();
        self.run_idempotent_upserts(STATEMENT_KEYS, updates).await
    }

    /// Summarises statements again from the reports they have now, removing
    /// those left with none. Call after the quotes are written and the stale ones removed.
    pub(super) async fn recheck_statements(&self, ids: &[StatementId]) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let reports: Vec<Quote> = self.find(QUOTES, doc! { "statement": { "$in": ids_of(ids) } }, None).await?;
        let mut by_statement: HashMap<&StatementId, Vec<&Quote>> = HashMap::new();
        for quote in &reports {
            if let Some(statement) = &quote.statement {
                by_statement.entry(statement).or_default().push(quote);
            }
        }
        let outlet_ids = self.outlets_of(&reports).await?;
        let outlets: Outlets<'_> = outlet_ids.iter().map(|(a, o)| (a, o)).collect();
        let mut keep = Vec::new();
        let mut gone = Vec::new();
        for id in ids {
            let quotes = by_statement.get(id).cloned().unwrap_or_default();
            let sources: Vec<Vec<OrganizationId>> = quotes.iter().map(|q| join::sources_of(q, &outlets)).collect();
            let speaker = quotes.iter().find_map(|q| q.speaker.clone());
            match speaker.and_then(|speaker| {
                Statement::summarize(id.clone(), speaker, quotes.iter().zip(&sources).map(|(q, s)| join::summary(q, s)))
            }) {
                Some(statement) => keep.push(statement_document(&statement)?),
                None => gone.push(id.to_string()),
            }
        }
        self.upsert_all(STATEMENTS, keep).await?;
        if !gone.is_empty() {
            self.collection(STATEMENTS).delete_many(doc! { "_id": { "$in": gone } }).await.map_err(classify)?;
        }
        Ok(())
    }

    /// The outlets of the articles of `quotes`, in one `_id $in`.
    async fn outlets_of(&self, quotes: &[Quote]) -> StoreResult<Vec<(ArticleId, OrganizationId)>> {
        let ids: Vec<String> =
            quotes.iter().map(|q| q.article.to_string()).collect::<BTreeSet<_>>().into_iter().collect();
        let articles: Vec<Article> = self.by_ids(super::ARTICLES, &ids).await?;
        Ok(articles.into_iter().filter_map(|a| Some((a.id, a.outlet?))).collect())
    }

    /// The ids of the statements with a report matching `filter`.
    async fn statements_matching(&self, filter: &QuoteFilter) -> StoreResult<Vec<String>> {
        let texts = self.text_matches(crate::store::SearchTarget::Quotes, filter.texts()).await?;
        let mut query = super::query::quote_filter(filter, &texts);
        query.insert("statement", doc! { "$exists": true });
        let found: Vec<Document> = self
            .collection(QUOTES)
            .find(query)
            .projection(doc! { "statement": 1 })
            .batch_size(super::FIND_BATCH_SIZE)
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        let ids: BTreeSet<String> =
            found.iter().filter_map(|d| d.get_str("statement").ok().map(str::to_owned)).collect();
        Ok(ids.into_iter().collect())
    }

    pub(super) async fn find_statements_page(
        &self,
        filter: &QuoteFilter,
        sort: StatementSort,
        page: &Page,
    ) -> StoreResult<Vec<Statement>> {
        let query = if *filter == QuoteFilter::default() {
            Document::new()
        } else {
            doc! { "_id": { "$in": self.statements_matching(filter).await? } }
        };
        self.find_page(STATEMENTS, query, order(sort), page).await
    }

    pub(super) async fn count_statements_matching(&self, filter: &QuoteFilter) -> StoreResult<u64> {
        if *filter == QuoteFilter::default() {
            return self.count_all(STATEMENTS).await;
        }
        Ok(self.statements_matching(filter).await?.len() as u64)
    }

    /// Joins every stored quote into statements from nothing, in day order, a chunk at a time.
    pub(super) async fn rebuild(&self) -> StoreResult<u64> {
        self.collection(STATEMENTS).delete_many(doc! {}).await.map_err(classify)?;
        self.collection(STATEMENT_KEYS).delete_many(doc! {}).await.map_err(classify)?;
        let mut page = Page::first(REBUILD_CHUNK);
        loop {
            let quotes: Vec<Quote> =
                self.find_page(QUOTES, Document::new(), super::query::quote_order(QuoteSort::DateAsc), &page).await?;
            let Some(last) = quotes.last() else { break };
            page.after =
                Some(crate::store::After { key: crate::store::filter::quote_date_key(last), id: last.id.to_string() });
            let refs: Vec<&Quote> = quotes.iter().collect();
            let outlet_ids = self.outlets_of(&quotes).await?;
            let outlets: Outlets<'_> = outlet_ids.iter().map(|(a, o)| (a, o)).collect();
            let plan = self.plan_quotes(&refs, &outlets, &[]).await?;
            self.store_statements(&plan).await?;
            let assigned: HashMap<String, String> =
                plan.assignments.iter().map(|(q, s)| (q.to_string(), s.to_string())).collect();
            let updates: Vec<Document> = quotes
                .iter()
                .map(|q| match assigned.get(q.id.as_str()) {
                    Some(s) => doc! { "q": { "_id": q.id.as_str() }, "u": { "$set": { "statement": s } } },
                    None => doc! { "q": { "_id": q.id.as_str() }, "u": { "$unset": { "statement": "" } } },
                })
                .collect();
            self.run_updates(QUOTES, updates).await?;
            if quotes.len() < REBUILD_CHUNK {
                break;
            }
        }
        self.count_all(STATEMENTS).await
    }
}

fn ids_of(ids: &[StatementId]) -> Vec<Bson> {
    ids.iter().map(|id| Bson::String(id.to_string())).collect()
}
