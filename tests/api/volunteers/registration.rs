//! Registering volunteers: staff link only people known in their communities, and volunteer
//! data stays inside the scope.

use super::*;

both_backends! {
    // On the whole demo street's volunteer history (thousands of rows per type), so a leak shows.
    async fn volunteer_data_stays_inside_the_scope(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let street = app.street_admin();
        let all = "{ volunteers(first: 5) { totalCount edges { node { id person { phone personalDataVisible } community { code } } } } demands(first: 5) { totalCount edges { node { id community { code } } } } activities(first: 5) { totalCount edges { node { id community { code } signUps { id } } } } checkIns { edges { node { id } } } }";
        let s = app.ok(Some(&street), all, json!({})).await;
        assert_eq!(s["volunteers"]["totalCount"], 4098);
        let meiling_ids: Vec<String> = ["volunteers", "demands", "activities"]
            .iter()
            .flat_map(|k| {
                s[*k]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["node"]["community"]["code"] == "zhuyuan")
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(!meiling_ids.is_empty());
        // Staff of 梅岭 see their own community only, and nothing of 竹园 by id.
        let m = app.ok(Some(&app.token(Role::CommunityStaff, "meiling")), all, json!({})).await;
        for k in ["volunteers", "demands", "activities"] {
            for e in m[k]["edges"].as_array().unwrap() {
                assert_eq!(e["node"]["community"]["code"], "meiling", "[{}] {k}: {e}", backend.name());
            }
        }
        assert_eq!(m["volunteers"]["edges"][0]["node"]["person"]["personalDataVisible"], true);
        let nodes = app
            .ok(
                Some(&app.token(Role::CommunityStaff, "meiling")),
                "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }",
                json!({ "ids": meiling_ids }),
            )
            .await;
        assert!(nodes["nodes"].as_array().unwrap().iter().all(Value::is_null), "{nodes}");
        // A unit sees none of it.
        let u = app.ok(Some(&app.token(Role::Unit, "police")), all, json!({})).await;
        assert_eq!(
            (u["volunteers"]["totalCount"].as_i64(), u["demands"]["totalCount"].as_i64(), u["activities"]["totalCount"].as_i64()),
            (Some(0), Some(0), Some(0))
        );
        // A member sees their own volunteer record, and the demands and activities of their community, with their own sign-ups only.
        let v = volunteer::Entity::find().one(&app.db).await.unwrap().unwrap();
        let me = app.ok(Some(&app.token(Role::Member, &v.person_id.to_string())), all, json!({})).await;
        assert_eq!(me["volunteers"]["totalCount"], 1);
        for e in me["activities"]["edges"].as_array().unwrap() {
            assert!(e["node"]["signUps"].as_array().unwrap().len() <= 1, "only their own sign-up: {e}");
        }
        assert!(me["demands"]["totalCount"].as_i64().unwrap() > 0);
        assert_eq!(app.error_code(None, all, json!({})).await, "UNAUTHENTICATED");
    }
}

both_backends! {
    async fn staff_link_only_people_known_in_their_communities(backend: Backend) {
        use entity::{party_member, person};
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let z = songyuan.uuid;
        // A resident of 竹溪 with no tie to 松园, and one of 松园 who is no party member there.
        let outsider = Fixture::resident(&app, &zhuxi, "外社区居民").await;
        let resident = Fixture::resident(&app, &songyuan, "松园居民").await;

        let staff = songyuan.staff(&app);
        let admin = songyuan.admin(&app);
        let member = "mutation($i: RegisterPartyMemberInput!) { registerPartyMember(input: $i) { member { id person { id uuid } } } }";
        let as_volunteer = |p: uuid::Uuid| json!({ "i": { "communityId": songyuan.id, "personId": p.to_string() } });
        let as_member = |p: uuid::Uuid| json!({ "i": { "communityId": songyuan.id, "personId": p.to_string(), "kind": "RESIDENT" } });
        let rows = |p: uuid::Uuid| {
            let db = app.db.clone();
            async move {
                volunteer::Entity::find()
                    .filter(volunteer::Column::PersonId.eq(p))
                    .filter(volunteer::Column::CommunityId.eq(z))
                    .count(&db)
                    .await
                    .unwrap()
                    + party_member::Entity::find()
                        .filter(party_member::Column::PersonId.eq(p))
                        .filter(party_member::Column::CommunityId.eq(z))
                        .count(&db)
                        .await
                        .unwrap()
            }
        };
        // Someone else's resident, or no one at all: refused alike, nothing written.
        for token in [&staff, &admin] {
            assert_eq!(refused(&app, Some(token), REGISTER, as_volunteer(outsider)).await, "BAD_USER_INPUT", "[{}]", backend.name());
            assert_eq!(refused(&app, Some(token), member, as_member(outsider)).await, "BAD_USER_INPUT", "[{}]", backend.name());
            assert_eq!(refused(&app, Some(token), REGISTER, as_volunteer(uuid::Uuid::now_v7())).await, "BAD_USER_INPUT");
            assert_eq!(refused(&app, Some(token), member, as_member(uuid::Uuid::now_v7())).await, "BAD_USER_INPUT");
        }
        let (_, body) = app.post(Some(&staff), REGISTER, as_volunteer(outsider)).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "personId", "{body}");
        assert_eq!(rows(outsider).await, 0, "[{}] nothing written for the outsider", backend.name());
        // Staff of the outsider's own community link them.
        let mine = json!({ "i": { "communityId": zhuxi.id, "personId": outsider.to_string() } });
        let v = audited(&app, &zhuxi.staff(&app), "registerVolunteer", REGISTER, mine).await;
        assert_eq!(v["registerVolunteer"]["volunteer"]["person"]["uuid"], outsider.to_string());
        // Volunteering in 竹溪 is no tie to 松园.
        assert_eq!(refused(&app, Some(&staff), REGISTER, as_volunteer(outsider)).await, "BAD_USER_INPUT");
        assert_eq!(rows(outsider).await, 0);

        // A person who lives in 松园 is linked, as a volunteer and as a party member.
        let v = audited(&app, &staff, "registerVolunteer", REGISTER, as_volunteer(resident)).await;
        assert_eq!(v["registerVolunteer"]["volunteer"]["person"]["uuid"], resident.to_string());
        let p = audited(&app, &staff, "registerPartyMember", member, as_member(resident)).await;
        assert_eq!(p["registerPartyMember"]["member"]["person"]["uuid"], resident.to_string());
        assert_eq!(rows(resident).await, 2);
        assert_eq!(person::Entity::find_by_id(resident).one(&app.db).await.unwrap().unwrap().name, "松园居民", "the same person");
    }
}
