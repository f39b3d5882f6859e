//! The near-duplicate index on MongoDB: one document per LSH band key,
//! `{ _id: <key>, articles: [<article id>, …] }` in `copy_keys`.
//!
//! Keyed by `_id` so that each key is an `_id` equality, the one look-up
//! FerretDB v1 pushes down to its storage (and an `_id` index seek on
//! MongoDB): an article's candidates are its [`BANDS`] keys' documents,
//! fetched concurrently, the same number of look-ups at 1M articles as at 100.

use super::{MongoStore, classify};
use crate::domain::ArticleId;
use crate::ingest::fingerprint::BANDS;
use crate::store::{CopyKeys, StoreError, StoreResult};
use mongodb::bson::{Document, doc};
use std::collections::HashMap;

/// The collection of band keys.
pub const COPY_KEYS: &str = "copy_keys";

/// Adds each article to its keys' documents (`$addToSet`: idempotent), in one `update` command.
pub async fn add_keys(store: &MongoStore, entries: &[CopyKeys]) -> StoreResult<()> {
    let updates: Vec<Document> = entries
        .iter()
        .flat_map(|entry| {
            entry.keys.iter().map(move |&key| {
                doc! {
                    "q": { "_id": key },
                    "u": { "$addToSet": { "articles": entry.article.as_str() } },
                    "upsert": true,
                }
            })
        })
        .collect();
    store.run_idempotent_upserts(COPY_KEYS, updates).await
}

/// The articles under any of `keys`, with how many keys each shares, most
/// first (ties by id), at most `limit`.
pub async fn candidates(store: &MongoStore, keys: &[i64], limit: usize) -> StoreResult<Vec<(ArticleId, usize)>> {
    if keys.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    debug_assert!(keys.len() <= BANDS);
    let handle = store.collection(COPY_KEYS);
    let found = futures_util::future::try_join_all(keys.iter().map(|&key| {
        let handle = handle.clone();
        async move { handle.find_one(doc! { "_id": key }).await.map_err(classify) }
    }))
    .await?;
    let mut shared: HashMap<String, usize> = HashMap::new();
    for document in found.into_iter().flatten() {
        let articles = document.get_array("articles").map_err(|e| StoreError::Internal(e.to_string()))?;
        for id in articles.iter().filter_map(|id| id.as_str()) {
            *shared.entry(id.to_owned()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, usize)> = shared.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(limit);
    ranked
        .into_iter()
        .map(|(id, n)| Ok((ArticleId::parse(id).map_err(|e| StoreError::Internal(e.to_string()))?, n)))
        .collect()
}
