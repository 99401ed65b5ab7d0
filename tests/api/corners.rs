//! Corners a hostile caller found: existence oracles, refusals that name what was refused,
//! who takes a task to the city, dates outside a sane window.

use gongzhi::graphql::node::global_id;
use serde_json::{Value, json};

use crate::fixtures::{Fixture, Unit};
use crate::support::TestApp;

/// The first error's code and message: what a caller learns from a refusal.
fn answer(body: &Value) -> (String, String) {
    let e = &body["errors"][0];
    (e["extensions"]["code"].as_str().unwrap_or("OK").to_owned(), e["message"].as_str().unwrap_or_default().to_owned())
}

/// The global id of an object of `kind` that does not exist.
fn nonexistent(kind: &str) -> String {
    global_id(kind, uuid::Uuid::now_v7()).to_string()
}

both_backends! {
    async fn an_object_outside_the_scope_answers_exactly_as_one_that_does_not_exist(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let station = Fixture::unit(&app, "派出所").await;
        let station_seat = station.seat_in(&app, &songyuan).await;
        let staff = songyuan.staff(&app);
        let inspection = app
            .ok(
                Some(&staff),
                "mutation($i: CreateInspectionInput!) { createInspection(input: $i) { inspection { findings { id } } } }",
                json!({ "i": { "communityId": songyuan.id, "patrol": "文明劝导队", "findings": [{ "description": "路口堆放杂物", "category": "SANITATION" }] } }),
            )
            .await;
        let finding = inspection["createInspection"]["inspection"]["findings"][0]["id"].as_str().unwrap().to_owned();
        // The station sits on a committee of another street too.
        let xiyuan = Fixture::street(&app, "西园街道").await;
        station.seat_in(&app, &xiyuan.community(&app, "西园").await).await;

        // 市场监管 sits on 松园's committee but sees neither the station's seat nor the patrol's
        // findings; 竹溪's administrator and another street's administrator see nothing of 松园.
        let outsiders = [
            ("a unit of the same committee", market.token(&app)),
            ("another community's administrator", zhuxi.admin(&app)),
            ("another street's administrator", xiyuan.admin(&app)),
        ];
        let end = "mutation($i: EndCommitteeMembershipInput!) { endCommitteeMembership(input: $i) { membership { id } } }";
        let from = "mutation($i: CreateTaskFromFindingInput!) { createTaskFromFinding(input: $i) { task { id } } }";
        let cases = [
            (
                "endCommitteeMembership",
                end,
                json!({ "i": { "id": station_seat } }),
                json!({ "i": { "id": nonexistent("CommitteeMembership") } }),
            ),
            (
                "createTaskFromFinding",
                from,
                json!({ "i": { "findingId": finding } }),
                json!({ "i": { "findingId": nonexistent("Finding") } }),
            ),
        ];
        for (who, token) in &outsiders {
            for (mutation, query, theirs, missing) in &cases {
                let (_, seen) = app.post(Some(token), query, theirs.clone()).await;
                let (_, unseen) = app.post(Some(token), query, missing.clone()).await;
                assert_eq!(answer(&seen).0, "NOT_FOUND", "[{}] {mutation} by {who}: {seen}", backend.name());
                assert_eq!(answer(&seen), answer(&unseen), "[{}] {mutation} by {who}", backend.name());
            }
        }
    }
}

