//! Editors' corrections of quotes, each recorded in an append-only audit log.
//!
//! A correction changes a quote's speaker, text, direct flag, sources (`via`)
//! or span, or rejects it (it leaves the lists, counts and statements, and
//! stays reachable by id with its history) or restores it. Every change
//! appends an [`AuditEntry`] per field: who (the API key's name), when, the
//! entity and field, the value before and after, the reason. An undo is a
//! correction too, recorded like any other.
//!
//! **What is written.** A correction is one [`CorrectionWrite`]: the audit
//! entries, the quote's [`QuoteDecisions`] (its version, the fields humans
//! set, whether it is rejected, the quote as corrected) and the quote's
//! article rewritten with its quotes as corrected, through the same batch
//! write as ingest, so statements, counters, full-text rows and the change
//! sequence follow (a quote whose speaker changes leaves its statement and
//! joins or founds the right one).
//!
//! **Together or not at all.** The embedded store writes the three in one
//! transaction. MongoDB (FerretDB in tests) has no transactions, so its write
//! is ordered and idempotent (see `store::mongo::corrections`): an intent
//! document holding the whole correction, under the deterministic id
//! `<quote>@<version>`, is inserted first (its unique id also refuses a second
//! correction based on the same version); then the audit entries (fixed ids),
//! the decisions (compare-and-set on the version), the batch, and last the
//! intent is marked applied. An intent left pending by a crash is finished
//! (rolled forward, every step again) before the next correction and before
//! the audit log is read, so no applied change lacks its entry and readers
//! never see entries of a correction that is not applied.
//!
//! **Optimistic concurrency.** Each quote has a `version` (the number of
//! corrections it has had); a correction names the version it was based on
//! and a stale one fails with [`CorrectionError::Conflict`]. Corrections in
//! one process also take one lock, so two corrections of quotes of the same
//! article never rewrite it from the same read.
//!
//! The aliases of people and organizations are corrected the same way
//! ([`Corrections::change_alias`]): the entity rewritten and its entry, together.
//!
//! **Human decisions win on re-ingest.** Decisions are kept by quote id and by
//! an [`anchor`]: the article's URL (else its id) and the quote's words as
//! first extracted. Ingest looks up the decisions of the quotes it extracted
//! by both and applies them ([`apply_decisions`]): a corrected field keeps its
//! human value, a rejected quote stays out, whether the article is ingested
//! again as it was, as a changed version (same URL, new body, new article id)
//! or from a feed.

pub use crate::domain::correction::{AuditEntry, AuditFilter, EntityKind, QuoteDecisions, QuoteField, anchor};
pub use crate::store::corrections::CorrectionWrite;

use crate::domain::{Article, OrganizationId, Person, PersonId, Quote, QuoteId, Span, Speaker, name_key};
use crate::store::{GraphBatch, QuoteRelation, Store, StoreError};
use chrono::Utc;
use std::collections::HashMap;

/// The longest corrected quote text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// The longest reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// Why a correction was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    #[error("{0}")]
    NotFound(String),
    /// The correction was based on a version that is no longer the current one.
    #[error("{0}")]
    Conflict(String),
    /// The correction breaks a rule; `code` says which.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CorrectionError {
    fn refused(code: &'static str, message: impl Into<String>) -> Self {
        CorrectionError::Refused { code, message: message.into() }
    }
}

/// The code of a span that does not lie inside its article's body.
pub const SPAN_OUTSIDE_BODY: &str = "SPAN_OUTSIDE_BODY";
/// The code of a speaker or source of the wrong kind (an organization given
/// as a person, a government given as a news source…).
pub const WRONG_KIND: &str = "WRONG_KIND";
/// The code of a correction that changes nothing.
pub const NO_CHANGE: &str = "NO_CHANGE";
/// The code of a field correction of a rejected quote (restore it first).
pub const QUOTE_REJECTED: &str = "QUOTE_REJECTED";

