//! Who may write: API keys checked before any mutation runs.
//!
//! The HTTP layer turns the `Authorization: Bearer <key>` header into a
//! [`Caller`] for the request; [`WritePolicy::authorize`] decides. Keys are kept
//! and compared only as SHA-256 digests, so the comparison's timing can reveal
//! nothing useful about a key, and a keys file may list digests instead of keys.
//!
//! Each key has a name (the author of the changes it makes, in the audit log
//! of corrections) and [`Scope`]s: `ingest` for the ingest mutations, `edit`
//! for corrections, `admin` for merges. A keys-file line is the key or its
//! digest, then optionally `name=<name>` and `scopes=<scope>,…`; a line
//! without scopes has `read,ingest` (what every key could do before scopes).

use super::error::ApiError;
use sha2::{Digest, Sha256};

/// The SHA-256 digest of a key.
pub type KeyDigest = [u8; 32];

/// Digests a key as presented by a client.
pub fn digest(key: &str) -> KeyDigest {
    Sha256::digest(key.trim().as_bytes()).into()
}

/// What a key may do. Reads are open to anyone the server lets in; the
/// scopes govern writes: `ingest` the ingest mutations, `edit` corrections,
/// `admin` merges (and `admin` holds every other scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Ingest,
    Edit,
    Admin,
}

impl Scope {
    /// Every scope, in order.
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Ingest, Scope::Edit, Scope::Admin];

    /// The scopes of a keys-file line that names none (a line written before
    /// scopes existed): `read` and `ingest`, what such a key could do then.
    pub const DEFAULT: [Scope; 2] = [Scope::Read, Scope::Ingest];

    /// The spelling in keys files and `newsgraph key generate --scope`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Ingest => "ingest",
            Scope::Edit => "edit",
            Scope::Admin => "admin",
        }
    }

    /// Parses `read`, `ingest`, `edit` or `admin` (any case).
    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Parses a list of scopes separated by commas or `+`, e.g. `ingest,edit`
    /// (`ingest+edit` in `NEWSGRAPH_API_KEYS`, whose entries commas separate).
    pub fn parse_list(text: &str) -> Result<Vec<Scope>, String> {
        let mut scopes = Vec::new();
        for part in text.split([',', '+']).map(str::trim).filter(|p| !p.is_empty()) {
            let scope = Scope::parse(part)
                .ok_or_else(|| format!("unknown scope `{part}` (the scopes are read, ingest, edit and admin)"))?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err("no scope given (the scopes are read, ingest, edit and admin)".into());
        }
        scopes.sort();
        Ok(scopes)
    }
}

/// The name recorded as the author of changes made without keys, in
/// development mode (no keys configured, not production).
pub const DEVELOPMENT_AUTHOR: &str = "development";

/// A configured API key: its digest, the name changes are recorded under, and its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub digest: KeyDigest,
    /// Who the key belongs to, as audit entries name them. A line without a
    /// name gets `key-` and the first 8 hex digits of the key's SHA-256.
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl ApiKey {
    /// A key with the default name and scopes (see [`Scope::DEFAULT`]).
    pub fn unnamed(digest: KeyDigest) -> Self {
        Self { digest, name: default_name(&digest), scopes: Scope::DEFAULT.to_vec() }
    }

    /// Whether the key may do what `scope` allows (`admin` may do everything).
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin)
    }

    /// The keys-file line for a key: its digest in hex, its name and its scopes.
    pub fn line(&self) -> String {
        let scopes: Vec<&str> = self.scopes.iter().map(|s| s.as_str()).collect();
        format!("{} name={} scopes={}", hex(&self.digest), self.name, scopes.join(","))
    }
}

fn hex(digest: &KeyDigest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn default_name(digest: &KeyDigest) -> String {
    format!("key-{}", &hex(digest)[..8])
}

/// Parses a keys-file line: a key or its 64-hex-digit SHA-256 digest, then
/// optionally `name=<name>` and `scopes=<scope>,<scope>` (separated by
/// white space, in any order). `None` for a blank line or a `#` comment;
/// an error for a line whose name or scopes do not parse.
pub fn parse_key_line(line: &str) -> Result<Option<ApiKey>, String> {
    parse_entry(line, true)
}

/// Parses an entry of `NEWSGRAPH_API_KEYS`: as a keys-file line, except that
/// its first word is always the key itself, never a digest (as before names
/// and scopes existed).
pub fn parse_key_entry(entry: &str) -> Result<Option<ApiKey>, String> {
    parse_entry(entry, false)
}

fn parse_entry(line: &str, digests_allowed: bool) -> Result<Option<ApiKey>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let secret = parts.next().unwrap_or_default();
    let digest = if digests_allowed { parse_secret(secret) } else { digest(secret) };
    let mut key = ApiKey::unnamed(digest);
    for part in parts {
        match part.split_once('=') {
            Some(("name", name)) if valid_name(name) => key.name = name.to_owned(),
            Some(("name", name)) => {
                return Err(format!("`{name}` is not a key name (letters, digits, `-`, `_`, `.`, `@`; 1 to 64)"));
            }
            Some(("scopes", list)) | Some(("scope", list)) => key.scopes = Scope::parse_list(list)?,
            _ => return Err(format!("`{part}` is neither `name=…` nor `scopes=…`")),
        }
    }
    Ok(Some(key))
}

/// Whether `name` can name a key: 1 to 64 letters, digits, `-`, `_`, `.` or `@`.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
}

