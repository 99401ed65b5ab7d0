//! Property-fee arrears help: cases by building and door only, worked and seen by staff, the
//! owners' committee in office and the building's own leader, never by residents (of the compound
//! or elsewhere), units, reporters or the city; bad input writes nothing; PAID is final; a stale
//! version is a CONFLICT.

use entity::{arrears_case, arrears_contact};
use sea_orm::{EntityTrait, PaginatorTrait};

use super::*;
use crate::home::fixtures::Home;

pub const OPEN: &str = "mutation($i: OpenArrearsCaseInput!) { openArrearsCase(input: $i) { arrearsCase { id door amountOwedFen owedSince status version openedAs building { id } home { id } } } }";
pub const CONTACT: &str = "mutation($i: RecordArrearsContactInput!) { recordArrearsContact(input: $i) { contact { id channel result contactedOn recordedAs arrearsCase { id } } arrearsCase { id status } } }";
pub const OUTCOME: &str = "mutation($i: SetArrearsOutcomeInput!) { setArrearsOutcome(input: $i) { arrearsCase { id status plan escalationReason outcomeNote outcomeAt version } } }";

/// A case for `door` of the home's building `b` (0, 1 or 2), owing `fen`.
pub fn case(h: &Home, b: usize, door: &str, fen: Value) -> Value {
    json!({ "i": { "compoundId": h.home_id, "buildingId": h.buildings[b], "door": door, "amountOwedFen": fen, "owedSince": "2024-07-01" } })
}

/// A contact on `case`.
pub fn contact(case: &Value) -> Value {
    json!({ "i": { "caseId": case, "contactedOn": "2025-03-05", "channel": "VISIT", "result": "上门沟通，业主同意分期" } })
}

async fn rows(app: &TestApp) -> (u64, u64) {
    (arrears_case::Entity::find().count(&app.db).await.unwrap(), arrears_contact::Entity::find().count(&app.db).await.unwrap())
}

/// Makes `member` the active leader of building `b` (by application, accepted by staff).
async fn lead(app: &TestApp, h: &Home, member: &crate::home::fixtures::Member, b: usize) {
    let d = app.ok(Some(&member.token(app)), APPLY, json!({ "i": { "buildingId": h.buildings[b] } })).await;
    let id = d["applyForBuildingLeader"]["buildingLeader"]["id"].clone();
    app.ok(Some(&h.staff(app)), ANSWER, json!({ "i": { "id": id, "accept": true } })).await;
}

