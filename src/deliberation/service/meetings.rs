//! Deliberation meetings (议事会): staff of the community, or the convenor of one of its venues,
//! schedule a meeting at a venue with its invited participants; whoever runs it (staff, its
//! convenor) sets the agenda, each item taking up appeals (ACCEPTED → SCHEDULED on the meeting's
//! day and venue), records the meeting as held with its minutes and attendance, and decides each
//! item once (决议): the text and, for owners' matters, the votes, checked against the quorum
//! rule below. A decision answers the appeals its item takes up (SCHEDULED → ANSWERED).
//!
//! The quorum rule for owners' votes (after the Civil Code's rule for owners' decisions, art.
//! 278): at least two thirds of the eligible owners must vote, and an item passes when more
//! than half of those voting vote for it. A vote without a quorum is refused (`BAD_USER_INPUT`
//! on `votes`, saying how many voted of how many and how many were needed).

use chrono::{DateTime, Utc};
use entity::agenda_item;
use entity::appeal::{self, AppealState};
use entity::meeting::{self, MeetingKind, MeetingState};
use entity::meeting_participant::{self, PartyKind};
use entity::{agenda_appeal, co_building_unit, owners_committee, party_organization, person, property_manager, venue};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use super::{beijing_day, decide};
use crate::cx::Cx;
use crate::deliberation::ids::{AgendaItemId, AppealId, MeetingId, VenueId};
use crate::deliberation::visibility::{self, Ties, ties};
use crate::deliberation::workflow::Action;
use crate::error::{AppError, AppResult};
use crate::home::ids::ProjectId;
use crate::home::service::{ProjectAction, transition_in};
use crate::organisation::ids::{CommunityId, UnitId};
use crate::paging::{Page, PageArgs};
use crate::validate::{check_time, clean_name, clean_text};
use crate::write::{Audit, Write};

/// Most participants a meeting invites, and most appeals an agenda item takes up.
pub const MAX_PARTICIPANTS: usize = 200;
pub const MAX_ITEM_APPEALS: usize = 50;

/// A party to a meeting or the owner of an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Party {
    pub kind: PartyKind,
    pub id: Uuid,
}

/// A meeting to schedule.
pub struct NewMeeting {
    pub venue: VenueId,
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub participants: Vec<Party>,
    /// For owners' matters: how many owners may vote.
    pub eligible_voters: Option<i32>,
}

/// The votes on an item, for owners' matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Votes {
    pub for_: i32,
    pub against: i32,
    pub abstain: i32,
}

/// Checks `party` names someone of `community`: a person known to gongzhi, a party organisation
/// or an owners' committee or property manager of the community, a unit seated on its joint
/// committee today. `BAD_USER_INPUT` on `field` otherwise.
pub(super) async fn check_party(w: &Write<'_>, community: Uuid, party: Party, field: &str) -> AppResult<()> {
    let txn = w.txn();
    let found = match party.kind {
        PartyKind::Person => person::Entity::find_by_id(party.id).count(txn).await? > 0,
        PartyKind::PartyOrganization => {
            party_organization::Entity::find_by_id(party.id)
                .filter(party_organization::Column::CommunityId.eq(community))
                .count(txn)
                .await?
                > 0
        }
        PartyKind::OwnersCommittee => {
            owners_committee::Entity::find_by_id(party.id).filter(owners_committee::Column::CommunityId.eq(community)).count(txn).await? > 0
        }
        PartyKind::PropertyManager => {
            property_manager::Entity::find_by_id(party.id).filter(property_manager::Column::CommunityId.eq(community)).count(txn).await? > 0
        }
        PartyKind::Unit => {
            co_building_unit::Entity::find_by_id(party.id).count(txn).await? > 0
                && crate::organisation::service::unit_sits_on(txn, CommunityId(community), UnitId(party.id)).await?
        }
    };
    if found { Ok(()) } else { Err(AppError::bad_input(field, format!("no such {} in this community", party_word(party.kind)))) }
}

fn party_word(kind: PartyKind) -> &'static str {
    match kind {
        PartyKind::Person => "person",
        PartyKind::PartyOrganization => "party organisation",
        PartyKind::Unit => "co-building unit seated on the joint committee",
        PartyKind::OwnersCommittee => "owners' committee",
        PartyKind::PropertyManager => "property manager",
    }
}

