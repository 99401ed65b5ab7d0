//! Action items (落实) of a decision: what is to be done, by whom (a party organisation, a seated
//! unit, the property manager or a person), by when, OPEN until done; an action that needs
//! departments is a collaboration task (task_id), which closes it when VERIFIED. Tenant data.
use sea_orm::entity::prelude::*;

pub use crate::meeting_participant::PartyKind;

/// Where an action item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ActionStatus {
    /// To be done.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Done.
    #[sea_orm(string_value = "DONE")]
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub agenda_item_id: Uuid,
    pub title: String,
    pub owner_kind: PartyKind,
    pub owner_id: Uuid,
    pub due_on: Date,
    pub status: ActionStatus,
    pub task_id: Option<Uuid>,
    pub done_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
