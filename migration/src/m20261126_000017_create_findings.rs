//! Findings of an inspection; one may be turned into a task.
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000013_create_tasks::Task;
use crate::m20261126_000016_create_inspections::Inspection;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Finding::Table)
                    .col(pk_uuid(Finding::Id))
                    .col(uuid(Finding::CommunityId))
                    .col(uuid(Finding::InspectionId))
                    .col(text(Finding::Description))
                    .col(string_len(Finding::Category, 32))
                    .col(text(Finding::Evidence))
                    .col(uuid_null(Finding::TaskId))
                    .col(timestamp_with_time_zone(Finding::CreatedAt))
                    .foreign_key(ForeignKey::create().from(Finding::Table, Finding::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Finding::Table, Finding::InspectionId).to(Inspection::Table, Inspection::Id))
                    .foreign_key(ForeignKey::create().from(Finding::Table, Finding::TaskId).to(Task::Table, Task::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("finding_community_inspection")
                    .table(Finding::Table)
                    .col(Finding::CommunityId)
                    .col(Finding::InspectionId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Finding::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Finding {
    Table,
    Id,
    CommunityId,
    InspectionId,
    Description,
    Category,
    Evidence,
    TaskId,
    CreatedAt,
}
