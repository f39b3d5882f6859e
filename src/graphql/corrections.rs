//! Editors' corrections over GraphQL (see [`crate::corrections`]): the
//! mutations that correct, reject, restore and undo, and add or remove
//! aliases (they need an API key
//! with the `edit` scope), the `Correction` type of the audit log, the
//! `history` of quotes, people, organizations and statements, and the root
//! `corrections` list.

use super::access::{Caller, Scope, WritePolicy};
use super::connection::{self, Conn, PageArgs};
use super::context::{store, total_if_wanted};
use super::error::{ApiError, ApiResult};
use super::ids::{self, NodeType};
use super::quotes::QuoteNode;
use crate::corrections::{
    self, AuditEntry, AuditFilter, Corrected, CorrectionError, Corrections, EntityKind, QuoteCorrection, QuoteEdit,
    QuoteField, SpeakerChoice,
};
use crate::domain::{OrganizationId, PersonId, QuoteId, Span};
use crate::store::{After, SharedStore};
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// One recorded change, append-only.
pub struct CorrectionNode(pub AuditEntry);

/// The kinds of entity a correction changes.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CorrectedEntity")]
pub enum CorrectedEntity {
    Quote,
    Person,
    Organization,
    Statement,
}

impl From<EntityKind> for CorrectedEntity {
    fn from(kind: EntityKind) -> Self {
        match kind {
            EntityKind::Quote => CorrectedEntity::Quote,
            EntityKind::Person => CorrectedEntity::Person,
            EntityKind::Organization => CorrectedEntity::Organization,
            EntityKind::Statement => CorrectedEntity::Statement,
        }
    }
}

impl From<CorrectedEntity> for EntityKind {
    fn from(kind: CorrectedEntity) -> Self {
        match kind {
            CorrectedEntity::Quote => EntityKind::Quote,
            CorrectedEntity::Person => EntityKind::Person,
            CorrectedEntity::Organization => EntityKind::Organization,
            CorrectedEntity::Statement => EntityKind::Statement,
        }
    }
}

/// The fields a correction changes. `REJECTED` is a rejection (`after: true`) or a restore (`after: false`).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CorrectedField")]
pub enum CorrectedField {
    Speaker,
    Text,
    Direct,
    Via,
    Span,
    Rejected,
    /// The aliases of a person or an organization.
    Aliases,
    /// A person merged into another (`after`: the survivor's key).
    MergedInto,
}

impl From<QuoteField> for CorrectedField {
    fn from(field: QuoteField) -> Self {
        match field {
            QuoteField::Speaker => CorrectedField::Speaker,
            QuoteField::Text => CorrectedField::Text,
            QuoteField::Direct => CorrectedField::Direct,
            QuoteField::Via => CorrectedField::Via,
            QuoteField::Span => CorrectedField::Span,
            QuoteField::Rejected => CorrectedField::Rejected,
            QuoteField::Aliases => CorrectedField::Aliases,
            QuoteField::MergedInto => CorrectedField::MergedInto,
        }
    }
}

impl From<CorrectedField> for QuoteField {
    fn from(field: CorrectedField) -> Self {
        match field {
            CorrectedField::Speaker => QuoteField::Speaker,
            CorrectedField::Text => QuoteField::Text,
            CorrectedField::Direct => QuoteField::Direct,
            CorrectedField::Via => QuoteField::Via,
            CorrectedField::Span => QuoteField::Span,
            CorrectedField::Rejected => QuoteField::Rejected,
            CorrectedField::Aliases => QuoteField::Aliases,
            CorrectedField::MergedInto => QuoteField::MergedInto,
        }
    }
}

/// A change recorded in the audit log: who made it, when, to which entity
/// and field, the value before and after (as stored, in JSON), and why.
#[Object(name = "Correction")]
impl CorrectionNode {
    /// The entry's id (what `undoCorrection` takes). Ids sort by time.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// When the change was made.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// Who made it: the API key's name (`development` on a server without keys).
    async fn by(&self) -> &str {
        &self.0.by
    }

