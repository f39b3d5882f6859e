//! Compiles typed filters, sort orders, keyset pages and quote groupings into
//! MongoDB documents.
//!
//! Every key written here is a constant of this file; values from a filter
//! (ids, dates, flags, kinds) only ever appear as values. A string such as
//! `{"$ne": null}` therefore stays a string to compare with, never an operator:
//! the unit test below walks the compiled documents to prove it.

use crate::search::SearchQuery;
use crate::store::filter::{
    ArticleFilter, ArticleSort, DateRange, NameSort, OrganizationFilter, Page, PersonFilter, QuoteFilter, QuoteGroup,
    QuoteSort,
};
use mongodb::bson::{Bson, Document, doc};
use std::collections::HashMap;

/// The ids that each full-text condition of a filter matches, looked up in the
/// text index before the filter is compiled (see `MongoStore::text_matches`).
/// A condition missing from the map matches nothing.
pub type TextMatches = HashMap<SearchQuery, Vec<String>>;

fn strings<T: AsRef<str>>(items: &[T]) -> Vec<String> {
    items.iter().map(|i| i.as_ref().to_owned()).collect()
}

/// Conditions that must all hold, and how to combine sub-filters.
struct All(Vec<Document>);

impl All {
    fn new() -> Self {
        All(Vec::new())
    }

    fn any_in<T: AsRef<str>>(&mut self, field: &str, items: &[T]) {
        self.0.push(doc! { field: { "$in": strings(items) } });
    }

    fn equals(&mut self, field: &str, value: impl Into<Bson>) {
        self.0.push(doc! { field: value.into() });
    }

    fn range(&mut self, field: &str, from: Option<String>, to: Option<String>, to_inclusive: bool) {
        let mut bounds = Document::new();
        if let Some(from) = from {
            bounds.insert("$gte", from);
        }
        if let Some(to) = to {
            bounds.insert(if to_inclusive { "$lte" } else { "$lt" }, to);
        }
        if !bounds.is_empty() {
            self.0.push(doc! { field: bounds });
        }
    }

    /// `_id` among the ids the text condition matched.
    fn text(&mut self, query: &SearchQuery, texts: &TextMatches) {
        let ids: &[String] = texts.get(query).map_or(&[], Vec::as_slice);
        self.any_in("_id", ids);
    }

    fn nested<F>(&mut self, all: &[F], any: &[F], compile: &dyn Fn(&F) -> Document) {
        self.0.extend(all.iter().map(compile));
        if !any.is_empty() {
            let alternatives: Vec<Document> = any.iter().map(compile).collect();
            self.0.push(doc! { "$or": alternatives });
        }
    }

    fn finish(self) -> Document {
        match self.0.len() {
            0 => Document::new(),
            1 => self.0.into_iter().next().unwrap_or_default(),
            _ => doc! { "$and": self.0 },
        }
    }
}

fn day_range(all: &mut All, field: &str, range: &DateRange) {
    all.range(field, range.from_day(), range.to_day(), true);
}

pub fn article_filter(filter: &ArticleFilter, texts: &TextMatches) -> Document {
    let mut all = All::new();
    if let Some(ids) = &filter.ids {
        all.any_in("_id", ids);
    }
    if let Some(range) = &filter.published {
        all.range("published_at", range.from_timestamp(), range.to_timestamp_exclusive(), false);
    }
    if let Some(outlets) = &filter.outlets {
        all.any_in("outlet", outlets);
    }
    if let Some(people) = &filter.mentions_people {
        all.any_in("people", people);
    }
    if let Some(orgs) = &filter.mentions_organizations {
        all.any_in("organizations", orgs);
    }
    if let Some(language) = &filter.language {
        all.equals("language", language.clone());
    }
    if let Some(text) = &filter.text {
        all.text(text, texts);
    }
    all.nested(&filter.all_of, &filter.any_of, &|f| article_filter(f, texts));
    all.finish()
}

pub fn quote_filter(filter: &QuoteFilter, texts: &TextMatches) -> Document {
    let mut all = All::new();
    if let Some(ids) = &filter.ids {
        all.any_in("_id", ids);
    }
    if let Some(statements) = &filter.statements {
        all.any_in("statement", statements);
    }
    if let Some(articles) = &filter.articles {
        all.any_in("article", articles);
    }
    if let Some(speakers) = &filter.speakers {
        all.any_in("speaker.person", speakers);
    }
    if let Some(orgs) = &filter.speaker_organizations {
        all.any_in("speaker_orgs", orgs);
    }
    if let Some(anonymous) = filter.anonymous {
        all.equals("speaker.kind", if anonymous { "anonymous" } else { "person" });
    }
    if let Some(via) = &filter.via {
        all.any_in("via", via);
    }
    if let Some(direct) = filter.direct {
        all.equals("direct", direct);
    }
    if let Some(range) = &filter.date {
        day_range(&mut all, "day", range);
    }
    if let Some(text) = &filter.text {
        all.text(text, texts);
    }
    if filter.originals_only {
        // Missing (every original) or null.
        all.equals("copy_of", Bson::Null);
    }
    all.nested(&filter.all_of, &filter.any_of, &|f| quote_filter(f, texts));
    all.finish()
}

