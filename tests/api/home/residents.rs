//! Residents: staff register them and move them, with history; a person sees their own
//! residence, staff of the community see its residents, nobody else a door number; never two
//! current residences at once, also under racing moves and registrations.

use entity::residence;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::fixtures::{REGISTER_RESIDENT, Resident};
use super::*;

const MOVE: &str = "mutation($i: MoveResidentInput!) { moveResident(input: $i) { residence { id since until current door compound { name } building { label } } ended { id since until current } } }";
const MINE: &str =
    "{ myResidence { id door since current compound { name } building { label } person { name phone personalDataVisible } } }";
const RESIDENTS: &str = r#"query($c: ID!, $all: Boolean) { residents(communityId: $c, includeEnded: $all, first: 50) { totalCount
    edges { node { id door current since until person { id uuid name phone personalDataVisible } compound { id } } } } }"#;
const HISTORY: &str = "query($p: ID!) { residenceHistory(personId: $p) { id door since until current compound { name } } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { ... on Residence { id door } } }";

fn home_input(compound: &str, building: Option<&str>, door: &str, since: &str) -> Value {
    let mut r = json!({ "compoundId": compound, "door": door, "since": since });
    if let Some(b) = building {
        r["buildingId"] = json!(b);
    }
    r
}

fn moving(residence: &str, to: Value) -> Value {
    json!({ "i": { "residenceId": residence, "to": to } })
}

async fn current(app: &TestApp, person: uuid::Uuid) -> u64 {
    residence::Entity::find()
        .filter(residence::Column::PersonId.eq(person))
        .filter(residence::Column::Until.is_null())
        .count(&app.db)
        .await
        .unwrap()
}

