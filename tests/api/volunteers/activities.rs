//! Activities and sign-ups: capacity, the waiting list and cancellations, under concurrency too.

use super::*;

both_backends! {
    async fn fifty_sign_ups_for_twenty_places_leave_thirty_waiting_and_a_cancellation_promotes_one(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let starts = (Utc::now() + Duration::days(2)).to_rfc3339();
        let ends = (Utc::now() + Duration::days(2) + Duration::hours(3)).to_rfc3339();
        let a = audited(&app, &staff, "createActivity", CREATE_ACTIVITY,
            json!({ "i": { "communityId": songyuan.id, "categoryId": category(&d, "elder-care"), "title": "重阳敬老", "place": "松园社区党群服务中心", "startsAt": starts, "endsAt": ends, "capacity": 20 } })).await;
        let activity = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
        let mut tokens = Vec::new();
        for i in 0..50 {
            let (_, person) = volunteer(&app, &songyuan, &format!("义工{i}"), json!({})).await;
            tokens.push(app.token(Role::Member, &person));
        }
        let results =
            futures_util::future::join_all(tokens.iter().map(|t| app.post(Some(t), SIGN_UP, json!({ "i": { "activityId": activity } }))))
                .await;
        for (_, body) in &results {
            assert!(body["errors"].is_null(), "[{}] {body}", backend.name());
        }
        let statuses: Vec<&str> = results.iter().map(|(_, b)| b["data"]["signUp"]["signUp"]["status"].as_str().unwrap()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == "REGISTERED").count(), 20, "[{}]", backend.name());
        assert_eq!(statuses.iter().filter(|s| **s == "WAITING").count(), 30);
        let a_id = decode(&activity).unwrap().1;
        let count = |s: sign_up::SignUpStatus| {
            let db = app.db.clone();
            async move {
                sign_up::Entity::find()
                    .filter(sign_up::Column::ActivityId.eq(a_id))
                    .filter(sign_up::Column::Status.eq(s))
                    .count(&db)
                    .await
                    .unwrap()
            }
        };
        assert_eq!((count(sign_up::SignUpStatus::Registered).await, count(sign_up::SignUpStatus::Waiting).await), (20, 30));
        // The first waiting (by sign-up order) moves up when a registered volunteer cancels.
        let registered = results.iter().position(|(_, b)| b["data"]["signUp"]["signUp"]["status"] == "REGISTERED").unwrap();
        let sign_up_id = results[registered].1["data"]["signUp"]["signUp"]["id"].as_str().unwrap().to_owned();
        let first_waiting = sign_up::Entity::find()
            .filter(sign_up::Column::ActivityId.eq(a_id))
            .filter(sign_up::Column::Status.eq(sign_up::SignUpStatus::Waiting))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .min_by_key(|s| s.id)
            .unwrap();
        audited(
            &app,
            &tokens[registered],
            "cancelSignUp",
            "mutation($i: CancelSignUpInput!) { cancelSignUp(input: $i) { signUp { status } } }",
            json!({ "i": { "id": sign_up_id } }),
        )
        .await;
        assert_eq!((count(sign_up::SignUpStatus::Registered).await, count(sign_up::SignUpStatus::Waiting).await), (20, 29));
        let promoted = sign_up::Entity::find_by_id(first_waiting.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(promoted.status, sign_up::SignUpStatus::Registered, "exactly the first waiting moved up");
        assert_eq!(
            refused(
                &app,
                Some(&tokens[registered]),
                "mutation($i: CancelSignUpInput!) { cancelSignUp(input: $i) { signUp { status } } }",
                json!({ "i": { "id": sign_up_id } })
            )
            .await,
            "CONFLICT"
        );
    }
}

