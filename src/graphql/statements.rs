//! Statements across reports: the `Statement` type (what a speaker said,
//! however many articles reported it), its reports, the outlets that carried
//! it and its timeline, and the root list of statements.

use super::articles::ArticleNode;
use super::connection::{self, Conn, PageArgs};
use super::context::{load_all, load_one, load_related, related_page, store, total_if_wanted};
use super::error::ApiResult;
use super::filters::{self, QuoteFilterInput};
use super::ids::{self, NodeType};
use super::organizations::OrganizationNode;
use super::quotes::{QuoteNode, SpeakerUnion, speaker_union};
use crate::domain::{Article, ArticleId, OrganizationId, Quote, Statement};
use crate::store::filter::statement_sort_key;
use crate::store::{After, QuoteRelation, StatementSort};
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A statement: what a speaker said, once, however many articles reported it.
#[derive(Clone)]
pub struct StatementNode(pub Arc<Statement>);

/// One report of a statement: the quote in one article.
#[derive(Clone)]
pub struct ReportNode(pub Arc<Quote>);

/// A source that carried a statement.
#[derive(SimpleObject)]
#[graphql(cache_control(max_age = 60))]
pub struct StatementOutlet {
    /// The outlet or agency (an article's publisher, or a source the quote came through).
    pub source: OrganizationNode,
    /// How many of the statement's reports it carried.
    pub reports: i32,
    /// When it first carried the statement (its earliest article's publication time), when known.
    pub first_reported: Option<DateTime<Utc>>,
}

/// How a statement spread, day by day.
#[derive(SimpleObject)]
#[graphql(cache_control(max_age = 60))]
pub struct TimelineDay {
    /// The day (the report's article's publication day, else the quote's day).
    pub day: NaiveDate,
    /// Reports published that day.
    pub reports: i32,
    /// Sources carrying it for the first time that day.
    pub new_sources: i32,
}

/// The order of a statement list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum StatementOrder {
    /// By the day of the first report, newest first; undated last.
    #[default]
    FirstReportedDesc,
    /// By the day of the first report, oldest first.
    FirstReportedAsc,
    /// Most reports first.
    MostReported,
}

impl From<StatementOrder> for StatementSort {
    fn from(order: StatementOrder) -> Self {
        match order {
            StatementOrder::FirstReportedDesc => StatementSort::FirstReportedDesc,
            StatementOrder::FirstReportedAsc => StatementSort::FirstReportedAsc,
            StatementOrder::MostReported => StatementSort::MostReported,
        }
    }
}

/// Every report of a statement with its article, in report order (by quote id).
async fn reports_with_articles(
    ctx: &Context<'_>,
    statement: &Statement,
) -> ApiResult<Vec<(Arc<Quote>, Option<Arc<Article>>)>> {
    let reports: Arc<Vec<Arc<Quote>>> = load_related(ctx, QuoteRelation::InStatement, statement.id.as_str()).await?;
    let article_ids: Vec<ArticleId> = reports.iter().map(|q| q.article.clone()).collect();
    let articles: HashMap<ArticleId, Arc<Article>> =
        load_all(ctx, &article_ids).await?.into_iter().map(|a: Arc<Article>| (a.id.clone(), a)).collect();
    Ok(reports.iter().map(|q| (q.clone(), articles.get(&q.article).cloned())).collect())
}

/// The sources of one report: its article's outlet, then the sources it came through.
fn sources_of(quote: &Quote, article: Option<&Article>) -> Vec<OrganizationId> {
    let mut sources: Vec<OrganizationId> = article.and_then(|a| a.outlet.clone()).into_iter().collect();
    for via in &quote.via {
        if !sources.contains(via) {
            sources.push(via.clone());
        }
    }
    sources
}

/// When a report was published: its article's time.
fn published(article: Option<&Article>) -> Option<DateTime<Utc>> {
    article.and_then(|a| a.published_at)
}

