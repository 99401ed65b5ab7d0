//! Inspections (巡查) by patrol teams at sites.
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000012_create_sites::Site;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Inspection::Table)
                    .col(pk_uuid(Inspection::Id))
                    .col(uuid(Inspection::CommunityId))
                    .col(uuid_null(Inspection::SiteId))
                    .col(string(Inspection::Patrol))
                    .col(timestamp_with_time_zone(Inspection::InspectedAt))
                    .col(text_null(Inspection::Note))
                    .col(string(Inspection::CreatedBy))
                    .col(timestamp_with_time_zone(Inspection::CreatedAt))
                    .foreign_key(ForeignKey::create().from(Inspection::Table, Inspection::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Inspection::Table, Inspection::SiteId).to(Site::Table, Site::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("inspection_community_id")
                    .table(Inspection::Table)
                    .col(Inspection::CommunityId)
                    .col(Inspection::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Inspection::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Inspection {
    Table,
    Id,
    CommunityId,
    SiteId,
    Patrol,
    InspectedAt,
    Note,
    CreatedBy,
    CreatedAt,
}
