//! Organizations and news sources: the `Organization` type, its kinds, and the
//! root fields that find organizations and sources.

use super::articles::ArticleNode;
use super::connection::{self, Conn, PageArgs};
use super::context::{load_all, related_page, store, total_if_wanted};
use super::error::{ApiError, ApiResult};
use super::filters::{self, NameOrder, OrganizationFilterInput};
use super::ids::{self, NodeType};
use super::people::{PersonNode, check_name};
use super::quotes::QuoteNode;
use crate::domain::{OrgKind, Organization};
use crate::store::filter::organization_sort_key;
use crate::store::{
    After, ArticleRelation, NameSort, OrganizationFilter, OrganizationRelation, PersonRelation, QuoteRelation,
};
use async_graphql::{Context, Enum, ID, Object};
use std::sync::Arc;

/// What sort of organization it is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "OrganizationKind", remote = "crate::domain::OrgKind")]
pub enum OrganizationKind {
    /// A wire service such as AFP or Reuters.
    NewsAgency,
    /// A newspaper, broadcaster or site such as the Guardian.
    NewsOutlet,
    /// A state, or a government body.
    Government,
    /// A body of states, such as the UN or the EU.
    InternationalOrg,
    Military,
    /// A party, movement or armed group.
    PoliticalGroup,
    Company,
    Other,
}

/// An organization.
#[derive(Clone)]
pub struct OrganizationNode(pub Arc<Organization>);

/// An organization: a government, an international body, a company, or a news source that reports statements.
#[Object(name = "Organization", cache_control(max_age = 300))]
impl OrganizationNode {
    /// The global id (Relay `Node`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Organization, self.0.id.as_str())
    }

    /// The organization's own id, stable across re-imports.
    async fn key(&self) -> &str {
        self.0.id.as_str()
    }

    /// The recorded changes of this entity (its aliases, merges), newest first (at most 100).
    async fn history(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::corrections::CorrectionNode>> {
        let kind = Some(crate::domain::EntityKind::Organization);
        super::corrections::history(ctx, kind, vec![self.0.id.to_string()]).await
    }

    /// The full name, e.g. "Agence France-Presse".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Other names and acronyms, e.g. "AFP".
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }

    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }

    /// Whether it is a news agency or outlet, i.e. can be the `via` of a quote.
    async fn is_source(&self) -> bool {
        self.0.kind.is_source()
    }

    /// Organizations that are members (or parts) of this one.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<OrganizationNode>> {
        related_page(ctx, OrganizationRelation::MembersOf, self.0.id.as_str(), first, after, OrganizationNode).await
    }

    /// Organizations this one is a member (or part) of.
    async fn member_of(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrganizationNode>> {
        Ok(load_all(ctx, &self.0.member_of).await?.into_iter().map(OrganizationNode).collect())
    }

    /// People affiliated with this organization.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn people(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<PersonNode>> {
        related_page(ctx, PersonRelation::AffiliatedWith, self.0.id.as_str(), first, after, PersonNode).await
    }

    /// Statements this source reported (it is in their `via`).
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn quotes_reported(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<QuoteNode>> {
        related_page(ctx, QuoteRelation::Via, self.0.id.as_str(), first, after, QuoteNode).await
    }

    /// Statements made by this organization's people or by anonymous speakers tied to it.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn quotes_by(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<QuoteNode>> {
        related_page(ctx, QuoteRelation::ByOrganization, self.0.id.as_str(), first, after, QuoteNode).await
    }

    /// Articles that mention this organization.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<ArticleNode>> {
        related_page(ctx, ArticleRelation::MentionsOrganization, self.0.id.as_str(), first, after, ArticleNode).await
    }

    /// Articles this outlet published.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn published(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<ArticleNode>> {
        related_page(ctx, ArticleRelation::PublishedBy, self.0.id.as_str(), first, after, ArticleNode).await
    }
}

/// Root fields about organizations.
#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    /// The organization whose name or alias is `name`, ignoring case ("afp" finds Agence France-Presse).
    async fn organization(&self, ctx: &Context<'_>, name: String) -> ApiResult<OrganizationNode> {
        let name = check_name(&name)?;
        store(ctx)?
            .organization_by_name(name)
            .await?
            .map(|o| OrganizationNode(Arc::new(o)))
            .ok_or_else(|| ApiError::not_found(format!("no organization named `{}`", ids::preview(name))))
    }

    /// Organizations matching `filter` and of the given `kinds` (all when absent), by name unless `orderBy` says otherwise.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrganizationFilterInput>,
        kinds: Option<Vec<OrganizationKind>>,
        #[graphql(default)] order_by: NameOrder,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<OrganizationNode>> {
        let mut filter = filters::organization_filter(filter.as_ref())?;
        if let Some(kinds) = kinds {
            filter.all_of.push(OrganizationFilter {
                kinds: Some(kinds.into_iter().map(Into::into).collect()),
                ..OrganizationFilter::default()
            });
        }
        list(ctx, &filter, order_by.into(), PageArgs::new(first, after)?).await
    }

    /// The news agencies and outlets that statements come through, by name.
    #[graphql(complexity = "connection::cost(first, child_complexity)", cache_control(max_age = 60))]
    async fn sources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<OrganizationNode>> {
        let filter = OrganizationFilter { kinds: Some(OrgKind::SOURCES.to_vec()), ..OrganizationFilter::default() };
        list(ctx, &filter, NameSort::Name, PageArgs::new(first, after)?).await
    }
}

async fn list(
    ctx: &Context<'_>,
    filter: &OrganizationFilter,
    sort: NameSort,
    args: PageArgs,
) -> ApiResult<Conn<OrganizationNode>> {
    let store = store(ctx)?;
    let items = store.find_organizations(filter, sort, &args.store_page()).await?;
    let total = total_if_wanted(ctx, store.count_organizations(filter)).await?;
    Ok(connection::from_store_page(
        items,
        &args,
        total,
        |o| After { key: organization_sort_key(o, sort), id: o.id.to_string() },
        |o| OrganizationNode(Arc::new(o)),
    ))
}
