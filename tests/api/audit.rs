//! Every mutation leaves exactly one audit record in its transaction; a failed one leaves none.
//! The audit log is read by street and community administrators, scoped.

use entity::audit_log;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{Value, json};

use crate::fixtures::Fixture;
use crate::support::TestApp;

/// How many audit records there are.
pub async fn records(app: &TestApp) -> u64 {
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
        let songyuan = Fixture::community(&app, "松园").await;
        let admin = songyuan.admin(&app);

        let create = "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }";
        let c = audited(&app, &admin, "createCompound", create, json!({ "i": { "communityId": songyuan.id, "name": "审计小区" } })).await;
        let compound = c["createCompound"]["compound"]["id"].as_str().unwrap().to_owned();
        assert_eq!(refused(&app, Some(&admin), create, json!({ "i": { "communityId": songyuan.id, "name": "审计小区" } })).await, "CONFLICT");

        let update = "mutation($i: UpdateCompoundInput!) { updateCompound(input: $i) { compound { id } } }";
        audited(&app, &admin, "updateCompound", update, json!({ "i": { "id": compound, "households": 12 } })).await;
        assert_eq!(
            refused(&app, Some(&admin), update, json!({ "i": { "id": compound, "expectedVersion": 1, "households": 13 } })).await,
            "CONFLICT"
        );

        let branch_m = "mutation($i: CreatePartyBranchInput!) { createPartyBranch(input: $i) { partyOrganization { id } } }";
        audited(&app, &admin, "createPartyBranch", branch_m, json!({ "i": { "compoundId": compound, "name": "审计小区党支部" } })).await;
        assert_eq!(refused(&app, Some(&admin), branch_m, json!({ "i": { "compoundId": compound, "name": "x" } })).await, "CONFLICT");

        let unit = Fixture::unit(&app, "松园物业").await.id;
        let add = "mutation($i: AddCommitteeMembershipInput!) { addCommitteeMembership(input: $i) { membership { id } } }";
        let m = audited(&app, &admin, "addCommitteeMembership", add, json!({ "i": { "communityId": songyuan.id, "unitId": unit } })).await;
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
            json!({ "i": { "communityId": songyuan.id, "name": "审计员", "phone": "13812345678", "kind": "RESIDENT", "branchId": songyuan.branch } }),
        )
        .await;
        let member = r["registerPartyMember"]["member"]["id"].as_str().unwrap().to_owned();
        let upd = "mutation($i: UpdatePartyMemberInput!) { updatePartyMember(input: $i) { member { id } } }";
        audited(&app, &admin, "updatePartyMember", upd, json!({ "i": { "id": member, "phone": "13900000000" } })).await;
        let rec = last(&app).await;
        assert!(!rec.summary.contains("13900000000"), "personal data must not reach the audit log: {}", rec.summary);
        assert_eq!(rec.principal_kind, "COMMUNITY_ADMIN");
        assert_eq!(rec.principal, format!("community-admin:{}", songyuan.code));

        // Refused for role or scope: nothing recorded.
        assert_eq!(
            refused(
                &app,
                Some(&songyuan.staff(&app)),
                create,
                json!({ "i": { "communityId": songyuan.id, "name": "y" } })
            )
            .await,
            "FORBIDDEN"
        );
        assert_eq!(refused(&app, None, create, json!({ "i": { "communityId": songyuan.id, "name": "y" } })).await, "UNAUTHENTICATED");
    }
}

both_backends! {
    async fn the_audit_log_is_read_by_administrators_in_their_scope(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let songyuan = songjiang.community(&app, "松园").await;
        let zhuxi = songjiang.community(&app, "竹溪").await;
        let elsewhere = Fixture::community(&app, "梅岭街道的另一个社区").await;
        let station = Fixture::unit(&app, "松园派出所").await.seated_in(&app, &songyuan).await;
        for (community, name) in [(&songyuan, "甲"), (&zhuxi, "乙"), (&elsewhere, "丙")] {
            Fixture::compound(&app, community, name).await;
        }

        let log = "{ auditLog(last: 50) { totalCount edges { node { action principalKind principal objectType objectId community { code } summary requestId at } } } }";
        let street = app.ok(Some(&songjiang.admin(&app)), log, json!({})).await;
        // The station's seat and a compound in 松园, a compound in 竹溪; not the other street's.
        assert_eq!(street["auditLog"]["totalCount"], 3, "[{}] the street's records only: {street}", backend.name());
        let own = app.ok(Some(&songyuan.admin(&app)), log, json!({})).await;
        assert_eq!(own["auditLog"]["totalCount"], 2);
        for edge in own["auditLog"]["edges"].as_array().unwrap() {
            assert_eq!(edge["node"]["community"]["code"], songyuan.code.as_str(), "[{}] {edge}", backend.name());
        }
        let filtered = app
            .ok(
                Some(&songjiang.admin(&app)),
                r#"query($c: ID!) { auditLog(filter: { communityId: $c, action: "createCompound" }) { totalCount } }"#,
                json!({ "c": zhuxi.id }),
            )
            .await;
        assert_eq!(filtered["auditLog"]["totalCount"], 1);
        for token in [songyuan.staff(&app), songjiang.reporter(&app), station.token(&app)] {
            assert_eq!(app.error_code(Some(&token), log, json!({})).await, "FORBIDDEN");
        }
    }
}