/// A speaker as an editor names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeakerChoice {
    Person(PersonId),
    /// The organization speaks (an anonymous speaker described by its name and tied to it).
    Organization(OrganizationId),
    Nobody,
}

/// The fields a correction sets; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuoteEdit {
    pub speaker: Option<Option<Speaker>>,
    pub text: Option<String>,
    pub direct: Option<bool>,
    pub via: Option<Vec<OrganizationId>>,
    pub span: Option<Span>,
    /// `Some(true)` rejects the quote, `Some(false)` restores it.
    pub rejected: Option<bool>,
}

/// A correction as asked: by whom, of which quote, based on which version, and why.
#[derive(Debug, Clone)]
pub struct QuoteCorrection {
    pub by: String,
    pub quote: QuoteId,
    pub expected_version: u64,
    pub edit: QuoteEdit,
    pub reason: Option<String>,
    /// The entry an undo undoes.
    pub undoes: Option<String>,
}

/// A quote with what humans decided about it.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectedQuote {
    pub quote: Quote,
    pub version: u64,
    pub rejected: bool,
    pub corrected: Vec<QuoteField>,
}

/// Serializes corrections within a process (see the module docs).
#[derive(Debug, Default)]
pub struct Corrections {
    lock: tokio::sync::Mutex<()>,
}

impl Corrections {
    /// Applies `correction` to the quote, or says why not.
    pub async fn correct(
        &self,
        store: &dyn Store,
        correction: QuoteCorrection,
    ) -> Result<(CorrectedQuote, Vec<AuditEntry>), CorrectionError> {
        let _one_at_a_time = self.lock.lock().await;
        store.recover_corrections().await?;
        correct_locked(store, correction).await
    }

    /// Undoes the change recorded as `entry`: sets its field back to the value
    /// before, as a new recorded change. Refused with a conflict when the field
    /// has changed since (undo the later change first).
    pub async fn undo(
        &self,
        store: &dyn Store,
        by: String,
        entry: &str,
        reason: Option<String>,
    ) -> Result<(Corrected, Vec<AuditEntry>), CorrectionError> {
        let _one_at_a_time = self.lock.lock().await;
        store.recover_corrections().await?;
        let filter = AuditFilter { ids: vec![entry.to_owned()], ..AuditFilter::default() };
        let found = store.audit_entries(&filter, 1, None).await?.pop();
        let entry = found.ok_or_else(|| CorrectionError::NotFound(format!("no correction `{entry}`")))?;
        let reason = reason.or_else(|| Some(format!("undo of {}", entry.id)));
        let bad = |e: serde_json::Error| StoreError::Internal(format!("an audit entry does not decode: {e}"));
        if entry.field == QuoteField::Aliases {
            let target = match entry.entity {
                EntityKind::Person => Named::Person(
                    PersonId::parse(entry.entity_id.clone()).map_err(|e| StoreError::Internal(e.to_string()))?,
                ),
                _ => Named::Organization(
                    OrganizationId::parse(entry.entity_id.clone()).map_err(|e| StoreError::Internal(e.to_string()))?,
                ),
            };
            let (_, aliases) = named(store, &target).await?;
            if serde_json::to_value(&aliases).map_err(bad)? != entry.after {
                return Err(CorrectionError::Conflict(format!(
                    "the aliases of `{}` changed after correction `{}`: undo the later change first",
                    entry.entity_id, entry.id
                )));
            }
            let before: Vec<String> = serde_json::from_value(entry.before.clone()).map_err(bad)?;
            return set_aliases(store, by, &target, before, reason, Some(entry.id.clone())).await;
        }
        let quote = QuoteId::parse(entry.entity_id.clone()).map_err(|e| StoreError::Internal(e.to_string()))?;
        let current = current(store, &quote).await?;
        let now = entry.field.value_of(&current.quote, current.rejected);
        if now != entry.after {
            return Err(CorrectionError::Conflict(format!(
                "the {} of quote `{quote}` changed after correction `{}`: undo the later change first",
                entry.field.as_str(),
                entry.id
            )));
        }
        let mut edit = QuoteEdit::default();
        match entry.field {
            QuoteField::Speaker => edit.speaker = Some(serde_json::from_value(entry.before.clone()).map_err(bad)?),
            QuoteField::Text => edit.text = Some(serde_json::from_value(entry.before.clone()).map_err(bad)?),
            QuoteField::Direct => edit.direct = Some(serde_json::from_value(entry.before.clone()).map_err(bad)?),
            QuoteField::Via => edit.via = Some(serde_json::from_value(entry.before.clone()).map_err(bad)?),
            QuoteField::Span => edit.span = Some(serde_json::from_value(entry.before.clone()).map_err(bad)?),
            QuoteField::Rejected => edit.rejected = Some(serde_json::from_value(entry.before.clone()).map_err(bad)?),
            QuoteField::Aliases => {}
            QuoteField::MergedInto => {
                return Err(CorrectionError::refused(
                    NOT_UNDOABLE,
                    "a merge is not undone: add the person again and correct the quotes",
                ));
            }
        }
        let correction = QuoteCorrection {
            by,
            quote,
            expected_version: current.version,
            edit,
            reason,
            undoes: Some(entry.id.clone()),
        };
        let (quote, entries) = correct_locked(store, correction).await?;
        Ok((Corrected::Quote(quote), entries))
    }

