//! Persisted documents: which document a request runs when it names one
//! instead of (or beside) sending its text.
//!
//! Two modes, chosen at start-up:
//!
//! - **Automatic persisted queries** (the default), Apollo's protocol: a
//!   request may send `extensions.persistedQuery = {version: 1, sha256Hash}`
//!   without a `query`; a known hash runs the document remembered under it, an
//!   unknown one answers `PERSISTED_QUERY_NOT_FOUND` (HTTP 200, as Apollo
//!   Client's persisted-query link expects before it retries with the text).
//!   A request with both registers the text after checking that its SHA-256 is
//!   the hash (a mismatch is `BAD_REQUEST`), once the document has passed
//!   validation (as Apollo Server does; only over HTTP). The documents live in a least-recently-used cache bounded by
//!   their total size (`NEWSGRAPH_APQ_CACHE_BYTES`; 0 turns the protocol off,
//!   answering `PERSISTED_QUERY_NOT_SUPPORTED`).
//! - **Trusted documents** (`NEWSGRAPH_TRUSTED_DOCUMENTS`): only the documents
//!   of a manifest run. The manifest is the JSON that Relay's compiler
//!   (`{id: text}`), GraphQL Code Generator's client preset (`{hash: text}`) or
//!   Apollo's `generate-persisted-query-manifest`
//!   (`{format: "apollo-persisted-query-manifest", operations: [{id, body, …}]}`)
//!   writes. A request names its document by `documentId` (the GraphQL over
//!   HTTP proposal; a `sha256:` prefix is accepted), Relay's `doc_id` or `id`, or
//!   `extensions.persistedQuery.sha256Hash` (the SHA-256 of the text, whatever
//!   id the manifest gives it). Text sent as `query` runs only when it is, byte
//!   for byte, a document of the manifest; anything else is refused with
//!   `PERSISTED_QUERY_NOT_IN_LIST` and an unknown id with
//!   `PERSISTED_QUERY_NOT_FOUND` (Apollo Router's codes for its safelist).
//!
//! This runs once per request, from the HTTP and websocket handlers, before
//! [`super::codes::Admission`]: async-graphql's own `apollo_persisted_queries`
//! is a schema extension, and any schema extension sends every resolved field
//! through the extension chain (see [`super::codes`]). What it resolves is
//! document text; parsing and validating it is the admission's business.

use async_graphql::{Request, ServerError, Value};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The code for a persisted document the server does not know (the client may send its text).
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// The code for a persisted-query request to a server that has the protocol turned off.
pub const PERSISTED_QUERY_NOT_SUPPORTED: &str = "PERSISTED_QUERY_NOT_SUPPORTED";
/// The code for a document that is not in the trusted-documents manifest.
pub const PERSISTED_QUERY_NOT_IN_LIST: &str = "PERSISTED_QUERY_NOT_IN_LIST";
/// The code for a malformed persisted-query request (a wrong hash, an unknown version).
pub const BAD_REQUEST: &str = "BAD_REQUEST";

/// The default budget of the automatic-persisted-query cache, in bytes of document text.
pub const DEFAULT_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// How the request names a persisted document besides `extensions` (fields
/// of the JSON body, or of the query string of a GET). Read next to
/// [`Request`], which does not keep them.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DocumentIds {
    /// The GraphQL over HTTP proposal's field.
    #[serde(default, rename = "documentId")]
    pub document_id: Option<String>,
    /// Relay's field in its persisted-queries guide.
    #[serde(default)]
    pub doc_id: Option<String>,
    /// The older convention (Relay, GraphQL Code Generator examples).
    #[serde(default)]
    pub id: Option<String>,
}

impl DocumentIds {
    fn named(&self) -> Option<&str> {
        self.document_id.as_deref().or(self.doc_id.as_deref()).or(self.id.as_deref())
    }
}

/// A document to remember once its request has been admitted.
#[derive(Debug)]
pub struct Registration {
    hash: [u8; 32],
    text: Arc<str>,
}

/// Resolves persisted documents; shared by every handler.
pub enum Persisted {
    /// Apollo's automatic persisted queries, in a cache of at most this many bytes.
    Automatic(Mutex<Cache>),
    /// APQ turned off (`NEWSGRAPH_APQ_CACHE_BYTES=0`), no manifest.
    Off,
    /// Only the manifest's documents run.
    Trusted(Manifest),
}

