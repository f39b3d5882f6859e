//! Compiles typed filters, sort orders and keyset pages into SQL for the
//! embedded store.
//!
//! Only fixed SQL fragments written here become query text; every value from a
//! filter is a bound parameter (lists as one JSON array read with
//! `json_each`), so no input can change the shape of a query.

use super::schema::rel;
use crate::search::SearchQuery;
use crate::store::filter::{
    ArticleFilter, ArticleSort, DateRange, NameSort, OrganizationFilter, Page, PersonFilter, QuoteFilter, QuoteGroup,
    QuoteSort,
};
use rusqlite::types::Value;

/// A query under construction: SQL text with `?` placeholders and their values, in order.
#[derive(Debug, Default)]
pub struct Query {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Query {
    pub fn new(sql: impl Into<String>) -> Self {
        Self { sql: sql.into(), params: Vec::new() }
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.sql.push('?');
        self.params.push(value.into());
        self
    }
}

fn json_list<T: AsRef<str>>(items: &[T]) -> Value {
    let list: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    Value::Text(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()))
}

/// Conditions joined with AND; `1` when there are none.
struct Conditions<'q> {
    query: &'q mut Query,
    any: bool,
}

impl<'q> Conditions<'q> {
    fn new(query: &'q mut Query) -> Self {
        query.push("(");
        Self { query, any: false }
    }

    /// Starts the next condition and returns the query to write it into.
    fn next(&mut self) -> &mut Query {
        if self.any {
            self.query.push(" AND ");
        }
        self.any = true;
        self.query
    }

    /// `column IN (list)`; `column = value` for a list of one, so that an
    /// index on `(column, sort_date, id)` gives a page in order.
    fn in_list<T: AsRef<str>>(&mut self, column: &str, items: &[T]) {
        if let [item] = items {
            self.next().push(column).push(" = ").bind(item.as_ref().to_owned());
            return;
        }
        self.next().push(column).push(" IN (SELECT value FROM json_each(").bind(json_list(items)).push("))");
    }

    /// `column IN (ids linked through rel to any of the list)`.
    fn linked<T: AsRef<str>>(&mut self, column: &str, relation: &str, items: &[T]) {
        self.next()
            .push(column)
            .push(" IN (SELECT src FROM links WHERE rel = ")
            .bind(relation.to_owned())
            .push(" AND dst IN (SELECT value FROM json_each(")
            .bind(json_list(items))
            .push(")))");
    }

    /// `rowid IN (the rows of the FTS5 table `fts` that match `query`)`: the
    /// full-text index answers, and the query is bound, in quoted FTS5 terms.
    /// (A full-text rowid is its entity's rowid shifted left, see `text.rs`.)
    fn text(&mut self, rowid: &str, fts: &str, query: &SearchQuery) {
        self.next()
            .push(rowid)
            .push(" IN (SELECT ")
            .push(&super::text::entity_rowid("rowid"))
            .push(" FROM ")
            .push(fts)
            .push(" WHERE ")
            .push(fts)
            .push(" MATCH ")
            .bind(query.to_fts5())
            .push(")");
    }

    fn compare(&mut self, column: &str, operator: &str, value: impl Into<Value>) {
        self.next().push(column).push(" ").push(operator).push(" ").bind(value);
    }

    /// Each of `all` as one more condition, and `any` as one condition of alternatives.
    fn nested<F>(&mut self, all: &[F], any: &[F], write: impl Fn(&F, &mut Query)) {
        for filter in all {
            write(filter, self.next());
        }
        if !any.is_empty() {
            let query = self.next();
            query.push("(");
            for (i, filter) in any.iter().enumerate() {
                if i > 0 {
                    query.push(" OR ");
                }
                write(filter, query);
            }
            query.push(")");
        }
    }

    fn finish(self) {
        if !self.any {
            self.query.push("1");
        }
        self.query.push(")");
    }
}

fn day_range(conditions: &mut Conditions<'_>, column: &str, range: &DateRange) {
    if let Some(from) = range.from_day() {
        conditions.compare(column, ">=", from);
    }
    if let Some(to) = range.to_day() {
        conditions.compare(column, "<=", to);
    }
}

