//! Typed identifiers for every entity of the graph.
//!
//! Ids are plain strings chosen by whoever writes the data (the seed file, the
//! ingest pipeline), so that seeding or re-importing the same data gives the same
//! ids. They are validated on construction: short, ASCII, and free of anything a
//! database could read as syntax.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 160;

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an id cannot be empty")]
    Empty,
    #[error("an id is at most {MAX_ID_LEN} bytes long")]
    TooLong,
    #[error("an id may contain only ASCII letters, digits and - _ . ~ (found {0:?})")]
    BadCharacter(char),
}

/// Checks the shared id syntax: `[A-Za-z0-9_.~-]{1,160}`, not starting with `.` or `$`.
pub fn validate_id(raw: &str) -> Result<(), IdError> {
    if raw.is_empty() {
        return Err(IdError::Empty);
    }
    if raw.len() > MAX_ID_LEN {
        return Err(IdError::TooLong);
    }
    if let Some(bad) = raw.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))) {
        return Err(IdError::BadCharacter(bad));
    }
    if raw.starts_with('.') {
        return Err(IdError::BadCharacter('.'));
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `raw` and wraps it.
            pub fn parse(raw: impl Into<String>) -> Result<Self, IdError> {
                let raw = raw.into();
                validate_id(&raw)?;
                Ok(Self(raw))
            }

            /// The id as stored.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// Identifies an [`Article`](super::Article).
    ArticleId
);
id_type!(
    /// Identifies a [`Person`](super::Person).
    PersonId
);
id_type!(
    /// Identifies an [`Organization`](super::Organization).
    OrganizationId
);
id_type!(
    /// Identifies a [`Quote`](super::Quote).
    QuoteId
);

id_type!(
    /// Identifies a [`Statement`](super::Statement).
    StatementId
);

impl StatementId {
    /// The id of a statement founded by the report `quote`: the quote's id,
    /// with a suffix when `attempt` is above 0 (the first choice was taken).
    pub fn for_quote(quote: &QuoteId, attempt: u32) -> Self {
        let base = quote.as_str();
        if attempt == 0 {
            return Self(base.to_owned());
        }
        let suffix = format!("~s{attempt}");
        let keep = base.len().min(MAX_ID_LEN - suffix.len());
        Self(format!("{}{suffix}", &base[..keep]))
    }
}

impl QuoteId {
    /// The id of the quote of `article` whose span starts at character `start`.
    ///
    /// Derived rather than chosen, so re-importing an article gives its quotes the
    /// same ids, and sorting a quote list by id sorts it by position in the body.
    pub fn for_span(article: &ArticleId, start: usize) -> Self {
        Self(format!("{}~{:07}", article.as_str(), start))
    }
}

/// Turns a display name into an id: lowercase ASCII words joined by `-`
/// ("Agence France-Presse" becomes `agence-france-presse`, "José" becomes `jose`).
/// Transliteration is the `slug` crate's (deunicode tables), which handles far more
/// scripts than a hand-written fold would. A name with nothing left gives `None`.
pub fn slugify(name: &str) -> Option<String> {
    let mut slug = slug::slugify(name);
    slug.truncate(MAX_ID_LEN);
    (!slug.is_empty()).then_some(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_slugs_and_derived_quote_ids() {
        assert!(ArticleId::parse("2016-05-17-issg-vienna").is_ok());
        let article = ArticleId::parse("a1").unwrap();
        assert_eq!(QuoteId::for_span(&article, 42).as_str(), "a1~0000042");
        assert!(QuoteId::parse(QuoteId::for_span(&article, 42).as_str()).is_ok());
    }

    #[test]
    fn rejects_operators_paths_and_empty_ids() {
        assert_eq!(PersonId::parse(""), Err(IdError::Empty));
        assert_eq!(PersonId::parse("$ne"), Err(IdError::BadCharacter('$')));
        assert_eq!(PersonId::parse("a.b").map(|_| ()), Ok(()));
        assert_eq!(PersonId::parse(".hidden"), Err(IdError::BadCharacter('.')));
        assert_eq!(PersonId::parse("a/b"), Err(IdError::BadCharacter('/')));
        assert_eq!(PersonId::parse("x".repeat(161)), Err(IdError::TooLong));
        assert!(serde_json::from_str::<PersonId>("\"{\\\"$ne\\\": null}\"").is_err());
    }

    #[test]
    fn slugify_folds_names() {
        assert_eq!(slugify("Agence France-Presse").as_deref(), Some("agence-france-presse"));
        assert_eq!(slugify("U.S. State Department").as_deref(), Some("u-s-state-department"));
        assert_eq!(slugify("Staffan de Mistura").as_deref(), Some("staffan-de-mistura"));
        assert_eq!(slugify("José Ramos-Horta").as_deref(), Some("jose-ramos-horta"));
        assert_eq!(slugify("—"), None);
    }
}
