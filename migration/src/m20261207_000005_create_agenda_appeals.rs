//! The appeals an agenda item takes up: one or more per item. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AgendaAppeal::Table)
                    .col(pk_uuid(AgendaAppeal::Id))
                    .col(uuid(AgendaAppeal::CommunityId))
                    .col(uuid(AgendaAppeal::AgendaItemId))
                    .col(uuid(AgendaAppeal::AppealId))
                    .col(timestamp_with_time_zone(AgendaAppeal::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("agenda_appeal_once")
                    .table(AgendaAppeal::Table)
                    .col(AgendaAppeal::CommunityId)
                    .col(AgendaAppeal::AgendaItemId)
                    .col(AgendaAppeal::AppealId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("agenda_appeal_appeal")
                    .table(AgendaAppeal::Table)
                    .col(AgendaAppeal::CommunityId)
                    .col(AgendaAppeal::AppealId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AgendaAppeal::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AgendaAppeal {
    Table,
    Id,
    CommunityId,
    AgendaItemId,
    AppealId,
    CreatedAt,
}
