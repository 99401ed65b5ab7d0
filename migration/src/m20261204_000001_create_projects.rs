//! Renovation projects (微改造) of compounds: gate access, drains, road markings, car parks. A
//! project's funding is one amount in integer fen per source (maintenance fund, shared income,
//! a department, the street), its budget their sum; the co-building unit that brokers it; a status
//! from PROPOSED to DONE, or DROPPED with a reason. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000003_create_co_building_units::CoBuildingUnit;
use crate::m20261126_000005_create_compounds::Compound;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Project::Table)
                    .col(pk_uuid(Project::Id))
                    .col(uuid(Project::CommunityId))
                    .col(uuid(Project::CompoundId))
                    .col(string(Project::Title))
                    .col(text(Project::Scope))
                    .col(string_len(Project::Kind, 16))
                    .col(uuid(Project::BrokerUnitId))
                    .col(string_len(Project::Status, 16))
                    .col(big_integer(Project::MaintenanceFundFen))
                    .col(big_integer(Project::SharedIncomeFen))
                    .col(big_integer(Project::DepartmentFen))
                    .col(big_integer(Project::StreetFen))
                    .col(big_integer(Project::BudgetFen))
                    .col(string(Project::ProposedBy))
                    .col(string_len(Project::ProposedAs, 32))
                    .col(string_null(Project::DropReason))
                    .col(timestamp_with_time_zone_null(Project::ApprovedAt))
                    .col(timestamp_with_time_zone_null(Project::StartedAt))
                    .col(timestamp_with_time_zone_null(Project::DoneAt))
                    .col(timestamp_with_time_zone_null(Project::DroppedAt))
                    .col(integer(Project::Version))
                    .col(timestamp_with_time_zone(Project::CreatedAt))
                    .col(timestamp_with_time_zone(Project::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Project::Table, Project::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Project::Table, Project::CompoundId).to(Compound::Table, Compound::Id))
                    .foreign_key(
                        ForeignKey::create().from(Project::Table, Project::BrokerUnitId).to(CoBuildingUnit::Table, CoBuildingUnit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("project_community_compound")
                    .table(Project::Table)
                    .col(Project::CommunityId)
                    .col(Project::CompoundId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("project_community_broker")
                    .table(Project::Table)
                    .col(Project::CommunityId)
                    .col(Project::BrokerUnitId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Project::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Project {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Title,
    Scope,
    Kind,
    BrokerUnitId,
    Status,
    MaintenanceFundFen,
    SharedIncomeFen,
    DepartmentFen,
    StreetFen,
    BudgetFen,
    ProposedBy,
    ProposedAs,
    DropReason,
    ApprovedAt,
    StartedAt,
    DoneAt,
    DroppedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}
