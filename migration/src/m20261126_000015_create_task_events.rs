//! The timeline of a task: every transition, assignment change and comment.
use crate::m20261126_000002_create_communities::Community;
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
                    .table(TaskEvent::Table)
                    .col(pk_uuid(TaskEvent::Id))
                    .col(uuid(TaskEvent::CommunityId))
                    .col(uuid(TaskEvent::TaskId))
                    .col(string_len(TaskEvent::Kind, 32))
                    .col(string_len_null(TaskEvent::FromStatus, 16))
                    .col(string_len_null(TaskEvent::ToStatus, 16))
                    .col(uuid_null(TaskEvent::AssignmentId))
                    .col(uuid_null(TaskEvent::UnitId))
                    .col(string_len_null(TaskEvent::Level, 16))
                    .col(string_len(TaskEvent::ActorKind, 32))
                    .col(string(TaskEvent::Actor))
                    .col(text_null(TaskEvent::Note))
                    .col(text(TaskEvent::Evidence))
                    .col(timestamp_with_time_zone(TaskEvent::CreatedAt))
                    .foreign_key(ForeignKey::create().from(TaskEvent::Table, TaskEvent::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(TaskEvent::Table, TaskEvent::TaskId).to(Task::Table, Task::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("task_event_community_task")
                    .table(TaskEvent::Table)
                    .col(TaskEvent::CommunityId)
                    .col(TaskEvent::TaskId)
                    .col(TaskEvent::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("task_event_community_id")
                    .table(TaskEvent::Table)
                    .col(TaskEvent::CommunityId)
                    .col(TaskEvent::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TaskEvent::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum TaskEvent {
    Table,
    Id,
    CommunityId,
    TaskId,
    Kind,
    FromStatus,
    ToStatus,
    AssignmentId,
    UnitId,
    Level,
    ActorKind,
    Actor,
    Note,
    Evidence,
    CreatedAt,
}
