//! Deliberation meetings (议事会): a 协商民主议事会, a 见面会 with the property manager and the owners'
//! committee, or a 联席会议, at a venue of the community, convened by a person, planned then held
//! with its minutes; for owners' matters the number of owners eligible to vote. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Meeting::Table)
                    .col(pk_uuid(Meeting::Id))
                    .col(uuid(Meeting::CommunityId))
                    .col(uuid(Meeting::VenueId))
                    .col(string_len(Meeting::Kind, 32))
                    .col(string(Meeting::Title))
                    .col(timestamp_with_time_zone(Meeting::StartsAt))
                    .col(uuid_null(Meeting::ConvenorId))
                    .col(string_len(Meeting::State, 16))
                    .col(text_null(Meeting::Minutes))
                    .col(integer_null(Meeting::EligibleVoters))
                    .col(timestamp_with_time_zone_null(Meeting::HeldAt))
                    .col(string(Meeting::CreatedBy))
                    .col(integer(Meeting::Version))
                    .col(timestamp_with_time_zone(Meeting::CreatedAt))
                    .col(timestamp_with_time_zone(Meeting::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("meeting_community").table(Meeting::Table).col(Meeting::CommunityId).col(Meeting::Id).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("meeting_venue")
                    .table(Meeting::Table)
                    .col(Meeting::CommunityId)
                    .col(Meeting::VenueId)
                    .col(Meeting::StartsAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Meeting::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Meeting {
    Table,
    Id,
    CommunityId,
    VenueId,
    Kind,
    Title,
    StartsAt,
    ConvenorId,
    State,
    Minutes,
    EligibleVoters,
    HeldAt,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}
