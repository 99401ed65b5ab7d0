//! The volunteer exports held to the scope: for every kind of principal, the ids in the
//! `volunteers`, `activities` and `sign-ups` exports are those of the GraphQL lists for that
//! caller, no more and no fewer; anonymous callers get 401.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};

use super::*;
use crate::fixtures::Fixture;
use crate::reporting::{get, ndjson};

const VOLUNTEERS: &str =
    "query($after: String) { volunteers(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }";
const ACTIVITIES: &str = "query($after: String) { activities(first: 100, after: $after) { edges { node { id signUps { id } } } pageInfo { hasNextPage endCursor } } }";

/// Every node of a list, paged to the end.
async fn all_nodes(app: &TestApp, token: &str, query: &str, field: &str) -> Vec<Value> {
    let mut after = Value::Null;
    let mut nodes = Vec::new();
    loop {
        let data = app.ok(Some(token), query, json!({ "after": after })).await;
        let list = &data[field];
        nodes.extend(list["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()));
        if list["pageInfo"]["hasNextPage"] != json!(true) {
            return nodes;
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
}

/// The ids GraphQL lists for the caller: volunteers, activities and their sign-ups.
async fn graphql_ids(app: &TestApp, token: &str) -> [BTreeSet<String>; 3] {
    let volunteers = all_nodes(app, token, VOLUNTEERS, "volunteers").await;
    let activities = all_nodes(app, token, ACTIVITIES, "activities").await;
    let sign_ups = activities.iter().flat_map(|a| a["signUps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()));
    [
        volunteers.iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect(),
        activities.iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect(),
        sign_ups.collect(),
    ]
}

async fn export_ids(app: &TestApp, token: &str, dataset: &str) -> BTreeSet<String> {
    let rows = ndjson(&get(app, Some(&format!("Bearer {token}")), &format!("/export/{dataset}.ndjson")).await);
    let ids: BTreeSet<String> = rows.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), rows.len(), "{dataset}: one row per id");
    ids
}

both_backends! {
    async fn every_principal_exports_exactly_the_volunteer_rows_graphql_lists_for_it(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let unit = Fixture::unit(&app, "松园卫生站").await.seated_in(&app, &songyuan).await;
        let elder = Fixture::category(&app, "elder-care").await;
        let soon = Utc::now() + Duration::days(3);
        let mut volunteers = Vec::new();
        for c in [&songyuan, &zhuxi] {
            let a = Fixture::activity(&app, c, &elder, "敬老探访", soon, soon + Duration::hours(2), 10).await;
            for name in ["甲", "乙"] {
                let v = Fixture::volunteer(&app, c, &format!("{name}{}", c.code)).await;
                app.ok(Some(&v.token(&app)), "mutation($i: SignUpInput!) { signUp(input: $i) { signUp { id } } }", json!({ "i": { "activityId": a } }))
                    .await;
                volunteers.push(v);
            }
        }
        // The other street: a volunteer, an activity and a sign-up of its own.
        let other = other_street(&app, &[]).await;
        let xiyuan_staff = app.token(Role::CommunityStaff, "xiyuan");
        let xv = app
            .ok(
                Some(&xiyuan_staff),
                "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { volunteer { person { id uuid } } } }",
                json!({ "i": { "communityId": other.community_id, "name": "西园义工", "phone": "13700000000" } }),
            )
            .await;
        let xa = app
            .ok(
                Some(&xiyuan_staff),
                "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id } } }",
                json!({ "i": { "communityId": other.community_id, "categoryId": elder, "title": "西园探访", "place": "西园",
                    "startsAt": soon.to_rfc3339(), "endsAt": (soon + Duration::hours(1)).to_rfc3339(), "capacity": 5 } }),
            )
            .await;
        let xperson = xv["registerVolunteer"]["volunteer"]["person"]["uuid"].as_str().unwrap().to_owned();
        app.ok(
            Some(&app.token(Role::Member, &xperson)),
            "mutation($i: SignUpInput!) { signUp(input: $i) { signUp { id } } }",
            json!({ "i": { "activityId": xa["createActivity"]["activity"]["id"] } }),
        )
        .await;

        let principals = [
            ("street admin", app.street_admin()),
            ("community admin", songyuan.admin(&app)),
            ("community staff", songyuan.staff(&app)),
            ("unit", unit.token(&app)),
            ("member who volunteers", volunteers[0].token(&app)),
            ("reporter", app.token(Role::Reporter, "meiling-street")),
            ("city admin", app.token(Role::CityAdmin, "jinjiang")),
            ("the other street's admin", app.token(Role::StreetAdmin, "xiyuan-street")),
        ];
        for (who, token) in &principals {
            let expected = graphql_ids(&app, token).await;
            for (dataset, expected) in ["volunteers", "activities", "sign-ups"].into_iter().zip(expected) {
                let got = export_ids(&app, token, dataset).await;
                assert_eq!(got, expected, "[{}] {who}: {dataset}", backend.name());
            }
        }
        // The fixture is the one meant: staff of 松园 export its two volunteers, the volunteer
        // their own row, the reporter, the city and the unit none, the other street its own.
        let count = |i: usize, t: &str| {
            let (app, t) = (&app, t.to_owned());
            async move { export_ids(app, &t, ["volunteers", "activities", "sign-ups"][i]).await.len() }
        };
        assert_eq!(count(0, &principals[2].1).await, 2);
        assert_eq!(count(2, &principals[2].1).await, 2);
        assert_eq!((count(0, &principals[4].1).await, count(2, &principals[4].1).await), (1, 1));
        for i in [3, 5, 6] {
            for d in 0..3 {
                assert_eq!(count(d, &principals[i].1).await, 0, "{} {d}", principals[i].0);
            }
        }
        assert_eq!((count(0, &principals[7].1).await, count(1, &principals[7].1).await, count(2, &principals[7].1).await), (1, 1, 1));
        for dataset in ["volunteers", "activities", "sign-ups", "volunteer-figures", "organisation-figures"] {
            let got = get(&app, None, &format!("/export/{dataset}.csv")).await;
            assert_eq!((got.status, got.code().as_str()), (401, "UNAUTHENTICATED"), "{dataset}");
        }
    }
}
