//! Tokens of the city's OpenID Connect issuer (the login of front-ends), beside gongzhi's own
//! HS256 tokens.
//!
//! The [`Verifier`] accepts RS256 and ES256 only, with a key of the issuer's JWKS (a file, or a
//! URL fetched over HTTPS), and checks the issuer, the audience and the expiry (`exp` is
//! required) with a small clock leeway. The keys are cached; a token naming an unknown `kid`
//! makes the verifier fetch the JWKS again, at most once per [`REFRESH_INTERVAL`] whatever the
//! number of such tokens, and concurrent requests share that one fetch.
//!
//! A verified token is then mapped to a gongzhi principal by [`resolve`]: the person is found by
//! the operator's claim (`sub`, `phone_number` or another claim), and the person's role comes
//! from gongzhi's own grants ([`super::grants`]), not from the token, unless the operator trusts
//! the issuer's roles.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use sea_orm::ConnectionTrait;
use serde_json::{Map, Value};

use super::Scope;
use crate::error::{AppError, AppResult};

/// The shortest time between two fetches of the JWKS caused by unknown `kid`s.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// How long fetched keys are used before the JWKS is fetched again on the next token (so that
/// a key the issuer withdrew stops being accepted).
pub const KEYS_MAX_AGE: Duration = Duration::from_secs(3600);
/// The largest clock leeway an operator may configure, in seconds.
pub const MAX_LEEWAY_SECS: u64 = 60;
/// The largest JWKS document read.
const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// How long fetching the JWKS may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the issuer's keys are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS file, read with no network.
    File(PathBuf),
    /// A JWKS URL: `https://…`, or `http://` on a loopback address only.
    Url(String),
}

impl JwksSource {
    /// Reads `GONGZHI_OIDC_JWKS`: a URL (`https://…`; `http://` only for localhost or a loopback
    /// address) or a file path.
    pub fn parse(value: &str) -> Result<JwksSource, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("GONGZHI_OIDC_JWKS is empty".into());
        }
        if value.starts_with("https://") {
            return Ok(JwksSource::Url(value.to_owned()));
        }
        if let Some(rest) = value.strip_prefix("http://") {
            let authority = rest.split('/').next().unwrap_or_default();
            let host = match authority.rsplit_once(':') {
                Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
                _ => authority,
            };
            let loopback =
                host == "localhost" || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            return if loopback {
                Ok(JwksSource::Url(value.to_owned()))
            } else {
                Err(format!("GONGZHI_OIDC_JWKS `{value}` must be an https URL (plain http only on a loopback address) or a file"))
            };
        }
        if value.contains("://") {
            return Err(format!("GONGZHI_OIDC_JWKS `{value}` must be an https URL or a file"));
        }
        Ok(JwksSource::File(PathBuf::from(value)))
    }
}

/// Which claim names the person, and how it is matched to gongzhi's people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonClaim {
    /// `phone_number`, matched against `person.phone` (`+86` numbers also in their national
    /// form); refused when the token says `phone_number_verified: false`.
    Phone,
    /// Any other claim (`sub` by default), matched against `person.oidc_subject`.
    Subject(String),
}

impl PersonClaim {
    /// Reads `GONGZHI_OIDC_PERSON_CLAIM`: `sub`, `phone_number` or another claim's name.
    pub fn parse(value: &str) -> Result<PersonClaim, String> {
        match value.trim() {
            "" => Err("GONGZHI_OIDC_PERSON_CLAIM is empty".into()),
            "phone_number" => Ok(PersonClaim::Phone),
            other => Ok(PersonClaim::Subject(other.to_owned())),
        }
    }

    /// The claim's name.
    pub fn name(&self) -> &str {
        match self {
            PersonClaim::Phone => "phone_number",
            PersonClaim::Subject(name) => name,
        }
    }
}

/// The operator's configuration of the external issuer.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer (`iss`) tokens must carry, e.g. a Keycloak realm's URL.
    pub issuer: String,
    /// The audience (`aud`) tokens must carry: gongzhi's client id at the issuer.
    pub audience: String,
    /// Where the issuer's signing keys are.
    pub jwks: JwksSource,
    /// Clock skew tolerated on `exp` and `nbf`, at most [`MAX_LEEWAY_SECS`].
    pub leeway: Duration,
    /// How a token names its person.
    pub person_claim: PersonClaim,
    /// Whether a token's role claim is believed (`GONGZHI_OIDC_TRUST_ROLES`); otherwise roles come
    /// from gongzhi's grants only.
    pub trust_roles: bool,
    /// The claim holding the role when roles are trusted: an object shaped like gongzhi's own
    /// token claims, e.g. `{"role": "community-staff", "street": "meiling-street", "community": "zhuyuan"}`.
    pub role_claim: String,
}

