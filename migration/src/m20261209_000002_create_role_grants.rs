//! Staff accounts: a person's grant of a gongzhi role (street, community or partner staff, city
//! or reporting), anchored at the region, community or unit the role is of. People who log in
//! through the city's OpenID Connect issuer take their role from here; a person with no grant
//! is a resident (a member).
use crate::m20261126_000001_create_regions::Region;
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000003_create_co_building_units::CoBuildingUnit;
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
                    .table(RoleGrant::Table)
                    .col(pk_uuid(RoleGrant::Id))
                    .col(uuid(RoleGrant::PersonId))
                    .col(string_len(RoleGrant::Role, 32))
                    .col(uuid_null(RoleGrant::RegionId))
                    .col(uuid_null(RoleGrant::CommunityId))
                    .col(uuid_null(RoleGrant::UnitId))
                    .col(string(RoleGrant::CreatedBy))
                    .col(timestamp_with_time_zone(RoleGrant::CreatedAt))
                    .foreign_key(ForeignKey::create().from(RoleGrant::Table, RoleGrant::PersonId).to(Person::Table, Person::Id))
                    .foreign_key(ForeignKey::create().from(RoleGrant::Table, RoleGrant::RegionId).to(Region::Table, Region::Id))
                    .foreign_key(ForeignKey::create().from(RoleGrant::Table, RoleGrant::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(
                        ForeignKey::create().from(RoleGrant::Table, RoleGrant::UnitId).to(CoBuildingUnit::Table, CoBuildingUnit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("role_grant_person").table(RoleGrant::Table).col(RoleGrant::PersonId).col(RoleGrant::Id).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoleGrant::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum RoleGrant {
    Table,
    Id,
    PersonId,
    Role,
    RegionId,
    CommunityId,
    UnitId,
    CreatedBy,
    CreatedAt,
}
