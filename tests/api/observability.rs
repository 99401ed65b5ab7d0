//! What an operator sees of gongzhi: one access-log line per request, `/metrics` that
//! `promtool check metrics` accepts with the domain's task figures, and the spans of a request
//! exported over OTLP as part of the caller's trace. The log and the traces are read from the
//! real binary (`gongzhi serve`), against a database of each backend.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use chrono::Utc;
use entity::{community, region, task};
use gongzhi::collaboration::workflow;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use crate::cli::{Server, WorkDir};
use crate::fixtures::Fixture;
use crate::support::TestApp;

/// Starts `gongzhi serve --demo` on the app's database (already seeded: the demo is only its
/// tokens here), with `envs`.
async fn serve(app: &TestApp, dir: &WorkDir, name: &str, envs: &[(&str, &str)]) -> Server {
    let url = app.test_db.url.clone();
    let mut envs = envs.to_vec();
    envs.push(("GONGZHI_ESCALATION_INTERVAL", "0"));
    let server = Server::start(dir.path(), name, &["serve", "--demo", "--addr", "127.0.0.1:0", "--database-url", &url], &envs).await;
    server.wait_ready().await;
    server
}

/// POSTs a GraphQL document to the running server; returns the response's request id and body.
async fn post(server: &Server, token: &str, query: &str, headers: &[(&str, &str)]) -> (String, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("http://{}/graphql", server.addr))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(json!({ "query": query }).to_string());
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let id = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    (id, body)
}

/// GETs `path` from the running server; returns the status, the request id and the body.
async fn get(server: &Server, token: Option<&str>, path: &str) -> (u16, String, String) {
    let mut req = reqwest::Client::new().get(format!("http://{}{path}", server.addr));
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let resp = req.send().await.unwrap();
    let id = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    (resp.status().as_u16(), id, resp.text().await.unwrap())
}

both_backends! {
    async fn every_request_leaves_one_access_line(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let dir = WorkDir::new();
        let server = serve(&app, &dir, "access", &[("GONGZHI_LOG_FORMAT", "json")]).await;
        let token = server.token("street admin (梅岭").to_owned();
        let mut ids = Vec::new();
        for n in 0..5 {
            let query = format!("query Landing{n} {{ communities(first: 3) {{ totalCount nodes {{ code street {{ code }} }} }} }}");
            ids.push(post(&server, &token, &query, &[]).await.0);
        }
        // An export is a request like the others; a probe is logged at debug only.
        let (_, _, index) = get(&server, None, "/export").await;
        let index: Value = serde_json::from_str(&index).unwrap();
        let dataset = index["datasets"][0]["name"].as_str().unwrap().to_owned();
        let (status, export, _) = get(&server, Some(&token), &format!("/export/{dataset}.csv")).await;
        assert_eq!(status, 200);
        let (status, probe, _) = get(&server, None, "/healthz").await;
        assert_eq!(status, 200);
        let log = server.log();
        assert!(server.terminate().await, "gongzhi stops on SIGTERM:\n{log}");
        let lines: Vec<Value> = log.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        for (n, id) in ids.iter().enumerate() {
            let mine: Vec<&Value> = lines.iter().filter(|l| l["fields"]["request_id"] == json!(id)).collect();
            assert_eq!(mine.len(), 1, "one line for request {id}:\n{log}");
            let line = mine[0];
            assert_eq!(line["level"], "INFO", "{line}");
            assert_eq!(line["target"], "gongzhi::access", "{line}");
            let f = &line["fields"];
            assert_eq!((&f["status"], &f["route"], &f["method"]), (&json!(200), &json!("/graphql"), &json!("POST")), "{line}");
            assert_eq!(f["principal"], "StreetAdmin", "{line}");
            assert_eq!(f["operation"], format!("Landing{n}"), "{line}");
            assert!(f["statements"].as_u64().is_some_and(|s| s > 0), "the request's statements are counted: {line}");
            assert!(f["duration_ms"].as_f64().is_some_and(|d| d > 0.0), "{line}");
        }
        let lines_of = |id: &str| lines.iter().filter(|l| l["fields"]["request_id"] == json!(id)).cloned().collect::<Vec<Value>>();
        let exported = lines_of(&export);
        assert_eq!(exported.len(), 1, "one line for the export:\n{log}");
        let f = &exported[0]["fields"];
        assert_eq!((&f["route"], &f["status"], &f["principal"], &f["operation"]), (&json!("/export/{file}"), &json!(200), &json!("StreetAdmin"), &json!(dataset)), "{f}");
        assert!(f["statements"].as_u64().is_some_and(|s| s > 0), "{f}");
        assert!(lines_of(&probe).is_empty(), "a probe leaves no line at info:\n{log}");
    }
}