fn nodes(data: &Value) -> Vec<Value> {
    data["residents"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
}

both_backends! {
    async fn staff_register_and_move_residents_with_history(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let h = Fixture::home(&app, "居苑").await;
        let staff = h.staff(&app);
        let second = Fixture::compound(&app, &h.community, "居苑二期").await;

        let register = |name: &str, phone: &str, r: Value| json!({ "i": { "name": name, "phone": phone, "residence": r } });
        let d = audited(&app, &staff, "registerResident", REGISTER_RESIDENT,
            register("林阿姨", "13700001234", home_input(&h.compound_id, Some(&h.buildings[0]), "1单元101", "2020-01-01"))).await;
        let r = &d["registerResident"]["residence"];
        let a = Resident {
            person: r["person"]["uuid"].as_str().unwrap().parse().unwrap(),
            residence: r["id"].as_str().unwrap().to_owned(),
            name: "林阿姨".into(),
            phone: "13700001234".into(),
            door: "1单元101".into(),
        };
        assert_eq!((r["door"].as_str(), r["current"].as_bool(), r["person"]["phone"].as_str()), (Some("1单元101"), Some(true), Some("13700001234")));
        let other = Fixture::resident_at(&app, &h.community, &h.compound_id, "陈伯", "2单元202", 2).await;

        // A person sees their own residence, door and phone.
        let mine = app.ok(Some(&a.token(&app)), MINE, json!({})).await["myResidence"].clone();
        assert_eq!((mine["door"].as_str(), mine["building"]["label"].as_str(), mine["compound"]["name"].as_str()), (Some("1单元101"), Some("1栋"), Some("居苑")), "[{b}]");
        assert_eq!((mine["person"]["phone"].as_str(), mine["person"]["personalDataVisible"].as_bool()), (Some(a.phone.as_str()), Some(true)));
        // Staff see every resident of the community in full.
        let all = nodes(&app.ok(Some(&staff), RESIDENTS, json!({ "c": h.community.id })).await);
        let mut doors: Vec<&str> = all.iter().map(|n| n["door"].as_str().unwrap()).collect();
        doors.sort();
        assert_eq!(doors, ["1单元101", "2单元202"], "[{b}]");
        assert!(all.iter().all(|n| n["person"]["personalDataVisible"] == true), "[{b}] {all:?}");
        assert!(all.iter().any(|n| n["person"]["name"] == a.name.as_str()), "[{b}] {all:?}");
        // Another resident of the same community sees only their own; nobody else any.
        let seen = nodes(&app.ok(Some(&other.token(&app)), RESIDENTS, json!({ "c": h.community.id })).await);
        assert_eq!(seen.len(), 1, "[{b}] {seen:?}");
        assert_eq!(seen[0]["door"], other.door.as_str());
        assert!(app.ok(Some(&other.token(&app)), NODE, json!({ "id": a.residence })).await["node"].is_null(), "[{b}]");
        assert_eq!(app.ok(Some(&other.token(&app)), HISTORY, json!({ "p": a.person.to_string() })).await["residenceHistory"], json!([]));
        let unit = Fixture::unit(&app, "居苑物业").await.seated_in(&app, &h.community).await;
        let party = h.members[0].token(&app);
        for (who, token) in [("unit", unit.token(&app)), ("reporter", app.token(Role::Reporter, "meiling-street")), ("party member", party.clone()),
            ("other community", app.token(Role::CommunityStaff, "zhuyuan"))] {
            let d = app.ok(Some(&token), RESIDENTS, json!({ "c": h.community.id, "all": true })).await;
            assert_eq!(d["residents"]["totalCount"], 0, "[{b}] {who}");
            assert!(app.ok(Some(&token), NODE, json!({ "id": a.residence })).await["node"].is_null(), "[{b}] {who}");
            assert!(app.ok(Some(&token), MINE, json!({})).await["myResidence"].is_null(), "[{b}] {who}");
        }

        // Bad input writes nothing, and says which field.
        let other_building = json!({ "i": { "name": "某人", "residence": home_input(&second, Some(&h.buildings[0]), "1", "2020-01-01") } });
        let long_door = register("某人", "13700000000", home_input(&h.compound_id, None, &"门".repeat(51), "2020-01-01"));
        let no_name = json!({ "i": { "residence": home_input(&h.compound_id, None, "1", "2020-01-01") } });
        let bad_phone = register("某人", "phone", home_input(&h.compound_id, None, "1", "2020-01-01"));
        let stranger = json!({ "i": { "personId": uuid::Uuid::now_v7().to_string(), "residence": home_input(&h.compound_id, None, "1", "2020-01-01") } });
        let too_early = register("某人", "13700000000", home_input(&h.compound_id, None, "1", "1800-01-01"));
        for (input, field) in [(other_building, "buildingId"), (long_door, "door"), (no_name, "name"), (bad_phone, "phone"), (stranger, "personId"), (too_early, "since")] {
            let (_, body) = app.post(Some(&staff), REGISTER_RESIDENT, input).await;
            assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some(field)), "[{b}] {body}");
        }
        // A person with a current residence is moved, not registered again; only staff register.
        let again = json!({ "i": { "personId": a.person.to_string(), "residence": home_input(&second, None, "9", "2024-01-01") } });
        assert_eq!(refused(&app, Some(&staff), REGISTER_RESIDENT, again.clone()).await, "CONFLICT");
        assert_eq!(refused(&app, Some(&a.token(&app)), REGISTER_RESIDENT, again.clone()).await, "FORBIDDEN");
        assert_eq!(refused(&app, Some(&app.token(Role::CommunityStaff, "zhuyuan")), REGISTER_RESIDENT, again.clone()).await, "NOT_FOUND");
        assert_eq!(refused(&app, None, REGISTER_RESIDENT, again).await, "UNAUTHENTICATED");
        // A person the staff know (a party member living elsewhere) is registered by id, phone kept.
        let known = json!({ "i": { "personId": h.outsider.person.to_string(), "residence": home_input(&second, None, "5单元501", "2021-01-01") } });
        let d = audited(&app, &staff, "registerResident", REGISTER_RESIDENT, known).await;
        assert_eq!(d["registerResident"]["residence"]["person"]["phone"], h.outsider.phone.as_str());

        // A move ends the current residence on the day the new one begins.
        let early = moving(&a.residence, home_input(&second, None, "1", "2019-12-31"));
        assert_eq!(refused(&app, Some(&staff), MOVE, early).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&party), MOVE, moving(&a.residence, home_input(&second, None, "1", "2024-03-01"))).await, "NOT_FOUND");
        let to = home_input(&second, None, "8单元808", "2024-03-01");
        let d = audited(&app, &staff, "moveResident", MOVE, moving(&a.residence, to.clone())).await;
        let m = &d["moveResident"];
        assert_eq!((m["ended"]["until"].as_str(), m["ended"]["current"].as_bool()), (Some("2024-03-01"), Some(false)), "[{b}] {m}");
        assert_eq!((m["residence"]["since"].as_str(), m["residence"]["compound"]["name"].as_str()), (Some("2024-03-01"), Some("居苑二期")));
        // The residence read before the move is no longer current: a second move of it conflicts.
        assert_eq!(refused(&app, Some(&staff), MOVE, moving(&a.residence, to)).await, "CONFLICT");
        assert_eq!(current(&app, a.person).await, 1);
        let history = app.ok(Some(&staff), HISTORY, json!({ "p": a.person.to_string() })).await["residenceHistory"].clone();
        let rows: Vec<(&str, bool)> = history.as_array().unwrap().iter().map(|r| (r["door"].as_str().unwrap(), r["current"].as_bool().unwrap())).collect();
        assert_eq!(rows, [("8单元808", true), ("1单元101", false)], "[{b}] the latest first, history kept");
        assert_eq!(app.ok(Some(&a.token(&app)), HISTORY, json!({ "p": a.person.to_string() })).await["residenceHistory"], history);
        let everyone = app.ok(Some(&staff), RESIDENTS, json!({ "c": h.community.id, "all": true })).await;
        assert_eq!(everyone["residents"]["totalCount"], 4, "[{b}] three stays of now and one ended");
        assert_eq!(app.ok(Some(&staff), RESIDENTS, json!({ "c": h.community.id })).await["residents"]["totalCount"], 3);
        assert_eq!(app.ok(Some(&a.token(&app)), MINE, json!({})).await["myResidence"]["door"], "8单元808");

        // Across communities only the street moves a resident.
        let elsewhere = Fixture::community(&app, "别苑社区").await;
        let far = Fixture::compound(&app, &elsewhere, "别苑").await;
        let new_id = m["residence"]["id"].as_str().unwrap().to_owned();
        assert_eq!(refused(&app, Some(&staff), MOVE, moving(&new_id, home_input(&far, None, "1", "2025-01-01"))).await, "NOT_FOUND");
        assert_eq!(refused(&app, Some(&elsewhere.staff(&app)), MOVE, moving(&new_id, home_input(&far, None, "1", "2025-01-01"))).await, "NOT_FOUND");
        let d = audited(&app, &app.street_admin(), "moveResident", MOVE, moving(&new_id, home_input(&far, None, "1", "2025-01-01"))).await;
        assert_eq!(d["moveResident"]["residence"]["compound"]["name"], "别苑");
        // The person's token now sees the new community, and its staff the resident.
        let viewer = app.ok(Some(&a.token(&app)), "{ viewer { communities { id } } }", json!({})).await;
        assert!(viewer["viewer"]["communities"].as_array().unwrap().iter().any(|c| c["id"] == elsewhere.id.as_str()), "[{b}] {viewer}");
        assert_eq!(app.ok(Some(&elsewhere.staff(&app)), RESIDENTS, json!({ "c": elsewhere.id })).await["residents"]["totalCount"], 1);
    }
}

