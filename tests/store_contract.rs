//! The storage contract: every behaviour the GraphQL layer relies on, checked
//! on both backends (the embedded SQLite store and MongoDB via FerretDB).

mod support;

use newsgraph::domain::{ArticleId, OrgKind, OrganizationId, PersonId, QuoteId, Speaker};
use newsgraph::search::SearchQuery;
use newsgraph::seed;
use newsgraph::store::{
    After, ArticleFilter, ArticleRelation, ArticleSort, Change, ChangeKind, Counts, DateRange, NameSort,
    OrganizationFilter, OrganizationRelation, Page, PersonFilter, PersonRelation, QuoteFilter, QuoteGroup,
    QuoteRelation, QuoteSort, SearchPage, SearchTarget, SharedStore,
};
use std::collections::BTreeMap;
use std::collections::BTreeSet;

fn sources_filter() -> OrganizationFilter {
    OrganizationFilter { kinds: Some(OrgKind::SOURCES.to_vec()), ..OrganizationFilter::default() }
}

fn org(raw: &str) -> OrganizationId {
    OrganizationId::parse(raw).unwrap()
}

async fn seeded(store: &SharedStore) {
    store.prepare().await.unwrap();
    seed::seed(store.as_ref(), &support::seed_dir()).await.unwrap();
}

fn texts<T>(pairs: &[(String, T)], text: impl Fn(&T) -> &str) -> BTreeSet<String> {
    pairs.iter().map(|(_, item)| text(item).to_owned()).collect()
}

async fn seeding_twice_changes_nothing(store: SharedStore) {
    seeded(&store).await;
    let first = store.counts().await.unwrap();
    assert_eq!(first, Counts { articles: 1, people: 4, organizations: 17, quotes: 9 });
    let ids_before: Vec<QuoteId> = store
        .find_quotes(&QuoteFilter::default(), QuoteSort::Id, &Page::first(100))
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.id)
        .collect();
    seeded(&store).await;
    assert_eq!(store.counts().await.unwrap(), first);
    let ids_after: Vec<QuoteId> = store
        .find_quotes(&QuoteFilter::default(), QuoteSort::Id, &Page::first(100))
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(ids_before, ids_after, "re-seeding must keep quote ids");
}

async fn gets_by_ids_skip_unknown_ones(store: SharedStore) {
    seeded(&store).await;
    let people = store
        .people(&[
            PersonId::parse("sergei-lavrov").unwrap(),
            PersonId::parse("nobody").unwrap(),
            PersonId::parse("john-kerry").unwrap(),
        ])
        .await
        .unwrap();
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["John Kerry", "Sergei Lavrov"]);
    assert!(store.articles(&[]).await.unwrap().is_empty());
    let article = store.articles(&[ArticleId::parse("issg-vienna-2016-05-17").unwrap()]).await.unwrap();
    assert_eq!(article[0].dateline.as_deref(), Some("Vienna"));
    assert!(article[0].body.starts_with("Top officials of the U.S. and Russia"));
}

async fn quotes_follow_every_relation(store: SharedStore) {
    seeded(&store).await;
    let afp = store
        .related_quotes(QuoteRelation::Via, &["agence-france-presse".into(), "the-guardian".into()])
        .await
        .unwrap();
    let via_afp: Vec<_> = afp.iter().filter(|(p, _)| p == "agence-france-presse").cloned().collect();
    let via_guardian: Vec<_> = afp.iter().filter(|(p, _)| p == "the-guardian").cloned().collect();
    assert_eq!(via_afp.len(), 6);
    assert_eq!(via_guardian.len(), 2);
    assert!(texts(&via_guardian, |q| &q.text).iter().any(|t| t.starts_with("Kerry was in Jeddah")));

    let lavrov = store.related_quotes(QuoteRelation::BySpeaker, &["sergei-lavrov".into()]).await.unwrap();
    assert_eq!(lavrov.len(), 1);
    assert!(lavrov[0].1.text.starts_with("Today we're a long way from the finish line."));
    assert!(lavrov[0].1.via.is_empty());

    let in_article = store.related_quotes(QuoteRelation::InArticle, &["issg-vienna-2016-05-17".into()]).await.unwrap();
    assert_eq!(in_article.len(), 9);
    let starts: Vec<usize> = in_article.iter().map(|(_, q)| q.span.start).collect();
    let mut sorted = starts.clone();
    sorted.sort_unstable();
    assert_eq!(starts, sorted, "an article's quotes come in body order");

    // By organization: anonymous spokespeople tied to it, and its people.
    let by_state = store.related_quotes(QuoteRelation::ByOrganization, &["us-state-department".into()]).await.unwrap();
    assert_eq!(by_state.len(), 3);
    assert!(by_state.iter().all(|(_, q)| matches!(&q.speaker, Some(Speaker::Anonymous { description, .. }) if description == "a senior U.S. State Department official")));
    let by_russia = store.related_quotes(QuoteRelation::ByOrganization, &["russia".into()]).await.unwrap();
    assert_eq!(by_russia.len(), 1, "Lavrov speaks for Russia");
    let by_us = store.related_quotes(QuoteRelation::ByOrganization, &["united-states".into()]).await.unwrap();
    assert_eq!(by_us.len(), 3, "the three statements of 'U.S. officials'");
}

async fn reverse_relations_group_by_parent(store: SharedStore) {
    seeded(&store).await;
    let members = store
        .related_organizations(OrganizationRelation::MembersOf, &["international-syria-support-group".into()])
        .await
        .unwrap();
    let names: BTreeSet<&str> = members.iter().map(|(_, o)| o.name.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["Arab League", "European Union", "France", "Iran", "Saudi Arabia", "Turkey", "United Kingdom"])
    );
    let affiliated =
        store.related_people(PersonRelation::AffiliatedWith, &["russia".into(), "syria".into()]).await.unwrap();
    let pairs: BTreeSet<(String, String)> =
        affiliated.iter().map(|(p, person)| (p.clone(), person.name.clone())).collect();
    assert_eq!(
        pairs,
        BTreeSet::from([("russia".into(), "Sergei Lavrov".into()), ("syria".into(), "Bashar al Assad".into())])
    );
    let mentioning = store.related_articles(ArticleRelation::MentionsPerson, &["john-kerry".into()]).await.unwrap();
    assert_eq!(mentioning.len(), 1);
    let published = store.related_articles(ArticleRelation::PublishedBy, &["the-guardian".into()]).await.unwrap();
    assert!(published.is_empty(), "the seed article has no known outlet");
}

async fn names_match_case_insensitively_preferring_own_names(store: SharedStore) {
    seeded(&store).await;
    for name in ["lavrov", "Sergei  Lavrov", "SERGEI LAVROV"] {
        assert_eq!(store.person_by_name(name).await.unwrap().unwrap().id.as_str(), "sergei-lavrov");
    }
    assert_eq!(store.person_by_name("Bashar al-Assad").await.unwrap().unwrap().id.as_str(), "bashar-al-assad");
    for name in ["afp", "Agence France Presse", "agence france-presse"] {
        assert_eq!(store.organization_by_name(name).await.unwrap().unwrap().id.as_str(), "agence-france-presse");
    }
    for hostile in ["{\"$ne\": null}", "$where", ".*", "(a+)+$", "lavrov'; DROP TABLE people; --", "name_keys"] {
        assert!(store.person_by_name(hostile).await.unwrap().is_none(), "{hostile} must be plain data");
        assert!(store.organization_by_name(hostile).await.unwrap().is_none(), "{hostile} must be plain data");
    }
    assert_eq!(store.people(&[]).await.unwrap().len(), 0);
}

async fn names_are_looked_up_in_one_batch(store: SharedStore) {
    seeded(&store).await;
    let names: Vec<String> =
        ["kerry", "Sergei Lavrov", "Nobody", "$where", "AFP", "the guardian"].map(String::from).into();
    let before = store.operations();
    let people = store.people_by_names(&names).await.unwrap();
    assert_eq!(store.operations() - before, 1);
    assert_eq!(ids(&people), BTreeSet::from(["john-kerry".to_string(), "sergei-lavrov".to_string()]));
    let orgs = store.organizations_by_names(&names).await.unwrap();
    assert_eq!(ids(&orgs), BTreeSet::from(["agence-france-presse".to_string(), "the-guardian".to_string()]));
    assert!(store.people_by_names(&[]).await.unwrap().is_empty());
}

async fn lists_page_by_keyset(store: SharedStore) {
    store.prepare().await.unwrap();
    store.write(&support::synthetic::graph(25)).await.unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .find_articles(&ArticleFilter::default(), ArticleSort::Id, &Page { after: after.clone(), limit: 10 })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        let last = page.last().unwrap().id.to_string();
        after = Some(After { key: last.clone(), id: last });
        seen.extend(page.into_iter().map(|a| a.id.to_string()));
    }
    assert_eq!(seen.len(), 25);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    let sources = store.find_organizations(&sources_filter(), NameSort::Name, &Page::first(100)).await.unwrap();
    assert_eq!(sources.len(), support::synthetic::OUTLETS);
    assert!(sources.iter().all(|o| o.kind.is_source()));
    assert_eq!(store.count_organizations(&sources_filter()).await.unwrap(), support::synthetic::OUTLETS as u64);
    assert_eq!(store.count_quotes(&QuoteFilter::default()).await.unwrap(), 75);
    let after_last = store
        .find_people(
            &PersonFilter::default(),
            NameSort::Id,
            &Page { after: Some(After { key: "person-9999".into(), id: "person-9999".into() }), limit: 10 },
        )
        .await
        .unwrap();
    assert!(after_last.is_empty());
}

