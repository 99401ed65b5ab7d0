//! The ranking: total, then earliest submission, the same on every read; closing selects the
//! best and publishes them to every community of the street; a ranking page costs the same
//! number of statements for a round ten times larger.

use super::*;

const RANKING: &str = "query($id: ID!) { node(id: $id) { ... on SelectionRound { status ranking(first: 100) { rank total scoreCount case { id title } } } } }";

fn ranked(data: &Value) -> Vec<(String, i64)> {
    data["node"]["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["case"]["id"].as_str().unwrap().to_owned(), r["total"].as_i64().unwrap()))
        .collect()
}

both_backends! {
    async fn the_ranking_is_total_then_earliest_submission_and_closing_publishes_the_best(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let s = Selection::new(&app).await;
        let b = backend.name();
        let (person, judge, admin) = (s.person.token(&app), s.judge.token(&app), s.street.admin(&app));
        // Four cases of 丙, in this order; the second and third tie, the fourth leads.
        let mut cases = Vec::new();
        for title in ["一号案例", "二号案例", "三号案例", "四号案例"] {
            cases.push(s.case_of(&app, &s.c, title).await);
        }
        for (case, p, j) in [(&cases[0], [10, 10, 5], [10, 5, 5]), (&cases[1], [30, 20, 10], [20, 20, 10]), (&cases[2], [20, 20, 10], [30, 20, 10]), (&cases[3], [40, 40, 20], [30, 30, 10])] {
            assert_eq!(outcome(&s.score(&app, &person, case, p).await), "OK");
            assert_eq!(outcome(&s.score(&app, &judge, case, j).await), "OK");
        }
        let want = vec![(cases[3].clone(), 170), (cases[1].clone(), 110), (cases[2].clone(), 110), (cases[0].clone(), 45)];
        let first = app.ok(Some(&admin), RANKING, json!({ "id": s.round })).await;
        assert_eq!(ranked(&first), want, "[{b}] total, then earliest submission");
        let ranks: Vec<i64> = first["node"]["ranking"].as_array().unwrap().iter().map(|r| r["rank"].as_i64().unwrap()).collect();
        assert_eq!(ranks, [1, 2, 3, 4], "[{b}]");
        for _ in 0..3 {
            assert_eq!(ranked(&app.ok(Some(&admin), RANKING, json!({ "id": s.round })).await), want, "[{b}] the same on every read");
        }
        // Slices of the ranking line up.
        let slice = app.ok(Some(&admin), "query($id: ID!) { node(id: $id) { ... on SelectionRound { ranking(first: 2, offset: 1) { rank case { id } } } } }", json!({ "id": s.round })).await;
        let slice: Vec<(i64, &str)> = slice["node"]["ranking"].as_array().unwrap().iter().map(|r| (r["rank"].as_i64().unwrap(), r["case"]["id"].as_str().unwrap())).collect();
        assert_eq!(slice, [(2, cases[1].as_str()), (3, cases[2].as_str())], "[{b}]");
        // Independently: each total is the sum of the case's scores.
        for (case, total) in &want {
            assert_eq!(scores_of(&app, case).await.iter().map(|s| i64::from(s.total)).sum::<i64>(), *total, "[{b}]");
        }
        // While open, reviewers and communities do not see the ranking.
        for token in [&person, &judge, &s.c.staff(&app)] {
            assert_eq!(ranked(&app.ok(Some(token), RANKING, json!({ "id": s.round })).await), vec![], "[{b}] hidden while open");
        }

        // Closing selects the two best (the tie goes to the earlier submission).
        app.ok(Some(&admin), CLOSE, json!({ "i": { "id": s.round, "select": 2 } })).await;
        let statuses = app.ok(Some(&admin), "query($r: ID!) { innovationCases(roundId: $r) { edges { node { id status } } } }", json!({ "r": s.round })).await;
        let selected: Vec<&str> = statuses["innovationCases"]["edges"].as_array().unwrap().iter().filter(|e| e["node"]["status"] == "SELECTED").map(|e| e["node"]["id"].as_str().unwrap()).collect();
        assert_eq!(selected, [cases[1].as_str(), cases[3].as_str()], "[{b}]");
        // Published read-only to every community of the street: 甲's staff and a member of 乙 see
        // the selected cases, not the others; the reviewers now see the ranking.
        let member_of_b = Fixture::member(&app, &s.b, "乙社区党员").await;
        for token in [s.a.staff(&app), member_of_b.token(&app), s.street.reporter(&app)] {
            let d = app.ok(Some(&token), "{ innovationCases { totalCount edges { node { id status communityName submitterName } } } }", json!({})).await;
            let seen: Vec<&str> = d["innovationCases"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap()).collect();
            assert_eq!(seen, [cases[1].as_str(), cases[3].as_str()], "[{b}] {d}");
            assert_eq!(d["innovationCases"]["edges"][0]["node"]["communityName"], "丙社区", "[{b}]");
        }
        assert_eq!(ranked(&app.ok(Some(&person), RANKING, json!({ "id": s.round })).await), want, "[{b}] reviewers see the ranking once closed");
        assert_eq!(ranked(&app.ok(Some(&s.c.staff(&app)), RANKING, json!({ "id": s.round })).await), vec![], "[{b}]");
        // Another street sees none of it.
        let d = app.ok(Some(&app.street_admin()), "query($r: ID!) { innovationCases(roundId: $r) { totalCount } node(id: $r) { id } }", json!({ "r": s.round })).await;
        assert_eq!(d, json!({ "innovationCases": { "totalCount": 0 }, "node": null }), "[{b}]");
        // After closing, no more scores.
        let late = app.post(Some(&judge), SCORE, json!({ "i": { "caseId": cases[0], "points": [1, 1, 1] } })).await.1;
        assert_eq!(outcome(&late), "BAD_USER_INPUT", "[{b}] {late}");
    }
}

/// A ranking page with everything a street office shows on it.
const PAGE: &str = r#"query($id: ID!) { node(id: $id) { ... on SelectionRound { title status criteria { name maxPoints } street { name }
  reviewers { id name kind unit { id name } }
  ranking(first: 20) { rank total scoreCount case { id title platform status evidenceLinks communityName submitterName submittedAt
    community { id name } submittedBy { __typename ... on PartyOrganization { id name } ... on CoBuildingUnit { id name } }
    round { id } scores { id total points reviewer { id name } } } } } } }"#;

