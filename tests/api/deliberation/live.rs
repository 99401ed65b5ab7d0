//! Live appeal events over `graphql-transport-ws`: the raiser and a supporter follow their
//! appeal, staff their community's; a resident who neither raised nor supports it, and a unit,
//! receive nothing; a refused action sends nothing.

use std::time::Duration;

use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

use super::*;
use crate::subscriptions::{Socket, connect, next, serve};

const SUB: &str = "subscription($a: ID) { appealEvents(appealId: $a) { appealId kind state tier supportersCount } }";

async fn subscribe(addr: std::net::SocketAddr, token: &str, appeal: &str) -> Socket {
    let (mut ws, ack) = connect(addr, &format!("Bearer {token}")).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": SUB, "variables": { "a": appeal } } });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    ws
}

async fn live(app: &TestApp, n: usize) {
    for _ in 0..200 {
        if app.live_appeals.subscribers() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the subscriptions never went live");
}

both_backends! {
    async fn the_raiser_a_supporter_and_staff_follow_an_appeal_live_and_nobody_else(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "实时").await;
        let staff = n.staff(&app);
        let appeal = raise(&app, &n.raiser, "春苑电梯停运").await;
        app.ok(Some(&n.neighbour.token(&app)), super::board::SUPPORT, json!({ "i": { "id": appeal } })).await;
        let addr = serve(&app).await;
        let mut raiser = subscribe(addr, &n.raiser.token(&app), &appeal).await;
        let mut supporter = subscribe(addr, &n.neighbour.token(&app), &appeal).await;
        let mut staff_ws = subscribe(addr, &staff, &appeal).await;
        let mut outsider = subscribe(addr, &n.summer_resident.token(&app), &appeal).await;
        let mut unit = subscribe(addr, &n.unit.token(&app), &appeal).await;
        live(&app, 5).await;
        // A refused action sends nothing; the accepted one reaches the three who follow it.
        let withdraw = "mutation($i: AppealActionInput!) { withdrawAppeal(input: $i) { appeal { id } } }";
        assert_eq!(app.error_code(Some(&n.neighbour.token(&app)), withdraw, json!({ "i": { "id": appeal } })).await, "FORBIDDEN", "[{b}]");
        app.ok(Some(&staff), ACCEPT, json!({ "i": { "id": appeal } })).await;
        for (who, ws) in [("the raiser", &mut raiser), ("a supporter", &mut supporter), ("staff", &mut staff_ws)] {
            let m = next(ws).await;
            assert_eq!(m["type"], "next", "[{b}] {who}: {m}");
            let e = &m["payload"]["data"]["appealEvents"];
            assert_eq!((e["kind"].as_str(), e["state"].as_str(), e["supportersCount"].as_i64()), (Some("acceptAppeal"), Some("ACCEPTED"), Some(1)), "[{b}] {who}: {e}");
        }
        for (who, ws) in [("a resident who does not support it", &mut outsider), ("a unit", &mut unit)] {
            let m = next(ws).await;
            assert_eq!(m["type"], "timeout", "[{b}] {who} received {m}");
        }
        // A support by another resident reaches the raiser with the new count.
        app.ok(Some(&n.summer_resident.token(&app)), super::board::SUPPORT, json!({ "i": { "id": appeal } })).await;
        let m = next(&mut raiser).await;
        assert_eq!(m["payload"]["data"]["appealEvents"]["supportersCount"], 2, "[{b}] {m}");
    }
}
