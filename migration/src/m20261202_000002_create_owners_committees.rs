//! Owners' committees (业委会) of compounds, one row per elected term. At most one is in office
//! per compound (a unique partial index on the rows not yet ended): electing a new committee
//! ends the old one on the day the new term begins. Tenant data.
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
                    .table(OwnersCommittee::Table)
                    .col(pk_uuid(OwnersCommittee::Id))
                    .col(uuid(OwnersCommittee::CommunityId))
                    .col(uuid(OwnersCommittee::CompoundId))
                    .col(date(OwnersCommittee::ElectedOn))
                    .col(date(OwnersCommittee::TermStart))
                    .col(date_null(OwnersCommittee::TermEnd))
                    .col(date_null(OwnersCommittee::EndedOn))
                    .col(integer(OwnersCommittee::Version))
                    .col(timestamp_with_time_zone(OwnersCommittee::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(OwnersCommittee::Table, OwnersCommittee::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(OwnersCommittee::Table, OwnersCommittee::CompoundId).to(Compound::Table, Compound::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("owners_committee_community_compound")
                    .table(OwnersCommittee::Table)
                    .col(OwnersCommittee::CommunityId)
                    .col(OwnersCommittee::CompoundId)
                    .to_owned(),
            )
            .await?;
        // One committee in office per compound, whichever request commits first.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX owners_committee_in_office ON owners_committee (community_id, compound_id) WHERE ended_on IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(OwnersCommittee::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum OwnersCommittee {
    Table,
    Id,
    CommunityId,
    CompoundId,
    ElectedOn,
    TermStart,
    TermEnd,
    EndedOn,
    Version,
    CreatedAt,
}
