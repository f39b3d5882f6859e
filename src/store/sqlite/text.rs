//! The embedded store's full-text rows, the statistics that rank them, and the
//! ranked search over them.
//!
//! FTS5 indexes each text as the shared tokenizer ([`crate::search::terms`])
//! splits it, written back as space-separated terms: the MongoDB store's
//! postings and every query use the same function, so both stores agree on
//! what a word is ("Москва" is `moskva` in documents and in queries alike;
//! FTS5's own accent folding would have kept it Cyrillic, and a query for it
//! would have found nothing).
//!
//! Beside the FTS tables, `search_terms` holds how many documents of each
//! target contain each term (and, under the empty term, how many documents
//! there are), changed in the same transaction as the text. A search reads its
//! terms' rows to know their IDFs up front, so ranking costs what the scored
//! rows cost. FTS5's own `bm25()` counts every row containing each phrase
//! before it scores the first one: most of a search's time at 100k articles.
//! Scores come from `newsgraph_bm25_rowlen` (see `rank.rs`), the same
//! formula with those IDFs passed in, and each row's length read from its
//! rowid: a full-text row's rowid is its entity's rowid shifted left by
//! [`ROWID_LENGTH_BITS`], plus its length in terms (at most 2^20 - 1; longer
//! texts count as that long). FTS5's own length look-up per scored row was
//! half of the scoring's time. Entity rowids stay below 2^43.
//!
//! A search scores a bounded window, the newest [`SEARCH_WINDOW`] matches
//! (FTS5 walks its rowids backwards and stops there), ranks it, and returns
//! the page after the cursor, ties newest first; only the page's rows are
//! joined to their entities. Matches are counted only when the caller asks,
//! one by one up to [`SEARCH_COUNT_CAP`] and estimated past it (see
//! [`count`]), so a search costs the same at 100k and at 1M articles.

use super::classify;
use super::rank::ROWID_LENGTH_BITS;
use crate::search::{SearchQuery, terms};
use crate::store::{SEARCH_COUNT_CAP, SEARCH_WINDOW, SearchHits, SearchPage, SearchTarget, StoreResult};
use foldhash::{HashMap, HashSet};
use rusqlite::{Connection, OptionalExtension, params};

/// The `search_terms.target` of each search target.
fn target_key(target: SearchTarget) -> &'static str {
    match target {
        SearchTarget::Articles => "articles",
        SearchTarget::Quotes => "quotes",
    }
}

/// The full-text rowid of the entity row `rowid` whose texts hold `terms` terms.
fn fts_rowid(rowid: i64, terms: usize) -> i64 {
    let longest = (1_i64 << ROWID_LENGTH_BITS) - 1;
    (rowid << ROWID_LENGTH_BITS) | i64::try_from(terms).map_or(longest, |n| n.min(longest))
}

/// SQL for the entity rowid of the full-text row whose rowid is `column`.
pub fn entity_rowid(column: &str) -> String {
    format!("({column} >> {ROWID_LENGTH_BITS})")
}

/// The terms of each column of a document.
fn column_terms(columns: &[&str]) -> Vec<Vec<String>> {
    columns.iter().map(|text| terms(text)).collect()
}

/// How many terms the columns hold in all.
fn length(columns: &[Vec<String>]) -> usize {
    columns.iter().map(Vec::len).sum()
}

/// Document-count changes a write accumulates, applied once when it ends, so
/// a batch touches each term's row once however many documents contain it.
#[derive(Debug, Default)]
pub struct TermDeltas {
    articles: HashMap<String, i64>,
    quotes: HashMap<String, i64>,
}

impl TermDeltas {
    /// Counts a document whose columns hold `columns` (their terms) in or out.
    fn count(&mut self, target: SearchTarget, columns: &[Vec<String>], change: i64) {
        let counts = match target {
            SearchTarget::Articles => &mut self.articles,
            SearchTarget::Quotes => &mut self.quotes,
        };
        let distinct: HashSet<&str> = columns.iter().flatten().map(String::as_str).chain([""]).collect();
        for term in distinct {
            match counts.get_mut(term) {
                Some(n) => *n += change,
                None => {
                    counts.insert(term.to_owned(), change);
                }
            }
        }
    }