impl Persisted {
    /// The mode the settings ask for: a manifest when one is given, else APQ with `cache_bytes`.
    pub fn new(manifest: Option<&Path>, cache_bytes: usize) -> anyhow::Result<Self> {
        Ok(match manifest {
            Some(path) => Persisted::Trusted(Manifest::load(path)?),
            None if cache_bytes == 0 => Persisted::Off,
            None => Persisted::Automatic(Mutex::new(Cache::new(cache_bytes))),
        })
    }

    /// Puts the text of the document `request` names into `request.query`, or
    /// says why it cannot run. A [`Registration`] comes back when the request
    /// taught the server a new document: pass it to [`Persisted::remember`]
    /// once the document has passed validation.
    pub fn resolve(&self, request: &mut Request, ids: &DocumentIds) -> Result<Option<Registration>, ServerError> {
        let apq = apq_hash(request)?;
        match self {
            Persisted::Trusted(manifest) => {
                let text = match (ids.named(), apq) {
                    (Some(id), _) => manifest.by_id(id),
                    (None, Some(hash)) if request.query.is_empty() => manifest.by_hash(&hash),
                    (None, Some(hash)) => {
                        check_hash(&request.query, &hash)?;
                        manifest.by_hash(&hash)
                    }
                    (None, None) => {
                        if request.query.is_empty() {
                            return Err(coded(BAD_REQUEST, "the request has neither a `query` nor a document id"));
                        }
                        return match manifest.by_hash(&sha256(&request.query)) {
                            Some(_) => Ok(None),
                            None => Err(coded(
                                PERSISTED_QUERY_NOT_IN_LIST,
                                "this server runs trusted documents only: send the id of a document of its manifest",
                            )),
                        };
                    }
                };
                match text {
                    Some(text) => {
                        request.query = text.to_string();
                        Ok(None)
                    }
                    None if request.query.is_empty() => Err(coded(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")),
                    None => Err(coded(
                        PERSISTED_QUERY_NOT_IN_LIST,
                        "this server runs trusted documents only, and this document is not in its manifest",
                    )),
                }
            }
            Persisted::Off => match apq {
                Some(_) => Err(coded(PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported")),
                None => Ok(None),
            },
            Persisted::Automatic(cache) => {
                let Some(hash) = apq else {
                    return Ok(None);
                };
                if !request.query.is_empty() {
                    check_hash(&request.query, &hash)?;
                    return Ok(Some(Registration { hash, text: Arc::from(request.query.as_str()) }));
                }
                let found = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&hash);
                match found {
                    Some(text) => {
                        request.query = text.to_string();
                        Ok(None)
                    }
                    None => Err(coded(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")),
                }
            }
        }
    }

    /// Remembers a document registered by a request that passed validation.
    pub fn remember(&self, registration: Registration) {
        if let Persisted::Automatic(cache) = self {
            cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(registration);
        }
    }
}

/// The SHA-256 of `extensions.persistedQuery`, checked for version 1.
fn apq_hash(request: &Request) -> Result<Option<[u8; 32]>, ServerError> {
    let Some(persisted) = request.extensions.0.get("persistedQuery") else {
        return Ok(None);
    };
    let Value::Object(fields) = persisted else {
        return Err(coded(BAD_REQUEST, "`extensions.persistedQuery` must be an object"));
    };
    match fields.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
        _ => return Err(coded(BAD_REQUEST, "Unsupported persisted query version: only version 1 is")),
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hex)) => {
            parse_hex(hex).map(Some).ok_or_else(|| coded(BAD_REQUEST, "`sha256Hash` must be 64 hexadecimal digits"))
        }
        _ => Err(coded(BAD_REQUEST, "`extensions.persistedQuery` lacks `sha256Hash`")),
    }
}

fn check_hash(text: &str, hash: &[u8; 32]) -> Result<(), ServerError> {
    if sha256(text) == *hash { Ok(()) } else { Err(coded(BAD_REQUEST, "provided sha does not match query")) }
}

fn coded(code: &str, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    error.extensions.get_or_insert_with(Default::default).set("code", code);
    error
}

/// The SHA-256 of a document's text.
pub fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// `hex` (64 digits, either case) as bytes.
fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16);
    let mut bytes = [0u8; 32];
    for (i, pair) in hex.chunks(2).enumerate() {
        bytes[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(bytes)
}

/// Documents by SHA-256, least recently used first out, within a byte budget.
pub struct Cache {
    entries: lru::LruCache<[u8; 32], Arc<str>>,
    bytes: usize,
    budget: usize,
}

impl Cache {
    /// A cache of at most `budget` bytes of text.
    pub fn new(budget: usize) -> Self {
        Self { entries: lru::LruCache::unbounded(), bytes: 0, budget }
    }

    fn get(&mut self, hash: &[u8; 32]) -> Option<Arc<str>> {
        self.entries.get(hash).cloned()
    }

    fn insert(&mut self, registration: Registration) {
        let size = registration.text.len();
        if size > self.budget {
            return;
        }
        if let Some(old) = self.entries.put(registration.hash, registration.text) {
            self.bytes -= old.len();
        }
        self.bytes += size;
        while self.bytes > self.budget {
            match self.entries.pop_lru() {
                Some((_, text)) => self.bytes -= text.len(),
                None => break,
            }
        }
    }

    /// How many documents are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The trusted documents: by the manifest's id, and by the SHA-256 of their text.
#[derive(Debug, Default)]
pub struct Manifest {
    by_id: HashMap<String, Arc<str>>,
    by_hash: HashMap<[u8; 32], Arc<str>>,
}

/// Apollo's persisted-query manifest.
#[derive(Deserialize)]
struct ApolloManifest {
    operations: Vec<ApolloOperation>,
}

#[derive(Deserialize)]
struct ApolloOperation {
    id: String,
    body: String,
}

impl Manifest {
    /// Reads a manifest file (any of the three formats), or says what is wrong with it.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the trusted documents {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("the trusted documents {} are unusable: {e}", path.display()))
    }

    /// Parses a manifest: Apollo's format when it says so, else an object of id to text.
    pub fn parse(json: &str) -> anyhow::Result<Self> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        let serde_json::Value::Object(object) = &value else {
            anyhow::bail!("a manifest is a JSON object");
        };
        let documents: Vec<(String, String)> = match object.get("format") {
            Some(serde_json::Value::String(format)) if format == "apollo-persisted-query-manifest" => {
                let manifest: ApolloManifest = serde_path_to_error::deserialize(&value)?;
                manifest.operations.into_iter().map(|o| (o.id, o.body)).collect()
            }
            _ => object
                .iter()
                .map(|(id, text)| match text {
                    serde_json::Value::String(text) => Ok((id.clone(), text.clone())),
                    _ => anyhow::bail!(
                        "`{id}` is not document text (expected Relay's or GraphQL Code Generator's \
                         {{\"id\": \"text\"}}, or Apollo's persisted-query manifest)"
                    ),
                })
                .collect::<anyhow::Result<_>>()?,
        };
        if documents.is_empty() {
            anyhow::bail!("it lists no documents");
        }
        let mut manifest = Manifest::default();
        for (id, text) in documents {
            let text: Arc<str> = Arc::from(text);
            manifest.by_hash.insert(sha256(&text), text.clone());
            manifest.by_id.insert(id, text);
        }
        Ok(manifest)
    }

    fn by_id(&self, id: &str) -> Option<&Arc<str>> {
        self.by_id.get(id).or_else(|| {
            let hex = id.strip_prefix("sha256:")?;
            self.by_hash.get(&parse_hex(hex)?)
        })
    }

    fn by_hash(&self, hash: &[u8; 32]) -> Option<&Arc<str>> {
        self.by_hash.get(hash)
    }

    /// How many documents the manifest lists.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the manifest lists none (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: [u8; 32]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn apq(query: &str, hash: &str) -> Request {
        let mut request = Request::new(query);
        let persisted = serde_json::json!({ "version": 1, "sha256Hash": hash });
        request.extensions.0.insert("persistedQuery".into(), Value::from_json(persisted).unwrap());
        request
    }

