//! Relay global ids: opaque, base64 of `Type:uuid`. Each noun names its own types' kinds.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The global id of an object: base64 of `Type:uuid`.
pub fn global_id(kind: &str, id: Uuid) -> ID {
    ID(encode_global_id(kind, id))
}

/// The global id of an object as the GraphQL value a resolver of it answers (for
/// [`crate::graphql::inline::PlainFields`]).
pub fn global_id_value(kind: &str, id: Uuid) -> async_graphql::Value {
    async_graphql::Value::String(encode_global_id(kind, id))
}

/// Base64 of `Type:uuid`, written once into its string: ids are on the hot path of every list.
fn encode_global_id(kind: &str, id: Uuid) -> String {
    const UUID_LEN: usize = uuid::fmt::Hyphenated::LENGTH;
    let mut raw = [0u8; 96];
    let len = kind.len() + 1 + UUID_LEN;
    if len > raw.len() {
        return STANDARD.encode(format!("{kind}:{id}"));
    }
    raw[..kind.len()].copy_from_slice(kind.as_bytes());
    raw[kind.len()] = b':';
    id.hyphenated().encode_lower(&mut raw[kind.len() + 1..len]);
    STANDARD.encode(&raw[..len])
}

/// Splits a global id into its type name and uuid.
pub fn parse_global_id(id: &str) -> Option<(String, Uuid)> {
    let raw = STANDARD.decode(id).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((kind.to_owned(), Uuid::parse_str(uuid).ok()?))
}

/// Decodes an id argument that must name an object of `kind`; `field` names the argument in errors.
pub fn expect_id(id: &ID, kind: &str, field: &str) -> AppResult<Uuid> {
    match parse_global_id(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        Some((k, _)) => Err(AppError::bad_input(field, format!("expected the id of a {kind}, got a {k}"))),
        None => Err(AppError::bad_input(field, "not a valid id")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_check_kind() {
        let uuid = Uuid::now_v7();
        let id = global_id("Community", uuid);
        assert_eq!(parse_global_id(&id), Some(("Community".to_owned(), uuid)));
        assert_eq!(expect_id(&id, "Community", "id").ok(), Some(uuid));
        assert!(expect_id(&id, "Compound", "id").is_err());
        assert!(parse_global_id("%%%").is_none());
        assert_eq!(global_id_value("Community", uuid), async_graphql::Value::String(id.0.clone()));
        assert_eq!(id.0, STANDARD.encode(format!("Community:{uuid}")));
        let long = "K".repeat(80);
        assert_eq!(parse_global_id(&global_id(&long, uuid)), Some((long, uuid)));
    }
}
