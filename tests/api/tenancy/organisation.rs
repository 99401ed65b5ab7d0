//! The organisation graph per principal: what each kind of caller sees of the street.

use super::*;

both_backends! {
    async fn community_staff_and_admins_see_only_their_community(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let zhuyuan = facts.community_by_code["zhuyuan"];
        let foreign = ids_of(&app, "meiling").await;
        assert!(foreign.len() > 20, "need ids to probe with");
        for role in [Role::CommunityAdmin, Role::CommunityStaff] {
            let label = format!("[{}] {role:?} of zhuyuan", backend.name());
            let data = probe(&app, &app.token(role, "zhuyuan"), &foreign, "heshan").await;
            check(&label, &data, &facts, &Allowed::staff(&facts, [zhuyuan]));
            assert_eq!(data["communities"]["totalCount"], 1, "{label}");
            assert_eq!(data["communities"]["edges"][0]["node"]["code"], "zhuyuan", "{label}");
            assert!(data["meiling"].is_null() && data["other"].is_null(), "{label}");
            assert!(!data["zhuyuan"].is_null(), "{label}");
            assert_eq!(data["viewer"]["communities"].as_array().unwrap().len(), 1);
            assert_all_null(&label, &data);
            // Staff see their own people in full.
            let phone = data["communities"]["edges"][0]["node"]["members"]["edges"][0]["node"]["person"]["phone"].as_str().unwrap();
            assert!(!phone.contains('*'), "{label}: staff should see phones in full");
            // Units are shared reference data, but their seats elsewhere are not visible.
            // Twelve units of 梅岭街道 and three of 青阳街道.
            assert_eq!(data["units"]["totalCount"], 15);
            for seat in data["police"]["committees"].as_array().unwrap() {
                assert_eq!(decode(seat["community"]["id"].as_str().unwrap()).unwrap().1, zhuyuan);
            }
        }
    }
}

both_backends! {
    async fn street_admins_see_the_whole_street_and_reporters_no_people(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let all: HashSet<Uuid> = facts.communities.clone();
        let garbage = vec!["Q29tbXVuaXR5OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA==".to_owned(), "not-an-id".to_owned()];
        let data = probe(&app, &app.street_admin(), &garbage, "heshan").await;
        let label = format!("[{}] street admin", backend.name());
        check(&label, &data, &facts, &Allowed::staff(&facts, all.clone()));
        assert_eq!(data["communities"]["totalCount"], 15, "{label}");
        assert!(!data["meiling"].is_null() && !data["other"].is_null());
        assert_all_null(&label, &data);

        let data = probe(&app, &app.token(Role::Reporter, "meiling-street"), &ids_of(&app, "meiling").await, "heshan").await;
        let label = format!("[{}] reporter", backend.name());
        check(&label, &data, &facts, &Allowed::structure(&facts, all));
        assert_eq!(data["communities"]["totalCount"], 15, "{label}");
        assert_eq!(data["communities"]["edges"][0]["node"]["members"]["totalCount"], 0, "{label}: reporters see no people");
        for n in data["nodes"].as_array().unwrap() {
            assert_ne!(n["__typename"], "PartyMember", "{label}: a member came back through node()");
        }
    }
}

both_backends! {
    async fn a_unit_sees_itself_and_the_committees_it_sits_on(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let water = facts.unit_by_code["water"];
        let seated = facts.seats[&water].clone();
        let (unseated_code, _) =
            facts.community_by_code.iter().find(|(_, id)| !seated.contains(id)).expect("a community without the water company");
        let mut foreign = ids_of(&app, unseated_code).await;
        // Other units' seats in a community where water sits.
        let meiling_ids = ids_of(&app, "meiling").await;
        foreign.extend(
            meiling_ids.iter().filter(|id| decode(id).is_some_and(|(k, _)| k == "CommitteeMembership" || k == "PartyMember")).cloned(),
        );
        foreign.push(gongzhi::graphql::node::global_id("CoBuildingUnit", facts.unit_by_code["police"]).to_string());
        let data = probe(&app, &app.token(Role::Unit, "water"), &foreign, unseated_code).await;
        let label = format!("[{}] unit water", backend.name());
        let mut allowed_units = HashSet::new();
        allowed_units.insert(water);
        check(&label, &data, &facts, &Allowed::unit(&facts, water, seated.clone()));
        assert_eq!(data["units"]["totalCount"], 1, "{label}");
        assert!(data["police"].is_null() && !data["water"].is_null() && data["other"].is_null(), "{label}");
        assert_eq!(data["communities"]["totalCount"], seated.len(), "{label}");
        // A unit's own seats: exactly one per community it sits on.
        let seats = data["units"]["edges"][0]["node"]["committees"].as_array().unwrap();
        assert_eq!(seats.len(), seated.len(), "{label}");
        for n in data["nodes"].as_array().unwrap() {
            if n["__typename"] == "CommitteeMembership" {
                let (_, unit) = facts.membership[&decode(n["id"].as_str().unwrap()).unwrap().1];
                assert_eq!(unit, water, "{label}: another unit's seat came back");
            } else {
                assert!(n.is_null(), "{label}: {n} came back");
            }
        }
    }
}

