//! Meetings and their follow-through, end to end: an accepted appeal goes on a meeting's agenda
//! (SCHEDULED), the held meeting decides its item with owners' votes checked against the quorum
//! (ANSWERED), action items follow (IN_PROGRESS), one of them a collaboration task filed in the
//! same transaction; the task worked by its unit and VERIFIED by staff closes its action inside
//! the verifying write, and the appeal is DONE when its last action is. One audit record per
//! mutation, none for a refusal; and a meeting page costs the same statements for a small
//! meeting and a large one.

use super::*;

pub const SCHEDULE: &str = "mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { meeting { id state version participants { id kind partyId attended } } } }";
pub const ADD_ITEM: &str =
    "mutation($i: AddAgendaItemInput!) { addAgendaItem(input: $i) { agendaItem { id position version appeals { id state } } } }";
pub const RECORD: &str =
    "mutation($i: RecordMeetingInput!) { recordMeeting(input: $i) { meeting { id state minutes participants { attended } } } }";
pub const DECIDE: &str = "mutation($i: DecideAgendaItemInput!) { decideAgendaItem(input: $i) { agendaItem { id decision passed votesFor appeals { state answer } } } }";
pub const ADD_ACTION: &str = "mutation($i: AddActionItemInput!) { addActionItem(input: $i) { actionItem { id status ownerKind ownerId task { id status title } } } }";
const PROGRESS: &str =
    "mutation($i: RecordActionProgressInput!) { recordActionProgress(input: $i) { actionItem { id notes { note evidence } } } }";
const COMPLETE: &str = "mutation($i: CompleteActionItemInput!) { completeActionItem(input: $i) { actionItem { id status doneAt } } }";
pub const MEETING_PAGE: &str = r#"query($id: ID!) { node(id: $id) { ... on Meeting { id kind title state startsAt minutes eligibleVoters
  venue { id name } participants { id kind partyId attended }
  agenda { id position title decision votesFor votesAgainst votesAbstain passed
    appeals { id title state answer supportersCount compound { id } }
    actions { id title status ownerKind ownerId dueOn task { id title status } notes { note evidence } } } } } }"#;

fn state_of(d: &Value) -> &str {
    d["node"]["state"].as_str().unwrap_or("?")
}

async fn appeal_state(app: &TestApp, staff: &str, id: &str) -> String {
    let d = app.ok(Some(staff), "query($id: ID!) { node(id: $id) { ... on Appeal { state answer } } }", json!({ "id": id })).await;
    state_of(&d).to_owned()
}

