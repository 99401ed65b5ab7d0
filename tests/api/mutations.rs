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

async fn community_id(app: &TestApp, code: &str) -> String {
    let data = app.ok(Some(&app.street_admin()), "query($c: String!) { community(code: $c) { id } }", json!({ "c": code })).await;
    data["community"]["id"].as_str().unwrap().to_owned()
}

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"].as_str().unwrap_or_default()
}

both_backends! {
    async fn compounds_are_created_by_administrators_of_their_community_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let police = Fixture::unit(&app, "竹溪派出所").await.seated_in(&app, &zhuxi).await;
        let (zhuyuan, meiling) = (songyuan.id.clone(), zhuxi.id.clone());
        let before = compound::Entity::find().count(&app.db).await.unwrap();
        let input = |community: &str, name: &str| json!({ "input": { "communityId": community, "name": name, "builtYear": 2012, "households": 240 } });

        let admin = songyuan.admin(&app);
        let data = app.ok(Some(&admin), CREATE_COMPOUND, input(&zhuyuan, "竹园新苑")).await;
        assert_eq!(data["createCompound"]["compound"]["community"]["code"], songyuan.code.as_str());
        assert_eq!(data["createCompound"]["compound"]["version"], 1);

        let refused = [
            (Some(songyuan.staff(&app)), zhuyuan.clone(), "FORBIDDEN"),
            (Some(admin.clone()), meiling.clone(), "NOT_FOUND"),
            (Some(app.token(Role::Reporter, "meiling-street")), zhuyuan.clone(), "FORBIDDEN"),
            (Some(police.token(&app)), meiling.clone(), "FORBIDDEN"),
            (None, zhuyuan.clone(), "UNAUTHENTICATED"),
        ];
        for (token, community, expected) in refused {
            let code = app.error_code(token.as_deref(), CREATE_COMPOUND, input(&community, "某某小区")).await;
            assert_eq!(code, expected, "[{}]", backend.name());
        }

        let (_, body) = app.post(Some(&admin), CREATE_COMPOUND, input(&zhuyuan, "  ")).await;
        assert_eq!((body["errors"][0]["extensions"]["code"].as_str(), field(&body)), (Some("BAD_USER_INPUT"), "name"));
        let (_, body) = app
            .post(Some(&admin), CREATE_COMPOUND, json!({ "input": { "communityId": zhuyuan, "name": "老街", "builtYear": 1800 } }))
            .await;
        assert_eq!(field(&body), "builtYear");
        let (_, body) = app.post(Some(&admin), CREATE_COMPOUND, json!({ "input": { "communityId": "bm9wZQ==", "name": "x" } })).await;
        assert_eq!(field(&body), "communityId");
        let code = app.error_code(Some(&admin), CREATE_COMPOUND, input(&zhuyuan, "竹园新苑")).await;
        assert_eq!(code, "CONFLICT");

        let after = compound::Entity::find().count(&app.db).await.unwrap();
        assert_eq!(after, before + 1, "[{}] refused mutations must write nothing", backend.name());

        // The street admin may act in every community of the street.
        app.ok(Some(&app.street_admin()), CREATE_COMPOUND, input(&meiling, "梅岭新村")).await;
    }
}

