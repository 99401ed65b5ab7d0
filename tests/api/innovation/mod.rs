//! Innovation-case selection: who may score what, one score per reviewer and case under
//! concurrency, a stable ranking, publication on closing, audit records and flat statement counts.

use gongzhi::auth::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::audit::{audited, refused};
use crate::fixtures::Fixture;
use crate::support::{Content, TestApp, decode};

mod demo;
mod fixtures;
mod ranking;
mod scoring;
mod submitting;

pub use fixtures::*;

/// The error code of a response, or `OK`.
fn outcome(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK").to_owned()
}

fn uuid_of(id: &str) -> uuid::Uuid {
    decode(id).unwrap().1
}

async fn scores_of(app: &TestApp, case: &str) -> Vec<entity::case_score::Model> {
    entity::case_score::Entity::find().filter(entity::case_score::Column::CaseId.eq(uuid_of(case))).all(&app.db).await.unwrap()
}
