//! The city's login for front-ends: tokens of an external OpenID Connect issuer (RS256 and
//! ES256, keys from a JWKS file or URL) beside gongzhi's own HS256 tokens, and the mapping of a
//! login to a gongzhi principal through gongzhi's own tables. The issuer's keys are generated
//! here; its JWKS URL is served by a small server on a loopback port.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use base64::Engine;
use gongzhi::auth::Role;
use gongzhi::auth::grants::{self, Anchor};
use gongzhi::auth::oidc::{JwksSource, OidcSettings, PersonClaim, Verifier};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::fixtures::Fixture;
use crate::support::{Backend, Content, TestApp};

const ISSUER: &str = "https://sso.example.gov.cn/realms/city";
const AUDIENCE: &str = "gongzhi";
const VIEWER: &str = "{ viewer { kind community { code } unit { code } person { id uuid name } communities { code } } }";

/// A signing key of the test issuer, with its public JWK.
struct TestKey {
    kid: String,
    algorithm: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
    /// The public key in PEM (RSA keys), for the algorithm-confusion attempt.
    public_pem: Option<String>,
}

impl TestKey {
    fn rsa(kid: &str) -> TestKey {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::pkcs8::EncodePublicKey;
        use rsa::traits::PublicKeyParts;
        let key = rsa::PrivateKey::new(&mut rand::rng(), 2048).unwrap();
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let jwk = json!({ "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(&key.n_bytes()), "e": b64(&key.e_bytes()) });
        let der = key.to_pkcs1_der().unwrap();
        let public_pem = key.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        TestKey {
            kid: kid.to_owned(),
            algorithm: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk,
            public_pem: Some(public_pem),
        }
    }

    fn ec(kid: &str) -> TestKey {
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref();
        assert_eq!((point.len(), point[0]), (65, 4), "an uncompressed P-256 point");
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let jwk = json!({ "kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..]) });
        TestKey {
            kid: kid.to_owned(),
            algorithm: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk,
            public_pem: None,
        }
    }

    /// A token signed with this key (its `kid` in the header) carrying `claims`.
    fn sign(&self, claims: &Value) -> String {
        self.sign_as(&self.kid, claims)
    }

    fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(self.algorithm);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// The issuer's keys, generated once for the test binary (RSA key generation takes a moment).
struct Keys {
    rsa: TestKey,
    ec: TestKey,
    /// Not in any JWKS: a forger's key.
    forger: TestKey,
    /// The key the issuer rotates to.
    rotated: TestKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        rsa: TestKey::rsa("rsa-1"),
        ec: TestKey::ec("ec-1"),
        forger: TestKey::rsa("rsa-1"),
        rotated: TestKey::rsa("rsa-2"),
    })
}

fn jwks(keys: &[&TestKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The claims of a fresh token of the issuer for the login `sub`.
fn claims(sub: &str) -> Value {
    json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now(), "exp": now() + 300, "jti": uuid::Uuid::now_v7().to_string() })
}

fn settings(source: JwksSource) -> OidcSettings {
    OidcSettings {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        jwks: source,
        leeway: Duration::from_secs(5),
        person_claim: PersonClaim::Subject("sub".into()),
        trust_roles: false,
        role_claim: "gongzhi_role".into(),
    }
}

/// A JWKS file in a fresh temporary directory (removed with the returned guard).
struct JwksFile(std::path::PathBuf);

impl JwksFile {
    fn new(doc: &Value) -> JwksFile {
        let dir = std::env::temp_dir().join(format!("gongzhi-jwks-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jwks.json");
        std::fs::write(&path, doc.to_string()).unwrap();
        JwksFile(path)
    }
}

impl Drop for JwksFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The server accepting the issuer configured by `settings`.
async fn app_with(backend: &Backend, settings: OidcSettings) -> TestApp {
    let verifier = Arc::new(Verifier::new(settings).await.unwrap());
    TestApp::with_state(backend, Content::Graph(1), move |state| state.with_oidc(verifier)).await
}

/// POSTs the viewer query with `Authorization: Bearer <token>` and, if given, `X-Gongzhi-Role`.
async fn viewer(app: &TestApp, token: &str, role: Option<&str>) -> (u16, Value) {
    let mut req =
        axum::http::Request::post("/graphql").header("content-type", "application/json").header("authorization", format!("Bearer {token}"));
    if let Some(role) = role {
        req = req.header("x-gongzhi-role", role);
    }
    let (status, _, body) = app.send(req.body(Body::from(json!({ "query": VIEWER }).to_string())).unwrap()).await;
    (status.as_u16(), serde_json::from_slice(&body).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&body))))
}

/// The viewer's kind, for a token that must be accepted.
async fn kind_of(app: &TestApp, token: &str, role: Option<&str>) -> (String, Value) {
    let (status, body) = viewer(app, token, role).await;
    assert_eq!(status, 200, "[{}] {body}", app.backend.name());
    assert!(body.get("errors").is_none(), "[{}] {body}", app.backend.name());
    (body["data"]["viewer"]["kind"].as_str().unwrap().to_owned(), body["data"]["viewer"].clone())
}

/// The message of a token that must be refused with 401 `UNAUTHENTICATED`.
async fn refused(app: &TestApp, token: &str) -> String {
    let (status, body) = viewer(app, token, None).await;
    assert_eq!(status, 401, "[{}] {body}", app.backend.name());
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
    body["errors"][0]["message"].as_str().unwrap().to_owned()
}

fn unsigned(claims: &Value) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "JWT", "kid": "rsa-1" })), b64(claims))
}