async fn rewriting_an_article_replaces_its_quotes(store: SharedStore) {
    store.prepare().await.unwrap();
    let mut batch = support::synthetic::graph(2);
    store.write(&batch).await.unwrap();
    assert_eq!(store.count_quotes(&QuoteFilter::default()).await.unwrap(), 6);
    // Article 0 loses its last quote and its first quote changes source.
    let article = batch.articles[0].id.clone();
    let dropped = batch.quotes.iter().rposition(|q| q.article == article).unwrap();
    let dropped_id = batch.quotes.remove(dropped).id;
    batch.quotes[0].via = vec![org("outlet-2")];
    store.write(&batch).await.unwrap();
    assert_eq!(store.count_quotes(&QuoteFilter::default()).await.unwrap(), 5);
    assert!(store.quotes(std::slice::from_ref(&dropped_id)).await.unwrap().is_empty());
    let via = store.related_quotes(QuoteRelation::Via, &["outlet-2".into()]).await.unwrap();
    assert!(via.iter().any(|(_, q)| q.id == batch.quotes[0].id));
    // The dropped quote no longer shows through any relation either.
    for outlet in ["outlet-0", "outlet-1", "outlet-2"] {
        let via = store.related_quotes(QuoteRelation::Via, &[outlet.into()]).await.unwrap();
        assert!(via.iter().all(|(_, q)| q.id != dropped_id));
    }
}

/// The near-duplicate index finds articles by shared band keys, most shared
/// first; copies are found from their original; a copied quote is left out
/// of originals-only lists and figures (whatever path answers them) and
/// counts again once it is no longer a copy.
async fn copy_keys_find_candidates_and_copies_count_once(store: SharedStore) {
    use newsgraph::store::CopyKeys;
    store.prepare().await.unwrap();
    let mut batch = support::synthetic::graph(3);
    let ids: Vec<ArticleId> = batch.articles.iter().map(|a| a.id.clone()).collect();
    batch.copy_keys = vec![
        CopyKeys { article: ids[0].clone(), keys: vec![1, 2, 3] },
        CopyKeys { article: ids[1].clone(), keys: vec![2, 3, 4] },
        CopyKeys { article: ids[2].clone(), keys: vec![i64::MAX] },
    ];
    store.write(&batch).await.unwrap();
    store.write(&batch).await.unwrap();
    let found = store.copy_candidates(&[3, 2, 5], 10).await.unwrap();
    assert_eq!(found, [(ids[0].clone(), 2), (ids[1].clone(), 2)], "most shared first, ties by id, once each");
    assert_eq!(
        store.copy_candidates(&[4, 3, 5], 1).await.unwrap(),
        [(ids[1].clone(), 2)],
        "the limit keeps the most shared"
    );
    assert_eq!(store.copy_candidates(&[i64::MAX], 5).await.unwrap(), [(ids[2].clone(), 1)]);
    assert!(store.copy_candidates(&[7], 5).await.unwrap().is_empty());
    assert!(store.copy_candidates(&[], 5).await.unwrap().is_empty());

    let all = QuoteFilter::default();
    let once = QuoteFilter { originals_only: true, ..QuoteFilter::default() };
    let range = DateRange { from: Some(day("2020-01-01")), to: Some(day("2020-12-31")) };
    let once_in_range = QuoteFilter { date: Some(range), ..once.clone() };
    let total = batch.quotes.len() as u64;
    assert_eq!(store.count_quotes(&once).await.unwrap(), total, "no copies yet: nothing left out");
    let day_sum = |buckets: Vec<newsgraph::store::Bucket>| buckets.iter().map(|b| b.count).sum::<u64>();
    assert_eq!(day_sum(store.group_quotes(&once_in_range, QuoteGroup::Day, 1000).await.unwrap()), total);

    // Article 1 becomes a copy of article 0, and its first quote a copy of article 0's first.
    let first_of = |batch: &newsgraph::store::GraphBatch, a: &ArticleId| {
        batch.quotes.iter().position(|q| q.article == *a).unwrap()
    };
    let (original_quote, copied_quote) = (first_of(&batch, &ids[0]), first_of(&batch, &ids[1]));
    batch.articles[1].copy_of = Some(ids[0].clone());
    batch.quotes[copied_quote].copy_of = Some(batch.quotes[original_quote].id.clone());
    batch.copy_keys.clear();
    store.write(&batch).await.unwrap();
    let copies = store.related_articles(ArticleRelation::CopiesOf, &[ids[0].to_string()]).await.unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!((copies[0].0.as_str(), &copies[0].1.id), (ids[0].as_str(), &ids[1]));
    assert_eq!(copies[0].1.copy_of.as_ref(), Some(&ids[0]));
    let copied_id = batch.quotes[copied_quote].id.clone();
    let stored = store.quotes(std::slice::from_ref(&copied_id)).await.unwrap();
    assert_eq!(stored[0].copy_of.as_ref(), Some(&batch.quotes[original_quote].id));
    assert_eq!(store.count_quotes(&all).await.unwrap(), total);
    assert_eq!(store.count_quotes(&once).await.unwrap(), total - 1);
    assert_eq!(store.count_quotes(&once_in_range).await.unwrap(), total - 1);
    assert_eq!(day_sum(store.group_quotes(&once_in_range, QuoteGroup::Day, 1000).await.unwrap()), total - 1);
    assert_eq!(day_sum(store.group_quotes(&once_in_range, QuoteGroup::Month, 1000).await.unwrap()), total - 1);
    let in_range = QuoteFilter { date: Some(range), ..QuoteFilter::default() };
    assert_eq!(day_sum(store.group_quotes(&in_range, QuoteGroup::Day, 1000).await.unwrap()), total);
    let nested = QuoteFilter { all_of: vec![once.clone()], ..QuoteFilter::default() };
    assert_eq!(store.count_quotes(&nested).await.unwrap(), total - 1);
    let listed = store.find_quotes(&once, QuoteSort::Id, &Page::first(100)).await.unwrap();
    assert_eq!(listed.len() as u64, total - 1);
    assert!(listed.iter().all(|q| q.id != copied_id));

    // No longer a copy: counted again.
    batch.articles[1].copy_of = None;
    batch.quotes[copied_quote].copy_of = None;
    store.write(&batch).await.unwrap();
    assert!(store.related_articles(ArticleRelation::CopiesOf, &[ids[0].to_string()]).await.unwrap().is_empty());
    assert_eq!(store.count_quotes(&once).await.unwrap(), total);
    assert_eq!(day_sum(store.group_quotes(&once_in_range, QuoteGroup::Day, 1000).await.unwrap()), total);
}

/// What the totals of unfiltered lists, and of one source's or one
/// speaker's quotes, must be for the entities of `batch`.
async fn assert_list_totals(store: &SharedStore, batch: &newsgraph::store::GraphBatch) {
    assert_eq!(store.count_articles(&ArticleFilter::default()).await.unwrap(), batch.articles.len() as u64);
    assert_eq!(store.count_people(&PersonFilter::default()).await.unwrap(), batch.people.len() as u64);
    let organizations = store.count_organizations(&OrganizationFilter::default()).await.unwrap();
    assert_eq!(organizations, batch.organizations.len() as u64);
    assert_eq!(store.count_quotes(&QuoteFilter::default()).await.unwrap(), batch.quotes.len() as u64);
    for source in ["outlet-0", "outlet-1", "outlet-2"] {
        let expected = batch.quotes.iter().filter(|q| q.via.iter().any(|v| v.as_str() == source)).count();
        let filter = QuoteFilter { via: Some(vec![org(source)]), ..Default::default() };
        assert_eq!(store.count_quotes(&filter).await.unwrap(), expected as u64, "quotes via {source}");
    }
    for person in &batch.people {
        let expected =
            batch.quotes.iter().filter(|q| q.speaker.as_ref().and_then(Speaker::person) == Some(&person.id)).count();
        let filter = QuoteFilter { speakers: Some(vec![person.id.clone()]), ..Default::default() };
        assert_eq!(store.count_quotes(&filter).await.unwrap(), expected as u64, "quotes by {}", person.id);
    }
    // One outlet's articles, one organization's people, one speaker organization's quotes.
    let affiliated = |person: &PersonId, o: &OrganizationId| {
        batch.people.iter().any(|p| &p.id == person && p.affiliations.contains(o))
    };
    for o in batch.organizations.iter().map(|o| &o.id) {
        let expected = batch.articles.iter().filter(|a| a.outlet.as_ref() == Some(o)).count();
        let filter = ArticleFilter { outlets: Some(vec![o.clone()]), ..Default::default() };
        assert_eq!(store.count_articles(&filter).await.unwrap(), expected as u64, "articles of {o}");
        let expected = batch.people.iter().filter(|p| p.affiliations.contains(o)).count();
        let filter = PersonFilter { affiliations: Some(vec![o.clone()]), ..Default::default() };
        assert_eq!(store.count_people(&filter).await.unwrap(), expected as u64, "people of {o}");
        let expected = batch
            .quotes
            .iter()
            .filter(|q| match &q.speaker {
                Some(Speaker::Person { person }) => affiliated(person, o),
                Some(Speaker::Anonymous { affiliation, .. }) => affiliation.as_ref() == Some(o),
                None => false,
            })
            .count();
        let filter = QuoteFilter { speaker_organizations: Some(vec![o.clone()]), ..Default::default() };
        assert_eq!(store.count_quotes(&filter).await.unwrap(), expected as u64, "quotes by {o}");
    }
}

