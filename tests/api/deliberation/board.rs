//! The public board and supports (附议): a resident supports an appeal of their community once
//! (also when two supports race), the board carries no personal data, each resident reads only
//! their own compound's and community's board, and a board costs the same statements for two
//! appeals or twenty.

use entity::appeal_support;
use sea_orm::{EntityTrait, PaginatorTrait};

use super::*;

pub const BOARD: &str = r#"query($c: ID, $k: ID) { board(compoundId: $k, communityId: $c, first: 100) { totalCount edges { node {
  id title category state tier compound { id name } building { id label } answer rejectReason outcome supportersCount
  supportedByMe raisedAt answeredAt closedAt mergedInto { id } appeal { id } decisions { decision passed decidedAt } } } } }"#;
pub const SUPPORT: &str =
    "mutation($i: SupportAppealInput!) { supportAppeal(input: $i) { boardAppeal { id supportersCount supportedByMe } } }";

/// The appeals (board ids) a caller reads on 春苑's, 夏苑's and the community's boards.
struct Sees {
    spring: Vec<String>,
    summer: Vec<String>,
    community: Vec<String>,
}

/// The ids on a compound's (`k`) or a community's (`c`) board as `token` reads it.
async fn board_ids(app: &TestApp, token: &str, vars: Value) -> Vec<String> {
    let d = app.ok(Some(token), BOARD, vars).await;
    d["board"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect()
}

/// The board id of an appeal's id.
fn board_id(appeal: &str) -> String {
    let (_, uuid) = crate::support::decode(appeal).unwrap();
    gongzhi::graphql::node::global_id("BoardAppeal", uuid).to_string()
}

async fn supporters(app: &TestApp, staff: &str, n: &Neighbourhood, appeal: &str) -> i64 {
    let d = app.ok(Some(staff), BOARD, json!({ "k": n.spring })).await;
    let id = board_id(appeal);
    let edge = d["board"]["edges"].as_array().unwrap().iter().find(|e| e["node"]["id"] == id.as_str()).cloned().unwrap();
    edge["node"]["supportersCount"].as_i64().unwrap()
}

both_backends! {
    async fn a_resident_supports_an_appeal_of_their_community_once_also_when_two_supports_race(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "附议").await;
        let staff = n.staff(&app);
        let appeal = raise(&app, &n.raiser, "春苑路灯不亮").await;
        let input = json!({ "i": { "id": board_id(&appeal) } });
        let d = audited(&app, &n.neighbour.token(&app), "supportAppeal", SUPPORT, input.clone()).await;
        assert_eq!(d["supportAppeal"]["boardAppeal"]["supportersCount"], 1, "[{b}] {d}");
        assert_eq!(d["supportAppeal"]["boardAppeal"]["supportedByMe"], true, "[{b}] {d}");
        // Twice counts once.
        assert_eq!(refused(&app, Some(&n.neighbour.token(&app)), SUPPORT, input.clone()).await, "CONFLICT", "[{b}]");
        assert_eq!(supporters(&app, &staff, &n, &appeal).await, 1, "[{b}]");
        // A resident of another compound of the community supports too, by the appeal's own id.
        app.ok(Some(&n.summer_resident.token(&app)), SUPPORT, json!({ "i": { "id": appeal } })).await;
        assert_eq!(supporters(&app, &staff, &n, &appeal).await, 2, "[{b}]");
        // Not the raiser, not staff, not a unit; a resident of another community does not find it.
        assert_eq!(refused(&app, Some(&n.raiser.token(&app)), SUPPORT, input.clone()).await, "FORBIDDEN", "[{b}] the raiser");
        assert_eq!(refused(&app, Some(&staff), SUPPORT, input.clone()).await, "FORBIDDEN", "[{b}] staff");
        assert_eq!(refused(&app, Some(&n.unit.token(&app)), SUPPORT, input.clone()).await, "NOT_FOUND", "[{b}] a unit");
        assert_eq!(refused(&app, Some(&n.stranger.token(&app)), SUPPORT, input.clone()).await, "NOT_FOUND", "[{b}] a stranger");
        assert_eq!(refused(&app, None, SUPPORT, input.clone()).await, "UNAUTHENTICATED", "[{b}]");
        assert_eq!(supporters(&app, &staff, &n, &appeal).await, 2, "[{b}] refusals changed nothing");
        // Two supports by one resident at once: one counts, the other is a CONFLICT.
        for round in 0..3 {
            let raced = raise(&app, &n.raiser, &format!("春苑垃圾桶满溢{round}")).await;
            let vars = json!({ "i": { "id": raced } });
            let token = n.neighbour.token(&app);
            let (x, y) = tokio::join!(app.post(Some(&token), SUPPORT, vars.clone()), app.post(Some(&token), SUPPORT, vars.clone()));
            let codes = [code(&x.1), code(&y.1)];
            assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "[{b}] one support counts: {x:?} {y:?}");
            assert!(codes.contains(&Some("CONFLICT")), "[{b}] {x:?} {y:?}");
            assert_eq!(supporters(&app, &staff, &n, &raced).await, 1, "[{b}] counted once");
        }
        // Rows: 2 for the first appeal, 1 for each raced one.
        assert_eq!(appeal_support::Entity::find().count(&app.db).await.unwrap(), 5, "[{b}]");
        // A closed appeal takes no support.
        let withdrawn = raise(&app, &n.raiser, "春苑停车位").await;
        app.ok(Some(&n.raiser.token(&app)), "mutation($i: AppealActionInput!) { withdrawAppeal(input: $i) { appeal { state } } }",
            json!({ "i": { "id": withdrawn } })).await;
        assert_eq!(refused(&app, Some(&n.neighbour.token(&app)), SUPPORT, json!({ "i": { "id": withdrawn } })).await, "CONFLICT", "[{b}]");
    }
}

