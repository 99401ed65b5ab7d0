//! Service categories of the demand list (需求清单), shared by the street.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServiceCategory::Table)
                    .col(pk_uuid(ServiceCategory::Id))
                    .col(string_len_uniq(ServiceCategory::Code, 64))
                    .col(string(ServiceCategory::Name))
                    .col(timestamp_with_time_zone_null(ServiceCategory::RetiredAt))
                    .col(timestamp_with_time_zone(ServiceCategory::CreatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ServiceCategory::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum ServiceCategory {
    Table,
    Id,
    Code,
    Name,
    RetiredAt,
    CreatedAt,
}
