//! Volunteer activities (活动): capacity, time, place, residents served.
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000020_create_service_categories::ServiceCategory;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Activity::Table)
                    .col(pk_uuid(Activity::Id))
                    .col(uuid(Activity::CommunityId))
                    .col(uuid_null(Activity::DemandId))
                    .col(uuid(Activity::CategoryId))
                    .col(string(Activity::Title))
                    .col(text(Activity::Description))
                    .col(string(Activity::Place))
                    .col(timestamp_with_time_zone(Activity::StartsAt))
                    .col(timestamp_with_time_zone(Activity::EndsAt))
                    .col(integer(Activity::Capacity))
                    .col(string(Activity::Organizer))
                    .col(string_len(Activity::Status, 16))
                    .col(integer(Activity::ResidentsServed))
                    .col(string_len_null(Activity::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(Activity::CodeExpiresAt))
                    .col(timestamp_with_time_zone(Activity::CreatedAt))
                    .col(integer(Activity::Version))
                    .foreign_key(ForeignKey::create().from(Activity::Table, Activity::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(
                        ForeignKey::create().from(Activity::Table, Activity::CategoryId).to(ServiceCategory::Table, ServiceCategory::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_community_id")
                    .table(Activity::Table)
                    .col(Activity::CommunityId)
                    .col(Activity::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_community_starts")
                    .table(Activity::Table)
                    .col(Activity::CommunityId)
                    .col(Activity::StartsAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Activity::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Activity {
    Table,
    Id,
    CommunityId,
    DemandId,
    CategoryId,
    Title,
    Description,
    Place,
    StartsAt,
    EndsAt,
    Capacity,
    Organizer,
    Status,
    ResidentsServed,
    CodeHash,
    CodeExpiresAt,
    CreatedAt,
    Version,
}
