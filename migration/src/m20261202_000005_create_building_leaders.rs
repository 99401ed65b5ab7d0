//! Building and lane leaders (党员楼(街巷)长) by two-way selection (双向选择): a row from the
//! application or nomination through the appointment (both sides agreed) to stepping down. At
//! most one active leader per building or lane, and one open proposal per member and building
//! (unique partial indexes). Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use crate::m20261126_000007_create_party_members::PartyMember;
use crate::m20261202_000001_create_buildings::Building;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BuildingLeader::Table)
                    .col(pk_uuid(BuildingLeader::Id))
                    .col(uuid(BuildingLeader::CommunityId))
                    .col(uuid(BuildingLeader::CompoundId))
                    .col(uuid(BuildingLeader::BuildingId))
                    .col(uuid(BuildingLeader::MemberId))
                    .col(uuid(BuildingLeader::PersonId))
                    .col(string_len(BuildingLeader::InitiatedBy, 16))
                    .col(string_len(BuildingLeader::Status, 16))
                    .col(timestamp_with_time_zone_null(BuildingLeader::MemberAgreedAt))
                    .col(timestamp_with_time_zone_null(BuildingLeader::ResidentsAgreedAt))
                    .col(string_len_null(BuildingLeader::ResidentsSide, 32))
                    .col(string_null(BuildingLeader::ResidentsAgent))
                    .col(date_null(BuildingLeader::TermStart))
                    .col(date_null(BuildingLeader::TermEnd))
                    .col(date_null(BuildingLeader::EndedOn))
                    .col(string_null(BuildingLeader::EndReason))
                    .col(integer(BuildingLeader::Version))
                    .col(timestamp_with_time_zone(BuildingLeader::CreatedAt))
                    .col(timestamp_with_time_zone(BuildingLeader::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create().from(BuildingLeader::Table, BuildingLeader::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(BuildingLeader::Table, BuildingLeader::BuildingId).to(Building::Table, Building::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(BuildingLeader::Table, BuildingLeader::MemberId).to(PartyMember::Table, PartyMember::Id),
                    )
                    .foreign_key(ForeignKey::create().from(BuildingLeader::Table, BuildingLeader::PersonId).to(Person::Table, Person::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("building_leader_community_building")
                    .table(BuildingLeader::Table)
                    .col(BuildingLeader::CommunityId)
                    .col(BuildingLeader::BuildingId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("building_leader_community_person")
                    .table(BuildingLeader::Table)
                    .col(BuildingLeader::CommunityId)
                    .col(BuildingLeader::PersonId)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // One active leader per building or lane, whichever appointment commits first.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX building_leader_active ON building_leader (community_id, building_id) WHERE status = 'ACTIVE'",
        )
        .await?;
        // One open proposal per member and building.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX building_leader_proposed ON building_leader (community_id, building_id, member_id) WHERE status = 'PROPOSED'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BuildingLeader::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum BuildingLeader {
    Table,
    Id,
    CommunityId,
    CompoundId,
    BuildingId,
    MemberId,
    PersonId,
    InitiatedBy,
    Status,
    MemberAgreedAt,
    ResidentsAgreedAt,
    ResidentsSide,
    ResidentsAgent,
    TermStart,
    TermEnd,
    EndedOn,
    EndReason,
    Version,
    CreatedAt,
    UpdatedAt,
}
