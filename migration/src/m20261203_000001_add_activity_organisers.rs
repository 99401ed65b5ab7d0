//! Activities that organisations run together (活动共联): an activity's kind (volunteer service,
//! the monthly party theme day, a neighbourly-home pilot) and its organiser (the community, one
//! of its party organisations, or a co-building unit seated on its joint committee). Activities
//! created before are volunteer service organised by their community.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000026_create_activities::Activity;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite changes one column per statement.
        manager
            .alter_table(Table::alter().table(Activity::Table).add_column(string_len(Organisers::Kind, 32).default("SERVICE")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(Activity::Table).add_column(string_len(Organisers::OrganiserKind, 32).default("COMMUNITY")).to_owned(),
            )
            .await?;
        manager.alter_table(Table::alter().table(Activity::Table).add_column(uuid_null(Organisers::OrganiserId)).to_owned()).await?;
        manager.get_connection().execute_unprepared("UPDATE activity SET organiser_id = community_id WHERE organiser_id IS NULL").await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_community_organiser")
                    .table(Activity::Table)
                    .col(Activity::CommunityId)
                    .col(Organisers::OrganiserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("activity_community_organiser").table(Activity::Table).to_owned()).await?;
        for column in [Organisers::OrganiserId, Organisers::OrganiserKind, Organisers::Kind] {
            manager.alter_table(Table::alter().table(Activity::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Organisers {
    Kind,
    OrganiserKind,
    OrganiserId,
}