    /// Adds or removes an alias of a person or an organization, recorded.
    /// An alias another entity of the same kind answers to is refused
    /// (`ALIAS_TAKEN`): name look-ups stay unambiguous.
    pub async fn change_alias(
        &self,
        store: &dyn Store,
        by: String,
        target: &Named,
        change: AliasChange,
        reason: Option<String>,
    ) -> Result<(Corrected, Vec<AuditEntry>), CorrectionError> {
        let _one_at_a_time = self.lock.lock().await;
        store.recover_corrections().await?;
        let (name, mut aliases) = named(store, target).await?;
        match change {
            AliasChange::Add(alias) => {
                let alias = alias.split_whitespace().collect::<Vec<_>>().join(" ");
                if alias.is_empty() || alias.chars().count() > MAX_ALIAS_CHARS {
                    return Err(CorrectionError::refused(
                        "BAD_USER_INPUT",
                        format!("an alias has 1 to {MAX_ALIAS_CHARS} characters"),
                    ));
                }
                let key = name_key(&alias);
                if name_key(&name) == key || aliases.iter().any(|a| name_key(a) == key) {
                    return Err(CorrectionError::refused(
                        NO_CHANGE,
                        format!("`{alias}` is already a name of `{target}`"),
                    ));
                }
                let names = std::slice::from_ref(&alias);
                let taken = match target {
                    Named::Person(id) => store.people_by_names(names).await?.into_iter().any(|p| &p.id != id),
                    Named::Organization(id) => {
                        store.organizations_by_names(names).await?.into_iter().any(|o| &o.id != id)
                    }
                };
                if taken {
                    return Err(CorrectionError::refused(
                        ALIAS_TAKEN,
                        format!("another {} already answers to `{alias}`", target.kind().as_str()),
                    ));
                }
                aliases.push(alias);
            }
            AliasChange::Remove(alias) => {
                let key = name_key(&alias);
                let before = aliases.len();
                aliases.retain(|a| name_key(a) != key);
                if aliases.len() == before {
                    return Err(CorrectionError::NotFound(format!("`{target}` has no alias `{alias}`")));
                }
            }
        }
        set_aliases(store, by, target, aliases, reason, None).await
    }
}

/// The code of a change that cannot be undone (a merge).
pub const NOT_UNDOABLE: &str = "NOT_UNDOABLE";
/// The code of a merge of an entity into itself.
pub const MERGE_INTO_SELF: &str = "MERGE_INTO_SELF";
/// The code of a merge into an entity already merged into the one merged.
pub const MERGE_CYCLE: &str = "MERGE_CYCLE";