/// The filter of a page of quotes: [`quote_filter`], and a date range also
/// as bounds on `sort_date` (the same day, `""` when undated), the field the
/// page is sorted by, so that MongoDB reads the range of a compound index
/// (`{speaker.person | via | speaker_orgs, sort_date, _id}` or `{sort_date,
/// _id}`) in the page's order instead of every match.
pub fn quote_page_filter(filter: &QuoteFilter, texts: &TextMatches) -> Document {
    let matching = quote_filter(filter, texts);
    let Some(range) = &filter.date else { return matching };
    let mut bounds = Document::new();
    match range.from_day() {
        Some(from) => bounds.insert("$gte", from),
        None if range.to.is_some() => bounds.insert("$gt", ""),
        None => None,
    };
    if let Some(to) = range.to_day() {
        bounds.insert("$lte", to);
    }
    if bounds.is_empty() {
        return matching;
    }
    let dated = doc! { "sort_date": bounds };
    if matching.is_empty() {
        dated
    } else {
        doc! { "$and": [matching, dated] }
    }
}

pub fn person_filter(filter: &PersonFilter) -> Document {
    let mut all = All::new();
    if let Some(orgs) = &filter.affiliations {
        all.any_in("affiliations", orgs);
    }
    all.nested(&filter.all_of, &filter.any_of, &person_filter);
    all.finish()
}

pub fn organization_filter(filter: &OrganizationFilter) -> Document {
    let mut all = All::new();
    if let Some(kinds) = &filter.kinds {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        all.any_in("kind", &kinds);
    }
    if let Some(parents) = &filter.member_of {
        all.any_in("member_of", parents);
    }
    all.nested(&filter.all_of, &filter.any_of, &organization_filter);
    all.finish()
}

/// A keyset order: the sort field and direction (the `_id` breaks ties).
pub struct Order {
    pub field: &'static str,
    pub descending: bool,
}

impl Order {
    /// The sort document.
    pub fn sort(&self) -> Document {
        let direction = if self.descending { -1 } else { 1 };
        if self.field == "_id" {
            doc! { "_id": direction }
        } else {
            doc! { self.field: direction, "_id": direction }
        }
    }

    /// `filter` restricted to the items after the page start.
    pub fn page_filter(&self, filter: Document, page: &Page) -> Document {
        let Some(after) = &page.after else {
            return filter;
        };
        let op = if self.descending { "$lt" } else { "$gt" };
        let start = if self.field == "_id" {
            doc! { "_id": { op: &after.id } }
        } else {
            doc! { "$or": [
                { self.field: { op: &after.key } },
                { self.field: &after.key, "_id": { op: &after.id } },
            ] }
        };
        if filter.is_empty() {
            start
        } else {
            doc! { "$and": [filter, start] }
        }
    }
}

pub fn article_order(sort: ArticleSort) -> Order {
    match sort {
        ArticleSort::PublishedDesc => Order { field: "sort_date", descending: true },
        ArticleSort::PublishedAsc => Order { field: "sort_date", descending: false },
        ArticleSort::Id => Order { field: "_id", descending: false },
    }
}

pub fn quote_order(sort: QuoteSort) -> Order {
    match sort {
        QuoteSort::DateDesc => Order { field: "sort_date", descending: true },
        QuoteSort::DateAsc => Order { field: "sort_date", descending: false },
        QuoteSort::Id => Order { field: "_id", descending: false },
    }
}

pub fn name_order(sort: NameSort) -> Order {
    match sort {
        NameSort::Name => Order { field: "sort_name", descending: false },
        NameSort::Id => Order { field: "_id", descending: false },
    }
}

/// The aggregation pipeline that counts quotes matching `filter` by `group`.
/// Uses only `$match`, `$unwind`, `$group` with one `$sum`, `$sort` and `$limit`,
/// which FerretDB v1 supports.
pub fn group_pipeline(filter: &QuoteFilter, texts: &TextMatches, group: QuoteGroup, limit: usize) -> Vec<Document> {
    let (mut pipeline, field) = keyed_quotes(filter, texts, group);
    pipeline.push(doc! { "$group": { "_id": format!("${field}"), "n": { "$sum": 1 } } });
    finish_groups(&mut pipeline, group, limit);
    pipeline
}

