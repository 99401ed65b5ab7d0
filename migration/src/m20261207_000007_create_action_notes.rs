//! Progress notes of an action item, with evidence (an http(s) URL); append-only. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActionNote::Table)
                    .col(pk_uuid(ActionNote::Id))
                    .col(uuid(ActionNote::CommunityId))
                    .col(uuid(ActionNote::ActionItemId))
                    .col(text(ActionNote::Note))
                    .col(string_null(ActionNote::Evidence))
                    .col(string(ActionNote::RecordedBy))
                    .col(timestamp_with_time_zone(ActionNote::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("action_note_action")
                    .table(ActionNote::Table)
                    .col(ActionNote::CommunityId)
                    .col(ActionNote::ActionItemId)
                    .col(ActionNote::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ActionNote::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ActionNote {
    Table,
    Id,
    CommunityId,
    ActionItemId,
    Note,
    Evidence,
    RecordedBy,
    CreatedAt,
}
