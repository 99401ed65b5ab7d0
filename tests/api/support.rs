//! Test support: databases per test (cloned from a migrated and seeded template), the app
//! in-process, tokens, and a counter of SQL statements.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use gongzhi::auth::{Claims, Keys, Role};
use gongzhi::http::{AppState, Limits};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::{Mutex, OnceCell};
use tower::ServiceExt;

pub const SECRET: &str = "test-secret";

/// A database engine the suite runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

impl Backend {
    /// PostgreSQL at `TEST_DATABASE_URL`, when it is set.
    pub fn postgres() -> Option<Backend> {
        std::env::var("TEST_DATABASE_URL").ok().filter(|url| !url.is_empty()).map(Backend::Postgres)
    }
}

/// SQLite always; PostgreSQL when `TEST_DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    std::iter::once(Backend::Sqlite).chain(Backend::postgres()).collect()
}

/// What a fresh database holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Content {
    /// Not even migrated.
    Bare,
    /// Migrated, no rows.
    Empty,
    /// Migrated, with the demo street's organisation graph at this scale.
    Graph(u32),
    /// Migrated, with the whole demo street (every platform's demo data) at this scale.
    Demo(u32),
}

/// A place holding a fresh database of one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile_dir::Dir>,
}

mod tempfile_dir {
    /// A temporary directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    pub fn new() -> Dir {
        let path = std::env::temp_dir().join(format!("gongzhi-test-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&path).expect("temp dir");
        Dir(path)
    }
}

fn pg_url(base: &str, db: &str) -> String {
    match base.rfind('/') {
        Some(i) if base[..i].contains("://") && i > base.find("://").unwrap_or(0) + 2 => format!("{}/{}", &base[..i], db),
        _ => format!("{base}/{db}"),
    }
}

static PG_LOCK: Mutex<()> = Mutex::const_new(());
static PG_READY: OnceCell<()> = OnceCell::const_new();
/// A template database per (backend name, content), filled once.
type Template = (String, Content, Arc<OnceCell<String>>);
static TEMPLATES: std::sync::Mutex<Vec<Template>> = std::sync::Mutex::new(Vec::new());

fn template_cell(backend: &Backend, content: Content) -> Arc<OnceCell<String>> {
    let mut all = TEMPLATES.lock().expect("templates lock");
    if let Some((_, _, cell)) = all.iter().find(|(b, c, _)| b == backend.name() && *c == content) {
        return cell.clone();
    }
    let cell = Arc::new(OnceCell::new());
    all.push((backend.name().to_owned(), content, cell.clone()));
    cell
}

async fn fill(url: &str, content: Content) {
    let db = gongzhi::db::connect(url, 2).await.expect("connect template");
    if content != Content::Bare {
        gongzhi::db::migrate(&db).await.expect("migrate template");
    }
    match content {
        Content::Graph(scale) => drop(gongzhi::demo::seed_graph(&db, scale).await.expect("seed template")),
        Content::Demo(scale) => drop(gongzhi::demo::seed(&db, scale).await.expect("seed template")),
        Content::Bare | Content::Empty => {}
    }
    if url.starts_with("sqlite") {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.expect("checkpoint");
    }
    db.close().await.expect("close template");
}

/// Whether the server's connections are subject to row-level security (PostgreSQL): on unless
/// `GONGZHI_TEST_RLS=off`.
pub fn rls_on() -> bool {
    std::env::var("GONGZHI_TEST_RLS").map_or(true, |v| v != "off")
}

/// Whether the service layer's tenant filters apply: on unless `GONGZHI_TEST_SERVICE_FILTERS=off`
/// (PostgreSQL only: row-level security alone then keeps the rows in scope).
pub fn service_filters_on() -> bool {
    std::env::var("GONGZHI_TEST_SERVICE_FILTERS").map_or(true, |v| v != "off")
}

/// The login the server connects as in tests: a member of `gongzhi_app`, owning nothing.
pub const SERVER_ROLE_NAME: &str = "gongzhi_server";
static SERVER_ROLE: OnceCell<()> = OnceCell::const_new();

/// Creates the server's login once per cluster (the migrations create `gongzhi_app` too; a
/// concurrent run may get there first).
async fn server_role(base: &str) {
    let db = admin(base).await;
    for role in ["gongzhi_app NOLOGIN", &format!("{SERVER_ROLE_NAME} LOGIN")] {
        let name = role.split(' ').next().unwrap_or_default();
        let sql = format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN CREATE ROLE {role}; END IF; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        );
        db.execute_unprepared(&sql).await.expect("create role");
    }
    db.execute_unprepared(&format!("GRANT gongzhi_app TO {SERVER_ROLE_NAME}")).await.expect("grant gongzhi_app");
    db.close().await.ok();
}

