//! Every home mutation leaves exactly one audit record in its transaction; a refused one none.

use super::*;

both_backends! {
    async fn every_home_mutation_is_audited_once_and_refusals_not_at_all(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "审苑").await;
        let staff = h.staff(&app);
        let (a, b) = (&h.members[0], &h.members[1]);

        let add = "mutation($i: AddBuildingInput!) { addBuilding(input: $i) { building { id kind } } }";
        let lane = json!({ "i": { "compoundId": h.compound_id, "kind": "LANE", "label": "审苑东巷", "households": 12 } });
        let d = audited(&app, &staff, "addBuilding", add, lane.clone()).await;
        assert_eq!(d["addBuilding"]["building"]["kind"], "LANE");
        assert_eq!(refused(&app, Some(&staff), add, lane).await, "CONFLICT");
        let update = "mutation($i: UpdateBuildingInput!) { updateBuilding(input: $i) { building { label households version } } }";
        let d = audited(&app, &staff, "updateBuilding", update, json!({ "i": { "id": h.buildings[2], "households": 64, "expectedVersion": 1 } })).await;
        assert_eq!((d["updateBuilding"]["building"]["households"].as_i64(), d["updateBuilding"]["building"]["version"].as_i64()), (Some(64), Some(2)));
        let stale = json!({ "i": { "id": h.buildings[2], "households": 65, "expectedVersion": 1 } });
        assert_eq!(refused(&app, Some(&staff), update, stale).await, "CONFLICT");
        let taken = json!({ "i": { "id": h.buildings[2], "label": "1栋" } });
        assert_eq!(refused(&app, Some(&staff), update, taken).await, "CONFLICT");
        let too_many = json!({ "i": { "id": h.buildings[2], "households": 10_001 } });
        assert_eq!(refused(&app, Some(&staff), update, too_many).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&a.token(&app)), update, json!({ "i": { "id": h.buildings[2], "households": 1 } })).await, "FORBIDDEN");
        let bad = json!({ "i": { "compoundId": h.compound_id, "label": "9栋", "households": -1 } });
        assert_eq!(refused(&app, Some(&staff), add, bad).await, "BAD_USER_INPUT");
        let by_member = json!({ "i": { "compoundId": h.compound_id, "label": "9栋", "households": 1 } });
        assert_eq!(refused(&app, Some(&a.token(&app)), add, by_member).await, "FORBIDDEN");

        let elect = json!({ "i": { "compoundId": h.compound_id, "electedOn": "2024-01-01", "termStart": "2024-02-01",
            "members": [{ "personId": b.person.to_string(), "role": "DIRECTOR" }] } });
        audited(&app, &staff, "electOwnersCommittee", ELECT, elect.clone()).await;
        assert_eq!(refused(&app, Some(&b.token(&app)), ELECT, elect).await, "FORBIDDEN");

        let change = json!({ "i": { "compoundId": h.compound_id, "kind": "COMPANY", "name": "审苑物业", "contractStart": "2024-01-01", "feeRateFen": 150 } });
        let d = audited(&app, &staff, "changePropertyManager", CHANGE_MANAGER, change).await;
        let m = d["changePropertyManager"]["propertyManager"]["id"].clone();
        let end = json!({ "i": { "id": m, "endedOn": "2025-01-01" } });
        assert_eq!(refused(&app, Some(&app.token(Role::Reporter, "meiling-street")), END_MANAGEMENT, end.clone()).await, "FORBIDDEN");
        audited(&app, &staff, "endPropertyManagement", END_MANAGEMENT, end.clone()).await;
        assert_eq!(refused(&app, Some(&staff), END_MANAGEMENT, end).await, "BAD_USER_INPUT");

        let d = audited(&app, &a.token(&app), "applyForBuildingLeader", APPLY, json!({ "i": { "buildingId": h.buildings[0] } })).await;
        let applied = d["applyForBuildingLeader"]["buildingLeader"]["id"].clone();
        assert_eq!(refused(&app, Some(&a.token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[0] } })).await, "CONFLICT");
        assert_eq!(
            refused(&app, Some(&a.token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[1], "termEnd": "2020-01-01" } })).await,
            "BAD_USER_INPUT"
        );
        audited(&app, &b.token(&app), "answerBuildingLeaderSelection", ANSWER, json!({ "i": { "id": applied, "accept": true } })).await;
        let nominate = json!({ "i": { "buildingId": h.buildings[1], "memberId": h.members[2].member_id } });
        let d = audited(&app, &staff, "nominateBuildingLeader", NOMINATE, nominate.clone()).await;
        assert_eq!(refused(&app, Some(&staff), NOMINATE, nominate).await, "CONFLICT");
        let nominated = d["nominateBuildingLeader"]["buildingLeader"]["id"].clone();
        assert_eq!(refused(&app, Some(&staff), STEP_DOWN, json!({ "i": { "id": nominated } })).await, "BAD_USER_INPUT");
        audited(&app, &a.token(&app), "stepDownBuildingLeader", STEP_DOWN, json!({ "i": { "id": applied, "reason": "搬离小区" } })).await;
        assert_eq!(refused(&app, None, STEP_DOWN, json!({ "i": { "id": applied } })).await, "UNAUTHENTICATED");
    }
}