both_backends! {
    async fn the_board_carries_no_personal_data_and_each_resident_reads_only_their_own(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "公示").await;
        let staff = n.staff(&app);
        let spring_a = raise(&app, &n.raiser, "春苑电梯异响").await;
        let spring_b = raise(&app, &n.neighbour, "春苑绿化带缺损").await;
        let summer = raise(&app, &n.summer_resident, "夏苑道路积水").await;
        let other = raise(&app, &n.stranger, "秋苑外墙脱落").await;
        let d = app.ok(Some(&staff), RAISE, json!({ "i": { "title": "工业路货车占道", "description": "企业门口货车占道，联系人电话13912345678",
            "category": "BUSINESS", "enterpriseId": n.enterprise, "communityId": n.community.id, "site": "工业路8号门口" } })).await;
        let community = at(&d, "/raiseAppeal/appeal/id");
        // An answer, a support and a withdrawal, so that the board shows them.
        app.ok(Some(&staff), ACCEPT, json!({ "i": { "id": spring_a } })).await;
        app.ok(Some(&staff), "mutation($i: AnswerAppealInput!) { answerAppeal(input: $i) { appeal { state } } }",
            json!({ "i": { "id": spring_a, "answer": "已联系维保单位，本周内检修。" } })).await;
        app.ok(Some(&n.summer_resident.token(&app)), SUPPORT, json!({ "i": { "id": spring_a } })).await;
        let gone = raise(&app, &n.raiser, "春苑已撤回").await;
        app.ok(Some(&n.raiser.token(&app)), "mutation($i: AppealActionInput!) { withdrawAppeal(input: $i) { appeal { state } } }",
            json!({ "i": { "id": gone } })).await;

        let boards = |v: &[&String]| v.iter().map(|a| board_id(a)).collect::<Vec<String>>();
        let spring_board = json!({ "k": n.spring });
        let summer_board = json!({ "k": n.summer });
        let community_board = json!({ "c": n.community.id });
        let nothing: Vec<String> = Vec::new();
        let cases: Vec<(&str, String, Sees)> = vec![
            ("the raiser", n.raiser.token(&app), Sees { spring: boards(&[&spring_a, &spring_b]), summer: nothing.clone(), community: boards(&[&community]) }),
            ("a neighbour", n.neighbour.token(&app), Sees { spring: boards(&[&spring_a, &spring_b]), summer: nothing.clone(), community: boards(&[&community]) }),
            ("a resident of 夏苑", n.summer_resident.token(&app), Sees { spring: nothing.clone(), summer: boards(&[&summer]), community: boards(&[&community]) }),
            ("a resident of another community", n.stranger.token(&app), Sees { spring: nothing.clone(), summer: nothing.clone(), community: nothing.clone() }),
            ("community staff", staff.clone(), Sees { spring: boards(&[&spring_a, &spring_b]), summer: boards(&[&summer]), community: boards(&[&community]) }),
            ("street staff", n.street(&app), Sees { spring: boards(&[&spring_a, &spring_b]), summer: boards(&[&summer]), community: boards(&[&community]) }),
            ("staff of another community", n.other.staff(&app), Sees { spring: nothing.clone(), summer: nothing.clone(), community: nothing.clone() }),
            ("a unit seated there", n.unit.token(&app), Sees { spring: nothing.clone(), summer: nothing.clone(), community: nothing.clone() }),
            ("a reporter", n.reporter(&app), Sees { spring: nothing.clone(), summer: nothing.clone(), community: nothing.clone() }),
        ];
        let personal: Vec<String> = [&n.raiser, &n.neighbour, &n.summer_resident, &n.stranger]
            .iter()
            .flat_map(|r| [r.name.clone(), r.phone.clone(), r.door.clone()])
            .chain(["13912345678".to_owned(), "工业路8号门口".to_owned(), "联系人".to_owned()])
            .collect();
        for (who, token, Sees { spring, summer: summer_seen, community: community_seen }) in cases {
            let label = format!("[{b}] {who}");
            assert_eq!(board_ids(&app, &token, spring_board.clone()).await, spring, "{label}: 春苑's board");
            assert_eq!(board_ids(&app, &token, summer_board.clone()).await, summer_seen, "{label}: 夏苑's board");
            assert_eq!(board_ids(&app, &token, community_board.clone()).await, community_seen, "{label}: the community's board");
            for vars in [&spring_board, &summer_board, &community_board] {
                let text = app.ok(Some(&token), BOARD, vars.clone()).await.to_string();
                for p in &personal {
                    assert!(!text.contains(p.as_str()), "{label}: the board shows {p:?}: {text}");
                }
            }
        }
        // What the board does show.
        let d = app.ok(Some(&n.neighbour.token(&app)), BOARD, spring_board.clone()).await;
        let first = &d["board"]["edges"][0]["node"];
        assert_eq!((first["state"].as_str(), first["answer"].as_str()), (Some("ANSWERED"), Some("已联系维保单位，本周内检修。")), "[{b}] {first}");
        assert_eq!((first["supportersCount"].as_i64(), first["supportedByMe"].as_bool()), (Some(1), Some(false)), "[{b}] {first}");
        assert!(first["appeal"].is_null(), "[{b}] a neighbour does not see the appeal in full: {first}");
        assert_eq!(d["board"]["totalCount"], 2, "[{b}]");
        let d = app.ok(Some(&n.raiser.token(&app)), BOARD, spring_board.clone()).await;
        assert_eq!(d["board"]["edges"][0]["node"]["appeal"]["id"], spring_a.as_str(), "[{b}] the raiser sees their own in full");
        // The other community's appeal is on its own board only.
        assert_eq!(board_ids(&app, &n.stranger.token(&app), json!({ "c": n.other.id })).await, nothing, "[{b}] located in a compound");
        let _ = other;
        // Exactly one board at a time.
        assert_eq!(app.error_code(Some(&staff), BOARD, json!({ "k": n.spring, "c": n.community.id })).await, "BAD_USER_INPUT");
        assert_eq!(app.error_code(Some(&staff), BOARD, json!({})).await, "BAD_USER_INPUT");
        assert_eq!(app.error_code(None, BOARD, spring_board).await, "UNAUTHENTICATED");
    }
}

