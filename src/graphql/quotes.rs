//! Quotes and speakers: the `Quote` type, the `Speaker` union of named people
//! and anonymous speakers, and the root list of quotes.

use super::articles::ArticleNode;
use super::connection::{self, Conn, PageArgs};
use super::context::{load_all, load_one, store, total_if_wanted};
use super::error::{ApiError, ApiResult};
use super::filters::{self, QuoteFilterInput, QuoteOrder};
use super::ids::{self, NodeType};
use super::organizations::OrganizationNode;
use super::people::PersonNode;
use super::statements::StatementNode;
use crate::domain::{OrganizationId, Quote, Speaker as DomainSpeaker};
use crate::store::After;
use crate::store::filter::quote_sort_key;
use async_graphql::{Context, ID, Object, SimpleObject, Union};
use chrono::NaiveDate;
use std::sync::Arc;

/// A statement.
#[derive(Clone)]
pub struct QuoteNode(pub Arc<Quote>);

/// Where a statement stands in its article's body.
#[derive(SimpleObject)]
#[graphql(cache_control(max_age = 300))]
pub struct TextSpan {
    /// Offset of the first character, counted in Unicode code points from the start of `Article.body`.
    pub start: i32,
    /// Offset just past the last character (exclusive), in code points.
    pub end: i32,
}

/// Someone who made a statement without being named: "a senior U.S. State Department official".
pub struct AnonymousSpeaker {
    description: String,
    affiliation: Option<OrganizationId>,
}

impl AnonymousSpeaker {
    pub fn new(description: String, affiliation: Option<OrganizationId>) -> Self {
        Self { description, affiliation }
    }
}

/// Someone who made a statement without being named, as the article describes them.
#[Object(cache_control(max_age = 300))]
impl AnonymousSpeaker {
    /// How the article describes the speaker, e.g. "U.S. officials".
    async fn description(&self) -> &str {
        &self.description
    }

    /// The organization the speaker is tied to, when the article says.
    async fn affiliation(&self, ctx: &Context<'_>) -> ApiResult<Option<OrganizationNode>> {
        match &self.affiliation {
            Some(id) => Ok(load_one(ctx, id.clone()).await?.map(OrganizationNode)),
            None => Ok(None),
        }
    }
}

/// Who made a statement: a named person, or an anonymous speaker.
#[derive(Union)]
#[graphql(name = "Speaker")]
pub enum SpeakerUnion {
    Person(PersonNode),
    AnonymousSpeaker(AnonymousSpeaker),
}