    fn code(error: ServerError) -> String {
        match error.extensions.as_ref().and_then(|e| e.get("code")) {
            Some(Value::String(code)) => code.clone(),
            other => panic!("no code: {other:?}"),
        }
    }

    #[test]
    fn the_cache_keeps_to_its_byte_budget_dropping_the_least_recently_used() {
        let mut cache = Cache::new(10);
        let doc = |text: &str| Registration { hash: sha256(text), text: Arc::from(text) };
        cache.insert(doc("aaaa"));
        cache.insert(doc("bbbb"));
        assert!(cache.get(&sha256("aaaa")).is_some()); // now the most recently used
        cache.insert(doc("cccc"));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&sha256("bbbb")).is_none(), "the least recently used went");
        assert!(cache.get(&sha256("aaaa")).is_some() && cache.get(&sha256("cccc")).is_some());
        cache.insert(doc("a document longer than the whole budget"));
        assert_eq!(cache.len(), 2, "a document over the budget is not kept");
    }

    #[test]
    fn automatic_persisted_queries_follow_apollos_protocol() {
        let persisted = Persisted::new(None, 1024).unwrap();
        let text = "{ __typename }";
        let hash = hex(sha256(text));
        let error = persisted.resolve(&mut apq("", &hash), &DocumentIds::default()).unwrap_err();
        assert_eq!(code(error), PERSISTED_QUERY_NOT_FOUND);
        let error = persisted.resolve(&mut apq("{ other }", &hash), &DocumentIds::default()).unwrap_err();
        assert_eq!(code(error), BAD_REQUEST, "a hash that is not the text's");
        let registration = persisted.resolve(&mut apq(text, &hash), &DocumentIds::default()).unwrap().unwrap();
        persisted.remember(registration);
        let mut by_hash = apq("", &hash.to_uppercase());
        assert!(persisted.resolve(&mut by_hash, &DocumentIds::default()).unwrap().is_none());
        assert_eq!(by_hash.query, text);
        let mut version_2 = apq("", &hash);
        version_2.extensions.0.insert(
            "persistedQuery".into(),
            Value::from_json(serde_json::json!({ "version": 2, "sha256Hash": hash })).unwrap(),
        );
        assert_eq!(code(persisted.resolve(&mut version_2, &DocumentIds::default()).unwrap_err()), BAD_REQUEST);
        let off = Persisted::new(None, 0).unwrap();
        assert_eq!(
            code(off.resolve(&mut apq("", &hash), &DocumentIds::default()).unwrap_err()),
            PERSISTED_QUERY_NOT_SUPPORTED
        );
    }

    #[test]
    fn the_three_manifest_formats_parse_and_anything_else_is_refused() {
        let relay = Manifest::parse(r#"{"a1b2": "query A { __typename }"}"#).unwrap();
        assert_eq!(relay.by_id("a1b2").map(|t| t.as_ref()), Some("query A { __typename }"));
        let text = "query B { __typename }";
        let apollo = Manifest::parse(
            &serde_json::json!({
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{ "id": hex(sha256(text)), "body": text, "name": "B", "type": "query" }]
            })
            .to_string(),
        )
        .unwrap();
        assert_eq!(apollo.by_id(&format!("sha256:{}", hex(sha256(text)))).map(|t| t.as_ref()), Some(text));
        for broken in ["[]", "{}", r#"{"a": 1}"#, r#"{"format": "apollo-persisted-query-manifest"}"#, "not json"] {
            assert!(Manifest::parse(broken).is_err(), "{broken} was accepted");
        }
    }

    #[test]
    fn trusted_documents_run_by_id_or_exact_text_and_nothing_else() {
        let text = "query A { __typename }";
        let persisted =
            Persisted::Trusted(Manifest::parse(&serde_json::json!({ "md5ish": text }).to_string()).unwrap());
        for ids in [
            DocumentIds { document_id: Some("md5ish".into()), ..Default::default() },
            DocumentIds { doc_id: Some("md5ish".into()), ..Default::default() },
            DocumentIds { id: Some("md5ish".into()), ..Default::default() },
        ] {
            let mut request = Request::new("");
            persisted.resolve(&mut request, &ids).unwrap();
            assert_eq!(request.query, text);
        }
        let mut by_hash = apq("", &hex(sha256(text)));
        persisted.resolve(&mut by_hash, &DocumentIds::default()).unwrap();
        assert_eq!(by_hash.query, text);
        assert!(persisted.resolve(&mut Request::new(text), &DocumentIds::default()).is_ok());
        let refused = persisted.resolve(&mut Request::new("{ __typename }"), &DocumentIds::default()).unwrap_err();
        assert_eq!(code(refused), PERSISTED_QUERY_NOT_IN_LIST);
        let unknown = DocumentIds { document_id: Some("nope".into()), ..Default::default() };
        assert_eq!(code(persisted.resolve(&mut Request::new(""), &unknown).unwrap_err()), PERSISTED_QUERY_NOT_FOUND);
        let other = "{ __typename }";
        let registering = persisted.resolve(&mut apq(other, &hex(sha256(other))), &DocumentIds::default());
        assert_eq!(code(registering.unwrap_err()), PERSISTED_QUERY_NOT_IN_LIST, "APQ cannot add documents");
    }
}