/// The value of the sample `name{labels}` in a classic-text scrape.
fn sample(text: &str, name: &str, labels: &str) -> Option<i64> {
    let head = format!("{name}{{{labels}}} ");
    text.lines().find_map(|l| l.strip_prefix(&head)).and_then(|v| v.trim().parse().ok())
}

both_backends! {
    async fn metrics_pass_promtool_and_count_the_communities_tasks(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        // 松园: four open tasks, two of them overdue, one of those escalated; one cancelled and
        // overdue (closed: counted nowhere). 竹溪: one open task.
        let mut made = Vec::new();
        for title in ["一", "二", "三", "四", "五"] {
            made.push(Fixture::task(&app, &songyuan, title).await);
        }
        Fixture::task(&app, &zhuxi, "六").await;
        let past = Utc::now() - chrono::Duration::days(2);
        let rows = task::Entity::find().all(&app.db).await.unwrap();
        let songyuan_rows: Vec<&task::Model> = rows.iter().filter(|t| t.community_id == songyuan.uuid).collect();
        for (i, t) in songyuan_rows.iter().enumerate() {
            let mut row = (*t).clone().into_active_model();
            match i {
                0 => row.due_at = Set(Some(past)),
                1 => {
                    row.due_at = Set(Some(past));
                    row.level = Set(task::TaskLevel::Street);
                }
                2 => {
                    row.due_at = Set(Some(past));
                    row.status = Set(task::TaskStatus::Cancelled);
                    row.level = Set(task::TaskLevel::City);
                }
                _ => continue,
            }
            row.update(&app.db).await.unwrap();
        }

        // Requests of each kind the metrics count: GraphQL twice (the second from the response
        // cache), a probe, a page no route serves.
        let token = app.street_admin();
        for _ in 0..2 {
            app.ok(Some(&token), "query Landing { communities { totalCount } }", json!({})).await;
        }
        app.send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
        app.send(Request::get("/nowhere").body(Body::empty()).unwrap()).await;
        let (status, headers, body) = app.send(Request::get("/metrics").body(Body::empty()).unwrap()).await;
        assert_eq!(status, 200);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        let text = String::from_utf8(body).unwrap();

        // The figures are the records' own, for every community of the database.
        let now = Utc::now();
        let streets: std::collections::HashMap<uuid::Uuid, String> =
            region::Entity::find().all(&app.db).await.unwrap().into_iter().map(|r| (r.id, r.code)).collect();
        let rows = task::Entity::find().all(&app.db).await.unwrap();
        let communities = community::Entity::find().all(&app.db).await.unwrap();
        assert!(communities.len() > 2);
        for c in &communities {
            let open: Vec<&task::Model> = rows.iter().filter(|t| t.community_id == c.id && workflow::is_open(t.status)).collect();
            let overdue = open.iter().filter(|t| t.due_at.is_some_and(|d| d < now)).count() as i64;
            let escalated = open.iter().filter(|t| t.level != task::TaskLevel::Community).count() as i64;
            let labels = format!("street=\"{}\",community=\"{}\"", streets[&c.street_id], c.code);
            assert_eq!(sample(&text, "gongzhi_tasks_open", &labels), Some(open.len() as i64), "{labels}:\n{text}");
            assert_eq!(sample(&text, "gongzhi_tasks_overdue", &labels), Some(overdue), "{labels}");
            assert_eq!(sample(&text, "gongzhi_tasks_escalated", &labels), Some(escalated), "{labels}");
        }
        let songyuan_labels = format!("street=\"{}\",community=\"{}\"", songyuan.street_code, songyuan.code);
        assert_eq!(
            ["gongzhi_tasks_open", "gongzhi_tasks_overdue", "gongzhi_tasks_escalated"].map(|m| sample(&text, m, &songyuan_labels)),
            [Some(4), Some(2), Some(1)],
            "{text}"
        );

        // The other families, under their names and labels.
        assert!(sample(&text, "gongzhi_http_responses_total", "route=\"/graphql\",status=\"2xx\"").is_some_and(|n| n >= 2), "{text}");
        assert_eq!(sample(&text, "gongzhi_http_responses_total", "route=\"other\",status=\"4xx\""), Some(1), "{text}");
        assert_eq!(sample(&text, "gongzhi_cache_lookups_total", "cache=\"response\",result=\"hit\""), Some(1), "{text}");
        assert!(sample(&text, "gongzhi_cache_lookups_total", "cache=\"principal\",result=\"hit\"").is_some(), "{text}");
        assert!(sample(&text, "gongzhi_db_pool_in_use_connections", "pool=\"request\"").is_some(), "{text}");
        assert!(text.contains("gongzhi_websocket_connections_open 0") && text.contains("gongzhi_websocket_connections_total 0"), "{text}");
        assert_eq!(sample(&text, "gongzhi_graphql_requests_total", "operation=\"Landing\",outcome=\"ok\""), Some(2), "{text}");

        // promtool, where it is installed (.ci/run installs it), finds nothing to complain about.
        match std::process::Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
        {
            Ok(mut child) => {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
                let out = child.wait_with_output().unwrap();
                let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
                assert!(out.status.success() && said.trim().is_empty(), "promtool check metrics:\n{said}\n{text}");
            }
            Err(e) => eprintln!("promtool is not installed ({e}); the exposition is not checked by it"),
        }

        // A scraper asking for OpenMetrics gets it.
        let req = Request::get("/metrics").header("accept", "application/openmetrics-text; version=1.0.0").body(Body::empty()).unwrap();
        let (_, headers, body) = app.send(req).await;
        assert!(headers["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
        assert!(String::from_utf8(body).unwrap().trim_end().ends_with("# EOF"));
    }
}

/// An OTLP/HTTP collector on 127.0.0.1: the spans of every `POST /v1/traces` it was sent.
struct Collector {
    addr: std::net::SocketAddr,
    spans: Arc<Mutex<Vec<opentelemetry_proto::tonic::trace::v1::Span>>>,
}

impl Collector {
    async fn start() -> Collector {
        use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
        use prost::Message;
        let spans: Arc<Mutex<Vec<_>>> = Arc::default();
        let kept = spans.clone();
        let router = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: axum::body::Bytes| {
                let kept = kept.clone();
                async move {
                    let export = ExportTraceServiceRequest::decode(body).expect("an OTLP trace export");
                    let mut all = kept.lock().unwrap();
                    for resource in export.resource_spans {
                        for scope in resource.scope_spans {
                            all.extend(scope.spans);
                        }
                    }
                    ""
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Collector { addr, spans }
    }

    fn spans(&self) -> Vec<opentelemetry_proto::tonic::trace::v1::Span> {
        self.spans.lock().unwrap().clone()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

both_backends! {
    async fn a_requests_spans_join_the_callers_trace(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let collector = Collector::start().await;
        let dir = WorkDir::new();
        let endpoint = format!("http://{}", collector.addr);
        let envs = [("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()), ("OTEL_BSP_SCHEDULE_DELAY", "100")];
        let server = serve(&app, &dir, "traces", &envs).await;
        let token = server.token("street admin (梅岭").to_owned();
        let trace_id = uuid::Uuid::now_v7().simple().to_string();
        let parent = "00f067aa0ba902b7";
        let traceparent = format!("00-{trace_id}-{parent}-01");
        let query = "query TracedLanding { communities(first: 3) { totalCount nodes { code street { code } } } }";
        post(&server, &token, query, &[("traceparent", &traceparent)]).await;
        // Stopping sends the last batch.
        assert!(server.terminate().await, "gongzhi stops on SIGTERM");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mine = loop {
            let mine: Vec<_> = collector.spans().into_iter().filter(|s| hex(&s.trace_id) == trace_id).collect();
            if mine.iter().any(|s| s.name == "sql") || std::time::Instant::now() > deadline {
                break mine;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let names: Vec<&str> = mine.iter().map(|s| s.name.as_str()).collect();
        let request = mine.iter().find(|s| s.name == "POST /graphql").unwrap_or_else(|| panic!("the request's span: {names:?}"));
        assert_eq!(hex(&request.parent_span_id), parent, "the caller's span is the request's parent");
        let operation =
            mine.iter().find(|s| s.name == "query TracedLanding").unwrap_or_else(|| panic!("the GraphQL operation's span: {names:?}"));
        assert_eq!(operation.parent_span_id, request.span_id, "{names:?}");
        assert!(mine.iter().any(|s| s.name == "sql"), "a SQL statement's span: {names:?}");
        assert!(mine.iter().any(|s| s.name == "load organisation"), "a DataLoader batch's span: {names:?}");
        let sql = mine.iter().find(|s| s.name == "sql").unwrap();
        assert!(
            sql.attributes.iter().any(|a| a.key == "db.query.text"),
            "the statement's text is an attribute: {:?}",
            sql.attributes
        );
    }
}
