//! Deliberation meetings (议事会) with their participants, agenda items and decisions (决议); the
//! follow-through of each decision is `follow_through.rs`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{agenda_item, meeting, meeting_participant};

use super::follow_through::ActionItem;
use super::parties::{PartyInput, PartyKind, party, party_id};
use super::{BoardAppeal, Venue, agenda_item_id, appeal_id, kind};
use crate::deliberation::ids::{MeetingId, VenueId};
use crate::deliberation::loaders::{ActionsOf, AgendaOf, AppealsOnItem, ParticipantsOf, deliberation_loader};
use crate::deliberation::service::{self, Decision, MeetingFilter, NewMeeting, Votes};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::home::graphql::Project;
use crate::home::ids::ProjectId;
use crate::home::loaders::home_loader;
use crate::organisation::ids::CommunityId;
use crate::paging::PageArgs;

/// What kind of meeting.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::meeting::MeetingKind")]
pub enum MeetingKind {
    /// A deliberation meeting (协商民主议事会).
    Deliberation,
    /// Residents meeting the property manager and the owners' committee (见面会).
    ResidentsMeeting,
    /// A joint meeting of the branch, the residents' committee, the owners' committee and the
    /// property manager (联席会议).
    JointMeeting,
}

/// Where a meeting stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::meeting::MeetingState")]
pub enum MeetingState {
    /// Planned; its agenda is being set.
    Planned,
    /// Held, with its minutes and attendance; its items are decided.
    Held,
}

/// A deliberation meeting (议事会) at a venue of its community: seen by the community's staff,
/// its convenor and the people and units invited to it.
pub struct Meeting(pub meeting::Model);
crate::graphql::connection::connection_node!(Meeting);

/// A deliberation meeting (议事会) at a venue of its community: seen by the community's staff,
/// its convenor and the people and units invited to it.
#[Object]
impl Meeting {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::MEETING, self.0.id)
    }
    /// What kind of meeting.
    async fn kind(&self) -> MeetingKind {
        self.0.kind.into()
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// Where it stands.
    async fn state(&self) -> MeetingState {
        self.0.state.into()
    }
    /// The venue.
    async fn venue(&self, ctx: &Context<'_>) -> Result<Option<Venue>> {
        Ok(deliberation_loader(ctx)?.load_one(VenueId(self.0.venue_id)).await?.map(Venue))
    }
    /// The convenor's person id (`Person.id`), if any.
    async fn convenor_id(&self) -> Option<ID> {
        self.0.convenor_id.map(|p| global_id(crate::organisation::graphql::kind::PERSON, p))
    }
    /// For owners' matters: how many owners may vote.
    async fn eligible_voters(&self) -> Option<i32> {
        self.0.eligible_voters
    }
    /// The minutes, once held.
    async fn minutes(&self) -> Option<&str> {
        self.0.minutes.as_deref()
    }
    /// When it was recorded as held.
    async fn held_at(&self) -> Option<DateTime<Utc>> {
        self.0.held_at
    }
    /// Who was invited, and who attended.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<MeetingParticipant>> {
        let rows = deliberation_loader(ctx)?.load_one(ParticipantsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(MeetingParticipant).collect())
    }
    /// The agenda, in order.
    async fn agenda(&self, ctx: &Context<'_>) -> Result<Vec<AgendaItem>> {
        let rows = deliberation_loader(ctx)?.load_one(AgendaOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(AgendaItem).collect())
    }
    /// Version, incremented by every change; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A party invited to a meeting.
pub struct MeetingParticipant(pub meeting_participant::Model);

/// A party invited to a meeting.
#[Object]
impl MeetingParticipant {
    /// Globally unique id (as `recordMeeting` takes it in `attended`).
    pub async fn id(&self) -> ID {
        global_id(kind::MEETING_PARTICIPANT, self.0.id)
    }
    /// What kind of party.
    async fn kind(&self) -> PartyKind {
        self.0.party_kind.into()
    }
    /// The party: a person's id, or the global id of the organisation, unit, owners' committee
    /// or property manager.
    async fn party_id(&self) -> ID {
        party_id(self.0.party_kind, self.0.party_id)
    }
    /// Whether they attended.
    async fn attended(&self) -> bool {
        self.0.attended
    }
}

/// An item of a meeting's agenda, with its decision (决议) once taken.
pub struct AgendaItem(pub agenda_item::Model);

