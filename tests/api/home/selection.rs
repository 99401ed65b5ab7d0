//! Two-way selection (双向选择) of building and lane leaders: an appointment only once both sides
//! agreed, one active leader per building under concurrency, stepping down, history.

use super::*;

both_backends! {
    async fn an_application_becomes_an_appointment_only_when_the_residents_side_agrees(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "桂苑").await;
        let staff = h.staff(&app);
        let (a, b) = (&h.members[0], &h.members[1]);

        let applied = app.ok(Some(&a.token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[0] } })).await;
        let sel = applied["applyForBuildingLeader"]["buildingLeader"].clone();
        assert_eq!((sel["status"].as_str(), sel["initiatedBy"].as_str()), (Some("PROPOSED"), Some("APPLICATION")));
        let seen = home(&app, &staff, &h.home_id).await;
        assert!(seen["buildings"][0]["leader"].is_null(), "[{}] no leader before both sides agreed", backend.name());
        assert_eq!(seen["leaderSelections"][0]["status"], "PROPOSED");

        // The applicant cannot agree for the residents; another member does not even see it.
        let answer = |id: &Value, accept: bool| json!({ "i": { "id": id, "accept": accept } });
        assert_eq!(app.error_code(Some(&a.token(&app)), ANSWER, answer(&sel["id"], true)).await, "FORBIDDEN");
        assert_eq!(app.error_code(Some(&b.token(&app)), ANSWER, answer(&sel["id"], true)).await, "NOT_FOUND");
        let stale = json!({ "i": { "id": sel["id"], "accept": true, "expectedVersion": 7 } });
        assert_eq!(app.error_code(Some(&h.secretary.token(&app)), ANSWER, stale).await, "CONFLICT");

        // The branch's secretary agrees: now, and only now, there is a leader.
        let done = app.ok(Some(&h.secretary.token(&app)), ANSWER, answer(&sel["id"], true)).await;
        let leader = &done["answerBuildingLeaderSelection"]["buildingLeader"];
        assert_eq!(leader["status"], "ACTIVE");
        assert_eq!(leader["residentsSide"], "BRANCH_SECRETARY");
        assert!(leader["termStart"].is_string() && leader["memberAgreedAt"].is_string() && leader["residentsAgreedAt"].is_string());
        let seen = home(&app, &staff, &h.home_id).await;
        assert_eq!(seen["buildings"][0]["leader"]["name"], "党员乙");
        assert_eq!(seen["buildings"][0]["leader"]["phone"], a.phone.as_str(), "staff see the leader's phone in full");
        // Answered once: a second answer is refused by state.
        assert_eq!(app.error_code(Some(&staff), ANSWER, answer(&sel["id"], false)).await, "BAD_USER_INPUT");
    }
}

both_backends! {
    async fn a_nomination_becomes_an_appointment_only_when_the_member_agrees(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "梅苑").await;
        let staff = h.staff(&app);
        let b = &h.members[1];
        let nominate = |member: &str, building: &str| json!({ "i": { "buildingId": building, "memberId": member } });

        let n = app.ok(Some(&staff), NOMINATE, nominate(&b.member_id, &h.buildings[1])).await;
        let sel = n["nominateBuildingLeader"]["buildingLeader"].clone();
        assert_eq!((sel["status"].as_str(), sel["initiatedBy"].as_str()), (Some("PROPOSED"), Some("NOMINATION")));
        // Only the member answers a nomination; staff cannot agree for them.
        assert_eq!(app.error_code(Some(&staff), ANSWER, json!({ "i": { "id": sel["id"], "accept": true } })).await, "FORBIDDEN");
        // A second open nomination of the same member for the same building is refused.
        assert_eq!(app.error_code(Some(&staff), NOMINATE, nominate(&b.member_id, &h.buildings[1])).await, "CONFLICT");

        // The member declines: no leader, and the selection is kept as declined.
        let no = app.ok(Some(&b.token(&app)), ANSWER, json!({ "i": { "id": sel["id"], "accept": false } })).await;
        assert_eq!(no["answerBuildingLeaderSelection"]["buildingLeader"]["status"], "DECLINED");
        assert!(home(&app, &staff, &h.home_id).await["buildings"][1]["leader"].is_null());

        // Nominated again, by the secretary this time, the member agrees.
        let n = app.ok(Some(&h.secretary.token(&app)), NOMINATE, nominate(&b.member_id, &h.buildings[1])).await;
        let id = n["nominateBuildingLeader"]["buildingLeader"]["id"].clone();
        let yes = app.ok(Some(&b.token(&app)), ANSWER, json!({ "i": { "id": id, "accept": true } })).await;
        assert_eq!(yes["answerBuildingLeaderSelection"]["buildingLeader"]["status"], "ACTIVE");
        assert_eq!(yes["answerBuildingLeaderSelection"]["buildingLeader"]["residentsSide"], "BRANCH_SECRETARY");
        assert_eq!(home(&app, &staff, &h.home_id).await["buildings"][1]["leader"]["name"], "党员丙");

        // Who may not take part: a member outside the compound's branch, a resident without a
        // role, a reporter, a unit from elsewhere, nobody.
        assert_eq!(app.error_code(Some(&h.outsider.token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[2] } })).await, "FORBIDDEN");
        assert_eq!(app.error_code(Some(&staff), NOMINATE, nominate(&h.outsider.member_id, &h.buildings[2])).await, "BAD_USER_INPUT");
        let plain = h.members[2].token(&app);
        assert_eq!(app.error_code(Some(&plain), NOMINATE, nominate(&h.members[3].member_id, &h.buildings[2])).await, "FORBIDDEN");
        let reporter = app.token(Role::Reporter, "meiling-street");
        assert_eq!(app.error_code(Some(&reporter), NOMINATE, nominate(&h.members[3].member_id, &h.buildings[2])).await, "FORBIDDEN");
        let unit = app.token(Role::Unit, "water");
        assert_eq!(app.error_code(Some(&unit), NOMINATE, nominate(&h.members[3].member_id, &h.buildings[2])).await, "NOT_FOUND");
        assert_eq!(app.error_code(None, NOMINATE, nominate(&h.members[3].member_id, &h.buildings[2])).await, "UNAUTHENTICATED");
        assert_eq!(app.error_code(Some(&staff), APPLY, json!({ "i": { "buildingId": h.buildings[2] } })).await, "FORBIDDEN");
    }
}

