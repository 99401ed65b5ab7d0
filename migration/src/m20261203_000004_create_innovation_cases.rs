//! Innovation cases (创新案例) submitted to a selection round, with their running score total.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261203_000002_create_selection_rounds::SelectionRound;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InnovationCase::Table)
                    .col(pk_uuid(InnovationCase::Id))
                    .col(uuid(InnovationCase::RoundId))
                    .col(uuid(InnovationCase::StreetId))
                    .col(uuid(InnovationCase::CommunityId))
                    .col(string(InnovationCase::CommunityName))
                    .col(string_len(InnovationCase::SubmitterKind, 32))
                    .col(uuid_null(InnovationCase::OrganizationId))
                    .col(uuid_null(InnovationCase::UnitId))
                    .col(string(InnovationCase::SubmitterName))
                    .col(string(InnovationCase::Title))
                    .col(text(InnovationCase::Summary))
                    .col(string_len(InnovationCase::Platform, 32))
                    .col(text(InnovationCase::EvidenceLinks))
                    .col(string_len(InnovationCase::Status, 32))
                    .col(integer(InnovationCase::ScoreTotal))
                    .col(integer(InnovationCase::ScoreCount))
                    .col(string(InnovationCase::SubmittedBy))
                    .col(timestamp_with_time_zone(InnovationCase::SubmittedAt))
                    .col(integer(InnovationCase::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InnovationCase::Table, InnovationCase::RoundId)
                            .to(SelectionRound::Table, SelectionRound::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(InnovationCase::Table, InnovationCase::CommunityId).to(Community::Table, Community::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The ranking: total, then earliest submission.
        manager
            .create_index(
                Index::create()
                    .name("innovation_case_ranking")
                    .table(InnovationCase::Table)
                    .col(InnovationCase::RoundId)
                    .col((InnovationCase::ScoreTotal, IndexOrder::Desc))
                    .col(InnovationCase::SubmittedAt)
                    .col(InnovationCase::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("innovation_case_street_status")
                    .table(InnovationCase::Table)
                    .col(InnovationCase::StreetId)
                    .col(InnovationCase::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("innovation_case_community")
                    .table(InnovationCase::Table)
                    .col(InnovationCase::CommunityId)
                    .col(InnovationCase::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(InnovationCase::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum InnovationCase {
    Table,
    Id,
    RoundId,
    StreetId,
    CommunityId,
    CommunityName,
    SubmitterKind,
    OrganizationId,
    UnitId,
    SubmitterName,
    Title,
    Summary,
    Platform,
    EvidenceLinks,
    Status,
    ScoreTotal,
    ScoreCount,
    SubmittedBy,
    SubmittedAt,
    Version,
}