/// Follows merges from `id` to the person it now is (at most 16 steps).
pub async fn survivor_of(store: &dyn Store, id: &str) -> Result<String, StoreError> {
    let mut current = id.to_owned();
    for _ in 0..16 {
        match store.merged_into(std::slice::from_ref(&current)).await?.pop() {
            Some((_, into)) => current = into,
            None => break,
        }
    }
    Ok(current)
}

impl Corrections {
    /// Merges person `from` into `into`: `from`'s name and aliases become
    /// aliases of `into`, its affiliations join `into`'s, every quote it made
    /// and every article that mentions it name `into`; `from` is removed and
    /// its id resolves to `into`. Recorded on both (`MERGED_INTO` on `from`,
    /// `ALIASES` on `into`).
    pub async fn merge_people(
        &self,
        store: &dyn Store,
        by: String,
        from: &PersonId,
        into: &PersonId,
        reason: Option<String>,
    ) -> Result<(Person, Vec<AuditEntry>), CorrectionError> {
        let _one_at_a_time = self.lock.lock().await;
        store.recover_corrections().await?;
        if from == into {
            return Err(CorrectionError::refused(MERGE_INTO_SELF, format!("`{from}` cannot be merged into itself")));
        }
        let (from_now, into_now) = (survivor_of(store, from.as_str()).await?, survivor_of(store, into.as_str()).await?);
        if from_now != from.as_str() {
            return Err(CorrectionError::refused(
                MERGE_CYCLE,
                format!("`{from}` was merged into `{from_now}` already"),
            ));
        }
        if into_now == from.as_str() {
            return Err(CorrectionError::refused(
                MERGE_CYCLE,
                format!("`{into}` was merged into `{from}`: merging back would make a cycle"),
            ));
        }
        let into = PersonId::parse(into_now).map_err(|e| StoreError::Internal(e.to_string()))?;
        let people = store.people(&[from.clone(), into.clone()]).await?;
        let merged = people.iter().find(|p| &p.id == from).cloned();
        let survivor = people.iter().find(|p| p.id == into).cloned();
        let merged = merged.ok_or_else(|| CorrectionError::NotFound(format!("no person `{from}`")))?;
        let mut survivor = survivor.ok_or_else(|| CorrectionError::NotFound(format!("no person `{into}`")))?;
        let aliases_before = survivor.aliases.clone();
        let own = name_key(&survivor.name);
        for alias in std::iter::once(&merged.name).chain(&merged.aliases) {
            let key = name_key(alias);
            if key != own && !survivor.aliases.iter().any(|a| name_key(a) == key) {
                survivor.aliases.push(alias.clone());
            }
        }
        for org in &merged.affiliations {
            if !survivor.affiliations.contains(org) {
                survivor.affiliations.push(org.clone());
            }
        }
        if survivor.role.is_none() {
            survivor.role = merged.role.clone();
        }
        // Every article that mentions `from` or carries a quote of it, with all its quotes.
        let parent = [from.to_string()];
        let (spoken, mentioned) = futures_util::try_join!(
            store.related_quotes(QuoteRelation::BySpeaker, &parent),
            store.related_articles(crate::store::ArticleRelation::MentionsPerson, &parent)
        )?;
        let mut article_ids: Vec<crate::domain::ArticleId> =
            spoken.iter().map(|(_, q)| q.article.clone()).chain(mentioned.into_iter().map(|(_, a)| a.id)).collect();
        article_ids.sort();
        article_ids.dedup();
        let articles = store.articles(&article_ids).await?;
        let parents: Vec<String> = article_ids.iter().map(|a| a.to_string()).collect();
        let quotes = store.related_quotes(QuoteRelation::InArticle, &parents).await?;
        let mut batch = GraphBatch { people: vec![survivor.clone()], ..GraphBatch::default() };
        for mut article in articles {
            let mut people: Vec<PersonId> = Vec::new();
            for p in article.people.drain(..) {
                let p = if &p == from { into.clone() } else { p };
                if !people.contains(&p) {
                    people.push(p);
                }
            }
            article.people = people;
            batch.articles.push(article);
        }
        for (_, mut quote) in quotes {
            if quote.speaker.as_ref().and_then(Speaker::person) == Some(from) {
                quote.speaker = Some(Speaker::Person { person: into.clone() });
            }
            batch.quotes.push(quote);
        }
        let at = Utc::now();
        let version_of = |id: &str| {
            let filter = AuditFilter {
                entity: Some(EntityKind::Person),
                entity_ids: vec![id.to_owned()],
                ..AuditFilter::default()
            };
            async move { store.count_audit_entries(&filter).await.map(|n| n + 1) }
        };
        let (from_version, into_version) = (version_of(from.as_str()).await?, version_of(into.as_str()).await?);
        let entry = |id: &PersonId, version: u64, index: usize, field, before, after| AuditEntry {
            id: AuditEntry::make_id(&at, id.as_str(), version, index),
            at,
            by: by.clone(),
            entity: EntityKind::Person,
            entity_id: id.to_string(),
            field,
            before,
            after,
            reason: reason.clone(),
            version,
            undoes: None,
        };
        let mut entries = vec![entry(
            from,
            from_version,
            0,
            QuoteField::MergedInto,
            serde_json::Value::Null,
            serde_json::Value::String(into.to_string()),
        )];
        if survivor.aliases != aliases_before {
            entries.push(entry(
                &into,
                into_version,
                1,
                QuoteField::Aliases,
                serde_json::to_value(&aliases_before).unwrap_or_default(),
                serde_json::to_value(&survivor.aliases).unwrap_or_default(),
            ));
        }
        let merge = crate::store::corrections::PersonMerge { from: from.clone(), into: into.clone() };
        let write = CorrectionWrite {
            expected_version: 0,
            decisions: None,
            entries: entries.clone(),
            batch,
            merged: Some(merge),
        };
        store.write_correction(&write).await?;
        Ok((survivor, entries))
    }
}

