//! Statistics computed from the records: the demo street's figures, by category and month.

use super::*;

both_backends! {
    async fn the_demo_street_shows_the_articles_figures_computed_from_the_records(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let q = "query($c: ID) { volunteerStatistics(communityId: $c) { volunteers checkedInMembers totals { activities personTimes hours residentsServed } byCategory { category totals { activities } } byMonth { month } } }";
        let s = app.ok(Some(&app.street_admin()), q, json!({})).await;
        let v = &s["volunteerStatistics"];
        assert_eq!(v["volunteers"], 4098, "[{}] {v}", backend.name());
        assert_eq!(v["totals"]["personTimes"], 9656);
        assert_eq!(v["totals"]["activities"], 614);
        assert!(v["totals"]["residentsServed"].as_i64().unwrap() >= 100_000);
        assert_eq!(v["byCategory"].as_array().unwrap().len(), 9, "all nine categories");
        assert!(v["byMonth"][0]["month"].as_str().unwrap().starts_with("2018"));
        // Independently, from the raw rows.
        let volunteers = volunteer::Entity::find().count(&app.db).await.unwrap();
        let held = activity::Entity::find().filter(activity::Column::StartsAt.lte(Utc::now())).all(&app.db).await.unwrap();
        let attended = sign_up::Entity::find().filter(sign_up::Column::CheckedInAt.is_not_null()).all(&app.db).await.unwrap();
        let minutes: i64 = attended.iter().map(|s| i64::from(s.service_minutes.unwrap_or(0))).sum();
        let residents: i64 = held.iter().map(|a| i64::from(a.residents_served)).sum();
        assert_eq!(v["volunteers"].as_u64(), Some(volunteers));
        assert_eq!(v["totals"]["activities"].as_u64(), Some(held.len() as u64));
        assert_eq!(v["totals"]["personTimes"].as_u64(), Some(attended.len() as u64));
        assert_eq!(v["totals"]["residentsServed"].as_i64(), Some(residents));
        assert!((v["totals"]["hours"].as_f64().unwrap() - minutes as f64 / 60.0).abs() < 0.01);
        // A community's own figures add up to the street's.
        let mut sum = 0;
        let communities = app.ok(Some(&app.street_admin()), "{ communities(first: 20) { edges { node { id } } } }", json!({})).await;
        for c in communities["communities"]["edges"].as_array().unwrap() {
            let one = app.ok(Some(&app.street_admin()), q, json!({ "c": c["node"]["id"] })).await;
            sum += one["volunteerStatistics"]["totals"]["personTimes"].as_i64().unwrap();
        }
        assert_eq!(sum, 9656);
        // Reporters read statistics, not people.
        let reporter = app.token(Role::Reporter, "meiling-street");
        assert_eq!(app.ok(Some(&reporter), q, json!({})).await["volunteerStatistics"]["volunteers"], 4098);
        assert_eq!(
            app.ok(Some(&reporter), "{ volunteers { totalCount } activities { totalCount } demands { totalCount } }", json!({})).await,
            json!({ "volunteers": { "totalCount": 0 }, "activities": { "totalCount": 0 }, "demands": { "totalCount": 0 } })
        );
        assert_eq!(app.error_code(Some(&app.token(Role::Unit, "police")), q, json!({})).await, "FORBIDDEN");
    }
}

