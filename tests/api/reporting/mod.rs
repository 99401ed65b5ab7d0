//! Reporting: figures, exports, reporting keys and the monthly report.

use axum::body::Body;
use serde_json::Value;

use crate::support::TestApp;

mod collaboration;
mod deliberation;
mod exports;
mod home;
mod keys;
mod organisation;
mod report;
mod volunteers;

/// An answer of `/export` (or any GET): status, headers, body.
pub struct Got {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Got {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }

    /// The error code of a refusal.
    pub fn code(&self) -> String {
        self.json()["errors"][0]["extensions"]["code"].as_str().unwrap_or("-").to_owned()
    }
}

/// GETs `path` with `authorization` sent as it is (`Bearer …`, `ApiKey …`) when given.
pub async fn get(app: &TestApp, authorization: Option<&str>, path: &str) -> Got {
    let mut req = axum::http::Request::get(path);
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    let (status, headers, body) = app.send(req.body(Body::empty()).unwrap()).await;
    Got { status: status.as_u16(), headers, body }
}

/// The rows of an NDJSON export.
pub fn ndjson(got: &Got) -> Vec<serde_json::Map<String, Value>> {
    assert_eq!(got.status, 200, "{}", got.text());
    got.text().lines().map(|l| serde_json::from_str::<Value>(l).unwrap().as_object().unwrap().clone()).collect()
}

/// The header and rows of a CSV export, read by a CSV parser after its byte-order mark.
pub fn csv(got: &Got) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(got.status, 200, "{}", got.text());
    let text = got.text();
    let body = text.strip_prefix('\u{feff}').expect("a CSV export begins with a byte-order mark");
    let mut reader = ::csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

/// A JSON value as its CSV cell reads: null is empty, strings as they are (with the `'` that
/// guards a text a spreadsheet would run as a formula), others as JSON.
pub fn as_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Exports `dataset` as CSV and as NDJSON and checks that the CSV, parsed back, is the NDJSON:
/// the same columns in the same order and the same cells. Returns the NDJSON rows.
pub async fn export_both(app: &TestApp, authorization: &str, dataset: &str, query: &str) -> Vec<serde_json::Map<String, Value>> {
    let q = if query.is_empty() { String::new() } else { format!("?{query}") };
    let nd = ndjson(&get(app, Some(authorization), &format!("/export/{dataset}.ndjson{q}")).await);
    let (header, rows) = csv(&get(app, Some(authorization), &format!("/export/{dataset}.csv{q}")).await);
    assert_eq!(rows.len(), nd.len(), "{dataset}: as many CSV rows as NDJSON lines");
    for (csv_row, nd_row) in rows.iter().zip(&nd) {
        let keys: Vec<&String> = nd_row.keys().collect();
        assert_eq!(header.iter().collect::<Vec<_>>(), keys, "{dataset}: the columns");
        let cells: Vec<String> = nd_row.values().map(as_cell).collect();
        assert_eq!(csv_row, &cells, "{dataset}: a CSV row is its NDJSON line");
    }
    nd
}
