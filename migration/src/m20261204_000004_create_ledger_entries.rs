//! The shared-income ledger (公共收益) of compounds: income entries (their source, the period they
//! cover) and disbursements (their purpose and who approved them), each a whole amount of fen.
//! Append-only: an entry is never changed or removed; a correction is a reversing entry of the
//! opposite sign linked to the original, at most one per original (a unique index). An entry
//! counts in the year its period begins (`year`), its reversal in the same year. Tenant data.
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
                    .table(LedgerEntry::Table)
                    .col(pk_uuid(LedgerEntry::Id))
                    .col(uuid(LedgerEntry::CommunityId))
                    .col(uuid(LedgerEntry::CompoundId))
                    .col(string_len(LedgerEntry::Kind, 16))
                    .col(string_len_null(LedgerEntry::Source, 16))
                    .col(string_null(LedgerEntry::Purpose))
                    .col(string_null(LedgerEntry::ApprovedBy))
                    .col(date(LedgerEntry::PeriodStart))
                    .col(date(LedgerEntry::PeriodEnd))
                    .col(integer(LedgerEntry::Year))
                    .col(big_integer(LedgerEntry::AmountFen))
                    .col(string_null(LedgerEntry::Note))
                    .col(uuid_null(LedgerEntry::ReversesId))
                    .col(string_null(LedgerEntry::Reason))
                    .col(string(LedgerEntry::RecordedBy))
                    .col(string_len(LedgerEntry::RecordedAs, 32))
                    .col(timestamp_with_time_zone(LedgerEntry::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(LedgerEntry::Table, LedgerEntry::CommunityId).to(Community::Table, Community::Id),
                    )
                    .foreign_key(ForeignKey::create().from(LedgerEntry::Table, LedgerEntry::CompoundId).to(Compound::Table, Compound::Id))
                    .foreign_key(
                        ForeignKey::create().from(LedgerEntry::Table, LedgerEntry::ReversesId).to(LedgerEntry::Table, LedgerEntry::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ledger_entry_community_compound_year")
                    .table(LedgerEntry::Table)
                    .col(LedgerEntry::CommunityId)
                    .col(LedgerEntry::CompoundId)
                    .col(LedgerEntry::Year)
                    .to_owned(),
            )
            .await?;
        // An entry is reversed once, whichever reversal commits first.
        manager
            .create_index(
                Index::create().name("ledger_entry_reversal").table(LedgerEntry::Table).col(LedgerEntry::ReversesId).unique().to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LedgerEntry::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum LedgerEntry {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Kind,
    Source,
    Purpose,
    ApprovedBy,
    PeriodStart,
    PeriodEnd,
    Year,
    AmountFen,
    Note,
    ReversesId,
    Reason,
    RecordedBy,
    RecordedAs,
    CreatedAt,
}
