//! People: the `Person` type and the root field that finds a person by name.

use super::articles::ArticleNode;
use super::connection::{self, Conn, PageArgs};
use super::context::{load_all, related_page, store, total_if_wanted};
use super::error::{ApiError, ApiResult};
use super::filters::{self, NameOrder, PersonFilterInput};
use super::ids::{self, NodeType};
use super::organizations::OrganizationNode;
use super::quotes::QuoteNode;
use super::stats::{CountUnit, SourceCount, source_counts};
use crate::domain::Person;
use crate::store::filter::person_sort_key;
use crate::store::{After, ArticleRelation, QuoteFilter, QuoteRelation};
use async_graphql::{Context, ID, Object};
use std::sync::Arc;

/// The longest name accepted in a lookup.
pub const MAX_NAME_LEN: usize = 200;

/// A named person.
#[derive(Clone)]
pub struct PersonNode(pub Arc<Person>);

/// A named person: who they are, whom they speak for, what they said and where they are mentioned.
#[Object(name = "Person", cache_control(max_age = 300))]
impl PersonNode {
    /// The global id (Relay `Node`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Person, self.0.id.as_str())
    }

    /// The person's own id, stable across re-imports.
    async fn key(&self) -> &str {
        self.0.id.as_str()
    }

    /// The recorded changes of this entity (its aliases, merges), newest first (at most 100).
    async fn history(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::corrections::CorrectionNode>> {
        let kind = Some(crate::domain::EntityKind::Person);
        super::corrections::history(ctx, kind, vec![self.0.id.to_string()]).await
    }

    /// The full name, e.g. "Sergei Lavrov".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Other names the person goes by in articles, e.g. "Lavrov".
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }

    /// Their role, e.g. "Foreign Minister".
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }

    /// The organizations they belong to or speak for.
    async fn affiliations(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrganizationNode>> {
        Ok(load_all(ctx, &self.0.affiliations).await?.into_iter().map(OrganizationNode).collect())
    }

    /// What they said, across all articles.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn quotes(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> ApiResult<Conn<QuoteNode>> {
        related_page(ctx, QuoteRelation::BySpeaker, self.0.id.as_str(), first, after, QuoteNode).await
    }

    /// The sources that carried their statements, with how many each, largest first
    /// (`count: STATEMENTS`: each statement once per source, however many reports).
    /// A statement repeated by copies of one story counts once, for the sources
    /// of its first report, unless `includeCopies` is true.
    async fn sources(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
        #[graphql(default = false)] include_copies: bool,
        #[graphql(default)] count: CountUnit,
    ) -> ApiResult<Vec<SourceCount>> {
        let filter = QuoteFilter {
            speakers: Some(vec![self.0.id.clone()]),
            originals_only: !include_copies,
            ..QuoteFilter::default()
        };
        source_counts(ctx, &filter, first, count).await
    }

    /// The articles that mention them.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<ArticleNode>> {
        related_page(ctx, ArticleRelation::MentionsPerson, self.0.id.as_str(), first, after, ArticleNode).await
    }
}

/// Checks a name given to a lookup.
pub fn check_name(name: &str) -> ApiResult<&str> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(ApiError::bad_input("`name` must not be empty"));
    }
    if trimmed.chars().count() > MAX_NAME_LEN {
        return Err(ApiError::bad_input(format!("`name` is at most {MAX_NAME_LEN} characters")));
    }
    Ok(trimmed)
}

/// Root fields about people.
#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// The person whose name or alias is `name`, ignoring case ("lavrov" finds Sergei Lavrov).
    async fn person(&self, ctx: &Context<'_>, name: String) -> ApiResult<PersonNode> {
        let name = check_name(&name)?;
        store(ctx)?
            .person_by_name(name)
            .await?
            .map(|p| PersonNode(Arc::new(p)))
            .ok_or_else(|| ApiError::not_found(format!("no person named `{}`", ids::preview(name))))
    }

    /// People matching `filter` (all when absent), by name unless `orderBy` says otherwise.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn people(
        &self,
        ctx: &Context<'_>,
        filter: Option<PersonFilterInput>,
        #[graphql(default)] order_by: NameOrder,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<PersonNode>> {
        let filter = filters::person_filter(filter.as_ref())?;
        let sort = order_by.into();
        let args = PageArgs::new(first, after)?;
        let store = store(ctx)?;
        let items = store.find_people(&filter, sort, &args.store_page()).await?;
        let total = total_if_wanted(ctx, store.count_people(&filter)).await?;
        Ok(connection::from_store_page(
            items,
            &args,
            total,
            |p| After { key: person_sort_key(p, sort), id: p.id.to_string() },
            |p| PersonNode(Arc::new(p)),
        ))
    }
}
