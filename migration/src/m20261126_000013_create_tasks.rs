//! Tasks (任务): tenant work items with an explicit workflow.
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000010_create_campaigns::Campaign;
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
                    .table(Task::Table)
                    .col(pk_uuid(Task::Id))
                    .col(uuid(Task::CommunityId))
                    .col(uuid_null(Task::CampaignId))
                    .col(uuid_null(Task::SiteId))
                    .col(string(Task::Title))
                    .col(text(Task::Description))
                    .col(string_len(Task::Category, 32))
                    .col(string_len(Task::Priority, 16))
                    .col(string_len(Task::Status, 16))
                    .col(string_len(Task::Level, 16))
                    .col(timestamp_with_time_zone_null(Task::DueAt))
                    .col(text(Task::Evidence))
                    .col(string(Task::ReportedBy))
                    .col(timestamp_with_time_zone(Task::CreatedAt))
                    .col(timestamp_with_time_zone(Task::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Task::ResolvedAt))
                    .col(timestamp_with_time_zone_null(Task::ClosedAt))
                    .col(timestamp_with_time_zone_null(Task::EscalatedAt))
                    .col(integer(Task::Version))
                    .foreign_key(ForeignKey::create().from(Task::Table, Task::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Task::Table, Task::CampaignId).to(Campaign::Table, Campaign::Id))
                    .foreign_key(ForeignKey::create().from(Task::Table, Task::SiteId).to(Site::Table, Site::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("task_community_id").table(Task::Table).col(Task::CommunityId).col(Task::Id).to_owned())
            .await?;
        manager
            .create_index(
                Index::create().name("task_community_status").table(Task::Table).col(Task::CommunityId).col(Task::Status).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("task_community_campaign").table(Task::Table).col(Task::CommunityId).col(Task::CampaignId).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("task_community_level_due")
                    .table(Task::Table)
                    .col(Task::CommunityId)
                    .col(Task::Level)
                    .col(Task::DueAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Task::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Task {
    Table,
    Id,
    CommunityId,
    CampaignId,
    SiteId,
    Title,
    Description,
    Category,
    Priority,
    Status,
    Level,
    DueAt,
    Evidence,
    ReportedBy,
    CreatedAt,
    UpdatedAt,
    ResolvedAt,
    ClosedAt,
    EscalatedAt,
    Version,
}