both_backends! {
    async fn updates_take_expected_versions_and_never_lose_one(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let data = app
            .ok(Some(&staff), r#"{ community(code: "zhuyuan") { compounds(first: 1) { edges { node { id version } } } } }"#, json!({}))
            .await;
        let id = data["community"]["compounds"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();

        let data = app.ok(Some(&staff), UPDATE_COMPOUND, json!({ "input": { "id": id, "expectedVersion": 1, "households": 700 } })).await;
        assert_eq!(data["updateCompound"]["compound"]["version"], 2);
        let code =
            app.error_code(Some(&staff), UPDATE_COMPOUND, json!({ "input": { "id": id, "expectedVersion": 1, "households": 1 } })).await;
        assert_eq!(code, "CONFLICT");

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
        let other = app.token(Role::CommunityStaff, "meiling");
        assert_eq!(app.error_code(Some(&other), UPDATE_COMPOUND, json!({ "input": { "id": id, "households": 1 } })).await, "NOT_FOUND");
    }
}

both_backends! {
    async fn branches_and_committee_seats(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let admin = app.token(Role::CommunityAdmin, "zhuyuan");
        let zhuyuan = community_id(&app, "zhuyuan").await;
        let data = app.ok(Some(&admin), CREATE_COMPOUND, json!({ "input": { "communityId": zhuyuan, "name": "竹园东区" } })).await;
        let compound = data["createCompound"]["compound"]["id"].as_str().unwrap().to_owned();
        let branch = r#"mutation($input: CreatePartyBranchInput!) { createPartyBranch(input: $input) { partyOrganization { id kind name parent { kind } compound { name } } } }"#;
        let data = app.ok(Some(&admin), branch, json!({ "input": { "compoundId": compound, "name": "竹园东区党支部" } })).await;
        let org = &data["createPartyBranch"]["partyOrganization"];
        assert_eq!(org["kind"], "COMPOUND_BRANCH");
        assert_eq!(org["parent"]["kind"], "JOINT_COMMITTEE");
        assert_eq!(org["compound"]["name"], "竹园东区");
        assert_eq!(app.error_code(Some(&admin), branch, json!({ "input": { "compoundId": compound, "name": "again" } })).await, "CONFLICT");

        // Seat a unit that is not yet on 竹园's committee; the unit's scope follows.
        let data = app
            .ok(
                Some(&admin),
                r#"{ community(code: "zhuyuan") { units { code } } units(first: 20) { edges { node { id code } } } }"#,
                json!({}),
            )
            .await;
        let seated: Vec<&str> = data["community"]["units"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
        let (unit_id, unit_code) = data["units"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["node"]["id"].as_str().unwrap().to_owned(), e["node"]["code"].as_str().unwrap().to_owned()))
            .find(|(_, code)| !seated.contains(&code.as_str()))
            .expect("a unit not on 竹园's committee");
        let before = app.ok(Some(&app.token(Role::Unit, &unit_code)), r#"{ community(code: "zhuyuan") { id } }"#, json!({})).await;
        assert!(before["community"].is_null());
        let add = r#"mutation($input: AddCommitteeMembershipInput!) { addCommitteeMembership(input: $input) { membership { id active version unit { code } } } }"#;
        let data =
            app.ok(Some(&admin), add, json!({ "input": { "communityId": zhuyuan, "unitId": unit_id, "since": "2024-01-01" } })).await;
        let seat = data["addCommitteeMembership"]["membership"]["id"].as_str().unwrap().to_owned();
        assert_eq!(data["addCommitteeMembership"]["membership"]["active"], true);
        assert_eq!(app.error_code(Some(&admin), add, json!({ "input": { "communityId": zhuyuan, "unitId": unit_id } })).await, "CONFLICT");
        let unit_token = gongzhi::auth::Keys::new(crate::support::SECRET);
        let _ = unit_token;
        let after = app.ok(Some(&app.token(Role::Unit, &unit_code)), r#"{ community(code: "zhuyuan") { code } }"#, json!({ "x": 1 })).await;
        assert_eq!(after["community"]["code"], "zhuyuan", "[{}] a seated unit sees the community", backend.name());
        assert_eq!(
            app.error_code(
                Some(&app.token(Role::CommunityStaff, "zhuyuan")),
                add,
                json!({ "input": { "communityId": zhuyuan, "unitId": unit_id } })
            )
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
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let zhuyuan = community_id(&app, "zhuyuan").await;
        let data = app
            .ok(
                Some(&staff),
                r#"{ community(code: "zhuyuan") { partyOrganizations { id kind } } meiling: community(code: "meiling") { id } }"#,
                json!({}),
            )
            .await;
        let branch = data["community"]["partyOrganizations"].as_array().unwrap().iter().find(|o| o["kind"] == "COMMUNITY_BRANCH").unwrap()
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let register = r#"mutation($input: RegisterPartyMemberInput!) { registerPartyMember(input: $input) { member { id kind version workUnit person { id name phone personalDataVisible } branch { id } } } }"#;
        let input = json!({ "input": {
            "communityId": zhuyuan, "name": "林晓东", "phone": "13900001111", "idNumber": "350582199001011234",
            "kind": "IN_SERVICE", "branchId": branch, "workUnit": "晋江市税务局", "organizationRelation": "晋江市税务局机关党委"
        } });
        let data = app.ok(Some(&staff), register, input.clone()).await;
        let member = &data["registerPartyMember"]["member"];
        assert_eq!(member["person"]["phone"], "13900001111");
        assert_eq!(member["kind"], "IN_SERVICE");
        let member_id = member["id"].as_str().unwrap().to_owned();
        let person_id = member["person"]["id"].as_str().unwrap().to_owned();

        // The same person twice in one community is a conflict; a bad phone names the field.
        let again = json!({ "input": { "communityId": zhuyuan, "personId": person_id, "kind": "RESIDENT" } });
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
        let other = app.token(Role::CommunityStaff, "meiling");
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
        let meiling_branch = app
            .ok(Some(&app.street_admin()), r#"{ community(code: "meiling") { partyOrganizations { id kind } } }"#, json!({}))
            .await["community"]["partyOrganizations"][1]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_, body) = app.post(Some(&staff), update, json!({ "input": { "id": member_id, "branchId": meiling_branch } })).await;
        assert_eq!(field(&body), "branchId");
    }
}
