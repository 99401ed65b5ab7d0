//! Who reads the audit log: one row per principal kind.
//!
//! | principal | reads |
//! | --- | --- |
//! | street admin | the street's records |
//! | community admin | the community's records |
//! | anyone else | nothing: `FORBIDDEN` (`UNAUTHENTICATED` without a credential) |
//!
//! The `match` in [`audit_filter`] names every principal kind, with no catch-all: a new kind does
//! not compile until this table decides what it reads.

use entity::audit_log;
use sea_orm::ColumnTrait;
use sea_orm::sea_query::SimpleExpr;

use crate::auth::{Principal, Scope};
use crate::error::{AppError, AppResult};

/// The audit records the caller reads, as a condition on the log.
pub fn audit_filter(scope: &Scope) -> AppResult<SimpleExpr> {
    scope.require_authenticated()?;
    let refused = || Err(AppError::Forbidden("only street and community administrators read the audit log".into()));
    match scope.principal() {
        Principal::StreetAdmin { street_id } => Ok(audit_log::Column::StreetId.eq(*street_id)),
        Principal::CommunityAdmin { community_id } => Ok(audit_log::Column::CommunityId.eq(*community_id)),
        // Refused by `require_authenticated` above already.
        Principal::Anonymous => refused(),
        // The city's staff work on escalated tasks; the streets' logs are the streets'.
        Principal::CityAdmin { .. } => refused(),
        // Staff do the daily work the log records; its readers are the administrators.
        Principal::CommunityStaff { .. } => refused(),
        Principal::Unit { .. } | Principal::Member { .. } | Principal::Reporter { .. } | Principal::System => refused(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};
    use uuid::Uuid;

    fn reads(scope: &Scope) -> Result<String, AppError> {
        audit_filter(scope).map(|f| audit_log::Entity::find().filter(f).build(DbBackend::Sqlite).to_string())
    }

    #[test]
    fn administrators_read_their_street_or_community_and_nobody_else_reads() {
        let (street, c) = (Uuid::now_v7(), Uuid::now_v7());
        let q = reads(&Scope::for_tests(Principal::StreetAdmin { street_id: street }, &[c], &[c]));
        assert!(q.as_ref().is_ok_and(|q| q.contains("street_id") && q.contains(&street.to_string())), "{q:?}");
        let q = reads(&Scope::for_tests(Principal::CommunityAdmin { community_id: c }, &[c], &[c]));
        assert!(q.as_ref().is_ok_and(|q| q.contains("community_id") && q.contains(&c.to_string())), "{q:?}");

        assert!(matches!(reads(&Scope::anonymous()), Err(AppError::Unauthenticated(_))));
        for p in [
            Principal::CityAdmin { city_id: Uuid::now_v7() },
            Principal::CommunityStaff { community_id: c },
            Principal::Unit { unit_id: Uuid::now_v7(), street_id: Some(street) },
            Principal::Member { person_id: Uuid::now_v7() },
            Principal::Reporter { street_id: street, community_id: None },
            Principal::Reporter { street_id: street, community_id: Some(c) },
        ] {
            assert!(matches!(reads(&Scope::for_tests(p.clone(), &[c], &[])), Err(AppError::Forbidden(_))), "{p:?}");
        }
        assert!(matches!(reads(&Scope::system([street], "system:test")), Err(AppError::Forbidden(_))));
    }
}