both_backends! {
    async fn arrears_are_seen_and_worked_by_staff_the_committee_and_the_buildings_leader_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "催苑").await;
        let staff = h.staff(&app);
        let (director, leader, other_leader, plain) = (&h.members[0], &h.members[1], &h.members[2], &h.members[3]);
        h.elect(&app, &[director]).await;
        lead(&app, &h, leader, 0).await;
        lead(&app, &h, other_leader, 1).await;
        let unit = Fixture::unit(&app, "催苑物业协会").await.seated_in(&app, &h.community).await;
        let elsewhere = Fixture::home(&app, "他催苑").await;
        let resident = Fixture::resident_at(&app, &h.community, &h.compound_id, "住户甲", "1栋1单元302", 1).await;
        let neighbour_compound = Fixture::compound(&app, &h.community, "催苑二期").await;
        let neighbour = Fixture::resident_at(&app, &h.community, &neighbour_compound, "住户乙", "1栋101", 2).await;
        let outsider = Fixture::resident_at(&app, &elsewhere.community, &elsewhere.compound_id, "住户丙", "2栋301", 3).await;
        let reporter = app.token(Role::Reporter, "meiling-street");
        let b = backend.name();

        // Staff, the committee and building 1's leader each open a case on building 1.
        let mut cases = Vec::new();
        for (who, token, door, role) in [
            ("staff", staff.clone(), "1单元302", "COMMUNITY_STAFF"),
            ("committee", director.token(&app), "1单元401", "OWNERS_COMMITTEE"),
            ("leader", leader.token(&app), "2单元101", "BUILDING_LEADER"),
        ] {
            let d = app.ok(Some(&token), OPEN, case(&h, 0, door, json!(360_000))).await;
            let c = &d["openArrearsCase"]["arrearsCase"];
            assert_eq!((c["status"].as_str(), c["openedAs"].as_str(), c["version"].as_i64()), (Some("OPEN"), Some(role), Some(1)), "[{b}] {who}: {c}");
            assert_eq!((c["building"]["id"].as_str(), c["home"]["id"].as_str()), (Some(h.buildings[0].as_str()), Some(h.home_id.as_str())), "[{b}] {who}");
            cases.push(c["id"].clone());
        }
        let d = app.ok(Some(&staff), OPEN, case(&h, 1, "3单元202", json!("120000"))).await;
        let on_building_2 = d["openArrearsCase"]["arrearsCase"]["id"].clone();
        let d = app.ok(Some(&leader.token(&app)), CONTACT, contact(&cases[0])).await;
        let c = &d["recordArrearsContact"];
        assert_eq!((c["contact"]["recordedAs"].as_str(), c["contact"]["arrearsCase"]["id"].clone()), (Some("BUILDING_LEADER"), cases[0].clone()), "[{b}] {c}");
        let contact_id = c["contact"]["id"].clone();

        // Building 2's leader works building 2 only: building 1's cases are not theirs to see.
        app.ok(Some(&other_leader.token(&app)), CONTACT, contact(&on_building_2)).await;
        assert_eq!(refused(&app, Some(&other_leader.token(&app)), OPEN, case(&h, 0, "9单元909", json!(1))).await, "FORBIDDEN", "[{b}]");
        assert_eq!(refused(&app, Some(&leader.token(&app)), OPEN, case(&h, 1, "9单元909", json!(1))).await, "FORBIDDEN", "[{b}]");
        assert_eq!(refused(&app, Some(&other_leader.token(&app)), CONTACT, contact(&cases[0])).await, "NOT_FOUND", "[{b}]");

        // Nobody else writes: who sees the compound is FORBIDDEN, who does not NOT_FOUND; and
        // nobody else sees a case to record a contact on or to close.
        for (who, token, expected) in [
            ("member", plain.token(&app), "FORBIDDEN"),
            ("resident of the compound", resident.token(&app), "FORBIDDEN"),
            ("resident of a neighbouring compound", neighbour.token(&app), "FORBIDDEN"),
            ("unit", unit.token(&app), "FORBIDDEN"),
            ("reporter", reporter.clone(), "FORBIDDEN"),
            ("resident of another community", outsider.token(&app), "NOT_FOUND"),
            ("other staff", elsewhere.staff(&app), "NOT_FOUND"),
        ] {
            assert_eq!(refused(&app, Some(&token), OPEN, case(&h, 0, "9单元909", json!(1))).await, expected, "[{b}] {who} opens");
            // Reporters change nothing at all: refused before the case is looked for.
            let unseen = if who == "reporter" { "FORBIDDEN" } else { "NOT_FOUND" };
            assert_eq!(refused(&app, Some(&token), CONTACT, contact(&cases[0])).await, unseen, "[{b}] {who} records a contact");
            let paid = json!({ "i": { "id": cases[0], "outcome": "PAID" } });
            assert_eq!(refused(&app, Some(&token), OUTCOME, paid).await, unseen, "[{b}] {who} closes");
        }
        assert_eq!(refused(&app, None, OPEN, case(&h, 0, "9单元909", json!(1))).await, "UNAUTHENTICATED");

        // Readers: staff and the committee see the compound's five cases, each leader their own
        // building's; everyone else nothing (empty lists, null nodes), residents included.
        let q = "query($id: ID!, $c: ID!, $k: ID!) { home(compoundId: $id) { arrearsCases { id door building { id } contacts { id } } } c: node(id: $c) { id } k: node(id: $k) { id } }";
        for (who, token, count, sees_first) in [
            ("staff", staff.clone(), 4, true),
            ("street admin", h.community.street_admin(&app), 4, true),
            ("committee", director.token(&app), 4, true),
            ("leader of building 1", leader.token(&app), 3, true),
            ("leader of building 2", other_leader.token(&app), 1, false),
            ("member", plain.token(&app), 0, false),
            ("resident of the compound", resident.token(&app), 0, false),
            ("resident of a neighbouring compound", neighbour.token(&app), 0, false),
            ("resident of another community", outsider.token(&app), 0, false),
            ("other staff", elsewhere.staff(&app), 0, false),
            ("unit", unit.token(&app), 0, false),
            ("reporter", reporter.clone(), 0, false),
            ("city", app.token(Role::CityAdmin, "jinjiang"), 0, false),
        ] {
            let d = app.ok(Some(&token), q, json!({ "id": h.home_id, "c": cases[0], "k": contact_id })).await;
            let shown = d["home"]["arrearsCases"].as_array().map_or(0, Vec::len);
            assert_eq!(shown, count, "[{b}] {who}: {d}");
            assert_eq!((d["c"]["id"] == cases[0], d["k"]["id"] == contact_id), (sees_first, sees_first), "[{b}] {who}: {d}");
            if let Some(list) = d["home"]["arrearsCases"].as_array() {
                for c in list {
                    assert!(c.get("name").is_none() && c.get("phone").is_none(), "[{b}] {who}: a case is a building and a door: {c}");
                }
                if sees_first {
                    let first = list.iter().find(|c| c["id"] == cases[0]).unwrap();
                    assert_eq!(first["contacts"].as_array().unwrap().len(), 1, "[{b}] {who}: {first}");
                }
            }
        }
    }
}

