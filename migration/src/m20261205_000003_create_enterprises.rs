//! Enterprises named in a community (辖区企业), for whom staff raise appeals (我为企业解难题). A
//! name is unique in its community. Tenant data; an enterprise has no login.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enterprise::Table)
                    .col(pk_uuid(Enterprise::Id))
                    .col(uuid(Enterprise::CommunityId))
                    .col(string(Enterprise::Name))
                    .col(string_null(Enterprise::Address))
                    .col(integer(Enterprise::Version))
                    .col(timestamp_with_time_zone(Enterprise::CreatedAt))
                    .foreign_key(ForeignKey::create().from(Enterprise::Table, Enterprise::CommunityId).to(Community::Table, Community::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("enterprise_community_name")
                    .table(Enterprise::Table)
                    .col(Enterprise::CommunityId)
                    .col(Enterprise::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Enterprise::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Enterprise {
    Table,
    Id,
    CommunityId,
    Name,
    Address,
    Version,
    CreatedAt,
}
