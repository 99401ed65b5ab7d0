//! The `appeals` and `meetings` exports hold, for every kind of principal, exactly the rows of the
//! GraphQL `appeals` and `meetings` lists: the same scope, the same refusals; anonymous callers
//! are refused with 401.

use std::collections::BTreeSet;

use super::*;
use crate::deliberation::fixtures::{Neighbourhood, raise};
use crate::fixtures::Fixture;
use crate::reporting::{get, ndjson};

/// The ids of every page of a GraphQL list, or its error code.
async fn listed(app: &TestApp, token: &str, field: &str) -> Result<BTreeSet<String>, String> {
    let query = format!(
        "query($after: String) {{ {field}(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }} }} }}"
    );
    let mut ids = BTreeSet::new();
    let mut after = Value::Null;
    loop {
        let (_, body) = app.post(Some(token), &query, json!({ "after": after })).await;
        if let Some(code) = body.pointer("/errors/0/extensions/code").and_then(Value::as_str) {
            return Err(code.to_owned());
        }
        let page = &body["data"][field];
        ids.extend(page["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()));
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return Ok(ids);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The ids of an export, or its error code.
async fn exported(app: &TestApp, token: &str, dataset: &str) -> Result<BTreeSet<String>, String> {
    let got = get(app, Some(&format!("Bearer {token}")), &format!("/export/{dataset}.ndjson")).await;
    if got.status != 200 {
        return Err(got.code());
    }
    Ok(ndjson(&got).iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect())
}

both_backends! {
    async fn the_appeals_and_meetings_exports_are_the_lists_of_every_principal(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let a: Neighbourhood = Fixture::neighbourhood(&app, "导甲").await;
        let bn: Neighbourhood = Fixture::neighbourhood(&app, "导乙").await;
        raise(&app, &a.raiser, "导甲春苑一").await;
        raise(&app, &a.summer_resident, "导甲夏苑二").await;
        raise(&app, &bn.raiser, "导乙春苑一").await;
        crate::deliberation::meetings::schedule(&app, &a, "导甲议事会").await;
        crate::deliberation::meetings::schedule(&app, &bn, "导乙议事会").await;
        other_street(&app, &["police"]).await;
        let cases: Vec<(&str, String)> = vec![
            ("street admin", a.street(&app)),
            ("community admin", a.community.admin(&app)),
            ("community staff", a.staff(&app)),
            ("resident", a.raiser.token(&app)),
            ("convenor", a.convenor.token(&app)),
            ("unit", a.unit.token(&app)),
            ("reporter", a.reporter(&app)),
            ("city admin", app.token(Role::CityAdmin, "jinjiang")),
            ("other street admin", app.token(Role::StreetAdmin, "xiyuan-street")),
        ];
        let mut seen_any = 0;
        for (who, token) in &cases {
            for (field, dataset) in [("appeals", "appeals"), ("meetings", "meetings")] {
                let label = format!("[{}] {who}: {dataset}", backend.name());
                let list = listed(&app, token, field).await;
                let export = exported(&app, token, dataset).await;
                assert_eq!(export, list, "{label}");
                seen_any += list.map_or(0, |l| l.len());
            }
        }
        assert!(seen_any > 0, "some caller sees rows");
        for dataset in ["appeals", "meetings", "deliberation-figures"] {
            let anonymous = get(&app, None, &format!("/export/{dataset}.csv")).await;
            assert_eq!((anonymous.status, anonymous.code().as_str()), (401, "UNAUTHENTICATED"), "{dataset}");
        }
    }
}
