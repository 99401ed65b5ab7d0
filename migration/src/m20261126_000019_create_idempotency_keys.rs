//! Idempotency keys of partner mutations: a retry returns the first result.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(pk_uuid(IdempotencyKey::Id))
                    .col(string_len(IdempotencyKey::Principal, 128))
                    .col(string_len(IdempotencyKey::Key, 128))
                    .col(string_len(IdempotencyKey::Operation, 64))
                    .col(uuid(IdempotencyKey::ObjectId))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idempotency_key_principal_key")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::Principal)
                    .col(IdempotencyKey::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IdempotencyKey::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum IdempotencyKey {
    Table,
    Id,
    Principal,
    Key,
    Operation,
    ObjectId,
    CreatedAt,
}