/// An item of a meeting's agenda, with its decision (决议) once taken.
#[Object]
impl AgendaItem {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::AGENDA_ITEM, self.0.id)
    }
    /// Its place on the agenda, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The appeals it takes up, as the public board shows them (to those who read the board).
    async fn appeals(&self, ctx: &Context<'_>) -> Result<Vec<BoardAppeal>> {
        let rows = deliberation_loader(ctx)?.load_one(AppealsOnItem(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(BoardAppeal).collect())
    }
    /// The decision, once taken.
    async fn decision(&self) -> Option<&str> {
        self.0.decision.as_deref()
    }
    /// Owners' votes for, when the item was voted on.
    async fn votes_for(&self) -> Option<i32> {
        self.0.votes_for
    }
    /// Owners' votes against.
    async fn votes_against(&self) -> Option<i32> {
        self.0.votes_against
    }
    /// Owners abstaining.
    async fn votes_abstain(&self) -> Option<i32> {
        self.0.votes_abstain
    }
    /// Whether the vote passed (more than half of those voting for, with two thirds of the
    /// eligible owners voting); null when not voted on.
    async fn passed(&self) -> Option<bool> {
        self.0.passed
    }
    /// The renovation project the decision approved, if any (to those who see the project).
    async fn approved_project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        match self.0.approves_project_id {
            Some(p) => Ok(home_loader(ctx)?.load_one(ProjectId(p)).await?.map(Project)),
            None => Ok(None),
        }
    }
    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// The action items that carry the decision out.
    async fn actions(&self, ctx: &Context<'_>) -> Result<Vec<ActionItem>> {
        let rows = deliberation_loader(ctx)?.load_one(ActionsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(ActionItem).collect())
    }
    /// Version, incremented by its decision; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// What a meetings list's `totalCount` counts.
struct MeetingCount(MeetingFilter);

#[async_trait::async_trait]
impl CountSource for MeetingCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        service::meeting_count(&rc(ctx)?.cx, self.0).await
    }
}

/// Queries of consultative democracy: meetings.
#[derive(Default)]
pub struct MeetingsQuery;

/// Queries of consultative democracy: meetings.
#[Object]
impl MeetingsQuery {
    /// The meetings the caller sees (staff: their communities'; a person: those they convene or
    /// are invited to; a unit: those it is invited to), oldest first.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its filters and the four Relay paging arguments")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community's.")] community_id: Option<ID>,
        #[graphql(desc = "Only meetings in this state.")] state: Option<MeetingState>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Meeting>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let filter = MeetingFilter {
            community_id: community_id.map(|c| expect_id(&c, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?,
            state: state.map(Into::into),
        };
        let args = PageArgs::new(first, after, last, before)?;
        let page = service::meetings(&r.cx, filter, &args).await?;
        Ok(page.into_connection(|m| m.id, Meeting, TotalCount::lazy(MeetingCount(filter))))
    }
}

/// Input of `scheduleMeeting`.
#[derive(InputObject)]
pub struct ScheduleMeetingInput {
    /// The venue (the community's centre or a compound's station).
    pub venue_id: ID,
    /// What kind of meeting.
    pub kind: MeetingKind,
    /// Title (at most 200 characters).
    pub title: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// Who is invited (at most 200).
    #[graphql(default)]
    pub participants: Vec<PartyInput>,
    /// For owners' matters: how many owners may vote.
    pub eligible_voters: Option<i32>,
}

