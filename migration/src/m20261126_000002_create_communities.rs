//! Communities: the tenants.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_regions::Region;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Community::Table)
                    .col(pk_uuid(Community::Id))
                    .col(uuid(Community::StreetId))
                    .col(string_len(Community::Code, 64))
                    .col(string(Community::Name))
                    .col(timestamp_with_time_zone(Community::CreatedAt))
                    .foreign_key(ForeignKey::create().from(Community::Table, Community::StreetId).to(Region::Table, Region::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("community_street_code")
                    .table(Community::Table)
                    .col(Community::StreetId)
                    .col(Community::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("community_code").table(Community::Table).col(Community::Code).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Community::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Community {
    Table,
    Id,
    StreetId,
    Code,
    Name,
    CreatedAt,
}
