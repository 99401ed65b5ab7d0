//! DataLoaders of the volunteer service, one per request with its scope; every batch applies
//! the same visibility rules as the service.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{activity, check_in, demand, invitation, service_category, sign_up, volunteer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::matching::{self, ScoreParts};
use super::visibility::{check_in_filter, published_filter, sign_up_filter, staff_filter, volunteer_filter};
use crate::auth::Scope;
use crate::cx::Cx;
use crate::error::AppError;
use crate::graphql::batch::{by, group, loader_key};

/// Rows by id: the noun's ids (service category shared reference data, the rest scoped).
pub use super::ids::{ActivityId, CategoryId, CheckInId, DemandId, InvitationId, SignUpId, VolunteerId};

/// Batches and caches volunteer-service relations for one request.
pub struct VolunteerLoader {
    db: crate::db::Db,
    scope: Scope,
    /// A service context with this loader's scope, for the matching services it calls
    /// (read-only: it announces nothing). Built once per request, with the loader.
    cx: Cx,
}

/// This request's volunteer loader (built for each request by the root, see `graphql::request_data`).
pub fn volunteer_loader<'a>(
    ctx: &async_graphql::Context<'a>,
) -> Result<&'a async_graphql::dataloader::DataLoader<VolunteerLoader, async_graphql::dataloader::HashMapCache>, AppError> {
    ctx.data::<async_graphql::dataloader::DataLoader<VolunteerLoader, async_graphql::dataloader::HashMapCache>>()
        .map_err(|_| AppError::internal("volunteer loader missing"))
}

impl VolunteerLoader {
    pub fn new(db: crate::db::Db, scope: Scope) -> Self {
        let cx = Cx::new(scope.clone(), db.clone(), "loader", crate::changes::Changes::default());
        VolunteerLoader { db, scope, cx }
    }
}

loader_key!(/// The sign-ups of an activity.
    SignUpsOf);
loader_key!(/// The invitations to a demand.
    InvitationsOf);
loader_key!(/// The ranked volunteers for a demand.
    SuggestedVolunteers);
loader_key!(/// The ranked open demands for a volunteer.
    SuggestedDemands);

impl Loader<CategoryId> for VolunteerLoader {
    type Value = service_category::Model;
    type Error = AppError;
    async fn load(&self, keys: &[CategoryId]) -> Result<HashMap<CategoryId, Self::Value>, Self::Error> {
        if self.scope.require_authenticated().is_err() {
            return Ok(HashMap::new());
        }
        let rows =
            service_category::Entity::find().filter(service_category::Column::Id.is_in(keys.iter().map(|k| k.0))).all(&self.db).await?;
        Ok(by(rows, |m| CategoryId(m.id)))
    }
}

impl Loader<VolunteerId> for VolunteerLoader {
    type Value = volunteer::Model;
    type Error = AppError;
    async fn load(&self, keys: &[VolunteerId]) -> Result<HashMap<VolunteerId, Self::Value>, Self::Error> {
        let rows = volunteer::Entity::find()
            .filter(volunteer::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(volunteer_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| VolunteerId(m.id)))
    }
}

impl Loader<CheckInId> for VolunteerLoader {
    type Value = check_in::Model;
    type Error = AppError;
    async fn load(&self, keys: &[CheckInId]) -> Result<HashMap<CheckInId, Self::Value>, Self::Error> {
        let rows = check_in::Entity::find()
            .filter(check_in::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(check_in_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| CheckInId(m.id)))
    }
}

impl Loader<DemandId> for VolunteerLoader {
    type Value = demand::Model;
    type Error = AppError;
    async fn load(&self, keys: &[DemandId]) -> Result<HashMap<DemandId, Self::Value>, Self::Error> {
        let rows = demand::Entity::find()
            .filter(demand::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(published_filter(&self.scope, demand::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| DemandId(m.id)))
    }
}

impl Loader<ActivityId> for VolunteerLoader {
    type Value = activity::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ActivityId]) -> Result<HashMap<ActivityId, Self::Value>, Self::Error> {
        let rows = activity::Entity::find()
            .filter(activity::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(published_filter(&self.scope, activity::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ActivityId(m.id)))
    }
}

impl Loader<SignUpId> for VolunteerLoader {
    type Value = sign_up::Model;
    type Error = AppError;
    async fn load(&self, keys: &[SignUpId]) -> Result<HashMap<SignUpId, Self::Value>, Self::Error> {
        let rows = sign_up::Entity::find()
            .filter(sign_up::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(sign_up_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| SignUpId(m.id)))
    }
}

impl Loader<SignUpsOf> for VolunteerLoader {
    type Value = Vec<sign_up::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[SignUpsOf]) -> Result<HashMap<SignUpsOf, Self::Value>, Self::Error> {
        let rows = sign_up::Entity::find()
            .filter(sign_up::Column::ActivityId.is_in(keys.iter().map(|k| k.0)))
            .filter(sign_up_filter(&self.scope))
            .order_by_asc(sign_up::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| SignUpsOf(m.activity_id)))
    }
}

impl Loader<InvitationsOf> for VolunteerLoader {
    type Value = Vec<invitation::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[InvitationsOf]) -> Result<HashMap<InvitationsOf, Self::Value>, Self::Error> {
        // Invitations are staff business: only communities the caller is staff of.
        let rows = invitation::Entity::find()
            .filter(invitation::Column::DemandId.is_in(keys.iter().map(|k| k.0)))
            .filter(staff_filter(&self.scope, invitation::Column::CommunityId))
            .order_by_asc(invitation::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| InvitationsOf(m.demand_id)))
    }
}

impl Loader<InvitationId> for VolunteerLoader {
    type Value = invitation::Model;
    type Error = AppError;
    async fn load(&self, keys: &[InvitationId]) -> Result<HashMap<InvitationId, Self::Value>, Self::Error> {
        let rows = invitation::Entity::find()
            .filter(invitation::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(staff_filter(&self.scope, invitation::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| InvitationId(m.id)))
    }
}

impl Loader<SuggestedVolunteers> for VolunteerLoader {
    type Value = Vec<(volunteer::Model, ScoreParts)>;
    type Error = AppError;
    async fn load(&self, keys: &[SuggestedVolunteers]) -> Result<HashMap<SuggestedVolunteers, Self::Value>, Self::Error> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|k| k.0).collect();
        let ranked = matching::suggested_volunteers(&self.cx, &ids).await?;
        Ok(ranked.into_iter().map(|(k, v)| (SuggestedVolunteers(k), v)).collect())
    }
}

impl Loader<SuggestedDemands> for VolunteerLoader {
    type Value = Vec<(demand::Model, ScoreParts)>;
    type Error = AppError;
    async fn load(&self, keys: &[SuggestedDemands]) -> Result<HashMap<SuggestedDemands, Self::Value>, Self::Error> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|k| k.0).collect();
        let ranked = matching::suggested_demands(&self.cx, &ids).await?;
        Ok(ranked.into_iter().map(|(k, v)| (SuggestedDemands(k), v)).collect())
    }
}
