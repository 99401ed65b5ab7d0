//! Mutations of the organisation graph: roles, scope, validation, conflicts, no partial writes.

use entity::compound;
use gongzhi::auth::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::fixtures::Fixture;
use crate::support::TestApp;

const CREATE_COMPOUND: &str =
    r#"mutation($input: CreateCompoundInput!) { createCompound(input: $input) { compound { id name version community { code } } } }"#;
const UPDATE_COMPOUND: &str =
    r#"mutation($input: UpdateCompoundInput!) { updateCompound(input: $input) { compound { id households version } } }"#;

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"].as_str().unwrap_or_default()
}

both_backends! {
    async fn compounds_are_created_by_administrators_of_their_community_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let station = Fixture::unit(&app, "竹溪派出所").await.seated_in(&app, &zhuxi).await;
        let before = compound::Entity::find().count(&app.db).await.unwrap();
        let input = |community: &str, name: &str| json!({ "input": { "communityId": community, "name": name, "builtYear": 2012, "households": 240 } });

        let admin = songyuan.admin(&app);
        let data = app.ok(Some(&admin), CREATE_COMPOUND, input(&songyuan.id, "松园新苑")).await;
        assert_eq!(data["createCompound"]["compound"]["community"]["code"], songyuan.code.as_str());
        assert_eq!(data["createCompound"]["compound"]["version"], 1);

        let refused = [
            (Some(songyuan.staff(&app)), songyuan.id.clone(), "FORBIDDEN"),
            (Some(admin.clone()), zhuxi.id.clone(), "NOT_FOUND"),
            (Some(app.token(Role::Reporter, &songyuan.street_code)), songyuan.id.clone(), "FORBIDDEN"),
            (Some(station.token(&app)), zhuxi.id.clone(), "FORBIDDEN"),
            (None, songyuan.id.clone(), "UNAUTHENTICATED"),
        ];
        for (token, community, expected) in refused {
            let code = app.error_code(token.as_deref(), CREATE_COMPOUND, input(&community, "某某小区")).await;
            assert_eq!(code, expected, "[{}]", backend.name());
        }

        let (_, body) = app.post(Some(&admin), CREATE_COMPOUND, input(&songyuan.id, "  ")).await;
        assert_eq!((body["errors"][0]["extensions"]["code"].as_str(), field(&body)), (Some("BAD_USER_INPUT"), "name"));
        let (_, body) = app
            .post(Some(&admin), CREATE_COMPOUND, json!({ "input": { "communityId": songyuan.id, "name": "老街", "builtYear": 1800 } }))
            .await;
        assert_eq!(field(&body), "builtYear");
        let (_, body) = app.post(Some(&admin), CREATE_COMPOUND, json!({ "input": { "communityId": "bm9wZQ==", "name": "x" } })).await;
        assert_eq!(field(&body), "communityId");
        let code = app.error_code(Some(&admin), CREATE_COMPOUND, input(&songyuan.id, "松园新苑")).await;
        assert_eq!(code, "CONFLICT");

        let after = compound::Entity::find().count(&app.db).await.unwrap();
        assert_eq!(after, before + 1, "[{}] refused mutations must write nothing", backend.name());

        // The street admin may act in every community of the street.
        app.ok(Some(&zhuxi.street_admin(&app)), CREATE_COMPOUND, input(&zhuxi.id, "竹溪新村")).await;
    }
}