/// The longest alias accepted, in characters.
pub const MAX_ALIAS_CHARS: usize = 200;
/// The code of an alias another entity of the same kind answers to.
pub const ALIAS_TAKEN: &str = "ALIAS_TAKEN";

/// A person or an organization, whose aliases a correction changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Person(PersonId),
    Organization(OrganizationId),
}

impl Named {
    pub fn kind(&self) -> EntityKind {
        match self {
            Named::Person(_) => EntityKind::Person,
            Named::Organization(_) => EntityKind::Organization,
        }
    }
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Named::Person(id) => id.fmt(f),
            Named::Organization(id) => id.fmt(f),
        }
    }
}

/// An alias to add or remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasChange {
    Add(String),
    Remove(String),
}

/// What a correction left.
#[derive(Debug, Clone, PartialEq)]
pub enum Corrected {
    Quote(CorrectedQuote),
    /// A person's or an organization's aliases, and how many recorded changes it has had.
    Aliases {
        target: Named,
        aliases: Vec<String>,
        version: u64,
    },
}

/// The name and aliases of a person or an organization.
async fn named(store: &dyn Store, target: &Named) -> Result<(String, Vec<String>), CorrectionError> {
    let found = match target {
        Named::Person(id) => store.people(std::slice::from_ref(id)).await?.pop().map(|p| (p.name, p.aliases)),
        Named::Organization(id) => {
            store.organizations(std::slice::from_ref(id)).await?.pop().map(|o| (o.name, o.aliases))
        }
    };
    found.ok_or_else(|| CorrectionError::NotFound(format!("no {} `{target}`", target.kind().as_str())))
}