/// One signing key of the issuer.
#[derive(Clone)]
struct IssuerKey {
    algorithm: Algorithm,
    key: DecodingKey,
}

/// The keys in use and when they were fetched.
struct KeySet {
    keys: HashMap<String, IssuerKey>,
    loaded: Option<Instant>,
}

/// What a verified token of the issuer says.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// Every claim of the token.
    pub claims: Map<String, Value>,
    /// When the token expires (seconds since the epoch).
    pub exp: u64,
}

/// Verifies the issuer's tokens with its cached JWKS.
pub struct Verifier {
    settings: OidcSettings,
    keys: std::sync::RwLock<Arc<KeySet>>,
    /// Held while the JWKS is being fetched; holds when the last fetch on demand started.
    refreshing: tokio::sync::Mutex<Option<Instant>>,
    /// Counts completed loads, so that a request that waited for another's fetch uses its result.
    loads: AtomicU64,
    client: reqwest::Client,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier with its keys loaded: a JWKS file must be readable and hold at least one
    /// RS256 or ES256 key; a JWKS URL that cannot be fetched now is fetched again on the first
    /// token (with a warning).
    pub async fn new(settings: OidcSettings) -> Result<Verifier, String> {
        if settings.issuer.trim().is_empty() || settings.audience.trim().is_empty() {
            return Err("GONGZHI_OIDC_ISSUER and GONGZHI_OIDC_AUDIENCE must both be set".into());
        }
        if settings.leeway.as_secs() > MAX_LEEWAY_SECS {
            return Err(format!("GONGZHI_OIDC_LEEWAY may be at most {MAX_LEEWAY_SECS} seconds"));
        }
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the JWKS client: {e}"))?;
        let verifier = Verifier {
            settings,
            keys: std::sync::RwLock::new(Arc::new(KeySet { keys: HashMap::new(), loaded: None })),
            refreshing: tokio::sync::Mutex::new(None),
            loads: AtomicU64::new(0),
            client,
        };
        match verifier.load().await {
            Ok(keys) => verifier.store(keys),
            Err(why) if matches!(verifier.settings.jwks, JwksSource::File(_)) => return Err(why),
            Err(why) => {
                tracing::warn!("the OpenID Connect JWKS could not be fetched at start-up ({why}); it is fetched again on the first token")
            }
        }
        Ok(verifier)
    }

    /// The operator's configuration.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// Whether a Bearer token is meant for this verifier: its `iss` is the configured issuer, or
    /// its algorithm is RS256 or ES256 (which gongzhi's own tokens never use). Read without
    /// verifying anything; [`Verifier::verify`] then accepts only what it must.
    pub fn claims_token(&self, token: &str) -> bool {
        let Some((header, payload)) = unverified_parts(token) else { return false };
        let alg = header.get("alg").and_then(Value::as_str);
        matches!(alg, Some("RS256" | "ES256")) || payload.get("iss").and_then(Value::as_str) == Some(self.settings.issuer.as_str())
    }

