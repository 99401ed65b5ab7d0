//! Matching: a fixed ranking with its parts, never outsiders, at a flat statement count.

use super::*;

both_backends! {
    async fn matching_gives_a_fixed_ranking_with_its_parts_and_never_outsiders(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let d = categories(&app).await;
        let compound = Fixture::compound(&app, &songyuan, "松园一区").await;
        let starts = chrono::DateTime::parse_from_rfc3339("2030-06-01T01:00:00Z").unwrap().with_timezone(&Utc);
        let slot = gongzhi::volunteers::matching::slot(starts);
        let best = volunteer(
            &app,
            &songyuan,
            "全能",
            json!({ "categories": ["elder-care"], "skills": ["急救", "驾驶"], "availability": [slot], "compoundId": compound }),
        )
        .await;
        let category_only = volunteer(&app, &songyuan, "对口", json!({ "categories": ["elder-care"] })).await;
        let skills_only = volunteer(&app, &songyuan, "专长", json!({ "skills": ["急救"], "availability": [slot] })).await;
        let half = volunteer(&app, &songyuan, "一半", json!({ "skills": ["驾驶"] })).await;
        // Registered after 对口 with the same offer, but has not served lately: ranks above it.
        let rested = volunteer(&app, &songyuan, "对口二", json!({ "categories": ["elder-care"] })).await;
        let staff = songyuan.staff(&app);
        // Service records: 对口 served twice in the last 90 days (and once long before), 一半 once.
        let now = Utc::now();
        let sanitation = category(&d, "sanitation");
        for (round, who) in [vec![&category_only, &half], vec![&category_only], vec![&category_only]].into_iter().enumerate() {
            let a = Fixture::activity(&app, &songyuan, &sanitation,
                &format!("服务{round}"),
                now - Duration::hours(1),
                now + Duration::hours(2),
                5,
            )
            .await;
            for v in who {
                let (s, _) = sign_up_for(&app, &app.token(Role::Member, &v.1), &a).await;
                app.ok(Some(&staff), CHECK_IN, json!({ "i": { "signUpId": s } })).await;
                if round == 2 {
                    sign_up::Entity::update_many()
                        .col_expr(sign_up::Column::CheckedInAt, Expr::value(now - Duration::days(100)))
                        .filter(sign_up::Column::Id.eq(uuid_of(&s)))
                        .exec(&app.db)
                        .await
                        .unwrap();
                }
            }
        }
        // A volunteer of another community is never suggested.
        let outsider = app.ok(Some(&zhuxi.staff(&app)), REGISTER, json!({ "i": { "communityId": zhuxi.id, "name": "外社区", "profile": { "categories": ["elder-care"], "skills": ["急救", "驾驶"], "availability": [slot] } } })).await;
        let outsider = outsider["registerVolunteer"]["volunteer"]["id"].as_str().unwrap().to_owned();
        // Nor is one whose check-in ended, however well they match.
        let member = Fixture::member(&app, &songyuan, "林晓东").await.person_uuid();
        let check_in = checked_in(&app, member, &songyuan).await;
        let ended = gongzhi::graphql::node::global_id("Volunteer", volunteer_row(&app, &songyuan.id, member).await[0].id).to_string();
        let me = app.token(Role::Member, &member.to_string());
        app.ok(
            Some(&me),
            "mutation($i: UpdateVolunteerProfileInput!) { updateVolunteerProfile(input: $i) { volunteer { id } } }",
            json!({ "i": { "id": ended, "profile": { "categories": ["elder-care"], "skills": ["急救", "驾驶"], "availability": [slot], "compoundId": compound } } }),
        )
        .await;
        app.ok(
            Some(&me),
            "mutation($i: CheckInDecisionInput!) { endCheckIn(input: $i) { checkIn { status } } }",
            json!({ "i": { "id": check_in } }),
        )
        .await;
        let dm = audited(
            &app,
            &staff,
            "postDemand",
            "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }",
            json!({ "i": {
            "communityId": songyuan.id, "categoryId": category(&d, "elder-care"), "title": "独居老人探访", "compoundId": compound,
            "startsAt": "2030-06-01T01:00:00Z", "endsAt": "2030-06-01T04:00:00Z", "headcount": 2, "skillsWanted": ["急救", "驾驶"] } }),
        )
        .await;
        let demand = dm["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
        let q = "query($id: ID!) { node(id: $id) { ... on Demand { suggestedVolunteers(first: 10) { score parts { category skills availability compound fairness } volunteer { id } } } } }";
        let s = app.ok(Some(&staff), q, json!({ "id": demand })).await;
        let list = s["node"]["suggestedVolunteers"].as_array().unwrap();
        let ranking: Vec<(&str, f64)> =
            list.iter().map(|x| (x["volunteer"]["id"].as_str().unwrap(), x["score"].as_f64().unwrap())).collect();
        assert_eq!(
            ranking,
            [
                (best.0.as_str(), 100.0),
                (rested.0.as_str(), 45.0),
                (category_only.0.as_str(), 43.0),
                (skills_only.0.as_str(), 35.0),
                (half.0.as_str(), 19.0)
            ],
            "[{}] {s}",
            backend.name()
        );
        let parts =
            |c: f64, s: f64, a: f64, p: f64, f: f64| json!({ "category": c, "skills": s, "availability": a, "compound": p, "fairness": f });
        let all: Vec<&Value> = list.iter().map(|x| &x["parts"]).collect();
        assert_eq!(
            all,
            [
                &parts(40.0, 30.0, 15.0, 10.0, 5.0),
                &parts(40.0, 0.0, 0.0, 0.0, 5.0),
                &parts(40.0, 0.0, 0.0, 0.0, 3.0),
                &parts(0.0, 15.0, 15.0, 0.0, 5.0),
                &parts(0.0, 15.0, 0.0, 0.0, 4.0)
            ],
            "[{}] {s}",
            backend.name()
        );
        let suggested_ids: Vec<&str> = ranking.iter().map(|r| r.0).collect();
        assert!(!suggested_ids.contains(&outsider.as_str()), "another community's volunteer");
        assert!(!suggested_ids.contains(&ended.as_str()), "a volunteer whose check-in ended");
        // The same data, the same ranking.
        assert_eq!(app.ok(Some(&songyuan.admin(&app)), q, json!({ "id": demand })).await, s);
        // The reverse: the best volunteer's suggested demands include this one.
        let me = app.token(Role::Member, &best.1);
        let r = app
            .ok(
                Some(&me),
                "query($id: ID!) { node(id: $id) { ... on Volunteer { suggestedDemands { score demand { id } } } } }",
                json!({ "id": best.0 }),
            )
            .await;
        assert_eq!(r["node"]["suggestedDemands"][0]["demand"]["id"], demand);
        assert_eq!(r["node"]["suggestedDemands"][0]["score"], 100.0);
        // Invite, accept: with enough acceptances the demand fills.
        let inv = audited(
            &app,
            &staff,
            "inviteVolunteer",
            "mutation($i: InviteVolunteerInput!) { inviteVolunteer(input: $i) { invitation { id } } }",
            json!({ "i": { "demandId": demand, "volunteerId": best.0 } }),
        )
        .await;
        let inv = inv["inviteVolunteer"]["invitation"]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            refused(
                &app,
                Some(&staff),
                "mutation($i: RespondToInvitationInput!) { respondToInvitation(input: $i) { invitation { status } } }",
                json!({ "i": { "id": inv, "accept": true } })
            )
            .await,
            "FORBIDDEN"
        );
        audited(
            &app,
            &me,
            "respondToInvitation",
            "mutation($i: RespondToInvitationInput!) { respondToInvitation(input: $i) { invitation { status } } }",
            json!({ "i": { "id": inv, "accept": true } }),
        )
        .await;
        let inv2 = app
            .ok(
                Some(&staff),
                "mutation($i: InviteVolunteerInput!) { inviteVolunteer(input: $i) { invitation { id } } }",
                json!({ "i": { "demandId": demand, "volunteerId": category_only.0 } }),
            )
            .await;
        let inv2 = inv2["inviteVolunteer"]["invitation"]["id"].as_str().unwrap().to_owned();
        app.ok(
            Some(&app.token(Role::Member, &category_only.1)),
            "mutation($i: RespondToInvitationInput!) { respondToInvitation(input: $i) { invitation { status } } }",
            json!({ "i": { "id": inv2, "accept": true } }),
        )
        .await;
        let status = app
            .ok(
                Some(&staff),
                "query($id: ID!) { node(id: $id) { ... on Demand { status invitations { status } } } }",
                json!({ "id": demand }),
            )
            .await;
        assert_eq!(status["node"]["status"], "FILLED");
    }
}