both_backends! {
    async fn updates_take_expected_versions_and_never_lose_one(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let id = Fixture::compound(&app, &songyuan, "松园新村").await;
        let staff = songyuan.staff(&app);

        let data = app.ok(Some(&staff), UPDATE_COMPOUND, json!({ "input": { "id": id, "expectedVersion": 1, "households": 700 } })).await;
        assert_eq!(data["updateCompound"]["compound"]["version"], 2);
        let (_, stale) = app.post(Some(&staff), UPDATE_COMPOUND, json!({ "input": { "id": id, "expectedVersion": 1, "households": 1 } })).await;
        let ext = &stale["errors"][0]["extensions"];
        assert_eq!((&ext["code"], &ext["reason"], &ext["retryable"]), (&json!("CONFLICT"), &json!("VERSION_MISMATCH"), &json!(false)), "{stale}");

        // Two concurrent updates from the same version: exactly one wins.
        let a = app.post(Some(&staff), UPDATE_COMPOUND, json!({ "input": { "id": id, "expectedVersion": 2, "households": 710 } }));
        let b = app.post(Some(&staff), UPDATE_COMPOUND, json!({ "input": { "id": id, "expectedVersion": 2, "households": 720 } }));
        let ((_, a), (_, b)) = tokio::join!(a, b);
        let codes: Vec<&str> = [&a, &b].iter().map(|r| r["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK")).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(sorted, ["CONFLICT", "OK"], "[{}] {a} {b}", backend.name());
        let data =
            app.ok(Some(&staff), "query($id: ID!) { node(id: $id) { ... on Compound { households version } } }", json!({ "id": id })).await;
        assert_eq!(data["node"]["version"], 3);

        // Another community's compound is not found, and a member may not change it.
        let other = zhuxi.staff(&app);
        assert_eq!(app.error_code(Some(&other), UPDATE_COMPOUND, json!({ "input": { "id": id, "households": 1 } })).await, "NOT_FOUND");
    }
}

both_backends! {
    async fn branches_and_committee_seats(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let admin = songyuan.admin(&app);
        let data = app.ok(Some(&admin), CREATE_COMPOUND, json!({ "input": { "communityId": songyuan.id, "name": "松园东区" } })).await;
        let compound = data["createCompound"]["compound"]["id"].as_str().unwrap().to_owned();
        let branch = r#"mutation($input: CreatePartyBranchInput!) { createPartyBranch(input: $input) { partyOrganization { id kind name parent { kind } compound { name } } } }"#;
        let data = app.ok(Some(&admin), branch, json!({ "input": { "compoundId": compound, "name": "松园东区党支部" } })).await;
        let org = &data["createPartyBranch"]["partyOrganization"];
        assert_eq!(org["kind"], "COMPOUND_BRANCH");
        assert_eq!(org["parent"]["kind"], "JOINT_COMMITTEE");
        assert_eq!(org["compound"]["name"], "松园东区");
        assert_eq!(app.error_code(Some(&admin), branch, json!({ "input": { "compoundId": compound, "name": "again" } })).await, "CONFLICT");

        // Seat a unit that is not yet on 松园's committee; the unit's scope follows.
        let property = Fixture::unit(&app, "松园物业").await;
        let seen = "query($c: String!) { community(code: $c) { code } }";
        let before = app.ok(Some(&property.token(&app)), seen, json!({ "c": songyuan.code })).await;
        assert!(before["community"].is_null());
        let add = r#"mutation($input: AddCommitteeMembershipInput!) { addCommitteeMembership(input: $input) { membership { id active version unit { code } } } }"#;
        let data = app
            .ok(Some(&admin), add, json!({ "input": { "communityId": songyuan.id, "unitId": property.id, "since": "2024-01-01" } }))
            .await;
        let seat = data["addCommitteeMembership"]["membership"]["id"].as_str().unwrap().to_owned();
        assert_eq!(data["addCommitteeMembership"]["membership"]["active"], true);
        assert_eq!(data["addCommitteeMembership"]["membership"]["unit"]["code"], property.code.as_str());
        assert_eq!(
            app.error_code(Some(&admin), add, json!({ "input": { "communityId": songyuan.id, "unitId": property.id } })).await,
            "CONFLICT"
        );
        let after = app.ok(Some(&property.token(&app)), seen, json!({ "c": songyuan.code })).await;
        assert_eq!(after["community"]["code"], songyuan.code.as_str(), "[{}] a seated unit sees the community", backend.name());
        assert_eq!(
            app.error_code(Some(&songyuan.staff(&app)), add, json!({ "input": { "communityId": songyuan.id, "unitId": property.id } }))
                .await,
            "FORBIDDEN"
        );

        let end = r#"mutation($input: EndCommitteeMembershipInput!) { endCommitteeMembership(input: $input) { membership { active until version } } }"#;
        let (_, body) = app.post(Some(&admin), end, json!({ "input": { "id": seat, "until": "2020-01-01" } })).await;
        assert_eq!(field(&body), "until");
        assert_eq!(app.error_code(Some(&admin), end, json!({ "input": { "id": seat, "expectedVersion": 7 } })).await, "CONFLICT");
        let data = app.ok(Some(&admin), end, json!({ "input": { "id": seat, "expectedVersion": 1 } })).await;
        assert_eq!(data["endCommitteeMembership"]["membership"]["active"], false);
        assert_eq!(app.error_code(Some(&admin), end, json!({ "input": { "id": seat } })).await, "CONFLICT");
    }
}

