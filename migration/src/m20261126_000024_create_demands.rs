//! The demand list (需求清单): what a community needs volunteers for.
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
                    .table(Demand::Table)
                    .col(pk_uuid(Demand::Id))
                    .col(uuid(Demand::CommunityId))
                    .col(uuid(Demand::CategoryId))
                    .col(string(Demand::Title))
                    .col(text(Demand::Description))
                    .col(uuid_null(Demand::CompoundId))
                    .col(string_null(Demand::Place))
                    .col(timestamp_with_time_zone(Demand::StartsAt))
                    .col(timestamp_with_time_zone(Demand::EndsAt))
                    .col(integer(Demand::Headcount))
                    .col(text(Demand::SkillsWanted))
                    .col(string_len(Demand::Status, 16))
                    .col(string(Demand::CreatedBy))
                    .col(timestamp_with_time_zone(Demand::CreatedAt))
                    .col(integer(Demand::Version))
                    .foreign_key(ForeignKey::create().from(Demand::Table, Demand::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(
                        ForeignKey::create().from(Demand::Table, Demand::CategoryId).to(ServiceCategory::Table, ServiceCategory::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("demand_community_id").table(Demand::Table).col(Demand::CommunityId).col(Demand::Id).to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Demand::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Demand {
    Table,
    Id,
    CommunityId,
    CategoryId,
    Title,
    Description,
    CompoundId,
    Place,
    StartsAt,
    EndsAt,
    Headcount,
    SkillsWanted,
    Status,
    CreatedBy,
    CreatedAt,
    Version,
}
