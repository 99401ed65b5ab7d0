//! Attendance: one-time codes, check-in and check-out (by the organiser or with the code), residents served and service records.

use chrono::{DateTime, Duration, Utc};
use entity::activity;
use entity::sign_up::{self, SignUpStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::activities::{lock_activity, not_cancelled};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::PersonId;
use crate::volunteers::ids::{ActivityId, SignUpId};
use crate::volunteers::visibility::sign_up_filter;
use crate::write::{Audit, Write};

fn hash_code(activity: Uuid, code: &str) -> String {
    Sha256::digest(format!("{activity}:{}", code.trim()).as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Issues a one-time attendance code for an activity (staff), valid two hours.
pub async fn issue_code(cx: &Cx, activity_id: ActivityId) -> AppResult<(activity::Model, String)> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let a = lock_activity(&w, activity_id).await?;
    cx.scope.require_staff(a.community_id, "issue attendance codes")?;
    not_cancelled(&a)?;
    let code = format!("{:06}", rand::random_range(0..1_000_000u32));
    let mut m: activity::ActiveModel = a.clone().into();
    m.code_hash = Set(Some(hash_code(a.id, &code)));
    m.code_expires_at = Set(Some(Utc::now() + Duration::hours(2)));
    m.version = Set(a.version + 1);
    let model = m.update(txn).await?;
    // A new code: every volunteer locked out of the old one may try again.
    sign_up::Entity::update_many()
        .col_expr(sign_up::Column::CodeFailures, Expr::value(0))
        .filter(sign_up::Column::CommunityId.eq(model.community_id))
        .filter(sign_up::Column::ActivityId.eq(model.id))
        .filter(sign_up::Column::CodeFailures.gt(0))
        .exec(txn)
        .await?;
    w.commit(
        Audit::new("issueAttendanceCode", "Activity")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "expiresAt": model.code_expires_at })),
    )
    .await?;
    Ok((model, code))
}

/// Wrong codes one volunteer may try against an activity's current code; after them that
/// volunteer is locked out until the organiser issues a new code. Six digits cannot be guessed
/// in so few tries, and one volunteer's guesses lock nobody else out.
const MAX_CODE_FAILURES: i32 = 20;

fn locked_out() -> AppError {
    AppError::bad_input("code", "too many wrong codes: you are locked out of this code; ask the organiser for a new one")
}

/// Counts a wrong code against the volunteer's sign-up and answers the refusal. The count is
/// one conditional update, so that however many tries arrive at once, exactly
/// [`MAX_CODE_FAILURES`] are counted (and answered "wrong") and the rest find the volunteer
/// locked out. The count is committed on its own: the attendance itself did not happen.
async fn wrong_code(w: Write<'_>, a: &activity::Model, s: &sign_up::Model) -> AppResult<AppError> {
    if a.code_hash.is_none() {
        // Nothing to count: dropping the write rolls it back.
        return Ok(AppError::bad_input("code", "no attendance code is in force: ask the organiser for one"));
    }
    let counted = sign_up::Entity::update_many()
        .col_expr(sign_up::Column::CodeFailures, sea_orm::sea_query::ExprTrait::add(Expr::col(sign_up::Column::CodeFailures), 1))
        .filter(sign_up::Column::CommunityId.eq(s.community_id))
        .filter(sign_up::Column::Id.eq(s.id))
        .filter(sign_up::Column::CodeFailures.lt(MAX_CODE_FAILURES))
        .exec(w.txn())
        .await?
        .rows_affected;
    w.commit_refused_attempt().await?;
    Ok(if counted == 1 { AppError::bad_input("code", "the code is wrong or has expired") } else { locked_out() })
}

/// How attendance is recorded: by the organiser for a sign-up, or by the volunteer with the code.
pub enum Attendance {
    ByOrganiser { sign_up_id: SignUpId },
    ByCode { activity_id: ActivityId, code: String },
}

/// The minutes of service between check-in and check-out, counted within the activity's time:
/// arriving early or leaving (or forgetting to check out) late adds nothing.
fn service_minutes(a: &activity::Model, checked_in: DateTime<Utc>, checked_out: DateTime<Utc>) -> i32 {
    let from = checked_in.max(a.starts_at);
    let to = checked_out.min(a.ends_at);
    i32::try_from((to - from).num_minutes().max(0)).unwrap_or(i32::MAX)
}

