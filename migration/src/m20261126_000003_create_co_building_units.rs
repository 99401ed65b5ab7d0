//! Co-building units (共建单位): partner departments, shared across communities.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CoBuildingUnit::Table)
                    .col(pk_uuid(CoBuildingUnit::Id))
                    .col(string_len_uniq(CoBuildingUnit::Code, 64))
                    .col(string(CoBuildingUnit::Name))
                    .col(string_len(CoBuildingUnit::Kind, 32))
                    .col(timestamp_with_time_zone(CoBuildingUnit::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CoBuildingUnit::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum CoBuildingUnit {
    Table,
    Id,
    Code,
    Name,
    Kind,
    CreatedAt,
}
