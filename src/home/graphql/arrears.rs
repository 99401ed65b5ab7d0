//! Property-fee arrears help (物业费催缴) of a compound: cases by building and door, their contact
//! attempts and outcomes.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{arrears_case, arrears_contact};

use super::{Building, Fen, Home, home_compound_id, kind};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::ids::{ArrearsCaseId, BuildingId};
use crate::home::loaders::*;
use crate::home::service::{self, NewArrearsCase, NewArrearsContact, NewArrearsOutcome};
use crate::organisation::ids::CompoundId;
use crate::organisation::loaders::org_loader;

/// Where an arrears case stands: open, or the outcome reached.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::arrears_case::ArrearsStatus")]
pub enum ArrearsStatus {
    /// Opened, no outcome yet.
    Open,
    /// The arrears are paid; the case is closed for good.
    Paid,
    /// A payment plan is agreed (分期缴纳).
    PlanAgreed,
    /// The household refuses to pay.
    Refused,
    /// Handed on: mediation, the street, a court.
    Escalated,
}

/// An outcome of an arrears case.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ArrearsOutcome {
    /// The arrears are paid; the case is closed for good.
    Paid,
    /// A payment plan is agreed (with the plan).
    PlanAgreed,
    /// The household refuses to pay.
    Refused,
    /// Handed on (with the reason): mediation, the street, a court.
    Escalated,
}

impl From<ArrearsOutcome> for entity::arrears_case::ArrearsStatus {
    fn from(o: ArrearsOutcome) -> Self {
        use entity::arrears_case::ArrearsStatus as S;
        match o {
            ArrearsOutcome::Paid => S::Paid,
            ArrearsOutcome::PlanAgreed => S::PlanAgreed,
            ArrearsOutcome::Refused => S::Refused,
            ArrearsOutcome::Escalated => S::Escalated,
        }
    }
}

/// Who opened an arrears case or recorded a contact.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::arrears_case::ArrearsRole")]
pub enum ArrearsRole {
    /// Staff of the community or the street.
    CommunityStaff,
    /// A member of the compound's owners' committee in office.
    OwnersCommittee,
    /// The active leader of the case's building or lane.
    BuildingLeader,
}

/// How a household was contacted about its arrears.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::arrears_contact::ContactChannel")]
pub enum ArrearsContactChannel {
    /// A visit at the door (上门).
    Visit,
    /// A phone call.
    Phone,
    /// A written notice (催缴通知书).
    Notice,
    /// Anything else.
    Other,
}

/// A property-fee arrears case (物业费催缴) of a compound: a household named by its building or
/// lane and its door only (no name, no phone), what it owes, the contacts made and the outcome.
/// Seen by staff of the community, the compound's owners' committee in office and the active
/// leader of the case's building; never by residents, units, reporters or the city.
pub struct ArrearsCase(pub arrears_case::Model);

/// A property-fee arrears case (物业费催缴) of a compound: a household named by its building or
/// lane and its door only (no name, no phone), what it owes, the contacts made and the outcome.
/// Seen by staff of the community, the compound's owners' committee in office and the active
/// leader of the case's building; never by residents, units, reporters or the city.
#[Object]
impl ArrearsCase {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::ARREARS_CASE, self.0.id)
    }
    /// The home (compound) of the household.
    async fn home(&self, ctx: &Context<'_>) -> Result<Home> {
        Ok(Home(loaded(org_loader(ctx)?.load_one(CompoundId(self.0.compound_id)).await?, "compound")?))
    }
    /// The building or lane of the household.
    async fn building(&self, ctx: &Context<'_>) -> Result<Option<Building>> {
        Ok(home_loader(ctx)?.load_one(BuildingId(self.0.building_id)).await?.map(Building))
    }
    /// The door (门牌), e.g. "2单元301".
    async fn door(&self) -> &str {
        &self.0.door
    }
    /// The amount owed, in fen.
    async fn amount_owed_fen(&self) -> i64 {
        self.0.amount_owed_fen
    }
    /// The first day the fees have been owed since.
    async fn owed_since(&self) -> Date {
        Date(self.0.owed_since)
    }
    /// Open, or the outcome reached.
    async fn status(&self) -> ArrearsStatus {
        self.0.status.into()
    }
    /// The payment plan agreed (PLAN_AGREED only).
    async fn plan(&self) -> Option<&str> {
        self.0.plan.as_deref()
    }
    /// Why and to whom the case was escalated (ESCALATED only).
    async fn escalation_reason(&self) -> Option<&str> {
        self.0.escalation_reason.as_deref()
    }
    /// A note made when the case was opened.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// A note on the latest outcome.
    async fn outcome_note(&self) -> Option<&str> {
        self.0.outcome_note.as_deref()
    }
    /// When the latest outcome was set; null while open.
    async fn outcome_at(&self) -> Option<DateTime<Utc>> {
        self.0.outcome_at
    }
    /// Who opened the case.
    async fn opened_as(&self) -> ArrearsRole {
        self.0.opened_as.into()
    }
    /// When the case was opened.
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Version, incremented by every outcome.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The contact attempts, in the order they were made.
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<ArrearsContact>> {
        Ok(home_loader(ctx)?.load_one(ContactsOf(self.0.id)).await?.unwrap_or_default().into_iter().map(ArrearsContact).collect())
    }
}

/// A contact attempt on an arrears case: the day, the channel and what came of it. Never changed
/// or removed. Seen by those who see its case.
pub struct ArrearsContact(pub arrears_contact::Model);

