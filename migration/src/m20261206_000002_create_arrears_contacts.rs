//! Contact attempts on property-fee arrears cases: the day, the channel (a visit, a call, a
//! notice), what came of it, and who recorded it. Each row carries its case's compound and
//! building, so that it is filtered as its case is. Append-only. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261206_000001_create_arrears_cases::ArrearsCase;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ArrearsContact::Table)
                    .col(pk_uuid(ArrearsContact::Id))
                    .col(uuid(ArrearsContact::CommunityId))
                    .col(uuid(ArrearsContact::CaseId))
                    .col(uuid(ArrearsContact::CompoundId))
                    .col(uuid(ArrearsContact::BuildingId))
                    .col(date(ArrearsContact::ContactedOn))
                    .col(string_len(ArrearsContact::Channel, 16))
                    .col(string(ArrearsContact::Result))
                    .col(string(ArrearsContact::RecordedBy))
                    .col(string_len(ArrearsContact::RecordedAs, 32))
                    .col(timestamp_with_time_zone(ArrearsContact::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(ArrearsContact::Table, ArrearsContact::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(ArrearsContact::Table, ArrearsContact::CaseId).to(ArrearsCase::Table, ArrearsCase::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("arrears_contact_community_case")
                    .table(ArrearsContact::Table)
                    .col(ArrearsContact::CommunityId)
                    .col(ArrearsContact::CaseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ArrearsContact::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ArrearsContact {
    Table,
    Id,
    CommunityId,
    CaseId,
    CompoundId,
    BuildingId,
    ContactedOn,
    Channel,
    Result,
    RecordedBy,
    RecordedAs,
    CreatedAt,
}
