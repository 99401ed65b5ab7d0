//! Wrong attendance codes are counted per activity: enough of them void the code, so that a
//! six-digit code cannot be guessed by trying them all.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000026_create_activities::Activity;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Activity::Table).add_column(integer(Codes::CodeFailures).default(0)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Activity::Table).drop_column(Codes::CodeFailures).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Codes {
    CodeFailures,
}
