//! Property-fee arrears help (物业费催缴) of a compound: a case per household that owes fees,
//! named by its building (or lane) and door only, never by a person; the amount owed in whole fen
//! and since when; the contact attempts made (visits, calls, notices); and the outcome reached.
//! Worked by community staff, the compound's owners' committee in office, and the active leader
//! of the case's building (for their building only).
//!
//! ```text
//!  OPEN --> PAID | PLAN_AGREED | REFUSED | ESCALATED      (setArrearsOutcome)
//!  PLAN_AGREED, REFUSED, ESCALATED --> any other outcome   (a plan broken, a refusal reconsidered)
//!  PAID: closed for good; no outcome and no contact any more
//! ```
//!
//! One case per door not yet paid (a unique partial index behind a check); a household that pays
//! and falls behind again gets a new case. Contacts are append-only.

use chrono::{NaiveDate, Utc};
use entity::arrears_case::{self, ArrearsRole, ArrearsStatus};
use entity::arrears_contact::{self, ContactChannel};
use entity::building;
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{beijing_today, lock_compound, parse_fen, roles};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::{ArrearsCaseId, BuildingId};
use crate::home::visibility::{Acting, Roles, acting, arrears_filter};
use crate::organisation::ids::CompoundId;
use crate::validate::{check_date, clean_name, clean_optional};
use crate::write::{Audit, Write};

/// Longest door text (门牌, e.g. "2单元301").
pub const MAX_ARREARS_DOOR: usize = 20;

const ONE_UNPAID: &str = "this door already has an arrears case not yet paid: record contacts and outcomes on it";

/// A case to open.
pub struct NewArrearsCase {
    pub compound_id: CompoundId,
    pub building_id: BuildingId,
    pub door: String,
    /// As sent; whole fen, positive.
    pub amount: String,
    pub owed_since: NaiveDate,
    pub note: Option<String>,
}

/// A contact attempt to record.
pub struct NewArrearsContact {
    pub case_id: ArrearsCaseId,
    /// Today (Beijing) when not given.
    pub contacted_on: Option<NaiveDate>,
    pub channel: ContactChannel,
    pub result: String,
}

/// An outcome to set, with what goes with it.
pub struct NewArrearsOutcome {
    /// Any status but OPEN.
    pub outcome: ArrearsStatus,
    pub note: Option<String>,
    /// The plan agreed: required with PLAN_AGREED, refused with any other outcome.
    pub plan: Option<String>,
    /// Why and to whom it is escalated: required with ESCALATED, refused with any other outcome.
    pub reason: Option<String>,
    pub expected_version: Option<i32>,
}

/// Who works arrears: community staff, the compound's owners' committee, the building's leader.
fn worker(who: Option<Acting>) -> AppResult<ArrearsRole> {
    match who {
        Some(Acting::Staff) => Ok(ArrearsRole::CommunityStaff),
        Some(Acting::OwnersCommittee) => Ok(ArrearsRole::OwnersCommittee),
        Some(Acting::BuildingLeader) => Ok(ArrearsRole::BuildingLeader),
        Some(Acting::Broker) | None => Err(AppError::Forbidden(
            "arrears cases are worked by community staff, the compound's owners' committee and the building's leader".into(),
        )),
    }
}

/// Whether a case that is `from` may be given the outcome `to`: any outcome but the one it has,
/// from any status but PAID; never back to OPEN.
pub fn arrears_transition(from: ArrearsStatus, to: ArrearsStatus) -> bool {
    from != ArrearsStatus::Paid && to != ArrearsStatus::Open && to != from
}

/// A day of the past or today, within the window of [`check_date`].
fn not_after_today(field: &str, day: NaiveDate) -> AppResult<NaiveDate> {
    let day = check_date(field, day)?;
    if day > beijing_today() {
        return Err(AppError::bad_input(field, format!("`{field}` must not be in the future")));
    }
    Ok(day)
}

