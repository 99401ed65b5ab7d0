//! Categories of the demand list: read by everyone signed in, managed by street administrators.

use chrono::Utc;
use entity::service_category;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::cx::Cx;
use crate::db::conflict_on_unique;
use crate::error::{AppError, AppResult};
use crate::validate::clean_name;
use crate::volunteers::ids::CategoryId;
use crate::write::{Audit, Write};

/// Categories, the retired ones too when asked.
pub async fn categories(cx: &Cx, include_retired: bool) -> AppResult<Vec<service_category::Model>> {
    cx.scope.require_authenticated()?;
    let mut select = service_category::Entity::find().order_by_asc(service_category::Column::Id);
    if !include_retired {
        select = select.filter(service_category::Column::RetiredAt.is_null());
    }
    Ok(select.all(&cx.db).await?)
}

/// Adds a category (street admins).
pub async fn create_category(cx: &Cx, code: &str, name: &str) -> AppResult<service_category::Model> {
    cx.scope.require_street_admin("service categories")?;
    let code = code.trim().to_ascii_lowercase();
    if code.is_empty() || code.len() > 64 || !code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(AppError::bad_input("code", "a code has 1 to 64 lowercase letters, digits and dashes"));
    }
    let name = clean_name("name", name, 50)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let model = service_category::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        retired_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "a category with this code exists"))?;
    w.commit(
        Audit::new("createServiceCategory", "ServiceCategory").object(model.id).summary(json!({ "code": model.code, "name": model.name })),
    )
    .await?;
    Ok(model)
}

/// Retires a category: kept for history, no longer offered (street admins).
pub async fn retire_category(cx: &Cx, id: CategoryId) -> AppResult<service_category::Model> {
    cx.scope.require_street_admin("service categories")?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = service_category::Entity::find_by_id(id.0).one(txn).await?.ok_or_else(|| AppError::not_found("category"))?;
    if current.retired_at.is_some() {
        return Err(AppError::Conflict("the category is already retired".into()));
    }
    let mut m: service_category::ActiveModel = current.into();
    m.retired_at = Set(Some(Utc::now()));
    let model = m.update(txn).await?;
    w.commit(Audit::new("retireServiceCategory", "ServiceCategory").object(model.id).summary(json!({ "code": model.code }))).await?;
    Ok(model)
}

pub(super) async fn active_category(db: &impl ConnectionTrait, id: CategoryId, field: &str) -> AppResult<service_category::Model> {
    match service_category::Entity::find_by_id(id.0).one(db).await? {
        Some(c) if c.retired_at.is_none() => Ok(c),
        Some(_) => Err(AppError::bad_input(field, "the category is retired")),
        None => Err(AppError::bad_input(field, "no such category")),
    }
}
