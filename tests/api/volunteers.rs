//! The volunteer service: check-in rules, capacity under concurrency, attendance and hours,
//! matching, statistics from the records, scope, and flat statement counts.

use chrono::{Duration, Utc};
use entity::{activity, sign_up, volunteer};
use gongzhi::auth::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::audit::{audited, refused};
use crate::support::{Content, TestApp, decode};

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

both_backends! {
    async fn one_active_check_in_per_person_approved_by_staff_of_that_community_only(backend: Backend) {
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
        let mine = app.ok(Some(&me), "{ volunteers { totalCount } checkIns { totalCount edges { node { status } } } }", json!({})).await;
        assert_eq!((mine["volunteers"]["totalCount"].as_i64(), mine["checkIns"]["totalCount"].as_i64()), (Some(1), Some(1)));
        assert_eq!(refused(&app, Some(&me), request, input.clone()).await, "CONFLICT");
        audited(&app, &me, "endCheckIn", &decide("endCheckIn"), json!({ "i": { "id": check_in } })).await;
        audited(&app, &me, "requestCheckIn", request, input).await;
        let history = app.ok(Some(&staff), "{ checkIns { edges { node { status } } } }", json!({})).await;
        let statuses: Vec<&str> =
            history["checkIns"]["edges"].as_array().unwrap().iter().map(|c| c["node"]["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["ENDED", "PENDING"], "history is kept");
    }
}

both_backends! {
    async fn fifty_sign_ups_for_twenty_places_leave_thirty_waiting_and_a_cancellation_promotes_one(backend: Backend) {
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

both_backends! {
    async fn attendance_gives_hours_in_the_record_and_the_statistics(backend: Backend) {
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

both_backends! {
    async fn matching_gives_a_fixed_ranking_with_its_parts_and_never_outsiders(backend: Backend) {
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
        // Registered after 对口 with the same offer, but has not served lately: ranks above it.
        let rested = volunteer(&app, &zhuyuan, "对口二", json!({ "categories": ["elder-care"] })).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        // Service records: 对口 served twice in the last 90 days (and once long before), 一半 once.
        let now = Utc::now();
        let sanitation = category(&d, "sanitation");
        for (round, who) in [vec![&category_only, &half], vec![&category_only], vec![&category_only]].into_iter().enumerate() {
            let a = activity_between(
                &app,
                "zhuyuan",
                &zhuyuan,
                &sanitation,
                &format!("服务{round}"),
                now - Duration::hours(1),
                now + Duration::hours(2),
                5,
            )
            .await;
            for v in who {
                let (s, _) = sign_up_for(&app, &app.token(Role::Member, &v.1), &a).await;
                app.ok(Some(&staff), CHECK_IN, json!({ "i": { "signUpId": s } })).await;
                if round == 2 {
                    sign_up::Entity::update_many()
                        .col_expr(sign_up::Column::CheckedInAt, Expr::value(now - Duration::days(100)))
                        .filter(sign_up::Column::Id.eq(uuid_of(&s)))
                        .exec(&app.db)
                        .await
                        .unwrap();
                }
            }
        }
        // A volunteer of another community is never suggested.
        let mstaff = app.token(Role::CommunityStaff, "meiling");
        let outsider = app.ok(Some(&mstaff), REGISTER, json!({ "i": { "communityId": meiling, "name": "外社区", "profile": { "categories": ["elder-care"], "skills": ["急救", "驾驶"], "availability": [slot] } } })).await;
        let outsider = outsider["registerVolunteer"]["volunteer"]["id"].as_str().unwrap().to_owned();
        // Nor is one whose check-in ended, however well they match.
        let member = members_of(&app, &zhuyuan).await[0].person_id;
        let check_in = checked_in(&app, member, &zhuyuan, "zhuyuan").await;
        let ended = gongzhi::graphql::node::global_id("Volunteer", volunteer_row(&app, &zhuyuan, member).await[0].id).to_string();
        let me = app.token(Role::Member, &member.to_string());
        app.ok(
            Some(&me),
            "mutation($i: UpdateVolunteerProfileInput!) { updateVolunteerProfile(input: $i) { volunteer { id } } }",
            json!({ "i": { "id": ended, "profile": { "categories": ["elder-care"], "skills": ["急救", "驾驶"], "availability": [slot], "compoundId": compound } } }),
        )
        .await;
        app.ok(
            Some(&me),
            "mutation($i: CheckInDecisionInput!) { endCheckIn(input: $i) { checkIn { status } } }",
            json!({ "i": { "id": check_in } }),
        )
        .await;
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
            [
                (best.0.as_str(), 100.0),
                (rested.0.as_str(), 45.0),
                (category_only.0.as_str(), 43.0),
                (skills_only.0.as_str(), 35.0),
                (half.0.as_str(), 19.0)
            ],
            "[{}] {s}",
            backend.name()
        );
        let parts =
            |c: f64, s: f64, a: f64, p: f64, f: f64| json!({ "category": c, "skills": s, "availability": a, "compound": p, "fairness": f });
        let all: Vec<&Value> = list.iter().map(|x| &x["parts"]).collect();
        assert_eq!(
            all,
            [
                &parts(40.0, 30.0, 15.0, 10.0, 5.0),
                &parts(40.0, 0.0, 0.0, 0.0, 5.0),
                &parts(40.0, 0.0, 0.0, 0.0, 3.0),
                &parts(0.0, 15.0, 15.0, 0.0, 5.0),
                &parts(0.0, 15.0, 0.0, 0.0, 4.0)
            ],
            "[{}] {s}",
            backend.name()
        );
        let suggested_ids: Vec<&str> = ranking.iter().map(|r| r.0).collect();
        assert!(!suggested_ids.contains(&outsider.as_str()), "another community's volunteer");
        assert!(!suggested_ids.contains(&ended.as_str()), "a volunteer whose check-in ended");
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

both_backends! {
    async fn the_demo_street_shows_the_articles_figures_computed_from_the_records(backend: Backend) {
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

both_backends! {
    async fn volunteer_data_stays_inside_the_scope(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let street = app.street_admin();
        let all = "{ volunteers(first: 5) { totalCount edges { node { id person { phone personalDataVisible } community { code } } } } demands(first: 5) { totalCount edges { node { id community { code } } } } activities(first: 5) { totalCount edges { node { id community { code } signUps { id } } } } checkIns { edges { node { id } } } }";
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

both_backends! {
    async fn suggestions_and_activity_lists_cost_the_same_statements_as_data_grows(backend: Backend) {
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

both_backends! {
    async fn categories_profiles_and_demands_are_managed_and_audited(backend: Backend) {
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

both_backends! {
    async fn suggestions_for_a_list_of_demands_cost_the_same_for_two_demands_or_eight(backend: Backend) {
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

both_backends! {
    async fn a_compound_branch_secretary_posts_and_manages_the_demands_of_that_compound_only(backend: Backend) {
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

both_backends! {
    async fn cancelling_an_activity_cancels_its_sign_ups_but_not_one_that_took_place(backend: Backend) {
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

// ---------------------------------------------------------------- helpers of the tests below

const CANCEL: &str = "mutation($i: CancelSignUpInput!) { cancelSignUp(input: $i) { signUp { status } } }";
const CHECK_IN: &str = "mutation($i: AttendanceInput!) { checkInAttendance(input: $i) { signUp { checkedInAt } } }";
const CHECK_OUT: &str = "mutation($i: AttendanceInput!) { checkOutAttendance(input: $i) { signUp { hours checkedOutAt } } }";
const INVITE: &str = "mutation($i: InviteVolunteerInput!) { inviteVolunteer(input: $i) { invitation { id } } }";
const RESPOND: &str = "mutation($i: RespondToInvitationInput!) { respondToInvitation(input: $i) { invitation { status } } }";
const POST_DEMAND: &str = "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }";
const REQUEST_CHECK_IN: &str = "mutation($i: RequestCheckInInput!) { requestCheckIn(input: $i) { checkIn { id status } } }";

/// The error code of a response, or `OK`.
fn outcome(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK").to_owned()
}

fn uuid_of(id: &str) -> uuid::Uuid {
    decode(id).unwrap().1
}

/// An activity of `community` created by staff of `code`; returns its id.
#[expect(clippy::too_many_arguments, reason = "every field of the activity the test sets")]
async fn activity_between(
    app: &TestApp,
    code: &str,
    community: &str,
    category_id: &str,
    title: &str,
    starts: chrono::DateTime<Utc>,
    ends: chrono::DateTime<Utc>,
    capacity: i32,
) -> String {
    let staff = app.token(Role::CommunityStaff, code);
    let a = app
        .ok(
            Some(&staff),
            CREATE_ACTIVITY,
            json!({ "i": { "communityId": community, "categoryId": category_id, "title": title, "place": "党群服务中心",
                "startsAt": starts.to_rfc3339(), "endsAt": ends.to_rfc3339(), "capacity": capacity } }),
        )
        .await;
    a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned()
}

/// Signs the token's person up; returns (sign-up id, status).
async fn sign_up_for(app: &TestApp, token: &str, activity: &str) -> (String, String) {
    let s = app.ok(Some(token), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
    (s["signUp"]["signUp"]["id"].as_str().unwrap().to_owned(), s["signUp"]["signUp"]["status"].as_str().unwrap().to_owned())
}

async fn sign_up_row(app: &TestApp, id: &str) -> sign_up::Model {
    sign_up::Entity::find_by_id(uuid_of(id)).one(&app.db).await.unwrap().unwrap()
}

async fn audit_records(app: &TestApp) -> u64 {
    entity::audit_log::Entity::find().count(&app.db).await.unwrap()
}

/// The party members of a community, in registration order.
async fn members_of(app: &TestApp, community: &str) -> Vec<entity::party_member::Model> {
    use sea_orm::QueryOrder;
    entity::party_member::Entity::find()
        .filter(entity::party_member::Column::CommunityId.eq(uuid_of(community)))
        .order_by_asc(entity::party_member::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

/// The member checks in to `community` and staff of `code` approve; returns the check-in's id.
async fn checked_in(app: &TestApp, person: uuid::Uuid, community: &str, code: &str) -> String {
    let me = app.token(Role::Member, &person.to_string());
    let r = app
        .ok(
            Some(&me),
            REQUEST_CHECK_IN,
            json!({ "i": { "communityId": community, "workUnit": "晋江市税务局", "organizationRelation": "晋江市税务局机关党委" } }),
        )
        .await;
    let id = r["requestCheckIn"]["checkIn"]["id"].as_str().unwrap().to_owned();
    app.ok(
        Some(&app.token(Role::CommunityStaff, code)),
        "mutation($i: CheckInDecisionInput!) { approveCheckIn(input: $i) { checkIn { status } } }",
        json!({ "i": { "id": id } }),
    )
    .await;
    id
}

async fn volunteer_row(app: &TestApp, community: &str, person: uuid::Uuid) -> Vec<volunteer::Model> {
    volunteer::Entity::find()
        .filter(volunteer::Column::CommunityId.eq(uuid_of(community)))
        .filter(volunteer::Column::PersonId.eq(person))
        .all(&app.db)
        .await
        .unwrap()
}

async fn suggested(app: &TestApp, demand: &str) -> Vec<String> {
    let q = "query($id: ID!) { node(id: $id) { ... on Demand { suggestedVolunteers(first: 50) { volunteer { id } } } } }";
    let s = app.ok(Some(&app.token(Role::CommunityStaff, "zhuyuan")), q, json!({ "id": demand })).await;
    s["node"]["suggestedVolunteers"].as_array().unwrap().iter().map(|x| x["volunteer"]["id"].as_str().unwrap().to_owned()).collect()
}

// ---------------------------------------------------------------- linking people

both_backends! {
    async fn staff_link_only_people_known_in_their_communities(backend: Backend) {
        use entity::{check_in, party_member, person};
        use std::collections::HashSet;
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, meiling, _) = ids(&app).await;
        let (z, m) = (uuid_of(&zhuyuan), uuid_of(&meiling));
        let mut tied: HashSet<uuid::Uuid> = HashSet::new();
        tied.extend(
            party_member::Entity::find()
                .filter(party_member::Column::CommunityId.eq(z))
                .all(&app.db)
                .await
                .unwrap()
                .iter()
                .map(|p| p.person_id),
        );
        tied.extend(
            volunteer::Entity::find().filter(volunteer::Column::CommunityId.eq(z)).all(&app.db).await.unwrap().iter().map(|v| v.person_id),
        );
        tied.extend(
            check_in::Entity::find().filter(check_in::Column::CommunityId.eq(z)).all(&app.db).await.unwrap().iter().map(|c| c.person_id),
        );
        let outsider = person::Entity::find()
            .filter(person::Column::HomeCommunityId.eq(m))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .find(|p| !tied.contains(&p.id))
            .expect("a 梅岭 resident with no tie to 竹园");
        let resident = person::Entity::find()
            .filter(person::Column::HomeCommunityId.eq(z))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .find(|p| !tied.contains(&p.id))
            .expect("a 竹园 resident who is not a party member there");

        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let admin = app.token(Role::CommunityAdmin, "zhuyuan");
        let member = "mutation($i: RegisterPartyMemberInput!) { registerPartyMember(input: $i) { member { id person { id } } } }";
        let as_volunteer = |p: uuid::Uuid| json!({ "i": { "communityId": zhuyuan, "personId": p.to_string() } });
        let as_member = |p: uuid::Uuid| json!({ "i": { "communityId": zhuyuan, "personId": p.to_string(), "kind": "RESIDENT" } });
        let rows = |p: uuid::Uuid| {
            let db = app.db.clone();
            async move {
                volunteer::Entity::find()
                    .filter(volunteer::Column::PersonId.eq(p))
                    .filter(volunteer::Column::CommunityId.eq(z))
                    .count(&db)
                    .await
                    .unwrap()
                    + party_member::Entity::find()
                        .filter(party_member::Column::PersonId.eq(p))
                        .filter(party_member::Column::CommunityId.eq(z))
                        .count(&db)
                        .await
                        .unwrap()
            }
        };
        // Someone else's resident, or no one at all: refused alike, nothing written.
        for token in [&staff, &admin] {
            assert_eq!(refused(&app, Some(token), REGISTER, as_volunteer(outsider.id)).await, "BAD_USER_INPUT", "[{}]", backend.name());
            assert_eq!(refused(&app, Some(token), member, as_member(outsider.id)).await, "BAD_USER_INPUT", "[{}]", backend.name());
            assert_eq!(refused(&app, Some(token), REGISTER, as_volunteer(uuid::Uuid::now_v7())).await, "BAD_USER_INPUT");
            assert_eq!(refused(&app, Some(token), member, as_member(uuid::Uuid::now_v7())).await, "BAD_USER_INPUT");
        }
        let (_, body) = app.post(Some(&staff), REGISTER, as_volunteer(outsider.id)).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "personId", "{body}");
        assert_eq!(rows(outsider.id).await, 0, "[{}] nothing written for the outsider", backend.name());
        // Staff of the outsider's own community link them.
        let mstaff = app.token(Role::CommunityStaff, "meiling");
        let mine = json!({ "i": { "communityId": meiling, "personId": outsider.id.to_string() } });
        let v = audited(&app, &mstaff, "registerVolunteer", REGISTER, mine).await;
        assert_eq!(v["registerVolunteer"]["volunteer"]["person"]["id"], outsider.id.to_string());
        // Volunteering in 梅岭 is no tie to 竹园.
        assert_eq!(refused(&app, Some(&staff), REGISTER, as_volunteer(outsider.id)).await, "BAD_USER_INPUT");
        assert_eq!(rows(outsider.id).await, 0);

        // A person who lives in 竹园 is linked, as a volunteer and as a party member.
        let v = audited(&app, &staff, "registerVolunteer", REGISTER, as_volunteer(resident.id)).await;
        assert_eq!(v["registerVolunteer"]["volunteer"]["person"]["id"], resident.id.to_string());
        let p = audited(&app, &staff, "registerPartyMember", member, as_member(resident.id)).await;
        assert_eq!(p["registerPartyMember"]["member"]["person"]["id"], resident.id.to_string());
        assert_eq!(rows(resident.id).await, 2);
        assert_eq!(person::Entity::find_by_id(resident.id).one(&app.db).await.unwrap().unwrap().name, resident.name, "the same person");
    }
}

// ---------------------------------------------------------------- cancellations under the lock

both_backends! {
    async fn concurrent_cancellations_of_one_sign_up_cancel_once_and_promote_once(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let sanitation = category(&d, "sanitation");
        let mut tokens = Vec::new();
        for i in 0..4 {
            let (_, person) = volunteer(&app, &zhuyuan, &format!("取消{i}"), json!({})).await;
            tokens.push(app.token(Role::Member, &person));
        }
        let count = |activity: uuid::Uuid, s: sign_up::SignUpStatus| {
            let db = app.db.clone();
            async move {
                sign_up::Entity::find()
                    .filter(sign_up::Column::ActivityId.eq(activity))
                    .filter(sign_up::Column::Status.eq(s))
                    .count(&db)
                    .await
                    .unwrap()
            }
        };
        for round in 0..3 {
            let starts = Utc::now() + Duration::days(1);
            let a = activity_between(
                &app,
                "zhuyuan",
                &zhuyuan,
                &sanitation,
                &format!("同时取消{round}"),
                starts,
                starts + Duration::hours(2),
                1,
            )
            .await;
            let (registered, status) = sign_up_for(&app, &tokens[0], &a).await;
            assert_eq!(status, "REGISTERED");
            let (first_waiting, _) = sign_up_for(&app, &tokens[1], &a).await;
            let (second_waiting, status) = sign_up_for(&app, &tokens[2], &a).await;
            assert_eq!(status, "WAITING");
            let before = audit_records(&app).await;
            let input = json!({ "i": { "id": registered } });
            let (x, y) = tokio::join!(app.post(Some(&tokens[0]), CANCEL, input.clone()), app.post(Some(&staff), CANCEL, input.clone()));
            let mut codes = [outcome(&x.1), outcome(&y.1)];
            codes.sort();
            assert_eq!(codes, ["CONFLICT", "OK"], "[{}] {} {}", backend.name(), x.1, y.1);
            assert_eq!(audit_records(&app).await, before + 1, "one cancellation recorded");
            let a_id = uuid_of(&a);
            assert_eq!(
                (
                    count(a_id, sign_up::SignUpStatus::Registered).await,
                    count(a_id, sign_up::SignUpStatus::Waiting).await,
                    count(a_id, sign_up::SignUpStatus::Cancelled).await
                ),
                (1, 1, 1),
                "[{}] exactly one promoted",
                backend.name()
            );
            assert_eq!(sign_up_row(&app, &first_waiting).await.status, sign_up::SignUpStatus::Registered);
            assert_eq!(sign_up_row(&app, &second_waiting).await.status, sign_up::SignUpStatus::Waiting);
        }
    }
}

both_backends! {
    async fn a_registered_and_a_waiting_sign_up_cancelled_at_once_leave_the_activity_full(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let elder = category(&d, "elder-care");
        let mut tokens = Vec::new();
        for i in 0..5 {
            let (_, person) = volunteer(&app, &zhuyuan, &format!("候补{i}"), json!({})).await;
            tokens.push(app.token(Role::Member, &person));
        }
        for round in 0..4 {
            let starts = Utc::now() + Duration::days(1);
            let a =
                activity_between(&app, "zhuyuan", &zhuyuan, &elder, &format!("满员{round}"), starts, starts + Duration::hours(2), 2).await;
            let mut s = Vec::new();
            for t in &tokens {
                s.push(sign_up_for(&app, t, &a).await);
            }
            let statuses: Vec<&str> = s.iter().map(|x| x.1.as_str()).collect();
            assert_eq!(statuses, ["REGISTERED", "REGISTERED", "WAITING", "WAITING", "WAITING"]);
            // The first registered volunteer cancels while staff cancel the first waiting one.
            let (x, y) = tokio::join!(
                app.post(Some(&tokens[0]), CANCEL, json!({ "i": { "id": s[0].0 } })),
                app.post(Some(&staff), CANCEL, json!({ "i": { "id": s[2].0 } }))
            );
            assert_eq!((outcome(&x.1), outcome(&y.1)), ("OK".to_owned(), "OK".to_owned()), "[{}] {} {}", backend.name(), x.1, y.1);
            let rows = sign_up::Entity::find().filter(sign_up::Column::ActivityId.eq(uuid_of(&a))).all(&app.db).await.unwrap();
            let registered: Vec<uuid::Uuid> = rows.iter().filter(|r| r.status == sign_up::SignUpStatus::Registered).map(|r| r.id).collect();
            assert_eq!(registered.len(), 2, "[{}] capacity 2, round {round}: {rows:?}", backend.name());
            // Whichever ran first, the second registered and the second waiting hold the places.
            let mut expected = vec![uuid_of(&s[1].0), uuid_of(&s[3].0)];
            expected.sort();
            let mut got = registered.clone();
            got.sort();
            assert_eq!(got, expected, "[{}]", backend.name());
            assert_eq!(rows.iter().filter(|r| r.status == sign_up::SignUpStatus::Waiting).count(), 1);
        }
    }
}

// ---------------------------------------------------------------- check-ins and volunteering

both_backends! {
    async fn ending_a_check_in_ends_the_volunteering_there_until_a_new_check_in_is_approved(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let members = members_of(&app, &zhuyuan).await;
        let (person, stranger) = (members[0].person_id, members[1].person_id);
        let me = app.token(Role::Member, &person.to_string());

        // Not a volunteer of the community at all: no sign-up.
        let starts = Utc::now() + Duration::days(3);
        let elder = category(&d, "elder-care");
        let a1 = activity_between(&app, "zhuyuan", &zhuyuan, &elder, "探访一", starts, starts + Duration::hours(2), 10).await;
        let a2 = activity_between(&app, "zhuyuan", &zhuyuan, &elder, "探访二", starts, starts + Duration::hours(2), 10).await;
        let a3 = activity_between(&app, "zhuyuan", &zhuyuan, &elder, "探访三", starts, starts + Duration::hours(2), 10).await;
        assert!(volunteer_row(&app, &zhuyuan, stranger).await.is_empty());
        let stranger_token = app.token(Role::Member, &stranger.to_string());
        assert_eq!(refused(&app, Some(&stranger_token), SIGN_UP, json!({ "i": { "activityId": a1 } })).await, "FORBIDDEN");
        assert_eq!(refused(&app, Some(&me), SIGN_UP, json!({ "i": { "activityId": a1 } })).await, "FORBIDDEN", "not yet checked in");

        let demand = app
            .ok(
                Some(&staff),
                POST_DEMAND,
                json!({ "i": { "communityId": zhuyuan, "categoryId": elder, "title": "助老", "startsAt": "2030-02-01T01:00:00Z", "endsAt": "2030-02-01T03:00:00Z", "headcount": 1 } }),
            )
            .await["postDemand"]["demand"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // Approved: an active volunteer, suggested, signs up.
        let first = checked_in(&app, person, &zhuyuan, "zhuyuan").await;
        let rows = volunteer_row(&app, &zhuyuan, person).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, volunteer::VolunteerStatus::Active);
        let vid = gongzhi::graphql::node::global_id("Volunteer", rows[0].id).to_string();
        assert!(suggested(&app, &demand).await.contains(&vid), "[{}] the checked-in member is suggested", backend.name());
        sign_up_for(&app, &me, &a1).await;

        // Ended: inactive there, never suggested, no new sign-up; the row and the history stay.
        let end = "mutation($i: CheckInDecisionInput!) { endCheckIn(input: $i) { checkIn { status } } }";
        audited(&app, &me, "endCheckIn", end, json!({ "i": { "id": first } })).await;
        let rows = volunteer_row(&app, &zhuyuan, person).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, volunteer::VolunteerStatus::Inactive, "[{}]", backend.name());
        let active = app.ok(Some(&staff), "query($id: ID!) { node(id: $id) { ... on Volunteer { active } } }", json!({ "id": vid })).await;
        assert_eq!(active["node"]["active"], false);
        assert!(!suggested(&app, &demand).await.contains(&vid), "[{}] an inactive volunteer is suggested", backend.name());
        assert_eq!(refused(&app, Some(&me), SIGN_UP, json!({ "i": { "activityId": a2 } })).await, "FORBIDDEN", "[{}]", backend.name());
        assert_eq!(refused(&app, Some(&staff), INVITE, json!({ "i": { "demandId": demand, "volunteerId": vid } })).await, "BAD_USER_INPUT");

        // Approved again: the same row, active again.
        checked_in(&app, person, &zhuyuan, "zhuyuan").await;
        let again = volunteer_row(&app, &zhuyuan, person).await;
        assert_eq!(again.len(), 1, "no second volunteer row");
        assert_eq!((again[0].id, again[0].status), (rows[0].id, volunteer::VolunteerStatus::Active));
        assert!(again[0].version > rows[0].version);
        assert!(suggested(&app, &demand).await.contains(&vid));
        let (_, status) = sign_up_for(&app, &me, &a3).await;
        assert_eq!(status, "REGISTERED");
    }
}

// ---------------------------------------------------------------- attendance within the activity's time

both_backends! {
    async fn attendance_is_taken_within_the_activity_and_counts_only_its_time(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let sanitation = category(&d, "sanitation");
        let (_, person) = volunteer(&app, &zhuyuan, "守时", json!({})).await;
        let me = app.token(Role::Member, &person);
        let now = Utc::now();
        let new = |title: &'static str, starts: chrono::DateTime<Utc>, ends: chrono::DateTime<Utc>| {
            let (app, zhuyuan, sanitation, me) = (&app, &zhuyuan, &sanitation, &me);
            async move {
                let a = activity_between(app, "zhuyuan", zhuyuan, sanitation, title, starts, ends, 5).await;
                let (s, _) = sign_up_for(app, me, &a).await;
                (a, s)
            }
        };
        let set_activity = |a: &str, col: activity::Column, at: chrono::DateTime<Utc>| {
            let (db, id) = (app.db.clone(), uuid_of(a));
            async move {
                activity::Entity::update_many().col_expr(col, Expr::value(at)).filter(activity::Column::Id.eq(id)).exec(&db).await.unwrap()
            }
        };
        let set_check_in = |s: &str, at: chrono::DateTime<Utc>| {
            let (db, id) = (app.db.clone(), uuid_of(s));
            async move {
                sign_up::Entity::update_many()
                    .col_expr(sign_up::Column::CheckedInAt, Expr::value(at))
                    .filter(sign_up::Column::Id.eq(id))
                    .exec(&db)
                    .await
                    .unwrap()
            }
        };

        // More than an hour before the start: neither the organiser nor the code checks in.
        let (early, early_s) = new("太早", now + Duration::minutes(90), now + Duration::hours(4)).await;
        assert_eq!(refused(&app, Some(&staff), CHECK_IN, json!({ "i": { "signUpId": early_s } })).await, "BAD_USER_INPUT");
        let code = app
            .ok(
                Some(&staff),
                "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }",
                json!({ "i": { "activityId": early } }),
            )
            .await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(refused(&app, Some(&me), CHECK_IN, json!({ "i": { "activityId": early, "code": code } })).await, "BAD_USER_INPUT");
        let (_, body) = app.post(Some(&staff), CHECK_IN, json!({ "i": { "signUpId": early_s } })).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "checkedInAt", "{body}");
        assert!(sign_up_row(&app, &early_s).await.checked_in_at.is_none());

        // Within the hour before: in, but the minutes before the start add nothing.
        let (_, soon_s) = new("将开始", now + Duration::minutes(30), now + Duration::hours(3)).await;
        audited(&app, &staff, "checkInAttendance", CHECK_IN, json!({ "i": { "signUpId": soon_s } })).await;
        let out = app.ok(Some(&staff), CHECK_OUT, json!({ "i": { "signUpId": soon_s } })).await;
        assert_eq!(out["checkOutAttendance"]["signUp"]["hours"], 0.0, "[{}] left before it started", backend.name());
        assert_eq!(sign_up_row(&app, &soon_s).await.service_minutes, Some(0));

        // After the end: refused.
        let (over, over_s) = new("已结束", now - Duration::hours(3), now + Duration::hours(1)).await;
        set_activity(&over, activity::Column::EndsAt, now - Duration::minutes(10)).await;
        assert_eq!(
            refused(&app, Some(&staff), CHECK_IN, json!({ "i": { "signUpId": over_s } })).await,
            "BAD_USER_INPUT",
            "[{}]",
            backend.name()
        );

        // Arrived before the start: the time counts from the start.
        let (running, running_s) = new("进行中", now - Duration::hours(2), now + Duration::hours(2)).await;
        audited(&app, &staff, "checkInAttendance", CHECK_IN, json!({ "i": { "signUpId": running_s } })).await;
        set_activity(&running, activity::Column::StartsAt, now - Duration::minutes(60)).await;
        set_check_in(&running_s, now - Duration::minutes(100)).await;
        let out = audited(&app, &staff, "checkOutAttendance", CHECK_OUT, json!({ "i": { "signUpId": running_s } })).await;
        let row = sign_up_row(&app, &running_s).await;
        let a = activity::Entity::find_by_id(uuid_of(&running)).one(&app.db).await.unwrap().unwrap();
        let from_start = (row.checked_out_at.unwrap() - a.starts_at).num_minutes();
        assert_eq!(row.service_minutes.map(i64::from), Some(from_start), "[{}] {row:?}", backend.name());
        assert_eq!(from_start, 60);
        assert_eq!(out["checkOutAttendance"]["signUp"]["hours"], 1.0, "[{}] not the 100 minutes since check-in", backend.name());

        // Left after the end (checked out late): the time counts until the end.
        let (late, late_s) = new("超时", now - Duration::hours(3), now + Duration::hours(1)).await;
        app.ok(Some(&staff), CHECK_IN, json!({ "i": { "signUpId": late_s } })).await;
        set_check_in(&late_s, now - Duration::minutes(120)).await;
        set_activity(&late, activity::Column::EndsAt, now - Duration::minutes(30)).await;
        let out = app.ok(Some(&staff), CHECK_OUT, json!({ "i": { "signUpId": late_s } })).await;
        assert_eq!(out["checkOutAttendance"]["signUp"]["hours"], 1.5, "[{}]", backend.name());
        assert_eq!(sign_up_row(&app, &late_s).await.service_minutes, Some(90));

        let record = app.ok(Some(&me), "{ serviceRecord { personTimes hours } }", json!({})).await;
        assert_eq!(record["serviceRecord"], json!({ "personTimes": 3, "hours": 2.5 }));
    }
}

// ---------------------------------------------------------------- answering invitations

both_backends! {
    async fn answers_to_invitations_respect_the_demands_state_and_fill_it_once(backend: Backend) {
        use entity::{demand, invitation};
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let mut vols = Vec::new();
        for i in 0..3 {
            vols.push(volunteer(&app, &zhuyuan, &format!("应邀{i}"), json!({ "categories": ["traffic-civility"] })).await);
        }
        let post = |title: &str, headcount: i32| {
            json!({ "i": { "communityId": zhuyuan, "categoryId": category(&d, "traffic-civility"), "title": title,
                "startsAt": "2030-04-01T01:00:00Z", "endsAt": "2030-04-01T03:00:00Z", "headcount": headcount } })
        };
        let invite = |demand: &str, v: &str| {
            let (app, staff, input) = (&app, &staff, json!({ "i": { "demandId": demand, "volunteerId": v } }));
            async move { app.ok(Some(staff), INVITE, input).await["inviteVolunteer"]["invitation"]["id"].as_str().unwrap().to_owned() }
        };
        let demand_row = |id: &str| {
            let (db, id) = (app.db.clone(), uuid_of(id));
            async move { demand::Entity::find_by_id(id).one(&db).await.unwrap().unwrap() }
        };
        let invitation_status = |id: &str| {
            let (db, id) = (app.db.clone(), uuid_of(id));
            async move { invitation::Entity::find_by_id(id).one(&db).await.unwrap().unwrap().status }
        };
        let token = |i: usize| app.token(Role::Member, &vols[i].1);

        // Closed or cancelled: an acceptance is refused, the invitation stays open to a decline.
        for (name, title) in [("closeDemand", "已关闭"), ("cancelDemand", "已取消")] {
            let id = app.ok(Some(&staff), POST_DEMAND, post(title, 1)).await["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
            let inv = invite(&id, &vols[0].0).await;
            app.ok(
                Some(&staff),
                &format!("mutation($i: DemandStatusInput!) {{ {name}(input: $i) {{ demand {{ status }} }} }}"),
                json!({ "i": { "id": id } }),
            )
            .await;
            let version = demand_row(&id).await.version;
            assert_eq!(
                refused(&app, Some(&token(0)), RESPOND, json!({ "i": { "id": inv, "accept": true } })).await,
                "BAD_USER_INPUT",
                "[{}] {name}",
                backend.name()
            );
            assert_eq!(invitation_status(&inv).await, invitation::InvitationStatus::Invited);
            let after = demand_row(&id).await;
            assert_eq!(after.version, version, "the demand is unchanged");
            assert_ne!(after.status, demand::DemandStatus::Filled);
            let declined = audited(&app, &token(0), "respondToInvitation", RESPOND, json!({ "i": { "id": inv, "accept": false } })).await;
            assert_eq!(declined["respondToInvitation"]["invitation"]["status"], "DECLINED");
        }

        // Headcount 2, three invited, three accepting at once: two are taken, the demand fills once,
        // and the acceptance that comes after it filled is refused.
        for round in 0..3 {
            let id = app.ok(Some(&staff), POST_DEMAND, post(&format!("文明劝导{round}"), 2)).await["postDemand"]["demand"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let mut invs = Vec::new();
            for v in &vols {
                invs.push(invite(&id, &v.0).await);
            }
            let before = demand_row(&id).await;
            assert_eq!((before.status, before.version), (demand::DemandStatus::Open, 1));
            let records = audit_records(&app).await;
            let tokens: Vec<String> = (0..3).map(token).collect();
            let answers = futures_util::future::join_all(
                invs.iter().zip(&tokens).map(|(inv, t)| app.post(Some(t), RESPOND, json!({ "i": { "id": inv, "accept": true } }))),
            )
            .await;
            let mut codes: Vec<String> = answers.iter().map(|(_, b)| outcome(b)).collect();
            codes.sort();
            assert_eq!(codes, ["BAD_USER_INPUT", "OK", "OK"], "[{}] {answers:?}", backend.name());
            assert_eq!(audit_records(&app).await, records + 2);
            let after = demand_row(&id).await;
            assert_eq!((after.status, after.version), (demand::DemandStatus::Filled, 2), "[{}] filled once", backend.name());
            let accepted = invitation::Entity::find()
                .filter(invitation::Column::DemandId.eq(uuid_of(&id)))
                .filter(invitation::Column::Status.eq(invitation::InvitationStatus::Accepted))
                .count(&app.db)
                .await
                .unwrap();
            assert_eq!(accepted, 2);
            let late = answers.iter().position(|(_, b)| outcome(b) == "BAD_USER_INPUT").unwrap();
            assert_eq!(invitation_status(&invs[late]).await, invitation::InvitationStatus::Invited);
            let shown =
                app.ok(Some(&staff), "query($id: ID!) { node(id: $id) { ... on Demand { status version } } }", json!({ "id": id })).await;
            assert_eq!(shown["node"], json!({ "status": "FILLED", "version": 2 }));
        }
    }
}

// ---------------------------------------------------------------- statistics by category and month

both_backends! {
    async fn statistics_by_category_and_month_match_the_raw_records(backend: Backend) {
        use chrono::TimeZone;
        use entity::service_category;
        use sea_orm::{ActiveModelTrait, Set};
        use std::collections::{BTreeMap, HashMap};
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, meiling, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let (sanitation, elder) = (category(&d, "sanitation"), category(&d, "elder-care"));
        let at = |y, mo, day, h, mi| Utc.with_ymd_and_hms(y, mo, day, h, mi, 0).unwrap();
        let mut people = Vec::new();
        for i in 0..4 {
            people.push(volunteer(&app, &zhuyuan, &format!("统计{i}"), json!({})).await.1);
        }
        let residents = |a: &str, n: i32, token: &str| {
            let (app, input, token) = (&app, json!({ "i": { "activityId": a, "residentsServed": n } }), token.to_owned());
            async move {
                app.ok(
                    Some(&token),
                    "mutation($i: RecordResidentsServedInput!) { recordResidentsServed(input: $i) { activity { residentsServed } } }",
                    input,
                )
                .await
            }
        };
        // Attendance rows as the service leaves them: (activity, person, minutes) with a check-in;
        // None minutes = checked in, never checked out.
        let attended = |a: &str, person: &str, minutes: Option<i32>, starts: chrono::DateTime<Utc>| {
            let (db, a, person) = (app.db.clone(), uuid_of(a), person.parse::<uuid::Uuid>().unwrap());
            async move {
                let a = activity::Entity::find_by_id(a).one(&db).await.unwrap().unwrap();
                sign_up::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    community_id: Set(a.community_id),
                    activity_id: Set(a.id),
                    person_id: Set(person),
                    status: Set(sign_up::SignUpStatus::Registered),
                    checked_in_at: Set(Some(starts)),
                    checked_out_at: Set(minutes.map(|m| starts + Duration::minutes(i64::from(m)))),
                    service_minutes: Set(minutes),
                    code_failures: Set(0),
                    created_at: Set(starts - Duration::days(1)),
                    updated_at: Set(starts),
                }
                .insert(&db)
                .await
                .unwrap();
            }
        };
        // Late evening of 31 January in UTC is 1 February in Beijing.
        let a1_starts = at(2025, 1, 31, 16, 30);
        let a1 = activity_between(&app, "zhuyuan", &zhuyuan, &sanitation, "除夕清扫", a1_starts, a1_starts + Duration::hours(2), 10).await;
        attended(&a1, &people[0], Some(120), a1_starts).await;
        attended(&a1, &people[1], Some(90), a1_starts).await;
        attended(&a1, &people[2], None, a1_starts).await;
        sign_up::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            community_id: Set(uuid_of(&zhuyuan)),
            activity_id: Set(uuid_of(&a1)),
            person_id: Set(people[3].parse().unwrap()),
            status: Set(sign_up::SignUpStatus::Registered),
            checked_in_at: Set(None),
            checked_out_at: Set(None),
            service_minutes: Set(None),
            code_failures: Set(0),
            created_at: Set(a1_starts - Duration::days(1)),
            updated_at: Set(a1_starts - Duration::days(1)),
        }
        .insert(&app.db)
        .await
        .unwrap();
        residents(&a1, 30, &staff).await;
        let a2_starts = at(2025, 1, 15, 2, 0);
        let a2 = activity_between(&app, "zhuyuan", &zhuyuan, &sanitation, "河道清理", a2_starts, a2_starts + Duration::hours(2), 10).await;
        attended(&a2, &people[0], Some(60), a2_starts).await;
        residents(&a2, 10, &staff).await;
        let a3_starts = at(2025, 2, 10, 2, 0);
        let a3 = activity_between(&app, "zhuyuan", &zhuyuan, &elder, "敬老探访", a3_starts, a3_starts + Duration::hours(2), 10).await;
        attended(&a3, &people[1], Some(45), a3_starts).await;
        attended(&a3, &people[3], Some(30), a3_starts).await;
        residents(&a3, 5, &staff).await;
        // Held, but nobody recorded attendance: one activity, no one served.
        let a6_starts = at(2025, 1, 20, 2, 0);
        activity_between(&app, "zhuyuan", &zhuyuan, &elder, "无人签到", a6_starts, a6_starts + Duration::hours(1), 10).await;
        // Not yet started (though someone checked in early): not counted.
        let soon = Utc::now() + Duration::minutes(30);
        let a4 = activity_between(&app, "zhuyuan", &zhuyuan, &elder, "即将开始", soon, soon + Duration::hours(2), 10).await;
        let (s4, _) = sign_up_for(&app, &app.token(Role::Member, &people[2]), &a4).await;
        app.ok(Some(&staff), CHECK_IN, json!({ "i": { "signUpId": s4 } })).await;
        residents(&a4, 7, &staff).await;
        // Cancelled: not counted.
        let a5_starts = at(2025, 3, 1, 2, 0);
        let a5 = activity_between(&app, "zhuyuan", &zhuyuan, &elder, "雨天取消", a5_starts, a5_starts + Duration::hours(2), 10).await;
        residents(&a5, 99, &staff).await;
        app.ok(
            Some(&staff),
            "mutation($i: CancelActivityInput!) { cancelActivity(input: $i) { activity { cancelled } } }",
            json!({ "i": { "id": a5 } }),
        )
        .await;
        // Another community's: not counted for 竹园.
        let mstaff = app.token(Role::CommunityStaff, "meiling");
        let mv = app.ok(Some(&mstaff), REGISTER, json!({ "i": { "communityId": meiling, "name": "梅岭义工" } })).await;
        let mperson = mv["registerVolunteer"]["volunteer"]["person"]["id"].as_str().unwrap().to_owned();
        let am = activity_between(&app, "meiling", &meiling, &sanitation, "梅岭清扫", a2_starts, a2_starts + Duration::hours(2), 10).await;
        attended(&am, &mperson, Some(60), a2_starts).await;
        residents(&am, 100, &mstaff).await;

        let q = "query($c: ID) { volunteerStatistics(communityId: $c) { volunteers checkedInMembers
                    totals { activities personTimes hours residentsServed }
                    byCategory { category totals { activities personTimes hours residentsServed } }
                    byMonth { month totals { activities personTimes hours residentsServed } } } }";
        let got = app.ok(Some(&staff), q, json!({ "c": zhuyuan })).await["volunteerStatistics"].clone();

        // Independently, from the raw rows: open activities of the community that have started;
        // sign-ups with a check-in; months in Beijing time.
        let z = uuid_of(&zhuyuan);
        let codes: HashMap<uuid::Uuid, String> =
            service_category::Entity::find().all(&app.db).await.unwrap().into_iter().map(|c| (c.id, c.code)).collect();
        let now = Utc::now();
        let held: Vec<activity::Model> = activity::Entity::find()
            .filter(activity::Column::CommunityId.eq(z))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.status == activity::ActivityStatus::Open && a.starts_at <= now)
            .collect();
        let rows = sign_up::Entity::find().filter(sign_up::Column::CommunityId.eq(z)).all(&app.db).await.unwrap();
        // (activities, person-times, minutes, residents)
        let mut by_category: BTreeMap<String, (i64, i64, i64, i64)> = BTreeMap::new();
        let mut by_month: BTreeMap<String, (i64, i64, i64, i64)> = BTreeMap::new();
        let mut totals = (0, 0, 0, 0);
        for a in &held {
            let served: Vec<&sign_up::Model> = rows.iter().filter(|s| s.activity_id == a.id && s.checked_in_at.is_some()).collect();
            let slice = (
                1,
                served.len() as i64,
                served.iter().map(|s| i64::from(s.service_minutes.unwrap_or(0))).sum::<i64>(),
                i64::from(a.residents_served),
            );
            let month = (a.starts_at + Duration::hours(8)).format("%Y-%m").to_string();
            for t in [by_category.entry(codes[&a.category_id].clone()).or_default(), by_month.entry(month).or_default(), &mut totals] {
                t.0 += slice.0;
                t.1 += slice.1;
                t.2 += slice.2;
                t.3 += slice.3;
            }
        }
        let hours = |minutes: i64| (minutes as f64 / 60.0 * 100.0).round() / 100.0;
        let shown =
            |t: &(i64, i64, i64, i64)| json!({ "activities": t.0, "personTimes": t.1, "hours": hours(t.2), "residentsServed": t.3 });
        let expected_categories: Vec<Value> = by_category.iter().map(|(c, t)| json!({ "category": c, "totals": shown(t) })).collect();
        let expected_months: Vec<Value> = by_month.iter().map(|(m, t)| json!({ "month": m, "totals": shown(t) })).collect();
        assert_eq!(got["byCategory"], json!(expected_categories), "[{}] {got}", backend.name());
        assert_eq!(got["byMonth"], json!(expected_months), "[{}] {got}", backend.name());
        assert_eq!(got["totals"], shown(&totals), "[{}]", backend.name());
        let volunteers = volunteer::Entity::find().filter(volunteer::Column::CommunityId.eq(z)).count(&app.db).await.unwrap();
        assert_eq!(got["volunteers"].as_u64(), Some(volunteers));

        // And the fixture is the one meant: what was counted and what was not.
        let t = |a: i64, p: i64, h: f64, r: i64| json!({ "activities": a, "personTimes": p, "hours": h, "residentsServed": r });
        assert_eq!(
            got["byCategory"],
            json!([{ "category": "elder-care", "totals": t(2, 2, 1.25, 5) }, { "category": "sanitation", "totals": t(2, 4, 4.5, 40) }]),
            "[{}]",
            backend.name()
        );
        assert_eq!(
            got["byMonth"],
            json!([{ "month": "2025-01", "totals": t(2, 1, 1.0, 10) }, { "month": "2025-02", "totals": t(2, 5, 4.75, 35) }]),
            "[{}] 31 January 16:30 UTC is February in Beijing",
            backend.name()
        );
        assert_eq!(got["totals"], t(4, 6, 5.75, 45));
        assert_eq!(got["volunteers"], 4);
        // The street's figures include 梅岭's activity; a street admin asking for 竹园 sees the same.
        let street = app.ok(Some(&app.street_admin()), q, json!({ "c": zhuyuan })).await["volunteerStatistics"].clone();
        assert_eq!(street, got);
        let all = app.ok(Some(&app.street_admin()), q, json!({})).await;
        assert_eq!(all["volunteerStatistics"]["totals"], t(5, 7, 6.75, 145));
    }
}

both_backends! {
    async fn guessing_the_attendance_code_locks_the_guesser_out_until_a_new_code(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let starts = (Utc::now() - Duration::minutes(30)).to_rfc3339();
        let ends = (Utc::now() + Duration::hours(2)).to_rfc3339();
        let a = app.ok(Some(&staff), CREATE_ACTIVITY, json!({ "i": { "communityId": zhuyuan, "categoryId": category(&d, "sanitation"), "title": "河道清理", "place": "竹园溪", "startsAt": starts, "endsAt": ends, "capacity": 5 } })).await;
        let activity = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
        let (_, person) = volunteer(&app, &zhuyuan, "猜码者", json!({})).await;
        let me = app.token(Role::Member, &person);
        app.ok(Some(&me), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
        let issue = "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }";
        let code = app.ok(Some(&staff), issue, json!({ "i": { "activityId": activity } })).await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let check_in = "mutation($i: AttendanceInput!) { checkInAttendance(input: $i) { signUp { checkedInAt } } }";
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for _ in 0..20 {
            assert_eq!(
                refused(&app, Some(&me), check_in, json!({ "i": { "activityId": activity, "code": wrong } })).await,
                "BAD_USER_INPUT"
            );
        }
        // The twentieth wrong try locked the guesser out: the right code no longer works for them.
        let (_, body) = app.post(Some(&me), check_in, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "[{}] {body}", backend.name());
        // A new code from the organiser works, and starts a fresh count.
        let code = app.ok(Some(&staff), issue, json!({ "i": { "activityId": activity } })).await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let done = app.ok(Some(&me), check_in, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert!(done["checkInAttendance"]["signUp"]["checkedInAt"].is_string());
    }
}

both_backends! {
    async fn sixty_four_wrong_codes_at_once_lock_out_that_volunteer_after_exactly_twenty_and_nobody_else(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (zhuyuan, _, d) = ids(&app).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let starts = (Utc::now() - Duration::minutes(30)).to_rfc3339();
        let ends = (Utc::now() + Duration::hours(2)).to_rfc3339();
        let a = app.ok(Some(&staff), CREATE_ACTIVITY, json!({ "i": { "communityId": zhuyuan, "categoryId": category(&d, "sanitation"), "title": "河道清理", "place": "竹园溪", "startsAt": starts, "endsAt": ends, "capacity": 5 } })).await;
        let activity = a["createActivity"]["activity"]["id"].as_str().unwrap().to_owned();
        let (_, guesser) = volunteer(&app, &zhuyuan, "猜码者", json!({})).await;
        let (_, honest) = volunteer(&app, &zhuyuan, "守信者", json!({})).await;
        let guesser = app.token(Role::Member, &guesser);
        let honest = app.token(Role::Member, &honest);
        app.ok(Some(&guesser), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
        app.ok(Some(&honest), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
        let issue = "mutation($i: IssueAttendanceCodeInput!) { issueAttendanceCode(input: $i) { code } }";
        let code = app.ok(Some(&staff), issue, json!({ "i": { "activityId": activity } })).await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        let tries = (0..64).map(|_| app.post(Some(&guesser), CHECK_IN, json!({ "i": { "activityId": activity, "code": wrong } })));
        let answers = futures_util::future::join_all(tries).await;
        let mut wrongs = 0;
        let mut locked = 0;
        for (_, body) in &answers {
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "[{}] {body}", backend.name());
            let message = body["errors"][0]["message"].as_str().unwrap_or_default();
            if message.contains("wrong or has expired") {
                wrongs += 1;
            } else if message.contains("locked out") {
                locked += 1;
            } else {
                panic!("[{}] unexpected refusal: {body}", backend.name());
            }
        }
        assert_eq!((wrongs, locked), (20, 44), "[{}] exactly twenty wrong tries are counted", backend.name());
        // Locked out: the right code no longer works for the guesser ...
        let (_, body) = app.post(Some(&guesser), CHECK_IN, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("locked out"), "[{}] {body}", backend.name());
        // ... but another volunteer checks in with it.
        let done = app.ok(Some(&honest), CHECK_IN, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert!(done["checkInAttendance"]["signUp"]["checkedInAt"].is_string());
        // A new code lifts the lock.
        let code = app.ok(Some(&staff), issue, json!({ "i": { "activityId": activity } })).await["issueAttendanceCode"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let done = app.ok(Some(&guesser), CHECK_IN, json!({ "i": { "activityId": activity, "code": code } })).await;
        assert!(done["checkInAttendance"]["signUp"]["checkedInAt"].is_string());
    }
}
