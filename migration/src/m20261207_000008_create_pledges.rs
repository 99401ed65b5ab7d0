//! Pledges of the practice campaigns (我为群众办实事 for residents, 我为企业解难题 for enterprises,
//! 我为社会做好事 for society): made by a party organisation, a seated unit or a person of the
//! community, each with a due day, fulfilled with evidence. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Pledge::Table)
                    .col(pk_uuid(Pledge::Id))
                    .col(uuid(Pledge::CommunityId))
                    .col(string_len(Pledge::Campaign, 32))
                    .col(string_len(Pledge::PledgerKind, 32))
                    .col(uuid(Pledge::PledgerId))
                    .col(string(Pledge::Title))
                    .col(date(Pledge::DueOn))
                    .col(string_len(Pledge::Status, 16))
                    .col(text(Pledge::Evidence))
                    .col(timestamp_with_time_zone_null(Pledge::DoneAt))
                    .col(string(Pledge::CreatedBy))
                    .col(integer(Pledge::Version))
                    .col(timestamp_with_time_zone(Pledge::CreatedAt))
                    .col(timestamp_with_time_zone(Pledge::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("pledge_community")
                    .table(Pledge::Table)
                    .col(Pledge::CommunityId)
                    .col(Pledge::Campaign)
                    .col(Pledge::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("pledge_pledger")
                    .table(Pledge::Table)
                    .col(Pledge::CommunityId)
                    .col(Pledge::PledgerKind)
                    .col(Pledge::PledgerId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Pledge::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Pledge {
    Table,
    Id,
    CommunityId,
    Campaign,
    PledgerKind,
    PledgerId,
    Title,
    DueOn,
    Status,
    Evidence,
    DoneAt,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}