/// Writes the condition for `filter` over the `articles a` table.
pub fn article_condition(filter: &ArticleFilter, query: &mut Query) {
    let mut c = Conditions::new(query);
    if let Some(ids) = &filter.ids {
        c.in_list("a.id", ids);
    }
    if let Some(range) = &filter.published {
        if let Some(from) = range.from_timestamp() {
            c.compare("a.published_at", ">=", from);
        }
        if let Some(to) = range.to_timestamp_exclusive() {
            c.compare("a.published_at", "<", to);
        }
    }
    if let Some(outlets) = &filter.outlets {
        c.in_list("a.outlet", outlets);
    }
    if let Some(people) = &filter.mentions_people {
        c.linked("a.id", rel::ARTICLE_PERSON, people);
    }
    if let Some(orgs) = &filter.mentions_organizations {
        c.linked("a.id", rel::ARTICLE_ORG, orgs);
    }
    if let Some(language) = &filter.language {
        c.compare("a.language", "=", language.clone());
    }
    if let Some(text) = &filter.text {
        c.text("a.rowid", "articles_fts", text);
    }
    c.nested(&filter.all_of, &filter.any_of, article_condition);
    c.finish();
}

/// Writes the condition for `filter` over the `quotes q` table.
pub fn quote_condition(filter: &QuoteFilter, query: &mut Query) {
    quote_condition_on(filter, query, DateColumn::Day);
}

/// Which column a quote condition reads a date range from. Both hold the
/// quote's day (`sort_date` is `day`, or `''` when the quote has none):
/// `day` leads the dashboards' covering index (`quotes_day`), `sort_date`
/// the indexes a page in date order walks (`quotes_sort_date`,
/// `quotes_speaker_date`), so that a page of a date range is an index range
/// read in order and stopped at its `LIMIT`, not every match sorted.
#[derive(Clone, Copy)]
enum DateColumn {
    Day,
    SortDate,
}

/// `column` within `range`, for a column that holds `''` for undated quotes
/// (which no range includes).
fn sort_key_range(conditions: &mut Conditions<'_>, column: &str, range: &DateRange) {
    match range.from_day() {
        Some(from) => conditions.compare(column, ">=", from),
        None if range.to.is_some() => conditions.compare(column, ">", String::new()),
        None => {}
    }
    if let Some(to) = range.to_day() {
        conditions.compare(column, "<=", to);
    }
}

fn quote_condition_on(filter: &QuoteFilter, query: &mut Query, dates: DateColumn) {
    let mut c = Conditions::new(query);
    if let Some(ids) = &filter.ids {
        c.in_list("q.id", ids);
    }
    if let Some(statements) = &filter.statements {
        c.next()
            .push("q.id IN (SELECT quote FROM statement_reports WHERE statement IN (SELECT value FROM json_each(")
            .bind(json_list(statements))
            .push(")))");
    }
    if let Some(articles) = &filter.articles {
        c.in_list("q.article", articles);
    }
    if let Some(speakers) = &filter.speakers {
        c.in_list("q.speaker_person", speakers);
    }
    if let Some(orgs) = &filter.speaker_organizations {
        c.linked("q.id", rel::QUOTE_SPEAKER_ORG, orgs);
    }
    if let Some(anonymous) = filter.anonymous {
        c.compare("q.speaker_key", "LIKE", if anonymous { "anon:%" } else { "person:%" }.to_owned());
    }
    if let Some(via) = &filter.via {
        c.linked("q.id", rel::QUOTE_VIA, via);
    }
    if let Some(direct) = filter.direct {
        c.compare("q.direct", "=", i64::from(direct));
    }
    if let Some(range) = &filter.date {
        match dates {
            DateColumn::Day => day_range(&mut c, "q.day", range),
            DateColumn::SortDate => sort_key_range(&mut c, "q.sort_date", range),
        }
    }
    if let Some(text) = &filter.text {
        c.text("q.rowid", "quotes_fts", text);
    }
    if filter.originals_only {
        c.next().push("q.copy_of IS NULL");
    }
    c.nested(&filter.all_of, &filter.any_of, |f, q| quote_condition_on(f, q, dates));
    c.finish();
}

/// Writes the condition for `filter` over the `people p` table.
pub fn person_condition(filter: &PersonFilter, query: &mut Query) {
    let mut c = Conditions::new(query);
    if let Some(orgs) = &filter.affiliations {
        c.linked("p.id", rel::PERSON_ORG, orgs);
    }
    c.nested(&filter.all_of, &filter.any_of, person_condition);
    c.finish();
}

