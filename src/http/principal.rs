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
    let role = match headers.get(&ROLE_HEADER) {
        Some(role) => Some(role.to_str().map_err(|_| AppError::Unauthenticated("X-Gongzhi-Role header is not readable".into()))?),
        None => None,
    };
    scope_for_credential_as(state, value, role).await
}

/// The header by which a person logged in through the OpenID Connect issuer chooses among their
/// grants: a role (`community-staff`), a grant's id, or `member` (see `auth::grants`).
pub static ROLE_HEADER: axum::http::HeaderName = axum::http::HeaderName::from_static("x-gongzhi-role");

/// The scope of a credential written as in the `Authorization` header: `Bearer <JWT>` or
/// `ApiKey <key>` (a partner key `gzk_…` or a reporting key `gzr_…`, told apart by prefix). Shared by HTTP and the WebSocket `connection_init`.
pub async fn scope_for_credential(state: &AppState, value: &str) -> Result<Scope, AppError> {
    scope_for_credential_as(state, value, None).await
}

/// [`scope_for_credential`], with the grant a login of the OpenID Connect issuer chooses
/// (`X-Gongzhi-Role`; gongzhi's own tokens and keys ignore it).
///
/// A Bearer token goes to the OpenID Connect verifier when one is configured and the token says
/// it is the issuer's (its `iss`, or an RS256/ES256 algorithm); the verifier accepts RS256 and
/// ES256 only, with the issuer's keys. Every other Bearer token goes to gongzhi's own verifier,
/// which accepts HS256 with the shared secret only.
pub async fn scope_for_credential_as(state: &AppState, value: &str, role: Option<&str>) -> Result<Scope, AppError> {
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| AppError::Unauthenticated("authorization must be `Bearer <token>` or `ApiKey <key>`".into()))?;
    let token = token.trim();
    let api_key = scheme.eq_ignore_ascii_case("apikey");
    if !api_key && !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::Unauthenticated(format!("unsupported authorization scheme `{scheme}`; use `Bearer` or `ApiKey`")));
    }
    let oidc = state.oidc.as_ref().filter(|v| !api_key && v.claims_token(token));
    let cache_key = match (api_key, oidc) {
        (true, _) => format!("apikey:{}", crate::auth::api_keys::hash_key(token)),
        (false, Some(_)) => format!("oidc:{}:{token}", role.unwrap_or_default()),
        (false, None) => token.to_owned(),
    };
    let generation = state.changes.generation();
    let cached = state.principals.get(&cache_key, generation);
    state.metrics.cache_lookup(super::metrics::Cache::Principal, cached.is_some());
    if let Some(scope) = cached {
        return Ok(scope);
    }
    let (scope, expires) = if api_key && crate::auth::reporting_keys::is_reporting_key(token) {
        let (scope, expires) = crate::auth::reporting_keys::authenticate(&state.system_db, token).await?;
        (scope, Some(u64::try_from(expires.timestamp()).unwrap_or(0)))
    } else if api_key {
        (crate::auth::api_keys::authenticate(&state.system_db, token).await?, None)
    } else if let Some(verifier) = oidc {
        let verified = verifier.verify(token).await?;
        (crate::auth::oidc::resolve(&state.system_db, verifier.settings(), &verified, role).await?, Some(verified.exp))
    } else {
        let claims = state.keys.verify(token)?;
        (Scope::resolve(&state.system_db, &claims).await?, Some(claims.exp))
    };
    state.principals.put(cache_key, scope.clone(), generation, expires);
    Ok(scope)
}