/// A meeting at the community's centre inviting the convenor and the unit, with 9 eligible
/// owners; returns its id and its participants' ids.
pub async fn schedule(app: &TestApp, n: &Neighbourhood, title: &str) -> (String, Vec<String>) {
    let vars = json!({ "i": { "venueId": n.centre, "kind": "JOINT_MEETING", "title": title, "startsAt": "2026-12-20T02:00:00Z",
        "eligibleVoters": 9, "participants": [ { "kind": "PERSON", "id": n.convenor.person }, { "kind": "UNIT", "id": n.unit.id } ] } });
    let d = audited(app, &n.staff(app), "scheduleMeeting", SCHEDULE, vars).await;
    let m = &d["scheduleMeeting"]["meeting"];
    let parts = m["participants"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect();
    (m["id"].as_str().unwrap().to_owned(), parts)
}

both_backends! {
    async fn an_appeal_goes_through_a_meeting_a_decision_actions_and_a_verified_task_to_done(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "议事").await;
        let staff = n.staff(&app);
        let appeal = raise(&app, &n.raiser, "春苑外圈改造临时停车场").await;
        app.ok(Some(&staff), ACCEPT, json!({ "i": { "id": appeal } })).await;
        let (meeting, parts) = schedule(&app, &n, "春苑停车联席会议").await;

        // The agenda takes up the accepted appeal: SCHEDULED on the meeting's day and venue.
        let raised_only = raise(&app, &n.neighbour, "未受理的诉求").await;
        let bad = json!({ "i": { "meetingId": meeting, "title": "x", "appealIds": [raised_only] } });
        assert_eq!(refused(&app, Some(&staff), ADD_ITEM, bad).await, "CONFLICT", "[{b}] a RAISED appeal is not scheduled");
        let d = audited(&app, &staff, "addAgendaItem", ADD_ITEM,
            json!({ "i": { "meetingId": meeting, "title": "外圈改造为封闭式临时停车场", "appealIds": [appeal] } })).await;
        let item = at(&d, "/addAgendaItem/agendaItem/id");
        assert_eq!(appeal_state(&app, &staff, &appeal).await, "SCHEDULED", "[{b}]");
        // Nothing is decided before the meeting is held.
        let decide = |votes: Value| json!({ "i": { "agendaItemId": item, "decision": "同意改造，收益归全体业主", "votes": votes } });
        assert_eq!(refused(&app, Some(&staff), DECIDE, decide(json!({ "for": 6, "against": 0, "abstain": 0 }))).await, "CONFLICT", "[{b}]");
        let d = audited(&app, &staff, "recordMeeting", RECORD,
            json!({ "i": { "meetingId": meeting, "minutes": "到会各方同意改造方案。", "attended": [parts[0]] } })).await;
        assert_eq!(d["recordMeeting"]["meeting"]["state"], "HELD", "[{b}]");
        // Owners' votes: 5 of 9 is no quorum; 6 of 9 with 5 for passes.
        assert_eq!(refused(&app, Some(&staff), DECIDE, decide(json!({ "for": 5, "against": 0, "abstain": 0 }))).await, "BAD_USER_INPUT", "[{b}]");
        let (_, body) = app.post(Some(&staff), DECIDE, decide(json!({ "for": 5, "against": 0, "abstain": 0 }))).await;
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("no quorum: 5 of 9"), "[{b}] {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "votes", "[{b}] {body}");
        let d = audited(&app, &staff, "decideAgendaItem", DECIDE, decide(json!({ "for": 5, "against": 1, "abstain": 0 }))).await;
        assert_eq!(d["decideAgendaItem"]["agendaItem"]["passed"], true, "[{b}] {d}");
        assert_eq!(appeal_state(&app, &staff, &appeal).await, "ANSWERED", "[{b}] the decision answers it");
        assert_eq!(refused(&app, Some(&staff), DECIDE, decide(Value::Null)).await, "CONFLICT", "[{b}] decided once");

        // Actions: the unit's is a collaboration task filed in the same write; the convenor's is not.
        let unit_action = json!({ "i": { "agendaItemId": item, "title": "出入口标识标线", "dueOn": "2027-01-31",
            "owner": { "kind": "UNIT", "id": n.unit.id },
            "task": { "description": "外圈出入口施划标线、设置标识", "category": "PARKING", "priority": "NORMAL" } } });
        let d = audited(&app, &staff, "addActionItem", ADD_ACTION, unit_action).await;
        let unit_item = at(&d, "/addActionItem/actionItem/id");
        let task = at(&d, "/addActionItem/actionItem/task/id");
        assert_eq!(d["addActionItem"]["actionItem"]["task"]["status"], "REPORTED", "[{b}] {d}");
        assert_eq!(appeal_state(&app, &staff, &appeal).await, "IN_PROGRESS", "[{b}] the first action starts it");
        let person_action = json!({ "i": { "agendaItemId": item, "title": "向业主公示收益分配方案", "dueOn": "2027-01-15",
            "owner": { "kind": "PERSON", "id": n.convenor.person } } });
        let d = audited(&app, &staff, "addActionItem", ADD_ACTION, person_action).await;
        let person_item = at(&d, "/addActionItem/actionItem/id");
        // A unit named as an action's owner works on it without being invited to the meeting.
        let water = Fixture::unit(&app, "议事供水所").await.seated_in(&app, &n.community).await;
        let d = audited(&app, &staff, "addActionItem", ADD_ACTION, json!({ "i": { "agendaItemId": item, "title": "排查外圈供水管线",
            "dueOn": "2027-01-20", "owner": { "kind": "UNIT", "id": water.id } } })).await;
        let water_item = at(&d, "/addActionItem/actionItem/id");
        let d = app.ok(Some(&water.token(&app)), MEETING_PAGE, json!({ "id": meeting })).await;
        assert!(d["node"].is_null(), "[{b}] the owner is not invited to the meeting: {d}");
        audited(&app, &water.token(&app), "recordActionProgress", PROGRESS, json!({ "i": { "actionItemId": water_item, "note": "已排查管线" } })).await;
        audited(&app, &water.token(&app), "completeActionItem", COMPLETE, json!({ "i": { "actionItemId": water_item } })).await;
        // A task owned by anyone but a unit, or an owner outside the community, is refused.
        let wrong = json!({ "i": { "agendaItemId": item, "title": "x", "dueOn": "2027-01-15", "owner": { "kind": "PERSON", "id": n.convenor.person },
            "task": { "description": "x", "category": "PARKING", "priority": "NORMAL" } } });
        assert_eq!(refused(&app, Some(&staff), ADD_ACTION, wrong).await, "BAD_USER_INPUT", "[{b}]");
        let stranger_unit = Fixture::unit(&app, "议事外单位").await;
        let wrong = json!({ "i": { "agendaItemId": item, "title": "x", "dueOn": "2027-01-15", "owner": { "kind": "UNIT", "id": stranger_unit.id } } });
        assert_eq!(refused(&app, Some(&staff), ADD_ACTION, wrong).await, "BAD_USER_INPUT", "[{b}] an unseated unit");

        // The task's action closes only with the task.
        assert_eq!(refused(&app, Some(&staff), COMPLETE, json!({ "i": { "actionItemId": unit_item } })).await, "CONFLICT", "[{b}]");
        // The convenor, owner of the other, notes progress and completes it; the appeal waits for the task.
        let convenor = n.convenor.token(&app);
        audited(&app, &convenor, "recordActionProgress", PROGRESS,
            json!({ "i": { "actionItemId": person_item, "note": "已在公示栏张贴", "evidence": "https://img.example.org/gs.jpg" } })).await;
        audited(&app, &convenor, "completeActionItem", COMPLETE, json!({ "i": { "actionItemId": person_item } })).await;
        assert_eq!(appeal_state(&app, &staff, &appeal).await, "IN_PROGRESS", "[{b}] one action is still open");
        assert_eq!(refused(&app, Some(&n.neighbour.token(&app)), COMPLETE, json!({ "i": { "actionItemId": unit_item } })).await, "NOT_FOUND", "[{b}]");

        // The unit works the task; staff verify it; the action and the appeal close in that write.
        let d = app.ok(Some(&staff), crate::collab_support::ASSIGN, json!({ "i": { "taskId": task, "unitId": n.unit.id, "role": "LEAD" } })).await;
        let share = at(&d, "/assignTask/assignment/id");
        for name in ["accept", "start", "resolve"] {
            let q = format!("mutation($i: AssignmentActionInput!) {{ {name}Assignment(input: $i) {{ assignment {{ id }} }} }}");
            app.ok(Some(&n.unit.token(&app)), &q, json!({ "i": { "id": share } })).await;
        }
        let verify = "mutation($i: TaskTransitionInput!) { verifyTask(input: $i) { task { status } } }";
        audited(&app, &staff, "verifyTask", verify, json!({ "i": { "id": task } })).await;
        let d = app.ok(Some(&staff), MEETING_PAGE, json!({ "id": meeting })).await;
        let actions = d["node"]["agenda"][0]["actions"].as_array().unwrap().clone();
        assert!(actions.iter().all(|a| a["status"] == "DONE"), "[{b}] {actions:?}");
        assert_eq!(appeal_state(&app, &staff, &appeal).await, "DONE", "[{b}] its last action done, the appeal is");
        // The raiser rates it, and the board shows the outcome.
        app.ok(Some(&n.raiser.token(&app)), "mutation($i: RateAppealInput!) { rateAppeal(input: $i) { appeal { rating } } }",
            json!({ "i": { "id": appeal, "rating": "SATISFIED" } })).await;
        let d = app.ok(Some(&n.neighbour.token(&app)), super::board::BOARD, json!({ "k": n.spring })).await;
        let on_board = d["board"]["edges"].as_array().unwrap().iter().find(|e| e["node"]["title"] == "春苑外圈改造临时停车场").unwrap()["node"].clone();
        assert_eq!((on_board["state"].as_str(), on_board["outcome"].as_str()), (Some("DONE"), Some("SATISFIED")), "[{b}] {on_board}");
        // The board carries the meeting's decision, with its vote.
        let q = "query($k: ID) { board(compoundId: $k) { edges { node { title decisions { decision passed votesFor } } } } }";
        let d = app.ok(Some(&n.neighbour.token(&app)), q, json!({ "k": n.spring })).await;
        let on_board = d["board"]["edges"].as_array().unwrap().iter().find(|e| e["node"]["title"] == "春苑外圈改造临时停车场").unwrap()["node"].clone();
        assert_eq!(on_board["decisions"], json!([{ "decision": "同意改造，收益归全体业主", "passed": true, "votesFor": 5 }]), "[{b}] {on_board}");
        // From the task's side, its action item: for staff, not for a resident who cannot see it.
        let q = "query($t: ID!) { actionItemsOfTask(taskId: $t) { id status } }";
        let d = app.ok(Some(&staff), q, json!({ "t": task })).await;
        assert_eq!(d["actionItemsOfTask"], json!([{ "id": unit_item, "status": "DONE" }]), "[{b}] {d}");
        let d = app.ok(Some(&n.neighbour.token(&app)), q, json!({ "t": task })).await;
        assert_eq!(d["actionItemsOfTask"], json!([]), "[{b}] {d}");
    }
}