    /// Verifies a token of the issuer: RS256 or ES256 with a key of the JWKS (fetched again once
    /// for an unknown `kid`), the issuer, the audience and the expiry. Every failure is
    /// `UNAUTHENTICATED` with the reason.
    pub async fn verify(&self, token: &str) -> AppResult<VerifiedToken> {
        let refuse = |why: &str| AppError::Unauthenticated(why.to_owned());
        let (header, _) = unverified_parts(token).ok_or_else(|| refuse("token is malformed"))?;
        let algorithm = match header.get("alg").and_then(Value::as_str) {
            Some("RS256") => Algorithm::RS256,
            Some("ES256") => Algorithm::ES256,
            Some(alg) if alg.eq_ignore_ascii_case("none") => return Err(refuse("unsigned tokens (`alg: none`) are refused")),
            Some(alg) => {
                return Err(AppError::Unauthenticated(format!("tokens of the login issuer must be signed with RS256 or ES256, not {alg}")));
            }
            None => return Err(refuse("token is malformed")),
        };
        let kid = header.get("kid").and_then(Value::as_str).ok_or_else(|| refuse("token names no signing key (`kid`)"))?;
        let key = self.key(kid).await?;
        if key.algorithm != algorithm {
            return Err(refuse("token's algorithm does not match its signing key"));
        }
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&[self.settings.issuer.as_str()]);
        validation.set_audience(&[self.settings.audience.as_str()]);
        validation.leeway = self.settings.leeway.as_secs().min(MAX_LEEWAY_SECS);
        validation.validate_nbf = true;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            let why = match e.kind() {
                ErrorKind::ExpiredSignature => "token has expired".to_owned(),
                ErrorKind::ImmatureSignature => "token is not valid yet".to_owned(),
                ErrorKind::InvalidSignature => "token signature is invalid".to_owned(),
                ErrorKind::InvalidIssuer => "token is not from the configured login issuer".to_owned(),
                ErrorKind::InvalidAudience => "token is not meant for gongzhi (wrong audience)".to_owned(),
                ErrorKind::MissingRequiredClaim(claim) => format!("token lacks the `{claim}` claim"),
                ErrorKind::InvalidAlgorithm => "token's algorithm is not accepted".to_owned(),
                _ => "token is malformed".to_owned(),
            };
            AppError::Unauthenticated(why)
        })?;
        let exp = data.claims.get("exp").and_then(Value::as_u64).ok_or_else(|| refuse("token lacks the `exp` claim"))?;
        Ok(VerifiedToken { claims: data.claims, exp })
    }

    /// The key `kid`, fetching the JWKS again when it is unknown (or the keys are old), at most
    /// once per [`REFRESH_INTERVAL`]; concurrent callers wait for the same fetch.
    async fn key(&self, kid: &str) -> AppResult<IssuerKey> {
        let current = self.current();
        let fresh = current.loaded.is_some_and(|at| at.elapsed() < KEYS_MAX_AGE);
        let known = current.keys.get(kid).cloned();
        if let Some(key) = known.clone().filter(|_| fresh) {
            return Ok(key);
        }
        let loads_before = self.loads.load(Ordering::SeqCst);
        let unknown = || AppError::Unauthenticated("token's signing key (`kid`) is not one of the login issuer's keys".into());
        {
            // A known key past its age does not wait for a fetch already under way.
            let mut last = match (&known, self.refreshing.try_lock()) {
                (_, Ok(last)) => last,
                (Some(key), Err(_)) => return Ok(key.clone()),
                (None, Err(_)) => self.refreshing.lock().await,
            };
            let someone_else_loaded = self.loads.load(Ordering::SeqCst) != loads_before;
            let throttled = last.is_some_and(|at| at.elapsed() < REFRESH_INTERVAL);
            if !someone_else_loaded && !throttled {
                *last = Some(Instant::now());
                match self.load().await {
                    Ok(keys) => self.store(keys),
                    Err(why) => tracing::warn!("the OpenID Connect JWKS could not be fetched: {why}"),
                }
            }
        }
        // Keys past their age are still used when the issuer cannot be reached.
        self.current().keys.get(kid).cloned().ok_or_else(unknown)
    }

    fn current(&self) -> Arc<KeySet> {
        match self.keys.read() {
            Ok(keys) => keys.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn store(&self, keys: HashMap<String, IssuerKey>) {
        let set = Arc::new(KeySet { keys, loaded: Some(Instant::now()) });
        match self.keys.write() {
            Ok(mut current) => *current = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
        self.loads.fetch_add(1, Ordering::SeqCst);
    }

    /// Reads the JWKS from its file or URL.
    async fn load(&self) -> Result<HashMap<String, IssuerKey>, String> {
        let bytes = match &self.settings.jwks {
            JwksSource::File(path) => {
                tokio::fs::read(path).await.map_err(|e| format!("cannot read the JWKS file {}: {e}", path.display()))?
            }
            JwksSource::Url(url) => {
                let response = self.client.get(url).send().await.map_err(|e| format!("cannot fetch {url}: {e}"))?;
                if !response.status().is_success() {
                    return Err(format!("{url} answered {}", response.status()));
                }
                if response.content_length().is_some_and(|n| n > MAX_JWKS_BYTES as u64) {
                    return Err(format!("{url} sent a JWKS larger than {MAX_JWKS_BYTES} bytes"));
                }
                let bytes = response.bytes().await.map_err(|e| format!("cannot read {url}: {e}"))?;
                bytes.to_vec()
            }
        };
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(format!("the JWKS is larger than {MAX_JWKS_BYTES} bytes"));
        }
        parse_jwks(&bytes)
    }
}

/// The RS256 and ES256 signing keys of a JWKS document, by `kid`; other keys (encryption keys,
/// other algorithms, keys without a `kid`) are left out.
fn parse_jwks(bytes: &[u8]) -> Result<HashMap<String, IssuerKey>, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("the JWKS is not JSON: {e}"))?;
    let listed = doc.get("keys").and_then(Value::as_array).ok_or("the JWKS has no `keys` list")?;
    let mut keys = HashMap::new();
    for value in listed {
        let Ok(jwk) = serde_json::from_value::<Jwk>(value.clone()) else { continue };
        let Some(kid) = jwk.common.key_id.clone() else { continue };
        if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
            continue;
        }
        let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
            (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
            (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256)) if ec.curve == EllipticCurve::P256 => {
                Algorithm::ES256
            }
            _ => continue,
        };
        let Ok(key) = DecodingKey::from_jwk(&jwk) else { continue };
        keys.insert(kid, IssuerKey { algorithm, key });
    }
    if keys.is_empty() {
        return Err("the JWKS holds no RS256 or ES256 signing key with a `kid`".into());
    }
    Ok(keys)
}

