//! Relay global ids: opaque, base64 of `Type:uuid`. Each noun names its own types' kinds.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The global id of an object: base64 of `Type:uuid`.
pub fn global_id(kind: &str, id: Uuid) -> ID {
    ID(STANDARD.encode(format!("{kind}:{id}")))
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
    }
}
