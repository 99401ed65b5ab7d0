//! Corners a hostile caller found: existence oracles, refusals that name what was refused,
//! who takes a task to the city, dates outside a sane window.

use gongzhi::auth::Role;
use gongzhi::graphql::node::global_id;
use serde_json::{Value, json};

use crate::collab_support::World;
use crate::support::{TestApp, backends, other_street};

/// The first error's code and message: what a caller learns from a refusal.
fn answer(body: &Value) -> (String, String) {
    let e = &body["errors"][0];
    (e["extensions"]["code"].as_str().unwrap_or("OK").to_owned(), e["message"].as_str().unwrap_or_default().to_owned())
}

/// The global id of an object of `kind` that does not exist.
fn nonexistent(kind: &str) -> String {
    global_id(kind, uuid::Uuid::now_v7()).to_string()
}

#[tokio::test]
async fn an_object_outside_the_scope_answers_exactly_as_one_that_does_not_exist() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let w = World::read(&app).await;
        let seats = app
            .ok(
                Some(&app.street_admin()),
                r#"{ community(code: "meiling") { jointCommittee { memberships { id unit { code } } } } }"#,
                json!({}),
            )
            .await;
        let police_seat =
            seats["community"]["jointCommittee"]["memberships"].as_array().unwrap().iter().find(|m| m["unit"]["code"] == "police").unwrap()
                ["id"]
                .as_str()
                .unwrap()
                .to_owned();
        let staff = app.token(Role::CommunityStaff, "meiling");
        let inspection = app
            .ok(
                Some(&staff),
                "mutation($i: CreateInspectionInput!) { createInspection(input: $i) { inspection { findings { id } } } }",
                json!({ "i": { "communityId": w.meiling, "patrol": "文明劝导队", "findings": [{ "description": "路口堆放杂物", "category": "SANITATION" }] } }),
            )
            .await;
        let finding = inspection["createInspection"]["inspection"]["findings"][0]["id"].as_str().unwrap().to_owned();
        other_street(&app, &["police"]).await;

        // 市场监管 sits on 梅岭's committee but sees neither 公安's seat nor the patrol's findings;
        // 竹园's administrator and another street's administrator see nothing of 梅岭.
        let outsiders = [
            ("a unit of the same committee", app.token(Role::Unit, "market-regulation")),
            ("another community's administrator", app.token(Role::CommunityAdmin, "zhuyuan")),
            ("another street's administrator", app.token(Role::StreetAdmin, "xiyuan-street")),
        ];
        let end = "mutation($i: EndCommitteeMembershipInput!) { endCommitteeMembership(input: $i) { membership { id } } }";
        let from = "mutation($i: CreateTaskFromFindingInput!) { createTaskFromFinding(input: $i) { task { id } } }";
        let cases = [
            (
                "endCommitteeMembership",
                end,
                json!({ "i": { "id": police_seat } }),
                json!({ "i": { "id": nonexistent("CommitteeMembership") } }),
            ),
            (
                "createTaskFromFinding",
                from,
                json!({ "i": { "findingId": finding } }),
                json!({ "i": { "findingId": nonexistent("Finding") } }),
            ),
        ];
        for (who, token) in &outsiders {
            for (mutation, query, theirs, missing) in &cases {
                let (_, seen) = app.post(Some(token), query, theirs.clone()).await;
                let (_, unseen) = app.post(Some(token), query, missing.clone()).await;
                assert_eq!(answer(&seen).0, "NOT_FOUND", "[{}] {mutation} by {who}: {seen}", backend.name());
                assert_eq!(answer(&seen), answer(&unseen), "[{}] {mutation} by {who}", backend.name());
            }
        }
    }
}