both_backends! {
    async fn refusals_of_community_work_name_the_action_refused(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let task = Fixture::task(&app, &songyuan, "市场占道").await;
        task.share(&app, &market, "LEAD").await;
        let task = task.id;
        let unit = market.token(&app);
        let transition = |name: &str| format!("mutation($i: TaskTransitionInput!) {{ {name}(input: $i) {{ task {{ id }} }} }}");
        let refusals = [
            (transition("cancelTask"), json!({ "i": { "id": task } }), "only community staff may cancel tasks"),
            (transition("verifyTask"), json!({ "i": { "id": task } }), "only community staff may verify tasks"),
            (transition("reopenTask"), json!({ "i": { "id": task } }), "only community staff may reopen tasks"),
            (
                crate::collab_support::CREATE_TASK.to_owned(),
                json!({ "i": { "communityId": songyuan.id, "title": "占道", "category": "STALL_SPRAWL", "description": "占道摆摊" } }),
                "only community staff may create tasks",
            ),
            (
                "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }".to_owned(),
                json!({ "i": { "id": task, "title": "改名" } }),
                "only community staff may update tasks",
            ),
        ];
        for (query, input, message) in &refusals {
            let (_, body) = app.post(Some(&unit), query, input.clone()).await;
            assert_eq!(answer(&body), ("FORBIDDEN".to_owned(), (*message).to_owned()), "[{}] {body}", backend.name());
        }

        // A party member of 松园 sees the community but does not run its activities.
        let sanitation = Fixture::category(&app, "sanitation").await;
        let me = Fixture::member(&app, &songyuan, "林晓东").await.token(&app);
        let starts = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        let ends = (chrono::Utc::now() + chrono::Duration::days(1) + chrono::Duration::hours(2)).to_rfc3339();
        let (_, body) = app
            .post(
                Some(&me),
                "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id } } }",
                json!({ "i": { "communityId": songyuan.id, "categoryId": sanitation, "title": "河道清理", "place": "松园溪", "startsAt": starts, "endsAt": ends, "capacity": 5 } }),
            )
            .await;
        assert_eq!(
            answer(&body),
            ("FORBIDDEN".to_owned(), "only community staff may create activities".to_owned()),
            "[{}] {body}",
            backend.name()
        );
    }
}

both_backends! {
    async fn refusals_across_the_nouns_name_what_was_refused(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let unit = market.token(&app);
        let member = Fixture::member(&app, &songyuan, "林晓东").await.token(&app);
        let c = &songyuan.id;
        // (who, mutation, input, the refusal): each names the action, or what is managed and by whom.
        let refusals = [
            (&member, "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }",
                json!({ "communityId": c, "name": "松园新村" }), "only street or community administrators may change the organisation graph"),
            (&unit, "mutation($i: RegisterPartyMemberInput!) { registerPartyMember(input: $i) { member { id } } }",
                json!({ "communityId": c, "name": "王强", "kind": "RESIDENT" }), "only community staff may register members"),
            (&unit, "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { volunteer { id } } }",
                json!({ "communityId": c, "name": "王强" }), "volunteers register themselves or are registered by community staff"),
            (&member, "mutation($i: CreateSiteInput!) { createSite(input: $i) { site { id } } }",
                json!({ "communityId": c, "name": "松园市场", "kind": "MARKET" }), "only community staff may create sites"),
            (&member, "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }",
                json!({ "unitId": market.id, "label": "工单" }), "API keys are managed by street administrators"),
            (&unit, "mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { webhook { id } } }",
                json!({ "unitId": market.id, "url": "https://partner.example.gov.cn/hook" }), "webhooks are managed by street administrators"),
            (&member, "mutation($i: CreateServiceCategoryInput!) { createServiceCategory(input: $i) { category { id } } }",
                json!({ "code": "river", "name": "河道保洁" }), "service categories are managed by street administrators"),
            (&unit, "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
                json!({ "name": "市场整治", "startsOn": "2026-12-01", "communityIds": [c] }), "campaigns are managed by street administrators"),
        ];
        for (token, query, input, message) in refusals {
            let (_, body) = app.post(Some(token), query, json!({ "i": input })).await;
            assert_eq!(answer(&body), ("FORBIDDEN".to_owned(), message.to_owned()), "[{}] {query}: {body}", backend.name());
        }
    }
}