/// A token's header and payload as JSON objects, unverified (for routing and the `kid`).
fn unverified_parts(token: &str) -> Option<(Map<String, Value>, Map<String, Value>)> {
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |part: &str| -> Option<Map<String, Value>> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
        match serde_json::from_slice(&bytes).ok()? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    };
    Some((decode(header)?, decode(payload)?))
}

/// The scope of a verified token of the issuer: the person its claim names (unknown logins are
/// `UNAUTHENTICATED`) with the role of their grants (see [`super::grants`]; `choice` is
/// the `X-Gongzhi-Role` header), or the token's role claim when the operator trusts it.
pub async fn resolve(db: &impl ConnectionTrait, settings: &OidcSettings, token: &VerifiedToken, choice: Option<&str>) -> AppResult<Scope> {
    let person = super::grants::person_of_login(db, &settings.person_claim, &token.claims).await?;
    let trusted = settings.trust_roles.then(|| token.claims.get(&settings.role_claim)).flatten();
    let claims = match trusted {
        Some(value) => super::grants::claims_of_trusted_role(value, person, &settings.role_claim)?,
        None => super::grants::claims_of_grants(db, person, choice).await?,
    };
    let label = format!("oidc:{person}:{}", claims.sub);
    Ok(Scope::resolve(db, &claims).await?.labelled(&label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_sources_are_https_loopback_http_or_files() {
        assert_eq!(JwksSource::parse("https://sso.example/certs"), Ok(JwksSource::Url("https://sso.example/certs".into())));
        assert!(matches!(JwksSource::parse("http://127.0.0.1:8080/certs"), Ok(JwksSource::Url(_))));
        assert!(matches!(JwksSource::parse("http://localhost/certs"), Ok(JwksSource::Url(_))));
        assert!(JwksSource::parse("http://sso.example/certs").is_err());
        assert!(JwksSource::parse("ftp://sso.example/certs").is_err());
        assert_eq!(JwksSource::parse("/etc/gongzhi/jwks.json"), Ok(JwksSource::File("/etc/gongzhi/jwks.json".into())));
        assert_eq!(PersonClaim::parse("phone_number"), Ok(PersonClaim::Phone));
        assert_eq!(PersonClaim::parse("sub"), Ok(PersonClaim::Subject("sub".into())));
    }

    #[test]
    fn a_jwks_keeps_only_signing_keys_with_ids() {
        let doc = serde_json::json!({"keys": [
            {"kty": "oct", "kid": "h", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "r", "alg": "RS256", "n": "AQAB", "e": "AQAB"},
        ]});
        let keys = parse_jwks(doc.to_string().as_bytes()).unwrap(); // ok: test
        assert_eq!(keys.keys().collect::<Vec<_>>(), ["r"]);
        assert!(parse_jwks(br#"{"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]}"#).is_err());
    }
}
