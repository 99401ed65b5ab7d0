//! The per-activity count of wrong attendance codes gives way to the per-volunteer one: one
//! volunteer's guesses no longer void the code for everyone.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000026_create_activities::Activity;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Activity::Table).drop_column(Codes::CodeFailures).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Activity::Table).add_column(integer(Codes::CodeFailures).default(0)).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Codes {
    CodeFailures,
}