both_backends! {
    async fn a_board_costs_the_same_statements_for_two_appeals_or_twenty(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let small = Fixture::neighbourhood(&app, "小榜").await;
        let large = Fixture::neighbourhood(&app, "大榜").await;
        for i in 0..2 {
            let a = raise(&app, &small.raiser, &format!("小榜{i}")).await;
            app.ok(Some(&small.neighbour.token(&app)), SUPPORT, json!({ "i": { "id": a } })).await;
        }
        for i in 0..20 {
            let a = raise(&app, &large.raiser, &format!("大榜{i}")).await;
            app.ok(Some(&large.neighbour.token(&app)), SUPPORT, json!({ "i": { "id": a } })).await;
        }
        let mut counts = Vec::new();
        for (n, expected) in [(&small, 2), (&large, 20)] {
            for token in [n.neighbour.token(&app), n.staff(&app)] {
                let (count, d) = app.count_statements(app.ok(Some(&token), BOARD, json!({ "k": n.spring }))).await;
                assert_eq!(d["board"]["edges"].as_array().unwrap().len(), expected, "[{b}] {d}");
                counts.push(count);
            }
        }
        assert_eq!(counts[0], counts[2], "[{b}] a resident's board grew with its appeals: {counts:?}");
        assert_eq!(counts[1], counts[3], "[{b}] staff's board grew with its appeals: {counts:?}");
        assert!(counts.iter().all(|&c| c <= 20), "[{b}] {counts:?} statements for a board page");
    }
}
