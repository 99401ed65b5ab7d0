//! Who is invited to a meeting (a person, a party organisation, a co-building unit, an owners'
//! committee or a property manager), once each, and whether they attended. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MeetingParticipant::Table)
                    .col(pk_uuid(MeetingParticipant::Id))
                    .col(uuid(MeetingParticipant::CommunityId))
                    .col(uuid(MeetingParticipant::MeetingId))
                    .col(string_len(MeetingParticipant::PartyKind, 32))
                    .col(uuid(MeetingParticipant::PartyId))
                    .col(boolean(MeetingParticipant::Attended))
                    .col(timestamp_with_time_zone(MeetingParticipant::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("meeting_participant_once")
                    .table(MeetingParticipant::Table)
                    .col(MeetingParticipant::CommunityId)
                    .col(MeetingParticipant::MeetingId)
                    .col(MeetingParticipant::PartyKind)
                    .col(MeetingParticipant::PartyId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("meeting_participant_party")
                    .table(MeetingParticipant::Table)
                    .col(MeetingParticipant::CommunityId)
                    .col(MeetingParticipant::PartyKind)
                    .col(MeetingParticipant::PartyId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MeetingParticipant::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum MeetingParticipant {
    Table,
    Id,
    CommunityId,
    MeetingId,
    PartyKind,
    PartyId,
    Attended,
    CreatedAt,
}