    /// The kind of entity changed.
    async fn entity(&self) -> CorrectedEntity {
        self.0.entity.into()
    }

    /// The changed entity's own id (its `key`).
    async fn entity_key(&self) -> &str {
        &self.0.entity_id
    }

    /// The field changed.
    async fn field(&self) -> CorrectedField {
        self.0.field.into()
    }

    /// The value before, as stored (a speaker is `{kind, person}` or `{kind, description, affiliation}`).
    async fn before(&self) -> Json<serde_json::Value> {
        Json(self.0.before.clone())
    }

    /// The value after.
    async fn after(&self) -> Json<serde_json::Value> {
        Json(self.0.after.clone())
    }

    /// Why, as the editor said.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// The entity's version after this change.
    async fn version(&self) -> i64 {
        i64::try_from(self.0.version).unwrap_or(i64::MAX)
    }

    /// The correction this one undid, when it is an undo.
    async fn undoes(&self) -> Option<ID> {
        self.0.undoes.clone().map(ID)
    }
}

/// Which corrections to list; the fields combine with AND.
#[derive(InputObject, Default)]
pub struct CorrectionFilter {
    pub entity: Option<CorrectedEntity>,
    /// Corrections of these entities (global ids or keys).
    pub ids: Option<Vec<ID>>,
    pub field: Option<CorrectedField>,
    /// Made by this API key name.
    pub by: Option<String>,
    /// Made at or after.
    pub since: Option<DateTime<Utc>>,
    /// Made at or before.
    pub until: Option<DateTime<Utc>>,
}

/// A quote's speaker as an editor names it: exactly one of the fields.
#[derive(InputObject)]
pub struct SpeakerInput {
    /// A person (global id or key).
    pub person: Option<ID>,
    /// An organization speaking as such (global id or key).
    pub organization: Option<ID>,
    /// `true`: the quote has no known speaker.
    pub none: Option<bool>,
}

/// A span in the article body, in code points, end exclusive.
#[derive(InputObject)]
pub struct SpanInput {
    pub start: i32,
    pub end: i32,
}

/// A correction of a quote: the fields to set (the others stay as they are).
#[derive(InputObject)]
pub struct CorrectQuoteInput {
    /// The quote (global id or key).
    pub quote: ID,
    /// The quote's `version` as read: a stale one is refused with `CONFLICT`.
    pub expected_version: i64,
    pub speaker: Option<SpeakerInput>,
    pub text: Option<String>,
    pub direct: Option<bool>,
    /// The news sources it came through (global ids or keys of news agencies or outlets).
    pub via: Option<Vec<ID>>,
    pub span: Option<SpanInput>,
    /// Why (kept in the audit log).
    pub reason: Option<String>,
}

/// What a correction did.
#[derive(SimpleObject)]
pub struct CorrectionPayload {
    /// The quote as it now stands (a rejected quote too); null for a change of aliases.
    pub quote: Option<QuoteNode>,
    /// The aliases as they now stand, for a change of a person's or an organization's aliases.
    pub aliases: Option<Vec<String>>,
    /// The changed entity's new version (how many recorded changes it has had).
    pub version: i64,
    /// The entries recorded, one per field changed.
    pub corrections: Vec<CorrectionNode>,
}

/// The correction mutations.
#[derive(Default)]
pub struct CorrectionMutation;