both_backends! {
    async fn cancelling_an_activity_cancels_its_sign_ups_but_not_one_that_took_place(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let create = |title: &str| {
            json!({ "i": { "communityId": songyuan.id, "categoryId": category(&d, "sanitation"), "title": title, "place": "松园小区",
                "startsAt": (Utc::now() - Duration::hours(1)).to_rfc3339(), "endsAt": (Utc::now() + Duration::hours(2)).to_rfc3339(), "capacity": 1 } })
        };
        let new_activity = |title: &'static str| {
            let (app, staff, input) = (&app, &staff, create(title));
            async move { app.ok(Some(staff), CREATE_ACTIVITY, input).await["createActivity"]["activity"]["id"].as_str().unwrap().to_owned() }
        };
        let (rained_off, held) = (new_activity("雨天取消").await, new_activity("如期举行").await);
        let (_, p1) = volunteer(&app, &songyuan, "甲", json!({})).await;
        let (_, p2) = volunteer(&app, &songyuan, "乙", json!({})).await;
        let (t1, t2) = (app.token(Role::Member, &p1), app.token(Role::Member, &p2));
        for t in [&t1, &t2] {
            app.ok(Some(t), SIGN_UP, json!({ "i": { "activityId": rained_off } })).await;
        }
        let first =
            app.ok(Some(&t1), SIGN_UP, json!({ "i": { "activityId": held } })).await["signUp"]["signUp"]["id"].as_str().unwrap().to_owned();

        let cancel =
            "mutation($i: CancelActivityInput!) { cancelActivity(input: $i) { activity { cancelled version signUps { status } } } }";
        assert_eq!(refused(&app, Some(&t1), cancel, json!({ "i": { "id": rained_off } })).await, "FORBIDDEN");
        let other = zhuxi.staff(&app);
        assert_eq!(refused(&app, Some(&other), cancel, json!({ "i": { "id": rained_off } })).await, "NOT_FOUND");
        assert_eq!(refused(&app, Some(&staff), cancel, json!({ "i": { "id": rained_off, "expectedVersion": 99 } })).await, "CONFLICT");
        let done = audited(&app, &staff, "cancelActivity", cancel, json!({ "i": { "id": rained_off, "expectedVersion": 1 } })).await;
        let a = &done["cancelActivity"]["activity"];
        assert_eq!((a["cancelled"].as_bool(), a["version"].as_i64()), (Some(true), Some(2)));
        assert_eq!(a["signUps"], json!([{ "status": "CANCELLED" }, { "status": "CANCELLED" }]), "the registered and the waiting");
        // Nothing more happens on a cancelled activity.
        assert_eq!(refused(&app, Some(&staff), cancel, json!({ "i": { "id": rained_off } })).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&t1), SIGN_UP, json!({ "i": { "activityId": rained_off } })).await, "BAD_USER_INPUT");
        let code = "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }";
        assert_eq!(refused(&app, Some(&staff), code, json!({ "i": { "activityId": rained_off } })).await, "BAD_USER_INPUT");

        // Once someone has checked in, the activity took place and stays.
        let check_in = "mutation($i: AttendanceInput!) { checkInAttendance(input: $i) { signUp { checkedInAt } } }";
        app.ok(Some(&staff), check_in, json!({ "i": { "signUpId": first } })).await;
        assert_eq!(refused(&app, Some(&staff), cancel, json!({ "i": { "id": held } })).await, "BAD_USER_INPUT");
        let stats = app.ok(Some(&staff), "{ volunteerStatistics { totals { activities } } }", json!({})).await;
        let records = activity::Entity::find()
            .filter(activity::Column::CommunityId.eq(songyuan.uuid))
            .filter(activity::Column::Status.eq(activity::ActivityStatus::Open))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(stats["volunteerStatistics"]["totals"]["activities"].as_u64(), Some(records), "a cancelled activity is not counted");
    }
}