/// Checks a volunteer in or out. Check-out needs a check-in first; the minutes between them are
/// the service time.
pub async fn attend(cx: &Cx, how: Attendance, check_out: bool) -> AppResult<sign_up::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    // The activity's lock orders attendance changes; the sign-up is read under it.
    let (a, s) = match &how {
        Attendance::ByOrganiser { sign_up_id } => {
            let seen = sign_up::Entity::find_by_id(sign_up_id.0)
                .filter(sign_up_filter(&cx.scope))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::not_found("sign-up"))?;
            cx.scope.require_staff(seen.community_id, "record attendance")?;
            let a = lock_activity(&w, ActivityId(seen.activity_id)).await?;
            let s = sign_up::Entity::find_by_id(seen.id).one(txn).await?.ok_or_else(|| AppError::not_found("sign-up"))?;
            (a, s)
        }
        Attendance::ByCode { activity_id, code } => {
            let Some(me) = cx.scope.person_id() else {
                return Err(AppError::Forbidden("the code is for volunteers checking themselves in".into()));
            };
            let a = lock_activity(&w, *activity_id).await?;
            // Only a volunteer signed up may try the code, and their tries are counted on their
            // sign-up.
            let s = sign_up::Entity::find()
                .filter(sign_up::Column::CommunityId.eq(a.community_id))
                .filter(sign_up::Column::ActivityId.eq(a.id))
                .filter(sign_up::Column::PersonId.eq(me))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::bad_input("activityId", "you are not signed up for this activity"))?;
            if s.code_failures >= MAX_CODE_FAILURES {
                return Err(locked_out());
            }
            let valid = a.code_hash.as_deref() == Some(hash_code(a.id, code).as_str()) && a.code_expires_at.is_some_and(|t| t > Utc::now());
            if !valid {
                return Err(wrong_code(w, &a, &s).await?);
            }
            (a, s)
        }
    };
    if s.status != SignUpStatus::Registered {
        return Err(AppError::BadInput {
            message: format!("a {} sign-up cannot attend", s.status.to_value()),
            field: Some("status".into()),
        });
    }
    let now = Utc::now();
    let mut m: sign_up::ActiveModel = s.clone().into();
    let action = if check_out {
        let Some(start) = s.checked_in_at else {
            return Err(AppError::BadInput { message: "cannot check out before checking in".into(), field: Some("checkedInAt".into()) });
        };
        if s.checked_out_at.is_some() {
            return Err(AppError::Conflict("already checked out".into()));
        }
        m.checked_out_at = Set(Some(now));
        m.service_minutes = Set(Some(service_minutes(&a, start, now)));
        "checkOutAttendance"
    } else {
        if s.checked_in_at.is_some() {
            return Err(AppError::Conflict("already checked in".into()));
        }
        if now < a.starts_at - Duration::hours(1) || now > a.ends_at {
            return Err(AppError::BadInput {
                message: "check-in opens an hour before the activity starts and closes when it ends".into(),
                field: Some("checkedInAt".into()),
            });
        }
        m.checked_in_at = Set(Some(now));
        "checkInAttendance"
    };
    m.updated_at = Set(now);
    let model = m.update(txn).await?;
    w.commit(
        Audit::new(action, "SignUp").object(model.id).community(model.community_id).summary(json!({ "minutes": model.service_minutes })),
    )
    .await?;
    Ok(model)
}

/// Records how many residents an activity served (staff).
pub async fn record_residents(cx: &Cx, activity_id: ActivityId, count: i32) -> AppResult<activity::Model> {
    cx.scope.require_authenticated()?;
    if !(0..=1_000_000).contains(&count) {
        return Err(AppError::bad_input("residentsServed", "`residentsServed` must be between 0 and 1000000"));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let a = lock_activity(&w, activity_id).await?;
    cx.scope.require_staff(a.community_id, "record residents served")?;
    not_cancelled(&a)?;
    let mut m: activity::ActiveModel = a.clone().into();
    m.residents_served = Set(count);
    m.version = Set(a.version + 1);
    let model = m.update(txn).await?;
    w.commit(
        Audit::new("recordResidentsServed", "Activity")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "residentsServed": count })),
    )
    .await?;
    Ok(model)
}

/// A person's service record: their sign-ups with attendance, in the caller's sight.
pub async fn service_record(cx: &Cx, person_id: Option<PersonId>) -> AppResult<(Uuid, Vec<sign_up::Model>)> {
    cx.scope.require_authenticated()?;
    let person = person_id.map(|p| p.0).or(cx.scope.person_id()).ok_or_else(|| AppError::bad_input("personId", "whose record?"))?;
    let rows = sign_up::Entity::find()
        .filter(sign_up_filter(&cx.scope))
        .filter(sign_up::Column::PersonId.eq(person))
        .filter(sign_up::Column::CheckedInAt.is_not_null())
        .order_by_asc(sign_up::Column::Id)
        .all(&cx.db)
        .await?;
    Ok((person, rows))
}
