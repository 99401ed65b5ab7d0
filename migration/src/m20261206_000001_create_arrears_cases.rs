//! Property-fee arrears cases (物业费催缴) of compounds: a household named by its building or lane
//! and its door only (no name, no phone), the amount owed in whole fen, since when, and the
//! outcome (OPEN until one is reached: PAID, PLAN_AGREED with the plan, REFUSED, ESCALATED with
//! the reason). One case per door not yet paid (a unique partial index), so a paid household may
//! fall behind again and get a new case. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000005_create_compounds::Compound;
use crate::m20261202_000001_create_buildings::Building;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ArrearsCase::Table)
                    .col(pk_uuid(ArrearsCase::Id))
                    .col(uuid(ArrearsCase::CommunityId))
                    .col(uuid(ArrearsCase::CompoundId))
                    .col(uuid(ArrearsCase::BuildingId))
                    .col(string_len(ArrearsCase::Door, 20))
                    .col(big_integer(ArrearsCase::AmountOwedFen))
                    .col(date(ArrearsCase::OwedSince))
                    .col(string_len(ArrearsCase::Status, 16))
                    .col(string_null(ArrearsCase::Plan))
                    .col(string_null(ArrearsCase::EscalationReason))
                    .col(string_null(ArrearsCase::Note))
                    .col(string_null(ArrearsCase::OutcomeNote))
                    .col(timestamp_with_time_zone_null(ArrearsCase::OutcomeAt))
                    .col(string_len(ArrearsCase::OpenedAs, 32))
                    .col(string(ArrearsCase::CreatedBy))
                    .col(integer(ArrearsCase::Version))
                    .col(timestamp_with_time_zone(ArrearsCase::CreatedAt))
                    .col(timestamp_with_time_zone(ArrearsCase::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create().from(ArrearsCase::Table, ArrearsCase::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(ForeignKey::create().from(ArrearsCase::Table, ArrearsCase::CompoundId).to(Compound::Table, Compound::Id))
                    .foreign_key(ForeignKey::create().from(ArrearsCase::Table, ArrearsCase::BuildingId).to(Building::Table, Building::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("arrears_case_community_compound")
                    .table(ArrearsCase::Table)
                    .col(ArrearsCase::CommunityId)
                    .col(ArrearsCase::CompoundId)
                    .to_owned(),
            )
            .await?;
        // One case per door not yet paid, whichever opening commits first.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX arrears_case_unpaid_door ON arrears_case (community_id, building_id, door) WHERE status <> 'PAID'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ArrearsCase::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum ArrearsCase {
    Table,
    Id,
    CommunityId,
    CompoundId,
    BuildingId,
    Door,
    AmountOwedFen,
    OwedSince,
    Status,
    Plan,
    EscalationReason,
    Note,
    OutcomeNote,
    OutcomeAt,
    OpenedAs,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}
