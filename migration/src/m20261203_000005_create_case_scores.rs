//! Reviewers' scores of innovation cases: a reviewer scores a case once (a unique index).
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000003_create_round_reviewers::RoundReviewer;
use crate::m20261203_000004_create_innovation_cases::InnovationCase;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CaseScore::Table)
                    .col(pk_uuid(CaseScore::Id))
                    .col(uuid(CaseScore::RoundId))
                    .col(uuid(CaseScore::StreetId))
                    .col(uuid(CaseScore::CaseId))
                    .col(uuid(CaseScore::ReviewerId))
                    .col(text(CaseScore::Points))
                    .col(integer(CaseScore::Total))
                    .col(text(CaseScore::Comment))
                    .col(timestamp_with_time_zone(CaseScore::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(CaseScore::Table, CaseScore::CaseId).to(InnovationCase::Table, InnovationCase::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(CaseScore::Table, CaseScore::ReviewerId).to(RoundReviewer::Table, RoundReviewer::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("case_score_once")
                    .table(CaseScore::Table)
                    .col(CaseScore::CaseId)
                    .col(CaseScore::ReviewerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("case_score_reviewer").table(CaseScore::Table).col(CaseScore::ReviewerId).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CaseScore::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum CaseScore {
    Table,
    Id,
    RoundId,
    StreetId,
    CaseId,
    ReviewerId,
    Points,
    Total,
    Comment,
    CreatedAt,
}