both_backends! {
    async fn party_members_are_registered_and_updated_by_staff(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let staff = songyuan.staff(&app);
        let register = r#"mutation($input: RegisterPartyMemberInput!) { registerPartyMember(input: $input) { member { id kind version workUnit person { id uuid name phone personalDataVisible } branch { id } } } }"#;
        let input = json!({ "input": {
            "communityId": songyuan.id, "name": "林晓东", "phone": "13900001111", "idNumber": "350582199001011234",
            "kind": "IN_SERVICE", "branchId": songyuan.branch, "workUnit": "晋江市税务局", "organizationRelation": "晋江市税务局机关党委"
        } });
        let data = app.ok(Some(&staff), register, input.clone()).await;
        let member = &data["registerPartyMember"]["member"];
        assert_eq!(member["person"]["phone"], "13900001111");
        assert_eq!(member["kind"], "IN_SERVICE");
        assert_eq!(member["branch"]["id"], songyuan.branch.as_str());
        let member_id = member["id"].as_str().unwrap().to_owned();
        let person_id = member["person"]["uuid"].as_str().unwrap().to_owned();

        // The same person twice in one community is a conflict; a bad phone names the field.
        let again = json!({ "input": { "communityId": songyuan.id, "personId": person_id, "kind": "RESIDENT" } });
        assert_eq!(app.error_code(Some(&staff), register, again).await, "CONFLICT");
        let mut bad = input.clone();
        bad["input"]["phone"] = json!("call me");
        let (_, body) = app.post(Some(&staff), register, bad).await;
        assert_eq!(field(&body), "phone");
        let mut bad = input.clone();
        bad["input"]["idNumber"] = json!("123");
        let (_, body) = app.post(Some(&staff), register, bad).await;
        assert_eq!(field(&body), "idNumber");

        // The person sees their own data in full; the ID number is stored only as a hash.
        let me = app.token(Role::Member, &person_id);
        let data = app.ok(Some(&me), "{ viewer { person { phone personalDataVisible } } }", json!({})).await;
        assert_eq!(data["viewer"]["person"]["phone"], "13900001111");
        let stored = entity::person::Entity::find_by_id(person_id.parse::<uuid::Uuid>().unwrap()).one(&app.db).await.unwrap().unwrap();
        assert!(stored.id_number_hash.as_deref().is_some_and(|h| h.len() == 64 && !h.contains("350582")));

        // Staff of another community neither see nor change the member.
        let other = zhuxi.staff(&app);
        let update = r#"mutation($input: UpdatePartyMemberInput!) { updatePartyMember(input: $input) { member { version workUnit } } }"#;
        assert_eq!(app.error_code(Some(&other), update, json!({ "input": { "id": member_id, "workUnit": "x" } })).await, "NOT_FOUND");
        assert_eq!(app.error_code(Some(&me), update, json!({ "input": { "id": member_id, "workUnit": "x" } })).await, "FORBIDDEN");
        let data =
            app.ok(Some(&staff), update, json!({ "input": { "id": member_id, "expectedVersion": 1, "workUnit": "晋江市财政局" } })).await;
        assert_eq!(data["updatePartyMember"]["member"]["version"], 2);
        assert_eq!(
            app.error_code(Some(&staff), update, json!({ "input": { "id": member_id, "expectedVersion": 1, "workUnit": "y" } })).await,
            "CONFLICT"
        );
        // Another community's branch is no branch for this member.
        let (_, body) = app.post(Some(&staff), update, json!({ "input": { "id": member_id, "branchId": zhuxi.branch } })).await;
        assert_eq!(field(&body), "branchId");
    }
}