/// `url` with `user` as its user (no password: trust authentication on the test cluster).
pub fn with_user(url: &str, user: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

async fn admin(base: &str) -> DatabaseConnection {
    gongzhi::db::connect(base, 1).await.expect("connect to TEST_DATABASE_URL")
}

/// Whether a test database named with a v7 uuid was made over an hour ago (a concurrent run's
/// databases are younger and stay).
fn left_behind(name: &str) -> bool {
    let suffix = name.rsplit('_').next().unwrap_or_default();
    let Some((secs, _)) = uuid::Uuid::parse_str(suffix).ok().and_then(|u| u.get_timestamp()).map(|t| t.to_unix()) else { return true };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    now.saturating_sub(secs) > 3600
}

/// Drops the databases earlier runs of the suite left behind.
async fn pg_cleanup(base: &str) {
    let db = admin(base).await;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'gzt\\_%'".to_owned(),
        ))
        .await
        .expect("list databases");
    for row in rows {
        let name: String = row.try_get("", "datname").expect("datname");
        if !left_behind(&name) {
            continue;
        }
        let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
    }
    db.close().await.ok();
}

/// A fresh database with `content`, private to the caller.
pub async fn fresh_db(backend: &Backend, content: Content) -> TestDb {
    let cell = template_cell(backend, content);
    match backend {
        Backend::Sqlite => {
            let template = cell
                .get_or_init(|| async {
                    let dir = std::env::temp_dir().join(format!("gongzhi-template-{}", std::process::id()));
                    std::fs::create_dir_all(&dir).expect("template dir");
                    let path = dir.join(format!("{content:?}.sqlite").replace(['(', ')'], "_"));
                    let _ = std::fs::remove_file(&path);
                    fill(&format!("sqlite://{}?mode=rwc", path.display()), content).await;
                    path.display().to_string()
                })
                .await;
            let dir = tempfile_dir::new();
            let path = dir.0.join("test.sqlite");
            std::fs::copy(template, &path).expect("copy template");
            TestDb { url: format!("sqlite://{}?mode=rwc", path.display()), _dir: Some(dir) }
        }
        Backend::Postgres(base) => {
            PG_READY.get_or_init(|| pg_cleanup(base)).await;
            let template = cell
                .get_or_init(|| async {
                    let name = format!("gzt_tmpl_{}", uuid::Uuid::now_v7().simple());
                    let db = admin(base).await;
                    db.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create template");
                    db.close().await.ok();
                    fill(&pg_url(base, &name), content).await;
                    name
                })
                .await;
            let name = format!("gzt_{}", uuid::Uuid::now_v7().simple());
            let _guard = PG_LOCK.lock().await;
            let db = admin(base).await;
            db.execute_unprepared(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")).await.expect("clone template");
            db.close().await.ok();
            TestDb { url: pg_url(base, &name), _dir: None }
        }
    }
}

/// The server in-process over a fresh database.
pub struct TestApp {
    pub backend: Backend,
    pub router: Router,
    /// The same server resolving every field through async-graphql's executor (no inline
    /// objects, no response cache, no rate limit, metrics of its own): each query `post` sends is
    /// sent here too and must answer the same bytes (see `gongzhi::graphql::inline`).
    executor: Router,
    /// Statement counting in progress: the comparison would count twice, so it waits.
    counting: AtomicUsize,
    /// Off for tests whose data changes while they read (the answers may differ in between).
    pub compare_with_executor: std::sync::atomic::AtomicBool,
    /// The fixtures' connection (the database's owner).
    pub db: DatabaseConnection,
    /// The server's request pool (on PostgreSQL a login subject to row-level security).
    pub server_db: DatabaseConnection,
    pub statements: Arc<AtomicUsize>,
    /// The server's event bus, to see when a subscription is live.
    pub live: gongzhi::collaboration::live::LiveTasks,
    pub live_appeals: gongzhi::deliberation::live::LiveAppeals,
    /// Tells the server it is shutting down.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
    keys: Keys,
    pub test_db: TestDb,
}

impl TestApp {
    pub async fn new(backend: &Backend, content: Content) -> TestApp {
        Self::with_limits(backend, content, Limits::default()).await
    }

    pub async fn with_limits(backend: &Backend, content: Content, limits: Limits) -> TestApp {
        Self::with_pool(backend, content, limits, 4, gongzhi::db::DEFAULT_POOL_WAIT).await
    }

    /// The server over a pool of `size` connections whose statements wait at most `wait` for one.
    pub async fn with_pool(backend: &Backend, content: Content, limits: Limits, size: u32, wait: Duration) -> TestApp {
        Self::building(backend, content, limits, size, wait, |state| state).await
    }

    /// The server with its state changed by `change` (e.g. to accept an OpenID Connect issuer).
    pub async fn with_state(backend: &Backend, content: Content, change: impl FnOnce(AppState) -> AppState) -> TestApp {
        Self::building(backend, content, Limits::default(), 4, gongzhi::db::DEFAULT_POOL_WAIT, change).await
    }

    async fn building(
        backend: &Backend,
        content: Content,
        limits: Limits,
        size: u32,
        wait: Duration,
        change: impl FnOnce(AppState) -> AppState,
    ) -> TestApp {
        let test_db = fresh_db(backend, content).await;
        if !service_filters_on() {
            assert!(
                backend.name() == "postgres" && rls_on(),
                "GONGZHI_TEST_SERVICE_FILTERS=off needs row-level security: run `postgres` tests only"
            );
            gongzhi::auth::drop_tenant_filters_for_tests();
        }
        // The fixtures' own connection: the database's owner, which row-level security lets by.
        let db = gongzhi::db::connect_waiting(&test_db.url, 2, wait).await.expect("connect test db");
        // The server's: on PostgreSQL a login of `gongzhi_app` that owns nothing, as in
        // production (unless GONGZHI_TEST_RLS=off: then the owner's, and the service alone holds).
        let server_url = match backend {
            Backend::Postgres(base) if rls_on() => {
                SERVER_ROLE.get_or_init(|| server_role(base)).await;
                with_user(&test_db.url, SERVER_ROLE_NAME)
            }
            _ => test_db.url.clone(),
        };
        let statements = Arc::new(AtomicUsize::new(0));
        let count = |pool: &mut DatabaseConnection| {
            let counter = statements.clone();
            pool.set_metric_callback(move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
            });
        };
        let mut served = gongzhi::db::connect_waiting(&server_url, size, wait).await.expect("connect as the server");
        count(&mut served);
        let system = if backend.name() == "sqlite" {
            served.clone()
        } else {
            let mut system = gongzhi::db::connect_system(&server_url, 2).await.expect("connect the system pool");
            count(&mut system);
            system
        };
        let state = change(AppState::new(served.clone(), SECRET, limits).with_system_pool(system.clone()));
        let mut executor = state.clone();
        executor.inline_fields = false;
        executor.responses = Arc::new(gongzhi::http::responses::ResponseCache::new(Duration::ZERO));
        executor.rate = Arc::new(gongzhi::http::rate::RateLimiter::new(gongzhi::http::rate::Rate::default()));
        executor.metrics = Arc::new(gongzhi::http::metrics::Metrics::new(served.clone(), system));
        let live = state.live.clone();
        let live_appeals = state.live_appeals.clone();
        let stopping = state.stopping.clone();
        TestApp {
            backend: backend.clone(),
            router: gongzhi::app(state),
            executor: gongzhi::app(executor),
            counting: AtomicUsize::new(0),
            compare_with_executor: std::sync::atomic::AtomicBool::new(true),
            db,
            server_db: served,
            statements,
            live,
            live_appeals,
            stopping,
            keys: Keys::new(SECRET),
            test_db,
        }
    }

    /// The demo street's organisation graph at scale 1: tests start with no tasks of their own.
    pub async fn demo(backend: &Backend) -> TestApp {
        Self::new(backend, Content::Graph(1)).await
    }

    /// A token for `role` anchored at `anchor` (street, community or unit code, or person id).
    pub fn token(&self, role: Role, anchor: &str) -> String {
        let mut claims = Claims::new(role, Duration::from_secs(3600));
        match role {
            Role::CityAdmin => claims.city = Some(anchor.to_owned()),
            Role::StreetAdmin | Role::Reporter => claims.street = Some(anchor.to_owned()),
            Role::CommunityAdmin | Role::CommunityStaff => claims.community = Some(anchor.to_owned()),
            Role::Unit => claims.unit = Some(anchor.to_owned()),
            Role::Member => claims.person = Some(anchor.parse().expect("person id")),
        }
        self.keys.issue(&claims.with_subject()).expect("sign")
    }

    pub fn street_admin(&self) -> String {
        self.token(Role::StreetAdmin, "meiling-street")
    }

    /// Sends a raw request through the router.
    pub async fn send(&self, req: axum::http::Request<Body>) -> (axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let resp = self.router.clone().oneshot(req).await.expect("router is infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
        (status, headers, body)
    }

    /// POSTs a GraphQL request; returns the status and JSON body.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> (axum::http::StatusCode, Value) {
        let mut req = axum::http::Request::post("/graphql").header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = json!({ "query": query, "variables": variables }).to_string();
        let compared = self.compared(query).then(|| req_like(&req).body(Body::from(body.clone())).expect("request"));
        let (status, _, body) = self.send(req.body(Body::from(body)).expect("request")).await;
        let json: Value = serde_json::from_slice(&body).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&body)));
        if let Some(req) = compared {
            let resp = self.executor.clone().oneshot(req).await.expect("router is infallible");
            let executed_status = resp.status();
            let executed = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
            assert_eq!(
                (executed_status, without_request_ids(&executed)),
                (status, without_request_ids(&body)),
                "[{}] the executor answers otherwise than inline resolution for {query}",
                self.backend.name()
            );
        }
        (status, json)
    }

    /// Whether `post` compares the answer to `query` with the executor's: queries only (a
    /// mutation must not run twice), and not while statements are counted.
    fn compared(&self, query: &str) -> bool {
        use async_graphql::parser::types::OperationType;
        if self.counting.load(Ordering::SeqCst) > 0 || !self.compare_with_executor.load(Ordering::SeqCst) {
            return false;
        }
        async_graphql::parser::parse_query(query).is_ok_and(|doc| doc.operations.iter().all(|(_, op)| op.node.ty == OperationType::Query))
    }

    /// A GraphQL request that must succeed without errors; returns `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(token, query, variables).await;
        assert_eq!(status, 200, "[{}] {body}", self.backend.name());
        assert!(body.get("errors").is_none(), "[{}] unexpected errors: {body}", self.backend.name());
        body["data"].clone()
    }

    /// A GraphQL request that must fail; returns the first error's code.
    pub async fn error_code(&self, token: Option<&str>, query: &str, variables: Value) -> String {
        let (_, body) = self.post(token, query, variables).await;
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("[{}] expected an error: {body}", self.backend.name()))
            .to_owned()
    }

    /// Statements run by `f`.
    /// The statements a request runs besides its own work: on PostgreSQL the one that sets its
    /// row scope (see `gongzhi::db::RowScope`), none on SQLite.
    pub fn scope_statements(&self) -> usize {
        usize::from(self.backend.name() == "postgres")
    }

    pub async fn count_statements<F: std::future::Future<Output = T>, T>(&self, f: F) -> (usize, T) {
        self.counting.fetch_add(1, Ordering::SeqCst);
        let before = self.statements.load(Ordering::SeqCst);
        let out = f.await;
        let counted = self.statements.load(Ordering::SeqCst) - before;
        self.counting.fetch_sub(1, Ordering::SeqCst);
        (counted, out)
    }
}

