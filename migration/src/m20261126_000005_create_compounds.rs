//! Compounds (小区) and other sites of a community. Tenant data.
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
                    .table(Compound::Table)
                    .col(pk_uuid(Compound::Id))
                    .col(uuid(Compound::CommunityId))
                    .col(string(Compound::Name))
                    .col(string_len(Compound::Kind, 32))
                    .col(integer_null(Compound::BuiltYear))
                    .col(integer_null(Compound::Households))
                    .col(string_null(Compound::Address))
                    .col(integer(Compound::Version))
                    .col(timestamp_with_time_zone(Compound::CreatedAt))
                    .col(timestamp_with_time_zone(Compound::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Compound::Table, Compound::CommunityId).to(Community::Table, Community::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("compound_community_name")
                    .table(Compound::Table)
                    .col(Compound::CommunityId)
                    .col(Compound::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("compound_community_id")
                    .table(Compound::Table)
                    .col(Compound::CommunityId)
                    .col(Compound::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Compound::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Compound {
    Table,
    Id,
    CommunityId,
    Name,
    Kind,
    BuiltYear,
    Households,
    Address,
    Version,
    CreatedAt,
    UpdatedAt,
}