#[Object]
impl CorrectionMutation {
    /// Corrects a quote's speaker, text, direct flag, sources or span, and
    /// records each change. Needs a key with the `edit` scope. Errors:
    /// `CONFLICT` (stale `expectedVersion`), `NOT_FOUND`, `WRONG_KIND` (an
    /// organization named as a person, a source that is not a news agency or
    /// outlet…), `SPAN_OUTSIDE_BODY`, `QUOTE_REJECTED`, `NO_CHANGE`. Re-ingesting
    /// the article never undoes it.
    async fn correct_quote(&self, ctx: &Context<'_>, input: CorrectQuoteInput) -> ApiResult<CorrectionPayload> {
        let by = authorize(ctx)?;
        let store = store(ctx)?;
        let quote = quote_id(&input.quote)?;
        let mut edit = QuoteEdit::default();
        if let Some(speaker) = &input.speaker {
            let choice = speaker_choice(speaker)?;
            edit.speaker = Some(corrections::resolve_speaker(store.as_ref(), &choice).await.map_err(api_error)?);
        }
        edit.text = input.text;
        edit.direct = input.direct;
        if let Some(via) = &input.via {
            edit.via = Some(
                via.iter()
                    .map(|id| typed_id(id, NodeType::Organization, OrganizationId::parse))
                    .collect::<ApiResult<_>>()?,
            );
        }
        if let Some(span) = &input.span {
            if span.start < 0 || span.end < 0 {
                return Err(ApiError::Refused {
                    code: corrections::SPAN_OUTSIDE_BODY,
                    message: "a span's ends are not negative".into(),
                });
            }
            edit.span = Some(Span { start: span.start as usize, end: span.end as usize });
        }
        let version = version(input.expected_version)?;
        run(
            ctx,
            store,
            QuoteCorrection { by, quote, expected_version: version, edit, reason: input.reason, undoes: None },
        )
        .await
    }

    /// Rejects a quote: it leaves every list, count and statement, and stays
    /// reachable by id (`node`) with its history. Needs the `edit` scope.
    async fn reject_quote(
        &self,
        ctx: &Context<'_>,
        quote: ID,
        expected_version: i64,
        reason: String,
    ) -> ApiResult<CorrectionPayload> {
        let by = authorize(ctx)?;
        let store = store(ctx)?;
        let edit = QuoteEdit { rejected: Some(true), ..QuoteEdit::default() };
        let correction = QuoteCorrection {
            by,
            quote: quote_id(&quote)?,
            expected_version: version(expected_version)?,
            edit,
            reason: Some(reason),
            undoes: None,
        };
        run(ctx, store, correction).await
    }

    /// Restores a rejected quote. Needs the `edit` scope.
    async fn restore_quote(
        &self,
        ctx: &Context<'_>,
        quote: ID,
        expected_version: i64,
        reason: Option<String>,
    ) -> ApiResult<CorrectionPayload> {
        let by = authorize(ctx)?;
        let store = store(ctx)?;
        let edit = QuoteEdit { rejected: Some(false), ..QuoteEdit::default() };
        let correction = QuoteCorrection {
            by,
            quote: quote_id(&quote)?,
            expected_version: version(expected_version)?,
            edit,
            reason,
            undoes: None,
        };
        run(ctx, store, correction).await
    }

    /// Undoes a recorded change (a `Correction` id): its field goes back to
    /// the value before, as a new recorded change. `CONFLICT` when the field
    /// changed again since (undo the later change first). Needs the `edit` scope.
    async fn undo_correction(&self, ctx: &Context<'_>, id: ID, reason: Option<String>) -> ApiResult<CorrectionPayload> {
        let by = authorize(ctx)?;
        let store = store(ctx)?;
        let engine = engine(ctx)?;
        let (corrected, entries) = engine.undo(store.as_ref(), by, id.as_str(), reason).await.map_err(api_error)?;
        Ok(payload(corrected, entries))
    }

    /// Adds an alias to a person or an organization (global id, or key of a
    /// person, else of an organization); later ingests that use the alias
    /// find the entity. `ALIAS_TAKEN` when another entity of the kind answers
    /// to it, `NO_CHANGE` when this one does. Needs the `edit` scope.
    async fn add_alias(
        &self,
        ctx: &Context<'_>,
        entity: ID,
        alias: String,
        reason: Option<String>,
    ) -> ApiResult<CorrectionPayload> {
        alias_change(ctx, entity, corrections::AliasChange::Add(alias), reason).await
    }

