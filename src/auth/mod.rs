//! Credentials → principal → scope.
//!
//! A request's credential is verified once ([`token`]), turned into a [`Principal`] and then
//! into a [`Scope`]: the set of communities and rights this request has. The scope is passed
//! to every service call and DataLoader; an empty scope sees nothing (fail closed). Bearer
//! tokens are gongzhi's own HS256 tokens ([`token`]) or, when configured, those of the city's
//! OpenID Connect issuer ([`oidc`]), whose people take their roles from [`grants`].

pub mod api_keys;
pub mod cache;
pub mod grants;
pub mod oidc;
pub mod reporting_keys;
pub mod scope;
pub mod token;

pub use cache::ScopeCache;
pub use scope::{Principal, PrincipalKind, Scope, drop_tenant_filters_for_tests};
pub use token::{Claims, Keys, Role};