both_backends! {
    async fn issuer_tokens_are_accepted_only_when_signed_by_its_keys_for_gongzhi_and_unexpired(backend: Backend) {
        let k = keys();
        let file = JwksFile::new(&jwks(&[&k.rsa, &k.ec]));
        let app = app_with(&backend, settings(JwksSource::File(file.0.clone()))).await;
        let community = Fixture::community(&app, "竹园").await;
        let resident = Fixture::resident(&app, &community, "王阿姨").await;
        grants::link_login(&app.db, resident, Some("login-wang")).await.unwrap();

        // Valid RS256 and ES256 tokens: the resident.
        assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-wang")), None).await.0, "MEMBER");
        assert_eq!(kind_of(&app, &k.ec.sign(&claims("login-wang")), None).await.0, "MEMBER");

        // A forger's key under the issuer's kid.
        assert_eq!(refused(&app, &k.forger.sign(&claims("login-wang"))).await, "token signature is invalid");
        // Another issuer, another audience.
        let mut other = claims("login-wang");
        other["iss"] = json!("https://sso.example.org/realms/elsewhere");
        assert_eq!(refused(&app, &k.rsa.sign(&other)).await, "token is not from the configured login issuer");
        let mut other = claims("login-wang");
        other["aud"] = json!("another-client");
        assert_eq!(refused(&app, &k.rsa.sign(&other)).await, "token is not meant for gongzhi (wrong audience)");
        // Expired beyond the 5 s leeway; expired within it.
        let mut old = claims("login-wang");
        old["exp"] = json!(now() - 60);
        assert_eq!(refused(&app, &k.rsa.sign(&old)).await, "token has expired");
        let mut just = claims("login-wang");
        just["exp"] = json!(now() - 2);
        assert_eq!(kind_of(&app, &k.ec.sign(&just), None).await.0, "MEMBER", "within the leeway");
        // No expiry at all.
        let mut endless = claims("login-wang");
        endless.as_object_mut().unwrap().remove("exp");
        assert_eq!(refused(&app, &k.rsa.sign(&endless)).await, "token lacks the `exp` claim");
        // A kid the JWKS does not hold (the file is read again, in vain).
        assert!(refused(&app, &k.rsa.sign_as("rsa-unknown", &claims("login-wang"))).await.contains("not one of the login issuer's keys"));
        // Unsigned.
        assert_eq!(refused(&app, &unsigned(&claims("login-wang"))).await, "unsigned tokens (`alg: none`) are refused");
        // HS256 with the issuer's public key as the HMAC secret (algorithm confusion): refused
        // by the issuer's verifier (it names the issuer) and by gongzhi's (wrong secret).
        let pem = k.rsa.public_pem.as_deref().unwrap();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("rsa-1".into());
        let confused = jsonwebtoken::encode(&header, &claims("login-wang"), &EncodingKey::from_secret(pem.as_bytes()).unwrap()).unwrap();
        assert_eq!(refused(&app, &confused).await, "tokens of the login issuer must be signed with RS256 or ES256, not HS256");
        let mut unnamed = claims("login-wang");
        unnamed.as_object_mut().unwrap().remove("iss");
        let confused = jsonwebtoken::encode(&header, &unnamed, &EncodingKey::from_secret(pem.as_bytes()).unwrap()).unwrap();
        assert_eq!(refused(&app, &confused).await, "token signature is invalid");
        // A valid token of a login no one is linked to.
        assert!(refused(&app, &k.rsa.sign(&claims("login-nobody"))).await.contains("not known to gongzhi"));
        // gongzhi's own HS256 tokens still work beside the issuer's.
        let own = app.token(Role::CommunityStaff, &community.code);
        assert_eq!(kind_of(&app, &own, None).await.0, "COMMUNITY_STAFF");
    }
}

