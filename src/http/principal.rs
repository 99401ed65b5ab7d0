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
    let (scheme, token) =
        value.split_once(' ').ok_or_else(|| AppError::Unauthenticated("authorization header must be `Bearer <token>`".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::Unauthenticated(format!("unsupported authorization scheme `{scheme}`; use `Bearer <token>`")));
    }
    let token = token.trim();
    if let Some(scope) = state.principals.get(token) {
        return Ok(scope);
    }
    let claims = state.keys.verify(token)?;
    let scope = Scope::resolve(&state.db, &claims).await?;
    state.principals.put(token.to_owned(), scope.clone());
    Ok(scope)
}