both_backends! {
    async fn suggestions_and_activity_lists_cost_the_same_statements_as_data_grows(backend: Backend) {
        let mut counts = Vec::new();
        for n in [3usize, 30] {
            let app = TestApp::demo(&backend).await;
            let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
            let staff = songyuan.staff(&app);
            for i in 0..n {
                volunteer(&app, &songyuan, &format!("v{i}"), json!({ "categories": ["sanitation"], "skills": ["电工"] })).await;
            }
            let dm = app.ok(Some(&staff), "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }", json!({ "i": {
                "communityId": songyuan.id, "categoryId": category(&d, "sanitation"), "title": "楼道清理", "place": "松园小区", "startsAt": "2030-01-05T01:00:00Z", "endsAt": "2030-01-05T03:00:00Z", "headcount": 3 } })).await;
            let demand = dm["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
            for i in 0..(n / 3) {
                let a = app
                    .ok(
                        Some(&staff),
                        CREATE_ACTIVITY,
                        json!({ "i": { "communityId": songyuan.id, "demandId": demand, "title": format!("活动{i}"), "capacity": 50 } }),
                    )
                    .await;
                let a = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
                for v in volunteer::Entity::find().all(&app.db).await.unwrap().iter().take(3) {
                    app.ok(Some(&app.token(Role::Member, &v.person_id.to_string())), SIGN_UP, json!({ "i": { "activityId": a } })).await;
                }
            }
            app.ok(Some(&staff), "{ viewer { kind } }", json!({})).await;
            let q1 = "query($id: ID!) { node(id: $id) { ... on Demand { category { name } suggestedVolunteers(first: 50) { score volunteer { person { name phone } community { name } } } } } }";
            let (a, data) = app.count_statements(app.ok(Some(&staff), q1, json!({ "id": demand }))).await;
            assert_eq!(data["node"]["suggestedVolunteers"].as_array().unwrap().len(), n);
            let q2 = "{ activities(first: 50) { edges { node { title category { name } demand { title } signUps { status person { name } activity { title } } } } } }";
            let (b, _) = app.count_statements(app.ok(Some(&staff), q2, json!({}))).await;
            counts.push((a, b));
        }
        assert_eq!(counts[0], counts[1], "[{}] statements grew with the data: {counts:?}", backend.name());
    }
}

both_backends! {
    async fn suggestions_for_a_list_of_demands_cost_the_same_for_two_demands_or_eight(backend: Backend) {
        let mut counts = Vec::new();
        for n in [2usize, 8] {
            let app = TestApp::demo(&backend).await;
            let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
            let staff = songyuan.staff(&app);
            for i in 0..4 {
                volunteer(&app, &songyuan, &format!("v{i}"), json!({ "categories": ["sanitation"] })).await;
            }
            for i in 0..n {
                app.ok(
                    Some(&staff),
                    "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }",
                    json!({ "i": {
                    "communityId": songyuan.id, "categoryId": category(&d, "sanitation"), "title": format!("需求{i}"),
                    "startsAt": "2030-01-05T01:00:00Z", "endsAt": "2030-01-05T03:00:00Z", "headcount": 1 } }),
                )
                .await;
            }
            let q = "{ demands(first: 20) { edges { node { title suggestedVolunteers(first: 3) { score volunteer { id suggestedDemands(first: 2) { score demand { title } } } } } } } }";
            app.ok(Some(&staff), "{ viewer { kind } }", json!({})).await;
            let (count, data) = app.count_statements(app.ok(Some(&staff), q, json!({}))).await;
            let edges = data["demands"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n);
            assert!(edges.iter().all(|e| e["node"]["suggestedVolunteers"].as_array().unwrap().len() == 3));
            counts.push(count);
        }
        assert_eq!(counts[0], counts[1], "[{}] suggestions are computed per demand: {counts:?}", backend.name());
    }
}
