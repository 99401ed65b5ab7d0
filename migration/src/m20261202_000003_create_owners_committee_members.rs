//! The members of an owners' committee's term, each with a role. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use crate::m20261202_000002_create_owners_committees::OwnersCommittee;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OwnersCommitteeMember::Table)
                    .col(pk_uuid(OwnersCommitteeMember::Id))
                    .col(uuid(OwnersCommitteeMember::CommunityId))
                    .col(uuid(OwnersCommitteeMember::CommitteeId))
                    .col(uuid(OwnersCommitteeMember::PersonId))
                    .col(string_len(OwnersCommitteeMember::Role, 32))
                    .col(timestamp_with_time_zone(OwnersCommitteeMember::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OwnersCommitteeMember::Table, OwnersCommitteeMember::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OwnersCommitteeMember::Table, OwnersCommitteeMember::CommitteeId)
                            .to(OwnersCommittee::Table, OwnersCommittee::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OwnersCommitteeMember::Table, OwnersCommitteeMember::PersonId)
                            .to(Person::Table, Person::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("owners_committee_member_unique")
                    .table(OwnersCommitteeMember::Table)
                    .col(OwnersCommitteeMember::CommunityId)
                    .col(OwnersCommitteeMember::CommitteeId)
                    .col(OwnersCommitteeMember::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("owners_committee_member_person")
                    .table(OwnersCommitteeMember::Table)
                    .col(OwnersCommitteeMember::CommunityId)
                    .col(OwnersCommitteeMember::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(OwnersCommitteeMember::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum OwnersCommitteeMember {
    Table,
    Id,
    CommunityId,
    CommitteeId,
    PersonId,
    Role,
    CreatedAt,
}
