//! Collaboration tasks a renovation project spawned for its units: one row per task (a task
//! belongs to one project at most), written in the same transaction as the task. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000013_create_tasks::Task;
use crate::m20261204_000001_create_projects::Project;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectTask::Table)
                    .col(pk_uuid(ProjectTask::TaskId))
                    .col(uuid(ProjectTask::CommunityId))
                    .col(uuid(ProjectTask::ProjectId))
                    .col(timestamp_with_time_zone(ProjectTask::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(ProjectTask::Table, ProjectTask::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(ForeignKey::create().from(ProjectTask::Table, ProjectTask::TaskId).to(Task::Table, Task::Id))
                    .foreign_key(ForeignKey::create().from(ProjectTask::Table, ProjectTask::ProjectId).to(Project::Table, Project::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("project_task_community_project")
                    .table(ProjectTask::Table)
                    .col(ProjectTask::CommunityId)
                    .col(ProjectTask::ProjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ProjectTask::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum ProjectTask {
    Table,
    TaskId,
    CommunityId,
    ProjectId,
    CreatedAt,
}
