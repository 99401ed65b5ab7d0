//! Practice campaigns (我为群众办实事 / 我为企业解难题 / 我为社会做好事): who makes and fulfils a
//! pledge, who sees it, and counts per campaign and community equal to the records.

use entity::pledge::{self, PledgeStatus};
use sea_orm::{EntityTrait, PaginatorTrait};

use super::*;

const MAKE: &str =
    "mutation($i: MakePledgeInput!) { makePledge(input: $i) { pledge { id campaign pledgerKind pledgerId fulfilled version } } }";
const FULFIL: &str = "mutation($i: FulfilPledgeInput!) { fulfilPledge(input: $i) { pledge { id fulfilled evidence fulfilledAt } } }";
const LIST: &str = "query { pledges(first: 100) { totalCount edges { node { id title } } } }";
const COUNTS: &str = "query($c: ID) { practiceCampaigns(communityId: $c) { campaign communityId pledged fulfilled overdue } }";

fn pledge(n: &Neighbourhood, campaign: &str, kind: &str, id: &str, title: &str, due: &str) -> Value {
    json!({ "i": { "communityId": n.community.id, "campaign": campaign, "pledger": { "kind": kind, "id": id }, "title": title, "dueOn": due } })
}

both_backends! {
    async fn pledges_are_made_and_fulfilled_by_staff_or_their_pledger_and_counted_per_campaign(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "践行").await;
        let staff = n.staff(&app);
        let unit = n.unit.token(&app);
        let resident = n.raiser.token(&app);
        let person = n.raiser.person.to_string();
        // Staff pledge for the unit; the unit and a resident for themselves.
        let d = audited(&app, &staff, "makePledge", MAKE, pledge(&n, "FOR_ENTERPRISES", "UNIT", &n.unit.id, "为辖区企业办理用电报装", "2027-03-01")).await;
        let for_unit = at(&d, "/makePledge/pledge/id");
        let d = audited(&app, &unit, "makePledge", MAKE, pledge(&n, "FOR_SOCIETY", "UNIT", &n.unit.id, "社区义务电力检修", "2026-01-10")).await;
        let own_unit = at(&d, "/makePledge/pledge/id");
        let d = audited(&app, &resident, "makePledge", MAKE, pledge(&n, "FOR_RESIDENTS", "PERSON", &person, "为楼栋老人代买药品", "2027-02-01")).await;
        let own_person = at(&d, "/makePledge/pledge/id");
        // Nobody pledges for someone else but staff; a stranger's community is not found; the pledger must belong.
        assert_eq!(refused(&app, Some(&resident), MAKE, pledge(&n, "FOR_SOCIETY", "UNIT", &n.unit.id, "x", "2027-01-01")).await, "FORBIDDEN", "[{b}]");
        let other_person = n.neighbour.person.to_string();
        assert_eq!(refused(&app, Some(&unit), MAKE, pledge(&n, "FOR_SOCIETY", "PERSON", &other_person, "x", "2027-01-01")).await, "FORBIDDEN", "[{b}]");
        assert_eq!(refused(&app, Some(&n.stranger.token(&app)), MAKE, pledge(&n, "FOR_SOCIETY", "PERSON", &n.stranger.person.to_string(), "x", "2027-01-01")).await, "NOT_FOUND", "[{b}]");
        let unseated = Fixture::unit(&app, "践行外单位").await;
        assert_eq!(refused(&app, Some(&staff), MAKE, pledge(&n, "FOR_SOCIETY", "UNIT", &unseated.id, "x", "2027-01-01")).await, "BAD_USER_INPUT", "[{b}]");
        assert_eq!(refused(&app, Some(&staff), MAKE, pledge(&n, "FOR_SOCIETY", "OWNERS_COMMITTEE", &n.unit.id, "x", "2027-01-01")).await, "BAD_USER_INPUT", "[{b}]");
        // Fulfilled once, with evidence, by the pledger or staff; others do not find it.
        let fulfil = |id: &str, evidence: Value| json!({ "i": { "id": id, "evidence": evidence } });
        assert_eq!(refused(&app, Some(&unit), FULFIL, fulfil(&for_unit, json!([]))).await, "BAD_USER_INPUT", "[{b}]");
        let d = audited(&app, &unit, "fulfilPledge", FULFIL, fulfil(&for_unit, json!(["https://img.example.org/dian.jpg"]))).await;
        assert_eq!(d["fulfilPledge"]["pledge"]["fulfilled"], true, "[{b}] {d}");
        assert_eq!(refused(&app, Some(&staff), FULFIL, fulfil(&for_unit, json!(["https://img.example.org/x.jpg"]))).await, "CONFLICT", "[{b}]");
        assert_eq!(refused(&app, Some(&resident), FULFIL, fulfil(&own_unit, json!(["https://img.example.org/x.jpg"]))).await, "NOT_FOUND", "[{b}]");
        audited(&app, &staff, "fulfilPledge", FULFIL, fulfil(&own_person, json!(["https://img.example.org/yao.jpg"]))).await;
        // Who sees which.
        let seen = |d: &Value| d["pledges"]["totalCount"].as_i64().unwrap();
        assert_eq!(seen(&app.ok(Some(&staff), LIST, json!({})).await), 3, "[{b}] staff");
        assert_eq!(seen(&app.ok(Some(&unit), LIST, json!({})).await), 2, "[{b}] the unit its own");
        assert_eq!(seen(&app.ok(Some(&resident), LIST, json!({})).await), 1, "[{b}] the resident their own");
        assert_eq!(seen(&app.ok(Some(&n.neighbour.token(&app)), LIST, json!({})).await), 0, "[{b}] a neighbour none");
        assert_eq!(seen(&app.ok(Some(&n.reporter(&app)), LIST, json!({})).await), 0, "[{b}] a reporter no pledge");
        assert_eq!(seen(&app.ok(Some(&n.other.staff(&app)), LIST, json!({})).await), 0, "[{b}]");
        // Counts per campaign equal the records: the unit's own pledge is overdue (due 10 Jan 2026).
        let d = app.ok(Some(&n.reporter(&app)), COUNTS, json!({ "c": n.community.id })).await;
        let rows = d["practiceCampaigns"].as_array().unwrap();
        let row = |c: &str| rows.iter().find(|r| r["campaign"] == c).cloned().unwrap();
        assert_eq!((row("FOR_ENTERPRISES")["pledged"].as_i64(), row("FOR_ENTERPRISES")["fulfilled"].as_i64()), (Some(1), Some(1)), "[{b}] {rows:?}");
        assert_eq!((row("FOR_SOCIETY")["pledged"].as_i64(), row("FOR_SOCIETY")["overdue"].as_i64()), (Some(1), Some(1)), "[{b}] {rows:?}");
        assert_eq!(row("FOR_RESIDENTS")["fulfilled"], 1, "[{b}] {rows:?}");
        let total: i64 = rows.iter().map(|r| r["pledged"].as_i64().unwrap()).sum();
        let raw = pledge::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(total as usize, raw.len(), "[{b}]");
        assert_eq!(rows.iter().map(|r| r["fulfilled"].as_i64().unwrap()).sum::<i64>() as usize, raw.iter().filter(|p| p.status == PledgeStatus::Done).count());
        assert_eq!(pledge::Entity::find().count(&app.db).await.unwrap(), 3, "[{b}] refusals wrote nothing");
        assert_eq!(app.error_code(Some(&resident), COUNTS, json!({})).await, "FORBIDDEN", "[{b}]");
        assert_eq!(app.error_code(Some(&unit), COUNTS, json!({})).await, "FORBIDDEN", "[{b}]");
    }
}
