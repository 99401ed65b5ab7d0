//! Sites: places inside a community where work happens.
use crate::m20261126_000002_create_communities::Community;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Site::Table)
                    .col(pk_uuid(Site::Id))
                    .col(uuid(Site::CommunityId))
                    .col(string(Site::Name))
                    .col(string_len(Site::Kind, 32))
                    .col(uuid_null(Site::CompoundId))
                    .col(string_null(Site::Address))
                    .col(timestamp_with_time_zone(Site::CreatedAt))
                    .foreign_key(ForeignKey::create().from(Site::Table, Site::CommunityId).to(Community::Table, Community::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("site_community_name").table(Site::Table).col(Site::CommunityId).col(Site::Name).unique().to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Site::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Site {
    Table,
    Id,
    CommunityId,
    Name,
    Kind,
    CompoundId,
    Address,
    CreatedAt,
}
