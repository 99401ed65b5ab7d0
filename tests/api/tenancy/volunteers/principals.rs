//! Every principal of the street and of a second street, and the city, on the volunteer platform.

use super::*;

both_backends! {
    async fn every_principal_sees_the_volunteer_platform_only_inside_its_scope(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (z, m) = build_platform(&app).await;
        let facts = Facts::read(&app).await;
        let zhuyuan = facts.community_by_code["zhuyuan"];
        let street: HashSet<Uuid> = facts.communities_of_street(facts.street_by_code["meiling-street"]);
        // Ids of every type on both sides, then 梅岭's organisation graph.
        let mut ids = facts.platform_ids();
        ids.push(global_id("ServiceCategory", *facts.categories.iter().next().unwrap()).to_string());
        // The people of both sides first, so that the first hundred ids hold them.
        let people = [z.volunteer_person, z.member_person, m.volunteer_person, m.member_person];
        ids.splice(0..0, people.iter().map(|p| global_id("Person", *p).to_string()));
        ids.extend(ids_of(&app, "meiling").await);
        let unit_code = ["police", "market-regulation", "water", "gas"]
            .into_iter()
            .find(|u| facts.unit_by_code.get(*u).is_some_and(|id| facts.seats.get(id).is_some_and(|s| s.contains(&zhuyuan))))
            .expect("a unit seated in zhuyuan");
        let unit = facts.unit_by_code[unit_code];

        for person in [z.volunteer_person, z.member_person] {
            assert_eq!(member_communities(&app, person).await, HashSet::from([zhuyuan]), "the fixture's members belong to zhuyuan only");
        }
        let b = backend.name();
        let cases: Vec<Case> = vec![
            (
                format!("[{b}] street admin"),
                app.street_admin(),
                Allowed::staff(&facts, street.clone()),
                vec![("serviceRecord", "BAD_USER_INPUT")],
            ),
            (
                format!("[{b}] community admin of zhuyuan"),
                app.token(Role::CommunityAdmin, "zhuyuan"),
                Allowed::staff(&facts, [zhuyuan]),
                vec![("serviceRecord", "BAD_USER_INPUT"), ("volunteerStatisticsOf", "NOT_FOUND")],
            ),
            (
                format!("[{b}] community staff of zhuyuan"),
                app.token(Role::CommunityStaff, "zhuyuan"),
                Allowed::staff(&facts, [zhuyuan]),
                vec![("serviceRecord", "BAD_USER_INPUT"), ("volunteerStatisticsOf", "NOT_FOUND")],
            ),
            (
                format!("[{b}] member (volunteer) of zhuyuan"),
                app.token(Role::Member, &z.volunteer_person.to_string()),
                Allowed::member(&facts, z.volunteer_person, [zhuyuan]),
                vec![("volunteerStatistics", "FORBIDDEN"), ("volunteerStatisticsOf", "FORBIDDEN")],
            ),
            (
                format!("[{b}] member (checked in) of zhuyuan"),
                app.token(Role::Member, &z.member_person.to_string()),
                Allowed::member(&facts, z.member_person, [zhuyuan]),
                vec![("volunteerStatistics", "FORBIDDEN"), ("volunteerStatisticsOf", "FORBIDDEN")],
            ),
            (
                format!("[{b}] unit {unit_code}"),
                app.token(Role::Unit, unit_code),
                Allowed::unit(&facts, unit, facts.seats[&unit].clone()),
                vec![("serviceRecord", "BAD_USER_INPUT"), ("volunteerStatistics", "FORBIDDEN"), ("volunteerStatisticsOf", "FORBIDDEN")],
            ),
            (
                format!("[{b}] reporter"),
                app.token(Role::Reporter, "meiling-street"),
                Allowed::structure(&facts, street.clone()),
                vec![("serviceRecord", "BAD_USER_INPUT")],
            ),
            (
                format!("[{b}] city admin"),
                app.token(Role::CityAdmin, "jinjiang"),
                Allowed::structure(&facts, facts.communities.clone()),
                vec![("serviceRecord", "BAD_USER_INPUT")],
            ),
        ];
        for (label, token, allowed, refused) in &cases {
            let answers = volunteer_probe(&app, label, token, &facts, allowed, m.community, m.volunteer_person, refused).await;
            check_nodes(&app, label, token, &facts, allowed, &ids).await;
            // Staff see their volunteers' phones in full; a member sees only themself, in full.
            let people: Vec<&Value> =
                answers["volunteers"]["all"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]["person"]).collect();
            match allowed.members {
                MemberRule::Staff => {
                    assert!(people.iter().any(|p| p["phone"] == PHONE), "{label}: staff see phones in full: {people:?}")
                }
                MemberRule::Own(me) => {
                    assert!(!people.is_empty(), "{label}: a member sees their own volunteer record");
                    for p in &people {
                        assert_eq!(p["uuid"], json!(me.to_string()), "{label}");
                        assert_eq!(p["personalDataVisible"], true, "{label}");
                        assert!(p["phone"].as_str().is_some_and(|ph| !ph.contains('*')), "{label}: own phone in full: {p}");
                    }
                }
                MemberRule::None => assert!(people.is_empty(), "{label}: {people:?}"),
            }
            // Inside 竹园, nothing of 梅岭 by id.
            if allowed.communities == HashSet::from([zhuyuan]) {
                let foreign: Vec<String> = facts
                    .platform_rows()
                    .into_iter()
                    .filter(|(_, _, c)| *c == m.community)
                    .map(|(k, id, _)| global_id(k, id).to_string())
                    .collect();
                let data = app.ok(Some(token), "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }", json!({ "ids": foreign })).await;
                assert_all_null(label, &data);
            }
        }
        // The volunteer sees their sign-up and their own phone, not the other volunteers'.
        let label = format!("[{b}] member (volunteer) of zhuyuan");
        let me = app.token(Role::Member, &z.volunteer_person.to_string());
        let mine = app
            .ok(Some(&me), &gql("{ activities { edges { node { signUps { ...S } } } } volunteers { edges { node { ...V } } } }"), json!({}))
            .await;
        let sign_ups = mine["activities"]["edges"][0]["node"]["signUps"].as_array().unwrap();
        assert_eq!(sign_ups.len(), 1, "{label}: only their own sign-up: {mine}");
        assert_eq!(sign_ups[0]["person"]["phone"], PHONE, "{label}");
        assert_eq!(mine["volunteers"]["edges"][0]["node"]["person"]["personalDataVisible"], true, "{label}");

        // Anonymous callers: every root field refused, nothing by id.
        for (root, body) in V_ROOTS {
            let (status, body) = app
                .post(
                    None,
                    &gql(body),
                    json!({ "c": global_id("Community", m.community).to_string(), "p": m.volunteer_person.to_string() }),
                )
                .await;
            assert_eq!(status, 200);
            if *root == "viewer" {
                assert_eq!(body["data"]["viewer"]["kind"], "ANONYMOUS", "[{b}] anonymous viewer: {body}");
                assert_eq!(body["data"]["viewer"]["communities"], json!([]), "[{b}] anonymous viewer");
                assert!(body["data"]["viewer"]["person"].is_null(), "[{b}] anonymous viewer");
                continue;
            }
            assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "[{b}] anonymous {root}: {body}");
            let mut found = Vec::new();
            collect_ids(&body, &mut found);
            assert!(found.is_empty(), "[{b}] anonymous got ids from {root}: {body}");
        }
        let code =
            app.error_code(None, "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }", json!({ "ids": facts.platform_ids() })).await;
        assert_eq!(code, "UNAUTHENTICATED");
        for id in facts.platform_ids() {
            assert_eq!(
                app.error_code(None, "query($id: ID!) { node(id: $id) { __typename } }", json!({ "id": id })).await,
                "UNAUTHENTICATED"
            );
        }
    }
}

