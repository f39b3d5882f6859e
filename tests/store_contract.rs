//! The storage contract: every behaviour the GraphQL layer relies on, checked
//! on both backends (the embedded SQLite store and MongoDB via FerretDB).

mod support;

use newsgraph::domain::{ArticleId, OrgKind, OrganizationId, PersonId, QuoteId, Speaker};
use newsgraph::seed;
use newsgraph::store::{
    ArticleRelation, Countable, Counts, OrganizationRelation, Page, PersonRelation, QuoteRelation, SharedStore,
};
use std::collections::BTreeSet;

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
    let ids_before: Vec<QuoteId> =
        store.list_quotes(&Page { after: None, limit: 100 }).await.unwrap().into_iter().map(|q| q.id).collect();
    seeded(&store).await;
    assert_eq!(store.counts().await.unwrap(), first);
    let ids_after: Vec<QuoteId> =
        store.list_quotes(&Page { after: None, limit: 100 }).await.unwrap().into_iter().map(|q| q.id).collect();
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

async fn lists_page_by_keyset(store: SharedStore) {
    store.prepare().await.unwrap();
    store.write(&support::synthetic::graph(25)).await.unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_articles(&Page { after: after.clone(), limit: 10 }).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = Some(page.last().unwrap().id.to_string());
        seen.extend(page.into_iter().map(|a| a.id.to_string()));
    }
    assert_eq!(seen.len(), 25);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    let sources = store.list_organizations(&OrgKind::SOURCES, &Page { after: None, limit: 100 }).await.unwrap();
    assert_eq!(sources.len(), support::synthetic::OUTLETS);
    assert!(sources.iter().all(|o| o.kind.is_source()));
    assert_eq!(
        store.count(&Countable::Organizations(OrgKind::SOURCES.to_vec())).await.unwrap(),
        support::synthetic::OUTLETS as u64
    );
    assert_eq!(store.count(&Countable::Quotes).await.unwrap(), 75);
    let after_last = store.list_people(&Page { after: Some("person-9999".into()), limit: 10 }).await.unwrap();
    assert!(after_last.is_empty());
}

async fn rewriting_an_article_replaces_its_quotes(store: SharedStore) {
    store.prepare().await.unwrap();
    let mut batch = support::synthetic::graph(2);
    store.write(&batch).await.unwrap();
    assert_eq!(store.count(&Countable::Quotes).await.unwrap(), 6);
    // Article 0 loses its last quote and its first quote changes source.
    let article = batch.articles[0].id.clone();
    let dropped = batch.quotes.iter().rposition(|q| q.article == article).unwrap();
    let dropped_id = batch.quotes.remove(dropped).id;
    batch.quotes[0].via = vec![org("outlet-2")];
    store.write(&batch).await.unwrap();
    assert_eq!(store.count(&Countable::Quotes).await.unwrap(), 5);
    assert!(store.quotes(std::slice::from_ref(&dropped_id)).await.unwrap().is_empty());
    let via = store.related_quotes(QuoteRelation::Via, &["outlet-2".into()]).await.unwrap();
    assert!(via.iter().any(|(_, q)| q.id == batch.quotes[0].id));
    // The dropped quote no longer shows through any relation either.
    for outlet in ["outlet-0", "outlet-1", "outlet-2"] {
        let via = store.related_quotes(QuoteRelation::Via, &[outlet.into()]).await.unwrap();
        assert!(via.iter().all(|(_, q)| q.id != dropped_id));
    }
}

async fn stores_answer_ping_and_count_operations(store: SharedStore) {
    let before = store.operations();
    store.ping().await.unwrap();
    store.prepare().await.unwrap();
    store.prepare().await.unwrap(); // idempotent
    assert!(store.operations() > before);
}

on_both_backends!(
    seeding_twice_changes_nothing,
    gets_by_ids_skip_unknown_ones,
    quotes_follow_every_relation,
    reverse_relations_group_by_parent,
    names_match_case_insensitively_preferring_own_names,
    lists_page_by_keyset,
    rewriting_an_article_replaces_its_quotes,
    stores_answer_ping_and_count_operations,
);