both_backends! {
    async fn racing_moves_and_registrations_never_leave_two_current_residences(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let h = Fixture::home(&app, "赛苑").await;
        let staff = h.staff(&app);
        let second = Fixture::compound(&app, &h.community, "赛苑二期").await;
        let third = Fixture::compound(&app, &h.community, "赛苑三期").await;
        let a = Fixture::resident_at(&app, &h.community, &h.compound_id, "黄阿婆", "3单元303", 1).await;
        for round in 0..3 {
            let mine = app.ok(Some(&a.token(&app)), MINE, json!({})).await["myResidence"]["id"].as_str().unwrap().to_owned();
            let since = format!("202{}-0{}-01", round + 1, round + 1);
            let (x, y) = tokio::join!(
                app.post(Some(&staff), MOVE, moving(&mine, home_input(&second, None, "甲", &since))),
                app.post(Some(&staff), MOVE, moving(&mine, home_input(&third, None, "乙", &since))),
            );
            let codes = [code(&x.1), code(&y.1)];
            assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "[{b}] one move wins: {x:?} {y:?}");
            assert!(codes.contains(&Some("CONFLICT")), "[{b}] {x:?} {y:?}");
            assert_eq!(current(&app, a.person).await, 1, "[{b}] never two current residences");
        }
        let all = residence::Entity::find().filter(residence::Column::PersonId.eq(a.person)).count(&app.db).await.unwrap();
        assert_eq!(all, 4, "[{b}] the first residence and three moves");

        // Two registrations of one known person at once: one residence.
        let p = h.members[1].person.to_string();
        let (x, y) = tokio::join!(
            app.post(Some(&staff), REGISTER_RESIDENT, json!({ "i": { "personId": p, "residence": home_input(&second, None, "1", "2024-01-01") } })),
            app.post(Some(&staff), REGISTER_RESIDENT, json!({ "i": { "personId": p, "residence": home_input(&third, None, "2", "2024-01-01") } })),
        );
        let codes = [code(&x.1), code(&y.1)];
        assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "[{b}] {x:?} {y:?}");
        assert!(codes.contains(&Some("CONFLICT")), "[{b}] {x:?} {y:?}");
        assert_eq!(current(&app, h.members[1].person).await, 1);
    }
}