/// A JWKS served on a loopback port, counting its fetches.
struct JwksServer {
    url: String,
    doc: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

impl JwksServer {
    async fn start(doc: Value) -> JwksServer {
        let doc = Arc::new(Mutex::new(doc));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (served, counted) = (doc.clone(), fetches.clone());
        let router = axum::Router::new().route(
            "/realms/city/protocol/openid-connect/certs",
            axum::routing::get(move || {
                let (served, counted) = (served.clone(), counted.clone());
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let doc = served.lock().unwrap().clone();
                    axum::Json(doc)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        JwksServer { url: format!("http://{addr}/realms/city/protocol/openid-connect/certs"), doc, fetches }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

// HTTP-level: SQLite only, as the suite's other HTTP tests.
#[tokio::test]
async fn a_jwks_url_is_cached_and_fetched_again_once_for_a_rotated_key_however_many_unknown_kids_arrive() {
    let k = keys();
    let server = JwksServer::start(jwks(&[&k.rsa])).await;
    let app = app_with(&Backend::Sqlite, settings(JwksSource::parse(&server.url).unwrap())).await;
    assert_eq!(server.fetches(), 1, "fetched at start-up");
    let community = Fixture::community(&app, "竹园").await;
    let resident = Fixture::resident(&app, &community, "王阿姨").await;
    grants::link_login(&app.db, resident, Some("login-wang")).await.unwrap();
    for _ in 0..3 {
        assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-wang")), None).await.0, "MEMBER");
    }
    assert_eq!(server.fetches(), 1, "the keys are cached");

    // The issuer rotates to a new key; many requests with it arrive at once: one fetch serves them.
    *server.doc.lock().unwrap() = jwks(&[&k.rsa, &k.rotated]);
    let rotated: Vec<_> = (0..8).map(|_| k.rotated.sign(&claims("login-wang"))).collect();
    let answers = futures_util::future::join_all(rotated.iter().map(|t| viewer(&app, t, None))).await;
    for (status, body) in &answers {
        assert_eq!((*status, body["data"]["viewer"]["kind"].as_str()), (200, Some("MEMBER")), "{body}");
    }
    assert_eq!(server.fetches(), 2, "one fetch for the rotated key, shared by the concurrent requests");

    // A flood of junk kids: all refused, and the issuer is not fetched again within the interval.
    let junk: Vec<_> = (0..20).map(|i| k.rsa.sign_as(&format!("junk-{i}"), &claims("login-wang"))).collect();
    let answers = futures_util::future::join_all(junk.iter().map(|t| viewer(&app, t, None))).await;
    for (status, body) in &answers {
        assert_eq!(*status, 401, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
    assert_eq!(server.fetches(), 2, "unknown kids fetch the JWKS at most once per interval");
    // The keys in use still work.
    assert_eq!(kind_of(&app, &k.rotated.sign(&claims("login-wang")), None).await.0, "MEMBER");
    assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-wang")), None).await.0, "MEMBER");
}

both_backends! {
    async fn logins_are_residents_staff_or_partner_staff_by_gongzhis_own_grants(backend: Backend) {
        let k = keys();
        let file = JwksFile::new(&jwks(&[&k.rsa, &k.ec]));
        let app = app_with(&backend, settings(JwksSource::File(file.0.clone()))).await;
        let community = Fixture::community(&app, "竹园").await;
        let other = Fixture::community(&app, "松园").await;
        let unit = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &other).await;

        // A resident: no grant, a member seeing their own data.
        let resident = Fixture::resident(&app, &community, "王阿姨").await;
        grants::link_login(&app.db, resident, Some("login-wang")).await.unwrap();
        // A token claiming a role is not believed: roles come from gongzhi's tables.
        let mut claiming = claims("login-wang");
        claiming["gongzhi_role"] = json!({ "role": "street-admin", "street": "meiling-street" });
        let (kind, v) = kind_of(&app, &k.rsa.sign(&claiming), None).await;
        assert_eq!(kind, "MEMBER");
        assert_eq!(v["person"]["uuid"], resident.to_string());
        assert_eq!(v["person"]["name"], "王阿姨", "their own data in full");
        assert_eq!(v["communities"], json!([{ "code": community.code }]));

        // A community worker: a community-staff grant.
        let worker = Fixture::resident(&app, &community, "李社工").await;
        grants::link_login(&app.db, worker, Some("login-li")).await.unwrap();
        let anchor = Anchor { community: Some(community.code.clone()), ..Anchor::default() };
        grants::grant(&app.db, worker, Role::CommunityStaff, &anchor, "test").await.unwrap();
        let (kind, v) = kind_of(&app, &k.ec.sign(&claims("login-li")), None).await;
        assert_eq!(kind, "COMMUNITY_STAFF");
        assert_eq!(v["community"]["code"], community.code.as_str());
        assert_eq!(v["communities"], json!([{ "code": community.code }]));

        // A partner department's staff: a unit grant, the unit's scope.
        let inspector = Fixture::resident(&app, &other, "张科长").await;
        grants::link_login(&app.db, inspector, Some("login-zhang")).await.unwrap();
        let anchor = Anchor { unit: Some(unit.code.clone()), ..Anchor::default() };
        let unit_grant = grants::grant(&app.db, inspector, Role::Unit, &anchor, "test").await.unwrap();
        let (kind, v) = kind_of(&app, &k.rsa.sign(&claims("login-zhang")), None).await;
        assert_eq!(kind, "UNIT");
        assert_eq!(v["unit"]["code"], unit.code.as_str());
        assert_eq!(v["communities"], json!([{ "code": other.code }]), "the communities whose committee the unit sits on");

        // Several grants: the broadest, unless X-Gongzhi-Role chooses.
        let anchor = Anchor { community: Some(other.code.clone()), ..Anchor::default() };
        grants::grant(&app.db, inspector, Role::CommunityAdmin, &anchor, "test").await.unwrap();
        assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-zhang")), None).await.0, "COMMUNITY_ADMIN");
        assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-zhang")), Some("unit")).await.0, "UNIT");
        assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-zhang")), Some(&unit_grant.id.to_string())).await.0, "UNIT");
        assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-zhang")), Some("member")).await.0, "MEMBER");
        let (status, body) = viewer(&app, &k.rsa.sign(&claims("login-zhang")), Some("street-admin")).await;
        assert_eq!(status, 401, "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("holds no grant `street-admin`"), "{body}");

        // A revoked grant is gone on the next login.
        grants::revoke(&app.db, unit_grant.id).await.unwrap();
        let (status, _) = viewer(&app, &k.rsa.sign(&claims("login-zhang")), Some("unit")).await;
        assert_eq!(status, 401);
    }
}

both_backends! {
    async fn operators_may_match_people_by_phone_and_trust_the_issuers_roles(backend: Backend) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let k = keys();
        let file = JwksFile::new(&jwks(&[&k.rsa]));
        let mut by_phone = settings(JwksSource::File(file.0.clone()));
        by_phone.person_claim = PersonClaim::Phone;
        by_phone.trust_roles = true;
        let app = app_with(&backend, by_phone).await;
        let community = Fixture::community(&app, "竹园").await;
        let resident = Fixture::resident(&app, &community, "王阿姨").await;
        entity::person::Entity::update_many()
            .col_expr(entity::person::Column::Phone, sea_orm::sea_query::Expr::value("13800001111"))
            .filter(entity::person::Column::Id.eq(resident))
            .exec(&app.db)
            .await
            .unwrap();

        let phoned = |number: &str, verified: bool| {
            let mut c = claims("some-subject");
            c["phone_number"] = json!(number);
            c["phone_number_verified"] = json!(verified);
            c
        };
        let (kind, v) = kind_of(&app, &k.rsa.sign(&phoned("+86 138 0000 1111", true)), None).await;
        assert_eq!((kind.as_str(), &v["person"]["name"]), ("MEMBER", &json!("王阿姨")));
        assert_eq!(refused(&app, &k.rsa.sign(&phoned("+86 138 0000 1111", false))).await, "the login's phone number is not verified");
        assert!(refused(&app, &k.rsa.sign(&phoned("13900000000", true))).await.contains("not known to gongzhi"));

        // Trusted roles: the token's role claim, read as gongzhi's own tokens' claims.
        let mut staff = phoned("13800001111", true);
        staff["gongzhi_role"] = json!({ "role": "community-staff", "street": community.street_code, "community": community.code });
        let (kind, v) = kind_of(&app, &k.rsa.sign(&staff), None).await;
        assert_eq!((kind.as_str(), &v["community"]["code"]), ("COMMUNITY_STAFF", &json!(community.code)));
        let mut broken = phoned("13800001111", true);
        broken["gongzhi_role"] = json!({ "role": "community-staff" });
        assert!(refused(&app, &k.rsa.sign(&broken)).await.contains("`gongzhi_role` claim"));
    }
}

/// Runs the real binary with `args` against the app's database; its stdout.
fn gongzhi(app: &TestApp, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongzhi"))
        .args(args)
        .args(["--database-url", &app.test_db.url])
        .env("GONGZHI_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "gongzhi {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

both_backends! {
    async fn the_command_line_links_logins_and_grants_and_revokes_roles(backend: Backend) {
        let k = keys();
        let file = JwksFile::new(&jwks(&[&k.rsa]));
        let app = app_with(&backend, settings(JwksSource::File(file.0.clone()))).await;
        let community = Fixture::community(&app, "竹园").await;
        let worker = Fixture::resident(&app, &community, "李社工").await.to_string();
        gongzhi(&app, &["login", "link", "--person", &worker, "--subject", "login-li"]);
        assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-li")), None).await.0, "MEMBER", "no grant yet");
        let grant = gongzhi(&app, &["role", "grant", "--person", &worker, "--role", "community-staff", "--community", &community.code]);
        let grant = grant.trim();
        let list = gongzhi(&app, &["role", "list", "--person", &worker]);
        assert!(list.lines().any(|l| l.starts_with(grant) && l.contains("community-staff")), "{list}");
        let (kind, v) = kind_of(&app, &k.rsa.sign(&claims("login-li")), None).await;
        assert_eq!((kind.as_str(), &v["community"]["code"]), ("COMMUNITY_STAFF", &json!(community.code)));
        gongzhi(&app, &["role", "revoke", "--id", grant]);
        assert_eq!(kind_of(&app, &k.rsa.sign(&claims("login-li")), None).await.0, "MEMBER", "revoked");
        gongzhi(&app, &["login", "unlink", "--person", &worker]);
        assert!(refused(&app, &k.rsa.sign(&claims("login-li"))).await.contains("not known to gongzhi"));

        // Each change is one audit record in the community's street, by the command line.
        use entity::{audit_log, community, region};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let street = community::Entity::find_by_id(community.uuid).one(&app.db).await.unwrap().unwrap().street_id;
        let log = audit_log::Entity::find()
            .filter(audit_log::Column::Action.is_in(["linkLogin", "grantRole", "revokeRole", "unlinkLogin"]))
            .order_by_asc(audit_log::Column::Id)
            .all(&app.db)
            .await
            .unwrap();
        let seen: Vec<(&str, &str, &str)> = log.iter().map(|r| (r.action.as_str(), r.principal.as_str(), r.principal_kind.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("linkLogin", "cli:login", "SYSTEM"),
                ("grantRole", "cli:role", "SYSTEM"),
                ("revokeRole", "cli:role", "SYSTEM"),
                ("unlinkLogin", "cli:login", "SYSTEM")
            ]
        );
        assert!(log.iter().all(|r| r.street_id == street), "recorded in the community's street");
        assert_eq!(log[1].object_id.map(|g| g.to_string()).as_deref(), Some(grant));
        assert_eq!(log[1].community_id, Some(community.uuid));
        assert!(log.iter().all(|r| !r.summary.contains("login-li")), "the login's name stays out of the log");

        // A city's grant is recorded in every street of the city; a change concerning no street is refused.
        let city = region::Entity::find().filter(region::Column::Kind.eq(region::RegionKind::City)).one(&app.db).await.unwrap().unwrap();
        let streets = region::Entity::find().filter(region::Column::ParentId.eq(city.id)).all(&app.db).await.unwrap();
        let cx = gongzhi::accounts::cli(app.db.clone(), "cli:role");
        let anchor = Anchor { city: Some(city.code.clone()), ..Anchor::default() };
        let city_grant = gongzhi::accounts::grant_role(&cx, community_person(&worker), Role::CityAdmin, &anchor).await.unwrap();
        let recorded = audit_log::Entity::find().filter(audit_log::Column::ObjectId.eq(city_grant.id)).all(&app.db).await.unwrap();
        let mut recorded: Vec<_> = recorded.iter().map(|r| r.street_id).collect();
        let mut expected: Vec<_> = streets.iter().map(|s| s.id).collect();
        recorded.sort();
        expected.sort();
        assert!(!expected.is_empty());
        assert_eq!(recorded, expected, "one record in each street of the city");
        let nowhere = Fixture::unit(&app, "未入委单位").await;
        let anchor = Anchor { unit: Some(nowhere.code.clone()), ..Anchor::default() };
        let e = gongzhi::accounts::grant_role(&cx, community_person(&worker), Role::Unit, &anchor).await.unwrap_err();
        assert_eq!(e.code(), "BAD_USER_INPUT", "{e}");
        assert!(e.to_string().contains("no street"), "{e}");
        let none: u64 = entity::role_grant::Entity::find()
            .filter(entity::role_grant::Column::Role.eq(entity::role_grant::GrantRole::Unit))
            .all(&app.db)
            .await
            .unwrap()
            .len() as u64;
        assert_eq!(none, 0, "the refused grant left nothing behind");
    }
}

fn community_person(id: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(id).unwrap()
}
