//! Party organisations inside a community: its joint committee, community and compound branches.
//! The street working committee is a property of the street (regions.committee_name).
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000005_create_compounds::Compound;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PartyOrganization::Table)
                    .col(pk_uuid(PartyOrganization::Id))
                    .col(uuid(PartyOrganization::CommunityId))
                    .col(string_len(PartyOrganization::Kind, 32))
                    .col(string(PartyOrganization::Name))
                    .col(uuid_null(PartyOrganization::ParentId))
                    .col(uuid_null(PartyOrganization::CompoundId))
                    .col(date_null(PartyOrganization::FoundedOn))
                    .col(integer(PartyOrganization::Version))
                    .col(timestamp_with_time_zone(PartyOrganization::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PartyOrganization::Table, PartyOrganization::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PartyOrganization::Table, PartyOrganization::ParentId)
                            .to(PartyOrganization::Table, PartyOrganization::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PartyOrganization::Table, PartyOrganization::CompoundId)
                            .to(Compound::Table, Compound::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("party_organization_community_parent")
                    .table(PartyOrganization::Table)
                    .col(PartyOrganization::CommunityId)
                    .col(PartyOrganization::ParentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("party_organization_community_compound")
                    .table(PartyOrganization::Table)
                    .col(PartyOrganization::CommunityId)
                    .col(PartyOrganization::CompoundId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PartyOrganization::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum PartyOrganization {
    Table,
    Id,
    CommunityId,
    Kind,
    Name,
    ParentId,
    CompoundId,
    FoundedOn,
    Version,
    CreatedAt,
}
