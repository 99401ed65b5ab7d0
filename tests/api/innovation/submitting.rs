//! Opening a round, submitting cases and closing: who may, what is refused, and one audit record
//! for each mutation (none for a refusal).

use super::*;

both_backends! {
    async fn rounds_are_opened_and_closed_by_street_staff_and_cases_submitted_by_their_organisations(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let s = Selection::new(&app).await;
        let b = backend.name();
        let admin = s.street.admin(&app);
        let open = |reviewers: Value, criteria: Value| json!({ "i": { "title": "第二轮评选", "criteria": criteria, "reviewers": reviewers } });
        let good_reviewers = json!([{ "personId": s.person.person }]);

        // Opening: street staff only, criteria and reviewers checked.
        let d = audited(&app, &admin, "openSelectionRound", OPEN, open(good_reviewers.clone(), criteria())).await;
        assert_eq!(d["openSelectionRound"]["round"]["status"], "OPEN", "[{b}]");
        for token in [s.a.admin(&app), s.a.staff(&app), s.judge.token(&app), s.person.token(&app), s.street.reporter(&app)] {
            assert_eq!(refused(&app, Some(&token), OPEN, open(good_reviewers.clone(), criteria())).await, "FORBIDDEN", "[{b}]");
        }
        assert_eq!(refused(&app, None, OPEN, open(good_reviewers.clone(), criteria())).await, "UNAUTHENTICATED", "[{b}]");
        let outsider = Fixture::member(&app, &Fixture::community(&app, "别街社区").await, "外街党员").await;
        let bad = [
            ("no criteria", open(good_reviewers.clone(), json!([])), "criteria"),
            ("a criterion twice", open(good_reviewers.clone(), json!([{ "name": "创新性", "maxPoints": 10 }, { "name": "创新性", "maxPoints": 10 }])), "criteria"),
            ("too many points", open(good_reviewers.clone(), json!([{ "name": "创新性", "maxPoints": 101 }])), "criteria"),
            ("no reviewers", open(json!([]), criteria()), "reviewers"),
            ("a reviewer twice", open(json!([{ "personId": s.person.person }, { "personId": s.person.person }]), criteria()), "reviewers"),
            ("a person of another street", open(json!([{ "personId": outsider.person }]), criteria()), "reviewers"),
            ("both ids", open(json!([{ "personId": s.person.person, "unitId": s.judge.id }]), criteria()), "reviewers"),
            ("a community as a unit", open(json!([{ "unitId": s.a.id }]), criteria()), "reviewers"),
        ];
        for (label, vars, field) in bad {
            let (_, body) = app.post(Some(&admin), OPEN, vars.clone()).await;
            assert_eq!((outcome(&body).as_str(), body["errors"][0]["extensions"]["field"].as_str()), ("BAD_USER_INPUT", Some(field)), "[{b}] {label}: {body}");
            assert_eq!(refused(&app, Some(&admin), OPEN, vars).await, "BAD_USER_INPUT", "[{b}] {label}");
        }

        // Submitting: a party organisation through its community's staff (or the street's), a unit for itself.
        audited(&app, &s.a.staff(&app), "submitInnovationCase", SUBMIT, case_input(&s.round, &s.a.branch, None, "甲社区案例")).await;
        let committee = gongzhi::graphql::node::global_id("PartyOrganization", s.b.committee).to_string();
        audited(&app, &admin, "submitInnovationCase", SUBMIT, case_input(&s.round, &committee, None, "乙社区联合党委案例")).await;
        audited(&app, &s.judge.token(&app), "submitInnovationCase", SUBMIT, case_input(&s.round, &s.judge.id, Some(&s.b.id), "评审单位案例")).await;
        let demo_branch = app.ok(Some(&app.street_admin()), r#"{ community(code: "zhuyuan") { partyOrganizations { id } } }"#, json!({})).await
            ["community"]["partyOrganizations"][0]["id"].as_str().unwrap().to_owned();
        let refusals = [
            ("another community's branch", s.b.staff(&app), case_input(&s.round, &s.a.branch, None, "x"), "NOT_FOUND"),
            ("a unit for another unit", s.judge.token(&app), case_input(&s.round, &Fixture::unit(&app, "他人").await.id, Some(&s.b.id), "x"), "FORBIDDEN"),
            ("a unit where it has no seat", s.judge.token(&app), case_input(&s.round, &s.judge.id, Some(&s.a.id), "x"), "BAD_USER_INPUT"),
            ("a unit without a community", s.judge.token(&app), case_input(&s.round, &s.judge.id, None, "x"), "BAD_USER_INPUT"),
            ("a member", s.person.token(&app), case_input(&s.round, &s.a.branch, None, "x"), "FORBIDDEN"),
            ("another street's branch", app.street_admin(), case_input(&s.round, &demo_branch, None, "x"), "NOT_FOUND"),
            ("a task is no submitter", s.a.staff(&app), case_input(&s.round, &Fixture::task(&app, &s.a, "路灯").await.id, None, "x"), "BAD_USER_INPUT"),
        ];
        for (label, token, vars, code) in refusals {
            assert_eq!(refused(&app, Some(&token), SUBMIT, vars).await, code, "[{b}] {label}");
        }
        for links in [json!(["ftp://example.org/a"]), json!(["javascript:alert(1)"]), json!(["https://"]), json!(["https://exa mple.org"]),
            json!(["https://a.org/x", "https://a.org/x"]), json!(["https://user@evil.org/"]), json!((0..11).map(|i| format!("https://a.org/{i}")).collect::<Vec<_>>())] {
            let mut vars = case_input(&s.round, &s.a.branch, None, "证据不对");
            vars["i"]["evidenceLinks"] = links.clone();
            let (_, body) = app.post(Some(&s.a.staff(&app)), SUBMIT, vars.clone()).await;
            assert_eq!(body["errors"][0]["extensions"]["field"], "evidenceLinks", "[{b}] {links}: {body}");
            assert_eq!(refused(&app, Some(&s.a.staff(&app)), SUBMIT, vars).await, "BAD_USER_INPUT", "[{b}] {links}");
        }

        // Closing: the street's staff, once, with the version they read.
        let close = |select: i32, version: Option<i32>| json!({ "i": { "id": s.round, "select": select, "expectedVersion": version } });
        for token in [s.a.admin(&app), s.judge.token(&app), s.person.token(&app)] {
            assert_eq!(refused(&app, Some(&token), CLOSE, close(1, None)).await, "FORBIDDEN", "[{b}]");
        }
        assert_eq!(refused(&app, Some(&app.street_admin()), CLOSE, close(1, None)).await, "NOT_FOUND", "[{b}] another street's staff");
        assert_eq!(refused(&app, Some(&admin), CLOSE, close(1, Some(7))).await, "CONFLICT", "[{b}]");
        assert_eq!(refused(&app, Some(&admin), CLOSE, close(101, None)).await, "BAD_USER_INPUT", "[{b}]");
        let d = audited(&app, &admin, "closeSelectionRound", CLOSE, close(2, Some(1))).await;
        assert_eq!(d["closeSelectionRound"]["round"]["status"], "CLOSED", "[{b}]");
        assert_eq!(d["closeSelectionRound"]["round"]["selectedCount"], 2, "[{b}]");
        assert_eq!(refused(&app, Some(&admin), CLOSE, close(2, None)).await, "CONFLICT", "[{b}] closed once");
        assert_eq!(refused(&app, Some(&s.a.staff(&app)), SUBMIT, case_input(&s.round, &s.a.branch, None, "迟到")).await, "BAD_USER_INPUT", "[{b}]");
    }
}