/// [`group_pipeline`] counting statements: the quotes matching `filter` that
/// report one, grouped first by (key, statement), so a statement counts once
/// per key. For periods the rows are the distinct (period, statement) pairs,
/// `{ _id: { key, statement } }`, unordered: the caller counts each
/// statement at its earliest period (FerretDB v1 has no `$min` accumulator).
pub fn statement_group_pipeline(
    filter: &QuoteFilter,
    texts: &TextMatches,
    group: QuoteGroup,
    limit: usize,
) -> Vec<Document> {
    let (mut pipeline, field) = keyed_quotes(filter, texts, group);
    pipeline.insert(1, doc! { "$match": { "statement": { "$ne": Bson::Null } } });
    pipeline.push(doc! { "$group": { "_id": { "key": format!("${field}"), "statement": "$statement" } } });
    if !group.is_period() {
        pipeline.push(doc! { "$group": { "_id": "$_id.key", "n": { "$sum": 1 } } });
        finish_groups(&mut pipeline, group, limit);
    }
    pipeline
}

/// The stages that keep the quotes matching `filter` with a key to group by
/// (one row per key for many-valued keys), and that key's field.
fn keyed_quotes(filter: &QuoteFilter, texts: &TextMatches, group: QuoteGroup) -> (Vec<Document>, &'static str) {
    let field = match group {
        QuoteGroup::Source => "via",
        QuoteGroup::SpeakerOrganization => "speaker_orgs",
        QuoteGroup::Speaker => "speaker_key",
        QuoteGroup::Day => "day",
        QuoteGroup::Week => "week",
        QuoteGroup::Month => "month",
    };
    let mut pipeline = vec![doc! { "$match": quote_filter(filter, texts) }];
    if matches!(group, QuoteGroup::Source | QuoteGroup::SpeakerOrganization) {
        pipeline.push(doc! { "$unwind": format!("${field}") });
    }
    pipeline.push(doc! { "$match": { field: { "$ne": Bson::Null } } });
    (pipeline, field)
}

/// Orders grouped rows (periods by time, others largest first) and keeps `limit`.
fn finish_groups(pipeline: &mut Vec<Document>, group: QuoteGroup, limit: usize) {
    pipeline.push(if group.is_period() {
        doc! { "$sort": { "_id": 1 } }
    } else {
        doc! { "$sort": { "n": -1, "_id": 1 } }
    });
    pipeline.push(doc! { "$limit": i64::try_from(limit).unwrap_or(i64::MAX) });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrgKind, OrganizationId, PersonId};
    use crate::store::filter::After;

    const OPERATORS: [&str; 10] = ["$in", "$and", "$or", "$gte", "$lte", "$lt", "$gt", "$ne", "$match", "$sum"];

    /// Every key in `document` that starts with `$` is one this module writes.
    fn assert_only_our_operators(value: &Bson) {
        match value {
            Bson::Document(document) => {
                for (key, value) in document {
                    if key.starts_with('$') {
                        assert!(
                            OPERATORS.contains(&key.as_str())
                                || key.starts_with("$unwind")
                                || ["$group", "$sort", "$limit"].contains(&key.as_str()),
                            "unexpected operator {key}"
                        );
                    }
                    assert_only_our_operators(value);
                }
            }
            Bson::Array(items) => items.iter().for_each(assert_only_our_operators),
            _ => {}
        }
    }

    #[test]
    fn no_key_starting_with_dollar_comes_from_input() {
        let hostile = ["{\"$ne\": null}", "$where", "$gt", "a.b", "(a+)+$"];
        let mut filters = Vec::new();
        for text in hostile {
            filters.push(QuoteFilter { date: None, ..QuoteFilter::default() });
            filters.push(QuoteFilter {
                any_of: vec![QuoteFilter { direct: Some(true), ..QuoteFilter::default() }],
                ..QuoteFilter::default()
            });
            let article = ArticleFilter { language: Some(text.into()), ..ArticleFilter::default() };
            let compiled = article_filter(&article, &TextMatches::new());
            assert_only_our_operators(&Bson::Document(compiled.clone()));
            // The hostile text is the value of a constant key, never a key.
            assert_eq!(compiled.get_str("language").unwrap(), text);
            let page = Page { after: Some(After { key: text.into(), id: text.into() }), limit: 5 };
            let paged = article_order(ArticleSort::PublishedDesc).page_filter(compiled, &page);
            assert_only_our_operators(&Bson::Document(paged));
        }
        let quotes = QuoteFilter {
            speakers: Some(vec![PersonId::parse("p").unwrap()]),
            via: Some(vec![OrganizationId::parse("o").unwrap()]),
            all_of: filters,
            ..QuoteFilter::default()
        };
        for group in [QuoteGroup::Source, QuoteGroup::Speaker, QuoteGroup::Day] {
            let texts = TextMatches::new();
            let stages = group_pipeline(&quotes, &texts, group, 10)
                .into_iter()
                .chain(statement_group_pipeline(&quotes, &texts, group, 10));
            for stage in stages {
                assert_only_our_operators(&Bson::Document(stage));
            }
        }
        let orgs = OrganizationFilter { kinds: Some(vec![OrgKind::NewsAgency]), ..OrganizationFilter::default() };
        assert_eq!(organization_filter(&orgs), doc! { "kind": { "$in": ["news_agency"] } });
        assert_eq!(person_filter(&PersonFilter::default()), Document::new());
    }
}
