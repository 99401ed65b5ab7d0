//! Appeals (诉求): a matter raised by a resident for their compound, or by staff for an
//! enterprise or an organisation, with its location (compound, building, or a site), category,
//! photos (http(s) URLs, JSON), the tier that handles it (COMPOUND → COMMUNITY → STREET), its state
//! in the workflow, the current deadline (`due_at`), the answer or rejection, the review asked
//! for (once), the outcome rating (once) and the public count of supporters. Tenant data.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use crate::m20261126_000005_create_compounds::Compound;
use crate::m20261205_000003_create_enterprises::Enterprise;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Appeal::Table)
                    .col(pk_uuid(Appeal::Id))
                    .col(uuid(Appeal::CommunityId))
                    .col(uuid_null(Appeal::CompoundId))
                    .col(uuid_null(Appeal::BuildingId))
                    .col(string_null(Appeal::Site))
                    .col(string_len(Appeal::RaiserKind, 32))
                    .col(uuid_null(Appeal::RaiserPersonId))
                    .col(uuid_null(Appeal::EnterpriseId))
                    .col(uuid_null(Appeal::OrganizationId))
                    .col(uuid_null(Appeal::UnitId))
                    .col(string(Appeal::RaisedBy))
                    .col(string(Appeal::Title))
                    .col(text(Appeal::Description))
                    .col(string_len(Appeal::Category, 32))
                    .col(text(Appeal::Photos))
                    .col(string_len(Appeal::Tier, 16))
                    .col(string_len(Appeal::State, 16))
                    .col(text_null(Appeal::Answer))
                    .col(text_null(Appeal::RejectReason))
                    .col(uuid_null(Appeal::MergedIntoId))
                    .col(uuid_null(Appeal::ScheduledVenueId))
                    .col(date_null(Appeal::ScheduledOn))
                    .col(timestamp_with_time_zone_null(Appeal::DueAt))
                    .col(integer(Appeal::Escalations))
                    .col(timestamp_with_time_zone_null(Appeal::EscalatedAt))
                    .col(timestamp_with_time_zone_null(Appeal::ReviewRequestedAt))
                    .col(string_len_null(Appeal::Rating, 16))
                    .col(text_null(Appeal::RatingComment))
                    .col(timestamp_with_time_zone_null(Appeal::RatedAt))
                    .col(integer(Appeal::Supporters))
                    .col(timestamp_with_time_zone(Appeal::RaisedAt))
                    .col(timestamp_with_time_zone_null(Appeal::RespondedAt))
                    .col(timestamp_with_time_zone_null(Appeal::AnsweredAt))
                    .col(timestamp_with_time_zone_null(Appeal::ClosedAt))
                    .col(integer(Appeal::Version))
                    .col(timestamp_with_time_zone(Appeal::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Appeal::Table, Appeal::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(Appeal::Table, Appeal::CompoundId).to(Compound::Table, Compound::Id))
                    .foreign_key(ForeignKey::create().from(Appeal::Table, Appeal::RaiserPersonId).to(Person::Table, Person::Id))
                    .foreign_key(ForeignKey::create().from(Appeal::Table, Appeal::EnterpriseId).to(Enterprise::Table, Enterprise::Id))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("appeal_community", vec![Appeal::CommunityId, Appeal::Id]),
            ("appeal_compound", vec![Appeal::CompoundId, Appeal::Id]),
            ("appeal_raiser", vec![Appeal::RaiserPersonId]),
            ("appeal_due", vec![Appeal::State, Appeal::DueAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Appeal::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Appeal::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Appeal {
    Table,
    Id,
    CommunityId,
    CompoundId,
    BuildingId,
    Site,
    RaiserKind,
    RaiserPersonId,
    EnterpriseId,
    OrganizationId,
    UnitId,
    RaisedBy,
    Title,
    Description,
    Category,
    Photos,
    Tier,
    State,
    Answer,
    RejectReason,
    MergedIntoId,
    ScheduledVenueId,
    ScheduledOn,
    DueAt,
    Escalations,
    EscalatedAt,
    ReviewRequestedAt,
    Rating,
    RatingComment,
    RatedAt,
    Supporters,
    RaisedAt,
    RespondedAt,
    AnsweredAt,
    ClosedAt,
    Version,
    UpdatedAt,
}