both_backends! {
    async fn a_second_streets_admin_sees_nothing_of_meiling_street_and_back(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (_, m) = build_platform(&app).await;
        let meiling = app.ok(Some(&app.street_admin()), r#"{ community(code: "meiling") { id } }"#, json!({})).await;
        let meiling = meiling["community"]["id"].as_str().unwrap();
        let task = crate::collab_support::task(&app, "meiling", meiling, "梅岭综合市场占道经营", None).await;
        let other = other_street(&app, &["police"]).await;
        let facts = Facts::read(&app).await;
        let meiling_street = facts.street_by_code["meiling-street"];
        let meiling_communities = facts.communities_of_street(meiling_street);
        assert_eq!(meiling_communities.len(), 15);
        let b = backend.name();

        // 西园街道's admin: every 梅岭街道 id answers null.
        let mut foreign =
            vec![task.clone(), global_id("Street", meiling_street).to_string(), global_id("PartyOrganization", meiling_street).to_string()];
        let mut communities: Vec<Uuid> = meiling_communities.iter().copied().collect();
        communities.sort();
        foreign.extend(communities.iter().map(|c| global_id("Community", *c).to_string()));
        foreign.extend(facts.platform_ids());
        foreign.extend(ids_of(&app, "meiling").await);
        foreign.truncate(100);
        let label = format!("[{b}] admin of xiyuan-street");
        let token = app.token(Role::StreetAdmin, "xiyuan-street");
        let allowed = Allowed::staff(&facts, [other.community]);
        assert_eq!(allowed.streets, HashSet::from([other.street]));
        let data = probe(&app, &token, &foreign, "meiling").await;
        check(&label, &data, &facts, &allowed);
        assert_all_null(&label, &data);
        assert_eq!(data["communities"]["totalCount"], 1, "{label}");
        assert_eq!(data["communities"]["edges"][0]["node"]["code"], "xiyuan", "{label}");
        assert!(data["zhuyuan"].is_null() && data["meiling"].is_null() && data["other"].is_null(), "{label}");
        assert_eq!(uuids(&data["streets"]), HashSet::from([other.street]), "{label}: streets");
        assert_eq!(data["viewer"]["street"]["id"], json!(global_id("Street", other.street).to_string()), "{label}");
        for seat in data["police"]["committees"].as_array().unwrap() {
            assert_eq!(seat["community"]["id"], json!(other.community_id), "{label}: a seat of police outside xiyuan");
        }
        for id in &foreign {
            let one = app.ok(Some(&token), "query($id: ID!) { node(id: $id) { __typename } }", json!({ "id": id })).await;
            assert!(one["node"].is_null(), "{label}: node({id}) came back: {one}");
        }
        // The volunteer platform and the collaboration lists: nothing of 梅岭街道.
        volunteer_probe(
            &app,
            &label,
            &token,
            &facts,
            &allowed,
            m.community,
            m.volunteer_person,
            &[("serviceRecord", "BAD_USER_INPUT"), ("volunteerStatisticsOf", "NOT_FOUND")],
        )
        .await;
        check_nodes(&app, &label, &token, &facts, &allowed, &foreign).await;
        let rest = app
            .ok(Some(&token), "{ tasks { totalCount edges { node { id } } } campaigns { id } inspections { totalCount } }", json!({}))
            .await;
        assert_eq!(
            rest,
            json!({ "tasks": { "totalCount": 0, "edges": [] }, "campaigns": [], "inspections": { "totalCount": 0 } }),
            "{label}"
        );
        // Sites of a community outside the scope: an empty list (not NOT_FOUND).
        let sites = app.ok(Some(&token), "query($id: ID!) { sites(communityId: $id) { id } }", json!({ "id": meiling })).await;
        assert_eq!(sites, json!({ "sites": [] }), "{label}: sites of meiling");
        // The audit log of 西园街道 holds none of the fixture's mutations in 梅岭街道.
        let audit = "{ auditLog { totalCount } }";
        assert_eq!(app.ok(Some(&token), audit, json!({})).await["auditLog"]["totalCount"], 0, "{label}: audit log");
        assert!(app.ok(Some(&app.street_admin()), audit, json!({})).await["auditLog"]["totalCount"].as_u64() > Some(10), "{label}");

        // And back: 梅岭街道's admin sees nothing of 西园.
        let label = format!("[{b}] admin of meiling-street");
        let mut back = vec![
            other.community_id.clone(),
            global_id("Street", other.street).to_string(),
            global_id("PartyOrganization", other.street).to_string(),
        ];
        back.extend(
            facts.organization.iter().filter(|(_, c)| **c == other.community).map(|(o, _)| global_id("PartyOrganization", *o).to_string()),
        );
        back.extend(
            facts
                .membership
                .iter()
                .filter(|(_, (c, _))| *c == other.community)
                .map(|(s, _)| global_id("CommitteeMembership", *s).to_string()),
        );
        assert!(back.len() >= 5, "{label}: need 西园 ids to probe with");
        let allowed = Allowed::staff(&facts, meiling_communities.clone());
        let data = probe(&app, &app.street_admin(), &back, "xiyuan").await;
        check(&label, &data, &facts, &allowed);
        assert_all_null(&label, &data);
        assert!(data["other"].is_null(), "{label}: community(code: \"xiyuan\")");
        assert_eq!(data["communities"]["totalCount"], 15, "{label}");
        assert_eq!(data["streets"].as_array().unwrap().len(), 1, "{label}");
        for seat in data["police"]["committees"].as_array().unwrap() {
            assert_ne!(seat["community"]["id"], json!(other.community_id), "{label}: police's seat in xiyuan");
        }
        check_nodes(&app, &label, &app.street_admin(), &facts, &allowed, &back).await;
    }
}

both_backends! {
    async fn a_city_admin_sees_the_structure_of_its_streets_but_no_people_and_no_volunteers(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (_, m) = build_platform(&app).await;
        let other = other_street(&app, &["police"]).await;
        let facts = Facts::read(&app).await;
        let label = format!("[{}] city admin", backend.name());
        let token = app.token(Role::CityAdmin, "jinjiang");
        // What src/auth/scope.rs gives the city: the structure of every community of its streets
        // (staff of none, admin of none), so no people and no personal data.
        let allowed = Allowed::structure(&facts, facts.communities.clone());
        // 梅岭街道's 15, the demo's second street 青阳街道's 2 and the fixture's 西园.
        assert_eq!(allowed.communities.len(), 18);
        let mut foreign = facts.platform_ids();
        foreign.extend(ids_of(&app, "meiling").await);
        foreign.truncate(100);
        let data = probe(&app, &token, &foreign, "xiyuan").await;
        check(&label, &data, &facts, &allowed);
        assert_eq!(data["viewer"]["kind"], "CITY_ADMIN", "{label}");
        assert!(data["viewer"]["person"].is_null() && data["viewer"]["street"].is_null(), "{label}");
        assert_eq!(data["communities"]["totalCount"], 18, "{label}");
        assert_eq!(data["other"]["id"], json!(other.community_id), "{label}");
        assert_eq!(data["streets"].as_array().unwrap().len(), 3, "{label}");
        for e in data["communities"]["edges"].as_array().unwrap() {
            let c = &e["node"];
            assert_eq!(c["members"]["totalCount"], 0, "{label}: members of {}", c["code"]);
            if !c["jointCommittee"].is_null() {
                assert_eq!(c["jointCommittee"]["members"]["totalCount"], 0, "{label}: committee members of {}", c["code"]);
            }
            for o in c["partyOrganizations"].as_array().unwrap() {
                assert!(o["secretary"].is_null(), "{label}: a secretary (a person) came back: {o}");
            }
            for compound in c["compounds"]["edges"].as_array().unwrap() {
                assert_eq!(compound["node"]["members"]["totalCount"], 0, "{label}: compound members");
            }
        }
        check_nodes(&app, &label, &token, &facts, &allowed, &foreign).await;
        let answers = volunteer_probe(
            &app,
            &label,
            &token,
            &facts,
            &allowed,
            m.community,
            m.volunteer_person,
            &[("serviceRecord", "BAD_USER_INPUT")],
        )
        .await;
        for (root, list) in [("volunteers", "all"), ("demands", "all"), ("activities", "all")] {
            assert_eq!(answers[root][list]["totalCount"], 0, "{label}: {root}");
        }
        assert_eq!(answers["checkIns"]["all"]["totalCount"], 0, "{label}");
        // Statistics are aggregates of the whole city; the figures include no one by name.
        assert_eq!(answers["volunteerStatistics"]["volunteerStatistics"]["volunteers"], facts.volunteer.len(), "{label}");
    }
}
