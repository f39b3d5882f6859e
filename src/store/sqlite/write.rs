//! Writing a [`GraphBatch`] into the embedded store, inside one transaction.
//!
//! Besides each entity's row, a write keeps the derived data current: names
//! and aliases, relation links, the full-text rows, and each quote's date
//! buckets and speaker organizations (recomputed for a person's existing
//! quotes when the person's affiliations are rewritten).
//!
//! The full-text rows are written last, after every row upsert of the batch.
//! FTS5 keeps new rows in memory until a statement opens a savepoint, and
//! every upsert does: written between the upserts, each article and quote was
//! flushed to disk as its own segment and merged again and again (a quarter
//! of a bulk load's time). Written together, they are flushed in large pieces.

use super::schema::rel;
use super::statements;
use super::text::{self, TermDeltas};
use super::{classify, to_json};
use crate::domain::{name_key, name_keys, timestamp};
use crate::store::filter::{article_date_key, day_key, month_key, quote_date_key, speaker_key, week_key};
use crate::store::{GraphBatch, StoreResult};
use rusqlite::{Transaction, params};

/// Returns the statements that gained a source, for the write sequence.
pub fn write_batch(tx: &Transaction<'_>, batch: &GraphBatch) -> StoreResult<Vec<crate::domain::StatementId>> {
    // Statements are planned before any row changes (the plan reads what the
    // batch's quotes said before) and stored after them.
    let statement_plan = statements::plan_batch(tx, batch)?;
    let statement_of = statements::assignments(&statement_plan);
    for org in &batch.organizations {
        // A new entity has no names to replace: the delete scans every name
        // of its kind (the key is (kind, key, id)), quadratic in a bulk load.
        let existed = exists(tx, "organizations", org.id.as_str())?;
        let doc = to_json(org)?;
        tx.prepare_cached(
            "INSERT INTO organizations (id, kind, name_key, doc) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name_key = excluded.name_key, doc = excluded.doc",
        )
        .and_then(|mut s| s.execute(params![org.id.as_str(), org.kind.as_str(), name_key(&org.name), doc]))
        .map_err(classify)?;
        replace_names(tx, existed, "organization", org.id.as_str(), &org.name, &org.aliases)?;
        replace_links(tx, true, rel::ORG_MEMBER_OF, org.id.as_str(), &org.member_of)?;
    }
    for person in &batch.people {
        let existed = exists(tx, "people", person.id.as_str())?;
        let doc = to_json(person)?;
        tx.prepare_cached(
            "INSERT INTO people (id, name_key, doc) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name_key = excluded.name_key, doc = excluded.doc",
        )
        .and_then(|mut s| s.execute(params![person.id.as_str(), name_key(&person.name), doc]))
        .map_err(classify)?;
        replace_names(tx, existed, "person", person.id.as_str(), &person.name, &person.aliases)?;
        replace_links(tx, true, rel::PERSON_ORG, person.id.as_str(), &person.affiliations)?;
        // The person's quotes already stored follow their new affiliations.
        tx.prepare_cached(
            "DELETE FROM links WHERE rel = 'quote_speaker_org'
             AND src IN (SELECT id FROM quotes WHERE speaker_person = ?1)",
        )
        .and_then(|mut s| s.execute([person.id.as_str()]))
        .map_err(classify)?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO links (rel, src, dst, sort_key)
             SELECT 'quote_speaker_org', q.id, l.dst, q.sort_date FROM quotes q
             JOIN links l ON l.rel = 'person_org' AND l.src = q.speaker_person
             WHERE q.speaker_person = ?1",
        )
        .and_then(|mut s| s.execute([person.id.as_str()]))
        .map_err(classify)?;
    }
    // (rowid, stored text before this write) of each article and quote, for
    // their full-text rows.
    let mut article_rows = Vec::with_capacity(batch.articles.len());
    let mut quote_rows = Vec::with_capacity(batch.quotes.len());
    let mut terms = TermDeltas::default();
    for article in &batch.articles {
        // A new article has no derived rows to replace: skipping the deletes
        // roughly halves the statements of a bulk load.
        let old_text = text::article_text(tx, article.id.as_str())?;
        let existed = old_text.is_some();
        let published_at = article.published_at.as_ref().map(timestamp::format);
        let doc = to_json(article)?;
        let rowid: i64 = tx
            .prepare_cached(
                "INSERT INTO articles (id, outlet, published_at, sort_date, language, doc, copy_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET outlet = excluded.outlet, published_at = excluded.published_at,
                   sort_date = excluded.sort_date, language = excluded.language, doc = excluded.doc,
                   copy_of = excluded.copy_of
                 RETURNING rowid",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        article.id.as_str(),
                        article.outlet.as_ref().map(|o| o.as_str()),
                        published_at,
                        article_date_key(article),
                        article.language,
                        doc,
                        article.copy_of.as_ref().map(|c| c.as_str())
                    ],
                    |row| row.get(0),
                )
            })
            .map_err(classify)?;
        article_rows.push((rowid, old_text));
        replace_links(tx, existed, rel::ARTICLE_PERSON, article.id.as_str(), &article.people)?;
        replace_links(tx, existed, rel::ARTICLE_ORG, article.id.as_str(), &article.organizations)?;
        if existed {
            let kept: Vec<&str> =
                batch.quotes.iter().filter(|q| q.article == article.id).map(|q| q.id.as_str()).collect();
            remove_stale_quotes(tx, &mut terms, article.id.as_str(), &to_json(&kept)?)?;
        }
    }
    for quote in &batch.quotes {
        let old_text = text::quote_text(tx, quote.id.as_str())?;
        let existed = old_text.is_some();
        let speaker = quote.speaker.as_ref();
        let day = quote.date;
        let statement = statement_of.get(&quote.id).map(|s| (*s).clone());
        let doc = if statement == quote.statement {
            to_json(quote)?
        } else {
            to_json(&crate::domain::Quote { statement, ..quote.clone() })?
        };
        let rowid: i64 = tx
            .prepare_cached(
                "INSERT INTO quotes (id, article, speaker_person, speaker_org, speaker_key, direct, day, week, month, sort_date, doc, copy_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (id) DO UPDATE SET article = excluded.article, speaker_person = excluded.speaker_person,
                   speaker_org = excluded.speaker_org, speaker_key = excluded.speaker_key, direct = excluded.direct,
                   day = excluded.day, week = excluded.week, month = excluded.month, sort_date = excluded.sort_date,
                   doc = excluded.doc, copy_of = excluded.copy_of
                 RETURNING rowid",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        quote.id.as_str(),
                        quote.article.as_str(),
                        speaker.and_then(|s| s.person()).map(|p| p.as_str()),
                        speaker.and_then(|s| s.anonymous_affiliation()).map(|o| o.as_str()),
                        speaker.map(speaker_key),
                        quote.direct,
                        day.map(day_key),
                        day.map(week_key),
                        day.map(month_key),
                        quote_date_key(quote),
                        doc,
                        quote.copy_of.as_ref().map(|c| c.as_str())
                    ],
                    |row| row.get(0),
                )
            })
            .map_err(classify)?;
        quote_rows.push((rowid, old_text));
        replace_sorted_links(tx, existed, rel::QUOTE_VIA, quote.id.as_str(), &quote.via, &quote_date_key(quote))?;
        if existed {
            tx.prepare_cached("DELETE FROM links WHERE rel = 'quote_speaker_org' AND src = ?1")
                .and_then(|mut s| s.execute([quote.id.as_str()]))
                .map_err(classify)?;
        }
        tx.prepare_cached(
            "INSERT OR IGNORE INTO links (rel, src, dst, sort_key)
             SELECT 'quote_speaker_org', ?1, dst, ?4 FROM links WHERE rel = 'person_org' AND src = ?2
             UNION SELECT 'quote_speaker_org', ?1, ?3, ?4 WHERE ?3 IS NOT NULL",
        )
        .and_then(|mut s| {
            s.execute(params![
                quote.id.as_str(),
                speaker.and_then(|s| s.person()).map(|p| p.as_str()),
                speaker.and_then(|s| s.anonymous_affiliation()).map(|o| o.as_str()),
                quote_date_key(quote)
            ])
        })
        .map_err(classify)?;
    }
    for entry in &batch.copy_keys {
        let mut insert =
            tx.prepare_cached("INSERT OR IGNORE INTO copy_keys (key, article) VALUES (?1, ?2)").map_err(classify)?;
        for key in &entry.keys {
            insert.execute(params![key, entry.article.as_str()]).map_err(classify)?;
        }
    }
    for (article, (rowid, old)) in batch.articles.iter().zip(article_rows) {
        text::replace_article(tx, &mut terms, rowid, old.as_ref(), &article.headline, &article.body)?;
    }
    for (quote, (rowid, old)) in batch.quotes.iter().zip(quote_rows) {
        text::replace_quote(tx, &mut terms, rowid, old.as_deref(), &quote.text)?;
    }
    terms.apply(tx)?;
    statements::apply(tx, batch, &statement_plan)?;
    Ok(statement_plan.gained)
}

