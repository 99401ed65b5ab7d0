//! Buildings and lanes (楼栋 / 街巷) of a compound, each with a label and a households count.

use chrono::Utc;
use entity::building::{self, BuildingKind};
use sea_orm::{ActiveEnum, ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::lock_compound;
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
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
    if !(0..=MAX_HOUSEHOLDS).contains(&input.households) {
        return Err(AppError::bad_input("households", format!("households must be between 0 and {MAX_HOUSEHOLDS}")));
    }
    let w = Write::begin(cx).await?;
    let compound = lock_compound(&w, input.compound_id).await?;
    cx.scope.require_staff(compound.community_id, "add buildings and lanes")?;
    let model = building::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(compound.community_id),
        compound_id: Set(compound.id),
        kind: Set(input.kind),
        label: Set(label),
        households: Set(input.households),
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
