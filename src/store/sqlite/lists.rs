//! Root list totals from the `list_counts` counters (migrations 8 and 10):
//! an unfiltered list of articles, people, organizations or quotes, the
//! articles of one outlet, the people of one organization, and the quotes of
//! one source (`via`), one speaker or one speaker organization, are counted
//! by triggers at write time, so their `totalCount` is one primary-key read
//! whatever the size of the store. One of those conditions with a date range
//! is read from the dashboard counters (`counts.rs`); any other filter is
//! counted by the caller's query.

use super::classify;
use crate::store::{ArticleFilter, OrganizationFilter, PersonFilter, QuoteFilter, StoreResult};
use rusqlite::{Connection, OptionalExtension, params};

/// The counter of `list` under `key` (0 when there is none yet).
fn read(conn: &Connection, list: &str, key: &str) -> StoreResult<u64> {
    let n: Option<i64> = conn
        .prepare_cached("SELECT n FROM list_counts WHERE list = ?1 AND key = ?2")
        .and_then(|mut stmt| stmt.query_row(params![list, key], |row| row.get(0)).optional())
        .map_err(classify)?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}

/// How many articles match `filter`, when a counter holds it: no condition
/// at all, or exactly one outlet.
pub fn articles(conn: &Connection, filter: &ArticleFilter) -> StoreResult<Option<u64>> {
    let (list, key) = match filter {
        f if *f == ArticleFilter::default() => ("articles", ""),
        ArticleFilter { outlets: Some(outlets), .. }
            if outlets.len() == 1
                && *filter == ArticleFilter { outlets: Some(outlets.clone()), ..ArticleFilter::default() } =>
        {
            ("outlet", outlets[0].as_str())
        }
        _ => return Ok(None),
    };
    read(conn, list, key).map(Some)
}

/// How many people match `filter`, when a counter holds it: no condition at
/// all, or exactly one affiliation.
pub fn people(conn: &Connection, filter: &PersonFilter) -> StoreResult<Option<u64>> {
    let (list, key) = match filter {
        f if *f == PersonFilter::default() => ("people", ""),
        PersonFilter { affiliations: Some(orgs), .. }
            if orgs.len() == 1
                && *filter == PersonFilter { affiliations: Some(orgs.clone()), ..PersonFilter::default() } =>
        {
            ("affiliation", orgs[0].as_str())
        }
        _ => return Ok(None),
    };
    read(conn, list, key).map(Some)
}

/// How many organizations match `filter`, when a counter holds it.
pub fn organizations(conn: &Connection, filter: &OrganizationFilter) -> StoreResult<Option<u64>> {
    if *filter == OrganizationFilter::default() { read(conn, "organizations", "").map(Some) } else { Ok(None) }
}

/// How many quotes match `filter`, when a counter holds it: no condition at
/// all, or exactly one source, or exactly one speaker, or exactly one speaker
/// organization.
pub fn quotes(conn: &Connection, filter: &QuoteFilter) -> StoreResult<Option<u64>> {
    let (list, key) = match filter {
        f if *f == QuoteFilter::default() => ("quotes", ""),
        QuoteFilter { via: Some(via), .. } if via.len() == 1 && *filter == only_via(via) => ("via", via[0].as_str()),
        QuoteFilter { speakers: Some(people), .. } if people.len() == 1 && *filter == only_speakers(people) => {
            ("speaker", people[0].as_str())
        }
        QuoteFilter { speaker_organizations: Some(orgs), .. }
            if orgs.len() == 1
                && *filter == QuoteFilter { speaker_organizations: Some(orgs.clone()), ..QuoteFilter::default() } =>
        {
            ("speaker_org", orgs[0].as_str())
        }
        _ => return Ok(None),
    };
    read(conn, list, key).map(Some)
}

fn only_via(via: &[crate::domain::OrganizationId]) -> QuoteFilter {
    QuoteFilter { via: Some(via.to_vec()), ..QuoteFilter::default() }
}

fn only_speakers(people: &[crate::domain::PersonId]) -> QuoteFilter {
    QuoteFilter { speakers: Some(people.to_vec()), ..QuoteFilter::default() }
}

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;
    use crate::generate::{Cast, article, corpus};
    use crate::store::{ArticleFilter, GraphBatch, OrganizationFilter, PersonFilter, QuoteFilter, Store};

    /// Migration 8 counts what a store already holds: a store written before
    /// it (its table and triggers removed, `user_version` 7) reports the same
    /// totals once reopened, and keeps them as it is written to.
    #[tokio::test]
    async fn migration_8_counts_what_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let cast = Cast::new(30, 3);
        let batch = corpus(&cast, 3, 30);
        let source = batch.quotes.iter().find_map(|q| q.via.first().cloned()).unwrap();
        let via = QuoteFilter { via: Some(vec![source.clone()]), ..Default::default() };
        let expected_via = batch.quotes.iter().filter(|q| q.via.contains(&source)).count() as u64;
        {
            let store = SqliteStore::open(dir.path()).unwrap();
            store.write(&batch).await.unwrap();
            let conn = store.inner.writer.lock().unwrap();
            let triggers: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%list_counts%'")
                .unwrap()
                .query_map([], |row| row.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(triggers.len(), 12 + 6, "migration 8's and migration 12's");
            for trigger in triggers {
                conn.execute_batch(&format!("DROP TRIGGER {trigger}")).unwrap();
            }
            conn.execute_batch(super::super::schema::UNDO_MIGRATION_10).unwrap();
            conn.execute_batch(super::super::schema::UNDO_MIGRATION_9).unwrap();
            conn.execute_batch("DROP TABLE list_counts; PRAGMA user_version = 7;").unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.count_articles(&ArticleFilter::default()).await.unwrap(), 30);
        assert_eq!(store.count_quotes(&QuoteFilter::default()).await.unwrap(), batch.quotes.len() as u64);
        assert_eq!(store.count_people(&PersonFilter::default()).await.unwrap(), batch.people.len() as u64);
        let organizations = batch.organizations.len() as u64;
        assert_eq!(store.count_organizations(&OrganizationFilter::default()).await.unwrap(), organizations);
        assert!(expected_via > 0);
        assert_eq!(store.count_quotes(&via).await.unwrap(), expected_via);
        // One more article afterwards: counted by the triggers.
        let (a, quotes) = article(&cast, 3, 30);
        let added = quotes.len() as u64;
        store.write(&GraphBatch { articles: vec![a], quotes, ..Default::default() }).await.unwrap();
        assert_eq!(store.count_articles(&ArticleFilter::default()).await.unwrap(), 31);
        assert_eq!(store.count_quotes(&QuoteFilter::default()).await.unwrap(), batch.quotes.len() as u64 + added);
    }
}
