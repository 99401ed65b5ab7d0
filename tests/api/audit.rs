//! Every mutation leaves exactly one audit record in its transaction; a failed one leaves none.
//! The audit log is read by street and community administrators, scoped.

use entity::audit_log;
use gongzhi::auth::Role;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{Value, json};

use crate::support::TestApp;

async fn records(app: &TestApp) -> u64 {
    audit_log::Entity::find().count(&app.db).await.unwrap()
}

async fn last(app: &TestApp) -> audit_log::Model {
    audit_log::Entity::find().order_by_desc(audit_log::Column::Id).one(&app.db).await.unwrap().unwrap()
}

/// Runs a mutation that must succeed and leave exactly one record of `action`.
pub async fn audited(app: &TestApp, token: &str, action: &str, query: &str, vars: Value) -> Value {
    let before = records(app).await;
    let data = app.ok(Some(token), query, vars).await;
    assert_eq!(records(app).await, before + 1, "[{}] {action} must leave exactly one audit record", app.backend.name());
    let rec = last(app).await;
    assert_eq!(rec.action, action);
    assert!(!rec.request_id.is_empty() && rec.request_id != "-");
    data
}

/// Runs a mutation that must fail and leave no record.
pub async fn refused(app: &TestApp, token: Option<&str>, query: &str, vars: Value) -> String {
    let before = records(app).await;
    let code = app.error_code(token, query, vars).await;
    assert_eq!(records(app).await, before, "[{}] a failed mutation left an audit record ({code})", app.backend.name());
    code
}