/// List totals stay right as the store changes: on the embedded store they
/// come from counters kept at write time, on MongoDB (unfiltered) from the
/// collections' metadata, not from counting rows per request.
async fn list_totals_follow_inserts_rewrites_and_removals(store: SharedStore) {
    store.prepare().await.unwrap();
    assert_list_totals(&store, &newsgraph::store::GraphBatch::default()).await;
    let mut batch = support::synthetic::graph(6);
    store.write(&batch).await.unwrap();
    assert_list_totals(&store, &batch).await;
    store.write(&batch).await.unwrap();
    assert_list_totals(&store, &batch).await;
    // Re-ingested: article 0 loses its last quote, its first moves to another source and speaker.
    let article = batch.articles[0].id.clone();
    let dropped = batch.quotes.iter().rposition(|q| q.article == article).unwrap();
    batch.quotes.remove(dropped);
    assert!(batch.quotes[0].via != vec![org("outlet-2")]);
    batch.quotes[0].via = vec![org("outlet-2")];
    let other = batch.people.last().unwrap().id.clone();
    assert!(batch.quotes[0].speaker.as_ref().and_then(Speaker::person) != Some(&other));
    batch.quotes[0].speaker = Some(Speaker::Person { person: other });
    // Article 0 moves to another outlet, and person 0 to other organizations.
    assert_eq!(batch.articles[0].outlet, Some(org("outlet-0")));
    batch.articles[0].outlet = Some(org("outlet-2"));
    assert!(!batch.people[0].affiliations.contains(&org("gov-3")));
    batch.people[0].affiliations = vec![org("gov-3")];
    store.write(&batch).await.unwrap();
    assert_list_totals(&store, &batch).await;
    // A larger graph over the same ids: the removed quote comes back, and more of everything.
    let larger = support::synthetic::graph(10);
    store.write(&larger).await.unwrap();
    assert_list_totals(&store, &larger).await;
}

async fn stores_answer_ping_and_count_operations(store: SharedStore) {
    let before = store.operations();
    store.ping().await.unwrap();
    store.prepare().await.unwrap();
    store.prepare().await.unwrap(); // idempotent
    assert!(store.operations() > before);
}

fn ids<T: newsgraph::domain::Entity>(items: &[T]) -> BTreeSet<String> {
    items.iter().map(|i| i.key().to_owned()).collect()
}

fn day(raw: &str) -> chrono::NaiveDate {
    raw.parse().unwrap()
}

async fn synthetic(store: &SharedStore, articles: usize) -> newsgraph::store::GraphBatch {
    store.prepare().await.unwrap();
    let batch = support::synthetic::graph(articles);
    store.write(&batch).await.unwrap();
    batch
}

async fn article_filters_combine(store: SharedStore) {
    let batch = synthetic(&store, 10).await;
    let all = |filter: ArticleFilter| {
        let store = store.clone();
        async move {
            let found = store.find_articles(&filter, ArticleSort::Id, &Page::first(100)).await.unwrap();
            assert_eq!(store.count_articles(&filter).await.unwrap(), found.len() as u64, "count agrees with find");
            ids(&found)
        }
    };
    let expect = |keep: &dyn Fn(usize, &newsgraph::domain::Article) -> bool| -> BTreeSet<String> {
        batch.articles.iter().enumerate().filter(|(i, a)| keep(*i, a)).map(|(_, a)| a.id.to_string()).collect()
    };
    let range = DateRange { from: Some(day("2020-01-03")), to: Some(day("2020-01-05")) };
    assert_eq!(
        all(ArticleFilter { published: Some(range), ..Default::default() }).await,
        expect(&|i, _| (2..=4).contains(&i))
    );
    assert_eq!(
        all(ArticleFilter { language: Some("fr".into()), ..Default::default() }).await,
        expect(&|i, _| i % 2 == 1)
    );
    let outlet0 = ArticleFilter { outlets: Some(vec![org("outlet-0")]), ..Default::default() };
    assert_eq!(all(outlet0.clone()).await, expect(&|i, _| i % 3 == 0));
    let english = ArticleFilter { language: Some("en".into()), ..Default::default() };
    let either = ArticleFilter { any_of: vec![outlet0.clone(), english.clone()], ..Default::default() };
    assert_eq!(all(either).await, expect(&|i, _| i % 3 == 0 || i % 2 == 0));
    let both = ArticleFilter { all_of: vec![outlet0, english], ..Default::default() };
    assert_eq!(all(both).await, expect(&|i, _| i % 6 == 0));
    let person = PersonId::parse("person-0001").unwrap();
    let mentions = ArticleFilter { mentions_people: Some(vec![person.clone()]), ..Default::default() };
    assert_eq!(all(mentions).await, expect(&|_, a| a.people.contains(&person)));
    let hostile = ArticleFilter { language: Some("{\"$ne\": null}".into()), ..Default::default() };
    assert!(all(hostile).await.is_empty(), "a $-string is a value to compare with");
}

async fn quote_filters_follow_speakers_orgs_and_sources(store: SharedStore) {
    let batch = synthetic(&store, 10).await;
    let affiliations: std::collections::HashMap<String, Vec<OrganizationId>> =
        batch.people.iter().map(|p| (p.id.to_string(), p.affiliations.clone())).collect();
    let speaks_for = |q: &newsgraph::domain::Quote, o: &OrganizationId| match &q.speaker {
        Some(Speaker::Person { person }) => affiliations[person.as_str()].contains(o),
        Some(Speaker::Anonymous { affiliation, .. }) => affiliation.as_ref() == Some(o),
        None => false,
    };
    let expect = |keep: &dyn Fn(&newsgraph::domain::Quote) -> bool| -> BTreeSet<String> {
        batch.quotes.iter().filter(|q| keep(q)).map(|q| q.id.to_string()).collect()
    };
    let found = |filter: QuoteFilter| {
        let store = store.clone();
        async move {
            let quotes = store.find_quotes(&filter, QuoteSort::Id, &Page::first(1000)).await.unwrap();
            assert_eq!(store.count_quotes(&filter).await.unwrap(), quotes.len() as u64);
            ids(&quotes)
        }
    };
    let gov1 = org("gov-1");
    let by_gov1 = QuoteFilter { speaker_organizations: Some(vec![gov1.clone()]), ..Default::default() };
    assert_eq!(found(by_gov1).await, expect(&|q| speaks_for(q, &gov1)));
    let via = QuoteFilter { via: Some(vec![org("outlet-2")]), direct: Some(false), ..Default::default() };
    assert_eq!(found(via).await, expect(&|q| q.via.contains(&org("outlet-2")) && !q.direct));
    let anonymous = QuoteFilter { anonymous: Some(true), ..Default::default() };
    assert_eq!(found(anonymous).await, expect(&|q| matches!(q.speaker, Some(Speaker::Anonymous { .. }))));
    let dated = QuoteFilter { date: Some(DateRange { from: Some(day("2020-01-09")), to: None }), ..Default::default() };
    assert_eq!(found(dated).await, expect(&|q| q.date >= Some(day("2020-01-09"))));

    // A person's new affiliation carries over to the quotes already stored.
    let mut person = batch.people[0].clone();
    person.affiliations = vec![org("gov-3")];
    store.write(&newsgraph::store::GraphBatch { people: vec![person.clone()], ..Default::default() }).await.unwrap();
    let by_gov3 = QuoteFilter {
        speaker_organizations: Some(vec![org("gov-3")]),
        speakers: Some(vec![person.id.clone()]),
        ..Default::default()
    };
    let spoken: BTreeSet<String> = batch
        .quotes
        .iter()
        .filter(|q| q.speaker.as_ref().and_then(|s| s.person()) == Some(&person.id))
        .map(|q| q.id.to_string())
        .collect();
    assert!(!spoken.is_empty());
    assert_eq!(found(by_gov3).await, spoken);
    let by_gov0 = QuoteFilter {
        speaker_organizations: Some(vec![org("gov-0")]),
        speakers: Some(vec![person.id.clone()]),
        ..Default::default()
    };
    assert!(found(by_gov0).await.is_empty(), "the old affiliation no longer counts");
}

async fn sorted_pages_are_stable_keysets(store: SharedStore) {
    let batch = synthetic(&store, 12).await;
    for sort in [QuoteSort::DateDesc, QuoteSort::DateAsc, QuoteSort::Id] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .find_quotes(&QuoteFilter::default(), sort, &Page { after: after.clone(), limit: 7 })
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(After { key: newsgraph::store::filter::quote_sort_key(last, sort), id: last.id.to_string() });
            seen.extend(page);
        }
        assert_eq!(seen.len(), batch.quotes.len(), "{sort:?}: every quote once");
        assert_eq!(ids(&seen).len(), batch.quotes.len());
        let dates: Vec<_> = seen.iter().map(|q| q.date).collect();
        match sort {
            QuoteSort::DateDesc => assert!(dates.windows(2).all(|w| w[0] >= w[1])),
            QuoteSort::DateAsc => assert!(dates.windows(2).all(|w| w[0] <= w[1])),
            QuoteSort::Id => assert!(seen.windows(2).all(|w| w[0].id < w[1].id)),
        }
    }
    let newest =
        store.find_articles(&ArticleFilter::default(), ArticleSort::PublishedDesc, &Page::first(3)).await.unwrap();
    assert_eq!(
        newest.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["article-00011", "article-00010", "article-00009"]
    );
    let people = store.find_people(&PersonFilter::default(), NameSort::Name, &Page::first(100)).await.unwrap();
    let names: Vec<String> = people.iter().map(|p| p.name.to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
}

