//! The feed watcher's state on MongoDB: the `feed_states` and `feed_items`
//! collections, one document per feed and per item met, by `_id` (see
//! [`crate::store::feed_state`]). Look-ups are by `_id` only (equality for
//! one, `$in` for many), the one index every collection has; an item is
//! claimed by inserting it, so the `_id` index's uniqueness decides which of
//! two polls wins.

use super::{MongoStore, classify, from_document, to_document};
use crate::store::{FeedItemRecord, FeedState, StoreResult};
use futures_util::TryStreamExt;
use mongodb::bson::{Document, doc};

const FEED_STATES: &str = "feed_states";
const FEED_ITEMS: &str = "feed_items";

impl MongoStore {
    pub(super) async fn read_feed_state(&self, feed: &str) -> StoreResult<Option<FeedState>> {
        let found = self.collection(FEED_STATES).find_one(doc! { "_id": feed }).await.map_err(classify)?;
        found.map(from_document).transpose()
    }

    pub(super) async fn write_feed_state(&self, state: &FeedState) -> StoreResult<()> {
        self.replace_by_id(FEED_STATES, to_document(state)?).await
    }

    pub(super) async fn read_feed_items(&self, keys: &[String]) -> StoreResult<Vec<FeedItemRecord>> {
        let filter = match keys {
            [] => return Ok(Vec::new()),
            [key] => doc! { "_id": key },
            _ => doc! { "_id": { "$in": keys } },
        };
        let found: Vec<Document> = self
            .collection(FEED_ITEMS)
            .find(filter)
            .sort(doc! { "_id": 1 })
            .await
            .map_err(classify)?
            .try_collect()
            .await
            .map_err(classify)?;
        found.into_iter().map(from_document).collect()
    }

    pub(super) async fn insert_feed_item(&self, item: &FeedItemRecord) -> StoreResult<bool> {
        match self.collection(FEED_ITEMS).insert_one(to_document(item)?).await {
            Ok(_) => Ok(true),
            Err(e) if super::changes::is_duplicate_key(&e) => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }

    pub(super) async fn write_feed_item(&self, item: &FeedItemRecord) -> StoreResult<()> {
        self.replace_by_id(FEED_ITEMS, to_document(item)?).await
    }

    async fn replace_by_id(&self, collection: &str, document: Document) -> StoreResult<()> {
        let id = document.get("_id").cloned().unwrap_or(mongodb::bson::Bson::Null);
        self.collection(collection).replace_one(doc! { "_id": id }, document).upsert(true).await.map_err(classify)?;
        Ok(())
    }
}
