//! Check-ins: one active check-in per person, approved by staff of that community; ending one
//! ends the volunteering there.

use super::*;

both_backends! {
    async fn one_active_check_in_per_person_approved_by_staff_of_that_community_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let me = Fixture::member(&app, &songyuan, "林晓东").await.token(&app);
        let request = "mutation($i: RequestCheckInInput!) { requestCheckIn(input: $i) { checkIn { id status } } }";
        let input = json!({ "i": { "communityId": songyuan.id, "workUnit": "晋江市税务局", "organizationRelation": "晋江市税务局机关党委" } });
        // Two at once: exactly one passes.
        let (a, b) = tokio::join!(app.post(Some(&me), request, input.clone()), app.post(Some(&me), request, input.clone()));
        let codes: Vec<&str> = [&a.1, &b.1].iter().map(|r| r["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK")).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(sorted, ["CONFLICT", "OK"], "[{}] {} {}", backend.name(), a.1, b.1);
        let check_in = if codes[0] == "OK" { &a.1 } else { &b.1 }["data"]["requestCheckIn"]["checkIn"]["id"].as_str().unwrap().to_owned();
        let decide = |name: &str| format!("mutation($i: CheckInDecisionInput!) {{ {name}(input: $i) {{ checkIn {{ status }} }} }}");
        // Staff of another community cannot see it, the member cannot approve it.
        assert_eq!(
            refused(&app, Some(&zhuxi.staff(&app)), &decide("approveCheckIn"), json!({ "i": { "id": check_in } }))
                .await,
            "NOT_FOUND"
        );
        assert_eq!(refused(&app, Some(&me), &decide("approveCheckIn"), json!({ "i": { "id": check_in } })).await, "FORBIDDEN");
        let staff = songyuan.staff(&app);
        let d = audited(&app, &staff, "approveCheckIn", &decide("approveCheckIn"), json!({ "i": { "id": check_in } })).await;
        assert_eq!(d["approveCheckIn"]["checkIn"]["status"], "APPROVED");
        assert_eq!(refused(&app, Some(&staff), &decide("declineCheckIn"), json!({ "i": { "id": check_in } })).await, "BAD_USER_INPUT");
        // The approved member is now a volunteer of the community and cannot check in twice.
        let mine = app.ok(Some(&me), "{ volunteers { totalCount } checkIns { totalCount edges { node { status } } } }", json!({})).await;
        assert_eq!((mine["volunteers"]["totalCount"].as_i64(), mine["checkIns"]["totalCount"].as_i64()), (Some(1), Some(1)));
        assert_eq!(refused(&app, Some(&me), request, input.clone()).await, "CONFLICT");
        audited(&app, &me, "endCheckIn", &decide("endCheckIn"), json!({ "i": { "id": check_in } })).await;
        audited(&app, &me, "requestCheckIn", request, input).await;
        let history = app.ok(Some(&staff), "{ checkIns { edges { node { status } } } }", json!({})).await;
        let statuses: Vec<&str> =
            history["checkIns"]["edges"].as_array().unwrap().iter().map(|c| c["node"]["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["ENDED", "PENDING"], "history is kept");
    }
}

both_backends! {
    async fn ending_a_check_in_ends_the_volunteering_there_until_a_new_check_in_is_approved(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let (person, stranger) = (
            Fixture::member(&app, &songyuan, "林晓东").await.person_uuid(),
            Fixture::member(&app, &songyuan, "陈美玲").await.person_uuid(),
        );
        let me = app.token(Role::Member, &person.to_string());

        // Not a volunteer of the community at all: no sign-up.
        let starts = Utc::now() + Duration::days(3);
        let elder = category(&d, "elder-care");
        let a1 = Fixture::activity(&app, &songyuan, &elder, "探访一", starts, starts + Duration::hours(2), 10).await;
        let a2 = Fixture::activity(&app, &songyuan, &elder, "探访二", starts, starts + Duration::hours(2), 10).await;
        let a3 = Fixture::activity(&app, &songyuan, &elder, "探访三", starts, starts + Duration::hours(2), 10).await;
        assert!(volunteer_row(&app, &songyuan.id, stranger).await.is_empty());
        let stranger_token = app.token(Role::Member, &stranger.to_string());
        assert_eq!(refused(&app, Some(&stranger_token), SIGN_UP, json!({ "i": { "activityId": a1 } })).await, "FORBIDDEN");
        assert_eq!(refused(&app, Some(&me), SIGN_UP, json!({ "i": { "activityId": a1 } })).await, "FORBIDDEN", "not yet checked in");

        let demand = app
            .ok(
                Some(&staff),
                POST_DEMAND,
                json!({ "i": { "communityId": songyuan.id, "categoryId": elder, "title": "助老", "startsAt": "2030-02-01T01:00:00Z", "endsAt": "2030-02-01T03:00:00Z", "headcount": 1 } }),
            )
            .await["postDemand"]["demand"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // Approved: an active volunteer, suggested, signs up.
        let first = checked_in(&app, person, &songyuan).await;
        let rows = volunteer_row(&app, &songyuan.id, person).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, volunteer::VolunteerStatus::Active);
        let vid = gongzhi::graphql::node::global_id("Volunteer", rows[0].id).to_string();
        assert!(suggested(&app, &songyuan, &demand).await.contains(&vid), "[{}] the checked-in member is suggested", backend.name());
        sign_up_for(&app, &me, &a1).await;

        // Ended: inactive there, never suggested, no new sign-up; the row and the history stay.
        let end = "mutation($i: CheckInDecisionInput!) { endCheckIn(input: $i) { checkIn { status } } }";
        audited(&app, &me, "endCheckIn", end, json!({ "i": { "id": first } })).await;
        let rows = volunteer_row(&app, &songyuan.id, person).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, volunteer::VolunteerStatus::Inactive, "[{}]", backend.name());
        let active = app.ok(Some(&staff), "query($id: ID!) { node(id: $id) { ... on Volunteer { active } } }", json!({ "id": vid })).await;
        assert_eq!(active["node"]["active"], false);
        assert!(!suggested(&app, &songyuan, &demand).await.contains(&vid), "[{}] an inactive volunteer is suggested", backend.name());
        assert_eq!(refused(&app, Some(&me), SIGN_UP, json!({ "i": { "activityId": a2 } })).await, "FORBIDDEN", "[{}]", backend.name());
        assert_eq!(refused(&app, Some(&staff), INVITE, json!({ "i": { "demandId": demand, "volunteerId": vid } })).await, "BAD_USER_INPUT");

        // Approved again: the same row, active again.
        checked_in(&app, person, &songyuan).await;
        let again = volunteer_row(&app, &songyuan.id, person).await;
        assert_eq!(again.len(), 1, "no second volunteer row");
        assert_eq!((again[0].id, again[0].status), (rows[0].id, volunteer::VolunteerStatus::Active));
        assert!(again[0].version > rows[0].version);
        assert!(suggested(&app, &songyuan, &demand).await.contains(&vid));
        let (_, status) = sign_up_for(&app, &me, &a3).await;
        assert_eq!(status, "REGISTERED");
    }
}
