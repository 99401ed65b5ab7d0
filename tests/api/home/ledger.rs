//! The shared-income ledger: append-only with reversals, whole positive fen or BAD_USER_INPUT with
//! nothing written, yearly totals equal to an independent SQL sum, and entries for staff and the
//! owners' committee only.

use std::collections::HashMap;

use entity::ledger_entry;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement};

use super::*;

pub const INCOME: &str = "mutation($i: RecordLedgerIncomeInput!) { recordLedgerIncome(input: $i) { entry { id kind source amountFen year month periodStart periodEnd recordedAs } } }";
pub const DISBURSE: &str = "mutation($i: RecordLedgerDisbursementInput!) { recordLedgerDisbursement(input: $i) { entry { id kind amountFen year purpose approvedBy } } }";
pub const REVERSE: &str = "mutation($i: ReverseLedgerEntryInput!) { reverseLedgerEntry(input: $i) { entry { id kind amountFen year reason reverses { id reversedBy { id } } } } }";

/// Income of `fen` for a month of the home's compound.
pub fn income(h: &crate::home::fixtures::Home, month: &str, fen: Value) -> Value {
    json!({ "i": { "compoundId": h.home_id, "source": "CAR_PARK", "month": month, "amountFen": fen } })
}

/// A disbursement of `fen` paid on `day`.
pub fn disbursement(h: &crate::home::fixtures::Home, day: &str, fen: Value) -> Value {
    json!({ "i": { "compoundId": h.compound_id, "purpose": "更换单元门禁", "approvedBy": "2025年第一次业主大会决议", "paidOn": day, "amountFen": fen } })
}

const TOTALS: &str = "query($id: ID!) { home(compoundId: $id) { ledgerTotals { year incomeFen disbursementFen balanceFen } } }";

/// (income, disbursement) per year of every compound, summed by the database outside the service.
async fn sums_in_sql(app: &TestApp) -> HashMap<(uuid::Uuid, i32), (i64, i64)> {
    let backend = app.db.get_database_backend();
    let sql = "SELECT compound_id, year, kind, CAST(SUM(amount_fen) AS BIGINT) AS total FROM ledger_entry GROUP BY compound_id, year, kind";
    let mut out: HashMap<(uuid::Uuid, i32), (i64, i64)> = HashMap::new();
    for row in app.db.query_all_raw(Statement::from_string(backend, sql.to_owned())).await.unwrap() {
        let compound: uuid::Uuid = row.try_get("", "compound_id").unwrap();
        let year: i32 = row.try_get("", "year").unwrap();
        let kind: String = row.try_get("", "kind").unwrap();
        let total: i64 = row.try_get("", "total").unwrap();
        let e = out.entry((compound, year)).or_default();
        match kind.as_str() {
            "INCOME" => e.0 += total,
            "DISBURSEMENT" => e.1 += total,
            other => panic!("a ledger entry of kind {other}"),
        }
    }
    out
}

async fn rows(app: &TestApp) -> u64 {
    ledger_entry::Entity::find().count(&app.db).await.unwrap()
}

