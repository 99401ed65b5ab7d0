//! The reviewers of a selection round: people or co-building units, each named once per round.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_selection_rounds::SelectionRound;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoundReviewer::Table)
                    .col(pk_uuid(RoundReviewer::Id))
                    .col(uuid(RoundReviewer::RoundId))
                    .col(uuid(RoundReviewer::StreetId))
                    .col(string_len(RoundReviewer::Kind, 32))
                    .col(uuid_null(RoundReviewer::PersonId))
                    .col(uuid_null(RoundReviewer::UnitId))
                    .col(string(RoundReviewer::Name))
                    .col(timestamp_with_time_zone(RoundReviewer::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoundReviewer::Table, RoundReviewer::RoundId)
                            .to(SelectionRound::Table, SelectionRound::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A person or a unit reviews a round once (NULLs do not collide).
        for (name, col) in [("round_reviewer_person", RoundReviewer::PersonId), ("round_reviewer_unit", RoundReviewer::UnitId)] {
            manager
                .create_index(
                    Index::create().name(name).table(RoundReviewer::Table).col(RoundReviewer::RoundId).col(col).unique().to_owned(),
                )
                .await?;
        }
        for (name, col) in [("round_reviewer_by_person", RoundReviewer::PersonId), ("round_reviewer_by_unit", RoundReviewer::UnitId)] {
            manager.create_index(Index::create().name(name).table(RoundReviewer::Table).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoundReviewer::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum RoundReviewer {
    Table,
    Id,
    RoundId,
    StreetId,
    Kind,
    PersonId,
    UnitId,
    Name,
    CreatedAt,
}
