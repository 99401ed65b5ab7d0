//! DataLoaders of consultative democracy, one per request with its scope and the caller's ties;
//! every batch reads through `deliberation::visibility`, as the service does.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::venue::VenueKind;
use entity::{
    action_item, action_note, agenda_appeal, agenda_item, appeal, appeal_event, appeal_support, enterprise, meeting, meeting_participant,
    pledge, venue,
};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::OnceCell;

use super::visibility::{self, Ties};
use crate::auth::Scope;
use crate::error::AppError;
use crate::graphql::batch::{by, group, loader_key};

/// Rows by id.
pub use super::ids::{ActionItemId, AgendaItemId, AppealEventId, AppealId, EnterpriseId, MeetingId, ParticipantId, VenueId};

/// Batches and caches consultative democracy's relations for one request.
pub struct DeliberationLoader {
    db: crate::db::Db,
    scope: Scope,
    /// The caller's ties, read at most once per request.
    ties: OnceCell<Ties>,
}

/// This request's deliberation loader (built for each request by the root, see
/// `graphql::request_data`).
pub fn deliberation_loader<'a>(
    ctx: &async_graphql::Context<'a>,
) -> Result<&'a async_graphql::dataloader::DataLoader<DeliberationLoader, async_graphql::dataloader::HashMapCache>, AppError> {
    ctx.data::<async_graphql::dataloader::DataLoader<DeliberationLoader, async_graphql::dataloader::HashMapCache>>()
        .map_err(|_| AppError::internal("deliberation loader missing"))
}

impl DeliberationLoader {
    pub fn new(db: crate::db::Db, scope: Scope) -> Self {
        DeliberationLoader { db, scope, ties: OnceCell::new() }
    }

    /// The caller's ties (stations convened, where they live).
    pub async fn ties(&self) -> Result<&Ties, AppError> {
        self.ties.get_or_try_init(|| visibility::ties(&self.db, &self.scope)).await
    }

    /// The ids of the meetings the caller sees, as a sub-select: the participants' rule.
    fn visible_meetings(&self) -> sea_orm::sea_query::SelectStatement {
        Query::select().column(meeting::Column::Id).from(meeting::Entity).cond_where(visibility::meeting_filter(&self.scope)).to_owned()
    }
}

loader_key!(/// The deliberation station of a compound.
    StationOf);
loader_key!(/// An appeal as the public board shows it.
    BoardAppealId);
loader_key!(/// Whether the caller supports an appeal (present when they do).
    SupportedByMe);
loader_key!(/// The participants of a meeting.
    ParticipantsOf);
loader_key!(/// The agenda of a meeting, in order.
    AgendaOf);
loader_key!(/// The appeals an agenda item takes up, as the board shows them.
    AppealsOnItem);
loader_key!(/// The action items of an agenda item.
    ActionsOf);
loader_key!(/// The progress notes of an action item.
    NotesOf);
loader_key!(/// A pledge of a practice campaign.
    PledgeId);
loader_key!(/// The decided agenda items that took up an appeal, as its board shows them.
    DecisionsOf);

impl Loader<VenueId> for DeliberationLoader {
    type Value = venue::Model;
    type Error = AppError;
    async fn load(&self, keys: &[VenueId]) -> Result<HashMap<VenueId, Self::Value>, Self::Error> {
        let rows = venue::Entity::find()
            .filter(venue::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::venue_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| VenueId(m.id)))
    }
}

impl Loader<StationOf> for DeliberationLoader {
    type Value = venue::Model;
    type Error = AppError;
    async fn load(&self, keys: &[StationOf]) -> Result<HashMap<StationOf, Self::Value>, Self::Error> {
        let rows = venue::Entity::find()
            .filter(venue::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(venue::Column::Kind.eq(VenueKind::Station))
            .filter(visibility::venue_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().filter_map(|m| m.compound_id.map(|c| (StationOf(c), m))).collect())
    }
}

impl Loader<EnterpriseId> for DeliberationLoader {
    type Value = enterprise::Model;
    type Error = AppError;
    async fn load(&self, keys: &[EnterpriseId]) -> Result<HashMap<EnterpriseId, Self::Value>, Self::Error> {
        let rows = enterprise::Entity::find()
            .filter(enterprise::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::enterprise_filter(&self.scope, enterprise::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| EnterpriseId(m.id)))
    }
}

impl Loader<AppealId> for DeliberationLoader {
    type Value = appeal::Model;
    type Error = AppError;
    async fn load(&self, keys: &[AppealId]) -> Result<HashMap<AppealId, Self::Value>, Self::Error> {
        let ties = self.ties().await?;
        let rows = appeal::Entity::find()
            .filter(appeal::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::appeal_filter(&self.scope, ties))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| AppealId(m.id)))
    }
}