async fn full_text_search_ranks_phrases_and_folds_accents(store: SharedStore) {
    seeded(&store).await;
    let search = |target, raw: &str| {
        let store = store.clone();
        let query = SearchQuery::parse(raw).unwrap();
        async move { store.search(target, &query, &counted(50)).await.unwrap() }
    };
    let lavrov = search(SearchTarget::Quotes, "\"finish line\"").await;
    assert_eq!(lavrov.total, Some(1));
    assert!(lavrov.hits[0].0.starts_with("issg-vienna-2016-05-17~"));
    assert_eq!(search(SearchTarget::Quotes, "\"line finish\"").await.total, Some(0), "phrases keep word order");
    assert_eq!(search(SearchTarget::Quotes, "FINISH Line").await.total, Some(1), "case-insensitive");
    assert_eq!(
        search(SearchTarget::Quotes, "framework -august").await.total,
        Some(0),
        "the framework quote mentions August"
    );
    assert_eq!(search(SearchTarget::Quotes, "framework").await.total, Some(1));
    assert_eq!(search(SearchTarget::Articles, "lavrov +ISSG").await.total, Some(1));
    assert_eq!(search(SearchTarget::Articles, "lavrov -vienna").await.total, Some(0));
    // Accents fold both ways.
    let mut batch = support::synthetic::graph(1);
    batch.articles[0].body = "Talks resumed in Zürich and Genève.".into();
    batch.articles[0].headline = "Négociations".into();
    store.write(&batch).await.unwrap();
    assert_eq!(search(SearchTarget::Articles, "zurich").await.total, Some(1));
    assert_eq!(search(SearchTarget::Articles, "GENEVE negociations").await.total, Some(1));
    assert_eq!(search(SearchTarget::Articles, "Genève").await.total, Some(1));
    // The headline outweighs the body.
    let mut two = support::synthetic::graph(2);
    two.articles[0].headline = "Ceasefire talks".into();
    two.articles[0].body = "Nothing else.".into();
    two.articles[1].headline = "Other news".into();
    two.articles[1].body =
        "A word on the ceasefire, among many other words in a longer text about other things.".into();
    store.write(&two).await.unwrap();
    let ranked = search(SearchTarget::Articles, "ceasefire").await;
    let position = |id: &str| ranked.hits.iter().position(|(h, _)| h == id).unwrap();
    assert!(position("article-00000") < position("article-00001"), "{ranked:?}");
    assert!(ranked.hits.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
}

/// A first page of at most `first` hits, with every match counted.
fn counted(first: usize) -> SearchPage {
    SearchPage { after: None, first, count: true, ..SearchPage::default() }
}

async fn search_pages_follow_cursors_and_count_only_when_asked(store: SharedStore) {
    let mut batch = support::synthetic::graph(12);
    for (i, quote) in batch.quotes.iter_mut().enumerate() {
        // Every quote matches; texts of four lengths, so scores tie in groups.
        quote.text = format!("The ceasefire{}", " must hold".repeat(i % 4));
    }
    store.write(&batch).await.unwrap();
    let query = SearchQuery::parse("ceasefire").unwrap();
    let all = store.search(SearchTarget::Quotes, &query, &counted(1_000)).await.unwrap();
    assert_eq!(all.total, Some(batch.quotes.len() as u64));
    assert_eq!(all.hits.len(), batch.quotes.len(), "a page larger than the matches holds them all");
    assert!(all.hits.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
    let mut walked = Vec::new();
    let mut page = SearchPage { after: None, first: 5, count: false, ..SearchPage::default() };
    loop {
        let found = store.search(SearchTarget::Quotes, &query, &page).await.unwrap();
        assert_eq!(found.total, None, "not counted unless asked");
        let more = found.hits.len() > page.first;
        walked.extend(found.hits.into_iter().take(page.first));
        if !more {
            break;
        }
        let (id, score) = walked.last().cloned().unwrap();
        page.after = Some((score, id));
    }
    assert_eq!(walked, all.hits, "pages through cursors, ties included, give the whole ranking once");
    let (id, score) = walked.last().cloned().unwrap();
    page.after = Some((score, id));
    let after_last = store.search(SearchTarget::Quotes, &query, &SearchPage { count: true, ..page }).await.unwrap();
    assert!(after_last.hits.is_empty());
    assert_eq!(after_last.total, Some(batch.quotes.len() as u64), "counted past the last page too");
    assert!(!all.total_is_estimate && !after_last.total_is_estimate, "under the cap, counts are exact");
    // Two words: counted by walking the matches on the embedded store, exact under the cap.
    let two = SearchQuery::parse("ceasefire hold").unwrap();
    let holding = batch.quotes.iter().filter(|q| q.text.contains("hold")).count() as u64;
    assert!(holding > 2);
    let found = store.search(SearchTarget::Quotes, &two, &counted(2)).await.unwrap();
    assert_eq!((found.total, found.total_is_estimate), (Some(holding), false));
}

async fn search_finds_words_of_any_script(store: SharedStore) {
    let mut batch = support::synthetic::graph(2);
    batch.articles[0].headline = "Переговоры в Москве".into();
    batch.articles[0].body = "Straße nach Köln; 北京 talks.".into();
    batch.quotes[0].text = "Москва не изменит позицию".into();
    store.write(&batch).await.unwrap();
    let total = |target, raw: &str| {
        let store = store.clone();
        let query = SearchQuery::parse(raw).unwrap();
        async move { store.search(target, &query, &counted(10)).await.unwrap().total }
    };
    assert_eq!(total(SearchTarget::Quotes, "Москва").await, Some(1));
    assert_eq!(total(SearchTarget::Quotes, "МОСКВА позицию").await, Some(1), "case folds in Cyrillic");
    assert_eq!(total(SearchTarget::Articles, "москве").await, Some(1));
    assert_eq!(total(SearchTarget::Articles, "strasse koln").await, Some(1));
    assert_eq!(total(SearchTarget::Articles, "北京").await, Some(1));
    assert_eq!(total(SearchTarget::Articles, "Москва").await, Some(0), "no stemming: another form is another word");
}

async fn quotes_group_by_source_speaker_organization_and_period(store: SharedStore) {
    let batch = synthetic(&store, 10).await;
    let expected = |key: &dyn Fn(&newsgraph::domain::Quote) -> Vec<String>| {
        let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
        for q in &batch.quotes {
            for k in key(q) {
                *counts.entry(k).or_default() += 1;
            }
        }
        counts
    };
    let grouped = |group| {
        let store = store.clone();
        async move {
            let buckets = store.group_quotes(&QuoteFilter::default(), group, 100).await.unwrap();
            buckets.into_iter().map(|b| (b.key, b.count)).collect::<std::collections::BTreeMap<_, _>>()
        }
    };
    assert_eq!(grouped(QuoteGroup::Source).await, expected(&|q| q.via.iter().map(|o| o.to_string()).collect()));
    assert_eq!(
        grouped(QuoteGroup::Speaker).await,
        expected(&|q| q.speaker.iter().map(newsgraph::store::filter::speaker_key).collect())
    );
    assert_eq!(
        grouped(QuoteGroup::Day).await,
        expected(&|q| q.date.map(newsgraph::store::filter::day_key).into_iter().collect())
    );
    assert_eq!(
        grouped(QuoteGroup::Week).await,
        expected(&|q| q.date.map(newsgraph::store::filter::week_key).into_iter().collect())
    );
    assert_eq!(grouped(QuoteGroup::Month).await, BTreeMap::from([("2020-01".to_string(), 30)]));
    let orgs = grouped(QuoteGroup::SpeakerOrganization).await;
    assert_eq!(orgs.values().sum::<u64>(), {
        let people: std::collections::HashMap<_, _> =
            batch.people.iter().map(|p| (p.id.clone(), p.affiliations.len() as u64)).collect();
        batch
            .quotes
            .iter()
            .map(|q| match &q.speaker {
                Some(Speaker::Person { person }) => people[person],
                Some(Speaker::Anonymous { affiliation, .. }) => u64::from(affiliation.is_some()),
                None => 0,
            })
            .sum::<u64>()
    });
    // Over a date range (answered from the links alone on the embedded store).
    let range = DateRange { from: Some(day("2020-01-03")), to: Some(day("2020-01-06")) };
    let in_range = QuoteFilter { date: Some(range), ..Default::default() };
    let by_source: BTreeMap<String, u64> = store
        .group_quotes(&in_range, QuoteGroup::Source, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.key, b.count))
        .collect();
    let mut expected_in_range: BTreeMap<String, u64> = BTreeMap::new();
    for q in batch.quotes.iter().filter(|q| q.date >= range.from && q.date <= range.to) {
        for via in &q.via {
            *expected_in_range.entry(via.to_string()).or_default() += 1;
        }
    }
    assert_eq!(by_source, expected_in_range);
    // Largest first, and limited.
    let top = store.group_quotes(&QuoteFilter::default(), QuoteGroup::Speaker, 2).await.unwrap();
    assert_eq!(top.len(), 2);
    assert!(top[0].count >= top[1].count);
    // Periods come in time order, with a filter applied.
    let direct = QuoteFilter { direct: Some(true), ..Default::default() };
    let days = store.group_quotes(&direct, QuoteGroup::Day, 3).await.unwrap();
    assert_eq!(days.iter().map(|b| b.key.as_str()).collect::<Vec<_>>(), ["2020-01-01", "2020-01-02", "2020-01-03"]);
    assert!(days.iter().all(|b| b.count == 1));
}

async fn text_filters_compose_with_every_other_condition(store: SharedStore) {
    let batch = synthetic(&store, 10).await;
    let text = |raw: &str| Some(SearchQuery::parse(raw).unwrap());
    let expect = |keep: &dyn Fn(&newsgraph::domain::Quote) -> bool| -> BTreeSet<String> {
        batch.quotes.iter().filter(|q| keep(q)).map(|q| q.id.to_string()).collect()
    };
    let has = |q: &newsgraph::domain::Quote, word: &str| newsgraph::search::terms(&q.text).iter().any(|t| t == word);
    let found = |filter: QuoteFilter| {
        let store = store.clone();
        async move {
            let quotes = store.find_quotes(&filter, QuoteSort::Id, &Page::first(1000)).await.unwrap();
            assert_eq!(store.count_quotes(&filter).await.unwrap(), quotes.len() as u64, "count agrees with find");
            ids(&quotes)
        }
    };
    // Words, phrases in order, exclusions; case ignored.
    let official = QuoteFilter { text: text("OFFICIAL talks"), ..Default::default() };
    assert_eq!(found(official.clone()).await, expect(&|q| has(q, "official")));
    assert_eq!(found(official.clone()).await.len(), 10);
    let phrase = QuoteFilter { text: text("\"talks number\""), ..Default::default() };
    assert_eq!(found(phrase).await, expect(&|q| has(q, "talks")));
    let reversed = QuoteFilter { text: text("\"number talks\""), ..Default::default() };
    assert!(found(reversed).await.is_empty(), "phrases keep word order");
    let excluded = QuoteFilter { text: text("said -delayed"), ..Default::default() };
    assert_eq!(found(excluded).await, expect(&|q| has(q, "said") && !has(q, "delayed")));
    // With other fields, with allOf/anyOf.
    let outlet2 = org("outlet-2");
    let via =
        QuoteFilter { text: text("said"), via: Some(vec![outlet2.clone()]), direct: Some(false), ..Default::default() };
    assert_eq!(found(via.clone()).await, expect(&|q| has(q, "said") && q.via.contains(&outlet2) && !q.direct));
    let either = QuoteFilter {
        any_of: vec![
            QuoteFilter { text: text("delayed"), ..Default::default() },
            QuoteFilter { text: text("statement"), ..Default::default() },
        ],
        ..Default::default()
    };
    assert_eq!(found(either).await, expect(&|q| has(q, "delayed") || has(q, "statement")));
    let both = QuoteFilter {
        all_of: vec![official.clone(), QuoteFilter { text: text("would -item"), ..Default::default() }],
        date: Some(DateRange { from: Some(day("2020-01-04")), to: None }),
        ..Default::default()
    };
    assert_eq!(found(both).await, expect(&|q| has(q, "official") && q.date >= Some(day("2020-01-04"))));
    let nothing = QuoteFilter { text: text("zebra"), ..Default::default() };
    assert!(found(nothing).await.is_empty());
    // Ordered keyset pages over a text filter (one source: the sorted-links path too).
    for filter in
        [official.clone(), QuoteFilter { text: text("said"), via: Some(vec![outlet2.clone()]), ..Default::default() }]
    {
        for sort in [QuoteSort::DateDesc, QuoteSort::DateAsc] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = store.find_quotes(&filter, sort, &Page { after: after.clone(), limit: 3 }).await.unwrap();
                let Some(last) = page.last() else { break };
                after =
                    Some(After { key: newsgraph::store::filter::quote_sort_key(last, sort), id: last.id.to_string() });
                seen.extend(page);
            }
            assert_eq!(ids(&seen), found(filter.clone()).await, "{sort:?}: every match once");
            assert_eq!(seen.len(), ids(&seen).len());
        }
    }
    // Figures over a text filter.
    let by_source: BTreeMap<String, u64> = store
        .group_quotes(&official, QuoteGroup::Source, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.key, b.count))
        .collect();
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for q in batch.quotes.iter().filter(|q| has(q, "official")) {
        for via in &q.via {
            *expected.entry(via.to_string()).or_default() += 1;
        }
    }
    assert_eq!(by_source, expected);
    let days = store.group_quotes(&via, QuoteGroup::Day, 100).await.unwrap();
    assert_eq!(days.iter().map(|b| b.count).sum::<u64>(), found(via).await.len() as u64);

    // Articles: headline or body, with other fields.
    let articles = |filter: ArticleFilter| {
        let store = store.clone();
        async move {
            let found = store.find_articles(&filter, ArticleSort::PublishedDesc, &Page::first(100)).await.unwrap();
            assert_eq!(store.count_articles(&filter).await.unwrap(), found.len() as u64);
            ids(&found)
        }
    };
    let three = ArticleFilter { text: text("\"number 3\""), ..Default::default() };
    assert_eq!(articles(three).await, BTreeSet::from(["article-00003".to_string()]));
    let headline = ArticleFilter { text: text("headline -delayed"), ..Default::default() };
    assert!(articles(headline).await.is_empty(), "every body says delayed");
    let french = ArticleFilter { text: text("headline talks"), language: Some("fr".into()), ..Default::default() };
    let odd: BTreeSet<String> =
        batch.articles.iter().enumerate().filter(|(i, _)| i % 2 == 1).map(|(_, a)| a.id.to_string()).collect();
    assert_eq!(articles(french).await, odd);
    let any = ArticleFilter {
        any_of: vec![
            ArticleFilter { text: text("\"headline 1\""), ..Default::default() },
            ArticleFilter { text: text("\"headline 2\""), ..Default::default() },
        ],
        ..Default::default()
    };
    assert_eq!(articles(any).await, BTreeSet::from(["article-00001".to_string(), "article-00002".to_string()]));
}