    /// Writes the accumulated changes.
    pub fn apply(self, conn: &Connection) -> StoreResult<()> {
        let mut upsert = conn
            .prepare_cached(
                "INSERT INTO search_terms (target, term, docs) VALUES (?1, ?2, ?3)
                 ON CONFLICT (target, term) DO UPDATE SET docs = docs + excluded.docs",
            )
            .map_err(classify)?;
        for (target, counts) in [(SearchTarget::Articles, self.articles), (SearchTarget::Quotes, self.quotes)] {
            for (term, change) in counts {
                if change != 0 {
                    upsert.execute(params![target_key(target), term, change]).map_err(classify)?;
                }
            }
        }
        Ok(())
    }
}

/// Writes the full-text row of an article stored at `rowid`, replacing what
/// `old` (its previous headline and body, if it was stored) indexed. An
/// unchanged text is left alone.
pub fn replace_article(
    conn: &Connection,
    deltas: &mut TermDeltas,
    rowid: i64,
    old: Option<&[String; 2]>,
    headline: &str,
    body: &str,
) -> StoreResult<()> {
    if old.is_some_and(|[h, b]| h == headline && b == body) {
        return Ok(());
    }
    if let Some([h, b]) = old {
        let old = column_terms(&[h, b]);
        delete_row(conn, "articles_fts", fts_rowid(rowid, length(&old)))?;
        deltas.count(SearchTarget::Articles, &old, -1);
    }
    let new = column_terms(&[headline, body]);
    conn.prepare_cached("INSERT INTO articles_fts (rowid, headline, body) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![fts_rowid(rowid, length(&new)), new[0].join(" "), new[1].join(" ")]))
        .map_err(classify)?;
    deltas.count(SearchTarget::Articles, &new, 1);
    Ok(())
}

/// Writes the full-text row of a quote stored at `rowid`, replacing what
/// `old` (its previous text, if it was stored) indexed.
pub fn replace_quote(
    conn: &Connection,
    deltas: &mut TermDeltas,
    rowid: i64,
    old: Option<&str>,
    text: &str,
) -> StoreResult<()> {
    if old == Some(text) {
        return Ok(());
    }
    if let Some(old) = old {
        remove_quote(conn, deltas, rowid, old)?;
    }
    let new = column_terms(&[text]);
    conn.prepare_cached("INSERT INTO quotes_fts (rowid, text) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![fts_rowid(rowid, length(&new)), new[0].join(" ")]))
        .map_err(classify)?;
    deltas.count(SearchTarget::Quotes, &new, 1);
    Ok(())
}

/// Removes the full-text row of a quote that is being deleted.
pub fn remove_quote(conn: &Connection, deltas: &mut TermDeltas, rowid: i64, text: &str) -> StoreResult<()> {
    let old = column_terms(&[text]);
    delete_row(conn, "quotes_fts", fts_rowid(rowid, length(&old)))?;
    deltas.count(SearchTarget::Quotes, &old, -1);
    Ok(())
}

fn delete_row(conn: &Connection, table: &str, fts_rowid: i64) -> StoreResult<()> {
    conn.prepare_cached(&format!("DELETE FROM {table} WHERE rowid = ?1"))
        .and_then(|mut s| s.execute([fts_rowid]))
        .map_err(classify)?;
    Ok(())
}

/// The stored headline and body of an article, if it is stored.
pub fn article_text(conn: &Connection, id: &str) -> StoreResult<Option<[String; 2]>> {
    conn.prepare_cached(
        "SELECT json_extract(doc, '$.headline'), json_extract(doc, '$.body') FROM articles WHERE id = ?1",
    )
    .and_then(|mut s| {
        s.query_row([id], |row| Ok([row.get::<_, Option<String>>(0)?, row.get::<_, Option<String>>(1)?])).optional()
    })
    .map(|found| found.map(|[h, b]| [h.unwrap_or_default(), b.unwrap_or_default()]))
    .map_err(classify)
}

/// The stored text of a quote, if it is stored.
pub fn quote_text(conn: &Connection, id: &str) -> StoreResult<Option<String>> {
    conn.prepare_cached("SELECT json_extract(doc, '$.text') FROM quotes WHERE id = ?1")
        .and_then(|mut s| s.query_row([id], |row| row.get::<_, Option<String>>(0)).optional())
        .map(|found| found.map(Option::unwrap_or_default))
        .map_err(classify)
}

/// FTS5's inverse document frequency for a term in `docs` of `total` documents
/// (never below 1e-6, as in FTS5's `bm25()`).
fn idf(total: f64, docs: f64) -> f64 {
    let idf = ((total - docs + 0.5) / (docs + 0.5)).ln();
    if idf > 0.0 { idf } else { 1e-6 }
}

/// How many documents of `target` hold each of `query`'s positive terms, and
/// (under `""`) how many documents there are: read once per search, for the
/// IDFs and for a one-word query's count.
fn term_docs(conn: &Connection, target: SearchTarget, query: &SearchQuery) -> StoreResult<HashMap<String, i64>> {
    let wanted: Vec<&str> = query.positive_terms().into_iter().chain([""]).collect();
    let wanted = serde_json::to_string(&wanted).map_err(|e| crate::store::StoreError::Internal(e.to_string()))?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT term, docs FROM search_terms WHERE target = ?1 AND term IN (SELECT value FROM json_each(?2))",
        )
        .map_err(classify)?;
    stmt.query_map(params![target_key(target), wanted], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(classify)?
        .collect::<Result<_, _>>()
        .map_err(classify)
}

/// The IDF of each of `query`'s positive parts, in FTS5's phrase order
/// ([`SearchQuery::positive_parts`]), from [`term_docs`]. A phrase weighs the
/// sum of its words' IDFs (as Lucene's phrase queries do): how rare the phrase
/// is would cost a pass over all its matches.
fn part_idfs(query: &SearchQuery, docs: &HashMap<String, i64>) -> Vec<f64> {
    let docs_of = |term: &str| docs.get(term).copied().unwrap_or(0) as f64;
    let total = docs_of("");
    query.positive_parts().into_iter().map(|part| part.iter().map(|term| idf(total, docs_of(term))).sum()).collect()
}

/// Re-indexes every stored text with the shared tokenizer and recounts
/// `search_terms` (migration 6: the FTS tables held FTS5's own tokens before).
pub fn reindex(conn: &Connection) -> StoreResult<()> {
    conn.execute_batch(
        "INSERT INTO articles_fts (articles_fts) VALUES ('delete-all');
         INSERT INTO quotes_fts (quotes_fts) VALUES ('delete-all');
         DELETE FROM search_terms;",
    )
    .map_err(classify)?;
    let mut deltas = TermDeltas::default();
    {
        let mut stmt = conn
            .prepare("SELECT rowid, json_extract(doc, '$.headline'), json_extract(doc, '$.body') FROM articles")
            .map_err(classify)?;
        let mut rows = stmt.query([]).map_err(classify)?;
        while let Some(row) = rows.next().map_err(classify)? {
            let headline: Option<String> = row.get(1).map_err(classify)?;
            let body: Option<String> = row.get(2).map_err(classify)?;
            let rowid = row.get(0).map_err(classify)?;
            replace_article(conn, &mut deltas, rowid, None, &headline.unwrap_or_default(), &body.unwrap_or_default())?;
        }
    }
    {
        let mut stmt = conn.prepare("SELECT rowid, json_extract(doc, '$.text') FROM quotes").map_err(classify)?;
        let mut rows = stmt.query([]).map_err(classify)?;
        while let Some(row) = rows.next().map_err(classify)? {
            let text: Option<String> = row.get(1).map_err(classify)?;
            replace_quote(conn, &mut deltas, row.get(0).map_err(classify)?, None, &text.unwrap_or_default())?;
        }
    }
    deltas.apply(conn)
}

/// How many documents match, and whether that is an estimate: one word alone
/// is its document count (from [`term_docs`]); anything else is counted by
/// walking the matches newest first, up to `cap`. Past it the total is
/// estimated from how far back in the table the `cap` newest matches reach
/// (entity rowids grow as documents are stored, so that reach is the share
/// of the documents they were found in), and kept between `cap + 1` and the
/// document count of the rarest positive word, which every match contains.
fn count(
    conn: &Connection,
    target: SearchTarget,
    query: &SearchQuery,
    docs: &HashMap<String, i64>,
    cap: usize,
    not_a_copy: &str,
) -> StoreResult<(u64, bool)> {
    if let ([word], [], [], "") =
        (query.required.as_slice(), query.phrases.as_slice(), query.excluded.as_slice(), not_a_copy)
    {
        return Ok((docs.get(word).map_or(0, |&n| u64::try_from(n).unwrap_or(0)), false));
    }
    let (fts, entities) = tables(target);
    let limit = i64::try_from(cap.saturating_add(1)).unwrap_or(i64::MAX);
    let (walked, oldest): (u64, Option<i64>) = conn
        .prepare_cached(&format!(
            "SELECT count(*), min(rowid) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH ?1{not_a_copy} ORDER BY rowid DESC LIMIT ?2)"
        ))
        .and_then(|mut s| s.query_row(params![query.to_fts5(), limit], |row| Ok((row.get(0)?, row.get(1)?))))
        .map_err(classify)?;
    let Some(oldest) = oldest.filter(|_| walked > cap as u64) else {
        return Ok((walked, false));
    };
    let newest: i64 = conn
        .prepare_cached(&format!("SELECT ifnull(max(rowid), 0) FROM {entities}"))
        .and_then(|mut s| s.query_row([], |row| row.get(0)))
        .map_err(classify)?;
    let oldest = oldest >> ROWID_LENGTH_BITS;
    let reach = (newest - oldest + 1).max(1) as f64;
    let estimate = (walked as f64 * newest.max(1) as f64 / reach).round() as u64;
    let docs_of = |term: &str| docs.get(term).map_or(0, |&n| u64::try_from(n).unwrap_or(0));
    let ceiling = query.positive_terms().into_iter().map(docs_of).min().unwrap_or_else(|| docs_of(""));
    Ok((estimate.min(ceiling).max(walked), true))
}

/// The full-text table and the entity table of a search target.
fn tables(target: SearchTarget) -> (&'static str, &'static str) {
    match target {
        SearchTarget::Articles => ("articles_fts", "articles"),
        SearchTarget::Quotes => ("quotes_fts", "quotes"),
    }
}

/// The condition that leaves copies out of a target's matches (a primary-key
/// look-up per match), or nothing when `originals_only` is off or the store
/// holds no copy of that kind (one look-up in its partial `copy_of` index).
fn not_a_copy(conn: &Connection, target: SearchTarget, originals_only: bool) -> StoreResult<String> {
    let (fts, entities) = tables(target);
    let any_copy = originals_only
        && conn
            .prepare_cached(&format!("SELECT 1 FROM {entities} WHERE copy_of IS NOT NULL LIMIT 1"))
            .and_then(|mut s| s.exists([]))
            .map_err(classify)?;
    Ok(if any_copy {
        format!(
            " AND NOT EXISTS (SELECT 1 FROM {entities} c WHERE c.rowid = {} AND c.copy_of IS NOT NULL)",
            entity_rowid(&format!("{fts}.rowid"))
        )
    } else {
        String::new()
    })
}

/// One page of the ranked matches of `query` (see the module doc).
pub fn search(
    conn: &Connection,
    target: SearchTarget,
    query: &SearchQuery,
    page: &SearchPage,
) -> StoreResult<SearchHits> {
    search_counting_to(conn, target, query, page, SEARCH_COUNT_CAP)
}

/// [`search`], counting at most `cap` matches one by one.
fn search_counting_to(
    conn: &Connection,
    target: SearchTarget,
    query: &SearchQuery,
    page: &SearchPage,
    cap: usize,
) -> StoreResult<SearchHits> {
    let (fts, entities) = tables(target);
    let weights = match target {
        SearchTarget::Articles => "4.0, 1.0",
        SearchTarget::Quotes => "1.0",
    };
    let docs = term_docs(conn, target, query)?;
    let idfs = part_idfs(query, &docs);
    let idf_params: String = (0..idfs.len()).map(|i| format!(", ?{}", i + 6)).collect();
    let of_row = entity_rowid("rowid");
    let of_hit = entity_rowid("w.rowid");
    let not_a_copy = not_a_copy(conn, target, page.originals_only)?;
    let sql = format!(
        "SELECT e.id, w.score FROM (
            SELECT rowid, score FROM (
                SELECT rowid, newsgraph_bm25_rowlen({fts}, {weights}{idf_params}) AS score FROM {fts}
                WHERE {fts} MATCH ?1{not_a_copy} ORDER BY rowid DESC LIMIT ?2)
            WHERE ?3 IS NULL OR score < ?3 OR (score = ?3 AND {of_row} < ?4)
            ORDER BY score DESC, rowid DESC LIMIT ?5
         ) w JOIN {entities} e ON e.rowid = {of_hit} ORDER BY w.score DESC, w.rowid DESC"
    );
    let fts_query = query.to_fts5();
    let window = i64::try_from(SEARCH_WINDOW).unwrap_or(i64::MAX);
    // Ties rank newest stored first, so a cursor needs its hit's rowid; a hit
    // removed since keeps every hit of its score.
    let after_rowid = match &page.after {
        Some((_, id)) => conn
            .prepare_cached(&format!("SELECT rowid FROM {entities} WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id], |row| row.get::<_, i64>(0)).optional())
            .map_err(classify)?
            .unwrap_or(i64::MAX),
        None => i64::MAX,
    };
    let limit = i64::try_from(page.first.saturating_add(1)).unwrap_or(i64::MAX);
    let mut values: Vec<rusqlite::types::Value> = vec![
        fts_query.into(),
        window.into(),
        page.after.as_ref().map(|(score, _)| *score).into(),
        after_rowid.into(),
        limit.into(),
    ];
    values.extend(idfs.into_iter().map(rusqlite::types::Value::from));
    let hits: Vec<(String, f64)> = conn
        .prepare_cached(&sql)
        .and_then(|mut stmt| {
            stmt.query_map(rusqlite::params_from_iter(values), |row| Ok((row.get(0)?, row.get(1)?)))?.collect()
        })
        .map_err(classify)?;
    let (total, total_is_estimate) = match page.count {
        false => (None, false),
        // A first page holding every match (fewer than the window) is the count.
        true if page.after.is_none() && hits.len() <= page.first && hits.len() < SEARCH_WINDOW => {
            (Some(hits.len() as u64), false)
        }
        true => {
            let (total, estimated) = count(conn, target, query, &docs, cap, &not_a_copy)?;
            (Some(total), estimated)
        }
    };
    Ok(SearchHits { total, total_is_estimate, hits })
}

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;
    use crate::generate::Cast;
    use crate::search::SearchQuery;
    use crate::store::{GraphBatch, SearchPage, SearchTarget, Store};

    /// `search_terms` against what FTS5 itself holds (`fts5vocab` counts each
    /// term's rows, deletions included): every term, both ways.
    fn assert_counts_match_the_index(store: &SqliteStore) {
        let conn = store.inner.writer.lock().unwrap();
        for (target, fts, table) in [("articles", "articles_fts", "articles"), ("quotes", "quotes_fts", "quotes")] {
            conn.execute_batch(&format!(
                "DROP TABLE IF EXISTS temp.vocab; CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, {fts}, row);"
            ))
            .unwrap();
            let listed = |sql: &str| -> Vec<(String, i64)> {
                let mut stmt = conn.prepare(sql).unwrap();
                stmt.query_map([target], |row| Ok((row.get(0)?, row.get(1)?))).unwrap().map(Result::unwrap).collect()
            };
            let counted = listed(
                "SELECT term, docs FROM search_terms WHERE target = ?1 AND docs <> 0 AND term <> '' ORDER BY term",
            );
            let indexed = listed("SELECT term, doc FROM temp.vocab WHERE ?1 IS NOT NULL ORDER BY term");
            assert!(!indexed.is_empty(), "{target}: the index holds terms");
            assert_eq!(counted, indexed, "{target}: per-term document counts");
            let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0)).unwrap();
            let documents: i64 = conn
                .query_row("SELECT docs FROM search_terms WHERE target = ?1 AND term = ''", [target], |row| row.get(0))
                .unwrap();
            assert_eq!(documents, rows, "{target}: document count");
            // Each row's rowid carries its length: scores agree with FTS5's own lengths.
            let common: String = conn
                .query_row(
                    "SELECT term FROM search_terms WHERE target = ?1 AND term <> '' ORDER BY docs DESC LIMIT 1",
                    [target],
                    |row| row.get(0),
                )
                .unwrap();
            let weights = if fts == "articles_fts" { "4.0, 1.0" } else { "1.0" };
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT newsgraph_bm25({fts}, {weights}, 1.0), newsgraph_bm25_rowlen({fts}, {weights}, 1.0),
                            {} IN (SELECT rowid FROM {table})
                     FROM {fts} WHERE {fts} MATCH ?1",
                    super::entity_rowid("rowid")
                ))
                .unwrap();
            let scored: Vec<(f64, f64, bool)> = stmt
                .query_map([format!("\"{common}\"")], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(scored.len() > 10, "{target}: {common} matches many rows");
            for (from_docsize, from_rowid, has_entity) in scored {
                assert_eq!(from_docsize, from_rowid, "{target}: the rowid's length is FTS5's");
                assert!(has_entity, "{target}: every full-text row has its entity");
            }
        }
    }

    fn corpus(articles: usize) -> (GraphBatch, Cast) {
        let cast = Cast::new(articles, 5);
        let batch = crate::generate::corpus(&cast, 5, articles);
        (batch, cast)
    }

    #[tokio::test]
    async fn term_counts_follow_writes_rewrites_and_removed_quotes() {
        let store = SqliteStore::in_memory().unwrap();
        let (batch, _) = corpus(60);
        store.write(&batch).await.unwrap();
        assert_counts_match_the_index(&store);

        // Rewrites: a new headline and body, a quote's text changed, one quote
        // dropped (removed as stale), and one article written again unchanged.
        let mut again = GraphBatch::default();
        for (i, article) in batch.articles.iter().take(6).enumerate() {
            let mut article = article.clone();
            if i % 2 == 0 {
                article.headline = format!("Revised: {} (update {i})", article.headline);
                article.body = format!("{} Correction appended with zebra crossings.", article.body);
            }
            let mut quotes: Vec<_> = batch.quotes.iter().filter(|q| q.article == article.id).cloned().collect();
            if quotes.len() > 1 {
                quotes.pop();
            }
            if let Some(first) = quotes.first_mut() {
                first.text = format!("Zebra {i} said something new");
            }
            again.articles.push(article);
            again.quotes.extend(quotes);
        }
        store.write(&again).await.unwrap();
        store.write(&again).await.unwrap();
        assert_counts_match_the_index(&store);

        let zebra = SearchQuery::parse("zebra").unwrap();
        let page = SearchPage { after: None, first: 10, count: true, ..SearchPage::default() };
        assert_eq!(store.search(SearchTarget::Articles, &zebra, &page).await.unwrap().total, Some(3));
        assert_eq!(store.search(SearchTarget::Quotes, &zebra, &page).await.unwrap().total, Some(6));
    }

    /// Past the cap a multi-word search's total is an estimate, flagged, above
    /// the cap and at most the rarest word's document count; at the cap or
    /// under it, the exact count.
    #[tokio::test]
    async fn search_totals_past_the_cap_are_bounded_flagged_estimates() {
        let store = SqliteStore::in_memory().unwrap();
        let (batch, _) = corpus(300);
        store.write(&batch).await.unwrap();
        let conn = store.inner.writer.lock().unwrap();
        let common: Vec<(String, i64)> = conn
            .prepare(
                "SELECT term, docs FROM search_terms WHERE target = 'quotes' AND term <> '' ORDER BY docs DESC LIMIT 2",
            )
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let query = SearchQuery::parse(&format!("{} {}", common[0].0, common[1].0)).unwrap();
        let exact: u64 = conn
            .query_row("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?1", [query.to_fts5()], |row| row.get(0))
            .unwrap();
        assert!(exact > 60, "{query:?} matches many quotes ({exact})");
        let page = SearchPage { after: None, first: 5, count: true, ..SearchPage::default() };
        let counted = |cap: usize| super::search_counting_to(&conn, SearchTarget::Quotes, &query, &page, cap).unwrap();
        let full = counted(exact as usize);
        assert_eq!((full.total, full.total_is_estimate), (Some(exact), false));
        let cap = exact as usize / 3;
        let estimated = counted(cap);
        assert!(estimated.total_is_estimate);
        let total = estimated.total.unwrap();
        let ceiling = common[1].1.min(common[0].1) as u64;
        assert!(total > cap as u64 && total <= ceiling, "{total} in ({cap}, {ceiling}]");
        assert!(total >= exact / 3 && total <= exact * 3, "{total} near {exact}");
        assert_eq!(estimated.hits, full.hits, "the page is the same");
        // One word is its document count, never estimated.
        let word = SearchQuery::parse(&common[0].0).unwrap();
        let one = super::search_counting_to(&conn, SearchTarget::Quotes, &word, &page, 1).unwrap();
        assert_eq!((one.total, one.total_is_estimate), (Some(common[0].1 as u64), false));
    }

    #[tokio::test]
    async fn migration_6_reindexes_texts_indexed_by_fts5s_own_tokenizer() {
        let dir = tempfile::tempdir().unwrap();
        let (mut batch, _) = corpus(20);
        batch.quotes[0].text = "Москва не изменит позицию".into();
        {
            let store = SqliteStore::open(dir.path()).unwrap();
            store.write(&batch).await.unwrap();
            // The store as migration 5 left it: raw texts, no counts (and
            // none of the later migrations).
            let conn = store.inner.writer.lock().unwrap();
            conn.execute_batch(super::super::schema::UNDO_MIGRATION_12).unwrap();
            conn.execute_batch(super::super::schema::UNDO_MIGRATION_10).unwrap();
            conn.execute_batch(super::super::schema::UNDO_MIGRATION_9).unwrap();
            conn.execute_batch(
                "DROP TABLE search_terms;
                 DROP INDEX names_by_entity;
                 DROP TABLE list_counts;
                 DROP TRIGGER articles_list_insert;
                 DROP TRIGGER articles_list_delete;
                 DROP TRIGGER people_list_insert;
                 DROP TRIGGER people_list_delete;
                 DROP TRIGGER organizations_list_insert;
                 DROP TRIGGER organizations_list_delete;
                 DROP TRIGGER quotes_list_insert;
                 DROP TRIGGER quotes_list_delete;
                 DROP TRIGGER quotes_list_update;
                 DROP TRIGGER via_list_insert;
                 DROP TRIGGER via_list_delete;
                 DROP TRIGGER via_list_update;
                 INSERT INTO articles_fts (articles_fts) VALUES ('delete-all');
                 INSERT INTO quotes_fts (quotes_fts) VALUES ('delete-all');
                 INSERT INTO articles_fts (rowid, headline, body)
                     SELECT rowid, json_extract(doc, '$.headline'), json_extract(doc, '$.body') FROM articles;
                 INSERT INTO quotes_fts (rowid, text) SELECT rowid, json_extract(doc, '$.text') FROM quotes;
                 PRAGMA user_version = 5;",
            )
            .unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_counts_match_the_index(&store);
        let moscow = SearchQuery::parse("москва").unwrap();
        let page = SearchPage { after: None, first: 10, count: true, ..SearchPage::default() };
        let found = store.search(SearchTarget::Quotes, &moscow, &page).await.unwrap();
        assert_eq!(found.total, Some(1));
        assert_eq!(found.hits[0].0, batch.quotes[0].id.as_str());
    }
}