    /// Removes an alias of a person or an organization (`NOT_FOUND` when it
    /// has no such alias). Needs the `edit` scope.
    async fn remove_alias(
        &self,
        ctx: &Context<'_>,
        entity: ID,
        alias: String,
        reason: Option<String>,
    ) -> ApiResult<CorrectionPayload> {
        alias_change(ctx, entity, corrections::AliasChange::Remove(alias), reason).await
    }
}

/// What a merge did.
#[derive(SimpleObject)]
pub struct MergePayload {
    /// The person that remains, with the merged one's name among its aliases.
    pub survivor: super::people::PersonNode,
    /// The entries recorded: `MERGED_INTO` on the merged person, `ALIASES` on the survivor.
    pub corrections: Vec<CorrectionNode>,
}

/// The merge mutations (they need an API key with the `admin` scope).
#[derive(Default)]
pub struct MergeMutation;

#[Object]
impl MergeMutation {
    /// Merges person `from` into person `into` (global ids or keys): its
    /// quotes, mentions, affiliations, name and aliases move to `into`; `from`
    /// leaves the graph, and its id still resolves (`node(id:)`) to `into`;
    /// later ingests that name it land on `into`. Errors: `NOT_FOUND`,
    /// `MERGE_INTO_SELF`, `MERGE_CYCLE` (merging into someone already merged
    /// into `from`, or merging someone merged already), `WRONG_KIND`.
    /// Needs the `admin` scope.
    async fn merge_people(
        &self,
        ctx: &Context<'_>,
        from: ID,
        into: ID,
        reason: Option<String>,
    ) -> ApiResult<MergePayload> {
        let policy = ctx.data::<WritePolicy>().map_err(|_| ApiError::Internal)?;
        let caller = ctx.data_opt::<Caller>().unwrap_or(&Caller::Anonymous);
        let by = policy.authorize(caller, Scope::Admin)?.0;
        let store = store(ctx)?;
        let from = typed_id(&from, NodeType::Person, PersonId::parse)?;
        let into = typed_id(&into, NodeType::Person, PersonId::parse)?;
        let (survivor, entries) =
            engine(ctx)?.merge_people(store.as_ref(), by, &from, &into, reason).await.map_err(api_error)?;
        Ok(MergePayload {
            survivor: super::people::PersonNode(Arc::new(survivor)),
            corrections: entries.into_iter().map(CorrectionNode).collect(),
        })
    }
}

/// The person a merged person's id now resolves to, for `node(id:)`.
pub async fn merged_person(ctx: &Context<'_>, id: &PersonId) -> ApiResult<Option<super::people::PersonNode>> {
    let store = store(ctx)?;
    let survivor = corrections::survivor_of(store.as_ref(), id.as_str()).await?;
    if survivor == id.as_str() {
        return Ok(None);
    }
    let survivor = PersonId::parse(survivor).map_err(|_| ApiError::Internal)?;
    Ok(store.people(&[survivor]).await?.pop().map(|p| super::people::PersonNode(Arc::new(p))))
}

async fn alias_change(
    ctx: &Context<'_>,
    entity: ID,
    change: corrections::AliasChange,
    reason: Option<String>,
) -> ApiResult<CorrectionPayload> {
    let by = authorize(ctx)?;
    let store = store(ctx)?;
    let target = match ids::decode(&entity) {
        Ok((NodeType::Person, key)) => corrections::Named::Person(parse_key(&entity, key, PersonId::parse)?),
        Ok((NodeType::Organization, key)) => {
            corrections::Named::Organization(parse_key(&entity, key, OrganizationId::parse)?)
        }
        Ok((other, _)) => {
            return Err(ApiError::Refused {
                code: corrections::WRONG_KIND,
                message: format!(
                    "`{}` is the id of a {}: aliases belong to people and organizations",
                    ids::preview(&entity),
                    other.as_str()
                ),
            });
        }
        Err(_) => {
            let person = parse_key(&entity, entity.to_string(), PersonId::parse)?;
            if store.people(std::slice::from_ref(&person)).await?.is_empty() {
                corrections::Named::Organization(parse_key(&entity, entity.to_string(), OrganizationId::parse)?)
            } else {
                corrections::Named::Person(person)
            }
        }
    };
    let (corrected, entries) =
        engine(ctx)?.change_alias(store.as_ref(), by, &target, change, reason).await.map_err(api_error)?;
    Ok(payload(corrected, entries))
}