both_backends! {
    async fn statistics_by_category_and_month_match_the_raw_records(backend: Backend) {
        use chrono::TimeZone;
        use entity::service_category;
        use sea_orm::{ActiveModelTrait, Set};
        use std::collections::{BTreeMap, HashMap};
        let app = TestApp::demo(&backend).await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let songyuan = songjiang.community(&app, "松园").await;
        let zhuxi = songjiang.community(&app, "竹溪").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let (sanitation, elder) = (category(&d, "sanitation"), category(&d, "elder-care"));
        let at = |y, mo, day, h, mi| Utc.with_ymd_and_hms(y, mo, day, h, mi, 0).unwrap();
        let mut people = Vec::new();
        for i in 0..4 {
            people.push(volunteer(&app, &songyuan, &format!("统计{i}"), json!({})).await.1);
        }
        let residents = |a: &str, n: i32, token: &str| {
            let (app, input, token) = (&app, json!({ "i": { "activityId": a, "residentsServed": n } }), token.to_owned());
            async move {
                app.ok(
                    Some(&token),
                    "mutation($i: RecordResidentsServedInput!) { recordResidentsServed(input: $i) { activity { residentsServed } } }",
                    input,
                )
                .await
            }
        };
        // Attendance rows as the service leaves them: (activity, person, minutes) with a check-in;
        // None minutes = checked in, never checked out.
        let attended = |a: &str, person: &str, minutes: Option<i32>, starts: chrono::DateTime<Utc>| {
            let (db, a, person) = (app.db.clone(), uuid_of(a), person.parse::<uuid::Uuid>().unwrap());
            async move {
                let a = activity::Entity::find_by_id(a).one(&db).await.unwrap().unwrap();
                sign_up::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    community_id: Set(a.community_id),
                    activity_id: Set(a.id),
                    person_id: Set(person),
                    status: Set(sign_up::SignUpStatus::Registered),
                    checked_in_at: Set(Some(starts)),
                    checked_out_at: Set(minutes.map(|m| starts + Duration::minutes(i64::from(m)))),
                    service_minutes: Set(minutes),
                    code_failures: Set(0),
                    created_at: Set(starts - Duration::days(1)),
                    updated_at: Set(starts),
                }
                .insert(&db)
                .await
                .unwrap();
            }
        };
        // Late evening of 31 January in UTC is 1 February in Beijing.
        let a1_starts = at(2025, 1, 31, 16, 30);
        let a1 = Fixture::activity(&app, &songyuan, &sanitation, "除夕清扫", a1_starts, a1_starts + Duration::hours(2), 10).await;
        attended(&a1, &people[0], Some(120), a1_starts).await;
        attended(&a1, &people[1], Some(90), a1_starts).await;
        attended(&a1, &people[2], None, a1_starts).await;
        sign_up::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            community_id: Set(songyuan.uuid),
            activity_id: Set(uuid_of(&a1)),
            person_id: Set(people[3].parse().unwrap()),
            status: Set(sign_up::SignUpStatus::Registered),
            checked_in_at: Set(None),
            checked_out_at: Set(None),
            service_minutes: Set(None),
            code_failures: Set(0),
            created_at: Set(a1_starts - Duration::days(1)),
            updated_at: Set(a1_starts - Duration::days(1)),
        }
        .insert(&app.db)
        .await
        .unwrap();
        residents(&a1, 30, &staff).await;
        let a2_starts = at(2025, 1, 15, 2, 0);
        let a2 = Fixture::activity(&app, &songyuan, &sanitation, "河道清理", a2_starts, a2_starts + Duration::hours(2), 10).await;
        attended(&a2, &people[0], Some(60), a2_starts).await;
        residents(&a2, 10, &staff).await;
        let a3_starts = at(2025, 2, 10, 2, 0);
        let a3 = Fixture::activity(&app, &songyuan, &elder, "敬老探访", a3_starts, a3_starts + Duration::hours(2), 10).await;
        attended(&a3, &people[1], Some(45), a3_starts).await;
        attended(&a3, &people[3], Some(30), a3_starts).await;
        residents(&a3, 5, &staff).await;
        // Held, but nobody recorded attendance: one activity, no one served.
        let a6_starts = at(2025, 1, 20, 2, 0);
        Fixture::activity(&app, &songyuan, &elder, "无人签到", a6_starts, a6_starts + Duration::hours(1), 10).await;
        // Not yet started (though someone checked in early): not counted.
        let soon = Utc::now() + Duration::minutes(30);
        let a4 = Fixture::activity(&app, &songyuan, &elder, "即将开始", soon, soon + Duration::hours(2), 10).await;
        let (s4, _) = sign_up_for(&app, &app.token(Role::Member, &people[2]), &a4).await;
        app.ok(Some(&staff), CHECK_IN, json!({ "i": { "signUpId": s4 } })).await;
        residents(&a4, 7, &staff).await;
        // Cancelled: not counted.
        let a5_starts = at(2025, 3, 1, 2, 0);
        let a5 = Fixture::activity(&app, &songyuan, &elder, "雨天取消", a5_starts, a5_starts + Duration::hours(2), 10).await;
        residents(&a5, 99, &staff).await;
        app.ok(
            Some(&staff),
            "mutation($i: CancelActivityInput!) { cancelActivity(input: $i) { activity { cancelled } } }",
            json!({ "i": { "id": a5 } }),
        )
        .await;
        // Another community's: not counted for 松园.
        let mperson = Fixture::volunteer(&app, &zhuxi, "竹溪义工").await.person;
        let am = Fixture::activity(&app, &zhuxi, &sanitation, "竹溪清扫", a2_starts, a2_starts + Duration::hours(2), 10).await;
        attended(&am, &mperson, Some(60), a2_starts).await;
        residents(&am, 100, &zhuxi.staff(&app)).await;

        let q = "query($c: ID) { volunteerStatistics(communityId: $c) { volunteers checkedInMembers
                    totals { activities personTimes hours residentsServed }
                    byCategory { category totals { activities personTimes hours residentsServed } }
                    byMonth { month totals { activities personTimes hours residentsServed } } } }";
        let got = app.ok(Some(&staff), q, json!({ "c": songyuan.id })).await["volunteerStatistics"].clone();

        // Independently, from the raw rows: open activities of the community that have started;
        // sign-ups with a check-in; months in Beijing time.
        let z = songyuan.uuid;
        let codes: HashMap<uuid::Uuid, String> =
            service_category::Entity::find().all(&app.db).await.unwrap().into_iter().map(|c| (c.id, c.code)).collect();
        let now = Utc::now();
        let held: Vec<activity::Model> = activity::Entity::find()
            .filter(activity::Column::CommunityId.eq(z))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.status == activity::ActivityStatus::Open && a.starts_at <= now)
            .collect();
        let rows = sign_up::Entity::find().filter(sign_up::Column::CommunityId.eq(z)).all(&app.db).await.unwrap();
        // (activities, person-times, minutes, residents)
        let mut by_category: BTreeMap<String, (i64, i64, i64, i64)> = BTreeMap::new();
        let mut by_month: BTreeMap<String, (i64, i64, i64, i64)> = BTreeMap::new();
        let mut totals = (0, 0, 0, 0);
        for a in &held {
            let served: Vec<&sign_up::Model> = rows.iter().filter(|s| s.activity_id == a.id && s.checked_in_at.is_some()).collect();
            let slice = (
                1,
                served.len() as i64,
                served.iter().map(|s| i64::from(s.service_minutes.unwrap_or(0))).sum::<i64>(),
                i64::from(a.residents_served),
            );
            let month = (a.starts_at + Duration::hours(8)).format("%Y-%m").to_string();
            for t in [by_category.entry(codes[&a.category_id].clone()).or_default(), by_month.entry(month).or_default(), &mut totals] {
                t.0 += slice.0;
                t.1 += slice.1;
                t.2 += slice.2;
                t.3 += slice.3;
            }
        }
        let hours = |minutes: i64| (minutes as f64 / 60.0 * 100.0).round() / 100.0;
        let shown =
            |t: &(i64, i64, i64, i64)| json!({ "activities": t.0, "personTimes": t.1, "hours": hours(t.2), "residentsServed": t.3 });
        let expected_categories: Vec<Value> = by_category.iter().map(|(c, t)| json!({ "category": c, "totals": shown(t) })).collect();
        let expected_months: Vec<Value> = by_month.iter().map(|(m, t)| json!({ "month": m, "totals": shown(t) })).collect();
        assert_eq!(got["byCategory"], json!(expected_categories), "[{}] {got}", backend.name());
        assert_eq!(got["byMonth"], json!(expected_months), "[{}] {got}", backend.name());
        assert_eq!(got["totals"], shown(&totals), "[{}]", backend.name());
        let volunteers = volunteer::Entity::find().filter(volunteer::Column::CommunityId.eq(z)).count(&app.db).await.unwrap();
        assert_eq!(got["volunteers"].as_u64(), Some(volunteers));

        // And the fixture is the one meant: what was counted and what was not.
        let t = |a: i64, p: i64, h: f64, r: i64| json!({ "activities": a, "personTimes": p, "hours": h, "residentsServed": r });
        assert_eq!(
            got["byCategory"],
            json!([{ "category": "elder-care", "totals": t(2, 2, 1.25, 5) }, { "category": "sanitation", "totals": t(2, 4, 4.5, 40) }]),
            "[{}]",
            backend.name()
        );
        assert_eq!(
            got["byMonth"],
            json!([{ "month": "2025-01", "totals": t(2, 1, 1.0, 10) }, { "month": "2025-02", "totals": t(2, 5, 4.75, 35) }]),
            "[{}] 31 January 16:30 UTC is February in Beijing",
            backend.name()
        );
        assert_eq!(got["totals"], t(4, 6, 5.75, 45));
        assert_eq!(got["volunteers"], 4);
        // The street's figures include 竹溪's activity; a street admin asking for 松园 sees the same.
        let street = app.ok(Some(&songjiang.admin(&app)), q, json!({ "c": songyuan.id })).await["volunteerStatistics"].clone();
        assert_eq!(street, got);
        let all = app.ok(Some(&songjiang.admin(&app)), q, json!({})).await;
        assert_eq!(all["volunteerStatistics"]["totals"], t(5, 7, 6.75, 145));
    }
}