both_backends! {
    async fn meetings_are_seen_by_staff_their_convenor_and_invitees_and_run_by_staff_and_the_convenor(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "会议").await;
        let (meeting, _) = schedule(&app, &n, "会议见面会").await;
        let list = "query { meetings(first: 50) { totalCount edges { node { id } } } }";
        let sees = |d: &Value| d["meetings"]["edges"].as_array().unwrap().iter().any(|e| e["node"]["id"] == meeting.as_str());
        for (who, token, may) in [
            ("community staff", n.staff(&app), true),
            ("street staff", n.street(&app), true),
            ("the invited convenor", n.convenor.token(&app), true),
            ("the invited unit", n.unit.token(&app), true),
            ("a resident not invited", n.raiser.token(&app), false),
            ("staff of another community", n.other.staff(&app), false),
            ("a reporter", n.reporter(&app), false),
        ] {
            let d = app.ok(Some(&token), list, json!({})).await;
            assert_eq!(sees(&d), may, "[{b}] {who}: {d}");
            let d = app.ok(Some(&token), MEETING_PAGE, json!({ "id": meeting })).await;
            assert_eq!(d["node"].is_object(), may, "[{b}] {who} through node(id:)");
        }
        assert_eq!(app.error_code(None, list, json!({})).await, "UNAUTHENTICATED");
        // Invitees who do not run it cannot change it; those who cannot see it do not find it.
        let add = json!({ "i": { "meetingId": meeting, "title": "议题" } });
        assert_eq!(refused(&app, Some(&n.unit.token(&app)), ADD_ITEM, add.clone()).await, "FORBIDDEN", "[{b}]");
        assert_eq!(refused(&app, Some(&n.raiser.token(&app)), ADD_ITEM, add.clone()).await, "NOT_FOUND", "[{b}]");
        assert_eq!(refused(&app, Some(&n.other.staff(&app)), ADD_ITEM, add.clone()).await, "NOT_FOUND", "[{b}]");
        // The centre has no convenor, so staff convene: the convenor invited does not run it.
        assert_eq!(refused(&app, Some(&n.convenor.token(&app)), ADD_ITEM, add.clone()).await, "FORBIDDEN", "[{b}]");
        // A station's convenor schedules at their station and runs what they schedule.
        let d = app.ok(Some(&n.convenor.token(&app)), SCHEDULE,
            json!({ "i": { "venueId": n.station, "kind": "DELIBERATION", "title": "春苑议事会", "startsAt": "2026-12-21T02:00:00Z" } })).await;
        let own = at(&d, "/scheduleMeeting/meeting/id");
        audited(&app, &n.convenor.token(&app), "addAgendaItem", ADD_ITEM, json!({ "i": { "meetingId": own, "title": "楼道堆物" } })).await;
        assert_eq!(refused(&app, Some(&n.convenor.token(&app)), SCHEDULE,
            json!({ "i": { "venueId": n.centre, "kind": "DELIBERATION", "title": "x", "startsAt": "2026-12-21T02:00:00Z" } })).await, "FORBIDDEN", "[{b}]");
        // Stale versions and strangers' parties are refused.
        assert_eq!(refused(&app, Some(&n.staff(&app)), ADD_ITEM, json!({ "i": { "meetingId": meeting, "title": "x", "expectedVersion": 9 } })).await, "CONFLICT", "[{b}]");
        let stranger = Fixture::unit(&app, "会议外单位").await;
        assert_eq!(refused(&app, Some(&n.staff(&app)), SCHEDULE, json!({ "i": { "venueId": n.centre, "kind": "DELIBERATION", "title": "x",
            "startsAt": "2026-12-21T02:00:00Z", "participants": [ { "kind": "UNIT", "id": stranger.id } ] } })).await, "BAD_USER_INPUT", "[{b}]");
    }
}

