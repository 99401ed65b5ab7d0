//! Signed JWTs (HS256) carrying a principal's role and anchor.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// The role a token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    CityAdmin,
    StreetAdmin,
    CommunityAdmin,
    CommunityStaff,
    Unit,
    Member,
    Reporter,
}

/// What a token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: a readable description of the principal.
    pub sub: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Uuid>,
    pub iat: u64,
    pub exp: u64,
}

impl Claims {
    /// Claims for `role` valid from now for `ttl`; anchors are set by the caller.
    pub fn new(role: Role, ttl: Duration) -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Claims {
            sub: String::new(),
            role,
            city: None,
            street: None,
            community: None,
            unit: None,
            person: None,
            iat: now,
            exp: now + ttl.as_secs(),
        }
    }

    /// Checks that the anchor the role needs is present.
    pub fn validate(&self) -> Result<(), String> {
        let need = |what: &str, present: bool| if present { Ok(()) } else { Err(format!("role needs --{what}")) };
        match self.role {
            Role::CityAdmin => need("city", self.city.is_some()),
            Role::StreetAdmin | Role::Reporter => need("street", self.street.is_some()),
            Role::CommunityAdmin | Role::CommunityStaff => need("community", self.community.is_some()),
            Role::Unit => need("unit", self.unit.is_some()),
            Role::Member => need("person", self.person.is_some()),
        }
    }

    /// Fills `sub` from the anchor.
    pub fn with_subject(mut self) -> Self {
        let anchor = match self.role {
            Role::CityAdmin => self.city.clone(),
            Role::StreetAdmin | Role::Reporter => self.street.clone(),
            Role::CommunityAdmin | Role::CommunityStaff => match (&self.street, &self.community) {
                // Community codes are unique within a street only.
                (Some(street), Some(c)) => Some(format!("{street}/{c}")),
                (None, c) => c.clone(),
                (Some(_), None) => None,
            },
            Role::Unit => self.unit.clone(),
            Role::Member => self.person.map(|p| p.to_string()),
        };
        let role = serde_json::to_value(self.role).ok().and_then(|v| v.as_str().map(str::to_owned));
        self.sub = format!("{}:{}", role.unwrap_or_default(), anchor.unwrap_or_default());
        self
    }
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct Keys {
    /// `None` for an empty secret, which signs nothing and verifies nothing (jsonwebtoken refuses
    /// empty HMAC keys).
    keys: Option<(EncodingKey, DecodingKey)>,
    validation: Validation,
}

impl Keys {
    pub fn new(secret: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp"]);
        validation.leeway = 5;
        let keys = EncodingKey::from_secret(secret.as_bytes()).ok().zip(DecodingKey::from_secret(secret.as_bytes()).ok());
        Keys { keys, validation }
    }

    /// The same keys, tolerating `leeway` of clock skew on expiry and not-before times.
    pub fn with_leeway(mut self, leeway: std::time::Duration) -> Self {
        self.validation.leeway = leeway.as_secs();
        self
    }

    /// Signs the claims.
    pub fn issue(&self, claims: &Claims) -> Result<String, AppError> {
        let (encoding, _) = self.keys.as_ref().ok_or_else(|| AppError::internal("the token secret is empty"))?;
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, encoding).map_err(AppError::internal)
    }

    /// Verifies signature and expiry; any failure is `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        use jsonwebtoken::errors::ErrorKind;
        let (_, decoding) = self.keys.as_ref().ok_or_else(|| AppError::Unauthenticated("token signature is invalid".to_owned()))?;
        jsonwebtoken::decode::<Claims>(token, decoding, &self.validation).map(|data| data.claims).map_err(|e| {
            let why = match e.kind() {
                ErrorKind::ExpiredSignature => "token has expired",
                ErrorKind::InvalidSignature => "token signature is invalid",
                ErrorKind::MissingRequiredClaim(_) => "token lacks a required claim",
                _ => "token is malformed",
            };
            AppError::Unauthenticated(why.to_owned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let keys = Keys::new("s1");
        let mut claims = Claims::new(Role::CommunityAdmin, Duration::from_secs(60));
        claims.community = Some("zhuyuan".into());
        let token = keys.issue(&claims.clone().with_subject()).unwrap(); // ok: test
        assert_eq!(keys.verify(&token).unwrap().community.as_deref(), Some("zhuyuan")); // ok: test
        assert!(matches!(Keys::new("s2").verify(&token), Err(AppError::Unauthenticated(_))));
        assert!(matches!(keys.verify("garbage"), Err(AppError::Unauthenticated(_))));
        let mut old = claims;
        old.exp = 1000;
        old.iat = 900;
        let expired = keys.issue(&old).unwrap(); // ok: test
        assert_eq!(keys.verify(&expired).unwrap_err().to_string(), "token has expired");
        let empty = Keys::new("");
        assert!(matches!(empty.issue(&old), Err(AppError::Internal(_))), "an empty secret signs nothing");
        assert!(matches!(empty.verify(&token), Err(AppError::Unauthenticated(_))));
    }
}