both_backends! {
    async fn concurrent_cancellations_of_one_sign_up_cancel_once_and_promote_once(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let sanitation = category(&d, "sanitation");
        let mut tokens = Vec::new();
        for i in 0..4 {
            let (_, person) = volunteer(&app, &songyuan, &format!("取消{i}"), json!({})).await;
            tokens.push(app.token(Role::Member, &person));
        }
        let count = |activity: uuid::Uuid, s: sign_up::SignUpStatus| {
            let db = app.db.clone();
            async move {
                sign_up::Entity::find()
                    .filter(sign_up::Column::ActivityId.eq(activity))
                    .filter(sign_up::Column::Status.eq(s))
                    .count(&db)
                    .await
                    .unwrap()
            }
        };
        for round in 0..3 {
            let starts = Utc::now() + Duration::days(1);
            let a = Fixture::activity(&app, &songyuan, &sanitation,
                &format!("同时取消{round}"),
                starts,
                starts + Duration::hours(2),
                1,
            )
            .await;
            let (registered, status) = sign_up_for(&app, &tokens[0], &a).await;
            assert_eq!(status, "REGISTERED");
            let (first_waiting, _) = sign_up_for(&app, &tokens[1], &a).await;
            let (second_waiting, status) = sign_up_for(&app, &tokens[2], &a).await;
            assert_eq!(status, "WAITING");
            let before = audit_records(&app).await;
            let input = json!({ "i": { "id": registered } });
            let (x, y) = tokio::join!(app.post(Some(&tokens[0]), CANCEL, input.clone()), app.post(Some(&staff), CANCEL, input.clone()));
            let mut codes = [outcome(&x.1), outcome(&y.1)];
            codes.sort();
            assert_eq!(codes, ["CONFLICT", "OK"], "[{}] {} {}", backend.name(), x.1, y.1);
            assert_eq!(audit_records(&app).await, before + 1, "one cancellation recorded");
            let a_id = uuid_of(&a);
            assert_eq!(
                (
                    count(a_id, sign_up::SignUpStatus::Registered).await,
                    count(a_id, sign_up::SignUpStatus::Waiting).await,
                    count(a_id, sign_up::SignUpStatus::Cancelled).await
                ),
                (1, 1, 1),
                "[{}] exactly one promoted",
                backend.name()
            );
            assert_eq!(sign_up_row(&app, &first_waiting).await.status, sign_up::SignUpStatus::Registered);
            assert_eq!(sign_up_row(&app, &second_waiting).await.status, sign_up::SignUpStatus::Waiting);
        }
    }
}

both_backends! {
    async fn a_registered_and_a_waiting_sign_up_cancelled_at_once_leave_the_activity_full(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let elder = category(&d, "elder-care");
        let mut tokens = Vec::new();
        for i in 0..5 {
            let (_, person) = volunteer(&app, &songyuan, &format!("候补{i}"), json!({})).await;
            tokens.push(app.token(Role::Member, &person));
        }
        for round in 0..4 {
            let starts = Utc::now() + Duration::days(1);
            let a =
                Fixture::activity(&app, &songyuan, &elder, &format!("满员{round}"), starts, starts + Duration::hours(2), 2).await;
            let mut s = Vec::new();
            for t in &tokens {
                s.push(sign_up_for(&app, t, &a).await);
            }
            let statuses: Vec<&str> = s.iter().map(|x| x.1.as_str()).collect();
            assert_eq!(statuses, ["REGISTERED", "REGISTERED", "WAITING", "WAITING", "WAITING"]);
            // The first registered volunteer cancels while staff cancel the first waiting one.
            let (x, y) = tokio::join!(
                app.post(Some(&tokens[0]), CANCEL, json!({ "i": { "id": s[0].0 } })),
                app.post(Some(&staff), CANCEL, json!({ "i": { "id": s[2].0 } }))
            );
            assert_eq!((outcome(&x.1), outcome(&y.1)), ("OK".to_owned(), "OK".to_owned()), "[{}] {} {}", backend.name(), x.1, y.1);
            let rows = sign_up::Entity::find().filter(sign_up::Column::ActivityId.eq(uuid_of(&a))).all(&app.db).await.unwrap();
            let registered: Vec<uuid::Uuid> = rows.iter().filter(|r| r.status == sign_up::SignUpStatus::Registered).map(|r| r.id).collect();
            assert_eq!(registered.len(), 2, "[{}] capacity 2, round {round}: {rows:?}", backend.name());
            // Whichever ran first, the second registered and the second waiting hold the places.
            let mut expected = vec![uuid_of(&s[1].0), uuid_of(&s[3].0)];
            expected.sort();
            let mut got = registered.clone();
            got.sort();
            assert_eq!(got, expected, "[{}]", backend.name());
            assert_eq!(rows.iter().filter(|r| r.status == sign_up::SignUpStatus::Waiting).count(), 1);
        }
    }
}
