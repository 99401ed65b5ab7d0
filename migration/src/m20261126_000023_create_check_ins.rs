//! Check-ins (报到) of in-service party members to the community they live in.
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CheckIn::Table)
                    .col(pk_uuid(CheckIn::Id))
                    .col(uuid(CheckIn::CommunityId))
                    .col(uuid(CheckIn::PersonId))
                    .col(string(CheckIn::WorkUnit))
                    .col(string_null(CheckIn::Department))
                    .col(string(CheckIn::OrganizationRelation))
                    .col(string_len(CheckIn::Status, 16))
                    .col(timestamp_with_time_zone(CheckIn::RequestedAt))
                    .col(timestamp_with_time_zone_null(CheckIn::DecidedAt))
                    .col(string_null(CheckIn::DecidedBy))
                    .col(string_null(CheckIn::DeclineReason))
                    .col(timestamp_with_time_zone_null(CheckIn::EndedAt))
                    .col(integer(CheckIn::Version))
                    .foreign_key(ForeignKey::create().from(CheckIn::Table, CheckIn::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(CheckIn::Table, CheckIn::PersonId).to(Person::Table, Person::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("check_in_community_person")
                    .table(CheckIn::Table)
                    .col(CheckIn::CommunityId)
                    .col(CheckIn::PersonId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CheckIn::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum CheckIn {
    Table,
    Id,
    CommunityId,
    PersonId,
    WorkUnit,
    Department,
    OrganizationRelation,
    Status,
    RequestedAt,
    DecidedAt,
    DecidedBy,
    DeclineReason,
    EndedAt,
    Version,
}