both_backends! {
    async fn bad_input_answers_bad_user_input_and_writes_nothing(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "错催苑").await;
        let other = Fixture::home(&app, "邻催苑").await;
        let staff = h.staff(&app);
        let b = backend.name();
        let d = app.ok(Some(&staff), OPEN, case(&h, 0, "1单元101", json!(100))).await;
        let first = d["openArrearsCase"]["arrearsCase"]["id"].clone();
        let before = (rows(&app).await, crate::audit::records(&app).await);
        for amount in [json!(-1), json!(0), json!("0"), json!(1.5), json!("12.50"), json!("-300"), json!("1e5"), json!("1000000000001"), json!(""), json!("三千")] {
            let (_, body) = app.post(Some(&staff), OPEN, case(&h, 0, "1单元102", amount.clone())).await;
            assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some("amountOwedFen")), "[{b}] {amount}: {body}");
        }
        let with = |field: &str, value: Value| {
            let mut v = case(&h, 0, "1单元102", json!(100));
            v["i"][field] = value;
            v
        };
        for (field, vars) in [
            ("door", with("door", json!(""))),
            ("door", with("door", json!("   "))),
            ("door", with("door", json!("一二三四五六七八九十一二三四五六七八九十一"))),
            ("buildingId", with("buildingId", json!(other.buildings[0]))),
            ("buildingId", with("buildingId", json!(h.home_id))),
            ("owedSince", with("owedSince", json!("2999-01-01"))),
            ("owedSince", with("owedSince", json!("1800-01-01"))),
            ("note", with("note", json!(" "))),
        ] {
            let (_, body) = app.post(Some(&staff), OPEN, vars.clone()).await;
            assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some(field)), "[{b}] {vars}: {body}");
        }
        let unknown = gongzhi::graphql::node::global_id("Building", uuid::Uuid::now_v7()).to_string();
        assert_eq!(app.error_code(Some(&staff), OPEN, with("buildingId", json!(unknown))).await, "BAD_USER_INPUT", "[{b}] an unknown building");
        for vars in [
            json!({ "i": { "caseId": first, "channel": "PHONE", "result": "" } }),
            json!({ "i": { "caseId": first, "channel": "PHONE", "result": "未接", "contactedOn": "2999-01-01" } }),
            json!({ "i": { "id": first, "outcome": "PLAN_AGREED" } }),
            json!({ "i": { "id": first, "outcome": "REFUSED", "plan": "分期" } }),
            json!({ "i": { "id": first, "outcome": "ESCALATED" } }),
            json!({ "i": { "id": first, "outcome": "PAID", "reason": "调解" } }),
        ] {
            let q = if vars["i"]["caseId"].is_null() { OUTCOME } else { CONTACT };
            assert_eq!(app.error_code(Some(&staff), q, vars.clone()).await, "BAD_USER_INPUT", "[{b}] {vars}");
        }
        assert_eq!((rows(&app).await, crate::audit::records(&app).await), before, "[{b}] refused input wrote a row or an audit record");
    }
}