/// Writes `target` with `aliases`, and its audit entry, together.
async fn set_aliases(
    store: &dyn Store,
    by: String,
    target: &Named,
    aliases: Vec<String>,
    reason: Option<String>,
    undoes: Option<String>,
) -> Result<(Corrected, Vec<AuditEntry>), CorrectionError> {
    let kind = target.kind();
    let id = target.to_string();
    let filter = AuditFilter { entity: Some(kind), entity_ids: vec![id.clone()], ..AuditFilter::default() };
    let version = store.count_audit_entries(&filter).await? + 1;
    let mut batch = GraphBatch::default();
    let before = match target {
        Named::Person(pid) => {
            let mut person = store
                .people(std::slice::from_ref(pid))
                .await?
                .pop()
                .ok_or_else(|| CorrectionError::NotFound(format!("no person `{pid}`")))?;
            let before = std::mem::replace(&mut person.aliases, aliases.clone());
            batch.people.push(person);
            before
        }
        Named::Organization(oid) => {
            let mut org = store
                .organizations(std::slice::from_ref(oid))
                .await?
                .pop()
                .ok_or_else(|| CorrectionError::NotFound(format!("no organization `{oid}`")))?;
            let before = std::mem::replace(&mut org.aliases, aliases.clone());
            batch.organizations.push(org);
            before
        }
    };
    let at = Utc::now();
    let entry = AuditEntry {
        id: AuditEntry::make_id(&at, &id, version, 0),
        at,
        by,
        entity: kind,
        entity_id: id,
        field: QuoteField::Aliases,
        before: serde_json::to_value(&before).unwrap_or_default(),
        after: serde_json::to_value(&aliases).unwrap_or_default(),
        reason,
        version,
        undoes,
    };
    let write =
        CorrectionWrite { expected_version: 0, decisions: None, entries: vec![entry.clone()], batch, merged: None };
    store.write_correction(&write).await?;
    Ok((Corrected::Aliases { target: target.clone(), aliases, version }, vec![entry]))
}

/// A quote as it stands, rejected or not, with its decisions.
pub async fn current(store: &dyn Store, id: &QuoteId) -> Result<CorrectedQuote, CorrectionError> {
    let ids = std::slice::from_ref(id);
    let (stored, decisions) = futures_util::try_join!(store.quotes(ids), store.quote_decisions(ids))?;
    let decisions = decisions.into_iter().next();
    let quote = match (stored.into_iter().next(), &decisions) {
        (Some(quote), _) => quote,
        (None, Some(d)) if d.rejected => d.quote_as_corrected.clone(),
        (None, _) => return Err(CorrectionError::NotFound(format!("no quote `{id}`"))),
    };
    Ok(match decisions {
        Some(d) => CorrectedQuote { quote, version: d.version, rejected: d.rejected, corrected: d.corrected },
        None => CorrectedQuote { quote, version: 0, rejected: false, corrected: Vec::new() },
    })
}