both_backends! {
    async fn a_member_sees_their_own_record_and_their_community(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let zhuyuan = facts.community_by_code["zhuyuan"];
        let me = party_member::Entity::find().filter(party_member::Column::CommunityId.eq(zhuyuan)).one(&app.db).await.unwrap().unwrap();
        let data = probe(&app, &app.token(Role::Member, &me.person_id.to_string()), &ids_of(&app, "meiling").await, "heshan").await;
        let label = format!("[{}] member", backend.name());
        check(&label, &data, &facts, &Allowed::member(&facts, me.person_id, [zhuyuan]));
        assert_all_null(&label, &data);
        assert_eq!(data["viewer"]["kind"], "MEMBER");
        assert_eq!(data["viewer"]["person"]["personalDataVisible"], true);
        let members = &data["communities"]["edges"][0]["node"]["members"];
        assert_eq!(members["totalCount"], 1, "{label}: a member sees only themself");
    }
}

both_backends! {
    async fn anonymous_callers_get_only_the_viewer(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let data = app.ok(None, "{ viewer { kind communities { id } street { id } } }", json!({})).await;
        assert_eq!(data["viewer"]["kind"], "ANONYMOUS");
        assert_eq!(data["viewer"]["communities"], json!([]));
        let meiling = ids_of(&app, "meiling").await;
        for query in [
            "{ streets { id } }",
            "{ communities { totalCount } }",
            r#"{ community(code: "zhuyuan") { id } }"#,
            "{ units { totalCount } }",
            r#"{ unit(code: "police") { id } }"#,
        ] {
            let (status, body) = app.post(None, query, json!({})).await;
            assert_eq!(status, 200);
            assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "[{}] {query}: {body}", backend.name());
            let mut ids = Vec::new();
            collect_ids(&body, &mut ids);
            assert!(ids.is_empty(), "anonymous got ids from {query}");
        }
        for id in meiling.iter().take(5) {
            let code = app.error_code(None, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
            assert_eq!(code, "UNAUTHENTICATED");
        }
    }
}

both_backends! {
    async fn a_unit_whose_seats_all_ended_sees_nothing(backend: Backend) {
        // A credential that resolves to an empty scope must see nothing at all: the filters fail
        // closed instead of dropping out.
        use sea_orm::sea_query::Expr;
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let gas = facts.unit_by_code["gas"];
        let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
        committee_membership::Entity::update_many()
            .col_expr(committee_membership::Column::Until, Expr::value(yesterday))
            .filter(committee_membership::Column::UnitId.eq(gas))
            .exec(&app.db)
            .await
            .unwrap();
        let meiling = ids_of(&app, "meiling").await;
        let data = probe(&app, &app.token(Role::Unit, "gas"), &meiling, "meiling").await;
        let label = format!("[{}] unit without seats", backend.name());
        check(&label, &data, &facts, &Allowed::unit(&facts, gas, HashSet::new()));
        assert_eq!(data["communities"]["totalCount"], 0, "{label}");
        assert_eq!(data["viewer"]["communities"], json!([]), "{label}");
        assert!(data["meiling"].is_null() && data["zhuyuan"].is_null(), "{label}");
        assert_eq!(data["units"]["edges"][0]["node"]["committees"], json!([]), "{label}: no seat outside the scope, ended or not");
        assert_all_null(&label, &data);
        let rest = app
            .ok(
                Some(&app.token(Role::Unit, "gas")),
                "{ tasks { totalCount } campaigns { id } inspections { totalCount } volunteers { totalCount } activities { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            rest,
            json!({ "tasks": { "totalCount": 0 }, "campaigns": [], "inspections": { "totalCount": 0 }, "volunteers": { "totalCount": 0 }, "activities": { "totalCount": 0 } }),
            "{label}"
        );
    }
}

both_backends! {
    async fn two_streets_with_the_same_community_code_never_see_each_other(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        // Two streets, each with a community coded `songyuan`.
        let songjiang = crate::fixtures::Fixture::street(&app, "松江街道").await;
        let xiyuan = crate::fixtures::Fixture::street(&app, "西园街道").await;
        songjiang.community_coded(&app, "songyuan", "松园社区").await;
        xiyuan.community_coded(&app, "songyuan", "西园松园社区").await;
        let token = |street: &str| {
            let mut claims = gongzhi::auth::Claims::new(Role::CommunityStaff, std::time::Duration::from_secs(600));
            claims.street = Some(street.to_owned());
            claims.community = Some("songyuan".to_owned());
            gongzhi::auth::Keys::new(crate::support::SECRET).issue(&claims.with_subject()).unwrap()
        };
        let q = r#"{ community(code: "songyuan") { name } communities { edges { node { name } } } }"#;
        // The same query, asked twice in a row by each: the response cache must keep them apart.
        for _ in 0..2 {
            let a = app.ok(Some(&token(&songjiang.code)), q, json!({})).await;
            let b = app.ok(Some(&token(&xiyuan.code)), q, json!({})).await;
            assert_eq!(a["community"]["name"], "松园社区", "[{}] {a}", backend.name());
            assert_eq!(b["community"]["name"], "西园松园社区", "[{}] {b}", backend.name());
            assert_eq!(a["communities"]["edges"].as_array().unwrap().len(), 1);
            assert_eq!(b["communities"]["edges"].as_array().unwrap().len(), 1);
        }
        // Without a street the code is ambiguous: refused, not guessed.
        let mut claims = gongzhi::auth::Claims::new(Role::CommunityStaff, std::time::Duration::from_secs(600));
        claims.community = Some("songyuan".to_owned());
        let ambiguous = gongzhi::auth::Keys::new(crate::support::SECRET).issue(&claims.with_subject()).unwrap();
        let (status, _) = app.post(Some(&ambiguous), q, json!({})).await;
        assert_eq!(status, 401);
    }
}
