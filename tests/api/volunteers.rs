//! The volunteer service: check-in rules, capacity under concurrency, attendance and hours,
//! matching, statistics from the records, scope, and flat statement counts.

use chrono::{Duration, Utc};
use entity::{activity, sign_up, volunteer};
use gongzhi::auth::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::audit::{audited, refused};
use crate::support::{Content, TestApp, backends, decode};

const REGISTER: &str = "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { volunteer { id person { id } } } }";
const CREATE_ACTIVITY: &str = "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id } } }";
const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { signUp { id status } } }";

async fn ids(app: &TestApp) -> (String, String, Value) {
    let d = app
        .ok(Some(&app.street_admin()), r#"{ z: community(code: "zhuyuan") { id compounds(first: 3) { edges { node { id } } } } m: community(code: "meiling") { id } serviceCategories { id code } }"#, json!({}))
        .await;
    (d["z"]["id"].as_str().unwrap().to_owned(), d["m"]["id"].as_str().unwrap().to_owned(), d)
}

fn category(d: &Value, code: &str) -> String {
    d["serviceCategories"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["id"].as_str().unwrap().to_owned()
}

/// Registers a new volunteer in 竹园 with a profile; returns (volunteer id, person id).
async fn volunteer(app: &TestApp, community: &str, name: &str, profile: Value) -> (String, String) {
    let staff = app.token(Role::CommunityStaff, "zhuyuan");
    let d = app
        .ok(Some(&staff), REGISTER, json!({ "i": { "communityId": community, "name": name, "phone": "13800000000", "profile": profile } }))
        .await;
    (
        d["registerVolunteer"]["volunteer"]["id"].as_str().unwrap().to_owned(),
        d["registerVolunteer"]["volunteer"]["person"]["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn one_active_check_in_per_person_approved_by_staff_of_that_community_only() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, _) = ids(&app).await;
        let member = entity::party_member::Entity::find()
            .filter(entity::party_member::Column::CommunityId.eq(decode(&zhuyuan).unwrap().1))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let me = app.token(Role::Member, &member.person_id.to_string());
        let request = "mutation($i: RequestCheckInInput!) { requestCheckIn(input: $i) { checkIn { id status } } }";
        let input = json!({ "i": { "communityId": zhuyuan, "workUnit": "晋江市税务局", "organizationRelation": "晋江市税务局机关党委" } });
        // Two at once: exactly one passes.
        let (a, b) = tokio::join!(app.post(Some(&me), request, input.clone()), app.post(Some(&me), request, input.clone()));
        let codes: Vec<&str> = [&a.1, &b.1].iter().map(|r| r["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK")).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(sorted, ["CONFLICT", "OK"], "[{}] {} {}", backend.name(), a.1, b.1);
        let check_in = if codes[0] == "OK" { &a.1 } else { &b.1 }["data"]["requestCheckIn"]["checkIn"]["id"].as_str().unwrap().to_owned();
        let decide = |name: &str| format!("mutation($i: CheckInDecisionInput!) {{ {name}(input: $i) {{ checkIn {{ status }} }} }}");
        // Staff of another community cannot see it, the member cannot approve it.
        assert_eq!(
            refused(&app, Some(&app.token(Role::CommunityStaff, "meiling")), &decide("approveCheckIn"), json!({ "i": { "id": check_in } }))
                .await,
            "NOT_FOUND"
        );
        assert_eq!(refused(&app, Some(&me), &decide("approveCheckIn"), json!({ "i": { "id": check_in } })).await, "FORBIDDEN");
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let d = audited(&app, &staff, "approveCheckIn", &decide("approveCheckIn"), json!({ "i": { "id": check_in } })).await;
        assert_eq!(d["approveCheckIn"]["checkIn"]["status"], "APPROVED");
        assert_eq!(refused(&app, Some(&staff), &decide("declineCheckIn"), json!({ "i": { "id": check_in } })).await, "BAD_USER_INPUT");
        // The approved member is now a volunteer of the community and cannot check in twice.
        let mine = app.ok(Some(&me), "{ volunteers { totalCount } checkIns { status } }", json!({})).await;
        assert_eq!(mine["volunteers"]["totalCount"], 1);
        assert_eq!(refused(&app, Some(&me), request, input.clone()).await, "CONFLICT");
        audited(&app, &me, "endCheckIn", &decide("endCheckIn"), json!({ "i": { "id": check_in } })).await;
        audited(&app, &me, "requestCheckIn", request, input).await;
        let history = app.ok(Some(&staff), "{ checkIns { status } }", json!({})).await;
        let statuses: Vec<&str> = history["checkIns"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["ENDED", "PENDING"], "history is kept");
    }
}

#[tokio::test]
async fn fifty_sign_ups_for_twenty_places_leave_thirty_waiting_and_a_cancellation_promotes_one() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let starts = (Utc::now() + Duration::days(2)).to_rfc3339();
        let ends = (Utc::now() + Duration::days(2) + Duration::hours(3)).to_rfc3339();
        let a = audited(&app, &staff, "createActivity", CREATE_ACTIVITY,
            json!({ "i": { "communityId": zhuyuan, "categoryId": category(&d, "elder-care"), "title": "重阳敬老", "place": "竹园社区党群服务中心", "startsAt": starts, "endsAt": ends, "capacity": 20 } })).await;
        let activity = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
        let mut tokens = Vec::new();
        for i in 0..50 {
            let (_, person) = volunteer(&app, &zhuyuan, &format!("义工{i}"), json!({})).await;
            tokens.push(app.token(Role::Member, &person));
        }
        let results =
            futures_util::future::join_all(tokens.iter().map(|t| app.post(Some(t), SIGN_UP, json!({ "i": { "activityId": activity } }))))
                .await;
        for (_, body) in &results {
            assert!(body["errors"].is_null(), "[{}] {body}", backend.name());
        }
        let statuses: Vec<&str> = results.iter().map(|(_, b)| b["data"]["signUp"]["signUp"]["status"].as_str().unwrap()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == "REGISTERED").count(), 20, "[{}]", backend.name());
        assert_eq!(statuses.iter().filter(|s| **s == "WAITING").count(), 30);
        let a_id = decode(&activity).unwrap().1;
        let count = |s: sign_up::SignUpStatus| {
            let db = app.db.clone();
            async move {
                sign_up::Entity::find()
                    .filter(sign_up::Column::ActivityId.eq(a_id))
                    .filter(sign_up::Column::Status.eq(s))
                    .count(&db)
                    .await
                    .unwrap()
            }
        };
        assert_eq!((count(sign_up::SignUpStatus::Registered).await, count(sign_up::SignUpStatus::Waiting).await), (20, 30));
        // The first waiting (by sign-up order) moves up when a registered volunteer cancels.
        let registered = results.iter().position(|(_, b)| b["data"]["signUp"]["signUp"]["status"] == "REGISTERED").unwrap();
        let sign_up_id = results[registered].1["data"]["signUp"]["signUp"]["id"].as_str().unwrap().to_owned();
        let first_waiting = sign_up::Entity::find()
            .filter(sign_up::Column::ActivityId.eq(a_id))
            .filter(sign_up::Column::Status.eq(sign_up::SignUpStatus::Waiting))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .min_by_key(|s| s.id)
            .unwrap();
        audited(
            &app,
            &tokens[registered],
            "cancelSignUp",
            "mutation($i: CancelSignUpInput!) { cancelSignUp(input: $i) { signUp { status } } }",
            json!({ "i": { "id": sign_up_id } }),
        )
        .await;
        assert_eq!((count(sign_up::SignUpStatus::Registered).await, count(sign_up::SignUpStatus::Waiting).await), (20, 29));
        let promoted = sign_up::Entity::find_by_id(first_waiting.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(promoted.status, sign_up::SignUpStatus::Registered, "exactly the first waiting moved up");
        assert_eq!(
            refused(
                &app,
                Some(&tokens[registered]),
                "mutation($i: CancelSignUpInput!) { cancelSignUp(input: $i) { signUp { status } } }",
                json!({ "i": { "id": sign_up_id } })
            )
            .await,
            "CONFLICT"
        );
    }
}

#[tokio::test]
async fn attendance_gives_hours_in_the_record_and_the_statistics() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let starts = (Utc::now() - Duration::hours(3)).to_rfc3339();
        let ends = (Utc::now() + Duration::hours(1)).to_rfc3339();
        let a = app.ok(Some(&staff), CREATE_ACTIVITY, json!({ "i": { "communityId": zhuyuan, "categoryId": category(&d, "sanitation"), "title": "清洁家园", "place": "竹园小区", "startsAt": starts, "endsAt": ends, "capacity": 5 } })).await;
        let activity = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
        let (_, p1) = volunteer(&app, &zhuyuan, "甲", json!({})).await;
        let (_, p2) = volunteer(&app, &zhuyuan, "乙", json!({})).await;
        let (t1, t2) = (app.token(Role::Member, &p1), app.token(Role::Member, &p2));
        let s1 = audited(&app, &t1, "signUp", SIGN_UP, json!({ "i": { "activityId": activity } })).await["signUp"]["signUp"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let s2 = app.ok(Some(&t2), SIGN_UP, json!({ "i": { "activityId": activity } })).await["signUp"]["signUp"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let check_in = "mutation($i: AttendanceInput!) { checkInAttendance(input: $i) { signUp { checkedInAt } } }";
        let check_out = "mutation($i: AttendanceInput!) { checkOutAttendance(input: $i) { signUp { hours checkedOutAt } } }";
        // Check-out before check-in is refused.
        let (_, body) = app.post(Some(&staff), check_out, json!({ "i": { "signUpId": s1 } })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        // The organiser checks one in; the other uses the one-time code.
        audited(&app, &staff, "checkInAttendance", check_in, json!({ "i": { "signUpId": s1 } })).await;
        let code = audited(
            &app,
            &staff,
            "issueAttendanceCode",
            "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }",
            json!({ "i": { "activityId": activity } }),
        )
        .await;
        let code = code["issueAttendanceCode"]["code"].as_str().unwrap().to_owned();
        assert_eq!(
            refused(&app, Some(&t2), check_in, json!({ "i": { "activityId": activity, "code": "000000x" } })).await,
            "BAD_USER_INPUT"
        );
        app.ok(Some(&t2), check_in, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert_eq!(refused(&app, Some(&t2), check_in, json!({ "i": { "activityId": activity, "code": code } })).await, "CONFLICT");
        // Two and a half hours, and one hour.
        for (id, minutes) in [(&s1, 150), (&s2, 60)] {
            sign_up::Entity::update_many()
                .col_expr(sign_up::Column::CheckedInAt, Expr::value(Utc::now() - Duration::minutes(minutes)))
                .filter(sign_up::Column::Id.eq(decode(id).unwrap().1))
                .exec(&app.db)
                .await
                .unwrap();
        }
        let out = audited(&app, &staff, "checkOutAttendance", check_out, json!({ "i": { "signUpId": s1 } })).await;
        assert_eq!(out["checkOutAttendance"]["signUp"]["hours"], 2.5);
        app.ok(Some(&staff), check_out, json!({ "i": { "signUpId": s2 } })).await;
        audited(
            &app,
            &staff,
            "recordResidentsServed",
            "mutation($i: RecordResidentsServedInput!) { recordResidentsServed(input: $i) { activity { residentsServed } } }",
            json!({ "i": { "activityId": activity, "residentsServed": 40 } }),
        )
        .await;
        let record = app.ok(Some(&t1), "{ serviceRecord { personTimes hours attended { activity { title } } } }", json!({})).await;
        assert_eq!((record["serviceRecord"]["personTimes"].as_i64(), record["serviceRecord"]["hours"].as_f64()), (Some(1), Some(2.5)));
        let stats = app.ok(Some(&staff), "{ volunteerStatistics { volunteers totals { activities personTimes hours residentsServed } byCategory { category totals { hours } } } }", json!({})).await;
        let t = &stats["volunteerStatistics"]["totals"];
        assert_eq!(
            (t["activities"].as_i64(), t["personTimes"].as_i64(), t["hours"].as_f64(), t["residentsServed"].as_i64()),
            (Some(1), Some(2), Some(3.5), Some(40))
        );
        assert_eq!(stats["volunteerStatistics"]["byCategory"][0]["category"], "sanitation");
    }
}

#[tokio::test]
async fn matching_gives_a_fixed_ranking_with_its_parts_and_never_outsiders() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, meiling, d) = ids(&app).await;
        let compound = d["z"]["compounds"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
        let starts = chrono::DateTime::parse_from_rfc3339("2030-06-01T01:00:00Z").unwrap().with_timezone(&Utc);
        let slot = gongzhi::volunteers::matching::slot(starts);
        let best = volunteer(
            &app,
            &zhuyuan,
            "全能",
            json!({ "categories": ["elder-care"], "skills": ["急救", "驾驶"], "availability": [slot], "compoundId": compound }),
        )
        .await;
        let category_only = volunteer(&app, &zhuyuan, "对口", json!({ "categories": ["elder-care"] })).await;
        let skills_only = volunteer(&app, &zhuyuan, "专长", json!({ "skills": ["急救"], "availability": [slot] })).await;
        let half = volunteer(&app, &zhuyuan, "一半", json!({ "skills": ["驾驶"] })).await;
        // A volunteer of another community is never suggested.
        let mstaff = app.token(Role::CommunityStaff, "meiling");
        app.ok(Some(&mstaff), REGISTER, json!({ "i": { "communityId": meiling, "name": "外社区", "profile": { "categories": ["elder-care"], "skills": ["急救", "驾驶"], "availability": [slot] } } })).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let dm = audited(
            &app,
            &staff,
            "postDemand",
            "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }",
            json!({ "i": {
            "communityId": zhuyuan, "categoryId": category(&d, "elder-care"), "title": "独居老人探访", "compoundId": compound,
            "startsAt": "2030-06-01T01:00:00Z", "endsAt": "2030-06-01T04:00:00Z", "headcount": 2, "skillsWanted": ["急救", "驾驶"] } }),
        )
        .await;
        let demand = dm["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
        let q = "query($id: ID!) { node(id: $id) { ... on Demand { suggestedVolunteers(first: 10) { score parts { category skills availability compound fairness } volunteer { id } } } } }";
        let s = app.ok(Some(&staff), q, json!({ "id": demand })).await;
        let list = s["node"]["suggestedVolunteers"].as_array().unwrap();
        let ranking: Vec<(&str, f64)> =
            list.iter().map(|x| (x["volunteer"]["id"].as_str().unwrap(), x["score"].as_f64().unwrap())).collect();
        assert_eq!(
            ranking,
            [(best.0.as_str(), 100.0), (category_only.0.as_str(), 45.0), (skills_only.0.as_str(), 35.0), (half.0.as_str(), 20.0)],
            "[{}] {s}",
            backend.name()
        );
        assert_eq!(list[0]["parts"], json!({ "category": 40.0, "skills": 30.0, "availability": 15.0, "compound": 10.0, "fairness": 5.0 }));
        assert_eq!(list[3]["parts"], json!({ "category": 0.0, "skills": 15.0, "availability": 0.0, "compound": 0.0, "fairness": 5.0 }));
        // The same data, the same ranking.
        assert_eq!(app.ok(Some(&app.token(Role::CommunityAdmin, "zhuyuan")), q, json!({ "id": demand })).await, s);
        // The reverse: the best volunteer's suggested demands include this one.
        let me = app.token(Role::Member, &best.1);
        let r = app
            .ok(
                Some(&me),
                "query($id: ID!) { node(id: $id) { ... on Volunteer { suggestedDemands { score demand { id } } } } }",
                json!({ "id": best.0 }),
            )
            .await;
        assert_eq!(r["node"]["suggestedDemands"][0]["demand"]["id"], demand);
        assert_eq!(r["node"]["suggestedDemands"][0]["score"], 100.0);
        // Invite, accept: with enough acceptances the demand fills.
        let inv = audited(
            &app,
            &staff,
            "inviteVolunteer",
            "mutation($i: InviteVolunteerInput!) { inviteVolunteer(input: $i) { invitation { id } } }",
            json!({ "i": { "demandId": demand, "volunteerId": best.0 } }),
        )
        .await;
        let inv = inv["inviteVolunteer"]["invitation"]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            refused(
                &app,
                Some(&staff),
                "mutation($i: RespondToInvitationInput!) { respondToInvitation(input: $i) { invitation { status } } }",
                json!({ "i": { "id": inv, "accept": true } })
            )
            .await,
            "FORBIDDEN"
        );
        audited(
            &app,
            &me,
            "respondToInvitation",
            "mutation($i: RespondToInvitationInput!) { respondToInvitation(input: $i) { invitation { status } } }",
            json!({ "i": { "id": inv, "accept": true } }),
        )
        .await;
        let inv2 = app
            .ok(
                Some(&staff),
                "mutation($i: InviteVolunteerInput!) { inviteVolunteer(input: $i) { invitation { id } } }",
                json!({ "i": { "demandId": demand, "volunteerId": category_only.0 } }),
            )
            .await;
        let inv2 = inv2["inviteVolunteer"]["invitation"]["id"].as_str().unwrap().to_owned();
        app.ok(
            Some(&app.token(Role::Member, &category_only.1)),
            "mutation($i: RespondToInvitationInput!) { respondToInvitation(input: $i) { invitation { status } } }",
            json!({ "i": { "id": inv2, "accept": true } }),
        )
        .await;
        let status = app
            .ok(
                Some(&staff),
                "query($id: ID!) { node(id: $id) { ... on Demand { status invitations { status } } } }",
                json!({ "id": demand }),
            )
            .await;
        assert_eq!(status["node"]["status"], "FILLED");
    }
}

#[tokio::test]
async fn the_demo_street_shows_the_articles_figures_computed_from_the_records() {
    for backend in backends() {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let q = "query($c: ID) { volunteerStatistics(communityId: $c) { volunteers checkedInMembers totals { activities personTimes hours residentsServed } byCategory { category totals { activities } } byMonth { month } } }";
        let s = app.ok(Some(&app.street_admin()), q, json!({})).await;
        let v = &s["volunteerStatistics"];
        assert_eq!(v["volunteers"], 4098, "[{}] {v}", backend.name());
        assert_eq!(v["totals"]["personTimes"], 9656);
        assert_eq!(v["totals"]["activities"], 614);
        assert!(v["totals"]["residentsServed"].as_i64().unwrap() >= 100_000);
        assert_eq!(v["byCategory"].as_array().unwrap().len(), 9, "all nine categories");
        assert!(v["byMonth"][0]["month"].as_str().unwrap().starts_with("2018"));
        // Independently, from the raw rows.
        let volunteers = volunteer::Entity::find().count(&app.db).await.unwrap();
        let held = activity::Entity::find().filter(activity::Column::StartsAt.lte(Utc::now())).all(&app.db).await.unwrap();
        let attended = sign_up::Entity::find().filter(sign_up::Column::CheckedInAt.is_not_null()).all(&app.db).await.unwrap();
        let minutes: i64 = attended.iter().map(|s| i64::from(s.service_minutes.unwrap_or(0))).sum();
        let residents: i64 = held.iter().map(|a| i64::from(a.residents_served)).sum();
        assert_eq!(v["volunteers"].as_u64(), Some(volunteers));
        assert_eq!(v["totals"]["activities"].as_u64(), Some(held.len() as u64));
        assert_eq!(v["totals"]["personTimes"].as_u64(), Some(attended.len() as u64));
        assert_eq!(v["totals"]["residentsServed"].as_i64(), Some(residents));
        assert!((v["totals"]["hours"].as_f64().unwrap() - minutes as f64 / 60.0).abs() < 0.01);
        // A community's own figures add up to the street's.
        let mut sum = 0;
        let communities = app.ok(Some(&app.street_admin()), "{ communities(first: 20) { edges { node { id } } } }", json!({})).await;
        for c in communities["communities"]["edges"].as_array().unwrap() {
            let one = app.ok(Some(&app.street_admin()), q, json!({ "c": c["node"]["id"] })).await;
            sum += one["volunteerStatistics"]["totals"]["personTimes"].as_i64().unwrap();
        }
        assert_eq!(sum, 9656);
        // Reporters read statistics, not people.
        let reporter = app.token(Role::Reporter, "meiling-street");
        assert_eq!(app.ok(Some(&reporter), q, json!({})).await["volunteerStatistics"]["volunteers"], 4098);
        assert_eq!(
            app.ok(Some(&reporter), "{ volunteers { totalCount } activities { totalCount } demands { totalCount } }", json!({})).await,
            json!({ "volunteers": { "totalCount": 0 }, "activities": { "totalCount": 0 }, "demands": { "totalCount": 0 } })
        );
        assert_eq!(app.error_code(Some(&app.token(Role::Unit, "police")), q, json!({})).await, "FORBIDDEN");
    }
}

#[tokio::test]
async fn volunteer_data_stays_inside_the_scope() {
    for backend in backends() {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let street = app.street_admin();
        let all = "{ volunteers(first: 5) { totalCount edges { node { id person { phone personalDataVisible } community { code } } } } demands(first: 5) { totalCount edges { node { id community { code } } } } activities(first: 5) { totalCount edges { node { id community { code } signUps { id } } } } checkIns { id } }";
        let s = app.ok(Some(&street), all, json!({})).await;
        assert_eq!(s["volunteers"]["totalCount"], 4098);
        let meiling_ids: Vec<String> = ["volunteers", "demands", "activities"]
            .iter()
            .flat_map(|k| {
                s[*k]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["node"]["community"]["code"] == "zhuyuan")
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(!meiling_ids.is_empty());
        // Staff of 梅岭 see their own community only, and nothing of 竹园 by id.
        let m = app.ok(Some(&app.token(Role::CommunityStaff, "meiling")), all, json!({})).await;
        for k in ["volunteers", "demands", "activities"] {
            for e in m[k]["edges"].as_array().unwrap() {
                assert_eq!(e["node"]["community"]["code"], "meiling", "[{}] {k}: {e}", backend.name());
            }
        }
        assert_eq!(m["volunteers"]["edges"][0]["node"]["person"]["personalDataVisible"], true);
        let nodes = app
            .ok(
                Some(&app.token(Role::CommunityStaff, "meiling")),
                "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }",
                json!({ "ids": meiling_ids }),
            )
            .await;
        assert!(nodes["nodes"].as_array().unwrap().iter().all(Value::is_null), "{nodes}");
        // A unit sees none of it.
        let u = app.ok(Some(&app.token(Role::Unit, "police")), all, json!({})).await;
        assert_eq!(
            (u["volunteers"]["totalCount"].as_i64(), u["demands"]["totalCount"].as_i64(), u["activities"]["totalCount"].as_i64()),
            (Some(0), Some(0), Some(0))
        );
        // A member sees their own volunteer record, and the demands and activities of their community, with their own sign-ups only.
        let v = volunteer::Entity::find().one(&app.db).await.unwrap().unwrap();
        let me = app.ok(Some(&app.token(Role::Member, &v.person_id.to_string())), all, json!({})).await;
        assert_eq!(me["volunteers"]["totalCount"], 1);
        for e in me["activities"]["edges"].as_array().unwrap() {
            assert!(e["node"]["signUps"].as_array().unwrap().len() <= 1, "only their own sign-up: {e}");
        }
        assert!(me["demands"]["totalCount"].as_i64().unwrap() > 0);
        assert_eq!(app.error_code(None, all, json!({})).await, "UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn suggestions_and_activity_lists_cost_the_same_statements_as_data_grows() {
    for backend in backends() {
        let mut counts = Vec::new();
        for n in [3usize, 30] {
            let app = TestApp::demo(&backend).await;
            let (zhuyuan, _, d) = ids(&app).await;
            let staff = app.token(Role::CommunityStaff, "zhuyuan");
            for i in 0..n {
                volunteer(&app, &zhuyuan, &format!("v{i}"), json!({ "categories": ["sanitation"], "skills": ["电工"] })).await;
            }
            let dm = app.ok(Some(&staff), "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }", json!({ "i": {
                "communityId": zhuyuan, "categoryId": category(&d, "sanitation"), "title": "楼道清理", "place": "竹园小区", "startsAt": "2030-01-05T01:00:00Z", "endsAt": "2030-01-05T03:00:00Z", "headcount": 3 } })).await;
            let demand = dm["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
            for i in 0..(n / 3) {
                let a = app
                    .ok(
                        Some(&staff),
                        CREATE_ACTIVITY,
                        json!({ "i": { "communityId": zhuyuan, "demandId": demand, "title": format!("活动{i}"), "capacity": 50 } }),
                    )
                    .await;
                let a = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
                for v in volunteer::Entity::find().all(&app.db).await.unwrap().iter().take(3) {
                    app.ok(Some(&app.token(Role::Member, &v.person_id.to_string())), SIGN_UP, json!({ "i": { "activityId": a } })).await;
                }
            }
            app.ok(Some(&staff), "{ viewer { kind } }", json!({})).await;
            let q1 = "query($id: ID!) { node(id: $id) { ... on Demand { category { name } suggestedVolunteers(first: 50) { score volunteer { person { name phone } community { name } } } } } }";
            let (a, data) = app.count_statements(app.ok(Some(&staff), q1, json!({ "id": demand }))).await;
            assert_eq!(data["node"]["suggestedVolunteers"].as_array().unwrap().len(), n);
            let q2 = "{ activities(first: 50) { edges { node { title category { name } demand { title } signUps { status person { name } activity { title } } } } } }";
            let (b, _) = app.count_statements(app.ok(Some(&staff), q2, json!({}))).await;
            counts.push((a, b));
        }
        assert_eq!(counts[0], counts[1], "[{}] statements grew with the data: {counts:?}", backend.name());
    }
}

#[tokio::test]
async fn categories_profiles_and_demands_are_managed_and_audited() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let street = app.street_admin();
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let create = "mutation($i: CreateServiceCategoryInput!) { createServiceCategory(input: $i) { category { id code } } }";
        let c =
            audited(&app, &street, "createServiceCategory", create, json!({ "i": { "code": "garbage-sorting", "name": "垃圾分类指导" } }))
                .await;
        let cat = c["createServiceCategory"]["category"]["id"].as_str().unwrap().to_owned();
        assert_eq!(refused(&app, Some(&street), create, json!({ "i": { "code": "garbage-sorting", "name": "重复" } })).await, "CONFLICT");
        assert_eq!(refused(&app, Some(&street), create, json!({ "i": { "code": "Bad Code", "name": "x" } })).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&staff), create, json!({ "i": { "code": "x", "name": "x" } })).await, "FORBIDDEN");
        let retire = "mutation($i: RetireServiceCategoryInput!) { retireServiceCategory(input: $i) { category { retiredAt } } }";
        audited(&app, &street, "retireServiceCategory", retire, json!({ "i": { "id": cat } })).await;
        let listed =
            app.ok(Some(&staff), "{ serviceCategories { code } all: serviceCategories(includeRetired: true) { code } }", json!({})).await;
        assert_eq!((listed["serviceCategories"].as_array().unwrap().len(), listed["all"].as_array().unwrap().len()), (9, 10));

        let v = audited(
            &app,
            &staff,
            "registerVolunteer",
            REGISTER,
            json!({ "i": { "communityId": zhuyuan, "name": "新义工", "profile": { "availability": ["sat_am"] } } }),
        )
        .await;
        let vid = v["registerVolunteer"]["volunteer"]["id"].as_str().unwrap().to_owned();
        let person = v["registerVolunteer"]["volunteer"]["person"]["id"].as_str().unwrap().to_owned();
        let me = app.token(Role::Member, &person);
        let update = "mutation($i: UpdateVolunteerProfileInput!) { updateVolunteerProfile(input: $i) { volunteer { skills availability industry version } } }";
        let u = audited(
            &app,
            &me,
            "updateVolunteerProfile",
            update,
            json!({ "i": { "id": vid, "expectedVersion": 1, "profile": { "skills": ["书法"], "industry": "教育" } } }),
        )
        .await;
        assert_eq!(u["updateVolunteerProfile"]["volunteer"]["availability"], json!(["SAT_AM"]));
        assert_eq!(
            refused(&app, Some(&me), update, json!({ "i": { "id": vid, "expectedVersion": 1, "profile": { "skills": [] } } })).await,
            "CONFLICT"
        );
        assert_eq!(
            refused(&app, Some(&me), update, json!({ "i": { "id": vid, "profile": { "availability": ["SOMEDAY"] } } })).await,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            refused(&app, Some(&me), update, json!({ "i": { "id": vid, "profile": { "categories": ["garbage-sorting"] } } })).await,
            "BAD_USER_INPUT",
            "retired"
        );
        assert_eq!(
            refused(&app, Some(&me), REGISTER, json!({ "i": { "communityId": zhuyuan } })).await,
            "CONFLICT",
            "already a volunteer here"
        );

        let post = "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }";
        let demand_input = json!({ "i": { "communityId": zhuyuan, "categoryId": category(&d, "dispute-mediation"), "title": "邻里纠纷调解", "startsAt": "2030-01-01T01:00:00Z", "endsAt": "2030-01-01T03:00:00Z", "headcount": 1 } });
        assert_eq!(refused(&app, Some(&me), post, demand_input.clone()).await, "FORBIDDEN");
        let mut bad = demand_input.clone();
        bad["i"]["endsAt"] = json!("2029-12-31T00:00:00Z");
        assert_eq!(refused(&app, Some(&staff), post, bad).await, "BAD_USER_INPUT");
        let d1 = audited(&app, &staff, "postDemand", post, demand_input.clone()).await["postDemand"]["demand"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let d2 = app.ok(Some(&staff), post, demand_input).await["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
        let status = |name: &str| format!("mutation($i: DemandStatusInput!) {{ {name}(input: $i) {{ demand {{ status }} }} }}");
        audited(&app, &staff, "closeDemand", &status("closeDemand"), json!({ "i": { "id": d1 } })).await;
        audited(&app, &staff, "cancelDemand", &status("cancelDemand"), json!({ "i": { "id": d2 } })).await;
        assert_eq!(refused(&app, Some(&staff), &status("closeDemand"), json!({ "i": { "id": d2 } })).await, "BAD_USER_INPUT");
        let open = app.ok(Some(&me), "{ demands(status: OPEN) { totalCount } all: demands { totalCount } }", json!({})).await;
        assert_eq!((open["demands"]["totalCount"].as_i64(), open["all"]["totalCount"].as_i64()), (Some(0), Some(2)));
    }
}

#[tokio::test]
async fn suggestions_for_a_list_of_demands_cost_the_same_for_two_demands_or_eight() {
    for backend in backends() {
        let mut counts = Vec::new();
        for n in [2usize, 8] {
            let app = TestApp::demo(&backend).await;
            let (zhuyuan, _, d) = ids(&app).await;
            let staff = app.token(Role::CommunityStaff, "zhuyuan");
            for i in 0..4 {
                volunteer(&app, &zhuyuan, &format!("v{i}"), json!({ "categories": ["sanitation"] })).await;
            }
            for i in 0..n {
                app.ok(
                    Some(&staff),
                    "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }",
                    json!({ "i": {
                    "communityId": zhuyuan, "categoryId": category(&d, "sanitation"), "title": format!("需求{i}"),
                    "startsAt": "2030-01-05T01:00:00Z", "endsAt": "2030-01-05T03:00:00Z", "headcount": 1 } }),
                )
                .await;
            }
            let q = "{ demands(first: 20) { edges { node { title suggestedVolunteers(first: 3) { score volunteer { id suggestedDemands(first: 2) { score demand { title } } } } } } } }";
            app.ok(Some(&staff), "{ viewer { kind } }", json!({})).await;
            let (count, data) = app.count_statements(app.ok(Some(&staff), q, json!({}))).await;
            let edges = data["demands"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n);
            assert!(edges.iter().all(|e| e["node"]["suggestedVolunteers"].as_array().unwrap().len() == 3));
            counts.push(count);
        }
        assert_eq!(counts[0], counts[1], "[{}] suggestions are computed per demand: {counts:?}", backend.name());
    }
}

#[tokio::test]
async fn a_compound_branch_secretary_posts_and_manages_the_demands_of_that_compound_only() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let (_, meiling, d) = ids(&app).await;
        let admin = app.token(Role::CommunityAdmin, "zhuyuan");
        let graph = app
            .ok(
                Some(&admin),
                r#"{ community(code: "zhuyuan") { id compounds(first: 2) { edges { node { id partyBranch { id version
                     secretary { id person { id } } members(first: 3) { edges { node { id person { id } } } } } } } } } }"#,
                json!({}),
            )
            .await;
        let zhuyuan = graph["community"]["id"].as_str().unwrap().to_owned();
        let compounds = graph["community"]["compounds"]["edges"].as_array().unwrap();
        let (c0, c1) = (&compounds[0]["node"], &compounds[1]["node"]);
        let branch = c0["partyBranch"]["id"].as_str().unwrap().to_owned();
        // The demo street gives every branch a secretary from its members.
        let secretary = c0["partyBranch"]["secretary"]["person"]["id"].as_str().expect("a secretary").to_owned();
        let me = app.token(Role::Member, &secretary);
        let led = app.ok(Some(&me), "{ viewer { secretaryOf { id kind compound { id } } } }", json!({})).await;
        assert_eq!(led["viewer"]["secretaryOf"], json!([{ "id": branch, "kind": "COMPOUND_BRANCH", "compound": { "id": c0["id"] } }]));

        let post = "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id compound { id } } } }";
        let input = |community: &str, compound: Option<&Value>| {
            json!({ "i": { "communityId": community, "compoundId": compound, "categoryId": category(&d, "elder-care"),
                "title": "楼道老人助餐", "startsAt": "2030-03-01T01:00:00Z", "endsAt": "2030-03-01T03:00:00Z", "headcount": 2 } })
        };
        let posted = audited(&app, &me, "postDemand", post, input(&zhuyuan, Some(&c0["id"]))).await;
        assert_eq!(posted["postDemand"]["demand"]["compound"]["id"], c0["id"]);
        let demand = posted["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
        assert_eq!(refused(&app, Some(&me), post, input(&zhuyuan, Some(&c1["id"]))).await, "FORBIDDEN", "another compound");
        assert_eq!(refused(&app, Some(&me), post, input(&zhuyuan, None)).await, "FORBIDDEN", "the whole community");
        assert_eq!(refused(&app, Some(&me), post, input(&meiling, Some(&c0["id"]))).await, "NOT_FOUND", "another community");
        let ordinary = c1["partyBranch"]["members"]["edges"][1]["node"]["person"]["id"].as_str().unwrap().to_owned();
        let ordinary = app.token(Role::Member, &ordinary);
        assert_eq!(refused(&app, Some(&ordinary), post, input(&zhuyuan, Some(&c1["id"]))).await, "FORBIDDEN", "not the secretary");

        // Appointing another secretary moves the right at once; the post is for branch members.
        let set =
            "mutation($i: SetPartySecretaryInput!) { setPartySecretary(input: $i) { partyOrganization { version secretary { id } } } }";
        let next = c0["partyBranch"]["members"]["edges"][1]["node"]["id"].as_str().unwrap().to_owned();
        let version = c0["partyBranch"]["version"].as_i64().unwrap();
        let outsider = c1["partyBranch"]["members"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            refused(&app, Some(&admin), set, json!({ "i": { "organizationId": branch, "memberId": outsider } })).await,
            "BAD_USER_INPUT"
        );
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        assert_eq!(refused(&app, Some(&staff), set, json!({ "i": { "organizationId": branch, "memberId": next } })).await, "FORBIDDEN");
        let other_admin = app.token(Role::CommunityAdmin, "meiling");
        assert_eq!(
            refused(&app, Some(&other_admin), set, json!({ "i": { "organizationId": branch, "memberId": next } })).await,
            "NOT_FOUND"
        );
        let stale = json!({ "i": { "organizationId": branch, "memberId": next, "expectedVersion": version - 1 } });
        assert_eq!(refused(&app, Some(&admin), set, stale).await, "CONFLICT");
        let changed = audited(
            &app,
            &admin,
            "setPartySecretary",
            set,
            json!({ "i": { "organizationId": branch, "memberId": next, "expectedVersion": version } }),
        )
        .await;
        assert_eq!(changed["setPartySecretary"]["partyOrganization"]["secretary"]["id"], json!(next));
        let close = "mutation($i: DemandStatusInput!) { closeDemand(input: $i) { demand { status } } }";
        assert_eq!(refused(&app, Some(&me), close, json!({ "i": { "id": demand } })).await, "FORBIDDEN", "no longer secretary");
        let next_person = c0["partyBranch"]["members"]["edges"][1]["node"]["person"]["id"].as_str().unwrap().to_owned();
        let closed = audited(&app, &app.token(Role::Member, &next_person), "closeDemand", close, json!({ "i": { "id": demand } })).await;
        assert_eq!(closed["closeDemand"]["demand"]["status"], "CLOSED");

        // Who the secretary is stays personal data: a partner department sees the branch, not them.
        let unit = app.token(Role::Unit, "police");
        let seen = app
            .ok(
                Some(&unit),
                "query($id: ID!) { node(id: $id) { ... on PartyOrganization { name secretary { id } } } }",
                json!({ "id": branch }),
            )
            .await;
        assert!(seen["node"]["name"].is_string(), "{seen}");
        assert_eq!(seen["node"]["secretary"], Value::Null);
    }
}

