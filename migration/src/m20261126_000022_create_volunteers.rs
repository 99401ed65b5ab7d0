//! Volunteers registered in a community, with their resource list (资源清单).
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
                    .table(Volunteer::Table)
                    .col(pk_uuid(Volunteer::Id))
                    .col(uuid(Volunteer::CommunityId))
                    .col(uuid(Volunteer::PersonId))
                    .col(uuid_null(Volunteer::CompoundId))
                    .col(text(Volunteer::Categories))
                    .col(text(Volunteer::Skills))
                    .col(string_null(Volunteer::DepartmentStrength))
                    .col(string_null(Volunteer::Industry))
                    .col(text(Volunteer::Availability))
                    .col(string_len(Volunteer::Status, 16))
                    .col(timestamp_with_time_zone(Volunteer::RegisteredAt))
                    .col(integer(Volunteer::Version))
                    .foreign_key(ForeignKey::create().from(Volunteer::Table, Volunteer::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Volunteer::Table, Volunteer::PersonId).to(Person::Table, Person::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("volunteer_community_person")
                    .table(Volunteer::Table)
                    .col(Volunteer::CommunityId)
                    .col(Volunteer::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Volunteer::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Volunteer {
    Table,
    Id,
    CommunityId,
    PersonId,
    CompoundId,
    Categories,
    Skills,
    DepartmentStrength,
    Industry,
    Availability,
    Status,
    RegisteredAt,
    Version,
}