both_backends! {
    async fn organisation_mutations_are_audited_once_and_failures_not_at_all(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let admin = app.token(Role::CommunityAdmin, "zhuyuan");
        let data = app
            .ok(
                Some(&admin),
                r#"{ community(code: "zhuyuan") { id partyOrganizations { id kind } } units(first: 20) { edges { node { id code } } } }"#,
                json!({}),
            )
            .await;
        let zhuyuan = data["community"]["id"].as_str().unwrap().to_owned();
        let branch = data["community"]["partyOrganizations"].as_array().unwrap().iter().find(|o| o["kind"] == "COMMUNITY_BRANCH").unwrap()
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();

        let create = "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }";
        let c = audited(&app, &admin, "createCompound", create, json!({ "i": { "communityId": zhuyuan, "name": "审计小区" } })).await;
        let compound = c["createCompound"]["compound"]["id"].as_str().unwrap().to_owned();
        assert_eq!(refused(&app, Some(&admin), create, json!({ "i": { "communityId": zhuyuan, "name": "审计小区" } })).await, "CONFLICT");

        let update = "mutation($i: UpdateCompoundInput!) { updateCompound(input: $i) { compound { id } } }";
        audited(&app, &admin, "updateCompound", update, json!({ "i": { "id": compound, "households": 12 } })).await;
        assert_eq!(
            refused(&app, Some(&admin), update, json!({ "i": { "id": compound, "expectedVersion": 1, "households": 13 } })).await,
            "CONFLICT"
        );

        let branch_m = "mutation($i: CreatePartyBranchInput!) { createPartyBranch(input: $i) { partyOrganization { id } } }";
        audited(&app, &admin, "createPartyBranch", branch_m, json!({ "i": { "compoundId": compound, "name": "审计小区党支部" } })).await;
        assert_eq!(refused(&app, Some(&admin), branch_m, json!({ "i": { "compoundId": compound, "name": "x" } })).await, "CONFLICT");

        let seated = app.ok(Some(&admin), r#"{ community(code: "zhuyuan") { units { code } } }"#, json!({})).await;
        let seated: Vec<String> =
            seated["community"]["units"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap().to_owned()).collect();
        let unit = data["units"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| !seated.contains(&e["node"]["code"].as_str().unwrap().to_owned()))
            .unwrap()["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let add = "mutation($i: AddCommitteeMembershipInput!) { addCommitteeMembership(input: $i) { membership { id } } }";
        let m = audited(&app, &admin, "addCommitteeMembership", add, json!({ "i": { "communityId": zhuyuan, "unitId": unit } })).await;
        let seat = m["addCommitteeMembership"]["membership"]["id"].as_str().unwrap().to_owned();
        let end = "mutation($i: EndCommitteeMembershipInput!) { endCommitteeMembership(input: $i) { membership { id } } }";
        audited(&app, &admin, "endCommitteeMembership", end, json!({ "i": { "id": seat } })).await;
        assert_eq!(refused(&app, Some(&admin), end, json!({ "i": { "id": seat } })).await, "CONFLICT");

        let register = "mutation($i: RegisterPartyMemberInput!) { registerPartyMember(input: $i) { member { id } } }";
        let r = audited(
            &app,
            &admin,
            "registerPartyMember",
            register,
            json!({ "i": { "communityId": zhuyuan, "name": "审计员", "phone": "13812345678", "kind": "RESIDENT", "branchId": branch } }),
        )
        .await;
        let member = r["registerPartyMember"]["member"]["id"].as_str().unwrap().to_owned();
        let upd = "mutation($i: UpdatePartyMemberInput!) { updatePartyMember(input: $i) { member { id } } }";
        audited(&app, &admin, "updatePartyMember", upd, json!({ "i": { "id": member, "phone": "13900000000" } })).await;
        let rec = last(&app).await;
        assert!(!rec.summary.contains("13900000000"), "personal data must not reach the audit log: {}", rec.summary);
        assert_eq!(rec.principal_kind, "COMMUNITY_ADMIN");
        assert_eq!(rec.principal, "community-admin:zhuyuan");

        // Refused for role or scope: nothing recorded.
        assert_eq!(
            refused(
                &app,
                Some(&app.token(Role::CommunityStaff, "zhuyuan")),
                create,
                json!({ "i": { "communityId": zhuyuan, "name": "y" } })
            )
            .await,
            "FORBIDDEN"
        );
        assert_eq!(refused(&app, None, create, json!({ "i": { "communityId": zhuyuan, "name": "y" } })).await, "UNAUTHENTICATED");
    }
}

both_backends! {
    async fn the_audit_log_is_read_by_administrators_in_their_scope(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let q = r#"{ community(code: "$C") { id } }"#;
        let zhuyuan = app.ok(Some(&app.street_admin()), &q.replace("$C", "zhuyuan"), json!({})).await["community"]["id"].clone();
        let meiling = app.ok(Some(&app.street_admin()), &q.replace("$C", "meiling"), json!({})).await["community"]["id"].clone();
        let create = "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }";
        app.ok(Some(&app.token(Role::CommunityAdmin, "zhuyuan")), create, json!({ "i": { "communityId": zhuyuan, "name": "甲" } })).await;
        app.ok(Some(&app.token(Role::CommunityAdmin, "meiling")), create, json!({ "i": { "communityId": meiling, "name": "乙" } })).await;

        let log = "{ auditLog(last: 50) { totalCount edges { node { action principalKind principal objectType objectId community { code } summary requestId at } } } }";
        let street = app.ok(Some(&app.street_admin()), log, json!({})).await;
        assert_eq!(street["auditLog"]["totalCount"], 2);
        let own = app.ok(Some(&app.token(Role::CommunityAdmin, "zhuyuan")), log, json!({})).await;
        assert_eq!(own["auditLog"]["totalCount"], 1);
        assert_eq!(own["auditLog"]["edges"][0]["node"]["community"]["code"], "zhuyuan");
        let filtered = app
            .ok(
                Some(&app.street_admin()),
                r#"query($c: ID!) { auditLog(filter: { communityId: $c, action: "createCompound" }) { totalCount } }"#,
                json!({ "c": meiling }),
            )
            .await;
        assert_eq!(filtered["auditLog"]["totalCount"], 1);
        for role in [Role::CommunityStaff, Role::Reporter] {
            let anchor = if role == Role::Reporter { "meiling-street" } else { "zhuyuan" };
            assert_eq!(app.error_code(Some(&app.token(role, anchor)), log, json!({})).await, "FORBIDDEN");
        }
        assert_eq!(app.error_code(Some(&app.token(Role::Unit, "police")), log, json!({})).await, "FORBIDDEN");
    }
}
