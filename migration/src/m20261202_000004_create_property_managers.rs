//! Property managers (物业) of compounds: a company or an owners' self-management group
//! (物业自治小组), one row per contract, with the fee rate per m² in integer fen. At most one
//! contract runs per compound (a unique partial index on the rows not yet ended): a new manager
//! ends the old contract on the day the new one begins. Tenant data.
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
                    .table(PropertyManager::Table)
                    .col(pk_uuid(PropertyManager::Id))
                    .col(uuid(PropertyManager::CommunityId))
                    .col(uuid(PropertyManager::CompoundId))
                    .col(string_len(PropertyManager::Kind, 32))
                    .col(string(PropertyManager::Name))
                    .col(date(PropertyManager::ContractStart))
                    .col(date_null(PropertyManager::ContractEnd))
                    .col(date_null(PropertyManager::EndedOn))
                    .col(big_integer(PropertyManager::FeeRateFen))
                    .col(integer(PropertyManager::Version))
                    .col(timestamp_with_time_zone(PropertyManager::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(PropertyManager::Table, PropertyManager::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(PropertyManager::Table, PropertyManager::CompoundId).to(Compound::Table, Compound::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("property_manager_community_compound")
                    .table(PropertyManager::Table)
                    .col(PropertyManager::CommunityId)
                    .col(PropertyManager::CompoundId)
                    .to_owned(),
            )
            .await?;
        // One contract running per compound, whichever request commits first.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX property_manager_in_charge ON property_manager (community_id, compound_id) WHERE ended_on IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PropertyManager::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum PropertyManager {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Kind,
    Name,
    ContractStart,
    ContractEnd,
    EndedOn,
    FeeRateFen,
    Version,
    CreatedAt,
}
