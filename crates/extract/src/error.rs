//! Errors returned for input that cannot be treated as an article.

use thiserror::Error;

/// Why input was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExtractError {
    /// Nothing but whitespace.
    #[error("the text is empty")]
    Empty,
    /// Over the size limit.
    #[error("the text is {bytes} bytes long; the limit is {limit} bytes")]
    TooLarge {
        /// Size of the input.
        bytes: usize,
        /// The limit ([`crate::MAX_INPUT_BYTES`]).
        limit: usize,
    },
    /// Bytes that are not UTF-8.
    #[error("the input is not valid UTF-8 (valid up to byte {valid_up_to})")]
    NotUtf8 {
        /// Length of the valid prefix.
        valid_up_to: usize,
    },
    /// NUL bytes or many control characters: not text.
    #[error("the input looks binary (NUL or control characters), not text")]
    Binary,
}