/// The ids of a community's objects, read with a street-admin token.
pub async fn ids_of(app: &TestApp, code: &str) -> Vec<String> {
    let data = app
        .ok(
            Some(&app.street_admin()),
            r#"query($code: String!) { community(code: $code) {
                id
                jointCommittee { id memberships { id } }
                partyOrganizations { id }
                compounds(first: 100) { edges { node { id } } }
                members(first: 100) { edges { node { id } } }
            } }"#,
            json!({ "code": code }),
        )
        .await;
    let mut ids = Vec::new();
    collect_ids(&data, &mut ids);
    ids
}

/// Every `id` string anywhere in a JSON value.
pub fn collect_ids(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "id"
                    && let Some(s) = v.as_str()
                {
                    out.push(s.to_owned());
                }
                collect_ids(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

/// Decodes a global id into (type, uuid).
pub fn decode(id: &str) -> Option<(String, uuid::Uuid)> {
    gongzhi::graphql::node::parse_global_id(id)
}

/// A second street of the same city, with one community whose joint committee seats `units`.
pub struct OtherStreet {
    pub street: uuid::Uuid,
    pub community: uuid::Uuid,
    /// The community's global id.
    pub community_id: String,
}

/// Adds street `xiyuan-street` (西园街道) with community `xiyuan` to the demo city.
pub async fn other_street(app: &TestApp, units: &[&str]) -> OtherStreet {
    use entity::{co_building_unit, committee_membership, community, party_organization, region};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let now = chrono::Utc::now();
    let city = region::Entity::find().filter(region::Column::Code.eq("jinjiang")).one(&app.db).await.unwrap().expect("the demo city");
    let street = region::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        parent_id: Set(Some(city.id)),
        kind: Set(region::RegionKind::Street),
        code: Set("xiyuan-street".into()),
        name: Set("西园街道".into()),
        committee_name: Set(Some("西园街道党工委".into())),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let c = community::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        street_id: Set(street.id),
        code: Set("xiyuan".into()),
        name: Set("西园社区".into()),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let committee = party_organization::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        community_id: Set(c.id),
        kind: Set(party_organization::OrganizationKind::JointCommittee),
        name: Set("西园社区联合党委".into()),
        parent_id: Set(None),
        compound_id: Set(None),
        founded_on: Set(None),
        secretary_id: Set(None),
        version: Set(1),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    for code in units {
        let unit = co_building_unit::Entity::find().filter(co_building_unit::Column::Code.eq(*code)).one(&app.db).await.unwrap().unwrap();
        committee_membership::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            community_id: Set(c.id),
            committee_id: Set(committee.id),
            unit_id: Set(unit.id),
            role: Set(committee_membership::MembershipRole::MemberUnit),
            since: Set(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
            until: Set(None),
            version: Set(1),
            created_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    OtherStreet { street: street.id, community: c.id, community_id: gongzhi::graphql::node::global_id("Community", c.id).to_string() }
}

/// A request with the method, URI and headers of `req`, for another body.
fn req_like(req: &axum::http::request::Builder) -> axum::http::request::Builder {
    let mut like = axum::http::Request::builder().method(req.method_ref().cloned().unwrap_or_default());
    if let Some(uri) = req.uri_ref() {
        like = like.uri(uri.clone());
    }
    for (name, value) in req.headers_ref().into_iter().flatten() {
        like = like.header(name, value);
    }
    like
}

/// An answer's bytes with the request ids of internal errors left out: each request has its own.
fn without_request_ids(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut json) => {
            if let Some(errors) = json.get_mut("errors").and_then(Value::as_array_mut) {
                for err in errors {
                    if let Some(ext) = err.get_mut("extensions").and_then(Value::as_object_mut) {
                        ext.remove("requestId");
                    }
                }
            }
            json.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}
