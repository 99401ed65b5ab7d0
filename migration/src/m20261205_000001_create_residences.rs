//! Residences (住址): where a person lives, one row per stay: a compound of a community, the
//! building or lane when known, the door (门牌) as text, and the days the stay began and ended.
//! A person has at most one current residence (a unique partial index on the rows not yet
//! ended): a move ends the current stay on the day the new one begins, and the history stays.
//! Tenant data; the door is personal data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use crate::m20261126_000005_create_compounds::Compound;
use crate::m20261202_000001_create_buildings::Building;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Residence::Table)
                    .col(pk_uuid(Residence::Id))
                    .col(uuid(Residence::CommunityId))
                    .col(uuid(Residence::PersonId))
                    .col(uuid(Residence::CompoundId))
                    .col(uuid_null(Residence::BuildingId))
                    .col(string_len_null(Residence::Door, 50))
                    .col(date(Residence::Since))
                    .col(date_null(Residence::Until))
                    .col(integer(Residence::Version))
                    .col(timestamp_with_time_zone(Residence::CreatedAt))
                    .col(timestamp_with_time_zone(Residence::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Residence::Table, Residence::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Residence::Table, Residence::PersonId).to(Person::Table, Person::Id))
                    .foreign_key(ForeignKey::create().from(Residence::Table, Residence::CompoundId).to(Compound::Table, Compound::Id))
                    .foreign_key(ForeignKey::create().from(Residence::Table, Residence::BuildingId).to(Building::Table, Building::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("residence_community_compound")
                    .table(Residence::Table)
                    .col(Residence::CommunityId)
                    .col(Residence::CompoundId)
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("residence_person").table(Residence::Table).col(Residence::PersonId).to_owned()).await?;
        // One current residence per person, whichever move commits first.
        manager
            .get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX residence_current ON residence (person_id) WHERE until IS NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Residence::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Residence {
    Table,
    Id,
    CommunityId,
    PersonId,
    CompoundId,
    BuildingId,
    Door,
    Since,
    Until,
    Version,
    CreatedAt,
    UpdatedAt,
}
