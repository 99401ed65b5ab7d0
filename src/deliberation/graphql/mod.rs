//! GraphQL types, queries and mutations of consultative democracy, one file per sub-noun (the
//! same names as in `service/`): `venues`, `enterprises`, `appeals` (the full appeal, raising and
//! listing), `actions` (the workflow's mutations) and `board` (the public board and supports).
//! Thin: resolvers decode arguments, follow relations through the request's DataLoaders and call
//! the service.

mod actions;
mod appeals;
mod board;
mod enterprises;
mod follow_through;
mod live;
mod meetings;
mod parties;
mod pledges;
mod stats;
mod venues;

pub use actions::*;
pub use appeals::*;
pub use board::*;
pub use enterprises::*;
pub use follow_through::*;
pub use live::*;
pub use meetings::*;
pub use parties::*;
pub use pledges::*;
pub use stats::*;
pub use venues::*;

use async_graphql::{Context, ID, MergedObject, Result};
use uuid::Uuid;

use crate::deliberation::loaders::*;
use crate::error::AppError;
use crate::graphql::ids::{expect_id, parse_global_id};

/// The type names this noun's global ids carry.
pub mod kind {
    pub use crate::home::graphql::kind::*;
    pub const VENUE: &str = "Venue";
    pub const ENTERPRISE: &str = "Enterprise";
    pub const APPEAL: &str = "Appeal";
    pub const BOARD_APPEAL: &str = "BoardAppeal";
    pub const MEETING: &str = "Meeting";
    pub const MEETING_PARTICIPANT: &str = "MeetingParticipant";
    pub const AGENDA_ITEM: &str = "AgendaItem";
    pub const ACTION_ITEM: &str = "ActionItem";
    pub const PLEDGE: &str = "Pledge";
    pub const APPEAL_EVENT: &str = "AppealEvent";
}

/// Queries of consultative democracy, in the order the schema lists them.
#[derive(MergedObject, Default)]
pub struct DeliberationQuery(
    VenuesQuery,
    EnterprisesQuery,
    AppealsQuery,
    BoardQuery,
    MeetingsQuery,
    FollowThroughQuery,
    DeliberationStatsQuery,
    PledgesQuery,
);

/// Mutations of consultative democracy, in the order the schema lists them; each is one
/// transaction with its audit record.
#[derive(MergedObject, Default)]
pub struct DeliberationMutation(
    VenuesMutation,
    EnterprisesMutation,
    AppealsMutation,
    AppealActionsMutation,
    BoardMutation,
    MeetingsMutation,
    FollowThroughMutation,
    PledgesMutation,
);

/// Consultative democracy's objects that `node(id:)` refetches.
pub enum DeliberationNode {
    Venue(Venue),
    Enterprise(Enterprise),
    Appeal(Box<Appeal>),
    BoardAppeal(Box<BoardAppeal>),
    Meeting(Box<Meeting>),
    AgendaItem(AgendaItem),
    ActionItem(ActionItem),
    Pledge(Pledge),
    MeetingParticipant(MeetingParticipant),
    AppealEvent(AppealEvent),
}

/// Resolves consultative democracy's global ids through the scoped loaders.
pub async fn resolve_node(ctx: &Context<'_>, k: &str, uuid: Uuid) -> Result<Option<DeliberationNode>, AppError> {
    use DeliberationNode as Node;
    let loader = deliberation_loader(ctx)?;
    Ok(match k {
        kind::VENUE => loader.load_one(VenueId(uuid)).await?.map(|m| Node::Venue(Venue(m))),
        kind::ENTERPRISE => loader.load_one(EnterpriseId(uuid)).await?.map(|m| Node::Enterprise(Enterprise(m))),
        kind::APPEAL => loader.load_one(AppealId(uuid)).await?.map(|m| Node::Appeal(Box::new(Appeal(m)))),
        kind::MEETING => loader.load_one(MeetingId(uuid)).await?.map(|m| Node::Meeting(Box::new(Meeting(m)))),
        kind::AGENDA_ITEM => loader.load_one(AgendaItemId(uuid)).await?.map(|m| Node::AgendaItem(AgendaItem(m))),
        kind::ACTION_ITEM => loader.load_one(ActionItemId(uuid)).await?.map(|m| Node::ActionItem(ActionItem(m))),
        kind::PLEDGE => loader.load_one(PledgeId(uuid)).await?.map(|m| Node::Pledge(Pledge(m))),
        kind::BOARD_APPEAL => loader.load_one(BoardAppealId(uuid)).await?.map(|m| Node::BoardAppeal(Box::new(BoardAppeal(m)))),
        kind::MEETING_PARTICIPANT => loader.load_one(ParticipantId(uuid)).await?.map(|m| Node::MeetingParticipant(MeetingParticipant(m))),
        kind::APPEAL_EVENT => loader.load_one(AppealEventId(uuid)).await?.map(|m| Node::AppealEvent(AppealEvent::from(&m))),
        _ => None,
    })
}

/// An appeal named by its `Appeal` or its `BoardAppeal` id.
fn appeal_id(id: &ID, field: &str) -> Result<AppealId, AppError> {
    match parse_global_id(id) {
        Some((k, uuid)) if k == kind::APPEAL || k == kind::BOARD_APPEAL => Ok(AppealId(uuid)),
        Some((k, _)) => Err(AppError::bad_input(field, format!("expected the id of an Appeal, got a {k}"))),
        None => Err(AppError::bad_input(field, "not a valid id")),
    }
}

/// An agenda item named by its id.
fn agenda_item_id(id: &ID) -> Result<AgendaItemId, AppError> {
    Ok(AgendaItemId(expect_id(id, kind::AGENDA_ITEM, "agendaItemId")?))
}
