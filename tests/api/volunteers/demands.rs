//! Demands and invitations: a compound branch secretary manages their compound's demands, and
//! answers to invitations respect the demand's state.

use super::*;

both_backends! {
    async fn a_compound_branch_secretary_posts_and_manages_the_demands_of_that_compound_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let d = categories(&app).await;
        let admin = songyuan.admin(&app);
        // Two compounds with a branch each: 王 is secretary of the first, 李 a member there; 张 and
        // 赵 are members of the second.
        let (c0, c1) = (Fixture::compound(&app, &songyuan, "松园一区").await, Fixture::compound(&app, &songyuan, "松园二区").await);
        let branch = Fixture::branch(&app, &songyuan, &c0, "松园一区党支部").await;
        let other_branch = Fixture::branch(&app, &songyuan, &c1, "松园二区党支部").await;
        let wang = Fixture::member_of(&app, &songyuan, &branch, "王建国").await;
        let li = Fixture::member_of(&app, &songyuan, &branch, "李秀英").await;
        let zhang = Fixture::member_of(&app, &songyuan, &other_branch, "张伟").await;
        let zhao = Fixture::member_of(&app, &songyuan, &other_branch, "赵敏").await;
        Fixture::secretary(&app, &songyuan, &branch, &wang).await;
        let me = wang.token(&app);
        let led = app.ok(Some(&me), "{ viewer { secretaryOf { id kind compound { id } } } }", json!({})).await;
        assert_eq!(led["viewer"]["secretaryOf"], json!([{ "id": branch, "kind": "COMPOUND_BRANCH", "compound": { "id": c0 } }]));

        let post = "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id compound { id } } } }";
        let input = |community: &str, compound: Option<&str>| {
            json!({ "i": { "communityId": community, "compoundId": compound, "categoryId": category(&d, "elder-care"),
                "title": "楼道老人助餐", "startsAt": "2030-03-01T01:00:00Z", "endsAt": "2030-03-01T03:00:00Z", "headcount": 2 } })
        };
        let posted = audited(&app, &me, "postDemand", post, input(&songyuan.id, Some(&c0))).await;
        assert_eq!(posted["postDemand"]["demand"]["compound"]["id"], c0.as_str());
        let demand = posted["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
        assert_eq!(refused(&app, Some(&me), post, input(&songyuan.id, Some(&c1))).await, "FORBIDDEN", "another compound");
        assert_eq!(refused(&app, Some(&me), post, input(&songyuan.id, None)).await, "FORBIDDEN", "the whole community");
        assert_eq!(refused(&app, Some(&me), post, input(&zhuxi.id, Some(&c0))).await, "NOT_FOUND", "another community");
        let ordinary = zhao.token(&app);
        assert_eq!(refused(&app, Some(&ordinary), post, input(&songyuan.id, Some(&c1))).await, "FORBIDDEN", "not the secretary");

        // Appointing another secretary moves the right at once; the post is for branch members.
        let set =
            "mutation($i: SetPartySecretaryInput!) { setPartySecretary(input: $i) { partyOrganization { version secretary { id } } } }";
        let next = li.id.clone();
        let version = app.ok(Some(&admin), "query($id: ID!) { node(id: $id) { ... on PartyOrganization { version } } }", json!({ "id": branch })).await
            ["node"]["version"]
            .as_i64()
            .unwrap();
        let outsider = zhang.id.clone();
        assert_eq!(
            refused(&app, Some(&admin), set, json!({ "i": { "organizationId": branch, "memberId": outsider } })).await,
            "BAD_USER_INPUT"
        );
        let staff = songyuan.staff(&app);
        assert_eq!(refused(&app, Some(&staff), set, json!({ "i": { "organizationId": branch, "memberId": next } })).await, "FORBIDDEN");
        let other_admin = zhuxi.admin(&app);
        assert_eq!(
            refused(&app, Some(&other_admin), set, json!({ "i": { "organizationId": branch, "memberId": next } })).await,
            "NOT_FOUND"
        );
        let stale = json!({ "i": { "organizationId": branch, "memberId": next, "expectedVersion": version - 1 } });
        assert_eq!(refused(&app, Some(&admin), set, stale).await, "CONFLICT");
        let changed = audited(
            &app,
            &admin,
            "setPartySecretary",
            set,
            json!({ "i": { "organizationId": branch, "memberId": next, "expectedVersion": version } }),
        )
        .await;
        assert_eq!(changed["setPartySecretary"]["partyOrganization"]["secretary"]["id"], json!(next));
        let close = "mutation($i: DemandStatusInput!) { closeDemand(input: $i) { demand { status } } }";
        assert_eq!(refused(&app, Some(&me), close, json!({ "i": { "id": demand } })).await, "FORBIDDEN", "no longer secretary");
        let closed = audited(&app, &li.token(&app), "closeDemand", close, json!({ "i": { "id": demand } })).await;
        assert_eq!(closed["closeDemand"]["demand"]["status"], "CLOSED");

        // Who the secretary is stays personal data: a partner department sees the branch, not them.
        let unit = Fixture::unit(&app, "派出所").await.seated_in(&app, &songyuan).await.token(&app);
        let seen = app
            .ok(
                Some(&unit),
                "query($id: ID!) { node(id: $id) { ... on PartyOrganization { name secretary { id } } } }",
                json!({ "id": branch }),
            )
            .await;
        assert!(seen["node"]["name"].is_string(), "{seen}");
        assert_eq!(seen["node"]["secretary"], Value::Null);
    }
}

