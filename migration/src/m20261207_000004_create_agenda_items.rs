//! The items of a meeting's agenda, in order, each with its decision (决议) once taken: the text and,
//! for owners' matters, the votes for, against and abstaining and whether it passed. Tenant
//! data.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AgendaItem::Table)
                    .col(pk_uuid(AgendaItem::Id))
                    .col(uuid(AgendaItem::CommunityId))
                    .col(uuid(AgendaItem::MeetingId))
                    .col(integer(AgendaItem::Position))
                    .col(string(AgendaItem::Title))
                    .col(text_null(AgendaItem::Decision))
                    .col(integer_null(AgendaItem::VotesFor))
                    .col(integer_null(AgendaItem::VotesAgainst))
                    .col(integer_null(AgendaItem::VotesAbstain))
                    .col(boolean_null(AgendaItem::Passed))
                    .col(uuid_null(AgendaItem::ApprovesProjectId))
                    .col(timestamp_with_time_zone_null(AgendaItem::DecidedAt))
                    .col(integer(AgendaItem::Version))
                    .col(timestamp_with_time_zone(AgendaItem::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("agenda_item_meeting")
                    .table(AgendaItem::Table)
                    .col(AgendaItem::CommunityId)
                    .col(AgendaItem::MeetingId)
                    .col(AgendaItem::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AgendaItem::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AgendaItem {
    Table,
    Id,
    CommunityId,
    MeetingId,
    Position,
    Title,
    Decision,
    VotesFor,
    VotesAgainst,
    VotesAbstain,
    Passed,
    ApprovesProjectId,
    DecidedAt,
    Version,
    CreatedAt,
}