/// The article and quote ids of `batch` in the order a write logs them.
fn logged_order(batch: &newsgraph::store::GraphBatch) -> Vec<(ChangeKind, String)> {
    let articles = batch.articles.iter().map(|a| (ChangeKind::Article, a.id.to_string()));
    articles.chain(batch.quotes.iter().map(|q| (ChangeKind::Quote, q.id.to_string()))).collect()
}

/// The articles and quotes a log announces (statements that gained a source,
/// logged after them, are checked apart).
fn entries(changes: &[Change]) -> Vec<(ChangeKind, String)> {
    changes.iter().filter(|c| c.kind != ChangeKind::Statement).map(|c| (c.kind, c.id.clone())).collect()
}

/// Sequence numbers follow each other from `after + 1`.
fn assert_contiguous(changes: &[Change], after: u64) {
    let seqs: Vec<u64> = changes.iter().map(|c| c.seq).collect();
    let expected: Vec<u64> = (after + 1..=after + changes.len() as u64).collect();
    assert_eq!(seqs, expected, "change numbers follow each other");
}

async fn writes_log_what_they_add_in_order_once(store: SharedStore) {
    store.prepare().await.unwrap();
    assert_eq!(store.last_change_seq().await.unwrap(), 0, "a new store has logged nothing");
    let mut batch = support::synthetic::graph(2);
    store.write(&batch).await.unwrap();
    let first = store.changes_after(0, 100).await.unwrap();
    assert_eq!(entries(&first), logged_order(&batch), "articles, then quotes, in batch order");
    let statements = first.iter().position(|c| c.kind == ChangeKind::Statement).expect("statements gained sources");
    assert!(first[statements..].iter().all(|c| c.kind == ChangeKind::Statement), "statements come last");
    assert_contiguous(&first, 0);
    let last = store.last_change_seq().await.unwrap();
    assert_eq!(last, first.len() as u64);
    // A limit cuts the run; reading on from its end gives the rest.
    let head = store.changes_after(0, 3).await.unwrap();
    assert_eq!(head, first[..3].to_vec());
    assert_eq!(store.changes_after(3, 100).await.unwrap(), first[3..].to_vec());

    // The same batch again: nothing new, nothing logged.
    store.write(&batch).await.unwrap();
    assert!(store.changes_after(last, 100).await.unwrap().is_empty(), "none repeated");
    assert_eq!(store.last_change_seq().await.unwrap(), last);

    // An edited article: a changed quote and the article itself are not new;
    // a quote it gains is, and only that is logged.
    let article = batch.articles[0].id.clone();
    batch.articles[0].headline.push_str(" (updated)");
    batch.quotes[0].text.push_str(" Really.");
    let mut gained = batch.quotes[0].clone();
    gained.id = QuoteId::for_span(&article, 9_999);
    gained.span = newsgraph::domain::Span { start: 9_999, end: 10_000 };
    batch.quotes.push(gained.clone());
    store.write(&batch).await.unwrap();
    let edit = store.changes_after(last, 100).await.unwrap();
    assert_eq!(entries(&edit), vec![(ChangeKind::Quote, gained.id.to_string())]);
    assert_contiguous(&edit, last);
}

