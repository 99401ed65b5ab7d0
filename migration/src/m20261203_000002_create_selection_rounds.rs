//! Selection rounds of innovation cases (创新案例评选), one street's each.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_regions::Region;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SelectionRound::Table)
                    .col(pk_uuid(SelectionRound::Id))
                    .col(uuid(SelectionRound::StreetId))
                    .col(string(SelectionRound::Title))
                    .col(text(SelectionRound::Criteria))
                    .col(string_len(SelectionRound::Status, 32))
                    .col(integer(SelectionRound::SelectedCount))
                    .col(string(SelectionRound::OpenedBy))
                    .col(timestamp_with_time_zone(SelectionRound::OpenedAt))
                    .col(timestamp_with_time_zone_null(SelectionRound::ClosedAt))
                    .col(integer(SelectionRound::Version))
                    .foreign_key(ForeignKey::create().from(SelectionRound::Table, SelectionRound::StreetId).to(Region::Table, Region::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("selection_round_street")
                    .table(SelectionRound::Table)
                    .col(SelectionRound::StreetId)
                    .col(SelectionRound::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SelectionRound::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum SelectionRound {
    Table,
    Id,
    StreetId,
    Title,
    Criteria,
    Status,
    SelectedCount,
    OpenedBy,
    OpenedAt,
    ClosedAt,
    Version,
}
