//! Every deliberation mutation leaves exactly one audit record in its transaction; a refused one
//! none. (raiseAppeal, acceptAppeal, withdrawAppeal, createVenue, setVenueConvenor and
//! registerEnterprise are audited where they are tested.)

use super::*;

const APPEAL: &str = "appeal { id state tier }";

fn m(name: &str, ty: &str) -> String {
    format!("mutation($i: {ty}!) {{ {name}(input: $i) {{ {APPEAL} }} }}")
}

both_backends! {
    async fn every_appeal_action_is_audited_once_and_refusals_not_at_all(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let n = Fixture::neighbourhood(&app, "审议").await;
        let staff = n.staff(&app);
        let convenor = n.convenor.token(&app);
        let raiser = n.raiser.token(&app);

        // Through to DONE and rated, at the compound's station.
        let a = raise(&app, &n.raiser, "春苑健身器材损坏").await;
        let id = |extra: Value| {
            let mut i = json!({ "id": a });
            for (k, v) in extra.as_object().unwrap() {
                i[k] = v.clone();
            }
            json!({ "i": i })
        };
        audited(&app, &convenor, "acceptAppeal", &m("acceptAppeal", "AppealActionInput"), id(json!({}))).await;
        let schedule = m("scheduleAppeal", "ScheduleAppealInput");
        assert_eq!(refused(&app, Some(&convenor), &schedule, id(json!({ "venueId": n.station, "on": "1800-01-01" }))).await, "BAD_USER_INPUT");
        let d = audited(&app, &convenor, "scheduleAppeal", &schedule, id(json!({ "venueId": n.station, "on": "2030-03-01" }))).await;
        assert_eq!(d["scheduleAppeal"]["appeal"]["state"], "SCHEDULED");
        let answer = m("answerAppeal", "AnswerAppealInput");
        assert_eq!(refused(&app, Some(&convenor), &answer, id(json!({ "answer": " " }))).await, "BAD_USER_INPUT");
        audited(&app, &convenor, "answerAppeal", &answer, id(json!({ "answer": "议事站协商后由物业更换器材" }))).await;
        audited(&app, &staff, "startAppeal", &m("startAppeal", "AppealActionInput"), id(json!({}))).await;
        audited(&app, &staff, "finishAppeal", &m("finishAppeal", "AppealActionInput"), id(json!({}))).await;
        let rate = m("rateAppeal", "RateAppealInput");
        assert_eq!(refused(&app, Some(&n.neighbour.token(&app)), &rate, id(json!({ "rating": "NOT" }))).await, "FORBIDDEN");
        let d = audited(&app, &raiser, "rateAppeal", &rate, id(json!({ "rating": "PARTLY", "comment": "修得慢了些" }))).await;
        assert_eq!(d["rateAppeal"]["appeal"]["state"], "DONE");
        assert_eq!(refused(&app, Some(&raiser), &rate, id(json!({ "rating": "SATISFIED" }))).await, "CONFLICT", "rated once");

        // Rejected, reviewed one tier up, merged.
        let b = raise(&app, &n.raiser, "春苑楼道堆放杂物").await;
        let reject = m("rejectAppeal", "RejectAppealInput");
        audited(&app, &convenor, "rejectAppeal", &reject, json!({ "i": { "id": b, "reason": "已由物业当日清理" } })).await;
        let review = m("requestAppealReview", "AppealActionInput");
        assert_eq!(refused(&app, Some(&staff), &review, json!({ "i": { "id": b } })).await, "FORBIDDEN");
        let d = audited(&app, &raiser, "requestAppealReview", &review, json!({ "i": { "id": b } })).await;
        assert_eq!((d["requestAppealReview"]["appeal"]["state"].as_str(), d["requestAppealReview"]["appeal"]["tier"].as_str()), (Some("RAISED"), Some("COMMUNITY")));
        // Now at the COMMUNITY tier: the convenor no longer handles it, staff do.
        assert_eq!(refused(&app, Some(&convenor), &reject, json!({ "i": { "id": b, "reason": "x" } })).await, "FORBIDDEN");
        audited(&app, &staff, "rejectAppeal", &reject, json!({ "i": { "id": b, "reason": "复核后维持" } })).await;
        assert_eq!(refused(&app, Some(&raiser), &review, json!({ "i": { "id": b } })).await, "CONFLICT", "a review is asked for once");
        let c = raise(&app, &n.raiser, "春苑楼道杂物又堆了").await;
        let d2 = raise(&app, &n.neighbour, "春苑楼道杂物").await;
        let merge = m("mergeAppeal", "MergeAppealInput");
        assert_eq!(refused(&app, Some(&staff), &merge, json!({ "i": { "id": c, "intoId": c } })).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&staff), &merge, json!({ "i": { "id": c, "intoId": a } })).await, "BAD_USER_INPUT", "a DONE appeal takes no merge");
        let d = audited(&app, &staff, "mergeAppeal", &merge, json!({ "i": { "id": c, "intoId": d2 } })).await;
        assert_eq!(d["mergeAppeal"]["appeal"]["state"], "MERGED");
        let merged = app.ok(Some(&staff), "query($id: ID!) { node(id: $id) { ... on Appeal { mergedInto { id } } } }", json!({ "id": c })).await;
        assert_eq!(merged["node"]["mergedInto"]["id"], d2.as_str());
        assert_eq!(refused(&app, None, &merge, json!({ "i": { "id": c, "intoId": d2 } })).await, "UNAUTHENTICATED");
    }
}
