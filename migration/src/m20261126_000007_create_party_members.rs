//! Party members registered in a community (tenant data), linked to a person.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use crate::m20261126_000006_create_party_organizations::PartyOrganization;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PartyMember::Table)
                    .col(pk_uuid(PartyMember::Id))
                    .col(uuid(PartyMember::CommunityId))
                    .col(uuid(PartyMember::PersonId))
                    .col(uuid_null(PartyMember::BranchId))
                    .col(string_len(PartyMember::Kind, 16))
                    .col(date_null(PartyMember::JoinedOn))
                    .col(string_null(PartyMember::WorkUnit))
                    .col(string_null(PartyMember::OrganizationRelation))
                    .col(integer(PartyMember::Version))
                    .col(timestamp_with_time_zone(PartyMember::CreatedAt))
                    .col(timestamp_with_time_zone(PartyMember::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create().from(PartyMember::Table, PartyMember::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(ForeignKey::create().from(PartyMember::Table, PartyMember::PersonId).to(Person::Table, Person::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PartyMember::Table, PartyMember::BranchId)
                            .to(PartyOrganization::Table, PartyOrganization::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("party_member_community_person")
                    .table(PartyMember::Table)
                    .col(PartyMember::CommunityId)
                    .col(PartyMember::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("party_member_community_branch")
                    .table(PartyMember::Table)
                    .col(PartyMember::CommunityId)
                    .col(PartyMember::BranchId)
                    .col(PartyMember::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("party_member_person").table(PartyMember::Table).col(PartyMember::PersonId).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PartyMember::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum PartyMember {
    Table,
    Id,
    CommunityId,
    PersonId,
    BranchId,
    Kind,
    JoinedOn,
    WorkUnit,
    OrganizationRelation,
    Version,
    CreatedAt,
    UpdatedAt,
}
