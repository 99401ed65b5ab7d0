//! Raising appeals: a resident for their compound (the tier follows its station), staff for an
//! enterprise, a party organisation or a seated unit; bad input refused naming the field; who
//! sees an appeal in full; venues and enterprises.

use super::*;

fn resident_input(title: &str, extra: Value) -> Value {
    let mut i = json!({ "title": title, "description": "描述", "category": "FACILITIES" });
    for (k, v) in extra.as_object().unwrap() {
        i[k] = v.clone();
    }
    json!({ "i": i })
}

fn titles(data: &Value) -> Vec<String> {
    let mut t: Vec<String> =
        data["appeals"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["title"].as_str().unwrap().to_owned()).collect();
    t.sort();
    t
}

both_backends! {
    async fn residents_raise_for_their_compound_and_staff_for_enterprises_and_organisations(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "提诉").await;
        let staff = n.staff(&app);
        let raiser = n.raiser.token(&app);

        // A resident of 春苑 (with a station) raises at the COMPOUND tier, of 夏苑 at the COMMUNITY tier.
        let d = audited(&app, &raiser, "raiseAppeal", RAISE, resident_input("春苑路灯坏了", json!({ "photos": ["https://img.example.org/1.jpg"] }))).await;
        let spring = d["raiseAppeal"]["appeal"].clone();
        assert_eq!((spring["state"].as_str(), spring["tier"].as_str(), spring["raiserKind"].as_str()), (Some("RAISED"), Some("COMPOUND"), Some("RESIDENT")), "[{b}]");
        assert_eq!(spring["compound"]["id"], n.spring.as_str());
        let d = app.ok(Some(&n.summer_resident.token(&app)), RAISE, resident_input("夏苑绿化带杂草", json!({}))).await;
        assert_eq!(d["raiseAppeal"]["appeal"]["tier"], "COMMUNITY", "[{b}] no station in 夏苑");

        // Bad input is refused naming the field, and writes nothing.
        for (extra, field) in [
            (json!({ "photos": ["ftp://img.example.org/1.jpg"] }), "photos"),
            (json!({ "photos": (0..10).map(|i| format!("https://img.example.org/{i}.jpg")).collect::<Vec<_>>() }), "photos"),
            (json!({ "compoundId": n.summer }), "compoundId"),
            (json!({ "title": "  " }), "title"),
            (json!({ "description": "长".repeat(2001) }), "description"),
            (json!({ "site": "地".repeat(201) }), "site"),
        ] {
            let (_, body) = app.post(Some(&raiser), RAISE, resident_input("坏输入", extra)).await;
            assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some(field)), "[{b}] {body}");
        }
        // Only residents raise for themselves: a party member without a residence, a unit, a reporter cannot.
        for token in [n.convenor.token(&app), n.unit.token(&app), n.reporter(&app)] {
            assert_eq!(refused(&app, Some(&token), RAISE, resident_input("无权", json!({}))).await, "FORBIDDEN", "[{b}]");
        }
        assert_eq!(refused(&app, None, RAISE, resident_input("匿名", json!({}))).await, "UNAUTHENTICATED");

        // Staff raise for an enterprise, a party organisation or a seated unit: located at a compound, a site or both.
        let d = audited(&app, &staff, "raiseAppeal", RAISE, resident_input("企业门前道路破损", json!({ "enterpriseId": n.enterprise, "communityId": n.community.id, "site": "工业路8号门口", "category": "BUSINESS" }))).await;
        assert_eq!((d["raiseAppeal"]["appeal"]["tier"].as_str(), d["raiseAppeal"]["appeal"]["raiserKind"].as_str()), (Some("COMMUNITY"), Some("ENTERPRISE")), "[{b}]");
        let enterprise_appeal = at(&d, "/raiseAppeal/appeal/id");
        let d = app.ok(Some(&staff), RAISE, resident_input("党支部反映春苑消防通道", json!({ "partyOrganizationId": n.community.branch, "compoundId": n.spring }))).await;
        assert_eq!((d["raiseAppeal"]["appeal"]["tier"].as_str(), d["raiseAppeal"]["appeal"]["raiserKind"].as_str()), (Some("COMPOUND"), Some("PARTY_ORGANIZATION")));
        let d = app.ok(Some(&staff), RAISE, resident_input("供电所反映线路老化", json!({ "unitId": n.unit.id, "compoundId": n.summer }))).await;
        assert_eq!(d["raiseAppeal"]["appeal"]["raiserKind"], "UNIT");
        let loose = Fixture::unit(&app, "未入驻单位").await;
        let other_enterprise = app
            .ok(Some(&n.other.staff(&app)), "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { enterprise { id } } }",
                json!({ "i": { "communityId": n.other.id, "name": "外社区企业" } }))
            .await;
        let other_enterprise = at(&other_enterprise, "/registerEnterprise/enterprise/id");
        for (extra, field) in [
            (json!({ "unitId": loose.id, "communityId": n.community.id, "site": "某处" }), "unitId"),
            (json!({ "enterpriseId": other_enterprise, "communityId": n.community.id, "site": "某处" }), "enterpriseId"),
            (json!({ "enterpriseId": n.enterprise, "communityId": n.community.id }), "site"),
            (json!({ "enterpriseId": n.enterprise, "unitId": n.unit.id, "communityId": n.community.id, "site": "某处" }), "enterpriseId"),
            (json!({ "enterpriseId": n.enterprise }), "communityId"),
        ] {
            let (_, body) = app.post(Some(&staff), RAISE, resident_input("坏输入", extra)).await;
            assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some(field)), "[{b}] {body}");
        }
        let foreign = resident_input("别社区代提", json!({ "enterpriseId": n.enterprise, "communityId": n.community.id, "site": "某处" }));
        assert_eq!(refused(&app, Some(&n.other.staff(&app)), RAISE, foreign).await, "NOT_FOUND");
        // Staff act for the enterprise they raised for: they withdraw its appeal.
        let withdraw = "mutation($i: AppealActionInput!) { withdrawAppeal(input: $i) { appeal { state } } }";
        let d = audited(&app, &staff, "withdrawAppeal", withdraw, json!({ "i": { "id": enterprise_appeal } })).await;
        assert_eq!(d["withdrawAppeal"]["appeal"]["state"], "WITHDRAWN");

        // Who sees appeals in full: staff and the street all of the community's; the raiser
        // their own; the convenor 春苑's; a neighbour, the unit, the reporter none.
        let c = json!({ "c": n.community.id });
        let all = titles(&app.ok(Some(&staff), APPEALS, c.clone()).await);
        assert_eq!(all.len(), 5, "[{b}] {all:?}");
        assert_eq!(titles(&app.ok(Some(&n.street(&app)), APPEALS, c.clone()).await), all);
        assert_eq!(titles(&app.ok(Some(&raiser), APPEALS, c.clone()).await), ["春苑路灯坏了"]);
        assert_eq!(titles(&app.ok(Some(&n.convenor.token(&app)), APPEALS, c.clone()).await), ["党支部反映春苑消防通道", "春苑路灯坏了"]);
        for token in [n.neighbour.token(&app), n.unit.token(&app), n.reporter(&app), n.stranger.token(&app), n.other.staff(&app)] {
            assert_eq!(app.ok(Some(&token), APPEALS, c.clone()).await["appeals"]["totalCount"], 0, "[{b}]");
            let node = app.ok(Some(&token), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": spring["id"] })).await;
            assert!(node["node"].is_null(), "[{b}] {node}");
        }
        // The raiser's contact: in full for staff and the raiser, masked for the convenor.
        let raised = |d: &Value| d["appeals"]["edges"].as_array().unwrap().iter().find(|e| e["node"]["title"] == "春苑路灯坏了").unwrap()["node"]["raiser"].clone();
        assert_eq!(raised(&app.ok(Some(&staff), APPEALS, c.clone()).await)["phone"], n.raiser.phone.as_str());
        assert_eq!(raised(&app.ok(Some(&raiser), APPEALS, c.clone()).await)["phone"], n.raiser.phone.as_str());
        let masked = raised(&app.ok(Some(&n.convenor.token(&app)), APPEALS, c.clone()).await);
        assert!(masked["phone"].as_str().unwrap().contains("****") && masked["personalDataVisible"] == false, "[{b}] {masked}");
    }
}

