//! Matching extracted names against the graph, and merging.
//!
//! A name (or any alias) that the graph already knows resolves to the stored
//! entity, which gains the new aliases, role or affiliations; an unknown one
//! becomes a new entity whose id is the slug of its name. Lookups are cached for
//! the article, so each distinct name costs at most one store call.

use super::IngestError;
use crate::domain::{OrgKind, Organization, OrganizationId, Person, PersonId, name_key, name_keys, slugify};
use crate::store::Store;
use std::collections::HashMap;

/// What resolution decided: the entities to write and what was new.
pub struct Outcome {
    /// New organizations and those that gained something.
    pub organizations: Vec<Organization>,
    pub people: Vec<Person>,
    pub people_added: Vec<String>,
    pub people_merged: Vec<String>,
    pub organizations_added: Vec<String>,
    pub organizations_merged: Vec<String>,
}

struct Tracked<T> {
    entity: T,
    is_new: bool,
    changed: bool,
}

/// Resolves the names of one article.
pub struct Resolver<'a> {
    store: &'a dyn Store,
    organizations: Vec<Tracked<Organization>>,
    organization_keys: HashMap<String, usize>,
    people: Vec<Tracked<Person>>,
    person_keys: HashMap<String, usize>,
}

/// Adds the names not yet among `name` and `aliases`; says whether any was added.
fn add_aliases(name: &str, aliases: &mut Vec<String>, more: impl IntoIterator<Item = String>) -> bool {
    let mut known = name_keys(name, aliases);
    let mut added = false;
    for alias in more {
        let key = name_key(&alias);
        if !key.is_empty() && !known.contains(&key) {
            known.push(key);
            aliases.push(alias.trim().to_owned());
            added = true;
        }
    }
    added
}

fn new_id(name: &str) -> Result<String, IngestError> {
    slugify(name).ok_or_else(|| IngestError::Invalid(format!("`{name}` cannot be turned into an id")))
}

impl<'a> Resolver<'a> {
    pub fn new(store: &'a dyn Store) -> Self {
        Self {
            store,
            organizations: Vec::new(),
            organization_keys: HashMap::new(),
            people: Vec::new(),
            person_keys: HashMap::new(),
        }
    }

    /// The organization called `name` (or any of `aliases`), created with `kind` if the graph has none.
    pub async fn organization(
        &mut self,
        name: &str,
        aliases: &[String],
        kind: OrgKind,
    ) -> Result<OrganizationId, IngestError> {
        let names: Vec<&str> = std::iter::once(name).chain(aliases.iter().map(String::as_str)).collect();
        let index = match names.iter().find_map(|n| self.organization_keys.get(&name_key(n))) {
            Some(&index) => index,
            None => {
                let mut found = None;
                for candidate in &names {
                    if let Some(existing) = self.store.organization_by_name(candidate).await? {
                        found = Some(existing);
                        break;
                    }
                }
                let id = new_id(name)?;
                if found.is_none() {
                    found = self
                        .store
                        .organizations(&[
                            OrganizationId::parse(id.clone()).map_err(|e| IngestError::Invalid(e.to_string()))?
                        ])
                        .await?
                        .pop();
                }
                let tracked = match found {
                    Some(entity) => Tracked { entity, is_new: false, changed: false },
                    None => Tracked {
                        entity: Organization {
                            id: OrganizationId::parse(id).map_err(|e| IngestError::Invalid(e.to_string()))?,
                            name: name.trim().to_owned(),
                            aliases: Vec::new(),
                            kind,
                            member_of: Vec::new(),
                        },
                        is_new: true,
                        changed: true,
                    },
                };
                self.organizations.push(tracked);
                self.organizations.len() - 1
            }
        };
        let tracked = &mut self.organizations[index];
        let entity = &mut tracked.entity;
        if add_aliases(&entity.name, &mut entity.aliases, names.iter().map(|n| n.to_string())) {
            tracked.changed = true;
        }
        for key in name_keys(&entity.name, &entity.aliases) {
            self.organization_keys.insert(key, index);
        }
        Ok(self.organizations[index].entity.id.clone())
    }

    /// The person called `name` (or any of `aliases`), created if the graph has
    /// none; a role and an affiliation the graph lacks are added.
    pub async fn person(
        &mut self,
        name: &str,
        aliases: &[String],
        role: Option<&str>,
        affiliation: Option<&str>,
    ) -> Result<PersonId, IngestError> {
        let affiliation = match affiliation {
            Some(org) => Some(self.organization(org, &[], OrgKind::Other).await?),
            None => None,
        };
        let names: Vec<&str> = std::iter::once(name).chain(aliases.iter().map(String::as_str)).collect();
        let index = match names.iter().find_map(|n| self.person_keys.get(&name_key(n))) {
            Some(&index) => index,
            None => {
                let mut found = None;
                for candidate in &names {
                    if let Some(existing) = self.store.person_by_name(candidate).await? {
                        found = Some(existing);
                        break;
                    }
                }
                let tracked = match found {
                    Some(entity) => Tracked { entity, is_new: false, changed: false },
                    None => Tracked {
                        entity: Person {
                            id: PersonId::parse(new_id(name)?).map_err(|e| IngestError::Invalid(e.to_string()))?,
                            name: name.trim().to_owned(),
                            aliases: Vec::new(),
                            role: None,
                            affiliations: Vec::new(),
                        },
                        is_new: true,
                        changed: true,
                    },
                };
                self.people.push(tracked);
                self.people.len() - 1
            }
        };
        let tracked = &mut self.people[index];
        let person = &mut tracked.entity;
        if add_aliases(&person.name, &mut person.aliases, names.iter().map(|n| n.to_string())) {
            tracked.changed = true;
        }
        if let (None, Some(role)) = (&person.role, role.map(str::trim).filter(|r| !r.is_empty())) {
            person.role = Some(role.to_owned());
            tracked.changed = true;
        }
        if let Some(org) = affiliation.filter(|org| !person.affiliations.contains(org)) {
            person.affiliations.push(org);
            tracked.changed = true;
        }
        for key in name_keys(&person.name, &person.aliases) {
            self.person_keys.insert(key, index);
        }
        Ok(self.people[index].entity.id.clone())
    }

    /// Every person resolved for this article, in order of first mention.
    pub fn mentioned_people(&self) -> Vec<PersonId> {
        self.people.iter().map(|t| t.entity.id.clone()).collect()
    }

    /// Every organization resolved for this article, in order of first mention.
    pub fn mentioned_organizations(&self) -> Vec<OrganizationId> {
        self.organizations.iter().map(|t| t.entity.id.clone()).collect()
    }

    /// The entities to write, and what was added or merged.
    pub fn finish(self) -> Outcome {
        let mut outcome = Outcome {
            organizations: Vec::new(),
            people: Vec::new(),
            people_added: Vec::new(),
            people_merged: Vec::new(),
            organizations_added: Vec::new(),
            organizations_merged: Vec::new(),
        };
        for tracked in self.organizations {
            let list =
                if tracked.is_new { &mut outcome.organizations_added } else { &mut outcome.organizations_merged };
            list.push(tracked.entity.name.clone());
            if tracked.changed {
                outcome.organizations.push(tracked.entity);
            }
        }
        for tracked in self.people {
            let list = if tracked.is_new { &mut outcome.people_added } else { &mut outcome.people_merged };
            list.push(tracked.entity.name.clone());
            if tracked.changed {
                outcome.people.push(tracked.entity);
            }
        }
        outcome
    }
}