both_backends! {
    async fn every_project_mutation_is_audited_once_and_refusals_not_at_all(backend: Backend) {
        use super::projects::*;
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "审改苑").await;
        let staff = h.staff(&app);
        let director = &h.members[0];
        h.elect(&app, &[director]).await;
        let broker = Fixture::unit(&app, "审改苑交警").await.seated_in(&app, &h.community).await;
        let unseated = Fixture::unit(&app, "审改苑外单位").await;
        let (dt, bt) = (director.token(&app), broker.token(&app));

        let funding = json!([{ "source": "STREET", "amountFen": 500_000 }]);
        assert_eq!(refused(&app, Some(&dt), PROPOSE, proposal(&h, &unseated.id, funding.clone())).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&staff), PROPOSE, proposal(&h, &broker.id, json!([{ "source": "STREET", "amountFen": -1 }]))).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&bt), PROPOSE, proposal(&h, &broker.id, funding.clone())).await, "FORBIDDEN");
        let d = audited(&app, &dt, "proposeProject", PROPOSE, proposal(&h, &broker.id, funding.clone())).await;
        let id = d["proposeProject"]["project"]["id"].clone();
        let t = json!({ "i": { "id": id } });
        assert_eq!(refused(&app, Some(&staff), START, t.clone()).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&dt), APPROVE, t.clone()).await, "FORBIDDEN");
        audited(&app, &staff, "approveProject", APPROVE, t.clone()).await;
        let add = json!({ "i": { "projectId": id, "title": "道闸安装", "dueOn": "2025-05-01" } });
        assert_eq!(refused(&app, Some(&dt), ADD_MILESTONE, add.clone()).await, "FORBIDDEN");
        let d = audited(&app, &bt, "addProjectMilestone", ADD_MILESTONE, add).await;
        let m = d["addProjectMilestone"]["milestone"]["id"].clone();
        audited(&app, &bt, "startProject", START, t.clone()).await;
        assert_eq!(refused(&app, Some(&bt), COMPLETE, t.clone()).await, "BAD_USER_INPUT");
        let spawn = json!({ "i": { "projectId": id, "title": "道闸线路", "category": "PARKING" } });
        assert_eq!(refused(&app, Some(&bt), SPAWN, spawn.clone()).await, "FORBIDDEN");
        audited(&app, &staff, "spawnProjectTask", SPAWN, spawn).await;
        let mark = json!({ "i": { "id": m, "done": true, "evidence": ["https://example.org/a.jpg"] } });
        assert_eq!(refused(&app, Some(&dt), MARK_MILESTONE, mark.clone()).await, "FORBIDDEN");
        audited(&app, &bt, "markProjectMilestone", MARK_MILESTONE, mark).await;
        audited(&app, &bt, "completeProject", COMPLETE, t.clone()).await;
        assert_eq!(refused(&app, Some(&staff), DROP, json!({ "i": { "id": id, "reason": "取消" } })).await, "BAD_USER_INPUT");

        let d = audited(&app, &staff, "proposeProject", PROPOSE, proposal(&h, &broker.id, funding)).await;
        let other = d["proposeProject"]["project"]["id"].clone();
        assert_eq!(refused(&app, Some(&bt), DROP, json!({ "i": { "id": other, "reason": "取消" } })).await, "FORBIDDEN");
        audited(&app, &staff, "dropProject", DROP, json!({ "i": { "id": other, "reason": "业主意见未统一" } })).await;
        assert_eq!(refused(&app, None, DROP, json!({ "i": { "id": other, "reason": "取消" } })).await, "UNAUTHENTICATED");
    }
}

