//! One change of an appeal, as its timeline and live subscribers see it: what was done (the
//! mutation's name), the state, tier and supporters count after it, and when. Tenant data.
use sea_orm::entity::prelude::*;

pub use crate::appeal::{AppealState, AppealTier};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appeal_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub appeal_id: Uuid,
    /// What was done: the mutation's (or job's) name, e.g. `acceptAppeal`, `escalateAppeal`.
    pub kind: String,
    pub state: AppealState,
    pub tier: AppealTier,
    pub supporters: i32,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