/// What a speaker said, once: the reports of the same words by the same
/// speaker (a person, or the same anonymous description and affiliation) in
/// different articles, joined. Each report is a `Quote`.
#[Object(name = "Statement", cache_control(max_age = 60))]
impl StatementNode {
    /// The global id (Relay `Node`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Statement, self.0.id.as_str())
    }

    /// The statement's own id (its first report's quote id, when it was first joined).
    async fn key(&self) -> &str {
        self.0.id.as_str()
    }

    /// The recorded changes of the statement and of its reports (a report's
    /// corrected speaker or text), newest first (at most 100).
    async fn history(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::corrections::CorrectionNode>> {
        let store = super::context::store(ctx)?;
        let reports = store.related_quotes(crate::store::QuoteRelation::InStatement, &[self.0.id.to_string()]).await?;
        let mut entities: Vec<String> = reports.into_iter().map(|(_, q)| q.id.to_string()).collect();
        entities.push(self.0.id.to_string());
        super::corrections::history(ctx, None, entities).await
    }

    /// The fullest words reported: the longest direct quote among its reports, else the longest reported speech.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// Whether `text` is quoted words (true) or reported speech.
    async fn direct(&self) -> bool {
        self.0.direct
    }

    /// Who said it.
    async fn speaker(&self, ctx: &Context<'_>) -> ApiResult<Option<SpeakerUnion>> {
        speaker_union(ctx, Some(&self.0.speaker)).await
    }

    /// The day of its earliest report (when it was said, else when that article was published).
    async fn first_reported_on(&self) -> Option<NaiveDate> {
        self.0.date
    }

    /// When it was first published: the earliest publication time among the articles that report it.
    async fn first_reported(&self, ctx: &Context<'_>) -> ApiResult<Option<DateTime<Utc>>> {
        Ok(reports_with_articles(ctx, &self.0).await?.iter().filter_map(|(_, a)| published(a.as_deref())).min())
    }

    /// How many reports (quotes in articles) it has.
    async fn report_count(&self) -> i32 {
        i32::try_from(self.0.reports).unwrap_or(i32::MAX)
    }

    /// Its reports: the quote in each article that carried it, ordered by article and position.
    #[graphql(complexity = "connection::cost(first, child_complexity)")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<ReportNode>> {
        related_page(ctx, QuoteRelation::InStatement, self.0.id.as_str(), first, after, ReportNode).await
    }

    /// The sources that carried it (articles' outlets and the agencies quotes came through),
    /// with how many reports each and when each first carried it; most reports first, then earliest.
    async fn outlets(&self, ctx: &Context<'_>) -> ApiResult<Vec<StatementOutlet>> {
        let mut by_source: HashMap<OrganizationId, (i32, Option<DateTime<Utc>>)> = HashMap::new();
        for (quote, article) in reports_with_articles(ctx, &self.0).await? {
            let at = published(article.as_deref());
            for source in sources_of(&quote, article.as_deref()) {
                let entry = by_source.entry(source).or_insert((0, None));
                entry.0 += 1;
                entry.1 = match (entry.1, at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        let ids: Vec<OrganizationId> = by_source.keys().cloned().collect();
        let organizations = load_all(ctx, &ids).await?;
        let mut outlets: Vec<StatementOutlet> = organizations
            .into_iter()
            .map(|organization| {
                let (reports, first_reported) = by_source[&organization.id];
                StatementOutlet { source: OrganizationNode(organization), reports, first_reported }
            })
            .collect();
        outlets.sort_by(|a, b| {
            (b.reports, a.first_reported.is_none(), a.first_reported, &a.source.0.id).cmp(&(
                a.reports,
                b.first_reported.is_none(),
                b.first_reported,
                &b.source.0.id,
            ))
        });
        Ok(outlets)
    }

    /// How it spread: per day, the reports published and the sources carrying it for the first time.
    async fn timeline(&self, ctx: &Context<'_>) -> ApiResult<Vec<TimelineDay>> {
        let mut reports = reports_with_articles(ctx, &self.0).await?;
        reports.sort_by_key(|(q, a)| (published(a.as_deref()), q.id.clone()));
        let mut days: BTreeMap<NaiveDate, (i32, i32)> = BTreeMap::new();
        let mut seen: Vec<OrganizationId> = Vec::new();
        for (quote, article) in &reports {
            let Some(day) = published(article.as_deref()).map(|t| t.date_naive()).or(quote.date) else { continue };
            let entry = days.entry(day).or_default();
            entry.0 += 1;
            for source in sources_of(quote, article.as_deref()) {
                if !seen.contains(&source) {
                    seen.push(source);
                    entry.1 += 1;
                }
            }
        }
        Ok(days.into_iter().map(|(day, (reports, new_sources))| TimelineDay { day, reports, new_sources }).collect())
    }
}

/// One report of a statement: the quote as one article carried it.
#[Object(name = "StatementReport", cache_control(max_age = 60))]
impl ReportNode {
    /// The quote: the words as this article gave them, its span, its speaker.
    async fn quote(&self) -> QuoteNode {
        QuoteNode(self.0.clone())
    }

    /// The article that carried it.
    async fn article(&self, ctx: &Context<'_>) -> ApiResult<Option<ArticleNode>> {
        Ok(load_one(ctx, self.0.article.clone()).await?.map(ArticleNode))
    }

    /// The article's outlet, when known.
    async fn outlet(&self, ctx: &Context<'_>) -> ApiResult<Option<OrganizationNode>> {
        let Some(article) = load_one::<ArticleId, Article>(ctx, self.0.article.clone()).await? else {
            return Ok(None);
        };
        match &article.outlet {
            Some(outlet) => Ok(load_one(ctx, outlet.clone()).await?.map(OrganizationNode)),
            None => Ok(None),
        }
    }

    /// The news agencies or outlets through which the quote reached the article.
    async fn via(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrganizationNode>> {
        Ok(load_all(ctx, &self.0.via).await?.into_iter().map(OrganizationNode).collect())
    }

    /// When the article was published.
    async fn published_at(&self, ctx: &Context<'_>) -> ApiResult<Option<DateTime<Utc>>> {
        Ok(load_one::<ArticleId, Article>(ctx, self.0.article.clone()).await?.and_then(|a| a.published_at))
    }
}

/// Root fields about statements.
#[derive(Default)]
pub struct StatementQuery;

#[Object]
impl StatementQuery {
    /// Statements with at least one report matching `filter` (the quote filter:
    /// speaker, organization, source, day, text, direct…; all when absent),
    /// newest first unless `orderBy` says otherwise. Each appears once,
    /// however many articles reported it.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn statements(
        &self,
        ctx: &Context<'_>,
        filter: Option<QuoteFilterInput>,
        #[graphql(default)] order_by: StatementOrder,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<StatementNode>> {
        let filter = filters::quote_filter(filter.as_ref())?;
        let sort: StatementSort = order_by.into();
        let args = PageArgs::new(first, after)?;
        let store = store(ctx)?;
        let items = store.find_statements(&filter, sort, &args.store_page()).await?;
        let total = total_if_wanted(ctx, store.count_statements(&filter)).await?;
        Ok(connection::from_store_page(
            items,
            &args,
            total,
            |s| After { key: statement_sort_key(s, sort), id: s.id.to_string() },
            |s| StatementNode(Arc::new(s)),
        ))
    }
}
