//! Buildings and lanes (楼栋 / 街巷) inside compounds, each with a label and a households count.
//! Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000005_create_compounds::Compound;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Building::Table)
                    .col(pk_uuid(Building::Id))
                    .col(uuid(Building::CommunityId))
                    .col(uuid(Building::CompoundId))
                    .col(string_len(Building::Kind, 16))
                    .col(string(Building::Label))
                    .col(integer(Building::Households))
                    .col(integer(Building::Version))
                    .col(timestamp_with_time_zone(Building::CreatedAt))
                    .foreign_key(ForeignKey::create().from(Building::Table, Building::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Building::Table, Building::CompoundId).to(Compound::Table, Compound::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("building_community_compound_label")
                    .table(Building::Table)
                    .col(Building::CommunityId)
                    .col(Building::CompoundId)
                    .col(Building::Label)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Building::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Building {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Kind,
    Label,
    Households,
    Version,
    CreatedAt,
}