/// A round with `n` cases from the street's three communities, each scored by both reviewers.
async fn round_of(app: &TestApp, n: usize) -> (Selection, String) {
    let s = Selection::new(app).await;
    let (person, judge) = (s.person.token(app), s.judge.token(app));
    for i in 0..n {
        let case = s.case_of(app, &s.c, &format!("案例{i}")).await;
        assert_eq!(outcome(&s.score(app, &person, &case, [(i % 40) as i32, 10, 5]).await), "OK");
        assert_eq!(outcome(&s.score(app, &judge, &case, [20, (i % 40) as i32, 5]).await), "OK");
    }
    let round = s.round.clone();
    (s, round)
}

both_backends! {
    async fn a_ranking_page_costs_the_same_for_a_round_ten_times_larger(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (small, small_round) = round_of(&app, 3).await;
        let (large, large_round) = round_of(&app, 30).await;
        let b = backend.name();
        let count = |token: String, round: String| {
            let app = &app;
            async move {
                app.ok(Some(&token), "{ viewer { kind } }", json!({})).await;
                app.count_statements(app.ok(Some(&token), PAGE, json!({ "id": round }))).await
            }
        };
        let (n_small, d_small) = count(small.street.admin(&app), small_round).await;
        let (n_large, d_large) = count(large.street.admin(&app), large_round).await;
        assert_eq!(d_small["node"]["ranking"].as_array().unwrap().len(), 3, "[{b}]");
        assert_eq!(d_large["node"]["ranking"].as_array().unwrap().len(), 20, "[{b}]");
        assert_eq!(d_large["node"]["ranking"][0]["case"]["scores"].as_array().unwrap().len(), 2, "[{b}]");
        assert!(d_large["node"]["ranking"][0]["case"]["submittedBy"]["name"].is_string(), "[{b}]");
        assert_eq!(n_small, n_large, "[{b}] statements grew with the round: {n_small} vs {n_large}");
        assert!(n_small <= 10, "[{b}] {n_small} statements for a ranking page");
        eprintln!("[{b}] a ranking page: {n_small} statements for 3 cases, {n_large} for 30");
    }
}
