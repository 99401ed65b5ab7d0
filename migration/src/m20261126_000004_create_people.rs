//! People: shared across communities; personal data lives here and is masked by the API.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Person::Table)
                    .col(pk_uuid(Person::Id))
                    .col(string(Person::Name))
                    .col(string_len_null(Person::Gender, 16))
                    .col(integer_null(Person::BirthYear))
                    .col(string_len_null(Person::Phone, 32))
                    .col(string_null(Person::Address))
                    .col(string_len_null(Person::IdNumberHash, 64))
                    .col(uuid_null(Person::HomeCommunityId))
                    .col(integer(Person::Version))
                    .col(timestamp_with_time_zone(Person::CreatedAt))
                    .col(timestamp_with_time_zone(Person::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Person::Table, Person::HomeCommunityId).to(Community::Table, Community::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("person_home_community").table(Person::Table).col(Person::HomeCommunityId).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Person::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Person {
    Table,
    Id,
    Name,
    Gender,
    BirthYear,
    Phone,
    Address,
    IdNumberHash,
    HomeCommunityId,
    Version,
    CreatedAt,
    UpdatedAt,
}
