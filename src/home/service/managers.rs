//! Property managers (物业): a company or the owners' self-management group (物业自治小组). One
//! contract runs per compound; a new manager ends the old contract on the day the new one begins,
//! and the management mode follows the manager in charge.

use chrono::{NaiveDate, Utc};
use entity::property_manager::{self, ManagerKind};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{Expected, check_term, lock_compound};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::PropertyManagerId;
use crate::organisation::ids::CompoundId;
use crate::validate::clean_name;
use crate::write::{Audit, Write};

/// Highest property fee per m² and month, in fen (1,000 yuan): anything above is a typing mistake.
pub const MAX_FEE_RATE_FEN: i64 = 100_000;

/// How a compound is managed, following the manager in charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagementMode {
    /// A property management company.
    Company,
    /// The owners themselves, through their self-management group.
    OwnerSelfManagement,
    /// Nobody is in charge.
    None,
}

/// The management mode a manager in charge (or none) gives.
pub fn management_mode(manager: Option<&property_manager::Model>) -> ManagementMode {
    match manager.map(|m| m.kind) {
        Some(ManagerKind::Company) => ManagementMode::Company,
        Some(ManagerKind::SelfManagementGroup) => ManagementMode::OwnerSelfManagement,
        None => ManagementMode::None,
    }
}

/// A new manager's contract.
pub struct NewManager {
    pub compound_id: CompoundId,
    pub kind: ManagerKind,
    pub name: String,
    pub contract_start: NaiveDate,
    pub contract_end: Option<NaiveDate>,
    pub fee_rate_fen: i64,
    /// The manager in charge the caller read.
    pub replaces: Expected<PropertyManagerId>,
}

fn check_fee(fee: i64) -> AppResult<i64> {
    if !(0..=MAX_FEE_RATE_FEN).contains(&fee) {
        return Err(AppError::bad_input("feeRateFen", format!("the fee rate is 0 to {MAX_FEE_RATE_FEN} fen per m² and month")));
    }
    Ok(fee)
}

/// Ends the contract in charge of a compound on `day`, inside the caller's write.
async fn end_current(w: &Write<'_>, current: property_manager::Model, day: NaiveDate) -> AppResult<property_manager::Model> {
    if day < current.contract_start {
        return Err(AppError::bad_input("contractStart", "a contract cannot end before it began"));
    }
    let (id, version) = (current.id, current.version);
    let mut row: property_manager::ActiveModel = current.into();
    row.ended_on = Set(Some(day));
    row.version = Set(version + 1);
    crate::db::guarded_update::<property_manager::Entity, _>(
        w.txn(),
        row,
        property_manager::Column::Id,
        property_manager::Column::Version,
        id,
        version,
    )
    .await
}

/// Puts a new property manager in charge of a compound (community staff): the contract in charge,
/// if any, ends on the day the new one begins; never two at once.
pub async fn change_manager(cx: &Cx, input: NewManager) -> AppResult<(property_manager::Model, Option<property_manager::Model>)> {
    cx.scope.require_authenticated()?;
    let name = clean_name("name", &input.name, 100)?;
    check_term("contractStart", input.contract_start, "contractEnd", input.contract_end)?;
    let fee = check_fee(input.fee_rate_fen)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let compound = lock_compound(&w, input.compound_id).await?;
    cx.scope.require_staff(compound.community_id, "change property managers")?;
    let current = property_manager::Entity::find()
        .filter(property_manager::Column::CommunityId.eq(compound.community_id))
        .filter(property_manager::Column::CompoundId.eq(compound.id))
        .filter(property_manager::Column::EndedOn.is_null())
        .one(txn)
        .await?;
    input.replaces.check(current.as_ref().map(|m| PropertyManagerId(m.id)), "property manager in charge")?;
    let ended = match current {
        Some(old) => Some(end_current(&w, old, input.contract_start).await?),
        None => None,
    };
    let model = property_manager::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(compound.community_id),
        compound_id: Set(compound.id),
        kind: Set(input.kind),
        name: Set(name),
        contract_start: Set(input.contract_start),
        contract_end: Set(input.contract_end),
        ended_on: Set(None),
        fee_rate_fen: Set(fee),
        version: Set(1),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await
    .map_err(|e| {
        crate::db::conflict_on_unique(e, "another property manager was put in charge at the same time; read it again and retry")
    })?;
    w.commit(Audit::new("changePropertyManager", "PropertyManager").object(model.id).community(model.community_id).summary(json!({
        "compoundId": model.compound_id,
        "kind": model.kind.to_value(),
        "name": model.name,
        "contractStart": model.contract_start,
        "feeRateFen": model.fee_rate_fen,
        "ended": ended.as_ref().map(|e| e.id),
    })))
    .await?;
    Ok((model, ended))
}

/// Ends the contract of the manager in charge without a successor (community staff): the
/// compound is then managed by nobody (mode `NONE`) until a new manager is put in charge.
pub async fn end_management(
    cx: &Cx,
    id: PropertyManagerId,
    ended_on: NaiveDate,
    expected: Option<i32>,
) -> AppResult<property_manager::Model> {
    cx.scope.require_authenticated()?;
    crate::validate::check_date("endedOn", ended_on)?;
    let w = Write::begin(cx).await?;
    let current = w
        .lock(
            property_manager::Entity::find_by_id(id.0)
                .filter(crate::home::visibility::structure_filter(&cx.scope, property_manager::Column::CommunityId)),
        )
        .await?
        .ok_or_else(|| AppError::not_found("property manager"))?;
    cx.scope.require_staff(current.community_id, "end property management")?;
    Write::expect_version(expected, current.version)?;
    if current.ended_on.is_some() {
        return Err(AppError::bad_input("id", "this contract has already ended"));
    }
    let ended = end_current(&w, current, ended_on).await.map_err(|e| match e {
        AppError::BadInput { .. } => AppError::bad_input("endedOn", "a contract cannot end before it began"),
        other => other,
    })?;
    w.commit(
        Audit::new("endPropertyManagement", "PropertyManager")
            .object(ended.id)
            .community(ended.community_id)
            .summary(json!({ "compoundId": ended.compound_id, "endedOn": ended.ended_on })),
    )
    .await?;
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(kind: ManagerKind) -> property_manager::Model {
        let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        property_manager::Model {
            id: Uuid::now_v7(),
            community_id: Uuid::now_v7(),
            compound_id: Uuid::now_v7(),
            kind,
            name: "物业".into(),
            contract_start: day,
            contract_end: None,
            ended_on: None,
            fee_rate_fen: 150,
            version: 1,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn the_management_mode_follows_the_manager_in_charge() {
        assert_eq!(management_mode(Some(&contract(ManagerKind::Company))), ManagementMode::Company);
        assert_eq!(management_mode(Some(&contract(ManagerKind::SelfManagementGroup))), ManagementMode::OwnerSelfManagement);
        assert_eq!(management_mode(None), ManagementMode::None);
    }

    #[test]
    fn fee_rates_are_whole_fen_within_bounds() {
        assert_eq!(check_fee(0).ok(), Some(0));
        assert_eq!(check_fee(MAX_FEE_RATE_FEN).ok(), Some(MAX_FEE_RATE_FEN));
        assert!(check_fee(-1).is_err());
        assert!(check_fee(MAX_FEE_RATE_FEN + 1).is_err());
        assert!(check_fee(i64::MAX).is_err());
    }
}
