//! `/export`: the form of CSV and NDJSON, refusals, the index.

use serde_json::json;

use super::*;
use crate::fixtures::Fixture;

both_backends! {
    async fn a_csv_export_parses_back_to_its_ndjson_whatever_the_text(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let hard = "摊位, \"占道\" 经营\n第二行，中文逗号";
        let task = Fixture::task(&app, &songyuan, hard).await;
        Fixture::task(&app, &songyuan, "=1+2 看似公式").await;
        let staff = format!("Bearer {}", songyuan.staff(&app));
        let rows = export_both(&app, &staff, "tasks", "").await;
        assert_eq!(rows.len(), 2);
        let row = rows.iter().find(|r| r["id"] == json!(task.id)).expect("the task");
        assert_eq!(row["title"], json!(hard));
        assert_eq!(row["community_id"], json!(songyuan.id));
        assert_eq!(row["status"], json!("REPORTED"));
        let got = get(&app, Some(&staff), "/export/tasks.csv").await;
        assert!(got.body.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 byte-order mark");
        assert_eq!(got.headers["content-type"], "text/csv; charset=utf-8; header=present");
        assert!(got.headers["content-disposition"].to_str().unwrap().contains("tasks.csv"));
        assert!(got.text().contains(",'=1+2 看似公式,"), "a formula-like text is guarded in CSV: {}", got.text());
    }
}

both_backends! {
    async fn an_export_is_refused_with_a_status_and_a_code(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let staff = format!("Bearer {}", songyuan.staff(&app));
        let anonymous = get(&app, None, "/export/tasks.csv").await;
        assert_eq!((anonymous.status, anonymous.code().as_str()), (401, "UNAUTHENTICATED"));
        let forged = get(&app, Some("Bearer nonsense"), "/export/tasks.csv").await;
        assert_eq!((forged.status, forged.code().as_str()), (401, "UNAUTHENTICATED"));
        for path in ["/export/nothing.csv", "/export/tasks.xlsx", "/export/tasks"] {
            let got = get(&app, Some(&staff), path).await;
            assert_eq!((got.status, got.code().as_str()), (404, "NOT_FOUND"), "{path}");
        }
        for query in ["from=2026-13-01", "from=2026-11-02&to=2026-11-01", "by=MONTH", "communityId=nonsense", "colour=red"] {
            let got = get(&app, Some(&staff), &format!("/export/tasks.csv?{query}")).await;
            assert_eq!((got.status, got.code().as_str()), (400, "BAD_USER_INPUT"), "{query}: {}", got.text());
        }
    }
}

#[tokio::test]
async fn the_index_lists_every_dataset_with_its_documented_columns() {
    let app = TestApp::demo(&crate::support::Backend::Sqlite).await;
    let index = get(&app, None, "/export").await;
    assert_eq!(index.status, 200);
    let index = index.json();
    let datasets = index["datasets"].as_array().unwrap();
    assert!(datasets.iter().any(|d| d["name"] == "tasks"));
    for d in datasets {
        assert!(!d["doc"].as_str().unwrap().is_empty(), "{d}");
        for c in d["columns"].as_array().unwrap() {
            assert!(!c["doc"].as_str().unwrap().is_empty(), "{}: column {} has no documentation", d["name"], c["name"]);
        }
    }
}
