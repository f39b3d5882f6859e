//! The `ingestArticle` mutation (text or an HTML page in, graph out) and
//! `ingestUrl` (a page fetched from its URL by [`crate::ingest::fetch`]), through
//! the same pipeline as `newsgraph ingest`. Both need a valid API key (see [`super::access`]).

use super::access::{Caller, Scope, WritePolicy};
use super::articles::ArticleNode;
use super::context::{load_all, store};
use super::error::{ApiError, ApiResult};
use super::quotes::QuoteNode;
use crate::ingest::fetch::Fetcher;
use crate::ingest::{IngestError, IngestInput, Submission, ingest, input_from_url};
use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// An article to ingest: its `text` or its page's `html`, exactly one of them.
#[derive(InputObject)]
pub struct IngestArticleInput {
    /// The article text (straight or typographic quotes). A short first line
    /// followed by a blank line is taken as the headline.
    pub text: Option<String>,
    /// The article's web page. Its main text is ingested, without navigation,
    /// ads, comments or other chrome; its metadata (JSON-LD, OpenGraph,
    /// canonical link, language) fills the fields not given here. A page that
    /// is not an article (a section front, an index) is refused with the code
    /// `NOT_AN_ARTICLE`.
    pub html: Option<String>,
    /// The headline, when it is not the text's first line (or the page's).
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
    /// changes nothing. Needs `Authorization: Bearer <key>` for a key with the `ingest` scope.
    async fn ingest_article(&self, ctx: &Context<'_>, input: IngestArticleInput) -> ApiResult<IngestArticlePayload> {
        let policy = ctx.data::<WritePolicy>().map_err(|_| ApiError::Internal)?;
        let caller = ctx.data_opt::<Caller>().unwrap_or(&Caller::Anonymous);
        policy.authorize(caller, Scope::Ingest)?;
        let submission = Submission {
            text: input.text,
            html: input.html,
            headline: input.headline,
            url: input.url,
            outlet: input.outlet,
            published_at: input.published_at,
            language: input.language,
        };
        // Reading a large page takes a while: off the server's async threads.
        let article = tokio::task::spawn_blocking(move || submission.into_input(&IngestInput::default()))
            .await
            .map_err(|_| ApiError::Internal)?
            .map_err(api_error)?;
        ingested(ctx, article).await
    }

    /// Fetches the web page at `url` (http or https) and ingests its article as
    /// `ingestArticle` does a page's `html`; the article's URL is the page's
    /// canonical link, else where it was found after redirects. Private,
    /// loopback and link-local addresses are refused unless the server allows
    /// them. A page that cannot be fetched is refused with a code saying why:
    /// `BAD_URL`, `ADDRESS_REFUSED`, `FETCH_TIMEOUT`, `PAGE_TOO_LARGE`,
    /// `TOO_MANY_REDIRECTS`, `HTTP_ERROR_STATUS`, `NOT_HTML`, `FETCH_FAILED`;
    /// one that is not an article with `NOT_AN_ARTICLE`. Needs
    /// `Authorization: Bearer <key>` for a key with the `ingest` scope.
    async fn ingest_url(&self, ctx: &Context<'_>, url: String) -> ApiResult<IngestArticlePayload> {
        let policy = ctx.data::<WritePolicy>().map_err(|_| ApiError::Internal)?;
        let caller = ctx.data_opt::<Caller>().unwrap_or(&Caller::Anonymous);
        policy.authorize(caller, Scope::Ingest)?;
        let fetcher = ctx.data::<Fetcher>().map_err(|_| ApiError::Internal)?;
        let article = input_from_url(fetcher, &url, IngestInput::default()).await.map_err(api_error)?;
        ingested(ctx, article).await
    }
}

/// Ingests `article` and answers with what was written.
async fn ingested(ctx: &Context<'_>, article: IngestInput) -> ApiResult<IngestArticlePayload> {
    let store = store(ctx)?;
    let report = ingest(store.as_ref(), article).await.map_err(api_error)?;
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

fn api_error(error: IngestError) -> ApiError {
    match error {
        IngestError::Extract(e) => ApiError::bad_input(e.to_string()),
        IngestError::Invalid(message) => ApiError::bad_input(message),
        IngestError::NotAnArticle(message) => ApiError::NotAnArticle(message),
        IngestError::Fetch(e) => ApiError::Fetch { code: e.code(), message: e.to_string() },
        IngestError::Store(e) => e.into(),
    }
}
