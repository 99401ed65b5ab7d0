//! A party organisation's secretary (书记): one of its members. A compound branch's secretary
//! may post and manage the demands of that compound.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000006_create_party_organizations::PartyOrganization;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A plain column: SQLite cannot add a foreign key to an existing table; the service
        // checks that the secretary is a member of the organisation.
        manager
            .alter_table(Table::alter().table(PartyOrganization::Table).add_column(uuid_null(Secretary::SecretaryId)).to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("party_organization_secretary")
                    .table(PartyOrganization::Table)
                    .col(PartyOrganization::CommunityId)
                    .col(Secretary::SecretaryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("party_organization_secretary").table(PartyOrganization::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(PartyOrganization::Table).drop_column(Secretary::SecretaryId).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Secretary {
    SecretaryId,
}
