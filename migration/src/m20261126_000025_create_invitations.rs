//! Invitations of suggested volunteers to a demand.
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000022_create_volunteers::Volunteer;
use crate::m20261126_000024_create_demands::Demand;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Invitation::Table)
                    .col(pk_uuid(Invitation::Id))
                    .col(uuid(Invitation::CommunityId))
                    .col(uuid(Invitation::DemandId))
                    .col(uuid(Invitation::VolunteerId))
                    .col(string_len(Invitation::Status, 16))
                    .col(timestamp_with_time_zone(Invitation::CreatedAt))
                    .col(timestamp_with_time_zone_null(Invitation::RespondedAt))
                    .foreign_key(ForeignKey::create().from(Invitation::Table, Invitation::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Invitation::Table, Invitation::DemandId).to(Demand::Table, Demand::Id))
                    .foreign_key(ForeignKey::create().from(Invitation::Table, Invitation::VolunteerId).to(Volunteer::Table, Volunteer::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("invitation_community_demand_volunteer")
                    .table(Invitation::Table)
                    .col(Invitation::CommunityId)
                    .col(Invitation::DemandId)
                    .col(Invitation::VolunteerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Invitation::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Invitation {
    Table,
    Id,
    CommunityId,
    DemandId,
    VolunteerId,
    Status,
    CreatedAt,
    RespondedAt,
}
