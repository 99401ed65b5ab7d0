//! DataLoaders of consultative democracy, one per request with its scope and the caller's ties;
//! every batch reads through `deliberation::visibility`, as the service does.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::venue::VenueKind;
use entity::{appeal, appeal_support, enterprise, venue};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::OnceCell;

use super::visibility::{self, Ties};
use crate::auth::Scope;
use crate::error::AppError;
use crate::graphql::batch::{by, loader_key};

/// Rows by id.
pub use super::ids::{AppealId, EnterpriseId, VenueId};

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
}

loader_key!(/// The deliberation station of a compound.
    StationOf);
loader_key!(/// An appeal as the public board shows it.
    BoardAppealId);
loader_key!(/// Whether the caller supports an appeal (present when they do).
    SupportedByMe);

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
