//! API keys of partner departments: stored as a hash, revocable.
use crate::m20261126_000003_create_co_building_units::CoBuildingUnit;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(pk_uuid(ApiKey::Id))
                    .col(uuid(ApiKey::UnitId))
                    .col(string(ApiKey::Label))
                    .col(string_len(ApiKey::Prefix, 16))
                    .col(string_len_uniq(ApiKey::KeyHash, 64))
                    .col(string(ApiKey::CreatedBy))
                    .col(timestamp_with_time_zone(ApiKey::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKey::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiKey::LastUsedAt))
                    .foreign_key(ForeignKey::create().from(ApiKey::Table, ApiKey::UnitId).to(CoBuildingUnit::Table, CoBuildingUnit::Id))
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("api_key_unit").table(ApiKey::Table).col(ApiKey::UnitId).to_owned()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApiKey::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum ApiKey {
    Table,
    Id,
    UnitId,
    Label,
    Prefix,
    KeyHash,
    CreatedBy,
    CreatedAt,
    RevokedAt,
    LastUsedAt,
}
