//! Assignments (指派): a task's share for one co-building unit.
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000003_create_co_building_units::CoBuildingUnit;
use crate::m20261126_000013_create_tasks::Task;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Assignment::Table)
                    .col(pk_uuid(Assignment::Id))
                    .col(uuid(Assignment::CommunityId))
                    .col(uuid(Assignment::TaskId))
                    .col(uuid(Assignment::UnitId))
                    .col(string_len(Assignment::Role, 16))
                    .col(string_len(Assignment::Status, 16))
                    .col(string_null(Assignment::DeclineReason))
                    .col(string_null(Assignment::Note))
                    .col(timestamp_with_time_zone(Assignment::CreatedAt))
                    .col(timestamp_with_time_zone(Assignment::UpdatedAt))
                    .col(integer(Assignment::Version))
                    .foreign_key(ForeignKey::create().from(Assignment::Table, Assignment::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Assignment::Table, Assignment::TaskId).to(Task::Table, Task::Id))
                    .foreign_key(
                        ForeignKey::create().from(Assignment::Table, Assignment::UnitId).to(CoBuildingUnit::Table, CoBuildingUnit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("assignment_community_task_unit")
                    .table(Assignment::Table)
                    .col(Assignment::CommunityId)
                    .col(Assignment::TaskId)
                    .col(Assignment::UnitId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("assignment_community_unit")
                    .table(Assignment::Table)
                    .col(Assignment::CommunityId)
                    .col(Assignment::UnitId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Assignment::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Assignment {
    Table,
    Id,
    CommunityId,
    TaskId,
    UnitId,
    Role,
    Status,
    DeclineReason,
    Note,
    CreatedAt,
    UpdatedAt,
    Version,
}