both_backends! {
    async fn dates_outside_a_sane_window_are_refused_naming_the_field(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let station = Fixture::unit(&app, "派出所").await;
        let staff = songyuan.staff(&app);
        let admin = songyuan.admin(&app);
        let street = songyuan.street_admin(&app);
        let task = Fixture::task(&app, &songyuan, "市场占道").await.id;
        let category = Fixture::category(&app, "sanitation").await;
        let create_task = crate::collab_support::CREATE_TASK;
        let new_task = |due: &str| json!({ "i": { "communityId": songyuan.id, "title": "占道", "category": "STALL_SPRAWL", "description": "占道摆摊", "dueAt": due } });
        let cases = [
            (&staff, create_task, new_task("0001-06-01T00:00:00Z"), "dueAt"),
            (&staff, create_task, new_task("9999-06-01T00:00:00Z"), "dueAt"),
            (
                &staff,
                "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
                json!({ "i": { "id": task, "dueAt": "9999-12-31T00:00:00Z" } }),
                "dueAt",
            ),
            (
                &street,
                "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
                json!({ "i": { "name": "农贸市场系列整治", "startsOn": "0000-01-01", "communityIds": [songyuan.id] } }),
                "startsOn",
            ),
            (
                &staff,
                "mutation($i: CreateInspectionInput!) { createInspection(input: $i) { inspection { id } } }",
                json!({ "i": { "communityId": songyuan.id, "patrol": "文明劝导队", "inspectedAt": "0001-01-01T00:00:00Z", "findings": [] } }),
                "inspectedAt",
            ),
            (
                &staff,
                "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id } } }",
                json!({ "i": { "communityId": songyuan.id, "categoryId": category, "title": "清扫", "place": "市场", "startsAt": "9999-01-01T00:00:00Z", "endsAt": "9999-01-01T02:00:00Z", "capacity": 5 } }),
                "startsAt",
            ),
            (
                &admin,
                "mutation($i: AddCommitteeMembershipInput!) { addCommitteeMembership(input: $i) { membership { id } } }",
                json!({ "i": { "communityId": songyuan.id, "unitId": station.id, "role": "MEMBER_UNIT", "since": "0001-01-01" } }),
                "since",
            ),
        ];
        for (token, query, input, field) in &cases {
            let (_, body) = app.post(Some(token), query, input.clone()).await;
            let e = &body["errors"][0];
            assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "[{}] {field}: {body}", backend.name());
            assert_eq!(e["extensions"]["field"], *field, "[{}] {body}", backend.name());
            assert_eq!(e["message"], format!("`{field}` must be between 1900-01-01 and 2100-12-31"), "[{}] {body}", backend.name());
        }
        // The window's edges are accepted.
        app.ok(Some(&staff), create_task, new_task("2100-12-31T23:59:59Z")).await;
    }
}

