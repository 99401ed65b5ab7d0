//! Action items (落实) of a decision: what is to be done, by whom (a party organisation, a seated
//! unit, the property manager or a person), by when, OPEN until done; an action that needs
//! departments is a collaboration task (task_id), which closes it when VERIFIED. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActionItem::Table)
                    .col(pk_uuid(ActionItem::Id))
                    .col(uuid(ActionItem::CommunityId))
                    .col(uuid(ActionItem::AgendaItemId))
                    .col(string(ActionItem::Title))
                    .col(string_len(ActionItem::OwnerKind, 32))
                    .col(uuid(ActionItem::OwnerId))
                    .col(date(ActionItem::DueOn))
                    .col(string_len(ActionItem::Status, 16))
                    .col(uuid_null(ActionItem::TaskId))
                    .col(timestamp_with_time_zone_null(ActionItem::DoneAt))
                    .col(integer(ActionItem::Version))
                    .col(timestamp_with_time_zone(ActionItem::CreatedAt))
                    .col(timestamp_with_time_zone(ActionItem::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("action_item_agenda")
                    .table(ActionItem::Table)
                    .col(ActionItem::CommunityId)
                    .col(ActionItem::AgendaItemId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("action_item_task")
                    .table(ActionItem::Table)
                    .col(ActionItem::CommunityId)
                    .col(ActionItem::TaskId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ActionItem::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ActionItem {
    Table,
    Id,
    CommunityId,
    AgendaItemId,
    Title,
    OwnerKind,
    OwnerId,
    DueOn,
    Status,
    TaskId,
    DoneAt,
    Version,
    CreatedAt,
    UpdatedAt,
}
