//! The demo street's selection round (the demo rows are the subject here): cases from the five
//! platforms of the article, scored without conflicts of interest, the best three published to
//! every community of the street.

use super::*;

both_backends! {
    async fn the_demo_round_has_a_case_from_each_platform_and_publishes_the_best_three(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let b = backend.name();
        let q = r#"{ selectionRounds { edges { node { id title status selectedCount criteria { name maxPoints } reviewers { kind name }
            ranking(first: 20) { rank total case { id title platform status submitterKind submitterName communityName } } } } } }"#;
        let d = app.ok(Some(&app.street_admin()), q, json!({})).await;
        let rounds = d["selectionRounds"]["edges"].as_array().unwrap();
        assert_eq!(rounds.len(), 1, "[{b}] {d}");
        let round = &rounds[0]["node"];
        assert_eq!((round["status"].as_str(), round["selectedCount"].as_i64()), (Some("CLOSED"), Some(3)), "[{b}]");
        assert_eq!(round["reviewers"].as_array().unwrap().len(), 2, "[{b}]");
        let ranking = round["ranking"].as_array().unwrap();
        let mut platforms: Vec<&str> = ranking.iter().map(|r| r["case"]["platform"].as_str().unwrap()).collect();
        platforms.sort();
        platforms.dedup();
        assert_eq!(platforms, ["COLLABORATION", "CONSULTATIVE_DEMOCRACY", "HOME_CO_BUILDING", "ORGANISATION_GRAPH", "VOLUNTEER_SERVICE"], "[{b}]");
        assert!(ranking.iter().any(|r| r["case"]["submitterKind"] == "UNIT"), "[{b}] a unit's own case");
        // The best three are the selected ones, and the totals never rise down the ranking.
        for (i, r) in ranking.iter().enumerate() {
            assert_eq!(r["case"]["status"] == "SELECTED", i < 3, "[{b}] {r}");
            if i > 0 {
                assert!(ranking[i - 1]["total"].as_i64() >= r["total"].as_i64(), "[{b}]");
            }
        }
        // No reviewer scored a case of their own organisation or community.
        let reviewers = entity::round_reviewer::Entity::find().all(&app.db).await.unwrap();
        let members = entity::party_member::Entity::find().all(&app.db).await.unwrap();
        let seats = entity::committee_membership::Entity::find().all(&app.db).await.unwrap();
        let cases = entity::innovation_case::Entity::find().all(&app.db).await.unwrap();
        let scores = entity::case_score::Entity::find().all(&app.db).await.unwrap();
        assert!(scores.len() >= cases.len(), "[{b}] the cases are scored");
        for s in &scores {
            let r = reviewers.iter().find(|r| r.id == s.reviewer_id).unwrap();
            let c = cases.iter().find(|c| c.id == s.case_id).unwrap();
            if let Some(p) = r.person_id {
                assert!(!members.iter().any(|m| m.person_id == p && m.community_id == c.community_id), "[{b}] {} scored its community", r.name);
            }
            if let Some(u) = r.unit_id {
                assert_ne!(c.unit_id, Some(u), "[{b}]");
                assert!(!seats.iter().any(|m| m.unit_id == u && m.community_id == c.community_id && m.until.is_none()), "[{b}] {} scored its community", r.name);
            }
        }
        // Published to every community of the street: any community's staff see the three.
        for code in ["zhuyuan", "chaoyang", "dongshan"] {
            let d = app.ok(Some(&app.token(Role::CommunityStaff, code)), "{ innovationCases(status: SELECTED) { totalCount } }", json!({})).await;
            assert_eq!(d["innovationCases"]["totalCount"], 3, "[{b}] {code}");
        }
    }
}
