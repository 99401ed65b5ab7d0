//! Reporting keys: revocable credentials of reporting tools, for a street or one of its
//! communities, each with an expiry; stored as a hash.
use crate::m20261126_000001_create_regions::Region;
use crate::m20261126_000002_create_communities::Community;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportingKey::Table)
                    .col(pk_uuid(ReportingKey::Id))
                    .col(uuid(ReportingKey::StreetId))
                    .col(uuid_null(ReportingKey::CommunityId))
                    .col(string(ReportingKey::Label))
                    .col(string_len_uniq(ReportingKey::KeyHash, 64))
                    .col(string(ReportingKey::CreatedBy))
                    .col(timestamp_with_time_zone(ReportingKey::CreatedAt))
                    .col(timestamp_with_time_zone(ReportingKey::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ReportingKey::RevokedAt))
                    .col(timestamp_with_time_zone_null(ReportingKey::LastUsedAt))
                    .col(integer(ReportingKey::Version))
                    .foreign_key(ForeignKey::create().from(ReportingKey::Table, ReportingKey::StreetId).to(Region::Table, Region::Id))
                    .foreign_key(
                        ForeignKey::create().from(ReportingKey::Table, ReportingKey::CommunityId).to(Community::Table, Community::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("reporting_key_street")
                    .table(ReportingKey::Table)
                    .col(ReportingKey::StreetId)
                    .col(ReportingKey::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ReportingKey::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ReportingKey {
    Table,
    Id,
    StreetId,
    CommunityId,
    Label,
    KeyHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
    Version,
}
