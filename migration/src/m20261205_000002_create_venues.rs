//! Deliberation venues (议事场所): a community's deliberation centre (社区事务协商议事中心, no
//! compound) and compound deliberation stations (小区议事站), each with a convenor (a person). One
//! centre per community, one station per compound (unique indexes). Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use crate::m20261126_000005_create_compounds::Compound;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Venue::Table)
                    .col(pk_uuid(Venue::Id))
                    .col(uuid(Venue::CommunityId))
                    .col(uuid_null(Venue::CompoundId))
                    .col(string_len(Venue::Kind, 16))
                    .col(string(Venue::Name))
                    .col(uuid_null(Venue::ConvenorId))
                    .col(integer(Venue::Version))
                    .col(timestamp_with_time_zone(Venue::CreatedAt))
                    .col(timestamp_with_time_zone(Venue::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Venue::Table, Venue::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Venue::Table, Venue::CompoundId).to(Compound::Table, Compound::Id))
                    .foreign_key(ForeignKey::create().from(Venue::Table, Venue::ConvenorId).to(Person::Table, Person::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("venue_community").table(Venue::Table).col(Venue::CommunityId).col(Venue::Id).to_owned())
            .await?;
        manager.create_index(Index::create().name("venue_convenor").table(Venue::Table).col(Venue::ConvenorId).to_owned()).await?;
        // One station per compound (centres have none: NULLs are distinct).
        manager.create_index(Index::create().name("venue_station").table(Venue::Table).col(Venue::CompoundId).unique().to_owned()).await?;
        // One centre per community.
        manager
            .get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX venue_centre ON venue (community_id) WHERE kind = 'CENTRE'")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Venue::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Venue {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Kind,
    Name,
    ConvenorId,
    Version,
    CreatedAt,
    UpdatedAt,
}