both_backends! {
    async fn paid_is_final_an_outcome_changes_and_a_stale_version_conflicts(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "结催苑").await;
        let staff = h.staff(&app);
        let b = backend.name();
        let d = app.ok(Some(&staff), OPEN, case(&h, 2, " 3单元502 ", json!(480_000))).await;
        let c = d["openArrearsCase"]["arrearsCase"].clone();
        assert_eq!((c["door"].as_str(), c["amountOwedFen"].as_i64(), c["owedSince"].as_str()), (Some("3单元502"), Some(480_000), Some("2024-07-01")), "[{b}] trimmed");
        let id = c["id"].clone();
        // One case per door not yet paid.
        assert_eq!(app.error_code(Some(&staff), OPEN, case(&h, 2, "3单元502", json!(1))).await, "CONFLICT", "[{b}]");
        app.ok(Some(&staff), OPEN, case(&h, 1, "3单元502", json!(1))).await;

        let plan = json!({ "i": { "id": id, "outcome": "PLAN_AGREED", "plan": "分四期缴清", "note": "楼长见证", "expectedVersion": 1 } });
        let d = app.ok(Some(&staff), OUTCOME, plan.clone()).await;
        let c = &d["setArrearsOutcome"]["arrearsCase"];
        assert_eq!((c["status"].as_str(), c["plan"].as_str(), c["outcomeNote"].as_str(), c["version"].as_i64()), (Some("PLAN_AGREED"), Some("分四期缴清"), Some("楼长见证"), Some(2)), "[{b}] {c}");
        assert!(c["outcomeAt"].is_string());
        // A stale version is a CONFLICT; the same outcome again is refused.
        let stale = json!({ "i": { "id": id, "outcome": "REFUSED", "expectedVersion": 1 } });
        assert_eq!(app.error_code(Some(&staff), OUTCOME, stale).await, "CONFLICT", "[{b}]");
        let (_, body) = app.post(Some(&staff), OUTCOME, json!({ "i": { "id": id, "outcome": "PLAN_AGREED", "plan": "再议" } })).await;
        assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some("status")), "[{b}] {body}");
        // A plan broken: escalated with a reason, the plan gone.
        let d = app.ok(Some(&staff), OUTCOME, json!({ "i": { "id": id, "outcome": "ESCALATED", "reason": "提请人民调解", "expectedVersion": 2 } })).await;
        let c = &d["setArrearsOutcome"]["arrearsCase"];
        assert_eq!((c["status"].as_str(), c["plan"].clone(), c["escalationReason"].as_str(), c["version"].as_i64()), (Some("ESCALATED"), Value::Null, Some("提请人民调解"), Some(3)), "[{b}] {c}");
        app.ok(Some(&staff), CONTACT, contact(&id)).await;
        app.ok(Some(&staff), OUTCOME, json!({ "i": { "id": id, "outcome": "PAID" } })).await;

        // Paid is final: no outcome, no contact; the door may get a new case.
        for outcome in [json!({ "outcome": "REFUSED" }), json!({ "outcome": "PLAN_AGREED", "plan": "分期" }), json!({ "outcome": "PAID" })] {
            let mut vars = json!({ "i": { "id": id } });
            vars["i"].as_object_mut().unwrap().extend(outcome.as_object().unwrap().clone());
            let (_, body) = app.post(Some(&staff), OUTCOME, vars.clone()).await;
            assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some("status")), "[{b}] {vars}: {body}");
        }
        let (_, body) = app.post(Some(&staff), CONTACT, contact(&id)).await;
        assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some("status")), "[{b}] {body}");
        app.ok(Some(&staff), OPEN, case(&h, 2, "3单元502", json!(20_000))).await;

        let q = "query($id: ID!) { home(compoundId: $id) { all: arrearsCases { status } paid: arrearsCases(status: PAID) { id contacts { channel } } open: arrearsCases(status: OPEN) { door } } }";
        let d = app.ok(Some(&staff), q, json!({ "id": h.home_id })).await;
        assert_eq!(d["home"]["all"].as_array().unwrap().len(), 3, "[{b}] {d}");
        assert_eq!(d["home"]["paid"], json!([{ "id": id, "contacts": [{ "channel": "VISIT" }] }]), "[{b}] {d}");
        assert_eq!(d["home"]["open"], json!([{ "door": "3单元502" }, { "door": "3单元502" }]), "[{b}] the new case and building 2's: {d}");
    }
}
