//! Attendance: hours within the activity's time, and the attendance code's lock-out.

use super::*;

both_backends! {
    async fn attendance_gives_hours_in_the_record_and_the_statistics(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let starts = (Utc::now() - Duration::hours(3)).to_rfc3339();
        let ends = (Utc::now() + Duration::hours(1)).to_rfc3339();
        let a = app.ok(Some(&staff), CREATE_ACTIVITY, json!({ "i": { "communityId": songyuan.id, "categoryId": category(&d, "sanitation"), "title": "清洁家园", "place": "松园小区", "startsAt": starts, "endsAt": ends, "capacity": 5 } })).await;
        let activity = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
        let (_, p1) = volunteer(&app, &songyuan, "甲", json!({})).await;
        let (_, p2) = volunteer(&app, &songyuan, "乙", json!({})).await;
        let (t1, t2) = (app.token(Role::Member, &p1), app.token(Role::Member, &p2));
        let s1 = audited(&app, &t1, "signUp", SIGN_UP, json!({ "i": { "activityId": activity } })).await["signUp"]["signUp"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let s2 = app.ok(Some(&t2), SIGN_UP, json!({ "i": { "activityId": activity } })).await["signUp"]["signUp"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let check_in = "mutation($i: AttendanceInput!) { checkInAttendance(input: $i) { signUp { checkedInAt } } }";
        let check_out = "mutation($i: AttendanceInput!) { checkOutAttendance(input: $i) { signUp { hours checkedOutAt } } }";
        // Check-out before check-in is refused.
        let (_, body) = app.post(Some(&staff), check_out, json!({ "i": { "signUpId": s1 } })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        // The organiser checks one in; the other uses the one-time code.
        audited(&app, &staff, "checkInAttendance", check_in, json!({ "i": { "signUpId": s1 } })).await;
        let code = audited(
            &app,
            &staff,
            "issueAttendanceCode",
            "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }",
            json!({ "i": { "activityId": activity } }),
        )
        .await;
        let code = code["issueAttendanceCode"]["code"].as_str().unwrap().to_owned();
        assert_eq!(
            refused(&app, Some(&t2), check_in, json!({ "i": { "activityId": activity, "code": "000000x" } })).await,
            "BAD_USER_INPUT"
        );
        app.ok(Some(&t2), check_in, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert_eq!(refused(&app, Some(&t2), check_in, json!({ "i": { "activityId": activity, "code": code } })).await, "CONFLICT");
        // Two and a half hours, and one hour.
        for (id, minutes) in [(&s1, 150), (&s2, 60)] {
            sign_up::Entity::update_many()
                .col_expr(sign_up::Column::CheckedInAt, Expr::value(Utc::now() - Duration::minutes(minutes)))
                .filter(sign_up::Column::Id.eq(decode(id).unwrap().1))
                .exec(&app.db)
                .await
                .unwrap();
        }
        let out = audited(&app, &staff, "checkOutAttendance", check_out, json!({ "i": { "signUpId": s1 } })).await;
        assert_eq!(out["checkOutAttendance"]["signUp"]["hours"], 2.5);
        app.ok(Some(&staff), check_out, json!({ "i": { "signUpId": s2 } })).await;
        audited(
            &app,
            &staff,
            "recordResidentsServed",
            "mutation($i: RecordResidentsServedInput!) { recordResidentsServed(input: $i) { activity { residentsServed } } }",
            json!({ "i": { "activityId": activity, "residentsServed": 40 } }),
        )
        .await;
        let record = app.ok(Some(&t1), "{ serviceRecord { personTimes hours attended { activity { title } } } }", json!({})).await;
        assert_eq!((record["serviceRecord"]["personTimes"].as_i64(), record["serviceRecord"]["hours"].as_f64()), (Some(1), Some(2.5)));
        let stats = app.ok(Some(&staff), "{ volunteerStatistics { volunteers totals { activities personTimes hours residentsServed } byCategory { category totals { hours } } } }", json!({})).await;
        let t = &stats["volunteerStatistics"]["totals"];
        assert_eq!(
            (t["activities"].as_i64(), t["personTimes"].as_i64(), t["hours"].as_f64(), t["residentsServed"].as_i64()),
            (Some(1), Some(2), Some(3.5), Some(40))
        );
        assert_eq!(stats["volunteerStatistics"]["byCategory"][0]["category"], "sanitation");
    }
}

both_backends! {
    async fn attendance_is_taken_within_the_activity_and_counts_only_its_time(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let sanitation = category(&d, "sanitation");
        let (_, person) = volunteer(&app, &songyuan, "守时", json!({})).await;
        let me = app.token(Role::Member, &person);
        let now = Utc::now();
        let new = |title: &'static str, starts: chrono::DateTime<Utc>, ends: chrono::DateTime<Utc>| {
            let (app, songyuan, sanitation, me) = (&app, &songyuan, &sanitation, &me);
            async move {
                let a = Fixture::activity(app, songyuan, sanitation, title, starts, ends, 5).await;
                let (s, _) = sign_up_for(app, me, &a).await;
                (a, s)
            }
        };
        let set_activity = |a: &str, col: activity::Column, at: chrono::DateTime<Utc>| {
            let (db, id) = (app.db.clone(), uuid_of(a));
            async move {
                activity::Entity::update_many().col_expr(col, Expr::value(at)).filter(activity::Column::Id.eq(id)).exec(&db).await.unwrap()
            }
        };
        let set_check_in = |s: &str, at: chrono::DateTime<Utc>| {
            let (db, id) = (app.db.clone(), uuid_of(s));
            async move {
                sign_up::Entity::update_many()
                    .col_expr(sign_up::Column::CheckedInAt, Expr::value(at))
                    .filter(sign_up::Column::Id.eq(id))
                    .exec(&db)
                    .await
                    .unwrap()
            }
        };

        // More than an hour before the start: neither the organiser nor the code checks in.
        let (early, early_s) = new("太早", now + Duration::minutes(90), now + Duration::hours(4)).await;
        assert_eq!(refused(&app, Some(&staff), CHECK_IN, json!({ "i": { "signUpId": early_s } })).await, "BAD_USER_INPUT");
        let code = app
            .ok(
                Some(&staff),
                "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }",
                json!({ "i": { "activityId": early } }),
            )
            .await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(refused(&app, Some(&me), CHECK_IN, json!({ "i": { "activityId": early, "code": code } })).await, "BAD_USER_INPUT");
        let (_, body) = app.post(Some(&staff), CHECK_IN, json!({ "i": { "signUpId": early_s } })).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "checkedInAt", "{body}");
        assert!(sign_up_row(&app, &early_s).await.checked_in_at.is_none());

        // Within the hour before: in, but the minutes before the start add nothing.
        let (_, soon_s) = new("将开始", now + Duration::minutes(30), now + Duration::hours(3)).await;
        audited(&app, &staff, "checkInAttendance", CHECK_IN, json!({ "i": { "signUpId": soon_s } })).await;
        let out = app.ok(Some(&staff), CHECK_OUT, json!({ "i": { "signUpId": soon_s } })).await;
        assert_eq!(out["checkOutAttendance"]["signUp"]["hours"], 0.0, "[{}] left before it started", backend.name());
        assert_eq!(sign_up_row(&app, &soon_s).await.service_minutes, Some(0));

        // After the end: refused.
        let (over, over_s) = new("已结束", now - Duration::hours(3), now + Duration::hours(1)).await;
        set_activity(&over, activity::Column::EndsAt, now - Duration::minutes(10)).await;
        assert_eq!(
            refused(&app, Some(&staff), CHECK_IN, json!({ "i": { "signUpId": over_s } })).await,
            "BAD_USER_INPUT",
            "[{}]",
            backend.name()
        );

        // Arrived before the start: the time counts from the start.
        let (running, running_s) = new("进行中", now - Duration::hours(2), now + Duration::hours(2)).await;
        audited(&app, &staff, "checkInAttendance", CHECK_IN, json!({ "i": { "signUpId": running_s } })).await;
        set_activity(&running, activity::Column::StartsAt, now - Duration::minutes(60)).await;
        set_check_in(&running_s, now - Duration::minutes(100)).await;
        let out = audited(&app, &staff, "checkOutAttendance", CHECK_OUT, json!({ "i": { "signUpId": running_s } })).await;
        let row = sign_up_row(&app, &running_s).await;
        let a = activity::Entity::find_by_id(uuid_of(&running)).one(&app.db).await.unwrap().unwrap();
        let from_start = (row.checked_out_at.unwrap() - a.starts_at).num_minutes();
        assert_eq!(row.service_minutes.map(i64::from), Some(from_start), "[{}] {row:?}", backend.name());
        assert_eq!(from_start, 60);
        assert_eq!(out["checkOutAttendance"]["signUp"]["hours"], 1.0, "[{}] not the 100 minutes since check-in", backend.name());

        // Left after the end (checked out late): the time counts until the end.
        let (late, late_s) = new("超时", now - Duration::hours(3), now + Duration::hours(1)).await;
        app.ok(Some(&staff), CHECK_IN, json!({ "i": { "signUpId": late_s } })).await;
        set_check_in(&late_s, now - Duration::minutes(120)).await;
        set_activity(&late, activity::Column::EndsAt, now - Duration::minutes(30)).await;
        let out = app.ok(Some(&staff), CHECK_OUT, json!({ "i": { "signUpId": late_s } })).await;
        assert_eq!(out["checkOutAttendance"]["signUp"]["hours"], 1.5, "[{}]", backend.name());
        assert_eq!(sign_up_row(&app, &late_s).await.service_minutes, Some(90));

        let record = app.ok(Some(&me), "{ serviceRecord { personTimes hours } }", json!({})).await;
        assert_eq!(record["serviceRecord"], json!({ "personTimes": 3, "hours": 2.5 }));
    }
}

both_backends! {
    async fn guessing_the_attendance_code_locks_the_guesser_out_until_a_new_code(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let starts = (Utc::now() - Duration::minutes(30)).to_rfc3339();
        let ends = (Utc::now() + Duration::hours(2)).to_rfc3339();
        let a = app.ok(Some(&staff), CREATE_ACTIVITY, json!({ "i": { "communityId": songyuan.id, "categoryId": category(&d, "sanitation"), "title": "河道清理", "place": "松园溪", "startsAt": starts, "endsAt": ends, "capacity": 5 } })).await;
        let activity = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
        let (_, person) = volunteer(&app, &songyuan, "猜码者", json!({})).await;
        let me = app.token(Role::Member, &person);
        app.ok(Some(&me), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
        let issue = "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }";
        let code = app.ok(Some(&staff), issue, json!({ "i": { "activityId": activity } })).await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let check_in = "mutation($i: AttendanceInput!) { checkInAttendance(input: $i) { signUp { checkedInAt } } }";
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for _ in 0..20 {
            assert_eq!(
                refused(&app, Some(&me), check_in, json!({ "i": { "activityId": activity, "code": wrong } })).await,
                "BAD_USER_INPUT"
            );
        }
        // The twentieth wrong try locked the guesser out: the right code no longer works for them.
        let (_, body) = app.post(Some(&me), check_in, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "[{}] {body}", backend.name());
        // A new code from the organiser works, and starts a fresh count.
        let code = app.ok(Some(&staff), issue, json!({ "i": { "activityId": activity } })).await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let done = app.ok(Some(&me), check_in, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert!(done["checkInAttendance"]["signUp"]["checkedInAt"].is_string());
    }
}

both_backends! {
    async fn sixty_four_wrong_codes_at_once_lock_out_that_volunteer_after_exactly_twenty_and_nobody_else(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let starts = (Utc::now() - Duration::minutes(30)).to_rfc3339();
        let ends = (Utc::now() + Duration::hours(2)).to_rfc3339();
        let a = app.ok(Some(&staff), CREATE_ACTIVITY, json!({ "i": { "communityId": songyuan.id, "categoryId": category(&d, "sanitation"), "title": "河道清理", "place": "松园溪", "startsAt": starts, "endsAt": ends, "capacity": 5 } })).await;
        let activity = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
        let (_, guesser) = volunteer(&app, &songyuan, "猜码者", json!({})).await;
        let (_, honest) = volunteer(&app, &songyuan, "守信者", json!({})).await;
        let guesser = app.token(Role::Member, &guesser);
        let honest = app.token(Role::Member, &honest);
        app.ok(Some(&guesser), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
        app.ok(Some(&honest), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
        let issue = "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }";
        let code = app.ok(Some(&staff), issue, json!({ "i": { "activityId": activity } })).await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        let tries = (0..64).map(|_| app.post(Some(&guesser), CHECK_IN, json!({ "i": { "activityId": activity, "code": wrong } })));
        let answers = futures_util::future::join_all(tries).await;
        let mut wrongs = 0;
        let mut locked = 0;
        for (_, body) in &answers {
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "[{}] {body}", backend.name());
            let message = body["errors"][0]["message"].as_str().unwrap_or_default();
            if message.contains("wrong or has expired") {
                wrongs += 1;
            } else if message.contains("locked out") {
                locked += 1;
            } else {
                panic!("[{}] unexpected refusal: {body}", backend.name());
            }
        }
        assert_eq!((wrongs, locked), (20, 44), "[{}] exactly twenty wrong tries are counted", backend.name());
        // Locked out: the right code no longer works for the guesser ...
        let (_, body) = app.post(Some(&guesser), CHECK_IN, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("locked out"), "[{}] {body}", backend.name());
        // ... but another volunteer checks in with it.
        let done = app.ok(Some(&honest), CHECK_IN, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert!(done["checkInAttendance"]["signUp"]["checkedInAt"].is_string());
        // A new code lifts the lock.
        let code = app.ok(Some(&staff), issue, json!({ "i": { "activityId": activity } })).await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let done = app.ok(Some(&guesser), CHECK_IN, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert!(done["checkInAttendance"]["signUp"]["checkedInAt"].is_string());
    }
}