/// Writes the condition for `filter` over the `organizations o` table.
pub fn organization_condition(filter: &OrganizationFilter, query: &mut Query) {
    let mut c = Conditions::new(query);
    if let Some(kinds) = &filter.kinds {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        c.in_list("o.kind", &kinds);
    }
    if let Some(parents) = &filter.member_of {
        c.linked("o.id", rel::ORG_MEMBER_OF, parents);
    }
    c.nested(&filter.all_of, &filter.any_of, organization_condition);
    c.finish();
}

/// A keyset order: the sort column, the id column, and the direction.
pub struct Order {
    pub key: &'static str,
    pub id: &'static str,
    pub descending: bool,
}

impl Order {
    /// Appends ` AND (key, id) > (?, ?)` for the page start, then ORDER BY and LIMIT.
    pub fn page(&self, page: &Page, query: &mut Query) {
        if let Some(after) = &page.after {
            let op = if self.descending { "<" } else { ">" };
            query
                .push(" AND (")
                .push(self.key)
                .push(", ")
                .push(self.id)
                .push(") ")
                .push(op)
                .push(" (")
                .bind(after.key.clone())
                .push(", ")
                .bind(after.id.clone())
                .push(")");
        }
        let direction = if self.descending { " DESC" } else { "" };
        query
            .push(" ORDER BY ")
            .push(self.key)
            .push(direction)
            .push(", ")
            .push(self.id)
            .push(direction)
            .push(" LIMIT ")
            .bind(i64::try_from(page.limit).unwrap_or(i64::MAX));
    }
}

pub fn article_order(sort: ArticleSort) -> Order {
    match sort {
        ArticleSort::PublishedDesc => Order { key: "a.sort_date", id: "a.id", descending: true },
        ArticleSort::PublishedAsc => Order { key: "a.sort_date", id: "a.id", descending: false },
        ArticleSort::Id => Order { key: "a.id", id: "a.id", descending: false },
    }
}

pub fn quote_order(sort: QuoteSort) -> Order {
    match sort {
        QuoteSort::DateDesc => Order { key: "q.sort_date", id: "q.id", descending: true },
        QuoteSort::DateAsc => Order { key: "q.sort_date", id: "q.id", descending: false },
        QuoteSort::Id => Order { key: "q.id", id: "q.id", descending: false },
    }
}

pub fn person_order(sort: NameSort) -> Order {
    match sort {
        NameSort::Name => Order { key: "p.name_key", id: "p.id", descending: false },
        NameSort::Id => Order { key: "p.id", id: "p.id", descending: false },
    }
}

pub fn organization_order(sort: NameSort) -> Order {
    match sort {
        NameSort::Name => Order { key: "o.name_key", id: "o.id", descending: false },
        NameSort::Id => Order { key: "o.id", id: "o.id", descending: false },
    }
}

/// Below this many full-text matches, a quote list is read from the matches
/// rather than from a source's or organization's sorted links.
pub const FEW_TEXT_MATCHES: u64 = 2_000;

