//! One audit record: who did what to which object, in which community, in which request.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub street_id: Uuid,
    pub community_id: Option<Uuid>,
    pub principal_kind: String,
    pub principal: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Uuid>,
    /// JSON object summarising the change (no personal data).
    pub summary: String,
    /// The server's id of the request that made the change.
    pub request_id: String,
    /// The `x-request-id` the client sent, if any.
    pub client_request_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