async fn correct_locked(
    store: &dyn Store,
    correction: QuoteCorrection,
) -> Result<(CorrectedQuote, Vec<AuditEntry>), CorrectionError> {
    let QuoteCorrection { by, quote: id, expected_version, edit, reason, undoes } = correction;
    if reason.as_ref().is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(CorrectionError::refused(
            "BAD_USER_INPUT",
            format!("a reason has at most {MAX_REASON_CHARS} characters"),
        ));
    }
    let before = current(store, &id).await?;
    if before.version != expected_version {
        return Err(CorrectionError::Conflict(format!(
            "quote `{id}` is at version {}, not {expected_version}: someone corrected it since you read it",
            before.version
        )));
    }
    let article = store
        .articles(std::slice::from_ref(&before.quote.article))
        .await?
        .pop()
        .ok_or_else(|| CorrectionError::NotFound(format!("the article of quote `{id}` is missing")))?;
    let fields_edited = edit.speaker.is_some()
        || edit.text.is_some()
        || edit.direct.is_some()
        || edit.via.is_some()
        || edit.span.is_some();
    if before.rejected && fields_edited {
        return Err(CorrectionError::refused(QUOTE_REJECTED, format!("quote `{id}` is rejected: restore it first")));
    }
    let mut after = edited(store, &article, &before.quote, &edit).await?;
    let rejected = edit.rejected.unwrap_or(before.rejected);
    if rejected {
        // A rejected quote reports no statement (it left it).
        after.statement = None;
    }
    let at = Utc::now();
    let version = before.version + 1;
    let mut entries = Vec::new();
    let mut corrected = before.corrected.clone();
    for field in QuoteField::ALL {
        let old = field.value_of(&before.quote, before.rejected);
        let new = field.value_of(&after, rejected);
        if old == new {
            continue;
        }
        if field != QuoteField::Rejected && !corrected.contains(&field) {
            corrected.push(field);
        }
        entries.push(AuditEntry {
            id: AuditEntry::make_id(&at, id.as_str(), version, entries.len()),
            at,
            by: by.clone(),
            entity: EntityKind::Quote,
            entity_id: id.to_string(),
            field,
            before: old,
            after: new,
            reason: reason.clone(),
            version,
            undoes: undoes.clone(),
        });
    }
    if entries.is_empty() {
        return Err(CorrectionError::refused(NO_CHANGE, format!("the correction changes nothing in quote `{id}`")));
    }
    corrected.sort();
    let anchor = match store.quote_decisions(std::slice::from_ref(&id)).await?.pop() {
        Some(d) => d.anchor,
        None => anchor(&article.id, article.url.as_deref(), &before.quote.text),
    };
    let decisions = QuoteDecisions {
        quote: id.clone(),
        anchor,
        version,
        corrected: corrected.clone(),
        rejected,
        quote_as_corrected: after.clone(),
    };
    let mut quotes: Vec<Quote> = store
        .related_quotes(QuoteRelation::InArticle, &[article.id.to_string()])
        .await?
        .into_iter()
        .map(|(_, q)| q)
        .filter(|q| q.id != id)
        .collect();
    if !rejected {
        quotes.push(after.clone());
    }
    quotes.sort_by(|a, b| a.id.cmp(&b.id));
    let batch = GraphBatch { articles: vec![article], quotes, ..GraphBatch::default() };
    let write =
        CorrectionWrite { expected_version, decisions: Some(decisions), entries: entries.clone(), batch, merged: None };
    store.write_correction(&write).await.map_err(|e| match e {
        StoreError::Conflict(message) => CorrectionError::Conflict(message),
        other => CorrectionError::Store(other),
    })?;
    // The stored quote carries the statement the write joined it to.
    let quote = if rejected { after } else { store.quotes(std::slice::from_ref(&id)).await?.pop().unwrap_or(after) };
    Ok((CorrectedQuote { quote, version, rejected, corrected }, entries))
}

/// `quote` with `edit`'s fields, each checked: the speaker and sources exist
/// and are of the right kind, the text is not empty, the span lies in the body.
async fn edited(
    store: &dyn Store,
    article: &Article,
    quote: &Quote,
    edit: &QuoteEdit,
) -> Result<Quote, CorrectionError> {
    let mut after = quote.clone();
    if let Some(speaker) = &edit.speaker {
        if let Some(Speaker::Person { person }) = speaker
            && store.people(std::slice::from_ref(person)).await?.is_empty()
        {
            return Err(CorrectionError::NotFound(format!("no person `{person}`")));
        }
        after.speaker = speaker.clone();
    }
    if let Some(text) = &edit.text {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
            return Err(CorrectionError::refused(
                "BAD_USER_INPUT",
                format!("a quote's text has 1 to {MAX_TEXT_CHARS} characters"),
            ));
        }
        after.text = text.to_owned();
    }
    if let Some(direct) = edit.direct {
        after.direct = direct;
    }
    if let Some(via) = &edit.via {
        let mut unique: Vec<OrganizationId> = Vec::new();
        for id in via {
            if !unique.contains(id) {
                unique.push(id.clone());
            }
        }
        let found = store.organizations(&unique).await?;
        for id in &unique {
            match found.iter().find(|o| &o.id == id) {
                None => return Err(CorrectionError::NotFound(format!("no organization `{id}`"))),
                Some(org) if !org.kind.is_source() => {
                    return Err(CorrectionError::refused(
                        WRONG_KIND,
                        format!("`{id}` is a {}, not a news agency or outlet", org.kind.as_str().replace('_', " ")),
                    ));
                }
                Some(_) => {}
            }
        }
        after.via = unique;
    }
    if let Some(span) = edit.span {
        if span.start >= span.end || span.slice(&article.body).is_none() {
            let length = article.body.chars().count();
            return Err(CorrectionError::refused(
                SPAN_OUTSIDE_BODY,
                format!("the span {}..{} is not a non-empty range inside the body (0..{length})", span.start, span.end),
            ));
        }
        after.span = span;
    }
    Ok(after)
}