#[tokio::test]
async fn cancelling_an_activity_cancels_its_sign_ups_but_not_one_that_took_place() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let create = |title: &str| {
            json!({ "i": { "communityId": zhuyuan, "categoryId": category(&d, "sanitation"), "title": title, "place": "竹园小区",
                "startsAt": (Utc::now() - Duration::hours(1)).to_rfc3339(), "endsAt": (Utc::now() + Duration::hours(2)).to_rfc3339(), "capacity": 1 } })
        };
        let new_activity = |title: &'static str| {
            let (app, staff, input) = (&app, &staff, create(title));
            async move { app.ok(Some(staff), CREATE_ACTIVITY, input).await["createActivity"]["activity"]["id"].as_str().unwrap().to_owned() }
        };
        let (rained_off, held) = (new_activity("雨天取消").await, new_activity("如期举行").await);
        let (_, p1) = volunteer(&app, &zhuyuan, "甲", json!({})).await;
        let (_, p2) = volunteer(&app, &zhuyuan, "乙", json!({})).await;
        let (t1, t2) = (app.token(Role::Member, &p1), app.token(Role::Member, &p2));
        for t in [&t1, &t2] {
            app.ok(Some(t), SIGN_UP, json!({ "i": { "activityId": rained_off } })).await;
        }
        let first =
            app.ok(Some(&t1), SIGN_UP, json!({ "i": { "activityId": held } })).await["signUp"]["signUp"]["id"].as_str().unwrap().to_owned();

        let cancel =
            "mutation($i: CancelActivityInput!) { cancelActivity(input: $i) { activity { cancelled version signUps { status } } } }";
        assert_eq!(refused(&app, Some(&t1), cancel, json!({ "i": { "id": rained_off } })).await, "FORBIDDEN");
        let other = app.token(Role::CommunityStaff, "meiling");
        assert_eq!(refused(&app, Some(&other), cancel, json!({ "i": { "id": rained_off } })).await, "NOT_FOUND");
        assert_eq!(refused(&app, Some(&staff), cancel, json!({ "i": { "id": rained_off, "expectedVersion": 99 } })).await, "CONFLICT");
        let done = audited(&app, &staff, "cancelActivity", cancel, json!({ "i": { "id": rained_off, "expectedVersion": 1 } })).await;
        let a = &done["cancelActivity"]["activity"];
        assert_eq!((a["cancelled"].as_bool(), a["version"].as_i64()), (Some(true), Some(2)));
        assert_eq!(a["signUps"], json!([{ "status": "CANCELLED" }, { "status": "CANCELLED" }]), "the registered and the waiting");
        // Nothing more happens on a cancelled activity.
        assert_eq!(refused(&app, Some(&staff), cancel, json!({ "i": { "id": rained_off } })).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&t1), SIGN_UP, json!({ "i": { "activityId": rained_off } })).await, "BAD_USER_INPUT");
        let code = "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }";
        assert_eq!(refused(&app, Some(&staff), code, json!({ "i": { "activityId": rained_off } })).await, "BAD_USER_INPUT");

        // Once someone has checked in, the activity took place and stays.
        let check_in = "mutation($i: AttendanceInput!) { checkInAttendance(input: $i) { signUp { checkedInAt } } }";
        app.ok(Some(&staff), check_in, json!({ "i": { "signUpId": first } })).await;
        assert_eq!(refused(&app, Some(&staff), cancel, json!({ "i": { "id": held } })).await, "BAD_USER_INPUT");
        let stats = app.ok(Some(&staff), "{ volunteerStatistics { totals { activities } } }", json!({})).await;
        let records = activity::Entity::find()
            .filter(activity::Column::CommunityId.eq(decode(&zhuyuan).unwrap().1))
            .filter(activity::Column::Status.eq(activity::ActivityStatus::Open))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(stats["volunteerStatistics"]["totals"]["activities"].as_u64(), Some(records), "a cancelled activity is not counted");
    }
}