/// Input of `addAgendaItem`.
#[derive(InputObject)]
pub struct AddAgendaItemInput {
    /// The planned meeting.
    pub meeting_id: ID,
    /// Title (at most 200 characters).
    pub title: String,
    /// The appeals of the community the item takes up (`Appeal` or `BoardAppeal` ids, each
    /// ACCEPTED; at most 50).
    #[graphql(default)]
    pub appeal_ids: Vec<ID>,
    /// The meeting's version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `recordMeeting`.
#[derive(InputObject)]
pub struct RecordMeetingInput {
    /// The planned meeting.
    pub meeting_id: ID,
    /// The minutes (at most 20000 characters).
    pub minutes: String,
    /// The participants who attended (`MeetingParticipant` ids).
    #[graphql(default)]
    pub attended: Vec<ID>,
    /// The meeting's version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Owners' votes on an item.
#[derive(InputObject)]
pub struct VotesInput {
    /// For.
    #[graphql(name = "for")]
    pub for_: i32,
    /// Against.
    pub against: i32,
    /// Abstaining.
    pub abstain: i32,
}

/// Input of `decideAgendaItem`.
#[derive(InputObject)]
pub struct DecideAgendaItemInput {
    /// The item, of a held meeting.
    pub agenda_item_id: ID,
    /// The decision (at most 5000 characters); it answers the appeals the item takes up.
    pub decision: String,
    /// For owners' matters: the votes, checked against the quorum rule (two thirds of the
    /// eligible owners voting).
    pub votes: Option<VotesInput>,
    /// A renovation project of the community (a PROPOSED `Project`) the decision approves, as
    /// community staff would; refused when the vote did not pass.
    pub approves_project_id: Option<ID>,
    /// The item's version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of the meeting mutations.
#[derive(SimpleObject)]
pub struct MeetingPayload {
    /// The meeting.
    pub meeting: Meeting,
}

/// Result of `addAgendaItem` and `decideAgendaItem`.
#[derive(SimpleObject)]
pub struct AgendaItemPayload {
    /// The item.
    pub agenda_item: AgendaItem,
}

fn meeting_id(id: &ID) -> Result<MeetingId, AppError> {
    Ok(MeetingId(expect_id(id, kind::MEETING, "meetingId")?))
}

/// Mutations of consultative democracy: meetings, their agenda and decisions.
#[derive(Default)]
pub struct MeetingsMutation;

/// Mutations of consultative democracy: meetings, their agenda and decisions.
#[Object]
impl MeetingsMutation {
    /// Schedules a meeting at a venue (staff of its community, or the venue's convenor), with
    /// its invited participants.
    async fn schedule_meeting(&self, ctx: &Context<'_>, input: ScheduleMeetingInput) -> Result<MeetingPayload> {
        let r = rc(ctx)?;
        let participants = input.participants.iter().map(|p| party(p, "participants")).collect::<Result<Vec<_>, _>>()?;
        let new = NewMeeting {
            venue: VenueId(expect_id(&input.venue_id, kind::VENUE, "venueId")?),
            kind: input.kind.into(),
            title: input.title,
            starts_at: input.starts_at,
            participants,
            eligible_voters: input.eligible_voters,
        };
        Ok(MeetingPayload { meeting: Meeting(service::schedule_meeting(&r.cx, new).await?) })
    }

    /// Adds an item to a planned meeting's agenda; the appeals it takes up are SCHEDULED on the
    /// meeting's day and venue (each must be ACCEPTED, at a tier the caller handles).
    async fn add_agenda_item(&self, ctx: &Context<'_>, input: AddAgendaItemInput) -> Result<AgendaItemPayload> {
        let r = rc(ctx)?;
        let appeals = input.appeal_ids.iter().map(|a| appeal_id(a, "appealIds")).collect::<Result<Vec<_>, _>>()?;
        let (_, item) =
            service::add_agenda_item(&r.cx, meeting_id(&input.meeting_id)?, input.title, appeals, input.expected_version).await?;
        Ok(AgendaItemPayload { agenda_item: AgendaItem(item) })
    }

    /// Records a planned meeting as held, with its minutes and attendance.
    async fn record_meeting(&self, ctx: &Context<'_>, input: RecordMeetingInput) -> Result<MeetingPayload> {
        let r = rc(ctx)?;
        let attended = input.attended.iter().map(|a| expect_id(a, kind::MEETING_PARTICIPANT, "attended")).collect::<Result<Vec<_>, _>>()?;
        let m = service::record_meeting(&r.cx, meeting_id(&input.meeting_id)?, input.minutes, attended, input.expected_version).await?;
        Ok(MeetingPayload { meeting: Meeting(m) })
    }

    /// Decides an item of a held meeting, once; the decision answers the appeals it takes up.
    async fn decide_agenda_item(&self, ctx: &Context<'_>, input: DecideAgendaItemInput) -> Result<AgendaItemPayload> {
        let r = rc(ctx)?;
        let decision = Decision {
            text: input.decision,
            votes: input.votes.map(|v| Votes { for_: v.for_, against: v.against, abstain: v.abstain }),
            approves: input.approves_project_id.map(|p| expect_id(&p, kind::PROJECT, "approvesProjectId").map(ProjectId)).transpose()?,
        };
        let item = service::decide_agenda_item(&r.cx, agenda_item_id(&input.agenda_item_id)?, decision, input.expected_version).await?;
        Ok(AgendaItemPayload { agenda_item: AgendaItem(item) })
    }
}
