//! The one place where domain, store and input errors become GraphQL errors with
//! an `extensions.code` a client can branch on.
//!
//! [`ApiError`] deliberately does not implement `Display`: async-graphql turns
//! anything that does into an error carrying its text, which would send a
//! driver's or SQLite's message to clients. Resolvers return `ApiError`, and the
//! only conversion to a GraphQL error is the one below, which logs the internal
//! detail and sends a fixed message.

use crate::store::StoreError;

/// An error a client sees.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// An argument is malformed or out of range. Code `BAD_USER_INPUT`.
    BadUserInput(String),
    /// A page given to ingest is not an article (a section front, an index). Code `NOT_AN_ARTICLE`.
    NotAnArticle(String),
    /// A page could not be fetched from its URL; the code says why (`BAD_URL`,
    /// `ADDRESS_REFUSED`, `FETCH_TIMEOUT`, `PAGE_TOO_LARGE`, `TOO_MANY_REDIRECTS`,
    /// `HTTP_ERROR_STATUS`, `NOT_HTML`, `FETCH_FAILED`).
    Fetch { code: &'static str, message: String },
    /// The thing asked for does not exist. Code `NOT_FOUND`.
    NotFound(String),
    /// A write without a valid API key. Code `UNAUTHENTICATED`.
    Unauthenticated(String),
    /// A write by a valid API key without the scope it needs. Code `FORBIDDEN`.
    Forbidden(String),
    /// A correction based on a stale version of what it changes. Code `CONFLICT`.
    Conflict(String),
    /// A correction that breaks a rule of the graph; the code says which
    /// (`SPAN_OUTSIDE_BODY`, `WRONG_SPEAKER_KIND`, `NOTHING_TO_UNDO`, …). Nothing was written.
    Refused { code: &'static str, message: String },
    /// The database is down or stalled; retrying later may work. Code `STORE_UNAVAILABLE`.
    StoreUnavailable,
    /// A subscription fell this many batches of writes behind and lost them. Code `EVENTS_DROPPED`.
    EventsDropped(u64),
    /// A bug or corrupt data; details are in the server log. Code `INTERNAL_SERVER_ERROR`.
    Internal,
}

impl ApiError {
    /// The value of `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadUserInput(_) => "BAD_USER_INPUT",
            ApiError::NotAnArticle(_) => "NOT_AN_ARTICLE",
            ApiError::Fetch { code, .. } => code,
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => super::codes::FORBIDDEN,
            ApiError::Conflict(_) => super::codes::CONFLICT,
            ApiError::Refused { code, .. } => code,
            ApiError::StoreUnavailable => "STORE_UNAVAILABLE",
            ApiError::EventsDropped(_) => "EVENTS_DROPPED",
            ApiError::Internal => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The message a client sees.
    pub fn message(&self) -> String {
        match self {
            ApiError::BadUserInput(message)
            | ApiError::NotAnArticle(message)
            | ApiError::NotFound(message)
            | ApiError::Unauthenticated(message)
            | ApiError::Forbidden(message)
            | ApiError::Conflict(message)
            | ApiError::Refused { message, .. }
            | ApiError::Fetch { message, .. } => message.clone(),
            ApiError::StoreUnavailable => "the data store is unavailable; try again shortly".into(),
            ApiError::EventsDropped(batches) => {
                format!("this subscription fell behind the writes and lost {batches} batches of them; subscribe again")
            }
            ApiError::Internal => "internal error".into(),
        }
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        ApiError::BadUserInput(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::NotFound(message.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                ApiError::StoreUnavailable
            }
            StoreError::Invalid(detail) => ApiError::BadUserInput(detail),
            StoreError::Conflict(detail) => ApiError::Conflict(detail),
            StoreError::Internal(detail) => {
                tracing::error!(%detail, "store failure");
                ApiError::Internal
            }
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code();
        async_graphql::Error::new(error.message()).extend_with(|_, e| e.set("code", code))
    }
}

use async_graphql::ErrorExtensions as _;

/// The result type of every resolver.
pub type ApiResult<T> = Result<T, ApiError>;
