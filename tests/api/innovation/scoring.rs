//! A reviewer scores each case once, never one from their own organisation or community; two
//! scores at once count once.

use super::*;

both_backends! {
    async fn a_reviewer_never_scores_a_case_from_their_own_organisation_or_community(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let s = Selection::new(&app).await;
        let b = backend.name();
        let from_a = s.case_of(&app, &s.a, "甲社区小区党支部全覆盖").await;
        let from_b = s.case_of(&app, &s.b, "乙社区部门大合唱").await;
        let from_c = s.case_of(&app, &s.c, "丙社区近邻家园").await;
        // The judge unit submits a case of its own, from 乙 where it sits.
        let own = app
            .ok(Some(&s.judge.token(&app)), SUBMIT, case_input(&s.round, &s.judge.id, Some(&s.b.id), "评审单位的案例"))
            .await["submitInnovationCase"]["case"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // A unit seated in 丙 as well as in 乙 is the judge's "community" there too: seat it in 丙 later.
        let (person, judge) = (s.person.token(&app), s.judge.token(&app));

        // The person belongs to 甲: not 甲's case; the unit sits in 乙 and submitted `own`.
        for (token, case, who) in [(&person, &from_a, "the person's own community"), (&judge, &from_b, "the unit's community"), (&judge, &own, "the unit's own case")] {
            let code = refused(&app, Some(token), SCORE, json!({ "i": { "caseId": case, "points": [10, 10, 10] } })).await;
            assert_eq!(code, "FORBIDDEN", "[{b}] {who}");
            assert!(scores_of(&app, case).await.is_empty(), "[{b}] {who}: nothing written");
        }
        // Everything else they score, once each.
        for (token, case) in [(&person, &from_b), (&person, &from_c), (&person, &own), (&judge, &from_a), (&judge, &from_c)] {
            let d = audited(&app, token, "scoreInnovationCase", SCORE, json!({ "i": { "caseId": case, "points": [30, 20, 10] } })).await;
            assert_eq!(d["scoreInnovationCase"]["score"]["total"], 60, "[{b}]");
        }
        // A second score of the same case is refused, the first stays.
        assert_eq!(refused(&app, Some(&person), SCORE, json!({ "i": { "caseId": from_b, "points": [1, 1, 1] } })).await, "CONFLICT", "[{b}]");
        assert_eq!(scores_of(&app, &from_b).await.len(), 1, "[{b}]");
        // Seating the judge in 丙 makes 丙 its community: no more scores there.
        let more = s.case_of(&app, &s.c, "丙社区第二个案例").await;
        s.judge.seat_in(&app, &s.c).await;
        assert_eq!(refused(&app, Some(&judge), SCORE, json!({ "i": { "caseId": more, "points": [1, 1, 1] } })).await, "FORBIDDEN", "[{b}]");

        // Not a reviewer: a member of 丙, the street's staff, another unit; outside the round: not found.
        let stranger = Fixture::member(&app, &s.c, "路人").await;
        let other_unit = Fixture::unit(&app, "旁观单位").await.seated_in(&app, &s.c).await;
        for (token, code) in [
            (stranger.token(&app), "NOT_FOUND"),
            (s.street.admin(&app), "FORBIDDEN"),
            (s.c.staff(&app), "FORBIDDEN"),
            (other_unit.token(&app), "NOT_FOUND"),
        ] {
            assert_eq!(refused(&app, Some(&token), SCORE, json!({ "i": { "caseId": from_c, "points": [1, 1, 1] } })).await, code, "[{b}]");
        }
        assert_eq!(refused(&app, None, SCORE, json!({ "i": { "caseId": from_c, "points": [1, 1, 1] } })).await, "UNAUTHENTICATED");

        // Points: one per criterion, each within its maximum.
        let fresh = s.case_of(&app, &s.c, "丙社区第三个案例").await;
        for points in [json!([1, 1]), json!([1, 1, 1, 1]), json!([41, 0, 0]), json!([0, 0, 21]), json!([-1, 0, 0])] {
            let (_, body) = app.post(Some(&person), SCORE, json!({ "i": { "caseId": fresh, "points": points } })).await;
            assert_eq!((outcome(&body).as_str(), body["errors"][0]["extensions"]["field"].as_str()), ("BAD_USER_INPUT", Some("points")), "[{b}] {points}");
        }
        assert!(scores_of(&app, &fresh).await.is_empty(), "[{b}] refused scores write nothing");
        // The case's total is the sum of its scores, counted independently.
        let row = entity::innovation_case::Entity::find_by_id(uuid_of(&from_c)).one(&app.db).await.unwrap().unwrap();
        let sum: i32 = scores_of(&app, &from_c).await.iter().map(|s| s.total).sum();
        assert_eq!((row.score_total, row.score_count), (sum, 2), "[{b}]");
    }
}

both_backends! {
    async fn two_scores_at_once_by_one_reviewer_count_once(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let s = Selection::new(&app).await;
        let b = backend.name();
        for round in 0..3 {
            let case = s.case_of(&app, &s.c, &format!("并发评分{round}")).await;
            let (person, judge) = (s.person.token(&app), s.judge.token(&app));
            let before = entity::audit_log::Entity::find().count(&app.db).await.unwrap();
            let (x, y, z, w) = tokio::join!(
                s.score(&app, &person, &case, [40, 40, 20]),
                s.score(&app, &person, &case, [10, 10, 10]),
                s.score(&app, &judge, &case, [20, 20, 10]),
                s.score(&app, &judge, &case, [1, 1, 1]),
            );
            for pair in [[&x, &y], [&z, &w]] {
                let mut codes: Vec<String> = pair.iter().map(|r| outcome(r)).collect();
                codes.sort();
                assert_eq!(codes, ["CONFLICT", "OK"], "[{b}] {x} {y} {z} {w}");
            }
            let scores = scores_of(&app, &case).await;
            assert_eq!(scores.len(), 2, "[{b}] one score per reviewer");
            let row = entity::innovation_case::Entity::find_by_id(uuid_of(&case)).one(&app.db).await.unwrap().unwrap();
            assert_eq!(row.score_total, scores.iter().map(|s| s.total).sum::<i32>(), "[{b}] the total counts each reviewer once");
            assert_eq!(row.score_count, 2, "[{b}]");
            let after = entity::audit_log::Entity::find().count(&app.db).await.unwrap();
            assert_eq!(after, before + 2, "[{b}] one audit record per counted score, none for the refused");
        }
    }
}

both_backends! {
    async fn scores_racing_the_close_count_before_it_or_are_refused(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let s = Selection::new(&app).await;
        let b = backend.name();
        let mut cases = Vec::new();
        for i in 0..4 {
            cases.push(s.case_of(&app, &s.c, &format!("竞速案例{i}")).await);
        }
        // An early score makes the first case lead unless the racing scores count.
        assert_eq!(outcome(&s.score(&app, &s.judge.token(&app), &cases[0], [20, 20, 10]).await), "OK");
        let person = s.person.token(&app);
        let admin = s.street.admin(&app);
        let close = app.post(Some(&admin), CLOSE, json!({ "i": { "id": s.round, "select": 1 } }));
        let scores = futures_util::future::join_all(cases[1..].iter().map(|c| s.score(&app, &person, c, [40, 40, 20])));
        let ((_, closed), scored) = tokio::join!(close, scores);
        assert!(closed["errors"].is_null(), "[{b}] {closed}");
        for body in &scored {
            assert!(["OK", "BAD_USER_INPUT"].contains(&outcome(body).as_str()), "[{b}] {body}");
        }
        // Whatever counted was counted before the selection: the selected case leads the final totals.
        let rows = entity::innovation_case::Entity::find()
            .filter(entity::innovation_case::Column::RoundId.eq(uuid_of(&s.round)))
            .all(&app.db)
            .await
            .unwrap();
        for row in &rows {
            let sum: i32 = scores_of(&app, &gongzhi::graphql::node::global_id("InnovationCase", row.id)).await.iter().map(|x| x.total).sum();
            assert_eq!(row.score_total, sum, "[{b}]");
        }
        let best = rows.iter().min_by_key(|r| (-r.score_total, r.submitted_at, r.id)).unwrap();
        let selected: Vec<_> = rows.iter().filter(|r| r.status == entity::innovation_case::CaseStatus::Selected).collect();
        assert_eq!(selected.len(), 1, "[{b}]");
        assert_eq!(selected[0].id, best.id, "[{b}] the selection saw every counted score");
    }
}