both_backends! {
    async fn staff_create_venues_with_convenors_and_register_enterprises(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "场所").await;
        let staff = n.staff(&app);
        let create = fixtures::CREATE_VENUE;
        // One station per compound, one centre per community.
        let again = json!({ "i": { "compoundId": n.spring, "name": "第二个议事站" } });
        assert_eq!(refused(&app, Some(&staff), create, again).await, "CONFLICT", "[{b}]");
        let centre = json!({ "i": { "communityId": n.community.id, "name": "第二个议事中心" } });
        assert_eq!(refused(&app, Some(&staff), create, centre).await, "CONFLICT", "[{b}]");
        let both = json!({ "i": { "communityId": n.community.id, "compoundId": n.summer, "name": "两者" } });
        assert_eq!(refused(&app, Some(&staff), create, both).await, "BAD_USER_INPUT");
        let stranger = json!({ "i": { "compoundId": n.summer, "name": "夏苑议事站", "convenorId": uuid::Uuid::now_v7().to_string() } });
        assert_eq!(refused(&app, Some(&staff), create, stranger).await, "BAD_USER_INPUT");
        for token in [n.raiser.token(&app), n.convenor.token(&app), n.unit.token(&app)] {
            assert_eq!(refused(&app, Some(&token), create, json!({ "i": { "compoundId": n.summer, "name": "夏苑议事站" } })).await, "FORBIDDEN");
        }
        assert_eq!(refused(&app, Some(&n.other.staff(&app)), create, json!({ "i": { "compoundId": n.summer, "name": "夏苑议事站" } })).await, "NOT_FOUND");
        let d = audited(&app, &staff, "createVenue", create, json!({ "i": { "compoundId": n.summer, "name": "夏苑议事站" } })).await;
        let station = at(&d, "/createVenue/venue/id");
        // A convenor set, then cleared; a stale version conflicts.
        let set = "mutation($i: SetVenueConvenorInput!) { setVenueConvenor(input: $i) { venue { version convenor { name } } } }";
        let d = audited(&app, &staff, "setVenueConvenor", set, json!({ "i": { "id": station, "convenorId": n.summer_resident.person.to_string(), "expectedVersion": 1 } })).await;
        assert_eq!(d["setVenueConvenor"]["venue"]["convenor"]["name"], n.summer_resident.name.as_str());
        assert_eq!(refused(&app, Some(&staff), set, json!({ "i": { "id": station, "convenorId": null, "expectedVersion": 1 } })).await, "CONFLICT");
        let d = audited(&app, &staff, "setVenueConvenor", set, json!({ "i": { "id": station, "convenorId": null } })).await;
        assert!(d["setVenueConvenor"]["venue"]["convenor"].is_null());
        // Venues are seen across the community; convenors by its people and staff, not by units.
        let venues = "query($c: ID!) { venues(communityId: $c) { kind name convenor { name } } }";
        let seen = app.ok(Some(&n.neighbour.token(&app)), venues, json!({ "c": n.community.id })).await;
        let kinds: Vec<&str> = seen["venues"].as_array().unwrap().iter().map(|v| v["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["CENTRE", "STATION", "STATION"], "[{b}] the centre first");
        assert_eq!(seen["venues"][1]["convenor"]["name"], "召集人老郑");
        let by_unit = app.ok(Some(&n.unit.token(&app)), venues, json!({ "c": n.community.id })).await;
        assert!(by_unit["venues"].as_array().unwrap().iter().all(|v| v["convenor"].is_null()), "[{b}] {by_unit}");
        assert_eq!(app.ok(Some(&n.stranger.token(&app)), venues, json!({ "c": n.community.id })).await["venues"], json!([]));

        // Enterprises: a name once per community; listed for staff only.
        let register = "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { enterprise { id name } } }";
        let dup = json!({ "i": { "communityId": n.community.id, "name": "场所食品有限公司" } });
        assert_eq!(refused(&app, Some(&staff), register, dup).await, "CONFLICT");
        assert_eq!(refused(&app, Some(&n.raiser.token(&app)), register, json!({ "i": { "communityId": n.community.id, "name": "某公司" } })).await, "FORBIDDEN");
        audited(&app, &staff, "registerEnterprise", register, json!({ "i": { "communityId": n.community.id, "name": "场所五金店" } })).await;
        let list = "query($c: ID!) { enterprises(communityId: $c) { name } }";
        assert_eq!(app.ok(Some(&staff), list, json!({ "c": n.community.id })).await["enterprises"].as_array().unwrap().len(), 2);
        for token in [n.raiser.token(&app), n.unit.token(&app), n.reporter(&app)] {
            assert_eq!(app.ok(Some(&token), list, json!({ "c": n.community.id })).await["enterprises"], json!([]), "[{b}]");
        }
    }
}
