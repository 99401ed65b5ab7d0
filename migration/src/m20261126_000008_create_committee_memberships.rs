//! A co-building unit's seat on a community's joint committee (the routing table of collaboration).
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000003_create_co_building_units::CoBuildingUnit;
use crate::m20261126_000006_create_party_organizations::PartyOrganization;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CommitteeMembership::Table)
                    .col(pk_uuid(CommitteeMembership::Id))
                    .col(uuid(CommitteeMembership::CommunityId))
                    .col(uuid(CommitteeMembership::CommitteeId))
                    .col(uuid(CommitteeMembership::UnitId))
                    .col(string_len(CommitteeMembership::Role, 32))
                    .col(date(CommitteeMembership::Since))
                    .col(date_null(CommitteeMembership::Until))
                    .col(integer(CommitteeMembership::Version))
                    .col(timestamp_with_time_zone(CommitteeMembership::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitteeMembership::Table, CommitteeMembership::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitteeMembership::Table, CommitteeMembership::CommitteeId)
                            .to(PartyOrganization::Table, PartyOrganization::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitteeMembership::Table, CommitteeMembership::UnitId)
                            .to(CoBuildingUnit::Table, CoBuildingUnit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("committee_membership_community_committee")
                    .table(CommitteeMembership::Table)
                    .col(CommitteeMembership::CommunityId)
                    .col(CommitteeMembership::CommitteeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("committee_membership_community_unit")
                    .table(CommitteeMembership::Table)
                    .col(CommitteeMembership::CommunityId)
                    .col(CommitteeMembership::UnitId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("committee_membership_unit")
                    .table(CommitteeMembership::Table)
                    .col(CommitteeMembership::UnitId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CommitteeMembership::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum CommitteeMembership {
    Table,
    Id,
    CommunityId,
    CommitteeId,
    UnitId,
    Role,
    Since,
    Until,
    Version,
    CreatedAt,
}
