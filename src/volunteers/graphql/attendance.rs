//! Attendance (check-in and check-out at an activity, by the organiser or with a code) and service records.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::sign_up;
use uuid::Uuid;

use super::{Activity, ActivityPayload, SignUp, SignUpPayload, kind};
use crate::error::AppError;
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::volunteers::ids::{ActivityId, SignUpId};
use crate::volunteers::service::{self, Attendance};

pub(crate) fn hours(minutes: u64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// A volunteer's service record: the activities attended and the hours served.
pub struct ServiceRecord {
    person_id: Uuid,
    sign_ups: Vec<sign_up::Model>,
}

/// A volunteer's service record: the activities attended and the hours served.
#[Object]
impl ServiceRecord {
    /// The person's id (`Person.id`).
    async fn person_id(&self) -> ID {
        global_id(crate::organisation::graphql::kind::PERSON, self.person_id)
    }
    /// Attended sign-ups, oldest first.
    async fn attended(&self) -> Vec<SignUp> {
        self.sign_ups.iter().cloned().map(SignUp).collect()
    }
    /// How many times the person served (参与服务人次).
    async fn person_times(&self) -> i32 {
        i32::try_from(self.sign_ups.len()).unwrap_or(i32::MAX)
    }
    /// Total service hours.
    async fn hours(&self) -> f64 {
        hours(self.sign_ups.iter().map(|s| s.service_minutes.unwrap_or(0).max(0) as u64).sum())
    }
}

/// Input of `recordResidentsServed`.
#[derive(InputObject)]
pub struct RecordResidentsServedInput {
    /// The activity.
    pub activity_id: ID,
    /// Residents served.
    pub residents_served: i32,
}

/// Input of `issueAttendanceCode`.
#[derive(InputObject)]
pub struct IssueAttendanceCodeInput {
    /// The activity.
    pub activity_id: ID,
}

/// Result of `issueAttendanceCode`.
#[derive(SimpleObject)]
pub struct AttendanceCodePayload {
    /// The activity.
    pub activity: Activity,
    /// The code to show the volunteers; valid two hours.
    pub code: String,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Input of `checkInAttendance` and `checkOutAttendance`: the organiser gives `signUpId`; a
/// volunteer gives `activityId` and the `code` the organiser shows.
#[derive(InputObject)]
pub struct AttendanceInput {
    /// The sign-up (organiser).
    pub sign_up_id: Option<ID>,
    /// The activity (volunteer with a code).
    pub activity_id: Option<ID>,
    /// The code (volunteer).
    pub code: Option<String>,
}

impl AttendanceInput {
    fn decode(self) -> Result<Attendance, AppError> {
        match (self.sign_up_id, self.activity_id, self.code) {
            (Some(s), None, None) => Ok(Attendance::ByOrganiser { sign_up_id: expect_id(&s, kind::SIGN_UP, "signUpId").map(SignUpId)? }),
            (None, Some(a), Some(code)) => {
                Ok(Attendance::ByCode { activity_id: expect_id(&a, kind::ACTIVITY, "activityId").map(ActivityId)?, code })
            }
            _ => Err(AppError::bad_input("signUpId", "give `signUpId`, or `activityId` with `code`")),
        }
    }
}

/// Queries of the volunteer service: attendance.
#[derive(Default)]
pub struct AttendanceQuery;

/// Queries of the volunteer service: attendance.
#[Object]
impl AttendanceQuery {
    /// A service record: the caller's own, or (staff) a person's in their communities.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn service_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person; the caller by default.")] person_id: Option<ID>,
    ) -> Result<ServiceRecord> {
        let p = person_id.map(|id| crate::organisation::graphql::person_id(&id, "personId")).transpose()?;
        let (person_id, sign_ups) = service::service_record(&rc(ctx)?.cx, p).await?;
        Ok(ServiceRecord { person_id, sign_ups })
    }
}

/// Mutations of the volunteer service: attendance; each is one transaction with its audit record.
#[derive(Default)]
pub struct AttendanceMutation;

/// Mutations of the volunteer service: attendance; each is one transaction with its audit record.
#[Object]
impl AttendanceMutation {
    /// Issues a one-time attendance code (staff); volunteers check themselves in with it.
    async fn issue_attendance_code(&self, ctx: &Context<'_>, input: IssueAttendanceCodeInput) -> Result<AttendanceCodePayload> {
        let a = expect_id(&input.activity_id, kind::ACTIVITY, "activityId").map(ActivityId)?;
        let (activity, code) = service::issue_code(&rc(ctx)?.cx, a).await?;
        Ok(AttendanceCodePayload { expires_at: activity.code_expires_at, activity: Activity(activity), code })
    }

    /// Checks a volunteer in (the organiser, or the volunteer with the code).
    async fn check_in_attendance(&self, ctx: &Context<'_>, input: AttendanceInput) -> Result<SignUpPayload> {
        Ok(SignUpPayload { sign_up: SignUp(service::attend(&rc(ctx)?.cx, input.decode()?, false).await?) })
    }

    /// Checks a volunteer out; the time since check-in counts as service hours.
    async fn check_out_attendance(&self, ctx: &Context<'_>, input: AttendanceInput) -> Result<SignUpPayload> {
        Ok(SignUpPayload { sign_up: SignUp(service::attend(&rc(ctx)?.cx, input.decode()?, true).await?) })
    }

    /// Records how many residents an activity served (staff).
    async fn record_residents_served(&self, ctx: &Context<'_>, input: RecordResidentsServedInput) -> Result<ActivityPayload> {
        let a = expect_id(&input.activity_id, kind::ACTIVITY, "activityId").map(ActivityId)?;
        Ok(ActivityPayload { activity: Activity(service::record_residents(&rc(ctx)?.cx, a, input.residents_served).await?) })
    }
}