both_backends! {
    async fn a_meeting_page_costs_the_same_statements_for_one_item_or_eight(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let mut counts = Vec::new();
        for (name, items) in [("小会", 1), ("大会", 8)] {
            let n = Fixture::neighbourhood(&app, name).await;
            let staff = n.staff(&app);
            let (meeting, _) = schedule(&app, &n, name).await;
            let mut item_ids = Vec::new();
            for i in 0..items {
                let a = raise(&app, &n.raiser, &format!("{name}诉求{i}")).await;
                app.ok(Some(&staff), ACCEPT, json!({ "i": { "id": a } })).await;
                let d = app.ok(Some(&staff), ADD_ITEM, json!({ "i": { "meetingId": meeting, "title": format!("议题{i}"), "appealIds": [a] } })).await;
                item_ids.push(at(&d, "/addAgendaItem/agendaItem/id"));
            }
            app.ok(Some(&staff), RECORD, json!({ "i": { "meetingId": meeting, "minutes": "纪要" } })).await;
            for item in &item_ids {
                app.ok(Some(&staff), DECIDE, json!({ "i": { "agendaItemId": item, "decision": "同意" } })).await;
                for owner in [json!({ "kind": "UNIT", "id": n.unit.id }), json!({ "kind": "PERSON", "id": n.convenor.person })] {
                    let task = if owner["kind"] == "UNIT" { json!({ "description": "d", "category": "PARKING", "priority": "NORMAL" }) } else { Value::Null };
                    let d = app.ok(Some(&staff), ADD_ACTION, json!({ "i": { "agendaItemId": item, "title": "落实", "dueOn": "2027-01-15", "owner": owner, "task": task } })).await;
                    let action = at(&d, "/addActionItem/actionItem/id");
                    app.ok(Some(&staff), PROGRESS, json!({ "i": { "actionItemId": action, "note": "进展" } })).await;
                }
            }
            let (count, d) = app.count_statements(app.ok(Some(&staff), MEETING_PAGE, json!({ "id": meeting }))).await;
            let agenda = d["node"]["agenda"].as_array().unwrap();
            assert_eq!(agenda.len(), items, "[{b}] {d}");
            assert!(agenda.iter().all(|i| i["actions"].as_array().unwrap().len() == 2 && i["appeals"].as_array().unwrap().len() == 1), "[{b}] {d}");
            assert!(agenda.iter().all(|i| i["actions"][0]["task"]["id"].is_string()), "[{b}] {d}");
            counts.push(count);
        }
        assert_eq!(counts[0], counts[1], "[{b}] the meeting page grew with its agenda: {counts:?}");
        assert!(counts[0] <= 20, "[{b}] {counts:?} statements for a meeting page");
    }
}

