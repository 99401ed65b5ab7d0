//! The `home-figures` export holds, for every kind of principal, exactly the rows of GraphQL
//! `homeStatistics`: the same compounds, the same refusals. Staff read their own communities'
//! compounds, the street and its reporting tools the street's, and nobody another street's.

use super::*;
use crate::fixtures::Fixture;
use crate::reporting::{get, ndjson};

const BY_COMPOUND: &str = "{ homeStatistics(by: COMPOUND) { compoundId } }";

/// The compounds of `homeStatistics` by compound, or its error code.
async fn figured(app: &TestApp, token: &str) -> Result<Vec<String>, String> {
    let (_, body) = app.post(Some(token), BY_COMPOUND, json!({})).await;
    if let Some(code) = body.pointer("/errors/0/extensions/code").and_then(Value::as_str) {
        return Err(code.to_owned());
    }
    Ok(body["data"]["homeStatistics"].as_array().unwrap().iter().map(|r| r["compoundId"].as_str().unwrap().to_owned()).collect())
}

/// The compounds of the export by compound, or its error code.
async fn exported(app: &TestApp, token: &str) -> Result<Vec<String>, String> {
    let got = get(app, Some(&format!("Bearer {token}")), "/export/home-figures.ndjson?by=COMPOUND").await;
    if got.status != 200 {
        return Err(got.code());
    }
    Ok(ndjson(&got).iter().map(|r| r["compound_id"].as_str().unwrap().to_owned()).collect())
}

both_backends! {
    async fn the_home_figures_export_is_home_statistics_for_every_principal(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let a = Fixture::home(&app, "域甲苑").await;
        let other = Fixture::home(&app, "域乙苑").await;
        let unit = Fixture::unit(&app, "域甲单位").await.seated_in(&app, &a.community).await;
        other_street(&app, &["police"]).await;
        let b = backend.name();
        let cases: Vec<(&str, String, Option<bool>)> = vec![
            // (who, token, whether they see a's compound and not other's: Some(true) both, Some(false) a only)
            ("street admin", app.token(Role::StreetAdmin, "meiling-street"), Some(true)),
            ("community admin", a.community.admin(&app), Some(false)),
            ("community staff", a.staff(&app), Some(false)),
            ("reporter", app.token(Role::Reporter, "meiling-street"), Some(true)),
            ("resident", a.members[0].token(&app), None),
            ("unit", unit.token(&app), None),
            ("city admin", app.token(Role::CityAdmin, "jinjiang"), None),
            ("other street admin", app.token(Role::StreetAdmin, "xiyuan-street"), Some(false)),
        ];
        for (who, token, sees) in &cases {
            let label = format!("[{b}] {who}");
            let graphql = figured(&app, token).await;
            assert_eq!(exported(&app, token).await, graphql, "{label}");
            match (sees, graphql) {
                (None, Err(code)) => assert_eq!(code, "FORBIDDEN", "{label}"),
                (Some(both), Ok(compounds)) => {
                    let mine = compounds.contains(&a.compound_id);
                    let theirs = compounds.contains(&other.compound_id);
                    if *who == "other street admin" {
                        assert!(!mine && !theirs, "{label}: {compounds:?}");
                    } else {
                        assert!(mine && theirs == *both, "{label}: {compounds:?}");
                    }
                }
                (sees, got) => panic!("{label}: expected {sees:?}, got {got:?}"),
            }
        }
        let anonymous = get(&app, None, "/export/home-figures.csv").await;
        assert_eq!((anonymous.status, anonymous.code().as_str()), (401, "UNAUTHENTICATED"));
    }
}
