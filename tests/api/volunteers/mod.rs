//! The volunteer service: check-in rules, capacity under concurrency, attendance and hours,
//! matching, statistics from the records, scope, and flat statement counts.

use chrono::{Duration, Utc};
use entity::{activity, sign_up, volunteer};
use gongzhi::auth::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::audit::{audited, refused};
use crate::fixtures::{Community, Fixture};
use crate::support::{Content, TestApp, decode};

mod activities;
mod attendance;
mod categories;
mod check_ins;
mod demands;
mod matching;
mod organisers;
mod registration;
mod stats;

const REGISTER: &str = "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { volunteer { id person { id uuid } } } }";
const CREATE_ACTIVITY: &str = "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id } } }";
const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { signUp { id status } } }";

/// The service categories (they come with the schema), for `category(&d, code)`.
async fn categories(app: &TestApp) -> Value {
    app.ok(Some(&app.street_admin()), "{ serviceCategories { id code } }", json!({})).await
}

fn category(d: &Value, code: &str) -> String {
    d["serviceCategories"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["id"].as_str().unwrap().to_owned()
}

/// Registers a new volunteer in `community` with a profile; returns (volunteer id, person id).
async fn volunteer(app: &TestApp, community: &Community, name: &str, profile: Value) -> (String, String) {
    let v = Fixture::volunteer_with(app, community, name, profile).await;
    (v.id, v.person)
}

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

/// The member checks in to `community` and its staff approve; returns the check-in's id.
async fn checked_in(app: &TestApp, person: uuid::Uuid, community: &Community) -> String {
    let me = app.token(Role::Member, &person.to_string());
    let r = app
        .ok(
            Some(&me),
            REQUEST_CHECK_IN,
            json!({ "i": { "communityId": community.id, "workUnit": "晋江市税务局", "organizationRelation": "晋江市税务局机关党委" } }),
        )
        .await;
    let id = r["requestCheckIn"]["checkIn"]["id"].as_str().unwrap().to_owned();
    app.ok(
        Some(&community.staff(app)),
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

/// The volunteers suggested for `demand` of `community`, as its staff see them.
async fn suggested(app: &TestApp, community: &Community, demand: &str) -> Vec<String> {
    let q = "query($id: ID!) { node(id: $id) { ... on Demand { suggestedVolunteers(first: 50) { volunteer { id } } } } }";
    let s = app.ok(Some(&community.staff(app)), q, json!({ "id": demand })).await;
    s["node"]["suggestedVolunteers"].as_array().unwrap().iter().map(|x| x["volunteer"]["id"].as_str().unwrap().to_owned()).collect()
}