/// A key as written in a keys file or a variable: its digest when it is 64 hex digits, else the key's.
fn parse_secret(secret: &str) -> KeyDigest {
    if secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut out = [0u8; 32];
        for (i, pair) in secret.as_bytes().chunks(2).enumerate() {
            let hex = std::str::from_utf8(pair).unwrap_or("00");
            out[i] = u8::from_str_radix(hex, 16).unwrap_or(0);
        }
        return out;
    }
    digest(secret)
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
    pub keys: Vec<ApiKey>,
    /// In production, no keys configured means no writes at all.
    pub production: bool,
}

/// Who a write is made by: the key's name (or [`DEVELOPMENT_AUTHOR`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author(pub String);

impl WritePolicy {
    /// The digests of the configured keys.
    pub fn digests(&self) -> Vec<KeyDigest> {
        self.keys.iter().map(|k| k.digest).collect()
    }

    /// Allows a write that needs `scope`, naming who makes it, or says why not:
    /// `UNAUTHENTICATED` without a valid key, `FORBIDDEN` for a valid key
    /// without the scope (both counted as `auth` rejections).
    pub fn authorize(&self, caller: &Caller, scope: Scope) -> Result<Author, ApiError> {
        let decision = self.decide(caller, scope);
        if decision.is_err() {
            crate::metrics::reject(crate::metrics::Rejection::Auth);
        }
        decision
    }

    fn decide(&self, caller: &Caller, scope: Scope) -> Result<Author, ApiError> {
        if self.keys.is_empty() {
            return if self.production {
                Err(ApiError::Unauthenticated("writes are disabled: no API keys are configured".into()))
            } else {
                Ok(Author(DEVELOPMENT_AUTHOR.into()))
            };
        }
        match caller {
            Caller::Key(presented) => match self.keys.iter().find(|k| &k.digest == presented) {
                Some(key) if key.allows(scope) => Ok(Author(key.name.clone())),
                Some(key) => Err(ApiError::Forbidden(format!(
                    "the API key `{}` lacks the `{}` scope this write needs",
                    key.name,
                    scope.as_str()
                ))),
                None => Err(ApiError::Unauthenticated("the API key is not valid".into())),
            },
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

    fn ingest_only(secret: &str) -> WritePolicy {
        WritePolicy { keys: vec![ApiKey::unnamed(digest(secret))], production: true }
    }

    #[test]
    fn keys_are_checked_by_digest() {
        let policy = ingest_only("s3cret");
        assert!(policy.authorize(&caller_from_header(Some("Bearer s3cret")), Scope::Ingest).is_ok());
        assert!(policy.authorize(&caller_from_header(Some("bearer  s3cret ")), Scope::Ingest).is_ok());
        assert!(policy.authorize(&caller_from_header(Some("Bearer wrong")), Scope::Ingest).is_err());
        assert!(policy.authorize(&caller_from_header(Some("Basic s3cret")), Scope::Ingest).is_err());
        assert!(policy.authorize(&caller_from_header(None), Scope::Ingest).is_err());
    }

    #[test]
    fn no_keys_means_open_in_development_and_closed_in_production() {
        let open = WritePolicy { keys: vec![], production: false }.authorize(&Caller::Anonymous, Scope::Admin);
        assert_eq!(open.unwrap(), Author(DEVELOPMENT_AUTHOR.into()));
        assert!(WritePolicy { keys: vec![], production: true }.authorize(&Caller::Anonymous, Scope::Read).is_err());
    }

    #[test]
    fn a_key_without_the_scope_is_forbidden_and_admin_holds_every_scope() {
        let policy = ingest_only("k1");
        let caller = caller_from_header(Some("Bearer k1"));
        let refused = policy.authorize(&caller, Scope::Edit).unwrap_err();
        assert_eq!(refused.code(), "FORBIDDEN");
        let admin = parse_key_line("k2 name=chief scopes=admin").unwrap().unwrap();
        let policy = WritePolicy { keys: vec![admin], production: true };
        let caller = caller_from_header(Some("Bearer k2"));
        for scope in Scope::ALL {
            assert_eq!(policy.authorize(&caller, scope).unwrap(), Author("chief".into()));
        }
    }

    #[test]
    fn key_files_take_keys_or_digests_with_names_and_scopes() {
        let hex: String = digest("k1").iter().map(|b| format!("{b:02x}")).collect();
        let old = parse_key_line(&hex).unwrap().unwrap();
        assert_eq!(old.digest, digest("k1"));
        assert_eq!(old.scopes, Scope::DEFAULT.to_vec(), "a line without scopes keeps what it could do");
        assert_eq!(old.name, format!("key-{}", &hex[..8]));
        assert_eq!(parse_key_line("k1").unwrap().unwrap().digest, digest("k1"));
        let named = parse_key_line(&format!("{hex}  scopes=edit,ingest name=desk-editor")).unwrap().unwrap();
        assert_eq!(parse_key_entry("k1 scopes=ingest+edit").unwrap().unwrap().scopes, vec![Scope::Ingest, Scope::Edit]);
        assert_eq!((named.name.as_str(), named.scopes.clone()), ("desk-editor", vec![Scope::Ingest, Scope::Edit]));
        assert_eq!(parse_key_line(&named.line()).unwrap().unwrap(), named, "a printed line reads back");
        assert_eq!(parse_key_line("# comment").unwrap(), None);
        assert_eq!(parse_key_line("   ").unwrap(), None);
        assert!(parse_key_line("k1 scopes=edit,root").is_err());
        assert!(parse_key_line("k1 name=two words").is_err());
        assert!(parse_key_line("k1 name=").is_err());
    }
}