both_backends! {
    async fn every_ledger_mutation_is_audited_once_and_refusals_not_at_all(backend: Backend) {
        use crate::home::ledger::*;
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "审账苑").await;
        let staff = h.staff(&app);
        let director = &h.members[0];
        h.elect(&app, &[director]).await;
        let dt = director.token(&app);

        assert_eq!(refused(&app, Some(&staff), INCOME, income(&h, "2025-01", json!(-5))).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&h.members[1].token(&app)), INCOME, income(&h, "2025-01", json!(5))).await, "FORBIDDEN");
        let d = audited(&app, &staff, "recordLedgerIncome", INCOME, income(&h, "2025-01", json!(500))).await;
        let entry = d["recordLedgerIncome"]["entry"]["id"].clone();
        assert_eq!(refused(&app, Some(&dt), DISBURSE, disbursement(&h, "2025-02-01", json!("0.5"))).await, "BAD_USER_INPUT");
        audited(&app, &dt, "recordLedgerDisbursement", DISBURSE, disbursement(&h, "2025-02-01", json!(200))).await;
        let reverse = json!({ "i": { "id": entry, "reason": "金额有误" } });
        assert_eq!(refused(&app, Some(&app.token(Role::Reporter, "meiling-street")), REVERSE, reverse.clone()).await, "FORBIDDEN");
        audited(&app, &dt, "reverseLedgerEntry", REVERSE, reverse.clone()).await;
        assert_eq!(refused(&app, Some(&staff), REVERSE, reverse).await, "CONFLICT");
        assert_eq!(refused(&app, None, INCOME, income(&h, "2025-01", json!(5))).await, "UNAUTHENTICATED");
    }
}

both_backends! {
    async fn every_arrears_mutation_is_audited_once_and_refusals_not_at_all(backend: Backend) {
        use crate::home::arrears::*;
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "审催苑").await;
        let staff = h.staff(&app);
        let director = &h.members[0];
        h.elect(&app, &[director]).await;
        let dt = director.token(&app);

        assert_eq!(refused(&app, Some(&staff), OPEN, case(&h, 0, "1单元101", json!(0))).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&h.members[1].token(&app)), OPEN, case(&h, 0, "1单元101", json!(5))).await, "FORBIDDEN");
        let d = audited(&app, &dt, "openArrearsCase", OPEN, case(&h, 0, "1单元101", json!(360_000))).await;
        let id = d["openArrearsCase"]["arrearsCase"]["id"].clone();
        assert_eq!(refused(&app, Some(&staff), OPEN, case(&h, 0, "1单元101", json!(5))).await, "CONFLICT");
        let reporter = app.token(Role::Reporter, "meiling-street");
        assert_eq!(refused(&app, Some(&reporter), CONTACT, contact(&id)).await, "FORBIDDEN");
        audited(&app, &staff, "recordArrearsContact", CONTACT, contact(&id)).await;
        let plan = json!({ "i": { "id": id, "outcome": "PLAN_AGREED", "plan": "分三期", "expectedVersion": 1 } });
        audited(&app, &dt, "setArrearsOutcome", OUTCOME, plan.clone()).await;
        assert_eq!(refused(&app, Some(&staff), OUTCOME, plan).await, "CONFLICT");
        audited(&app, &staff, "setArrearsOutcome", OUTCOME, json!({ "i": { "id": id, "outcome": "PAID", "expectedVersion": 2 } })).await;
        assert_eq!(refused(&app, Some(&staff), OUTCOME, json!({ "i": { "id": id, "outcome": "REFUSED" } })).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&staff), CONTACT, contact(&id)).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, None, CONTACT, contact(&id)).await, "UNAUTHENTICATED");
    }
}
