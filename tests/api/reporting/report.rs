//! `/reports/monthly`: a well-formed page whose figures are those of the API, with nothing loaded
//! from outside the server, refused as the figures are.

use std::collections::HashMap;

use gongzhi::auth::Role;
use serde_json::{Value, json};

use super::*;
use crate::deliberation::fixtures::raise;
use crate::fixtures::Fixture;

/// This Beijing month, `YYYY-MM`, and its first and last days.
fn this_month() -> (String, String, String) {
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let first = now.date_naive().with_day0(0).unwrap();
    let last = first.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
    (first.format("%Y-%m").to_string(), first.to_string(), last.to_string())
}

use chrono::Datelike;

/// Parses the page as XML (it is written to be well-formed) and returns `data-figure` → value,
/// checking on the way that no element loads or links anything from outside the server.
fn figures_of(html: &str) -> HashMap<String, Option<f64>> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(html, options).unwrap_or_else(|e| panic!("not well-formed: {e}\n{html}"));
    assert_eq!(doc.root_element().tag_name().name(), "html");
    let mut out = HashMap::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert!(
            !["script", "link", "img", "iframe", "object"].contains(&node.tag_name().name()),
            "a <{}> on the page",
            node.tag_name().name()
        );
        for attr in node.attributes() {
            assert!(!["src", "href", "action"].contains(&attr.name()), "<{} {}=…> on the page", node.tag_name().name(), attr.name());
        }
        if let Some(key) = node.attribute("data-figure") {
            let value = node.attribute("data-value").unwrap();
            out.insert(key.to_owned(), if value.is_empty() { None } else { Some(value.parse::<f64>().unwrap()) });
        }
    }
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("url("), "a URL on the page");
    out
}

/// The figure of `column` in the dataset's rows for the month, added up over its rows.
fn total(rows: &[serde_json::Map<String, Value>], column: &str) -> Option<f64> {
    let values: Vec<f64> = rows.iter().filter_map(|r| r.get(column).and_then(Value::as_f64)).collect();
    if values.is_empty() { None } else { Some(values.iter().sum()) }
}

both_backends! {
    async fn the_monthly_report_is_a_self_contained_page_whose_figures_are_the_apis(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let n = Fixture::neighbourhood(&app, "月报").await;
        Fixture::task(&app, &n.community, "井盖松动").await;
        Fixture::task(&app, &n.community, "占道经营").await;
        raise(&app, &n.raiser, "楼道灯不亮").await;
        let (month, from, to) = this_month();
        let street = format!("Bearer {}", n.street(&app));
        let got = get(&app, Some(&street), &format!("/reports/monthly?month={month}")).await;
        assert_eq!(got.status, 200, "{}", got.text());
        assert_eq!(got.headers["content-type"], "text/html; charset=utf-8");
        let page = figures_of(&got.text());
        assert!(page.len() > 20, "the page shows every platform's figures: {page:?}");
        // Every figure on the page equals the dataset's for the month, and so the GraphQL figure.
        let mut datasets: Vec<&str> = page.keys().filter_map(|k| k.split_once('.').map(|(d, _)| d)).collect();
        datasets.sort_unstable();
        datasets.dedup();
        for dataset in datasets {
            let index = get(&app, None, "/export").await.json();
            let about = index["datasets"].as_array().unwrap().iter().find(|d| d["name"] == dataset).unwrap().clone();
            let takes = |p: &str| about["filters"].as_array().unwrap().iter().any(|f| f == p);
            let mut query = Vec::new();
            if takes("from") {
                query.push(format!("from={from}&to={to}"));
            }
            if takes("by") {
                query.push("by=TOTAL".to_owned());
            }
            let rows = ndjson(&get(&app, Some(&street), &format!("/export/{dataset}.ndjson?{}", query.join("&"))).await);
            for (key, shown) in page.iter().filter(|(k, _)| k.starts_with(&format!("{dataset}."))) {
                let column = &key[dataset.len() + 1..];
                assert!(about["columns"].as_array().unwrap().iter().any(|c| c["name"] == column), "{key}: no such column");
                assert_eq!(*shown, total(&rows, column), "{key}: the page against /export/{dataset}.ndjson");
            }
        }
        // And against GraphQL directly for the appeals and tasks this test made.
        let d = app
            .ok(Some(&n.street(&app)), "query($f: Date, $t: Date) { deliberationStatistics(from: $f, to: $t) { appealsRaised } }", json!({ "f": from, "t": to }))
            .await;
        assert_eq!(page["deliberation-figures.appeals_raised"], d["deliberationStatistics"][0]["appealsRaised"].as_f64());
        assert_eq!(page["deliberation-figures.appeals_raised"], Some(1.0));
        assert_eq!(page["task-figures.opened"], Some(2.0));
        // A community's page: the same figures, for that community only.
        let staff = format!("Bearer {}", n.staff(&app));
        let own = get(&app, Some(&staff), &format!("/reports/monthly?month={month}")).await;
        assert_eq!(figures_of(&own.text())["task-figures.opened"], Some(2.0));
    }
}

both_backends! {
    async fn the_report_is_refused_as_the_figures_are(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let other = Fixture::community(&app, "竹园").await;
        let member = Fixture::member(&app, &songyuan, "林晓东").await;
        let (month, _, _) = this_month();
        let path = format!("/reports/monthly?month={month}");
        let anonymous = get(&app, None, &path).await;
        assert_eq!((anonymous.status, anonymous.code().as_str()), (401, "UNAUTHENTICATED"));
        let m = get(&app, Some(&format!("Bearer {}", member.token(&app))), &path).await;
        assert_eq!((m.status, m.code().as_str()), (403, "FORBIDDEN"), "{}", m.text());
        let staff = format!("Bearer {}", songyuan.staff(&app));
        let elsewhere = get(&app, Some(&staff), &format!("{path}&community={}", other.id)).await;
        assert_eq!((elsewhere.status, elsewhere.code().as_str()), (404, "NOT_FOUND"));
        for bad in ["/reports/monthly", "/reports/monthly?month=2026-13", "/reports/monthly?month=2026-11&colour=red"] {
            let got = get(&app, Some(&staff), bad).await;
            assert_eq!((got.status, got.code().as_str()), (400, "BAD_USER_INPUT"), "{bad}");
        }
        let reporter = format!("Bearer {}", app.token(Role::Reporter, "meiling-street"));
        assert_eq!(get(&app, Some(&reporter), &path).await.status, 200);
    }
}