/// The query for a page of quotes. A list in date order narrowed to one
/// source or one speaker organization walks that link's sorted index range
/// (`links_sorted`) instead of gathering and sorting every match, so its cost
/// depends on the page size, not on how many quotes the source has.
///
/// `text_matches` is how many quotes the filter's own `text` condition matches
/// (`None` without one). When few do (under [`FEW_TEXT_MATCHES`]), the
/// full-text index drives the query instead: walking a busy source's range
/// for a rare word would visit every one of its quotes.
pub fn find_quotes_query(filter: &QuoteFilter, sort: QuoteSort, page: &Page, text_matches: Option<u64>) -> Query {
    if text_matches.is_some_and(|n| n < FEW_TEXT_MATCHES) {
        return generic_find_quotes(filter, sort, page);
    }
    let descending = match sort {
        QuoteSort::DateDesc => true,
        QuoteSort::DateAsc => false,
        QuoteSort::Id => return generic_find_quotes(filter, sort, page),
    };
    let (relation, dst, rest) = match (&filter.via, &filter.speaker_organizations) {
        (Some(via), _) if via.len() == 1 => {
            (rel::QUOTE_VIA, via[0].to_string(), QuoteFilter { via: None, ..filter.clone() })
        }
        (_, Some(orgs)) if orgs.len() == 1 => {
            (rel::QUOTE_SPEAKER_ORG, orgs[0].to_string(), QuoteFilter { speaker_organizations: None, ..filter.clone() })
        }
        _ => return generic_find_quotes(filter, sort, page),
    };
    let mut query = Query::new("SELECT q.doc FROM links l JOIN quotes q ON q.id = l.src WHERE l.rel = ");
    query.bind(relation.to_owned()).push(" AND l.dst = ").bind(dst).push(" AND ");
    // A date range bounds the link's own copy of the day too, so the walk
    // starts and stops at the range's ends instead of reading every later quote.
    if let Some(range) = &filter.date {
        let mut dated = Conditions::new(&mut query);
        sort_key_range(&mut dated, "l.sort_key", range);
        dated.finish();
        query.push(" AND ");
    }
    quote_condition_on(&rest, &mut query, DateColumn::SortDate);
    Order { key: "l.sort_key", id: "l.src", descending }.page(page, &mut query);
    query
}

/// A page of quotes read from the `quotes` table. In date order, a date
/// range is read from `sort_date` (see [`DateColumn`]), and one speaker's
/// quotes from `quotes_speaker_date` (speaker, sort_date, id): either way an
/// index range in the page's order.
fn generic_find_quotes(filter: &QuoteFilter, sort: QuoteSort, page: &Page) -> Query {
    let mut query = Query::new("SELECT q.doc FROM quotes q WHERE ");
    let dates = if matches!(sort, QuoteSort::Id) { DateColumn::Day } else { DateColumn::SortDate };
    quote_condition_on(filter, &mut query, dates);
    quote_order(sort).page(page, &mut query);
    query
}

/// `SELECT key, count` over the quotes matching `filter`, grouped by `group`.
pub fn group_query(filter: &QuoteFilter, group: QuoteGroup, limit: usize) -> Query {
    let mut query = bucket_query(filter, group, ", count(*) AS n");
    query.push(" GROUP BY bucket ORDER BY ");
    query.push(if group.is_period() { "bucket" } else { "n DESC, bucket" });
    query.push(" LIMIT ").bind(i64::try_from(limit).unwrap_or(i64::MAX));
    query
}

/// `SELECT key` once per quote (or link) matching `filter`, ungrouped: for a
/// caller that sums them itself, without SQLite's sorts of grouped keys.
pub fn bucket_rows(filter: &QuoteFilter, group: QuoteGroup) -> Query {
    bucket_query(filter, group, "")
}