/// Whether `table` already holds a row with this id.
fn exists(tx: &Transaction<'_>, table: &str, id: &str) -> StoreResult<bool> {
    tx.prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))
        .and_then(|mut s| s.exists([id]))
        .map_err(classify)
}

/// Removes the quotes of `article` whose ids are not in the JSON list `kept`,
/// with their links and full-text rows.
fn remove_stale_quotes(tx: &Transaction<'_>, terms: &mut TermDeltas, article: &str, kept: &str) -> StoreResult<()> {
    const STALE: &str = "SELECT id FROM quotes WHERE article = ?1 AND id NOT IN (SELECT value FROM json_each(?2))";
    tx.prepare_cached(&format!(
        "DELETE FROM links WHERE rel IN ('quote_via', 'quote_speaker_org') AND src IN ({STALE})"
    ))
    .and_then(|mut s| s.execute(params![article, kept]))
    .map_err(classify)?;
    let stale: Vec<(i64, Option<String>)> = tx
        .prepare_cached(
            "SELECT rowid, json_extract(doc, '$.text') FROM quotes
             WHERE article = ?1 AND id NOT IN (SELECT value FROM json_each(?2))",
        )
        .and_then(|mut s| s.query_map(params![article, kept], |row| Ok((row.get(0)?, row.get(1)?)))?.collect())
        .map_err(classify)?;
    for (rowid, quote_text) in stale {
        text::remove_quote(tx, terms, rowid, &quote_text.unwrap_or_default())?;
    }
    tx.prepare_cached("DELETE FROM quotes WHERE article = ?1 AND id NOT IN (SELECT value FROM json_each(?2))")
        .and_then(|mut s| s.execute(params![article, kept]))
        .map_err(classify)?;
    Ok(())
}

