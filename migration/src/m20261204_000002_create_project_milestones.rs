//! Milestones of renovation projects: a title, a date, http(s) evidence links (a JSON list), done
//! or not. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261204_000001_create_projects::Project;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectMilestone::Table)
                    .col(pk_uuid(ProjectMilestone::Id))
                    .col(uuid(ProjectMilestone::CommunityId))
                    .col(uuid(ProjectMilestone::ProjectId))
                    .col(string(ProjectMilestone::Title))
                    .col(date(ProjectMilestone::DueOn))
                    .col(text(ProjectMilestone::Evidence))
                    .col(boolean(ProjectMilestone::Done))
                    .col(date_null(ProjectMilestone::DoneOn))
                    .col(integer(ProjectMilestone::Version))
                    .col(timestamp_with_time_zone(ProjectMilestone::CreatedAt))
                    .col(timestamp_with_time_zone(ProjectMilestone::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProjectMilestone::Table, ProjectMilestone::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(ProjectMilestone::Table, ProjectMilestone::ProjectId).to(Project::Table, Project::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("project_milestone_community_project")
                    .table(ProjectMilestone::Table)
                    .col(ProjectMilestone::CommunityId)
                    .col(ProjectMilestone::ProjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ProjectMilestone::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum ProjectMilestone {
    Table,
    Id,
    CommunityId,
    ProjectId,
    Title,
    DueOn,
    Evidence,
    Done,
    DoneOn,
    Version,
    CreatedAt,
    UpdatedAt,
}