/// A contact attempt on an arrears case: the day, the channel and what came of it. Never changed
/// or removed. Seen by those who see its case.
#[Object]
impl ArrearsContact {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::ARREARS_CONTACT, self.0.id)
    }
    /// The case.
    async fn arrears_case(&self, ctx: &Context<'_>) -> Result<Option<ArrearsCase>> {
        Ok(home_loader(ctx)?.load_one(ArrearsCaseId(self.0.case_id)).await?.map(ArrearsCase))
    }
    /// The day of the contact.
    async fn contacted_on(&self) -> Date {
        Date(self.0.contacted_on)
    }
    /// How the household was contacted.
    async fn channel(&self) -> ArrearsContactChannel {
        self.0.channel.into()
    }
    /// What came of it.
    async fn result(&self) -> &str {
        &self.0.result
    }
    /// Who recorded it.
    async fn recorded_as(&self) -> ArrearsRole {
        self.0.recorded_as.into()
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Input of `openArrearsCase`. The household is named by its building and door only: no name,
/// no phone.
#[derive(InputObject)]
pub struct OpenArrearsCaseInput {
    /// The compound (a `Compound` or `Home` id).
    pub compound_id: ID,
    /// A building or lane of the compound.
    pub building_id: ID,
    /// The door (门牌, at most 20 characters), e.g. "2单元301".
    pub door: String,
    /// The amount owed, in whole fen from 1 to 10^12: a number or a string of digits.
    pub amount_owed_fen: Fen,
    /// The first day the fees have been owed since (not in the future).
    pub owed_since: Date,
    /// A note (at most 500 characters).
    pub note: Option<String>,
}

/// Result of `openArrearsCase`.
#[derive(SimpleObject)]
pub struct OpenArrearsCasePayload {
    /// The new case, OPEN.
    pub arrears_case: ArrearsCase,
}

/// Input of `recordArrearsContact`.
#[derive(InputObject)]
pub struct RecordArrearsContactInput {
    /// The case.
    pub case_id: ID,
    /// The day of the contact (today in Beijing when left out; not in the future).
    pub contacted_on: Option<Date>,
    /// How the household was contacted.
    pub channel: ArrearsContactChannel,
    /// What came of it (at most 500 characters).
    pub result: String,
}

/// Result of `recordArrearsContact`.
#[derive(SimpleObject)]
pub struct RecordArrearsContactPayload {
    /// The contact recorded.
    pub contact: ArrearsContact,
    /// Its case.
    pub arrears_case: ArrearsCase,
}

/// Input of `setArrearsOutcome`.
#[derive(InputObject)]
pub struct SetArrearsOutcomeInput {
    /// The case.
    pub id: ID,
    /// The outcome: any but the case's own; a PAID case is closed for good.
    pub outcome: ArrearsOutcome,
    /// The payment plan (at most 500 characters): required with PLAN_AGREED, refused otherwise.
    pub plan: Option<String>,
    /// Why and to whom it is escalated (at most 500 characters): required with ESCALATED,
    /// refused otherwise.
    pub reason: Option<String>,
    /// A note on the outcome (at most 500 characters).
    pub note: Option<String>,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of `setArrearsOutcome`.
#[derive(SimpleObject)]
pub struct SetArrearsOutcomePayload {
    /// The case as changed.
    pub arrears_case: ArrearsCase,
}

/// Mutations of home co-building: property-fee arrears help.
#[derive(Default)]
pub struct ArrearsMutation;

/// Mutations of home co-building: property-fee arrears help.
#[Object]
impl ArrearsMutation {
    /// Opens an arrears case for a door of a building or lane of the compound (community staff,
    /// the compound's owners' committee in office, or the building's active leader). One case per
    /// door not yet paid (`CONFLICT` otherwise); amounts that are not whole positive fen up to
    /// 10^12 are `BAD_USER_INPUT`, and nothing is written.
    async fn open_arrears_case(&self, ctx: &Context<'_>, input: OpenArrearsCaseInput) -> Result<OpenArrearsCasePayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let new = NewArrearsCase {
            compound_id: home_compound_id(&input.compound_id)?,
            building_id: BuildingId(expect_id(&input.building_id, kind::BUILDING, "buildingId")?),
            door: input.door,
            amount: input.amount_owed_fen.0,
            owed_since: input.owed_since.0,
            note: input.note,
        };
        Ok(OpenArrearsCasePayload { arrears_case: ArrearsCase(service::open_case(&r.cx, new).await?) })
    }

    /// Records a contact attempt on a case not yet paid (those who work the case).
    async fn record_arrears_contact(&self, ctx: &Context<'_>, input: RecordArrearsContactInput) -> Result<RecordArrearsContactPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let new = NewArrearsContact {
            case_id: ArrearsCaseId(expect_id(&input.case_id, kind::ARREARS_CASE, "caseId")?),
            contacted_on: input.contacted_on.map(|d| d.0),
            channel: input.channel.into(),
            result: input.result,
        };
        let (case, contact) = service::record_contact(&r.cx, new).await?;
        Ok(RecordArrearsContactPayload { contact: ArrearsContact(contact), arrears_case: ArrearsCase(case) })
    }

    /// Sets the outcome of a case (those who work it): PAID closes it for good; PLAN_AGREED
    /// carries the plan, ESCALATED the reason. An outcome the case already has, or any on a paid
    /// case, is `BAD_USER_INPUT` on `status`.
    async fn set_arrears_outcome(&self, ctx: &Context<'_>, input: SetArrearsOutcomeInput) -> Result<SetArrearsOutcomePayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = ArrearsCaseId(expect_id(&input.id, kind::ARREARS_CASE, "id")?);
        let outcome = NewArrearsOutcome {
            outcome: input.outcome.into(),
            note: input.note,
            plan: input.plan,
            reason: input.reason,
            expected_version: input.expected_version,
        };
        Ok(SetArrearsOutcomePayload { arrears_case: ArrearsCase(service::set_outcome(&r.cx, id, outcome).await?) })
    }
}