impl Loader<BoardAppealId> for DeliberationLoader {
    type Value = appeal::Model;
    type Error = AppError;
    async fn load(&self, keys: &[BoardAppealId]) -> Result<HashMap<BoardAppealId, Self::Value>, Self::Error> {
        let ties = self.ties().await?;
        let rows = appeal::Entity::find()
            .filter(appeal::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::board_filter(&self.scope, ties))
            .filter(appeal::Column::State.ne(appeal::AppealState::Withdrawn))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| BoardAppealId(m.id)))
    }
}

impl Loader<SupportedByMe> for DeliberationLoader {
    type Value = ();
    type Error = AppError;
    async fn load(&self, keys: &[SupportedByMe]) -> Result<HashMap<SupportedByMe, Self::Value>, Self::Error> {
        // Only a person supports; nobody else needs a statement.
        let Some(me) = self.scope.person_id() else { return Ok(HashMap::new()) };
        let rows: Vec<uuid::Uuid> = appeal_support::Entity::find()
            .select_only()
            .column(appeal_support::Column::AppealId)
            .filter(appeal_support::Column::PersonId.eq(me))
            .filter(appeal_support::Column::AppealId.is_in(keys.iter().map(|k| k.0)))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|a| (SupportedByMe(a), ())).collect())
    }
}

impl Loader<MeetingId> for DeliberationLoader {
    type Value = meeting::Model;
    type Error = AppError;
    async fn load(&self, keys: &[MeetingId]) -> Result<HashMap<MeetingId, Self::Value>, Self::Error> {
        let rows = meeting::Entity::find()
            .filter(meeting::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::meeting_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| MeetingId(m.id)))
    }
}

impl Loader<AgendaItemId> for DeliberationLoader {
    type Value = agenda_item::Model;
    type Error = AppError;
    async fn load(&self, keys: &[AgendaItemId]) -> Result<HashMap<AgendaItemId, Self::Value>, Self::Error> {
        let rows = agenda_item::Entity::find()
            .filter(agenda_item::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::agenda_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| AgendaItemId(m.id)))
    }
}

impl Loader<ActionItemId> for DeliberationLoader {
    type Value = action_item::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ActionItemId]) -> Result<HashMap<ActionItemId, Self::Value>, Self::Error> {
        let rows = action_item::Entity::find()
            .filter(action_item::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::action_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ActionItemId(m.id)))
    }
}

impl Loader<ParticipantId> for DeliberationLoader {
    type Value = meeting_participant::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ParticipantId]) -> Result<HashMap<ParticipantId, Self::Value>, Self::Error> {
        let rows = meeting_participant::Entity::find()
            .filter(meeting_participant::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(meeting_participant::Column::MeetingId.in_subquery(self.visible_meetings()))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ParticipantId(m.id)))
    }
}

impl Loader<AppealEventId> for DeliberationLoader {
    type Value = appeal_event::Model;
    type Error = AppError;
    async fn load(&self, keys: &[AppealEventId]) -> Result<HashMap<AppealEventId, Self::Value>, Self::Error> {
        let rows = appeal_event::Entity::find()
            .filter(appeal_event::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::appeal_event_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| AppealEventId(m.id)))
    }
}

impl Loader<ParticipantsOf> for DeliberationLoader {
    type Value = Vec<meeting_participant::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[ParticipantsOf]) -> Result<HashMap<ParticipantsOf, Self::Value>, Self::Error> {
        // Keys come from meetings the caller sees; the filter holds again for a forged key.
        let rows = meeting_participant::Entity::find()
            .filter(meeting_participant::Column::MeetingId.is_in(keys.iter().map(|k| k.0)))
            .filter(meeting_participant::Column::MeetingId.in_subquery(self.visible_meetings()))
            .order_by_asc(meeting_participant::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| ParticipantsOf(m.meeting_id)))
    }
}

impl Loader<AgendaOf> for DeliberationLoader {
    type Value = Vec<agenda_item::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[AgendaOf]) -> Result<HashMap<AgendaOf, Self::Value>, Self::Error> {
        let rows = agenda_item::Entity::find()
            .filter(agenda_item::Column::MeetingId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::agenda_filter(&self.scope))
            .order_by_asc(agenda_item::Column::Position)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| AgendaOf(m.meeting_id)))
    }
}

