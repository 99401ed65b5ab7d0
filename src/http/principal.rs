//! The credential of a request, verified once and turned into its scope.

use axum::http::{HeaderMap, header};

use super::AppState;
use crate::auth::Scope;
use crate::error::AppError;

/// The scope of the request's credential: anonymous without one, `UNAUTHENTICATED` when it is
/// malformed, expired, wrongly signed or names an unknown principal.
pub async fn scope_for(state: &AppState, headers: &HeaderMap) -> Result<Scope, AppError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Scope::anonymous());
    };
    let value = value.to_str().map_err(|_| AppError::Unauthenticated("authorization header is not readable".into()))?.trim();
    scope_for_credential(state, value).await
}

/// The scope of a credential written as in the `Authorization` header: `Bearer <JWT>` or
/// `ApiKey <key>` (a partner key `gzk_…` or a reporting key `gzr_…`, told apart by prefix). Shared by HTTP and the WebSocket `connection_init`.
pub async fn scope_for_credential(state: &AppState, value: &str) -> Result<Scope, AppError> {
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| AppError::Unauthenticated("authorization must be `Bearer <token>` or `ApiKey <key>`".into()))?;
    let token = token.trim();
    let api_key = scheme.eq_ignore_ascii_case("apikey");
    if !api_key && !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::Unauthenticated(format!("unsupported authorization scheme `{scheme}`; use `Bearer` or `ApiKey`")));
    }
    let cache_key = if api_key { format!("apikey:{}", crate::auth::api_keys::hash_key(token)) } else { token.to_owned() };
    let generation = state.changes.generation();
    if let Some(scope) = state.principals.get(&cache_key, generation) {
        return Ok(scope);
    }
    let (scope, expires) = if api_key && crate::auth::reporting_keys::is_reporting_key(token) {
        let (scope, expires) = crate::auth::reporting_keys::authenticate(&state.system_db, token).await?;
        (scope, Some(u64::try_from(expires.timestamp()).unwrap_or(0)))
    } else if api_key {
        (crate::auth::api_keys::authenticate(&state.system_db, token).await?, None)
    } else {
        let claims = state.keys.verify(token)?;
        (Scope::resolve(&state.system_db, &claims).await?, Some(claims.exp))
    };
    state.principals.put(cache_key, scope.clone(), generation, expires);
    Ok(scope)
}
