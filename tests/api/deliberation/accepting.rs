//! Two handlers accepting one appeal at once: one succeeds, the other gets `CONFLICT` (the
//! appeal's row is locked and its state checked in the unit of work); a stale `expectedVersion`
//! is a `CONFLICT` too.

use super::*;

both_backends! {
    async fn two_staff_accepting_one_appeal_at_once_one_wins_the_other_conflicts(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "抢办").await;
        let staff = n.staff(&app);
        let admin = n.community.admin(&app);
        for round in 0..3 {
            let appeal = raise(&app, &n.raiser, &format!("春苑井盖松动{round}")).await;
            let input = json!({ "i": { "id": appeal } });
            // Two staff of the community, or the station's convenor beside staff.
            let other = if round == 2 { n.convenor.token(&app) } else { admin.clone() };
            let (x, y) = tokio::join!(app.post(Some(&staff), ACCEPT, input.clone()), app.post(Some(&other), ACCEPT, input.clone()));
            let codes = [code(&x.1), code(&y.1)];
            assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "[{b}] one acceptance wins: {x:?} {y:?}");
            assert!(codes.contains(&Some("CONFLICT")), "[{b}] {x:?} {y:?}");
            let loser = if code(&x.1).is_some() { &x.1 } else { &y.1 };
            assert!(loser["errors"][0]["message"].as_str().unwrap().contains("an ACCEPTED appeal cannot be accepted"), "[{b}] {loser}");
            let d = app.ok(Some(&staff), "query($id: ID!) { node(id: $id) { ... on Appeal { state version } } }", json!({ "id": appeal })).await;
            assert_eq!((d["node"]["state"].as_str(), d["node"]["version"].as_i64()), (Some("ACCEPTED"), Some(2)), "[{b}] accepted once");
        }
        // A stale version is refused before anything is written.
        let appeal = raise(&app, &n.raiser, "春苑围墙开裂").await;
        let stale = json!({ "i": { "id": appeal, "expectedVersion": 7 } });
        assert_eq!(refused(&app, Some(&staff), ACCEPT, stale).await, "CONFLICT");
        let fresh = json!({ "i": { "id": appeal, "expectedVersion": 1 } });
        let d = audited(&app, &staff, "acceptAppeal", ACCEPT, fresh).await;
        assert_eq!(d["acceptAppeal"]["appeal"]["state"], "ACCEPTED");
    }
}