impl Loader<AppealsOnItem> for DeliberationLoader {
    type Value = Vec<appeal::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[AppealsOnItem]) -> Result<HashMap<AppealsOnItem, Self::Value>, Self::Error> {
        let links = agenda_appeal::Entity::find()
            .filter(agenda_appeal::Column::AgendaItemId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(agenda_appeal::Column::AppealId)
            .all(&self.db)
            .await?;
        if links.is_empty() {
            return Ok(HashMap::new());
        }
        let ties = self.ties().await?;
        let rows = appeal::Entity::find()
            .filter(appeal::Column::Id.is_in(links.iter().map(|l| l.appeal_id)))
            .filter(visibility::board_filter(&self.scope, ties))
            .filter(appeal::Column::State.ne(appeal::AppealState::Withdrawn))
            .all(&self.db)
            .await?;
        let rows: HashMap<uuid::Uuid, appeal::Model> = rows.into_iter().map(|a| (a.id, a)).collect();
        let mut out: HashMap<AppealsOnItem, Vec<appeal::Model>> = HashMap::new();
        for l in links {
            if let Some(a) = rows.get(&l.appeal_id) {
                out.entry(AppealsOnItem(l.agenda_item_id)).or_default().push(a.clone());
            }
        }
        Ok(out)
    }
}

impl Loader<ActionsOf> for DeliberationLoader {
    type Value = Vec<action_item::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[ActionsOf]) -> Result<HashMap<ActionsOf, Self::Value>, Self::Error> {
        let rows = action_item::Entity::find()
            .filter(action_item::Column::AgendaItemId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::action_filter(&self.scope))
            .order_by_asc(action_item::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| ActionsOf(m.agenda_item_id)))
    }
}

impl Loader<NotesOf> for DeliberationLoader {
    type Value = Vec<action_note::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[NotesOf]) -> Result<HashMap<NotesOf, Self::Value>, Self::Error> {
        let visible = Query::select()
            .column(action_item::Column::Id)
            .from(action_item::Entity)
            .cond_where(visibility::action_filter(&self.scope))
            .to_owned();
        let rows = action_note::Entity::find()
            .filter(action_note::Column::ActionItemId.is_in(keys.iter().map(|k| k.0)))
            .filter(action_note::Column::ActionItemId.in_subquery(visible))
            .order_by_asc(action_note::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| NotesOf(m.action_item_id)))
    }
}

impl Loader<PledgeId> for DeliberationLoader {
    type Value = pledge::Model;
    type Error = AppError;
    async fn load(&self, keys: &[PledgeId]) -> Result<HashMap<PledgeId, Self::Value>, Self::Error> {
        let rows = pledge::Entity::find()
            .filter(pledge::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::pledge_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| PledgeId(m.id)))
    }
}

impl Loader<DecisionsOf> for DeliberationLoader {
    type Value = Vec<agenda_item::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[DecisionsOf]) -> Result<HashMap<DecisionsOf, Self::Value>, Self::Error> {
        // Only appeals on a board the caller reads, even for a forged key.
        let ties = self.ties().await?;
        let on_board = Query::select()
            .column(appeal::Column::Id)
            .from(appeal::Entity)
            .cond_where(visibility::board_filter(&self.scope, ties))
            .to_owned();
        let links = agenda_appeal::Entity::find()
            .filter(agenda_appeal::Column::AppealId.is_in(keys.iter().map(|k| k.0)))
            .filter(agenda_appeal::Column::AppealId.in_subquery(on_board))
            .all(&self.db)
            .await?;
        if links.is_empty() {
            return Ok(HashMap::new());
        }
        let items: HashMap<uuid::Uuid, agenda_item::Model> = agenda_item::Entity::find()
            .filter(agenda_item::Column::Id.is_in(links.iter().map(|l| l.agenda_item_id)))
            .filter(agenda_item::Column::DecidedAt.is_not_null())
            .order_by_asc(agenda_item::Column::DecidedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let mut out: HashMap<DecisionsOf, Vec<agenda_item::Model>> = HashMap::new();
        for l in links {
            if let Some(i) = items.get(&l.agenda_item_id) {
                out.entry(DecisionsOf(l.appeal_id)).or_default().push(i.clone());
            }
        }
        for v in out.values_mut() {
            v.sort_by_key(|i| i.decided_at);
        }
        Ok(out)
    }
}
