//! Audit records keep the server's request id; the id a client sent, if any, is kept beside it,
//! so that a client can neither forge nor collide with the server's.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(AuditLog::Table).add_column(string_len_null(AuditLog::ClientRequestId, 64)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(AuditLog::Table).drop_column(AuditLog::ClientRequestId).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    ClientRequestId,
}