/// `SELECT bucket{more}` over the quotes (or their links) matching `filter`.
fn bucket_query(filter: &QuoteFilter, group: QuoteGroup, more: &str) -> Query {
    let links = match group {
        QuoteGroup::Source => Some(rel::QUOTE_VIA),
        QuoteGroup::SpeakerOrganization => Some(rel::QUOTE_SPEAKER_ORG),
        _ => None,
    };
    let date_only = QuoteFilter { date: filter.date, ..QuoteFilter::default() } == *filter;
    match links {
        // Counting by source over a date range needs only the links, which carry
        // the quote's day: one covering index range (`links_dated`).
        Some(relation) if date_only => {
            let mut query = Query::new(format!("SELECT l.dst AS bucket{more} FROM links l WHERE l.rel = "));
            query.bind(relation.to_owned());
            if let Some(range) = &filter.date {
                // Undated quotes fall outside any date range.
                query.push(" AND l.sort_key <> ''");
                if let Some(from) = range.from_day() {
                    query.push(" AND l.sort_key >= ").bind(from);
                }
                if let Some(to) = range.to_day() {
                    query.push(" AND l.sort_key <= ").bind(to);
                }
            }
            query
        }
        Some(relation) => {
            let mut query = Query::new(format!("SELECT l.dst AS bucket{more} FROM quotes q JOIN links l ON l.rel = "));
            query.bind(relation.to_owned()).push(" AND l.src = q.id WHERE ");
            quote_condition(filter, &mut query);
            query
        }
        None => {
            let key = match group {
                QuoteGroup::Speaker => "q.speaker_key",
                QuoteGroup::Day => "q.day",
                QuoteGroup::Week => "q.week",
                _ => "q.month",
            };
            let mut query =
                Query::new(format!("SELECT {key} AS bucket{more} FROM quotes q WHERE {key} IS NOT NULL AND "));
            quote_condition(filter, &mut query);
            query
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrganizationId, PersonId};

    /// `EXPLAIN QUERY PLAN` of `query` on a migrated store, one line per step.
    fn plan(conn: &rusqlite::Connection, query: &Query) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", query.sql)).unwrap();
        let rows = stmt.query_map(rusqlite::params_from_iter(query.params.iter()), |row| row.get::<_, String>(3));
        rows.unwrap().map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// A page in date order of one speaker, one source or one speaker
    /// organization, of a date range, or of one of those within a range (and
    /// an outlet's articles) is an index range read in the page's order: no
    /// step sorts the matches, so its cost does not grow with how many there are.
    #[test]
    fn date_ordered_pages_of_one_key_walk_an_index_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::SqliteStore::open(dir.path()).unwrap();
        let conn = store.inner.writer.lock().unwrap();
        let range = |from: Option<&str>, to: Option<&str>| DateRange {
            from: from.map(|d| d.parse().unwrap()),
            to: to.map(|d| d.parse().unwrap()),
        };
        let two_years = Some(range(Some("2021-03-15"), Some("2023-03-14")));
        let person = Some(vec![PersonId::parse("p").unwrap()]);
        let org = Some(vec![OrganizationId::parse("o").unwrap()]);
        let filters = [
            QuoteFilter { date: two_years, ..QuoteFilter::default() },
            QuoteFilter { date: Some(range(None, Some("2022-01-01"))), ..QuoteFilter::default() },
            QuoteFilter { speakers: person.clone(), ..QuoteFilter::default() },
            QuoteFilter { speakers: person, date: two_years, ..QuoteFilter::default() },
            QuoteFilter { via: org.clone(), date: two_years, ..QuoteFilter::default() },
            QuoteFilter { speaker_organizations: org.clone(), date: two_years, ..QuoteFilter::default() },
        ];
        let after = crate::store::After { key: "2022-06-01".into(), id: "q".into() };
        for filter in &filters {
            for sort in [QuoteSort::DateDesc, QuoteSort::DateAsc] {
                for page in [Page::first(20), Page { after: Some(after.clone()), limit: 20 }] {
                    let plan = plan(&conn, &find_quotes_query(filter, sort, &page, None));
                    assert!(!plan.contains("TEMP B-TREE"), "{filter:?} {sort:?}:\n{plan}");
                }
            }
        }
        let outlet = ArticleFilter { outlets: org, ..ArticleFilter::default() };
        for sort in [ArticleSort::PublishedDesc, ArticleSort::PublishedAsc] {
            let query = super::super::find_query(
                "articles",
                |q| article_condition(&outlet, q),
                article_order(sort),
                &Page::first(20),
            );
            let plan = plan(&conn, &query);
            assert!(!plan.contains("TEMP B-TREE"), "{sort:?}:\n{plan}");
        }
    }

    #[test]
    fn values_are_always_parameters() {
        let hostile = "x'); DROP TABLE quotes; --";
        let filter = QuoteFilter {
            any_of: vec![
                QuoteFilter { speakers: Some(vec![PersonId::parse("a").unwrap()]), ..QuoteFilter::default() },
                QuoteFilter {
                    via: Some(vec![OrganizationId::parse("b").unwrap()]),
                    direct: Some(true),
                    ..QuoteFilter::default()
                },
            ],
            ..QuoteFilter::default()
        };
        let mut query = Query::new("");
        quote_condition(&filter, &mut query);
        assert_eq!(query.sql.matches('?').count(), query.params.len());
        assert!(query.sql.contains(" OR "));
        let article = ArticleFilter { language: Some(hostile.into()), ..ArticleFilter::default() };
        let mut query = Query::new("");
        article_condition(&article, &mut query);
        assert!(!query.sql.contains("DROP"));
        assert_eq!(query.params, vec![Value::Text(hostile.into())]);
        let mut empty = Query::new("");
        person_condition(&PersonFilter::default(), &mut empty);
        assert_eq!(empty.sql, "(1)");
    }
}