/// Two handles on one store, as two processes would have, writing at once:
/// every addition is logged once, numbered without gaps, and both see the same log.
async fn changes_from_two_handles_interleave(first: SharedStore, second: SharedStore) {
    first.prepare().await.unwrap();
    let graph = support::synthetic::graph(8);
    let base = newsgraph::store::GraphBatch {
        organizations: graph.organizations.clone(),
        people: graph.people.clone(),
        ..Default::default()
    };
    first.write(&base).await.unwrap();
    let start = first.last_change_seq().await.unwrap();
    let per_article: Vec<newsgraph::store::GraphBatch> = graph
        .articles
        .iter()
        .map(|a| newsgraph::store::GraphBatch {
            articles: vec![a.clone()],
            quotes: graph.quotes.iter().filter(|q| q.article == a.id).cloned().collect(),
            ..Default::default()
        })
        .collect();
    for pair in per_article.chunks(2) {
        let (a, b) = tokio::join!(first.write(&pair[0]), second.write(&pair[1]));
        a.unwrap();
        b.unwrap();
    }
    let seen_by_first = first.changes_after(start, 1000).await.unwrap();
    let seen_by_second = second.changes_after(start, 1000).await.unwrap();
    assert_eq!(seen_by_first, seen_by_second, "both handles read one log");
    let seqs: Vec<u64> = seen_by_first.iter().map(|c| c.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "numbers only grow: {seqs:?}");
    assert!(second.last_change_seq().await.unwrap() >= *seqs.last().unwrap());
    // The embedded store numbers inside the write's transaction: no gaps. On
    // MongoDB a writer that raced another for numbers (FerretDB's `$inc` is
    // not atomic) takes fresh ones, which may leave some unused.
    if first.backend() == newsgraph::store::Backend::Embedded {
        assert_contiguous(&seen_by_first, start);
    }
    let logged: BTreeSet<(ChangeKind, String)> = entries(&seen_by_first).into_iter().collect();
    let written: BTreeSet<(ChangeKind, String)> = per_article.iter().flat_map(logged_order).collect();
    assert_eq!(logged.len(), entries(&seen_by_first).len(), "each addition logged once");
    assert_eq!(logged, written, "every addition of both handles is logged");
    // Each write's own entries come in its order: its article, then its quotes.
    for batch in &per_article {
        let own: Vec<String> = logged_order(batch).into_iter().map(|(_, id)| id).collect();
        let seen: Vec<String> =
            entries(&seen_by_first).into_iter().map(|(_, id)| id).filter(|id| own.contains(id)).collect();
        assert_eq!(seen, own);
    }
}

