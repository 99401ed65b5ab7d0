//! Regions: the city and its streets (shared, not tenant data).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Region::Table)
                    .col(pk_uuid(Region::Id))
                    .col(uuid_null(Region::ParentId))
                    .col(string_len(Region::Kind, 16))
                    .col(string_len(Region::Code, 64))
                    .col(string(Region::Name))
                    .col(string_null(Region::CommitteeName))
                    .col(timestamp_with_time_zone(Region::CreatedAt))
                    .foreign_key(ForeignKey::create().from(Region::Table, Region::ParentId).to(Region::Table, Region::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("region_kind_code").table(Region::Table).col(Region::Kind).col(Region::Code).unique().to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Region::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Region {
    Table,
    Id,
    ParentId,
    Kind,
    Code,
    Name,
    CommitteeName,
    CreatedAt,
}