/// The speaker an editor chose, checked: the person or organization exists
/// and is of the kind named.
pub async fn resolve_speaker(store: &dyn Store, choice: &SpeakerChoice) -> Result<Option<Speaker>, CorrectionError> {
    match choice {
        SpeakerChoice::Nobody => Ok(None),
        SpeakerChoice::Person(id) => {
            if !store.people(std::slice::from_ref(id)).await?.is_empty() {
                return Ok(Some(Speaker::Person { person: id.clone() }));
            }
            let as_org = OrganizationId::parse(id.to_string()).ok();
            if let Some(org) = as_org
                && !store.organizations(&[org]).await?.is_empty()
            {
                return Err(CorrectionError::refused(
                    WRONG_KIND,
                    format!("`{id}` is an organization, not a person: name it as `organization`"),
                ));
            }
            Err(CorrectionError::NotFound(format!("no person `{id}`")))
        }
        SpeakerChoice::Organization(id) => {
            if let Some(org) = store.organizations(std::slice::from_ref(id)).await?.pop() {
                return Ok(Some(Speaker::Anonymous { description: org.name, affiliation: Some(org.id) }));
            }
            let as_person = PersonId::parse(id.to_string()).ok();
            if let Some(person) = as_person
                && !store.people(&[person]).await?.is_empty()
            {
                return Err(CorrectionError::refused(
                    WRONG_KIND,
                    format!("`{id}` is a person, not an organization: name them as `person`"),
                ));
            }
            Err(CorrectionError::NotFound(format!("no organization `{id}`")))
        }
    }
}

/// Applies the stored human decisions to freshly extracted `quotes` of
/// `article` (see the module docs): each quote's decisions are found by its
/// id, else by its anchor; rejected quotes are left out, corrected fields keep
/// their human values.
pub async fn apply_decisions(
    store: &dyn Store,
    article: &Article,
    quotes: Vec<Quote>,
) -> Result<Vec<Quote>, StoreError> {
    if quotes.is_empty() {
        return Ok(quotes);
    }
    let ids: Vec<QuoteId> = quotes.iter().map(|q| q.id.clone()).collect();
    let anchors: Vec<String> = quotes.iter().map(|q| anchor(&article.id, article.url.as_deref(), &q.text)).collect();
    let (by_id, by_anchor) =
        futures_util::try_join!(store.quote_decisions(&ids), store.quote_decisions_by_anchor(&anchors))?;
    if by_id.is_empty() && by_anchor.is_empty() {
        return Ok(quotes);
    }
    let by_id: HashMap<&QuoteId, &QuoteDecisions> = by_id.iter().map(|d| (&d.quote, d)).collect();
    // Of several quotes with one anchor (versions of an article), the latest decided.
    let mut latest: HashMap<&str, &QuoteDecisions> = HashMap::new();
    for d in &by_anchor {
        let entry = latest.entry(d.anchor.as_str()).or_insert(d);
        if d.version > entry.version {
            *entry = d;
        }
    }
    let mut out = Vec::with_capacity(quotes.len());
    for (quote, anchor) in quotes.into_iter().zip(&anchors) {
        let decisions = by_id.get(&quote.id).copied().or_else(|| latest.get(anchor.as_str()).copied());
        match decisions {
            Some(d) => out.extend(d.apply(quote, &article.body)),
            None => out.push(quote),
        }
    }
    Ok(out)
}