/// A statement in an article: quoted words, or reported speech.
#[Object(name = "Quote", cache_control(max_age = 300))]
impl QuoteNode {
    /// The global id (Relay `Node`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Quote, self.0.id.as_str())
    }

    /// The quote's own id, stable across re-imports.
    async fn key(&self) -> &str {
        self.0.id.as_str()
    }

    /// The words: exactly as quoted for a direct quote, as reported for reported speech.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// True for quoted words, false for reported speech ("officials said that …").
    async fn direct(&self) -> bool {
        self.0.direct
    }

    /// Who made the statement, when the article says.
    async fn speaker(&self, ctx: &Context<'_>) -> ApiResult<Option<SpeakerUnion>> {
        speaker_union(ctx, self.0.speaker.as_ref()).await
    }

    /// The statement this quote reports: the same words of the same speaker,
    /// joined across every article that carried them. Null for a quote without a speaker.
    async fn statement(&self, ctx: &Context<'_>) -> ApiResult<Option<StatementNode>> {
        match &self.0.statement {
            Some(id) => Ok(load_one(ctx, id.clone()).await?.map(StatementNode)),
            None => Ok(None),
        }
    }

    /// The news agencies or outlets through which the statement reached the article.
    async fn via(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrganizationNode>> {
        Ok(load_all(ctx, &self.0.via).await?.into_iter().map(OrganizationNode).collect())
    }

    /// The article the statement appears in.
    async fn article(&self, ctx: &Context<'_>) -> ApiResult<ArticleNode> {
        load_one(ctx, self.0.article.clone())
            .await?
            .map(ArticleNode)
            .ok_or_else(|| ApiError::not_found(format!("the article of quote `{}` is missing", self.0.id)))
    }

    /// When the statement's article is a copy of an earlier report (a wire
    /// story republished), the same statement in the earliest report that
    /// carries it; null when this is the first report of it. Lists and
    /// figures count a statement once, by its first report, unless asked
    /// with `includeCopies: true`.
    async fn original_report(&self, ctx: &Context<'_>) -> ApiResult<Option<QuoteNode>> {
        match &self.0.copy_of {
            Some(id) => Ok(load_one(ctx, id.clone()).await?.map(QuoteNode)),
            None => Ok(None),
        }
    }

    /// The day the statement was made, when known.
    async fn said_on(&self) -> Option<NaiveDate> {
        self.0.said_on
    }

    /// Where the statement stands in the article body, for opening it in context.
    async fn span(&self) -> TextSpan {
        TextSpan {
            start: i32::try_from(self.0.span.start).unwrap_or(i32::MAX),
            end: i32::try_from(self.0.span.end).unwrap_or(i32::MAX),
        }
    }

    // --- Corrections (issue 15) ---

    /// How many corrections the quote has had (0: as extracted). A correction
    /// carries it as `expectedVersion`.
    async fn version(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let (version, _, _) = super::corrections::standing(ctx, &self.0.id).await?;
        Ok(i64::try_from(version).unwrap_or(i64::MAX))
    }

    /// True when an editor rejected the quote: it is in no list, count or
    /// statement, and only reachable by id.
    async fn rejected(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(super::corrections::standing(ctx, &self.0.id).await?.1)
    }

    /// The fields an editor corrected (re-ingest keeps them).
    async fn corrected_fields(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::corrections::CorrectedField>> {
        let (_, _, fields) = super::corrections::standing(ctx, &self.0.id).await?;
        Ok(fields.into_iter().map(Into::into).collect())
    }

    /// The recorded changes of the quote, newest first (at most 100).
    async fn history(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::corrections::CorrectionNode>> {
        let kind = Some(crate::domain::EntityKind::Quote);
        super::corrections::history(ctx, kind, vec![self.0.id.to_string()]).await
    }
}

/// A speaker as the GraphQL union: a person loaded from the store, or an anonymous speaker.
pub async fn speaker_union(ctx: &Context<'_>, speaker: Option<&DomainSpeaker>) -> ApiResult<Option<SpeakerUnion>> {
    Ok(match speaker {
        None => None,
        Some(DomainSpeaker::Person { person }) => {
            load_one(ctx, person.clone()).await?.map(|p| SpeakerUnion::Person(PersonNode(p)))
        }
        Some(DomainSpeaker::Anonymous { description, affiliation }) => {
            Some(SpeakerUnion::AnonymousSpeaker(AnonymousSpeaker {
                description: description.clone(),
                affiliation: affiliation.clone(),
            }))
        }
    })
}

/// Root fields about quotes.
#[derive(Default)]
pub struct QuoteQuery;

#[Object]
impl QuoteQuery {
    /// Statements matching `filter` (all when absent), newest first unless `orderBy` says otherwise.
    /// A statement repeated by copies of one story is listed once, by its
    /// first report, unless `includeCopies` is true.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn quotes(
        &self,
        ctx: &Context<'_>,
        filter: Option<QuoteFilterInput>,
        #[graphql(default)] order_by: QuoteOrder,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default = false)] include_copies: bool,
    ) -> ApiResult<Conn<QuoteNode>> {
        let mut filter = filters::quote_filter(filter.as_ref())?;
        filter.originals_only = !include_copies;
        let sort = order_by.into();
        let args = PageArgs::new(first, after)?;
        let store = store(ctx)?;
        let items = store.find_quotes(&filter, sort, &args.store_page()).await?;
        let total = total_if_wanted(ctx, store.count_quotes(&filter)).await?;
        Ok(connection::from_store_page(
            items,
            &args,
            total,
            |q| After { key: quote_sort_key(q, sort), id: q.id.to_string() },
            |q| QuoteNode(Arc::new(q)),
        ))
    }
}