fn parse_key<T>(raw: &ID, key: String, parse: fn(String) -> Result<T, crate::domain::IdError>) -> ApiResult<T> {
    parse(key).map_err(|e| ApiError::bad_input(format!("`{}` is not a valid id: {e}", ids::preview(raw))))
}

/// The root list of corrections.
#[derive(Default)]
pub struct CorrectionQuery;

#[Object]
impl CorrectionQuery {
    /// Every recorded change matching `filter`, newest first.
    #[graphql(complexity = "connection::cost(first, child_complexity)")]
    async fn corrections(
        &self,
        ctx: &Context<'_>,
        filter: Option<CorrectionFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<CorrectionNode>> {
        let filter = audit_filter(filter.unwrap_or_default())?;
        let args = PageArgs::new(first, after)?;
        let store = store(ctx)?;
        let before = args.after.as_ref().map(|a| a.id.as_str());
        let items = store.audit_entries(&filter, args.first + 1, before).await?;
        let total = total_if_wanted(ctx, store.count_audit_entries(&filter)).await?;
        Ok(connection::from_store_page(
            items,
            &args,
            total,
            |e| After { key: e.id.clone(), id: e.id.clone() },
            CorrectionNode,
        ))
    }
}

/// The recorded changes of `entities` (their keys), newest first, at most 100.
pub async fn history(
    ctx: &Context<'_>,
    kind: Option<EntityKind>,
    entities: Vec<String>,
) -> ApiResult<Vec<CorrectionNode>> {
    if entities.is_empty() {
        return Ok(Vec::new());
    }
    let filter = AuditFilter { entity: kind, entity_ids: entities, ..AuditFilter::default() };
    let entries = store(ctx)?.audit_entries(&filter, connection::MAX_PAGE_SIZE, None).await?;
    Ok(entries.into_iter().map(CorrectionNode).collect())
}

/// A quote's version, rejection and corrected fields.
pub async fn standing(ctx: &Context<'_>, quote: &QuoteId) -> ApiResult<(u64, bool, Vec<QuoteField>)> {
    let decisions = store(ctx)?.quote_decisions(std::slice::from_ref(quote)).await?.pop();
    Ok(decisions.map(|d| (d.version, d.rejected, d.corrected)).unwrap_or_default())
}

/// A rejected quote, which `node(id:)` still resolves.
pub async fn rejected_quote(ctx: &Context<'_>, quote: &QuoteId) -> ApiResult<Option<QuoteNode>> {
    let decisions = store(ctx)?.quote_decisions(std::slice::from_ref(quote)).await?.pop();
    Ok(decisions.filter(|d| d.rejected).map(|d| QuoteNode(Arc::new(d.quote_as_corrected))))
}

async fn run(ctx: &Context<'_>, store: &SharedStore, correction: QuoteCorrection) -> ApiResult<CorrectionPayload> {
    let (quote, entries) = engine(ctx)?.correct(store.as_ref(), correction).await.map_err(api_error)?;
    Ok(payload(Corrected::Quote(quote), entries))
}

fn payload(corrected: Corrected, entries: Vec<AuditEntry>) -> CorrectionPayload {
    let corrections = entries.into_iter().map(CorrectionNode).collect();
    match corrected {
        Corrected::Quote(quote) => CorrectionPayload {
            quote: Some(QuoteNode(Arc::new(quote.quote))),
            aliases: None,
            version: i64::try_from(quote.version).unwrap_or(i64::MAX),
            corrections,
        },
        Corrected::Aliases { aliases, version, .. } => CorrectionPayload {
            quote: None,
            aliases: Some(aliases),
            version: i64::try_from(version).unwrap_or(i64::MAX),
            corrections,
        },
    }
}

fn engine<'a>(ctx: &Context<'a>) -> ApiResult<&'a Corrections> {
    ctx.data::<Arc<Corrections>>().map(|c| c.as_ref()).map_err(|_| ApiError::Internal)
}