mod two_handles {
    use super::*;
    use newsgraph::store::mongo::{MongoOptions, MongoStore};
    use newsgraph::store::sqlite::SqliteStore;
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn embedded() {
        let dir = tempfile::tempdir().unwrap();
        let first: SharedStore = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let second: SharedStore = Arc::new(SqliteStore::open(dir.path()).unwrap());
        changes_from_two_handles_interleave(first, second).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ferretdb() {
        let uri = support::ferretdb::shared().uri();
        let database = support::unique_name("two");
        let first = MongoStore::connect(&uri, &database, &MongoOptions::default()).await.unwrap();
        let second = MongoStore::connect(&uri, &database, &MongoOptions::default()).await.unwrap();
        changes_from_two_handles_interleave(Arc::new(first.clone()), Arc::new(second)).await;
        first.drop_database().await.unwrap();
    }
}

/// Dashboard figures over date ranges agree with counting the quotes one by
/// one (on the embedded store the first are read from counters kept at write
/// time, the second by the plain grouped query), after quotes were replaced
/// and removed, a batch was written twice and a speaker changed affiliations.
async fn range_figures_agree_with_plain_counts_after_rewrites(store: SharedStore) {
    use newsgraph::generate::{Cast, article};
    // Fewer on FerretDB: v1 stalls rewriting a batch of a few hundred quotes.
    let articles = if store.backend() == newsgraph::store::Backend::Embedded { 300 } else { 20 };
    store.prepare().await.unwrap();
    let cast = Cast::new(articles, 5);
    let mut batch = newsgraph::store::GraphBatch {
        organizations: cast.organizations(),
        people: cast.people.clone(),
        ..Default::default()
    };
    for n in 0..articles {
        let (a, quotes) = article(&cast, 5, n);
        batch.articles.push(a);
        batch.quotes.extend(quotes);
    }
    store.write(&batch).await.unwrap();
    store.write(&batch).await.unwrap();
    // Rewrite six articles: one quote fewer, another moved to a new day, speaker and source.
    let mut quotes = batch.quotes.clone();
    let mut rewrite = newsgraph::store::GraphBatch::default();
    for a in &batch.articles[..6] {
        let mut own: Vec<_> = quotes.iter().filter(|q| q.article == a.id).cloned().collect();
        quotes.retain(|q| q.article != a.id);
        if own.len() > 1 {
            own.pop();
        }
        own[0].date = Some(day("2022-02-27"));
        own[0].speaker = Some(Speaker::Person { person: cast.people[3].id.clone() });
        own[0].via = vec![cast.sources[1].id.clone()];
        rewrite.articles.push(a.clone());
        rewrite.quotes.extend(own.iter().cloned());
        quotes.extend(own);
    }
    store.write(&rewrite).await.unwrap();
    store.write(&rewrite).await.unwrap();
    let mut moved = cast.people[0].clone();
    moved.affiliations = vec![cast.governments[7].id.clone(), cast.governments[8].id.clone()];
    store.write(&newsgraph::store::GraphBatch { people: vec![moved], ..Default::default() }).await.unwrap();
    assert_eq!(store.count_quotes(&QuoteFilter::default()).await.unwrap(), quotes.len() as u64);

    let mut rng = fastrand::Rng::with_seed(11);
    let start = day("2018-11-01");
    let mut ranges: Vec<DateRange> = (0..12)
        .map(|_| {
            let from = start + chrono::Duration::days(rng.i64(0..2400));
            let to = from + chrono::Duration::days(rng.i64(0..1500));
            DateRange { from: Some(from), to: Some(to) }
        })
        .collect();
    ranges.push(DateRange { from: Some(day("2021-01-01")), to: Some(day("2022-12-31")) });
    ranges.push(DateRange { from: Some(day("2022-02-27")), to: Some(day("2022-02-27")) });
    ranges.push(DateRange { from: None, to: Some(day("2021-08-14")) });
    ranges.push(DateRange { from: Some(day("2020-03-02")), to: None });
    for range in ranges {
        let dated = QuoteFilter { date: Some(range), ..Default::default() };
        let plain = QuoteFilter { any_of: vec![dated.clone()], ..Default::default() };
        let inside: Vec<_> = quotes
            .iter()
            .filter(|q| {
                q.date.is_some()
                    && range.from.is_none_or(|f| q.date >= Some(f))
                    && range.to.is_none_or(|t| q.date <= Some(t))
            })
            .collect();
        assert_eq!(store.count_quotes(&dated).await.unwrap(), inside.len() as u64, "{range:?}");
        assert_eq!(store.count_quotes(&plain).await.unwrap(), inside.len() as u64, "{range:?}");
        // One source, one speaker or one speaker organization within the range.
        let (source, person) = (&cast.sources[1].id, &cast.people[3].id);
        let keyed = [
            QuoteFilter { via: Some(vec![source.clone()]), date: Some(range), ..Default::default() },
            QuoteFilter { speakers: Some(vec![person.clone()]), date: Some(range), ..Default::default() },
            QuoteFilter {
                speaker_organizations: Some(vec![cast.governments[7].id.clone()]),
                date: Some(range),
                ..Default::default()
            },
        ];
        let via = inside.iter().filter(|q| q.via.contains(source)).count() as u64;
        let by = inside.iter().filter(|q| q.speaker.as_ref().and_then(Speaker::person) == Some(person)).count() as u64;
        for (filter, expected) in keyed.into_iter().zip([Some(via), Some(by), None]) {
            let counted = store.count_quotes(&filter).await.unwrap();
            let plain = QuoteFilter { any_of: vec![filter.clone()], ..Default::default() };
            assert_eq!(counted, store.count_quotes(&plain).await.unwrap(), "{filter:?}");
            if let Some(expected) = expected {
                assert_eq!(counted, expected, "{filter:?}");
            }
        }
        for group in [
            QuoteGroup::Source,
            QuoteGroup::Speaker,
            QuoteGroup::SpeakerOrganization,
            QuoteGroup::Day,
            QuoteGroup::Week,
            QuoteGroup::Month,
        ] {
            let fast = store.group_quotes(&dated, group, 1000).await.unwrap();
            assert_eq!(fast, store.group_quotes(&plain, group, 1000).await.unwrap(), "{range:?} {group:?}");
            assert!(fast.iter().all(|b| b.count > 0), "no empty groups");
        }
        let mut by_source: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_month: BTreeMap<String, u64> = BTreeMap::new();
        for q in &inside {
            for via in &q.via {
                *by_source.entry(via.to_string()).or_default() += 1;
            }
            *by_month.entry(newsgraph::store::filter::month_key(q.date.unwrap())).or_default() += 1;
        }
        let found = |buckets: Vec<newsgraph::store::Bucket>| -> BTreeMap<String, u64> {
            buckets.into_iter().map(|b| (b.key, b.count)).collect()
        };
        assert_eq!(found(store.group_quotes(&dated, QuoteGroup::Source, 1000).await.unwrap()), by_source);
        assert_eq!(found(store.group_quotes(&dated, QuoteGroup::Month, 1000).await.unwrap()), by_month);
        // The top people of a dashboard: named speakers only, the first few.
        let named = QuoteFilter { anonymous: Some(false), all_of: vec![dated.clone()], ..Default::default() };
        let named_plain = QuoteFilter { anonymous: Some(false), any_of: vec![dated.clone()], ..Default::default() };
        let top = store.group_quotes(&named, QuoteGroup::Speaker, 5).await.unwrap();
        assert_eq!(top, store.group_quotes(&named_plain, QuoteGroup::Speaker, 5).await.unwrap(), "{range:?}");
        assert!(top.iter().all(|b| b.key.starts_with("person:")));
    }
}

/// Top speakers of a range, where speakers' all-time counts mislead: the top
/// speaker of 2021 says nothing in 2022 and the reverse, one speaker has most
/// of its quotes outside the range, and three tie at the last place kept.
async fn top_speakers_of_a_range_agree_with_plain_counts_at_ties(store: SharedStore) {
    let mut batch = synthetic(&store, 30).await;
    // (person, days) for the person quote of each article in turn; the rest undated.
    let plan: [(usize, &[&str]); 6] = [
        (5, &["2021-07-07", "2022-07-07", "2023-01-01", "2023-01-02", "2023-01-03", "2023-02-01"]),
        (0, &["2021-02-10", "2021-04-05", "2021-06-20", "2021-08-01", "2021-11-30", "2021-12-31"]),
        (2, &["2021-03-01", "2021-09-09", "2021-10-10", "2022-01-01", "2022-05-05", "2022-09-30"]),
        (1, &["2022-01-15", "2022-02-27", "2022-04-04", "2022-08-08", "2022-12-01"]),
        (3, &["2021-05-05", "2022-03-03"]),
        (4, &["2021-01-01", "2022-12-31"]),
    ];
    let mut spoken = plan.iter().flat_map(|(person, days)| days.iter().map(move |d| (*person, day(d))));
    for quote in batch.quotes.iter_mut().filter(|q| q.direct) {
        let (person, date) = match spoken.next() {
            Some((person, date)) => (batch.people[person].id.clone(), Some(date)),
            None => (batch.people[9].id.clone(), None),
        };
        quote.speaker = Some(Speaker::Person { person });
        quote.date = date;
    }
    for (n, quote) in batch.quotes.iter_mut().filter(|q| !q.direct).enumerate() {
        quote.date = Some(day("2022-06-01") + chrono::Duration::days(n as i64 % 40));
    }
    store.write(&batch).await.unwrap();
    // The `anyOf` wrapper makes the embedded store take its plain grouped query.
    let named = |range: DateRange, anonymous: Option<bool>, plain: bool| {
        let dated = QuoteFilter { date: Some(range), ..Default::default() };
        if plain {
            QuoteFilter { anonymous, any_of: vec![dated], ..Default::default() }
        } else {
            QuoteFilter { anonymous, all_of: vec![dated], ..Default::default() }
        }
    };
    let two_years = DateRange { from: Some(day("2021-01-01")), to: Some(day("2022-12-31")) };
    let top = store.group_quotes(&named(two_years, Some(false), false), QuoteGroup::Speaker, 4).await.unwrap();
    let found: Vec<(String, u64)> = top.into_iter().map(|b| (b.key, b.count)).collect();
    let expected: Vec<(String, u64)> = [(0, 6), (2, 6), (1, 5), (3, 2)]
        .iter()
        .map(|(person, n)| (format!("person:{}", batch.people[*person].id), *n))
        .collect();
    assert_eq!(found, expected, "ties at the fourth place go to the smallest key");
    let ranges = [
        two_years,
        DateRange { from: Some(day("2021-01-01")), to: Some(day("2021-12-31")) },
        DateRange { from: Some(day("2022-01-01")), to: Some(day("2022-12-31")) },
        DateRange { from: Some(day("2021-03-15")), to: Some(day("2022-10-10")) },
        DateRange { from: Some(day("2021-07-07")), to: Some(day("2022-07-07")) },
        DateRange { from: None, to: Some(day("2022-06-30")) },
        DateRange { from: Some(day("2022-02-01")), to: None },
    ];
    for range in ranges {
        for anonymous in [None, Some(false), Some(true)] {
            for limit in 1..=8 {
                let fast =
                    store.group_quotes(&named(range, anonymous, false), QuoteGroup::Speaker, limit).await.unwrap();
                let plain =
                    store.group_quotes(&named(range, anonymous, true), QuoteGroup::Speaker, limit).await.unwrap();
                assert_eq!(fast, plain, "{range:?} {anonymous:?} {limit}");
                assert_eq!(fast.len(), limit.min(plain.len()));
            }
        }
    }
}

/// The feed watcher's memory: a feed's state round-trips and is replaced; an
/// item is claimed once (the second claim loses, whoever makes it), its record
/// replaced by a save, and looked up by key among unknown ones; nothing of it
/// is logged in the write sequence.
async fn feed_state_and_item_claims_round_trip(store: SharedStore) {
    use newsgraph::store::{FeedItemRecord, FeedState, ItemStatus};
    store.prepare().await.unwrap();
    let feed = "https://courier.example/rss.xml";
    assert_eq!(store.feed_state(feed).await.unwrap(), None);
    let at = |raw: &str| chrono::DateTime::parse_from_rfc3339(raw).unwrap().with_timezone(&chrono::Utc);
    let mut state = FeedState {
        id: feed.into(),
        etag: Some("\"v1\"".into()),
        last_modified: Some("Sat, 14 Mar 2026 09:30:00 GMT".into()),
        last_poll_at: Some(at("2026-03-14T09:31:00Z")),
        last_success_at: Some(at("2026-03-14T09:31:00Z")),
        next_poll_at: Some(at("2026-03-14T09:46:00Z")),
        failures: 0,
        last_error: None,
    };
    store.save_feed_state(&state).await.unwrap();
    assert_eq!(store.feed_state(feed).await.unwrap().as_ref(), Some(&state));
    state.etag = None;
    state.failures = 2;
    state.last_error = Some("FETCH_TIMEOUT: the fetch took longer than 3s".into());
    store.save_feed_state(&state).await.unwrap();
    assert_eq!(store.feed_state(feed).await.unwrap().as_ref(), Some(&state), "replaced, not merged");
    assert_eq!(store.feed_state("https://other.example/feed").await.unwrap(), None);

    let seq = store.last_change_seq().await.unwrap();
    let item = |key: &str, feed: &str| FeedItemRecord {
        id: key.into(),
        feed: feed.into(),
        guid: format!("guid-{key}"),
        status: ItemStatus::Pending,
        code: None,
        article: None,
        attempts: 1,
        updated_at: at("2026-03-14T09:31:00Z"),
    };
    let first = item("https://courier.example/news/a", feed);
    assert!(store.claim_feed_item(&first).await.unwrap(), "the first claim wins");
    assert!(
        !store.claim_feed_item(&item("https://courier.example/news/a", "https://wire.example/atom")).await.unwrap()
    );
    let done = FeedItemRecord {
        status: ItemStatus::Ingested,
        article: Some("strike-ends-0a1b2c3d4e".into()),
        ..first.clone()
    };
    store.save_feed_item(&done).await.unwrap();
    let second = item("https://courier.example/news/b", feed);
    store.save_feed_item(&second).await.unwrap();
    let keys: Vec<String> =
        ["https://courier.example/news/b", "https://unknown.example/", "https://courier.example/news/a"]
            .map(String::from)
            .to_vec();
    assert_eq!(
        store.feed_items(&keys).await.unwrap(),
        vec![done.clone(), second],
        "by key order, the unknown left out"
    );
    assert_eq!(store.feed_items(&keys[2..]).await.unwrap(), vec![done], "one key");
    assert!(store.feed_items(&[]).await.unwrap().is_empty());
    assert_eq!(store.last_change_seq().await.unwrap(), seq, "feed records are not graph changes");
}

/// Pages in date order narrowed to one key (a speaker, a source, a speaker
/// organization), to a date range, or to both, and an outlet's articles in
/// date order, hold exactly the matching items, in order (ties by id), each
/// once across pages, with undated quotes outside every range: whichever
/// index the store walks for them (the embedded store reads these pages as
/// index ranges in the page's order, see `sql.rs`).
async fn date_ordered_pages_of_one_key_hold_every_match_in_order(store: SharedStore) {
    store.prepare().await.unwrap();
    let mut batch = support::synthetic::graph(30);
    let busy = batch.people[0].id.clone();
    for (i, quote) in batch.quotes.iter_mut().enumerate() {
        // One speaker with many quotes, and some quotes with no date.
        if i % 3 == 0 && i % 2 == 0 {
            quote.speaker = Some(Speaker::Person { person: busy.clone() });
        }
        if i % 7 == 3 {
            quote.date = None;
        }
    }
    store.write(&batch).await.unwrap();
    let affiliations: std::collections::HashMap<String, Vec<OrganizationId>> =
        batch.people.iter().map(|p| (p.id.to_string(), p.affiliations.clone())).collect();
    let speaks_for = |q: &newsgraph::domain::Quote, o: &OrganizationId| match &q.speaker {
        Some(Speaker::Person { person }) => affiliations[person.as_str()].contains(o),
        Some(Speaker::Anonymous { affiliation, .. }) => affiliation.as_ref() == Some(o),
        None => false,
    };
    let within = |q: &newsgraph::domain::Quote, range: &DateRange| {
        q.date.is_some_and(|d| range.from.is_none_or(|f| d >= f) && range.to.is_none_or(|t| d <= t))
    };
    let middle = DateRange { from: Some(day("2020-01-05")), to: Some(day("2020-01-20")) };
    let until = DateRange { from: None, to: Some(day("2020-01-10")) };
    let since = DateRange { from: Some(day("2020-01-12")), to: None };
    let speaker = |p: &PersonId| Some(vec![p.clone()]);
    let other = batch.people[3].id.clone();
    type Keep<'a> = Box<dyn Fn(&newsgraph::domain::Quote) -> bool + 'a>;
    let cases: Vec<(&str, QuoteFilter, Keep)> = vec![
        ("a range", QuoteFilter { date: Some(middle), ..Default::default() }, Box::new(move |q| within(q, &middle))),
        ("up to a day", QuoteFilter { date: Some(until), ..Default::default() }, Box::new(move |q| within(q, &until))),
        ("from a day", QuoteFilter { date: Some(since), ..Default::default() }, Box::new(move |q| within(q, &since))),
        (
            "a speaker",
            QuoteFilter { speakers: speaker(&busy), ..Default::default() },
            Box::new(|q| q.speaker.as_ref().and_then(|s| s.person()) == Some(&busy)),
        ),
        (
            "a speaker in a range",
            QuoteFilter { speakers: speaker(&busy), date: Some(middle), ..Default::default() },
            Box::new(|q| q.speaker.as_ref().and_then(|s| s.person()) == Some(&busy) && within(q, &middle)),
        ),
        (
            "two speakers",
            QuoteFilter { speakers: Some(vec![busy.clone(), other.clone()]), ..Default::default() },
            Box::new(|q| q.speaker.as_ref().and_then(|s| s.person()).is_some_and(|p| *p == busy || *p == other)),
        ),
        (
            "a source in a range",
            QuoteFilter { via: Some(vec![org("outlet-1")]), date: Some(middle), ..Default::default() },
            Box::new(|q| q.via.contains(&org("outlet-1")) && within(q, &middle)),
        ),
        (
            "a source up to a day, indirect",
            QuoteFilter {
                via: Some(vec![org("outlet-2")]),
                date: Some(until),
                direct: Some(false),
                ..Default::default()
            },
            Box::new(|q| q.via.contains(&org("outlet-2")) && within(q, &until) && !q.direct),
        ),
        (
            "an organization in a range",
            QuoteFilter { speaker_organizations: Some(vec![org("gov-1")]), date: Some(middle), ..Default::default() },
            Box::new(|q| speaks_for(q, &org("gov-1")) && within(q, &middle)),
        ),
        (
            "an organization from a day",
            QuoteFilter { speaker_organizations: Some(vec![org("gov-2")]), date: Some(since), ..Default::default() },
            Box::new(|q| speaks_for(q, &org("gov-2")) && within(q, &since)),
        ),
    ];
    for (name, filter, keep) in &cases {
        for sort in [QuoteSort::DateDesc, QuoteSort::DateAsc] {
            let mut expected: Vec<&newsgraph::domain::Quote> = batch.quotes.iter().filter(|q| keep(q)).collect();
            expected.sort_by_key(|q| (newsgraph::store::filter::quote_sort_key(q, sort), q.id.to_string()));
            if sort == QuoteSort::DateDesc {
                expected.reverse();
            }
            assert!(expected.len() > 4, "{name}: more than one page ({})", expected.len());
            let (mut seen, mut after) = (Vec::new(), None);
            loop {
                let page = store.find_quotes(filter, sort, &Page { after: after.clone(), limit: 4 }).await.unwrap();
                assert!(page.len() <= 4);
                let Some(last) = page.last() else { break };
                let key = newsgraph::store::filter::quote_sort_key(last, sort);
                after = Some(After { key, id: last.id.to_string() });
                seen.extend(page.into_iter().map(|q| q.id.to_string()));
            }
            let expected: Vec<String> = expected.iter().map(|q| q.id.to_string()).collect();
            assert_eq!(seen, expected, "{name}, {sort:?}");
            assert_eq!(store.count_quotes(filter).await.unwrap(), expected.len() as u64, "{name}");
        }
    }
    let outlet = ArticleFilter { outlets: Some(vec![org("outlet-1")]), ..Default::default() };
    for sort in [ArticleSort::PublishedDesc, ArticleSort::PublishedAsc] {
        let mut expected: Vec<&newsgraph::domain::Article> =
            batch.articles.iter().filter(|a| a.outlet == Some(org("outlet-1"))).collect();
        expected.sort_by_key(|a| (newsgraph::store::filter::article_sort_key(a, sort), a.id.to_string()));
        if sort == ArticleSort::PublishedDesc {
            expected.reverse();
        }
        let (mut seen, mut after) = (Vec::new(), None);
        loop {
            let page = store.find_articles(&outlet, sort, &Page { after: after.clone(), limit: 3 }).await.unwrap();
            let Some(last) = page.last() else { break };
            let key = newsgraph::store::filter::article_sort_key(last, sort);
            after = Some(After { key, id: last.id.to_string() });
            seen.extend(page.into_iter().map(|a| a.id.to_string()));
        }
        let expected: Vec<String> = expected.iter().map(|a| a.id.to_string()).collect();
        assert_eq!(seen, expected, "an outlet's articles, {sort:?}");
    }
}

on_both_backends!(
    feed_state_and_item_claims_round_trip,
    writes_log_what_they_add_in_order_once,
    seeding_twice_changes_nothing,
    gets_by_ids_skip_unknown_ones,
    quotes_follow_every_relation,
    reverse_relations_group_by_parent,
    names_match_case_insensitively_preferring_own_names,
    lists_page_by_keyset,
    rewriting_an_article_replaces_its_quotes,
    stores_answer_ping_and_count_operations,
    list_totals_follow_inserts_rewrites_and_removals,
    names_are_looked_up_in_one_batch,
    article_filters_combine,
    quote_filters_follow_speakers_orgs_and_sources,
    sorted_pages_are_stable_keysets,
    full_text_search_ranks_phrases_and_folds_accents,
    search_pages_follow_cursors_and_count_only_when_asked,
    search_finds_words_of_any_script,
    quotes_group_by_source_speaker_organization_and_period,
    text_filters_compose_with_every_other_condition,
    range_figures_agree_with_plain_counts_after_rewrites,
    top_speakers_of_a_range_agree_with_plain_counts_at_ties,
    copy_keys_find_candidates_and_copies_count_once,
    date_ordered_pages_of_one_key_hold_every_match_in_order,
);

/// The embedded store scores only the newest `SEARCH_WINDOW` matches of a
/// search (every match is still counted), and ranks those best first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_search_scores_a_bounded_window_of_the_newest_matches() {
    use newsgraph::store::Store;
    use newsgraph::store::sqlite::{SEARCH_WINDOW, SqliteStore};
    let store = SqliteStore::in_memory().unwrap();
    let extra = 150;
    let mut batch = support::synthetic::graph(SEARCH_WINDOW + extra);
    for (i, quote) in batch.quotes.iter_mut().enumerate() {
        // Every quote matches, with texts of seven lengths, so scores differ.
        quote.text = format!("ceasefire{}", " and more words".repeat(i % 7));
    }
    store.write(&batch).await.unwrap();
    let query = SearchQuery::parse("ceasefire").unwrap();
    let found = store.search(SearchTarget::Quotes, &query, &counted(SEARCH_WINDOW)).await.unwrap();
    assert_eq!(found.total, Some(batch.quotes.len() as u64), "every match is counted");
    assert_eq!(found.hits.len(), SEARCH_WINDOW);
    assert!(found.hits.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
    let newest: BTreeSet<String> = batch.quotes.iter().rev().take(SEARCH_WINDOW).map(|q| q.id.to_string()).collect();
    assert!(found.hits.iter().all(|(id, _)| newest.contains(id)), "scored among the newest matches only");
    let few = store.search(SearchTarget::Quotes, &query, &counted(5)).await.unwrap();
    assert_eq!(few.hits, found.hits[..6], "a shorter page is a prefix of the longer one (with one more hit)");
}

/// A text condition on a one-source list, newest first: with many matches the
/// source's sorted links drive the page, with few the full-text index does;
/// both give the same pages (the embedded store's two plans).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_text_lists_agree_whichever_index_drives_them() {
    use newsgraph::store::Store;
    use newsgraph::store::sqlite::SqliteStore;
    let store = SqliteStore::in_memory().unwrap();
    let batch = support::synthetic::graph(700);
    store.write(&batch).await.unwrap();
    let outlet = org("outlet-1");
    for (words, many) in [("said", true), ("\"talks number 9\"", false)] {
        let text = SearchQuery::parse(words).unwrap();
        let matches = store.search(SearchTarget::Quotes, &text, &counted(1)).await.unwrap().total.unwrap_or(0);
        assert_eq!(matches >= newsgraph::store::sqlite::FEW_TEXT_MATCHES, many, "{words}: {matches}");
        let filter = QuoteFilter { text: Some(text.clone()), via: Some(vec![outlet.clone()]), ..Default::default() };
        let expected: Vec<String> = {
            let mut kept: Vec<_> = batch
                .quotes
                .iter()
                .filter(|q| q.via.contains(&outlet) && text.matches(&newsgraph::search::terms(&q.text)))
                .collect();
            kept.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.id.cmp(&a.id)));
            kept.iter().map(|q| q.id.to_string()).collect()
        };
        assert!(!expected.is_empty());
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .find_quotes(&filter, QuoteSort::DateDesc, &Page { after: after.clone(), limit: 50 })
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(After {
                key: newsgraph::store::filter::quote_sort_key(last, QuoteSort::DateDesc),
                id: last.id.to_string(),
            });
            seen.extend(page.into_iter().map(|q| q.id.to_string()));
        }
        assert_eq!(seen, expected, "{words}");
    }
}