both_backends! {
    async fn an_owners_committee_member_speaks_for_the_residents(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "竹苑").await;
        let (director, applicant) = (&h.members[2], &h.members[3]);
        let applied = app.ok(Some(&applicant.token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[2] } })).await;
        let id = applied["applyForBuildingLeader"]["buildingLeader"]["id"].clone();
        // Not yet on the committee: neither sees nor answers the application.
        assert_eq!(app.error_code(Some(&director.token(&app)), ANSWER, json!({ "i": { "id": id, "accept": true } })).await, "NOT_FOUND");
        app.ok(
            Some(&h.staff(&app)),
            ELECT,
            json!({ "i": { "compoundId": h.compound_id, "electedOn": "2026-05-01", "termStart": "2026-06-01",
                "members": [{ "personId": director.person.to_string(), "role": "DIRECTOR" }] } }),
        )
        .await;
        let seen = home(&app, &director.token(&app), &h.home_id).await;
        assert_eq!(seen["leaderSelections"].as_array().unwrap().len(), 1, "a committee member sees the compound's selections");
        let yes = app.ok(Some(&director.token(&app)), ANSWER, json!({ "i": { "id": id, "accept": true } })).await;
        assert_eq!(yes["answerBuildingLeaderSelection"]["buildingLeader"]["residentsSide"], "OWNERS_COMMITTEE");
    }
}

both_backends! {
    async fn two_appointments_racing_for_one_building_make_exactly_one_leader(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "华苑").await;
        for building in &h.buildings {
            // Two members apply; the secretary and staff agree at the same moment.
            let mut ids = Vec::new();
            for m in &h.members[..2] {
                let d = app.ok(Some(&m.token(&app)), APPLY, json!({ "i": { "buildingId": building } })).await;
                ids.push(d["applyForBuildingLeader"]["buildingLeader"]["id"].clone());
            }
            let (secretary, staff) = (h.secretary.token(&app), h.staff(&app));
            let (x, y) = tokio::join!(
                app.post(Some(&secretary), ANSWER, json!({ "i": { "id": ids[0], "accept": true } })),
                app.post(Some(&staff), ANSWER, json!({ "i": { "id": ids[1], "accept": true } })),
            );
            let codes = [code(&x.1), code(&y.1)];
            assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "[{}] exactly one appointment wins: {x:?} {y:?}", backend.name());
            assert!(codes.contains(&Some("CONFLICT")), "[{}] the other is a conflict: {x:?} {y:?}", backend.name());
        }
        let seen = home(&app, &h.staff(&app), &h.home_id).await;
        for b in seen["buildings"].as_array().unwrap() {
            assert!(b["leader"].is_object(), "every building has its one leader");
            assert_eq!(b["leaderHistory"].as_array().unwrap().len(), 1, "[{}] one appointment per building: {b}", backend.name());
        }
        // Two identical applications at once: one is open, the other a conflict.
        let t = h.members[2].token(&app);
        let (x, y) = tokio::join!(
            app.post(Some(&t), APPLY, json!({ "i": { "buildingId": h.buildings[0] } })),
            app.post(Some(&t), APPLY, json!({ "i": { "buildingId": h.buildings[0] } })),
        );
        let codes = [code(&x.1), code(&y.1)];
        assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "[{}] {x:?} {y:?}", backend.name());
        assert!(codes.contains(&Some("CONFLICT")), "[{}] {x:?} {y:?}", backend.name());
    }
}

