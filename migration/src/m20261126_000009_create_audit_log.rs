//! The audit log: one record per mutation, written in the mutation's transaction.
//! Keyed by street (every record has one) and, for tenant actions, by community.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(uuid(AuditLog::StreetId))
                    .col(uuid_null(AuditLog::CommunityId))
                    .col(string_len(AuditLog::PrincipalKind, 32))
                    .col(string(AuditLog::Principal))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::ObjectType, 64))
                    .col(uuid_null(AuditLog::ObjectId))
                    .col(text(AuditLog::Summary))
                    .col(string_len(AuditLog::RequestId, 64))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("audit_log_street").table(AuditLog::Table).col(AuditLog::StreetId).col(AuditLog::Id).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("audit_log_community").table(AuditLog::Table).col(AuditLog::CommunityId).col(AuditLog::Id).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum AuditLog {
    Table,
    Id,
    StreetId,
    CommunityId,
    PrincipalKind,
    Principal,
    Action,
    ObjectType,
    ObjectId,
    Summary,
    RequestId,
    CreatedAt,
}
