//! The command line as the README promises it, run as the real binary: on a fresh machine
//! `cargo run` (or `gongzhi serve`) creates `gongzhi.sqlite` in the working directory, seeds the
//! demo street and prints ready-made tokens; `migrate`, `seed demo`, `export-schema` and `token`
//! do what they say. SQLite only: none of this needs a database server.
//!
//! What the README promises is the demo street (`--community zhuyuan`, the printed tokens), so
//! these tests name the demo's rows; other modules build their own fixtures.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine;
use gongzhi::auth::{Keys, Role};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::support::{Backend, SECRET, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_gongzhi");
/// How long the server may take to migrate, seed and print its tokens.
const START_TIMEOUT: Duration = Duration::from_secs(25);

/// A fresh working directory, removed on drop.
pub(crate) struct WorkDir(PathBuf);

impl WorkDir {
    pub(crate) fn new() -> WorkDir {
        let path = std::env::temp_dir().join(format!("gongzhi-cli-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&path).expect("create the working directory");
        WorkDir(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// The names of the files in it, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read the working directory")
            .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary, run in `dir` with none of the caller's database or `GONGZHI_*` settings, killed
/// when dropped (so also when a test panics).
fn gongzhi(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir).env_remove("DATABASE_URL").stdin(Stdio::null()).kill_on_drop(true);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GONGZHI_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("GONGZHI_LOG", "warn");
    cmd
}

/// Runs a command to completion; returns success, stdout and stderr.
async fn run(mut cmd: Command) -> (bool, String, String) {
    let out =
        tokio::time::timeout(Duration::from_secs(25), cmd.output()).await.expect("the command finished in time").expect("run gongzhi");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A running `gongzhi serve`, after it printed its address and demo tokens.
pub(crate) struct Server {
    child: Child,
    /// Kept open so that the server never writes to a closed pipe.
    _stdout: Lines<BufReader<ChildStdout>>,
    pub(crate) addr: String,
    /// (label, token) as printed.
    tokens: Vec<(String, String)>,
    log: PathBuf,
}

impl Server {
    /// Starts the binary in `dir` with `args` (and `GONGZHI_LOG=info` into `dir/<name>.log`).
    pub(crate) async fn start(dir: &Path, name: &str, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let log = dir.join(format!("{name}.log"));
        let mut cmd = gongzhi(dir);
        cmd.args(args).envs(envs.iter().copied()).env("GONGZHI_LOG", "info");
        cmd.stdout(Stdio::piped()).stderr(std::fs::File::create(&log).expect("create the log file"));
        let mut child = cmd.spawn().expect("spawn gongzhi");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let read = async {
            let mut addr = None;
            let mut tokens = Vec::new();
            let mut label = None;
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                if let Some(url) = line.strip_prefix("GraphiQL: http://") {
                    addr = Some(url.trim_end_matches('/').to_owned());
                } else if line.starts_with("More with: gongzhi token") {
                    return Some((addr?, tokens));
                } else if let Some(token) = line.strip_prefix("    ") {
                    tokens.push((label.take().expect("a label before each token"), token.trim().to_owned()));
                } else if let Some(l) = line.strip_prefix("  ") {
                    label = Some(l.trim_end_matches(':').to_owned());
                }
            }
            None
        };
        let printed = tokio::time::timeout(START_TIMEOUT, read).await;
        let Ok(Some((addr, tokens))) = printed else {
            let _ = child.start_kill();
            let _ = child.wait().await;
            panic!("gongzhi did not print its address and demo tokens:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
        };
        Server { child, _stdout: lines, addr, tokens, log }
    }

    pub(crate) fn token(&self, label_prefix: &str) -> &str {
        let found = self.tokens.iter().find(|(label, _)| label.starts_with(label_prefix));
        &found.unwrap_or_else(|| panic!("no `{label_prefix}` token among {:?}", self.tokens)).1
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls `/readyz` until it answers 200.
    pub(crate) async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok((200, _)) = http(&self.addr, "GET", "/readyz", None, None).await {
                return;
            }
            assert!(Instant::now() < deadline, "/readyz never answered 200:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// POSTs a GraphQL query; returns the status and JSON body.
    async fn graphql(&self, token: Option<&str>, query: &str) -> (u16, Value) {
        let body = json!({ "query": query }).to_string();
        let (status, body) = http(&self.addr, "POST", "/graphql", token, Some(&body)).await.expect("POST /graphql");
        (status, serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON ({status}): {body}")))
    }

    /// Sends SIGTERM and waits for the server to stop; returns whether it exited successfully.
    pub(crate) async fn terminate(mut self) -> bool {
        let pid = self.child.id().expect("the server is running");
        let sent = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("run kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        let status = status.unwrap_or_else(|_| panic!("gongzhi did not stop on SIGTERM:\n{}", self.log())).expect("wait for gongzhi");
        status.success()
    }
}

/// One HTTP/1.1 request over a fresh connection; returns the status and body.
async fn http(addr: &str, method: &str, path: &str, bearer: Option<&str>, body: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n");
    if let Some(token) = bearer {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = body.unwrap_or_default();
    if method == "POST" {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw)).await.map_err(std::io::Error::other)??;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| std::io::Error::other("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| std::io::Error::other("no status"))?;
    let payload = &raw[split + 4..];
    let payload = if head.lines().any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked")) {
        dechunk(payload)
    } else {
        payload.to_vec()
    };
    Ok((status, String::from_utf8_lossy(&payload).into_owned()))
}

/// Decodes a chunked HTTP/1.1 body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&raw[..eol]);
        let size = usize::from_str_radix(size.split(';').next().unwrap_or_default().trim(), 16).expect("chunk size");
        raw = &raw[eol + 2..];
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[(size + 2).min(raw.len())..];
    }
    out
}

/// The demo street on a running server, seen by the street admin token it printed.
async fn assert_serves_the_demo_street(server: &Server) {
    server.wait_ready().await;
    let (status, page) = http(&server.addr, "GET", "/", None, None).await.expect("GET /");
    assert_eq!(status, 200, "GraphiQL at the printed URL");
    assert!(page.to_lowercase().contains("graphiql"), "GraphiQL at /: {page}");
    let (status, body) = server.graphql(Some(server.token("street admin")), "{ viewer { kind } communities { totalCount } }").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["viewer"]["kind"], "STREET_ADMIN", "{body}");
    assert_eq!(body["data"]["communities"]["totalCount"], 15, "{body}");
}

#[tokio::test]
async fn serve_without_a_database_url_creates_and_seeds_gongzhi_sqlite() {
    let dir = WorkDir::new();
    assert!(!dir.path().join("gongzhi.sqlite").exists());
    let server = Server::start(dir.path(), "serve", &["serve", "--addr", "127.0.0.1:0"], &[]).await;
    assert!(dir.path().join("gongzhi.sqlite").is_file(), "gongzhi.sqlite in the working directory: {:?}", dir.files());
    let labels: Vec<&str> = server.tokens.iter().map(|(l, _)| l.as_str()).collect();
    for role in ["street admin", "community admin", "community staff", "unit", "reporter"] {
        assert!(labels.iter().any(|l| l.starts_with(role)), "a demo token for {role}: {labels:?}");
    }
    for (label, token) in &server.tokens {
        assert_eq!(token.split('.').count(), 3, "{label}: {token}");
    }
    assert!(server.log().contains("development secret"), "a warning about the development secret:\n{}", server.log());
    assert_serves_the_demo_street(&server).await;
    // The second street's admin token sees its two communities, none of 梅岭街道's.
    let (status, body) =
        server.graphql(Some(server.token("street admin (青阳街道")), "{ communities { totalCount edges { node { code } } } }").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["communities"]["totalCount"], 2, "{body}");
    let codes: Vec<&str> =
        body["data"]["communities"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["qingyang", "zhuangtou"], "{body}");
    // Anonymous callers see nothing but `viewer`: asked for the communities as well, they get
    // UNAUTHENTICATED and no data (the field is non-null).
    let (_, body) = server.graphql(None, "{ viewer { kind } }").await;
    assert_eq!(body["data"]["viewer"]["kind"], "ANONYMOUS", "{body}");
    let (_, body) = server.graphql(None, "{ viewer { kind } communities { totalCount } }").await;
    assert_eq!(body["data"], serde_json::Value::Null, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
}

/// `cargo run` with no subcommand serves; SIGTERM stops it cleanly, and a restart on the same
/// file does not seed the street a second time.
#[tokio::test]
async fn the_bare_command_serves_stops_on_sigterm_and_restarts_without_reseeding() {
    let dir = WorkDir::new();
    let addr = [("GONGZHI_ADDR", "127.0.0.1:0")];
    let first = Server::start(dir.path(), "first", &[], &addr).await;
    assert!(dir.path().join("gongzhi.sqlite").is_file(), "{:?}", dir.files());
    assert_serves_the_demo_street(&first).await;
    let log = first.log.clone();
    assert!(first.terminate().await, "exit status after SIGTERM:\n{}", std::fs::read_to_string(&log).unwrap_or_default());

    let second = Server::start(dir.path(), "second", &[], &addr).await;
    assert!(second.log().contains("demo seeding skipped"), "{}", second.log());
    assert_serves_the_demo_street(&second).await;
}

/// Row counts of every table of a SQLite database.
async fn table_counts(url: &str) -> Vec<(String, i64)> {
    let db = gongzhi::db::connect(url, 1).await.expect("connect");
    let sql = |s: String| sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, s);
    let tables = db
        .query_all_raw(sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name".into()))
        .await
        .expect("list tables");
    let mut counts = Vec::new();
    for row in tables {
        let name: String = row.try_get("", "name").expect("table name");
        let row = db.query_one_raw(sql(format!("SELECT COUNT(*) AS n FROM \"{name}\""))).await.expect("count").expect("a row");
        counts.push((name, row.try_get("", "n").expect("count")));
    }
    db.close().await.ok();
    counts
}

fn count_of(counts: &[(String, i64)], table: &str) -> i64 {
    counts.iter().find(|(t, _)| t == table).unwrap_or_else(|| panic!("no table {table}: {counts:?}")).1
}

#[tokio::test]
async fn migrate_seed_twice_and_export_schema() {
    let dir = WorkDir::new();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.sqlite").display());

    let (ok, _, stderr) = run({
        let mut c = gongzhi(dir.path());
        c.args(["migrate", "--database-url", &url]);
        c
    })
    .await;
    assert!(ok, "migrate: {stderr}");
    assert!(stderr.contains("migrations applied"), "{stderr}");
    let migrated = table_counts(&url).await;
    assert_eq!(count_of(&migrated, "community"), 0, "migrate seeds nothing");

    let seed = || {
        let mut c = gongzhi(dir.path());
        c.args(["seed", "demo", "--database-url", &url, "--scale", "1"]);
        c
    };
    let (ok, _, stderr) = run(seed()).await;
    assert!(ok, "first seed: {stderr}");
    assert!(stderr.contains("demo street: 15 communities added"), "{stderr}");
    assert!(stderr.contains("0 already present"), "{stderr}");
    let seeded = table_counts(&url).await;
    assert_eq!(count_of(&seeded, "community"), 15 + 2, "梅岭街道's 15 and the second street's 2");

    let (ok, _, stderr) = run(seed()).await;
    assert!(ok, "second seed: {stderr}");
    assert!(
        stderr.contains("demo street: 0 communities added (0 compounds, 0 party members), 15 already present"),
        "the second run adds nothing: {stderr}"
    );
    assert!(stderr.contains("collaboration demo already present"), "{stderr}");
    assert!(
        stderr.contains("second street 青阳街道: 0 communities added (0 compounds, 0 party members), 2 already present"),
        "the second run adds nothing to the second street: {stderr}"
    );
    assert!(stderr.contains("qingyang-street collaboration demo already present"), "{stderr}");
    assert_eq!(table_counts(&url).await, seeded, "the second run changes no table");

    let (ok, sdl, stderr) = run({
        let mut c = gongzhi(dir.path());
        c.arg("export-schema");
        c
    })
    .await;
    assert!(ok, "export-schema: {stderr}");
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).expect("read schema.graphql");
    assert!(sdl == file, "export-schema prints schema.graphql ({} vs {} bytes)", sdl.len(), file.len());

    // With an explicit URL no command touched the default database file.
    assert!(!dir.files().iter().any(|f| f.starts_with("gongzhi.sqlite")), "{:?}", dir.files());
}

/// Decodes one base64url part of a JWT as JSON.
fn jwt_part(part: &str) -> Value {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap_or_else(|e| panic!("not base64url ({e}): {part}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

#[tokio::test]
async fn token_prints_a_jwt_naming_role_and_community() {
    let dir = WorkDir::new();
    let token_cmd = |args: &[&str], secret: Option<&str>| {
        let mut c = gongzhi(dir.path());
        c.arg("token").args(args);
        if let Some(s) = secret {
            c.env("GONGZHI_JWT_SECRET", s);
        }
        c
    };

    let (ok, stdout, stderr) = run(token_cmd(&["--role", "community-admin", "--community", "zhuyuan"], Some(SECRET))).await;
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("development secret"), "no warning with GONGZHI_JWT_SECRET set: {stderr}");
    let token = stdout.trim();
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?}");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    for part in &parts {
        assert!(!part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "base64url: {part}");
    }
    assert_eq!(jwt_part(parts[0])["alg"], "HS256");
    let claims = jwt_part(parts[1]);
    assert_eq!(claims["role"], "community-admin", "{claims}");
    assert_eq!(claims["community"], "zhuyuan", "{claims}");
    assert_eq!(claims["sub"], "community-admin:zhuyuan", "{claims}");
    assert_eq!(claims["exp"].as_u64().unwrap_or(0) - claims["iat"].as_u64().unwrap_or(0), 8 * 3600, "valid 8h by default: {claims}");

    // Signed with GONGZHI_JWT_SECRET: verified by gongzhi's keys, accepted by the server.
    let verified = Keys::new(SECRET).verify(token).expect("signed with GONGZHI_JWT_SECRET");
    assert_eq!((verified.role, verified.community.as_deref()), (Role::CommunityAdmin, Some("zhuyuan")));
    assert!(Keys::new("another-secret").verify(token).is_err());
    let app = TestApp::demo(&Backend::Sqlite).await;
    let data = app.ok(Some(token), "{ viewer { kind community { code } } }", json!({})).await;
    assert_eq!(data["viewer"]["kind"], "COMMUNITY_ADMIN");
    assert_eq!(data["viewer"]["community"]["code"], "zhuyuan");

    // A member by the person's UUID or by their global id: the same person.
    let person = uuid::Uuid::now_v7();
    let global = gongzhi::graphql::node::global_id("Person", person).to_string();
    for given in [person.to_string(), global] {
        let (ok, stdout, stderr) = run(token_cmd(&["--role", "member", "--person", &given], Some(SECRET))).await;
        assert!(ok, "{given}: {stderr}");
        assert_eq!(Keys::new(SECRET).verify(stdout.trim()).expect("signed").person, Some(person), "{given}");
    }
    let (ok, _, stderr) = run(token_cmd(&["--role", "member", "--person", "nobody"], Some(SECRET))).await;
    assert!(!ok && stderr.contains("Person.uuid"), "{stderr}");

    // Without a secret: the development secret, with a warning on stderr.
    let (ok, stdout, stderr) = run(token_cmd(&["--role", "community-admin", "--community", "zhuyuan"], None)).await;
    assert!(ok, "{stderr}");
    assert!(stderr.contains("development secret"), "{stderr}");
    assert!(Keys::new(gongzhi::config::DEV_JWT_SECRET).verify(stdout.trim()).is_ok());

    // An unknown role, or a role without its anchor: a non-zero exit, a message, no token.
    let (ok, stdout, stderr) = run(token_cmd(&["--role", "mayor"], Some(SECRET))).await;
    assert!(!ok, "an unknown role fails");
    assert!(stdout.is_empty(), "no token: {stdout}");
    assert!(stderr.contains("mayor") && stderr.contains("community-admin"), "names the bad value and the roles: {stderr}");
    let (ok, stdout, stderr) = run(token_cmd(&["--role", "community-admin"], Some(SECRET))).await;
    assert!(!ok, "a community admin without --community fails");
    assert!(stdout.is_empty(), "no token: {stdout}");
    assert!(stderr.contains("--community"), "{stderr}");
}

/// Outside development (a database other than the default file, no `--demo`) the server will
/// not start with the public development secret, and says why.
#[tokio::test]
async fn serve_refuses_the_public_secret_outside_development() {
    let dir = WorkDir::new();
    for url in ["postgres://postgres@127.0.0.1:5432/test", "sqlite://production.sqlite?mode=rwc"] {
        let mut cmd = gongzhi(dir.path());
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--database-url", url]);
        let (ok, _, stderr) = run(cmd).await;
        assert!(!ok, "{url}: the server must not start");
        assert!(stderr.contains("GONGZHI_JWT_SECRET is not set"), "{url}: {stderr}");
        assert!(stderr.contains("public development default"), "{url}: {stderr}");
    }
    // A secret alone is not enough: the key of ID-number hashes must be set too.
    let mut cmd = gongzhi(dir.path());
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--database-url", "sqlite://production.sqlite?mode=rwc"]);
    cmd.env("GONGZHI_JWT_SECRET", "a-long-random-secret-of-the-operators-own-choosing");
    let (ok, _, stderr) = run(cmd).await;
    assert!(!ok && stderr.contains("GONGZHI_ID_NUMBER_KEY"), "{stderr}");
    assert!(!dir.files().iter().any(|f| f.starts_with("production.sqlite")), "nothing was created: {:?}", dir.files());
}