both_backends! {
    async fn stepping_down_ends_the_term_and_keeps_the_history(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "福苑").await;
        let staff = h.staff(&app);
        let (a, b) = (&h.members[0], &h.members[1]);
        let appoint = |m: &super::fixtures::Member| {
            let (app, staff, building, member) = (&app, staff.clone(), h.buildings[0].clone(), m.clone());
            async move {
                let d = app.ok(Some(&staff), NOMINATE, json!({ "i": { "buildingId": building, "memberId": member.member_id } })).await;
                let id = d["nominateBuildingLeader"]["buildingLeader"]["id"].clone();
                app.ok(Some(&member.token(app)), ANSWER, json!({ "i": { "id": id, "accept": true } })).await;
                id
            }
        };
        let first = appoint(a).await;
        // Another member cannot be appointed while the building has its leader.
        let d = app.ok(Some(&b.token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[0] } })).await;
        let waiting = d["applyForBuildingLeader"]["buildingLeader"]["id"].clone();
        assert_eq!(app.error_code(Some(&staff), ANSWER, json!({ "i": { "id": waiting, "accept": true } })).await, "CONFLICT");
        // Nobody else steps the leader down; the leader does.
        assert_eq!(
            app.error_code(Some(&h.members[3].token(&app)), STEP_DOWN, json!({ "i": { "id": first, "reason": "x" } })).await,
            "FORBIDDEN"
        );
        let d = app.ok(Some(&a.token(&app)), STEP_DOWN, json!({ "i": { "id": first, "reason": "工作调动" } })).await;
        let ended = &d["stepDownBuildingLeader"]["buildingLeader"];
        assert_eq!((ended["status"].as_str(), ended["endReason"].as_str()), (Some("ENDED"), Some("工作调动")));
        assert!(ended["endedOn"].is_string());
        assert_eq!(app.error_code(Some(&a.token(&app)), STEP_DOWN, json!({ "i": { "id": first } })).await, "BAD_USER_INPUT");
        assert!(home(&app, &staff, &h.home_id).await["buildings"][0]["leader"].is_null());

        // The waiting application can now be agreed; staff later stand the new leader down.
        let d = app.ok(Some(&staff), ANSWER, json!({ "i": { "id": waiting, "accept": true } })).await;
        assert_eq!(d["answerBuildingLeaderSelection"]["buildingLeader"]["status"], "ACTIVE");
        let seen = home(&app, &staff, &h.home_id).await;
        let history: Vec<(&str, &str)> = seen["buildings"][0]["leaderHistory"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["name"].as_str().unwrap(), l["status"].as_str().unwrap()))
            .collect();
        assert_eq!(history, [("党员丙", "ACTIVE"), ("党员乙", "ENDED")], "[{}] newest first", backend.name());
        app.ok(Some(&staff), STEP_DOWN, json!({ "i": { "id": waiting, "reason": "任期届满" } })).await;
        let seen = home(&app, &staff, &h.home_id).await;
        assert!(seen["buildings"][0]["leader"].is_null());
        assert_eq!(seen["buildings"][0]["leaderHistory"].as_array().unwrap().len(), 2);
    }
}

both_backends! {
    async fn a_leader_sees_the_households_of_their_building_and_nothing_else_new(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "莲苑").await;
        let a = &h.members[0];
        let households = |v: &Value| -> Vec<Value> { v["buildings"].as_array().unwrap().iter().map(|b| b["households"].clone()).collect() };
        let before = home(&app, &a.token(&app), &h.home_id).await;
        assert_eq!(households(&before), [Value::Null, Value::Null, Value::Null], "a resident sees no households counts");
        let d = app.ok(Some(&a.token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[1] } })).await;
        let id = d["applyForBuildingLeader"]["buildingLeader"]["id"].clone();
        // Another member applies elsewhere: a leader does not see other people's applications.
        app.ok(Some(&h.members[1].token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[2] } })).await;
        app.ok(Some(&h.staff(&app)), ANSWER, json!({ "i": { "id": id, "accept": true } })).await;
        let after = home(&app, &a.token(&app), &h.home_id).await;
        assert_eq!(households(&after), [Value::Null, json!(50), Value::Null], "[{}] the leader's own building only", backend.name());
        let selections: Vec<&str> =
            after["leaderSelections"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
        assert_eq!(selections, ["ACTIVE"], "[{}] only appointments and their own", backend.name());
        // The leader sees their own phone; other residents see it masked.
        assert_eq!(after["buildings"][1]["leader"]["phone"], a.phone.as_str());
        let other = home(&app, &h.members[2].token(&app), &h.home_id).await;
        let masked = other["buildings"][1]["leader"]["phone"].as_str().unwrap();
        assert!(masked.contains("****") && other["buildings"][1]["leader"]["personalDataVisible"] == false, "{masked}");
        assert_eq!(other["buildings"][1]["leader"]["name"], "党员乙", "a leader's name is public inside the community");
    }
}