both_backends! {
    async fn ledger_totals_equal_an_independent_sum_and_reversals_count_once(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "账苑").await;
        let other = Fixture::home(&app, "邻苑").await;
        let staff = h.staff(&app);
        let director = &h.members[0];
        h.elect(&app, &[director]).await;
        let dt = director.token(&app);
        let b = backend.name();

        let mut ids = Vec::new();
        for (i, month) in ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03"].iter().enumerate() {
            let token = if i % 2 == 0 { &staff } else { &dt };
            let d = app.ok(Some(token), INCOME, income(&h, month, json!(1_234_567 + i as i64))).await;
            ids.push(d["recordLedgerIncome"]["entry"]["id"].clone());
        }
        let d = app.ok(Some(&staff), INCOME, json!({ "i": { "compoundId": h.compound_id, "source": "ADVERTISING", "from": "2025-04-01", "to": "2025-09-30", "amountFen": "36000000" } })).await;
        let range = &d["recordLedgerIncome"]["entry"];
        assert_eq!((range["year"].as_i64(), range["month"].clone(), range["recordedAs"].as_str()), (Some(2025), Value::Null, Some("COMMUNITY_STAFF")), "[{b}] {range}");
        let d = app.ok(Some(&dt), DISBURSE, disbursement(&h, "2025-05-20", json!(800_000))).await;
        assert_eq!(d["recordLedgerDisbursement"]["entry"]["kind"], "DISBURSEMENT");
        app.ok(Some(&other.staff(&app)), INCOME, income(&other, "2025-01", json!(99))).await;

        // A reversal: the opposite amount, linked both ways, once.
        let d = app.ok(Some(&dt), REVERSE, json!({ "i": { "id": ids[2], "reason": "月份记错" } })).await;
        let rev = &d["reverseLedgerEntry"]["entry"];
        assert_eq!((rev["amountFen"].as_i64(), rev["year"].as_i64(), rev["reason"].as_str()), (Some(-1_234_569), Some(2025), Some("月份记错")), "[{b}] {rev}");
        assert_eq!(rev["reverses"]["id"], ids[2]);
        assert_eq!(rev["reverses"]["reversedBy"]["id"], rev["id"]);
        assert_eq!(app.error_code(Some(&staff), REVERSE, json!({ "i": { "id": ids[2], "reason": "再冲一次" } })).await, "CONFLICT", "[{b}]");
        let (_, body) = app.post(Some(&staff), REVERSE, json!({ "i": { "id": rev["id"], "reason": "冲正冲正" } })).await;
        assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some("id")), "[{b}] {body}");
        app.ok(Some(&staff), INCOME, income(&h, "2025-01", json!(1_234_569))).await;

        // What the page shows is what the database sums, year by year.
        let sums = sums_in_sql(&app).await;
        for home in [&h, &other] {
            let shown = app.ok(Some(&home.staff(&app)), TOTALS, json!({ "id": home.home_id })).await;
            let years = shown["home"]["ledgerTotals"].as_array().unwrap();
            let expected: Vec<Value> = {
                let mut ys: Vec<(i32, (i64, i64))> = sums.iter().filter(|((c, _), _)| *c == home.compound).map(|((_, y), t)| (*y, *t)).collect();
                ys.sort_by_key(|(y, _)| -y);
                ys.into_iter().map(|(y, (inc, dis))| json!({ "year": y, "incomeFen": inc, "disbursementFen": dis, "balanceFen": inc - dis })).collect()
            };
            assert_eq!(years, &expected, "[{b}] {}", home.compound);
        }
        let mine = app.ok(Some(&staff), TOTALS, json!({ "id": h.home_id })).await;
        let y2025 = &mine["home"]["ledgerTotals"][0];
        let income_2025 = 1_234_567 + 3 + 1_234_567 + 4 + 36_000_000;
        assert_eq!(y2025, &json!({ "year": 2025, "incomeFen": income_2025 + 1_234_569, "disbursementFen": 800_000, "balanceFen": income_2025 + 1_234_569 - 800_000 }), "[{b}]");
        assert_eq!(mine["home"]["ledgerTotals"][1]["incomeFen"], 1_234_567 * 2 + 1, "[{b}] 2024");
        let q = "query($id: ID!) { home(compoundId: $id) { ledgerTotals(year: 2024) { year } ledgerEntries(year: 2025) { amountFen reverses { id } } } }";
        let d = app.ok(Some(&dt), q, json!({ "id": h.home_id })).await;
        assert_eq!(d["home"]["ledgerTotals"], json!([{ "year": 2024 }]));
        assert_eq!(d["home"]["ledgerEntries"].as_array().unwrap().len(), 7, "[{b}] five months in 2025, the range, the payment, the reversal: {d}");
    }
}

both_backends! {
    async fn bad_amounts_answer_bad_user_input_and_write_nothing(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "额苑").await;
        let staff = h.staff(&app);
        let b = backend.name();
        let d = app.ok(Some(&staff), INCOME, income(&h, "2025-01", json!(100))).await;
        let first = d["recordLedgerIncome"]["entry"]["id"].clone();
        let before = (rows(&app).await, crate::audit::records(&app).await);
        let bad = [
            json!(-1), json!(-500_000), json!(0), json!("0"), json!(1.5), json!(0.01), json!("1.5"), json!("100.00"), json!("-3"),
            json!(1e12 + 1.0), json!("1000000000001"), json!(9_223_372_036_854_775_807_i64), json!("9223372036854775808"),
            json!("1e6"), json!(""), json!("一百"),
        ];
        for amount in &bad {
            for (q, vars) in [(INCOME, income(&h, "2025-02", amount.clone())), (DISBURSE, disbursement(&h, "2025-02-03", amount.clone()))] {
                let (_, body) = app.post(Some(&staff), q, vars).await;
                assert_eq!(code(&body), Some("BAD_USER_INPUT"), "[{b}] {amount}: {body}");
                assert_eq!(body["errors"][0]["extensions"]["field"], "amountFen", "[{b}] {amount}: {body}");
            }
        }
        // Bad periods and texts are refused alike.
        for vars in [
            income(&h, "2025-13", json!(1)),
            json!({ "i": { "compoundId": h.compound_id, "source": "OTHER", "from": "2025-03-01", "to": "2025-02-01", "amountFen": 1 } }),
            json!({ "i": { "compoundId": h.compound_id, "source": "OTHER", "amountFen": 1 } }),
            disbursement(&h, "1800-01-01", json!(1)),
            json!({ "i": { "compoundId": h.compound_id, "purpose": " ", "approvedBy": "业委会", "paidOn": "2025-01-01", "amountFen": 1 } }),
        ] {
            assert_eq!(app.error_code(Some(&staff), if vars["i"]["paidOn"].is_null() { INCOME } else { DISBURSE }, vars.clone()).await, "BAD_USER_INPUT", "[{b}] {vars}");
        }
        assert_eq!(app.error_code(Some(&staff), REVERSE, json!({ "i": { "id": first, "reason": "" } })).await, "BAD_USER_INPUT");
        assert_eq!((rows(&app).await, crate::audit::records(&app).await), before, "[{b}] a refused amount wrote a row or an audit record");
        // The largest amount is taken, as a number or as a string.
        for amount in [json!(1_000_000_000_000_i64), json!("1000000000000")] {
            let d = app.ok(Some(&staff), INCOME, income(&h, "2025-03", amount)).await;
            assert_eq!(d["recordLedgerIncome"]["entry"]["amountFen"], 1_000_000_000_000_i64);
        }
    }
}