/// Opens an arrears case for a door of a building of the compound (community staff, its owners'
/// committee, or the building's leader).
pub async fn open_case(cx: &Cx, input: NewArrearsCase) -> AppResult<arrears_case::Model> {
    cx.scope.require_authenticated()?;
    let door = clean_name("door", &input.door, MAX_ARREARS_DOOR)?;
    let amount_owed_fen = parse_fen("amountOwedFen", &input.amount)?;
    let owed_since = not_after_today("owedSince", input.owed_since)?;
    let note = clean_optional("note", input.note, 500)?;
    let w = Write::begin(cx).await?;
    let compound = lock_compound(&w, input.compound_id).await?;
    let building = building::Entity::find_by_id(input.building_id.0)
        .filter(building::Column::CommunityId.eq(compound.community_id))
        .filter(building::Column::CompoundId.eq(compound.id))
        .one(w.txn())
        .await?
        .ok_or_else(|| AppError::bad_input("buildingId", "no such building or lane in this compound"))?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let opened_as = worker(acting(&cx.scope, &roles, compound.community_id, compound.id, Some(building.id), None))?;
    let unpaid = arrears_case::Entity::find()
        .filter(arrears_case::Column::CommunityId.eq(compound.community_id))
        .filter(arrears_case::Column::BuildingId.eq(building.id))
        .filter(arrears_case::Column::Door.eq(door.clone()))
        .filter(arrears_case::Column::Status.ne(ArrearsStatus::Paid))
        .count(w.txn())
        .await?;
    if unpaid > 0 {
        return Err(AppError::Conflict(ONE_UNPAID.into()));
    }
    let now = Utc::now();
    let model = arrears_case::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(compound.community_id),
        compound_id: Set(compound.id),
        building_id: Set(building.id),
        door: Set(door),
        amount_owed_fen: Set(amount_owed_fen),
        owed_since: Set(owed_since),
        status: Set(ArrearsStatus::Open),
        plan: Set(None),
        escalation_reason: Set(None),
        note: Set(note),
        outcome_note: Set(None),
        outcome_at: Set(None),
        opened_as: Set(opened_as),
        created_by: Set(cx.scope.label().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(w.txn())
    .await
    .map_err(|e| crate::db::conflict_on_unique(e, ONE_UNPAID))?;
    // No door in the audit log: the case's id leads to it for those who may see it.
    w.commit(Audit::new("openArrearsCase", "ArrearsCase").object(model.id).community(model.community_id).summary(json!({
        "compoundId": model.compound_id,
        "buildingId": model.building_id,
        "amountOwedFen": model.amount_owed_fen,
        "openedAs": model.opened_as.to_value(),
    })))
    .await?;
    Ok(model)
}

/// Locks a case the caller sees, and says who the caller acts as on it; `NOT_FOUND` when it is
/// not seen, `FORBIDDEN` when it is seen but not worked by the caller.
async fn lock_case(w: &Write<'_>, id: ArrearsCaseId, roles: &Roles) -> AppResult<(arrears_case::Model, ArrearsRole)> {
    let scope = &w.cx().scope;
    let case = w
        .lock(arrears_case::Entity::find_by_id(id.0).filter(arrears_filter(scope, roles)))
        .await?
        .ok_or_else(|| AppError::not_found("arrears case"))?;
    let who = worker(acting(scope, roles, case.community_id, case.compound_id, Some(case.building_id), None))?;
    Ok((case, who))
}

/// Refuses `action` on a case that is `status`, naming both.
fn illegal(action: &str, status: ArrearsStatus) -> AppError {
    AppError::BadInput { message: format!("cannot {action} an arrears case that is {}", status.to_value()), field: Some("status".into()) }
}

/// Records a contact attempt on a case not yet paid. Returns the case and the contact.
pub async fn record_contact(cx: &Cx, input: NewArrearsContact) -> AppResult<(arrears_case::Model, arrears_contact::Model)> {
    cx.scope.require_authenticated()?;
    let contacted_on = not_after_today("contactedOn", input.contacted_on.unwrap_or_else(beijing_today))?;
    let result = clean_name("result", &input.result, 500)?;
    let w = Write::begin(cx).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let (case, recorded_as) = lock_case(&w, input.case_id, &roles).await?;
    if case.status == ArrearsStatus::Paid {
        return Err(illegal("recordArrearsContact", case.status));
    }
    let contact = arrears_contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(case.community_id),
        case_id: Set(case.id),
        compound_id: Set(case.compound_id),
        building_id: Set(case.building_id),
        contacted_on: Set(contacted_on),
        channel: Set(input.channel),
        result: Set(result),
        recorded_by: Set(cx.scope.label().to_owned()),
        recorded_as: Set(recorded_as),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await?;
    w.commit(Audit::new("recordArrearsContact", "ArrearsContact").object(contact.id).community(contact.community_id).summary(json!({
        "caseId": case.id,
        "channel": contact.channel.to_value(),
        "contactedOn": contact.contacted_on,
        "recordedAs": contact.recorded_as.to_value(),
    })))
    .await?;
    Ok((case, contact))
}

/// The text that goes with one outcome only: required with it, refused with any other.
fn only_with(field: &str, value: Option<String>, needed: bool, outcome: &str) -> AppResult<Option<String>> {
    let value = clean_optional(field, value, 500)?;
    match (needed, value) {
        (true, None) => Err(AppError::bad_input(field, format!("`{field}` is required with {outcome}"))),
        (false, Some(_)) => Err(AppError::bad_input(field, format!("`{field}` goes with {outcome} only"))),
        (_, value) => Ok(value),
    }
}

/// Sets a case's outcome: PAID (final), PLAN_AGREED with the plan, REFUSED, or ESCALATED with
/// the reason. `BAD_USER_INPUT` on `status` when the rule of [`arrears_transition`] refuses it.
pub async fn set_outcome(cx: &Cx, id: ArrearsCaseId, input: NewArrearsOutcome) -> AppResult<arrears_case::Model> {
    cx.scope.require_authenticated()?;
    if input.outcome == ArrearsStatus::Open {
        return Err(AppError::bad_input("outcome", "an outcome is PAID, PLAN_AGREED, REFUSED or ESCALATED"));
    }
    let plan = only_with("plan", input.plan, input.outcome == ArrearsStatus::PlanAgreed, "PLAN_AGREED")?;
    let reason = only_with("reason", input.reason, input.outcome == ArrearsStatus::Escalated, "ESCALATED")?;
    let note = clean_optional("note", input.note, 500)?;
    let w = Write::begin(cx).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let (current, _) = lock_case(&w, id, &roles).await?;
    Write::expect_version(input.expected_version, current.version)?;
    if !arrears_transition(current.status, input.outcome) {
        return Err(illegal(&format!("set the outcome {} on", input.outcome.to_value()), current.status));
    }
    let now = Utc::now();
    let mut row: arrears_case::ActiveModel = current.clone().into();
    row.status = Set(input.outcome);
    row.plan = Set(plan);
    row.escalation_reason = Set(reason);
    row.outcome_note = Set(note);
    row.outcome_at = Set(Some(now));
    row.version = Set(current.version + 1);
    row.updated_at = Set(now);
    let model = crate::db::guarded_update::<arrears_case::Entity, _>(
        w.txn(),
        row,
        arrears_case::Column::Id,
        arrears_case::Column::Version,
        current.id,
        current.version,
    )
    .await?;
    w.commit(
        Audit::new("setArrearsOutcome", "ArrearsCase")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "from": current.status.to_value(), "to": model.status.to_value() })),
    )
    .await?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    #[test]
    fn paid_is_final_open_is_never_an_outcome_and_an_outcome_changes() {
        use ArrearsStatus::*;
        for from in ArrearsStatus::iter() {
            for to in ArrearsStatus::iter() {
                let expected = from != Paid && to != Open && to != from;
                assert_eq!(arrears_transition(from, to), expected, "{from:?} -> {to:?}");
            }
        }
        assert!(arrears_transition(Open, Paid));
        assert!(arrears_transition(PlanAgreed, Escalated), "a plan broken");
        assert!(arrears_transition(Refused, PlanAgreed), "a refusal reconsidered");
        assert!(arrears_transition(Escalated, Paid));
        for to in [Open, PlanAgreed, Refused, Escalated] {
            assert!(!arrears_transition(Paid, to), "a paid case stays paid: {to:?}");
        }
        assert!(!arrears_transition(Refused, Open));
    }

    #[test]
    fn arrears_are_worked_by_staff_the_committee_and_the_buildings_leader() {
        assert_eq!(worker(Some(Acting::Staff)).ok(), Some(ArrearsRole::CommunityStaff));
        assert_eq!(worker(Some(Acting::OwnersCommittee)).ok(), Some(ArrearsRole::OwnersCommittee));
        assert_eq!(worker(Some(Acting::BuildingLeader)).ok(), Some(ArrearsRole::BuildingLeader));
        for who in [Some(Acting::Broker), None] {
            assert!(matches!(worker(who), Err(AppError::Forbidden(_))), "{who:?}");
        }
    }

    #[test]
    fn a_plan_goes_with_plan_agreed_and_a_reason_with_escalated() {
        assert_eq!(only_with("plan", Some(" 分三期 ".into()), true, "PLAN_AGREED").ok(), Some(Some("分三期".into())));
        assert_eq!(only_with("plan", None, false, "PLAN_AGREED").ok(), Some(None));
        for (value, needed) in [(None, true), (Some("  ".to_owned()), true), (Some("分三期".to_owned()), false)] {
            let refused = only_with("plan", value.clone(), needed, "PLAN_AGREED");
            assert!(matches!(&refused, Err(AppError::BadInput { field: Some(f), .. }) if f == "plan"), "{value:?} {needed}: {refused:?}");
        }
    }
}
