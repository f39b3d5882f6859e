//! The `ingestArticle` mutation: text in, graph out, through the same pipeline
//! as `newsgraph ingest`. Needs a valid API key (see [`super::access`]).

use super::access::{Caller, WritePolicy};
use super::articles::ArticleNode;
use super::context::{load_all, store};
use super::error::{ApiError, ApiResult};
use super::quotes::QuoteNode;
use crate::ingest::{IngestError, IngestInput, ingest};
use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// An article to ingest.
#[derive(InputObject)]
pub struct IngestArticleInput {
    /// The article text (UTF-8; straight or typographic quotes). A short first
    /// line followed by a blank line is taken as the headline.
    pub text: String,
    /// The headline, when it is not the text's first line.
    pub headline: Option<String>,
    pub url: Option<String>,
    /// The outlet that published it, by name ("Reuters", "The Guardian").
    pub outlet: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// A BCP 47 language tag; `en` when not given.
    pub language: Option<String>,
}

/// What an ingest wrote.
#[derive(SimpleObject)]
pub struct IngestArticlePayload {
    /// The article as stored.
    pub article: ArticleNode,
    /// True when the same article was already in the graph and has been rewritten.
    pub replaced: bool,
    /// The statements found, in body order.
    pub quotes: Vec<QuoteNode>,
    /// People new to the graph.
    pub people_added: Vec<String>,
    /// People the graph already knew (possibly under another name), merged.
    pub people_merged: Vec<String>,
    pub organizations_added: Vec<String>,
    pub organizations_merged: Vec<String>,
}

/// The writes.
#[derive(Default)]
pub struct IngestMutation;

#[Object]
impl IngestMutation {
    /// Extracts people, organizations, quotes, speakers and sources from article
    /// text and merges them into the graph. Ingesting the same text again
    /// changes nothing. Needs `Authorization: Bearer <key>`.
    async fn ingest_article(&self, ctx: &Context<'_>, input: IngestArticleInput) -> ApiResult<IngestArticlePayload> {
        let policy = ctx.data::<WritePolicy>().map_err(|_| ApiError::Internal)?;
        let caller = ctx.data_opt::<Caller>().unwrap_or(&Caller::Anonymous);
        policy.authorize(caller)?;
        let store = store(ctx)?;
        let report = ingest(
            store.as_ref(),
            IngestInput {
                text: input.text,
                headline: input.headline,
                url: input.url,
                outlet: input.outlet,
                published_at: input.published_at,
                language: input.language,
            },
        )
        .await
        .map_err(|e| match e {
            IngestError::Extract(e) => ApiError::bad_input(e.to_string()),
            IngestError::Invalid(message) => ApiError::bad_input(message),
            IngestError::Store(e) => e.into(),
        })?;
        let article = store.articles(std::slice::from_ref(&report.article)).await?.pop().ok_or(ApiError::Internal)?;
        let quotes = load_all(ctx, &report.quotes).await?;
        Ok(IngestArticlePayload {
            article: ArticleNode(Arc::new(article)),
            replaced: report.replaced,
            quotes: quotes.into_iter().map(QuoteNode).collect(),
            people_added: report.people_added,
            people_merged: report.people_merged,
            organizations_added: report.organizations_added,
            organizations_merged: report.organizations_merged,
        })
    }
}
