//! Campaigns (专项行动): street-level actions that span communities.
use crate::m20261126_000001_create_regions::Region;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Campaign::Table)
                    .col(pk_uuid(Campaign::Id))
                    .col(uuid(Campaign::StreetId))
                    .col(string(Campaign::Name))
                    .col(text(Campaign::Goal))
                    .col(date(Campaign::StartsOn))
                    .col(date_null(Campaign::EndsOn))
                    .col(uuid_null(Campaign::LeadOrganizationId))
                    .col(integer(Campaign::Version))
                    .col(timestamp_with_time_zone(Campaign::CreatedAt))
                    .col(timestamp_with_time_zone(Campaign::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Campaign::Table, Campaign::StreetId).to(Region::Table, Region::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("campaign_street").table(Campaign::Table).col(Campaign::StreetId).col(Campaign::Id).to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Campaign::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Campaign {
    Table,
    Id,
    StreetId,
    Name,
    Goal,
    StartsOn,
    EndsOn,
    LeadOrganizationId,
    Version,
    CreatedAt,
    UpdatedAt,
}