both_backends! {
    async fn an_ended_seats_open_shares_are_flagged_on_the_timeline_listed_for_staff_and_reassigned(backend: Backend) {
        use crate::audit::{audited, refused};
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let station = Fixture::unit(&app, "派出所").await;
        let seat = station.seat_in(&app, &songyuan).await;
        let traffic = Fixture::unit(&app, "交警中队").await.seated_in(&app, &songyuan).await;
        let water = Fixture::unit(&app, "自来水公司").await.seated_in(&app, &songyuan).await;
        let fire = Fixture::unit(&app, "消防救援站").await.seated_in(&app, &songyuan).await;
        let municipal = Fixture::unit(&app, "市政").await.seated_in(&app, &songyuan).await;
        let staff = songyuan.staff(&app);
        let admin = songyuan.admin(&app);
        // The station leads one open task and supports another; a third task, without it, is left alone.
        let led = Fixture::task(&app, &songyuan, "夜市占道").await;
        let police_lead = led.share(&app, &station, "LEAD").await;
        let supported = Fixture::task(&app, &songyuan, "市场停车").await;
        let other_lead = supported.share(&app, &traffic, "LEAD").await;
        let police_support = supported.share(&app, &station, "SUPPORT").await;
        Fixture::task(&app, &songyuan, "垃圾分类").await.share(&app, &water, "LEAD").await;
        let (led, supported) = (led.id, supported.id);
        let police = station.token(&app);
        let accept = "mutation($i: AssignmentActionInput!) { acceptAssignment(input: $i) { assignment { status } } }";
        app.ok(Some(&police), accept, json!({ "i": { "id": police_support } })).await;

        let end = "mutation($i: EndCommitteeMembershipInput!) { endCommitteeMembership(input: $i) { membership { active } } }";
        audited(&app, &admin, "endCommitteeMembership", end, json!({ "i": { "id": seat } })).await;

        // Staff find the tasks holding such shares, and see why on the timeline.
        let flagged = r#"{ tasks(filter: { hasSharesOfEndedSeats: true }) { totalCount edges { node { id
            assignments { id seatEnded status unit { code } }
            timeline { kind unit { code } note } } } } }"#;
        let d = app.ok(Some(&staff), flagged, json!({})).await;
        assert_eq!(d["tasks"]["totalCount"], 2, "[{}] {d}", backend.name());
        let mut ids: Vec<&str> = d["tasks"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap()).collect();
        ids.sort();
        let mut want = vec![led.as_str(), supported.as_str()];
        want.sort();
        assert_eq!(ids, want);
        for edge in d["tasks"]["edges"].as_array().unwrap() {
            for a in edge["node"]["assignments"].as_array().unwrap() {
                assert_eq!(a["seatEnded"], a["unit"]["code"] == station.code.as_str(), "[{}] only the station's shares are flagged: {a}", backend.name());
            }
            let ended: Vec<&Value> = edge["node"]["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "SEAT_ENDED").collect();
            assert_eq!(ended.len(), 1, "[{}] {edge}", backend.name());
            assert_eq!(ended[0]["unit"]["code"], station.code.as_str());
            assert!(ended[0]["note"].as_str().unwrap().contains("reassign"));
        }
        // The unit no longer sees them.
        let mine = app.ok(Some(&police), "{ tasks { totalCount } }", json!({})).await;
        assert_eq!(mine["tasks"]["totalCount"], 0, "[{}] {mine}", backend.name());

        let reassign = "mutation($i: ReassignShareInput!) { reassignShare(input: $i) {
            task { status } assignment { role status seatEnded unit { code } } previous { status seatEnded } } }";
        // Only a flagged share, only to a seated unit other than the one that left, only by staff.
        let to = |share: &str, unit: &Unit| json!({ "i": { "id": share, "unitId": unit.id } });
        assert_eq!(refused(&app, Some(&staff), reassign, to(&other_lead, &fire)).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&staff), reassign, to(&police_lead, &station)).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&staff), reassign, to(&police_support, &traffic)).await, "CONFLICT");
        assert_eq!(refused(&app, Some(&fire.token(&app)), reassign, to(&police_lead, &fire)).await, "NOT_FOUND");
        let stale = json!({ "i": { "id": police_lead, "unitId": fire.id, "expectedVersion": 1 } });
        assert_eq!(refused(&app, Some(&staff), reassign, stale).await, "CONFLICT");

        let d = audited(&app, &staff, "reassignShare", reassign, to(&police_lead, &fire)).await;
        let r = &d["reassignShare"];
        assert_eq!(r["assignment"], json!({ "role": "LEAD", "status": "PENDING", "seatEnded": false, "unit": { "code": fire.code } }));
        assert_eq!(r["previous"], json!({ "status": "DECLINED", "seatEnded": true }));
        assert_eq!(r["task"]["status"], "ASSIGNED");
        audited(&app, &staff, "reassignShare", reassign, to(&police_support, &municipal)).await;
        // Nothing left to reassign; the new unit sees its share.
        let d = app.ok(Some(&staff), flagged, json!({})).await;
        assert_eq!(d["tasks"]["totalCount"], 0, "[{}] {d}", backend.name());
        let theirs = app.ok(Some(&fire.token(&app)), "{ tasks { totalCount } }", json!({})).await;
        assert_eq!(theirs["tasks"]["totalCount"], 1);
    }
}