both_backends! {
    async fn answers_to_invitations_respect_the_demands_state_and_fill_it_once(backend: Backend) {
        use entity::{demand, invitation};
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let staff = songyuan.staff(&app);
        let mut vols = Vec::new();
        for i in 0..3 {
            vols.push(volunteer(&app, &songyuan, &format!("应邀{i}"), json!({ "categories": ["traffic-civility"] })).await);
        }
        let post = |title: &str, headcount: i32| {
            json!({ "i": { "communityId": songyuan.id, "categoryId": category(&d, "traffic-civility"), "title": title,
                "startsAt": "2030-04-01T01:00:00Z", "endsAt": "2030-04-01T03:00:00Z", "headcount": headcount } })
        };
        let invite = |demand: &str, v: &str| {
            let (app, staff, input) = (&app, &staff, json!({ "i": { "demandId": demand, "volunteerId": v } }));
            async move { app.ok(Some(staff), INVITE, input).await["inviteVolunteer"]["invitation"]["id"].as_str().unwrap().to_owned() }
        };
        let demand_row = |id: &str| {
            let (db, id) = (app.db.clone(), uuid_of(id));
            async move { demand::Entity::find_by_id(id).one(&db).await.unwrap().unwrap() }
        };
        let invitation_status = |id: &str| {
            let (db, id) = (app.db.clone(), uuid_of(id));
            async move { invitation::Entity::find_by_id(id).one(&db).await.unwrap().unwrap().status }
        };
        let token = |i: usize| app.token(Role::Member, &vols[i].1);

        // Closed or cancelled: an acceptance is refused, the invitation stays open to a decline.
        for (name, title) in [("closeDemand", "已关闭"), ("cancelDemand", "已取消")] {
            let id = app.ok(Some(&staff), POST_DEMAND, post(title, 1)).await["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
            let inv = invite(&id, &vols[0].0).await;
            app.ok(
                Some(&staff),
                &format!("mutation($i: DemandStatusInput!) {{ {name}(input: $i) {{ demand {{ status }} }} }}"),
                json!({ "i": { "id": id } }),
            )
            .await;
            let version = demand_row(&id).await.version;
            assert_eq!(
                refused(&app, Some(&token(0)), RESPOND, json!({ "i": { "id": inv, "accept": true } })).await,
                "BAD_USER_INPUT",
                "[{}] {name}",
                backend.name()
            );
            assert_eq!(invitation_status(&inv).await, invitation::InvitationStatus::Invited);
            let after = demand_row(&id).await;
            assert_eq!(after.version, version, "the demand is unchanged");
            assert_ne!(after.status, demand::DemandStatus::Filled);
            let declined = audited(&app, &token(0), "respondToInvitation", RESPOND, json!({ "i": { "id": inv, "accept": false } })).await;
            assert_eq!(declined["respondToInvitation"]["invitation"]["status"], "DECLINED");
        }

        // Headcount 2, three invited, three accepting at once: two are taken, the demand fills once,
        // and the acceptance that comes after it filled is refused.
        for round in 0..3 {
            let id = app.ok(Some(&staff), POST_DEMAND, post(&format!("文明劝导{round}"), 2)).await["postDemand"]["demand"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let mut invs = Vec::new();
            for v in &vols {
                invs.push(invite(&id, &v.0).await);
            }
            let before = demand_row(&id).await;
            assert_eq!((before.status, before.version), (demand::DemandStatus::Open, 1));
            let records = audit_records(&app).await;
            let tokens: Vec<String> = (0..3).map(token).collect();
            let answers = futures_util::future::join_all(
                invs.iter().zip(&tokens).map(|(inv, t)| app.post(Some(t), RESPOND, json!({ "i": { "id": inv, "accept": true } }))),
            )
            .await;
            let mut codes: Vec<String> = answers.iter().map(|(_, b)| outcome(b)).collect();
            codes.sort();
            assert_eq!(codes, ["BAD_USER_INPUT", "OK", "OK"], "[{}] {answers:?}", backend.name());
            assert_eq!(audit_records(&app).await, records + 2);
            let after = demand_row(&id).await;
            assert_eq!((after.status, after.version), (demand::DemandStatus::Filled, 2), "[{}] filled once", backend.name());
            let accepted = invitation::Entity::find()
                .filter(invitation::Column::DemandId.eq(uuid_of(&id)))
                .filter(invitation::Column::Status.eq(invitation::InvitationStatus::Accepted))
                .count(&app.db)
                .await
                .unwrap();
            assert_eq!(accepted, 2);
            let late = answers.iter().position(|(_, b)| outcome(b) == "BAD_USER_INPUT").unwrap();
            assert_eq!(invitation_status(&invs[late]).await, invitation::InvitationStatus::Invited);
            let shown =
                app.ok(Some(&staff), "query($id: ID!) { node(id: $id) { ... on Demand { status version } } }", json!({ "id": id })).await;
            assert_eq!(shown["node"], json!({ "status": "FILLED", "version": 2 }));
        }
    }
}