both_backends! {
    async fn a_passed_decision_approves_a_renovation_project_and_a_failed_vote_approves_nothing(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "改造").await;
        let staff = n.staff(&app);
        let propose = "mutation($i: ProposeProjectInput!) { proposeProject(input: $i) { project { id status } } }";
        let d = app.ok(Some(&staff), propose, json!({ "i": { "compoundId": n.spring, "title": "春苑外圈临时停车场", "scope": "外圈道路改造为封闭式停车场",
            "kind": "CAR_PARK", "brokerUnitId": n.unit.id, "funding": [ { "source": "SHARED_INCOME", "amountFen": 12_000_000 } ] } })).await;
        let project = at(&d, "/proposeProject/project/id");
        let (meeting, _) = schedule(&app, &n, "春苑停车场业主代表会").await;
        let d = app.ok(Some(&staff), ADD_ITEM, json!({ "i": { "meetingId": meeting, "title": "外圈停车场改造方案" } })).await;
        let item = at(&d, "/addAgendaItem/agendaItem/id");
        app.ok(Some(&staff), RECORD, json!({ "i": { "meetingId": meeting, "minutes": "业主代表表决。" } })).await;
        let decide = |votes: Value| json!({ "i": { "agendaItemId": item, "decision": "同意按方案改造", "votes": votes, "approvesProjectId": project } });
        // 7 of 9 voted, 3 for: no majority, no approval, nothing written.
        assert_eq!(refused(&app, Some(&staff), DECIDE, decide(json!({ "for": 3, "against": 4, "abstain": 0 }))).await, "BAD_USER_INPUT", "[{b}]");
        let status = "query($id: ID!) { node(id: $id) { ... on Project { status } } }";
        assert_eq!(app.ok(Some(&staff), status, json!({ "id": project })).await["node"]["status"], "PROPOSED", "[{b}]");
        // 6 for of 7: approved in the decision's write, one audit record.
        audited(&app, &staff, "decideAgendaItem", DECIDE, decide(json!({ "for": 6, "against": 1, "abstain": 0 }))).await;
        assert_eq!(app.ok(Some(&staff), status, json!({ "id": project })).await["node"]["status"], "APPROVED", "[{b}]");
        let d = app.ok(Some(&staff), "query($id: ID!) { node(id: $id) { ... on AgendaItem { passed approvedProject { id status } } } }",
            json!({ "id": item })).await;
        assert_eq!((d["node"]["passed"].as_bool(), d["node"]["approvedProject"]["id"].as_str()), (Some(true), Some(project.as_str())), "[{b}] {d}");
    }
}
