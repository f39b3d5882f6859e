//! Relay global ids: an opaque, URL-safe encoding of an entity's type and its
//! stored id, so that `node(id:)` can find anything and ids from different
//! collections never collide.

use super::error::ApiError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The longest global id accepted, in bytes, before any decoding is attempted.
const MAX_GLOBAL_ID_LEN: usize = 256;

/// The entity types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Article,
    Person,
    Organization,
    Quote,
    Statement,
}

impl NodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Article => "Article",
            NodeType::Person => "Person",
            NodeType::Organization => "Organization",
            NodeType::Quote => "Quote",
            NodeType::Statement => "Statement",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "Article" => NodeType::Article,
            "Person" => NodeType::Person,
            "Organization" => NodeType::Organization,
            "Quote" => NodeType::Quote,
            "Statement" => NodeType::Statement,
            _ => return None,
        })
    }
}

/// The global id of the entity of type `node_type` stored as `id`.
pub fn encode(node_type: NodeType, id: &str) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.as_str())))
}

/// Splits a global id into its type and stored id.
pub fn decode(global: &str) -> Result<(NodeType, String), ApiError> {
    let invalid = || ApiError::bad_input(format!("`{}` is not a valid id", preview(global)));
    if global.len() > MAX_GLOBAL_ID_LEN {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(global).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (node_type, id) = text.split_once(':').ok_or_else(invalid)?;
    let node_type = NodeType::parse(node_type).ok_or_else(invalid)?;
    crate::domain::validate_id(id).map_err(|_| invalid())?;
    Ok((node_type, id.to_owned()))
}

/// Decodes a global id that must be of type `expected`.
pub fn decode_as(global: &str, expected: NodeType) -> Result<String, ApiError> {
    let (node_type, id) = decode(global)?;
    if node_type != expected {
        return Err(ApiError::bad_input(format!(
            "`{}` is the id of a {}, not of a {}",
            preview(global),
            node_type.as_str(),
            expected.as_str()
        )));
    }
    Ok(id)
}

/// The start of a client-supplied string, safe to echo in an error message.
pub fn preview(raw: &str) -> String {
    const MAX: usize = 40;
    let mut shown: String = raw.chars().take(MAX).collect();
    if raw.chars().count() > MAX {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_opaque() {
        let id = encode(NodeType::Person, "sergei-lavrov");
        assert!(!id.0.contains("lavrov"));
        assert_eq!(decode(&id).unwrap(), (NodeType::Person, "sergei-lavrov".into()));
    }

    #[test]
    fn rejects_garbage_wrong_types_and_operator_ids() {
        assert!(decode("not base64 !").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("Person")).is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("Spaceship:x")).is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("Person:$ne")).is_err());
        assert!(decode(&"A".repeat(10_000)).is_err());
        let person = encode(NodeType::Person, "x");
        let err = decode_as(&person, NodeType::Article).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }
}
