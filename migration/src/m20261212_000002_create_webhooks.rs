//! Webhooks of partner departments and their outbox: `webhook` (an HTTPS endpoint a street's
//! administrator registered for a unit, with the secret its deliveries are signed with) and
//! `webhook_delivery` (one row per task event and endpoint, written in the change's own
//! transaction, with its delivery state). Deliveries are tenant rows (`community_id`), protected
//! by row-level security on PostgreSQL like every other.
use crate::m20261126_000001_create_regions::Region;
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000003_create_co_building_units::CoBuildingUnit;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(pk_uuid(Webhook::Id))
                    .col(uuid(Webhook::StreetId))
                    .col(uuid(Webhook::UnitId))
                    .col(string_len(Webhook::Url, 2048))
                    .col(string_len(Webhook::Secret, 128))
                    .col(boolean(Webhook::Enabled))
                    .col(string(Webhook::CreatedBy))
                    .col(timestamp_with_time_zone(Webhook::CreatedAt))
                    .col(timestamp_with_time_zone_null(Webhook::DisabledAt))
                    .foreign_key(ForeignKey::create().from(Webhook::Table, Webhook::StreetId).to(Region::Table, Region::Id))
                    .foreign_key(ForeignKey::create().from(Webhook::Table, Webhook::UnitId).to(CoBuildingUnit::Table, CoBuildingUnit::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("webhook_unit").table(Webhook::Table).col(Webhook::UnitId).col(Webhook::Id).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(pk_uuid(WebhookDelivery::Id))
                    .col(uuid(WebhookDelivery::CommunityId))
                    .col(uuid(WebhookDelivery::WebhookId))
                    .col(uuid(WebhookDelivery::TaskId))
                    .col(uuid(WebhookDelivery::EventId))
                    .col(string_len(WebhookDelivery::Status, 16))
                    .col(integer(WebhookDelivery::Attempts))
                    .col(text_null(WebhookDelivery::LastError))
                    .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::LeaseUntil))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(WebhookDelivery::Table, WebhookDelivery::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDelivery::Table, WebhookDelivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("webhook_delivery_community_webhook", vec![WebhookDelivery::CommunityId, WebhookDelivery::WebhookId, WebhookDelivery::Id]),
            (
                "webhook_delivery_community_task",
                vec![WebhookDelivery::CommunityId, WebhookDelivery::WebhookId, WebhookDelivery::TaskId, WebhookDelivery::EventId],
            ),
            ("webhook_delivery_community_due", vec![WebhookDelivery::CommunityId, WebhookDelivery::Status, WebhookDelivery::NextAttemptAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(WebhookDelivery::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&crate::m20261210_000001_row_level_security::protect("webhook_delivery", false, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookDelivery::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Webhook::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    StreetId,
    UnitId,
    Url,
    Secret,
    Enabled,
    CreatedBy,
    CreatedAt,
    DisabledAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    CommunityId,
    WebhookId,
    TaskId,
    EventId,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    LeaseUntil,
    DeliveredAt,
    CreatedAt,
}
