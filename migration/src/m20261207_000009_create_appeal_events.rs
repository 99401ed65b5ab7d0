//! An appeal's timeline: one row per change of an appeal (raised, each workflow action, a
//! support, a move up a tier, a meeting's step), written in the change's transaction and handed
//! to live subscribers once it commits. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppealEvent::Table)
                    .col(pk_uuid(AppealEvent::Id))
                    .col(uuid(AppealEvent::CommunityId))
                    .col(uuid(AppealEvent::AppealId))
                    .col(string_len(AppealEvent::Kind, 32))
                    .col(string_len(AppealEvent::State, 16))
                    .col(string_len(AppealEvent::Tier, 16))
                    .col(integer(AppealEvent::Supporters))
                    .col(timestamp_with_time_zone(AppealEvent::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("appeal_event_appeal")
                    .table(AppealEvent::Table)
                    .col(AppealEvent::CommunityId)
                    .col(AppealEvent::AppealId)
                    .col(AppealEvent::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AppealEvent::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AppealEvent {
    Table,
    Id,
    CommunityId,
    AppealId,
    Kind,
    State,
    Tier,
    Supporters,
    At,
}
