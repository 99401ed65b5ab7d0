//! Helpers for collaboration tests: creating and assigning tasks through the API, forcing states
//! for the transition table, reading stored rows. The fixtures themselves live in `fixtures.rs`.

use entity::{assignment, task};
use gongzhi::auth::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{TestApp, decode};

pub const CREATE_TASK: &str = "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id status version } } }";
pub const ASSIGN: &str =
    "mutation($i: AssignTaskInput!) { assignTask(input: $i) { task { id status version } assignment { id status version } } }";

/// Creates a task in `community` as its staff; returns its id.
pub async fn task(app: &TestApp, community_code: &str, community_id: &str, title: &str, due: Option<&str>) -> String {
    let staff = app.token(Role::CommunityStaff, community_code);
    let mut input = json!({ "communityId": community_id, "title": title, "category": "STALL_SPRAWL", "description": "占道摆摊" });
    if let Some(d) = due {
        input["dueAt"] = json!(d);
    }
    let data = app.ok(Some(&staff), CREATE_TASK, json!({ "i": input })).await;
    data["createTask"]["task"]["id"].as_str().unwrap().to_owned()
}

/// Assigns a share; returns the share's id.
pub async fn assign(app: &TestApp, community_code: &str, task: &str, unit: &str, role: &str) -> String {
    let staff = app.token(Role::CommunityStaff, community_code);
    let data = app.ok(Some(&staff), ASSIGN, json!({ "i": { "taskId": task, "unitId": unit, "role": role } })).await;
    data["assignTask"]["assignment"]["id"].as_str().unwrap().to_owned()
}

/// Puts a task and one share directly into the given states (for the transition table).
pub async fn force(app: &TestApp, task_id: &str, status: task::TaskStatus, share_id: &str, share: assignment::AssignmentStatus) {
    let t = decode(task_id).unwrap().1;
    let s = decode(share_id).unwrap().1;
    task::Entity::update_many()
        .col_expr(task::Column::Status, Expr::value(sea_orm::ActiveEnum::to_value(&status)))
        .col_expr(task::Column::Level, Expr::value(sea_orm::ActiveEnum::to_value(&task::TaskLevel::Community)))
        .filter(task::Column::Id.eq(t))
        .exec(&app.db)
        .await
        .unwrap();
    assignment::Entity::update_many()
        .col_expr(assignment::Column::Status, Expr::value(sea_orm::ActiveEnum::to_value(&share)))
        .filter(assignment::Column::Id.eq(s))
        .exec(&app.db)
        .await
        .unwrap();
    // Other shares (from earlier assignTask calls) go away.
    assignment::Entity::delete_many()
        .filter(assignment::Column::TaskId.eq(t))
        .filter(assignment::Column::Id.ne(s))
        .exec(&app.db)
        .await
        .unwrap();
}

/// The task row as stored.
pub async fn stored(app: &TestApp, task_id: &str) -> task::Model {
    task::Entity::find_by_id(decode(task_id).unwrap().1).one(&app.db).await.unwrap().unwrap()
}

/// The share row as stored.
pub async fn stored_share(app: &TestApp, id: &str) -> assignment::Model {
    assignment::Entity::find_by_id(decode(id).unwrap().1).one(&app.db).await.unwrap().unwrap()
}

pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK")
}

pub fn uuid(id: &str) -> Uuid {
    decode(id).unwrap().1
}