/// The author of a correction, when the caller may make one (`edit` scope).
fn authorize(ctx: &Context<'_>) -> ApiResult<String> {
    let policy = ctx.data::<WritePolicy>().map_err(|_| ApiError::Internal)?;
    let caller = ctx.data_opt::<Caller>().unwrap_or(&Caller::Anonymous);
    Ok(policy.authorize(caller, Scope::Edit)?.0)
}

fn version(raw: i64) -> ApiResult<u64> {
    u64::try_from(raw).map_err(|_| ApiError::bad_input("`expectedVersion` is not negative"))
}

fn quote_id(raw: &ID) -> ApiResult<QuoteId> {
    typed_id(raw, NodeType::Quote, QuoteId::parse)
}

/// A global id of `expected`'s type, or a key. A global id of another type is `WRONG_KIND`.
fn typed_id<T>(raw: &ID, expected: NodeType, parse: fn(String) -> Result<T, crate::domain::IdError>) -> ApiResult<T> {
    let key = match ids::decode(raw) {
        Ok((node_type, _)) if node_type != expected => {
            return Err(ApiError::Refused {
                code: corrections::WRONG_KIND,
                message: format!(
                    "`{}` is the id of a {}, not of a {}",
                    ids::preview(raw),
                    node_type.as_str(),
                    expected.as_str()
                ),
            });
        }
        Ok((_, key)) => key,
        Err(_) => raw.to_string(),
    };
    parse(key).map_err(|e| ApiError::bad_input(format!("`{}` is not a valid id: {e}", ids::preview(raw))))
}

fn speaker_choice(input: &SpeakerInput) -> ApiResult<SpeakerChoice> {
    match (&input.person, &input.organization, input.none) {
        (Some(person), None, None | Some(false)) => {
            Ok(SpeakerChoice::Person(typed_id(person, NodeType::Person, PersonId::parse)?))
        }
        (None, Some(org), None | Some(false)) => {
            Ok(SpeakerChoice::Organization(typed_id(org, NodeType::Organization, OrganizationId::parse)?))
        }
        (None, None, Some(true)) => Ok(SpeakerChoice::Nobody),
        _ => Err(ApiError::bad_input("a speaker is exactly one of `person`, `organization` and `none: true`")),
    }
}

fn audit_filter(input: CorrectionFilter) -> ApiResult<AuditFilter> {
    if let (Some(since), Some(until)) = (input.since, input.until)
        && since > until
    {
        return Err(ApiError::bad_input("`since` must not be after `until`"));
    }
    let entity_ids = input
        .ids
        .unwrap_or_default()
        .iter()
        .map(|id| match ids::decode(id) {
            Ok((_, key)) => Ok(key),
            Err(_) => crate::domain::validate_id(id)
                .map(|_| id.to_string())
                .map_err(|e| ApiError::bad_input(format!("`{}` is not a valid id: {e}", ids::preview(id)))),
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(AuditFilter {
        ids: Vec::new(),
        entity: input.entity.map(Into::into),
        entity_ids,
        field: input.field.map(Into::into),
        by: input.by,
        since: input.since,
        until: input.until,
    })
}

fn api_error(error: CorrectionError) -> ApiError {
    match error {
        CorrectionError::NotFound(message) => ApiError::NotFound(message),
        CorrectionError::Conflict(message) => ApiError::Conflict(message),
        CorrectionError::Refused { code: "BAD_USER_INPUT", message } => ApiError::BadUserInput(message),
        CorrectionError::Refused { code, message } => ApiError::Refused { code, message },
        CorrectionError::Store(e) => e.into(),
    }
}