both_backends! {
    async fn the_ledger_is_written_by_staff_and_the_committee_and_read_by_them_alone(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "阅苑").await;
        let staff = h.staff(&app);
        let (director, leader, plain) = (&h.members[0], &h.members[1], &h.members[2]);
        h.elect(&app, &[director]).await;
        let d = app.ok(Some(&leader.token(&app)), APPLY, json!({ "i": { "buildingId": h.buildings[0] } })).await;
        app.ok(Some(&staff), ANSWER, json!({ "i": { "id": d["applyForBuildingLeader"]["buildingLeader"]["id"], "accept": true } })).await;
        let unit = Fixture::unit(&app, "阅苑派出所").await.seated_in(&app, &h.community).await;
        let elsewhere = Fixture::home(&app, "他苑").await;
        let resident = Fixture::resident_at(&app, &h.community, &h.compound_id, "住户甲", "3栋201", 1).await;
        let neighbour_compound = Fixture::compound(&app, &h.community, "阅苑二期").await;
        let neighbour = Fixture::resident_at(&app, &h.community, &neighbour_compound, "住户乙", "1栋101", 2).await;
        let outsider = Fixture::resident_at(&app, &elsewhere.community, &elsewhere.compound_id, "住户丙", "2栋301", 3).await;
        let b = backend.name();
        let d = app.ok(Some(&staff), INCOME, income(&h, "2025-01", json!(5_000))).await;
        let entry = d["recordLedgerIncome"]["entry"]["id"].clone();

        // Writers: staff and the committee; not a leader, a resident member, a unit, a reporter,
        // nor another community's staff.
        let reporter = app.token(Role::Reporter, "meiling-street");
        for (who, token, expected) in [
            ("leader", leader.token(&app), "FORBIDDEN"),
            ("member", plain.token(&app), "FORBIDDEN"),
            ("resident", resident.token(&app), "FORBIDDEN"),
            ("unit", unit.token(&app), "FORBIDDEN"),
            ("reporter", reporter.clone(), "FORBIDDEN"),
            ("other staff", elsewhere.staff(&app), "NOT_FOUND"),
        ] {
            assert_eq!(refused(&app, Some(&token), INCOME, income(&h, "2025-02", json!(1))).await, expected, "[{b}] {who}");
            let reverse = json!({ "i": { "id": entry, "reason": "错账" } });
            // Reporters change nothing at all: refused before the entry is looked for.
            let unseen = if who == "reporter" { "FORBIDDEN" } else { "NOT_FOUND" };
            assert_eq!(refused(&app, Some(&token), REVERSE, reverse).await, unseen, "[{b}] {who} does not see the entry");
        }

        // Readers: staff and the committee see entries and totals; the compound's residents the
        // totals only; the rest neither (fail closed: empty lists, a null node).
        let q = "query($id: ID!, $e: ID!) { home(compoundId: $id) { ledgerTotals { incomeFen } ledgerEntries(year: 2025) { id } } node(id: $e) { id } }";
        for (who, token, totals, entries) in [
            ("staff", staff.clone(), true, true),
            ("street admin", h.community.street_admin(&app), true, true),
            ("committee", director.token(&app), true, true),
            ("resident of the compound", resident.token(&app), true, false),
            ("resident of a neighbouring compound", neighbour.token(&app), false, false),
            ("resident of another community", outsider.token(&app), false, false),
            ("leader", leader.token(&app), false, false),
            ("member", plain.token(&app), false, false),
            ("unit", unit.token(&app), false, false),
            ("reporter", reporter.clone(), false, false),
            ("city", app.token(Role::CityAdmin, "jinjiang"), false, false),
        ] {
            let d = app.ok(Some(&token), q, json!({ "id": h.home_id, "e": entry })).await;
            let home = &d["home"];
            let shown = (home["ledgerTotals"][0]["incomeFen"].as_i64(), home["ledgerEntries"].as_array().map_or(0, Vec::len), d["node"]["id"] == entry);
            let expected = (totals.then_some(5_000), usize::from(entries), entries);
            assert_eq!(shown, expected, "[{b}] {who}: {d}");
        }
    }
}
