//! Buildings and lanes (楼栋 / 街巷) of a compound, each with a label and a households count.

use chrono::Utc;
use entity::building::{self, BuildingKind};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::lock_compound;
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::BuildingId;
use crate::home::visibility;
use crate::organisation::ids::CompoundId;
use crate::validate::clean_name;
use crate::write::{Audit, Write};

/// Most households one building or lane may count.
pub const MAX_HOUSEHOLDS: i32 = 10_000;

/// A building or lane to add.
pub struct NewBuilding {
    pub compound_id: CompoundId,
    pub kind: BuildingKind,
    pub label: String,
    pub households: i32,
}

/// Adds a building or lane to a compound (community staff).
pub async fn add_building(cx: &Cx, input: NewBuilding) -> AppResult<building::Model> {
    cx.scope.require_authenticated()?;
    let label = clean_name("label", &input.label, 50)?;
    let households = check_households(input.households)?;
    let w = Write::begin(cx).await?;
    let compound = lock_compound(&w, input.compound_id).await?;
    cx.scope.require_staff(compound.community_id, "add buildings and lanes")?;
    let model = building::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(compound.community_id),
        compound_id: Set(compound.id),
        kind: Set(input.kind),
        label: Set(label),
        households: Set(households),
        version: Set(1),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await
    .map_err(|e| crate::db::conflict_on_unique(e, "the compound already has a building or lane with this label"))?;
    w.commit(
        Audit::new("addBuilding", "Building")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "label": model.label, "kind": model.kind.to_value(), "households": model.households })),
    )
    .await?;
    Ok(model)
}

/// Changes to a building or lane.
pub struct BuildingChanges {
    pub label: Option<String>,
    pub households: Option<i32>,
    pub expected_version: Option<i32>,
}

fn check_households(households: i32) -> AppResult<i32> {
    if !(0..=MAX_HOUSEHOLDS).contains(&households) {
        return Err(AppError::bad_input("households", format!("households must be between 0 and {MAX_HOUSEHOLDS}")));
    }
    Ok(households)
}

/// Renames a building or lane or corrects its households count (community staff).
pub async fn update_building(cx: &Cx, id: BuildingId, changes: BuildingChanges) -> AppResult<building::Model> {
    cx.scope.require_authenticated()?;
    let label = changes.label.as_deref().map(|l| clean_name("label", l, 50)).transpose()?;
    let households = changes.households.map(check_households).transpose()?;
    let w = Write::begin(cx).await?;
    let current = w
        .lock(building::Entity::find_by_id(id.0).filter(visibility::structure_filter(&cx.scope, building::Column::CommunityId)))
        .await?
        .ok_or_else(|| AppError::not_found("building"))?;
    cx.scope.require_staff(current.community_id, "change buildings and lanes")?;
    Write::expect_version(changes.expected_version, current.version)?;
    let (building_id, version) = (current.id, current.version);
    let mut row: building::ActiveModel = current.into();
    if let Some(label) = label {
        row.label = Set(label);
    }
    if let Some(households) = households {
        row.households = Set(households);
    }
    row.version = Set(version + 1);
    let written = building::Entity::update_many()
        .set(row)
        .filter(building::Column::Id.eq(building_id))
        .filter(building::Column::Version.eq(version))
        .exec(w.txn())
        .await
        .map_err(|e| crate::db::conflict_on_unique(e, "the compound already has a building or lane with this label"))?;
    if written.rows_affected == 0 {
        return Err(AppError::Conflict("the building was changed concurrently; read it again and retry".into()));
    }
    let model =
        building::Entity::find_by_id(building_id).one(w.txn()).await?.ok_or_else(|| AppError::internal("updated building vanished"))?;
    w.commit(
        Audit::new("updateBuilding", "Building")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "label": model.label, "households": model.households })),
    )
    .await?;
    Ok(model)
}