/// Schedules a meeting at a venue (staff of its community, or the venue's convenor, who then
/// convenes the meeting; staff convene what they schedule).
pub async fn schedule_meeting(cx: &Cx, input: NewMeeting) -> AppResult<meeting::Model> {
    cx.scope.require_authenticated()?;
    let title = clean_name("title", &input.title, 200)?;
    let starts_at = check_time("startsAt", input.starts_at)?;
    if input.participants.len() > MAX_PARTICIPANTS {
        return Err(AppError::bad_input("participants", format!("at most {MAX_PARTICIPANTS} participants")));
    }
    if input.eligible_voters.is_some_and(|n| !(1..=100_000).contains(&n)) {
        return Err(AppError::bad_input("eligibleVoters", "between 1 and 100000 owners"));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let venue = venue::Entity::find_by_id(input.venue.0)
        .filter(visibility::venue_filter(&cx.scope))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("venue"))?;
    let me = cx.scope.person_id();
    let convenes = me.is_some() && venue.convenor_id == me;
    if !cx.scope.is_staff_of(venue.community_id) && !convenes {
        return Err(AppError::Forbidden("meetings are scheduled by the community's staff or the venue's convenor".into()));
    }
    let mut parties = input.participants.clone();
    parties.sort_by_key(|p| (p.kind.to_value(), p.id));
    parties.dedup();
    for p in &parties {
        check_party(&w, venue.community_id, *p, "participants").await?;
    }
    let now = Utc::now();
    let m = meeting::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(venue.community_id),
        venue_id: Set(venue.id),
        kind: Set(input.kind),
        title: Set(title),
        starts_at: Set(starts_at),
        convenor_id: Set(if convenes { me } else { venue.convenor_id.or(me) }),
        state: Set(MeetingState::Planned),
        minutes: Set(None),
        eligible_voters: Set(input.eligible_voters),
        held_at: Set(None),
        created_by: Set(cx.scope.label().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    for p in &parties {
        meeting_participant::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(m.community_id),
            meeting_id: Set(m.id),
            party_kind: Set(p.kind),
            party_id: Set(p.id),
            attended: Set(false),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
    }
    w.commit(Audit::new("scheduleMeeting", "Meeting").object(m.id).community(m.community_id).summary(json!({
        "kind": m.kind.to_value(), "venueId": m.venue_id, "startsAt": m.starts_at, "participants": parties.len(),
    })))
    .await?;
    Ok(m)
}

/// Locks a meeting the caller runs; `NOT_FOUND` when they cannot see it, `FORBIDDEN` when they
/// see it but do not run it.
pub(super) async fn lock_meeting(w: &Write<'_>, id: MeetingId) -> AppResult<meeting::Model> {
    let cx = w.cx();
    let m = w
        .lock(meeting::Entity::find_by_id(id.0).filter(visibility::meeting_filter(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("meeting"))?;
    if !visibility::runs_meeting(&cx.scope, &m) {
        return Err(AppError::Forbidden("a meeting is run by the community's staff and its convenor".into()));
    }
    Ok(m)
}

/// The meeting's new version, written.
async fn bump(w: &Write<'_>, m: &meeting::Model, mut row: meeting::ActiveModel) -> AppResult<meeting::Model> {
    row.version = Set(m.version + 1);
    row.updated_at = Set(Utc::now());
    crate::db::guarded_update::<meeting::Entity, _>(w.txn(), row, meeting::Column::Id, meeting::Column::Version, m.id, m.version).await
}

/// Moves an appeal to `next` by `action` as the caller (the workflow table decides), with what
/// the step writes, and writes its timeline entry as `kind`; returns the entry's id, for the
/// write to note as a stored event.
pub(super) async fn move_appeal(
    w: &Write<'_>,
    ties: &Ties,
    a: &appeal::Model,
    action: Action,
    kind: &str,
    fill: impl FnOnce(&mut appeal::ActiveModel),
) -> AppResult<Uuid> {
    let next = decide(w, ties, a, action)?;
    let mut row: appeal::ActiveModel = a.clone().into();
    row.state = Set(next);
    fill(&mut row);
    row.version = Set(a.version + 1);
    row.updated_at = Set(Utc::now());
    let moved =
        crate::db::guarded_update::<appeal::Entity, _>(w.txn(), row, appeal::Column::Id, appeal::Column::Version, a.id, a.version).await?;
    super::appeal_event(w.txn(), &moved, kind).await
}

/// Adds an item to a planned meeting's agenda, taking up `appeals` of the meeting's community
/// (each ACCEPTED → SCHEDULED on the meeting's day and venue).
pub async fn add_agenda_item(
    cx: &Cx,
    id: MeetingId,
    title: String,
    appeals: Vec<AppealId>,
    expected: Option<i32>,
) -> AppResult<(meeting::Model, agenda_item::Model)> {
    cx.scope.require_authenticated()?;
    let title = clean_name("title", &title, 200)?;
    if appeals.len() > MAX_ITEM_APPEALS {
        return Err(AppError::bad_input("appealIds", format!("at most {MAX_ITEM_APPEALS} appeals per item")));
    }
    let mut w = Write::begin(cx).await?;
    let m = lock_meeting(&w, id).await?;
    Write::expect_version(expected, m.version)?;
    if m.state != MeetingState::Planned {
        return Err(AppError::Conflict("the meeting was held: its agenda is closed".into()));
    }
    let txn = w.txn();
    let ties = ties(txn, &cx.scope).await?;
    let position = agenda_item::Entity::find()
        .filter(agenda_item::Column::CommunityId.eq(m.community_id))
        .filter(agenda_item::Column::MeetingId.eq(m.id))
        .count(txn)
        .await? as i32
        + 1;
    let now = Utc::now();
    let item = agenda_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(m.community_id),
        meeting_id: Set(m.id),
        position: Set(position),
        title: Set(title),
        decision: Set(None),
        votes_for: Set(None),
        votes_against: Set(None),
        votes_abstain: Set(None),
        passed: Set(None),
        approves_project_id: Set(None),
        decided_at: Set(None),
        version: Set(1),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    let mut events = Vec::new();
    let mut ids = appeals.clone();
    ids.sort_by_key(|a| a.0);
    ids.dedup();
    for a in &ids {
        let found = w
            .lock(
                appeal::Entity::find_by_id(a.0)
                    .filter(visibility::appeal_filter(&cx.scope, &ties))
                    .filter(appeal::Column::CommunityId.eq(m.community_id)),
            )
            .await?
            .ok_or_else(|| AppError::bad_input("appealIds", "no such appeal of the meeting's community"))?;
        events.push(
            move_appeal(&w, &ties, &found, Action::Schedule, "addAgendaItem", |row| {
                row.scheduled_venue_id = Set(Some(m.venue_id));
                row.scheduled_on = Set(Some(beijing_day(m.starts_at)));
            })
            .await?,
        );
        agenda_appeal::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(m.community_id),
            agenda_item_id: Set(item.id),
            appeal_id: Set(found.id),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
    }
    let m = bump(&w, &m, m.clone().into()).await?;
    for e in events {
        w.stored_event(e);
    }
    w.commit(Audit::new("addAgendaItem", "Meeting").object(m.id).community(m.community_id).summary(json!({
        "itemId": item.id, "position": item.position, "appealIds": ids.iter().map(|a| a.0).collect::<Vec<_>>(),
    })))
    .await?;
    Ok((m, item))
}

/// Records a planned meeting as held: its minutes and who of the invited attended (the
/// participants' ids).
pub async fn record_meeting(
    cx: &Cx,
    id: MeetingId,
    minutes: String,
    attended: Vec<Uuid>,
    expected: Option<i32>,
) -> AppResult<meeting::Model> {
    cx.scope.require_authenticated()?;
    let minutes = clean_text("minutes", &minutes, 20_000)?;
    let w = Write::begin(cx).await?;
    let m = lock_meeting(&w, id).await?;
    Write::expect_version(expected, m.version)?;
    if m.state != MeetingState::Planned {
        return Err(AppError::Conflict("the meeting was already recorded as held".into()));
    }
    let txn = w.txn();
    let invited: Vec<Uuid> = meeting_participant::Entity::find()
        .filter(meeting_participant::Column::CommunityId.eq(m.community_id))
        .filter(meeting_participant::Column::MeetingId.eq(m.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if let Some(stranger) = attended.iter().find(|a| !invited.contains(a)) {
        return Err(AppError::bad_input("attended", format!("{stranger} is not a participant of this meeting")));
    }
    if !attended.is_empty() {
        meeting_participant::Entity::update_many()
            .col_expr(meeting_participant::Column::Attended, sea_orm::sea_query::Expr::value(true))
            .filter(meeting_participant::Column::CommunityId.eq(m.community_id))
            .filter(meeting_participant::Column::Id.is_in(attended.clone()))
            .exec(txn)
            .await?;
    }
    let mut row: meeting::ActiveModel = m.clone().into();
    row.state = Set(MeetingState::Held);
    row.minutes = Set(Some(minutes));
    row.held_at = Set(Some(Utc::now()));
    let m = bump(&w, &m, row).await?;
    w.commit(
        Audit::new("recordMeeting", "Meeting")
            .object(m.id)
            .community(m.community_id)
            .summary(json!({ "attended": attended.len(), "invited": invited.len() })),
    )
    .await?;
    Ok(m)
}

/// Checks owners' votes against the quorum rule (see the module documentation); whether the
/// item passed.
pub fn check_votes(votes: Votes, eligible: Option<i32>) -> AppResult<bool> {
    let eligible =
        eligible.ok_or_else(|| AppError::bad_input("votes", "the meeting states no eligible voters: owners' votes need them"))?;
    if votes.for_ < 0 || votes.against < 0 || votes.abstain < 0 {
        return Err(AppError::bad_input("votes", "votes are not negative"));
    }
    let cast = i64::from(votes.for_) + i64::from(votes.against) + i64::from(votes.abstain);
    let eligible = i64::from(eligible);
    if cast > eligible {
        return Err(AppError::bad_input("votes", format!("{cast} votes from {eligible} eligible owners")));
    }
    let needed = (2 * eligible + 2) / 3;
    if cast < needed {
        return Err(AppError::bad_input(
            "votes",
            format!("no quorum: {cast} of {eligible} eligible owners voted; at least two thirds ({needed}) must"),
        ));
    }
    Ok(2 * i64::from(votes.for_) > cast)
}

/// A decision to take on an agenda item.
pub struct Decision {
    pub text: String,
    pub votes: Option<Votes>,
    /// A renovation project of the community the decision approves (PROPOSED → APPROVED).
    pub approves: Option<ProjectId>,
}

/// Decides an item of a held meeting, once: the decision answers the appeals it takes up, and
/// may approve a renovation project of the community (through home co-building's own rules, in
/// this write).
pub async fn decide_agenda_item(cx: &Cx, id: AgendaItemId, decision: Decision, expected: Option<i32>) -> AppResult<agenda_item::Model> {
    let Decision { text: decision, votes, approves } = decision;
    cx.scope.require_authenticated()?;
    let decision = clean_text("decision", &decision, 5000)?;
    let mut w = Write::begin(cx).await?;
    let txn = w.txn();
    let item = w
        .lock(agenda_item::Entity::find_by_id(id.0).filter(visibility::agenda_filter(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("agenda item"))?;
    let m = lock_meeting(&w, MeetingId(item.meeting_id)).await?;
    Write::expect_version(expected, item.version)?;
    if m.state != MeetingState::Held {
        return Err(AppError::Conflict("a PLANNED meeting decides nothing yet: record it as held first".into()));
    }
    if item.decision.is_some() {
        return Err(AppError::Conflict("the item was already decided".into()));
    }
    let passed = votes.map(|v| check_votes(v, m.eligible_voters)).transpose()?;
    let approved = match approves {
        Some(_) if passed == Some(false) => {
            return Err(AppError::bad_input("approvesProjectId", "the vote did not pass: the decision approves nothing"));
        }
        Some(p) => {
            let (project, _) = transition_in(&w, p, ProjectAction::Approve, None, None).await?;
            if project.community_id != m.community_id {
                return Err(AppError::bad_input("approvesProjectId", "the project is of another community"));
            }
            Some(project.id)
        }
        None => None,
    };
    let ties = ties(txn, &cx.scope).await?;
    let on_item: Vec<Uuid> = agenda_appeal::Entity::find()
        .filter(agenda_appeal::Column::CommunityId.eq(m.community_id))
        .filter(agenda_appeal::Column::AgendaItemId.eq(item.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|l| l.appeal_id)
        .collect();
    let scheduled = w
        .lock_all(
            appeal::Entity::find()
                .filter(appeal::Column::CommunityId.eq(m.community_id))
                .filter(appeal::Column::Id.is_in(on_item))
                .filter(appeal::Column::State.eq(AppealState::Scheduled))
                .order_by_asc(appeal::Column::Id),
        )
        .await?;
    let now = Utc::now();
    let (mut answered, mut events) = (Vec::new(), Vec::new());
    for a in &scheduled {
        events.push(
            move_appeal(&w, &ties, a, Action::Answer, "decideAgendaItem", |row| {
                row.answer = Set(Some(decision.clone()));
                row.answered_at = Set(Some(now));
                row.due_at = Set(None);
            })
            .await?,
        );
        answered.push(a.id);
    }
    let mut row: agenda_item::ActiveModel = item.clone().into();
    row.decision = Set(Some(decision));
    row.votes_for = Set(votes.map(|v| v.for_));
    row.votes_against = Set(votes.map(|v| v.against));
    row.votes_abstain = Set(votes.map(|v| v.abstain));
    row.passed = Set(passed);
    row.approves_project_id = Set(approved);
    row.decided_at = Set(Some(now));
    row.version = Set(item.version + 1);
    let item = crate::db::guarded_update::<agenda_item::Entity, _>(
        txn,
        row,
        agenda_item::Column::Id,
        agenda_item::Column::Version,
        item.id,
        item.version,
    )
    .await?;
    for e in events {
        w.stored_event(e);
    }
    w.commit(
        Audit::new("decideAgendaItem", "AgendaItem")
            .object(item.id)
            .community(item.community_id)
            .summary(json!({ "meetingId": m.id, "passed": passed, "answered": answered, "approvesProjectId": approved })),
    )
    .await?;
    Ok(item)
}

/// Which meetings a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MeetingFilter {
    pub community_id: Option<CommunityId>,
    pub state: Option<MeetingState>,
}

pub(crate) fn meetings_select(cx: &Cx, filter: MeetingFilter) -> sea_orm::Select<meeting::Entity> {
    let mut select = meeting::Entity::find().filter(visibility::meeting_filter(&cx.scope));
    if let Some(c) = filter.community_id {
        select = select.filter(meeting::Column::CommunityId.eq(c.0));
    }
    if let Some(s) = filter.state {
        select = select.filter(meeting::Column::State.eq(s));
    }
    select
}

/// One page of the meetings the caller sees.
pub async fn meetings(cx: &Cx, filter: MeetingFilter, args: &PageArgs) -> AppResult<Page<meeting::Model>> {
    cx.scope.require_authenticated()?;
    Ok(args.finish(args.apply(meetings_select(cx, filter), meeting::Column::Id).all(&cx.db).await?))
}

/// How many meetings the caller sees.
pub async fn meeting_count(cx: &Cx, filter: MeetingFilter) -> AppResult<u64> {
    cx.scope.require_authenticated()?;
    Ok(meetings_select(cx, filter).count(&cx.db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_votes_need_two_thirds_voting_and_more_than_half_for() {
        let v = |f, a, x| Votes { for_: f, against: a, abstain: x };
        assert_eq!(check_votes(v(4, 2, 0), Some(9)).ok(), Some(true), "6 of 9 voted, 4 for");
        assert_eq!(check_votes(v(3, 3, 0), Some(9)).ok(), Some(false), "a tie does not pass");
        assert!(check_votes(v(5, 0, 0), Some(9)).is_err(), "5 of 9 is no quorum");
        assert!(check_votes(v(7, 3, 0), Some(9)).is_err(), "more votes than voters");
        assert!(check_votes(v(-1, 8, 0), Some(9)).is_err());
        assert!(check_votes(v(1, 0, 0), None).is_err(), "no eligible voters stated");
        assert_eq!(check_votes(v(2, 0, 0), Some(3)).ok(), Some(true), "2 of 3 is two thirds");
        assert!(check_votes(v(1, 0, 0), Some(2)).is_err(), "1 of 2 is not");
    }
}
