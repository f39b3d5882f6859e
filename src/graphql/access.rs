//! Who may write: API keys checked before any mutation runs.
//!
//! The HTTP layer turns the `Authorization: Bearer <key>` header into a
//! [`Caller`] for the request; [`WritePolicy::authorize`] decides. Keys are kept
//! and compared only as SHA-256 digests, so the comparison's timing can reveal
//! nothing useful about a key, and a keys file may list digests instead of keys.

use super::error::ApiError;
use sha2::{Digest, Sha256};

/// The SHA-256 digest of a key.
pub type KeyDigest = [u8; 32];

/// Digests a key as presented by a client.
pub fn digest(key: &str) -> KeyDigest {
    Sha256::digest(key.trim().as_bytes()).into()
}

/// Parses a keys-file line: a 64-hex-digit SHA-256 digest, or a key.
pub fn parse_key_line(line: &str) -> Option<KeyDigest> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    if line.len() == 64 && line.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut out = [0u8; 32];
        for (i, pair) in line.as_bytes().chunks(2).enumerate() {
            let hex = std::str::from_utf8(pair).ok()?;
            out[i] = u8::from_str_radix(hex, 16).ok()?;
        }
        return Some(out);
    }
    Some(digest(line))
}

/// What the request presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// A bearer key, as its digest.
    Key(KeyDigest),
    /// An `Authorization` header that is not `Bearer <key>`.
    Malformed,
}

/// Which keys may write, and what happens when none are configured.
#[derive(Debug, Clone, Default)]
pub struct WritePolicy {
    pub keys: Vec<KeyDigest>,
    /// In production, no keys configured means no writes at all.
    pub production: bool,
}

impl WritePolicy {
    /// Allows the write or says why not (code `UNAUTHENTICATED`, counted as an `auth` rejection).
    pub fn authorize(&self, caller: &Caller) -> Result<(), ApiError> {
        let decision = self.decide(caller);
        if decision.is_err() {
            crate::metrics::reject(crate::metrics::Rejection::Auth);
        }
        decision
    }

    fn decide(&self, caller: &Caller) -> Result<(), ApiError> {
        if self.keys.is_empty() {
            return if self.production {
                Err(ApiError::Unauthenticated("writes are disabled: no API keys are configured".into()))
            } else {
                Ok(())
            };
        }
        match caller {
            Caller::Key(presented) if self.keys.iter().any(|k| k == presented) => Ok(()),
            Caller::Key(_) => Err(ApiError::Unauthenticated("the API key is not valid".into())),
            Caller::Malformed => Err(ApiError::Unauthenticated("use `Authorization: Bearer <key>`".into())),
            Caller::Anonymous => Err(ApiError::Unauthenticated("writes need `Authorization: Bearer <key>`".into())),
        }
    }
}

/// Reads the caller from an `Authorization` header value.
pub fn caller_from_header(header: Option<&str>) -> Caller {
    match header {
        None => Caller::Anonymous,
        Some(value) => match value.trim().split_once(' ') {
            Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") && !key.trim().is_empty() => {
                Caller::Key(digest(key))
            }
            _ => Caller::Malformed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_by_digest() {
        let policy = WritePolicy { keys: vec![digest("s3cret")], production: true };
        assert!(policy.authorize(&caller_from_header(Some("Bearer s3cret"))).is_ok());
        assert!(policy.authorize(&caller_from_header(Some("bearer  s3cret "))).is_ok());
        assert!(policy.authorize(&caller_from_header(Some("Bearer wrong"))).is_err());
        assert!(policy.authorize(&caller_from_header(Some("Basic s3cret"))).is_err());
        assert!(policy.authorize(&caller_from_header(None)).is_err());
    }

    #[test]
    fn no_keys_means_open_in_development_and_closed_in_production() {
        assert!(WritePolicy { keys: vec![], production: false }.authorize(&Caller::Anonymous).is_ok());
        assert!(WritePolicy { keys: vec![], production: true }.authorize(&Caller::Anonymous).is_err());
    }

    #[test]
    fn key_files_take_keys_or_digests() {
        let hex: String = digest("k1").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(parse_key_line(&hex), Some(digest("k1")));
        assert_eq!(parse_key_line("k1"), Some(digest("k1")));
        assert_eq!(parse_key_line("# comment"), None);
        assert_eq!(parse_key_line("   "), None);
    }
}
