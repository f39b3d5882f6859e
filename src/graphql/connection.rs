//! Relay cursor connections: page-size limits, opaque cursors, and the two ways a
//! page is cut — from a list already in memory, or by the store with a keyset
//! query (`(sort key, id) > cursor`).
//!
//! A cursor names the last item seen (its sort key and id), never a position,
//! so a page is stable when items are inserted before it. Only forward paging
//! (`first`/`after`) is offered.

use super::error::{ApiError, ApiResult};
use super::ids::preview;
use crate::store::{After, Page};
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The page size when a client gives no `first`.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest `first` accepted.
pub const MAX_PAGE_SIZE: usize = 100;
/// The longest sort key a cursor may carry, in bytes.
const MAX_CURSOR_KEY: usize = 400;
/// Separates the sort key from the id inside a cursor.
const SEPARATOR: char = '\u{1f}';

/// The opaque cursor of an item: its sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub After);

impl Cursor {
    /// The cursor of an item in a list ordered by id alone.
    pub fn of_id(id: impl Into<String>) -> Self {
        let id = id.into();
        Cursor(After { key: id.clone(), id })
    }
}

impl CursorType for Cursor {
    type Error = ApiErrorMessage;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        decode_cursor(s).map_err(|e| ApiErrorMessage(e.message()))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("c:{}{SEPARATOR}{}", self.0.key, self.0.id))
    }
}

/// The text of a cursor error, for [`CursorType`].
#[derive(Debug)]
pub struct ApiErrorMessage(pub String);

impl std::fmt::Display for ApiErrorMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn decode_cursor(raw: &str) -> ApiResult<Cursor> {
    let invalid = || ApiError::bad_input(format!("`{}` is not a valid cursor", preview(raw)));
    if raw.len() > 2 * MAX_CURSOR_KEY {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (key, id) = text.strip_prefix("c:").and_then(|t| t.split_once(SEPARATOR)).ok_or_else(invalid)?;
    crate::domain::validate_id(id).map_err(|_| invalid())?;
    if key.len() > MAX_CURSOR_KEY {
        return Err(invalid());
    }
    Ok(Cursor(After { key: key.to_owned(), id: id.to_owned() }))
}

/// Validated paging arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageArgs {
    pub first: usize,
    pub after: Option<After>,
}

impl PageArgs {
    /// Checks `first` against the cap and decodes `after`.
    pub fn new(first: Option<i32>, after: Option<String>) -> ApiResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n >= 0 && (n as usize) <= MAX_PAGE_SIZE => n as usize,
            Some(n) => {
                return Err(ApiError::bad_input(format!("`first` must be between 0 and {MAX_PAGE_SIZE} (got {n})")));
            }
        };
        let after = after.as_deref().map(decode_cursor).transpose()?.map(|c| c.0);
        Ok(Self { first, after })
    }

    /// The store page that fetches one item more than asked, to learn whether there is a next page.
    pub fn store_page(&self) -> Page {
        Page { after: self.after.clone(), limit: self.first + 1 }
    }
}

/// The query cost of a connection field: what is selected under it, once per
/// item it may return. Saturates instead of overflowing, so a huge `first`
/// yields a huge cost that the complexity limit rejects before any resolver runs.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let items = match first {
        Some(n) if n > 0 => n as usize,
        Some(_) => 0,
        None => DEFAULT_PAGE_SIZE,
    };
    items.saturating_mul(child_complexity).saturating_add(1)
}

/// The `totalCount` of a connection.
#[derive(SimpleObject)]
pub struct Total {
    /// How many items the whole list holds, across all pages.
    pub total_count: u64,
}

/// A connection over items of type `N`, with `totalCount`.
pub type Conn<N> = Connection<Cursor, N, Total>;

/// Cuts a page out of `items` ordered by id, resuming after the cursor's id
/// even when that item is gone.
pub fn from_sorted_by_id<T, N>(
    items: Vec<T>,
    args: &PageArgs,
    id: impl Fn(&T) -> String,
    node: impl Fn(T) -> N,
) -> Conn<N>
where
    N: OutputType,
{
    let total = items.len() as u64;
    let start = match &args.after {
        Some(after) => items.iter().position(|item| id(item) > after.id).unwrap_or(items.len()),
        None => 0,
    };
    let has_next = items.len() > start + args.first;
    let mut connection = Connection::with_additional_fields(start > 0, has_next, Total { total_count: total });
    connection.edges.extend(
        items.into_iter().skip(start).take(args.first).map(|item| Edge::new(Cursor::of_id(id(&item)), node(item))),
    );
    connection
}

/// Builds a page from a store query made with [`PageArgs::store_page`]
/// (one item more than asked) and a total counted separately.
pub fn from_store_page<T, N>(
    mut items: Vec<T>,
    args: &PageArgs,
    total: u64,
    cursor: impl Fn(&T) -> After,
    node: impl Fn(T) -> N,
) -> Conn<N>
where
    N: OutputType,
{
    let has_next = items.len() > args.first;
    items.truncate(args.first);
    let mut connection =
        Connection::with_additional_fields(args.after.is_some(), has_next, Total { total_count: total });
    connection.edges.extend(items.into_iter().map(|item| Edge::new(Cursor(cursor(&item)), node(item))));
    connection
}

/// Whether the current field's selection asks for `totalCount`, so that a count
/// query is made only when a client wants it.
pub fn wants_total(ctx: &async_graphql::Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_capped_and_cursors_validated() {
        assert_eq!(PageArgs::new(None, None).unwrap().first, DEFAULT_PAGE_SIZE);
        assert!(PageArgs::new(Some(101), None).is_err());
        assert!(PageArgs::new(Some(-1), None).is_err());
        assert!(PageArgs::new(Some(5), Some("garbage!".into())).is_err());
        let cursor = Cursor(After { key: "2016-05-17".into(), id: "q-1".into() }).encode_cursor();
        let after = PageArgs::new(Some(5), Some(cursor)).unwrap().after.unwrap();
        assert_eq!((after.key.as_str(), after.id.as_str()), ("2016-05-17", "q-1"));
        let sneaky = URL_SAFE_NO_PAD.encode(format!("c:x{SEPARATOR}{{\"$gt\":\"\"}}"));
        assert!(PageArgs::new(None, Some(sneaky)).is_err());
    }

    #[test]
    fn cost_multiplies_by_first_and_saturates() {
        assert_eq!(cost(Some(10), 3), 31);
        assert_eq!(cost(None, 1), 21);
        assert_eq!(cost(Some(i32::MAX), usize::MAX), usize::MAX);
    }
}