/// Replaces the names of an entity (only adds them when `existed` is false:
/// names are only written with their entity's row).
fn replace_names(
    tx: &Transaction<'_>,
    existed: bool,
    kind: &str,
    id: &str,
    name: &str,
    aliases: &[String],
) -> StoreResult<()> {
    if existed {
        tx.prepare_cached("DELETE FROM names WHERE kind = ?1 AND id = ?2")
            .and_then(|mut s| s.execute(params![kind, id]))
            .map_err(classify)?;
    }
    let own = name_key(name);
    let mut insert = tx
        .prepare_cached("INSERT OR IGNORE INTO names (kind, key, id, is_name) VALUES (?1, ?2, ?3, ?4)")
        .map_err(classify)?;
    for key in name_keys(name, aliases) {
        let is_name = key == own;
        insert.execute(params![kind, key, id, is_name]).map_err(classify)?;
    }
    Ok(())
}

/// Replaces the links of a quote, with the quote's sort key on each.
fn replace_sorted_links<T: AsRef<str>>(
    tx: &Transaction<'_>,
    existed: bool,
    rel: &str,
    src: &str,
    dsts: &[T],
    sort_key: &str,
) -> StoreResult<()> {
    if existed {
        tx.prepare_cached("DELETE FROM links WHERE rel = ?1 AND src = ?2")
            .and_then(|mut s| s.execute(params![rel, src]))
            .map_err(classify)?;
    }
    let mut insert = tx
        .prepare_cached("INSERT OR IGNORE INTO links (rel, src, dst, sort_key) VALUES (?1, ?2, ?3, ?4)")
        .map_err(classify)?;
    for dst in dsts {
        insert.execute(params![rel, src, dst.as_ref(), sort_key]).map_err(classify)?;
    }
    Ok(())
}

/// Replaces the links of `src` (only adds them when `existed` is false: a new row has none).
fn replace_links<T: AsRef<str>>(
    tx: &Transaction<'_>,
    existed: bool,
    rel: &str,
    src: &str,
    dsts: &[T],
) -> StoreResult<()> {
    if existed {
        tx.prepare_cached("DELETE FROM links WHERE rel = ?1 AND src = ?2")
            .and_then(|mut s| s.execute(params![rel, src]))
            .map_err(classify)?;
    }
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO links (rel, src, dst) VALUES (?1, ?2, ?3)").map_err(classify)?;
    for dst in dsts {
        insert.execute(params![rel, src, dst.as_ref()]).map_err(classify)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;
    use crate::domain::{Person, PersonId};
    use crate::store::{GraphBatch, Store};

    fn person(aliases: &[&str]) -> GraphBatch {
        let person = Person {
            id: PersonId::parse("ada-okafor").unwrap(),
            name: "Ada Okafor".into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            role: None,
            affiliations: Vec::new(),
        };
        GraphBatch { people: vec![person], ..Default::default() }
    }

    #[tokio::test]
    async fn a_rewritten_entity_loses_the_names_it_no_longer_has() {
        let store = SqliteStore::in_memory().unwrap();
        store.write(&person(&["Okafor", "The Minister"])).await.unwrap();
        assert!(store.person_by_name("the minister").await.unwrap().is_some(), "a new person's alias is found");
        store.write(&person(&["Okafor"])).await.unwrap();
        assert!(store.person_by_name("the minister").await.unwrap().is_none(), "the dropped alias is gone");
        assert!(store.person_by_name("okafor").await.unwrap().is_some(), "the kept alias is found");
        assert!(store.person_by_name("ada okafor").await.unwrap().is_some(), "the name is found");
    }

    #[test]
    fn replacing_an_entitys_names_reads_only_its_own() {
        let store = SqliteStore::in_memory().unwrap();
        let conn = store.inner.writer.lock().unwrap();
        let plan: Vec<String> = conn
            .prepare("EXPLAIN QUERY PLAN DELETE FROM names WHERE kind = ?1 AND id = ?2")
            .unwrap()
            .query_map(["person", "ada-okafor"], |row| row.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(plan.iter().any(|step| step.contains("names_by_entity")), "{plan:?}");
    }
}
