//! Supports (附议) of appeals: one row per resident who supports an appeal of their community,
//! at most one per person and appeal (a unique index behind the appeal's row lock). The appeal
//! keeps the public count; who supported is staff's to see. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use crate::m20261205_000004_create_appeals::Appeal;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppealSupport::Table)
                    .col(pk_uuid(AppealSupport::Id))
                    .col(uuid(AppealSupport::CommunityId))
                    .col(uuid(AppealSupport::AppealId))
                    .col(uuid(AppealSupport::PersonId))
                    .col(timestamp_with_time_zone(AppealSupport::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(AppealSupport::Table, AppealSupport::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(ForeignKey::create().from(AppealSupport::Table, AppealSupport::AppealId).to(Appeal::Table, Appeal::Id))
                    .foreign_key(ForeignKey::create().from(AppealSupport::Table, AppealSupport::PersonId).to(Person::Table, Person::Id))
                    .to_owned(),
            )
            .await?;
        // One support per person and appeal.
        manager
            .create_index(
                Index::create()
                    .name("appeal_support_once")
                    .table(AppealSupport::Table)
                    .col(AppealSupport::CommunityId)
                    .col(AppealSupport::AppealId)
                    .col(AppealSupport::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // "Do I support these?" for a person's board.
        manager
            .create_index(
                Index::create()
                    .name("appeal_support_person")
                    .table(AppealSupport::Table)
                    .col(AppealSupport::CommunityId)
                    .col(AppealSupport::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AppealSupport::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AppealSupport {
    Table,
    Id,
    CommunityId,
    AppealId,
    PersonId,
    CreatedAt,
}
