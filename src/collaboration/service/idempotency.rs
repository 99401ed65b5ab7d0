//! Idempotency keys of partner departments' retries: a key names one action on one object.

use super::*;

/// The idempotency principal of the caller: the unit for partner departments, else the label.
pub(super) fn idempotency_principal(scope: &Scope) -> String {
    match scope.unit_id() {
        Some(u) => format!("unit:{u}"),
        None => scope.identity(),
    }
}

pub(super) fn clean_key(key: Option<String>) -> AppResult<Option<String>> {
    match key {
        Some(k) if k.is_empty() || k.len() > 128 => {
            Err(AppError::bad_input("idempotencyKey", "an idempotency key has 1 to 128 characters"))
        }
        other => Ok(other),
    }
}

/// The object a key already produced, if the key was used before for this operation (an
/// action and its target, e.g. `acceptAssignment:<share id>`).
pub(super) async fn replayed(db: &impl ConnectionTrait, principal: &str, key: &str, operation: &str) -> AppResult<Option<Uuid>> {
    let found = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::Principal.eq(principal))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?;
    match found {
        Some(k) if k.operation == operation => Ok(Some(k.object_id)),
        Some(_) => Err(AppError::KeyReused("this idempotency key was used for another operation".into())),
        None => Ok(None),
    }
}

/// Claims a key inside the transaction. `Some(object)` means another request holding the key
/// committed first: the caller returns that result and changes nothing.
/// Dropping the write rolls it back.
pub(super) async fn claim<'a>(w: Write<'a>, key: &Option<String>, operation: &str, object: Uuid) -> AppResult<Result<Write<'a>, Uuid>> {
    let Some(key) = key else { return Ok(Ok(w)) };
    let cx = w.cx();
    let principal = idempotency_principal(&cx.scope);
    if let Some(first) = replayed(w.txn(), &principal, key, operation).await? {
        drop(w);
        return Ok(Err(first));
    }
    let inserted = idempotency_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        principal: Set(principal.clone()),
        key: Set(key.clone()),
        operation: Set(operation.to_owned()),
        object_id: Set(object),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await;
    match inserted {
        Ok(_) => Ok(Ok(w)),
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            // A concurrent retry committed first.
            drop(w);
            match replayed(&cx.db, &principal, key, operation).await? {
                Some(first) => Ok(Err(first)),
                None => Err(AppError::InProgress("a request with this idempotency key is in progress; retry".into())),
            }
        }
        Err(e) => Err(e.into()),
    }
}
