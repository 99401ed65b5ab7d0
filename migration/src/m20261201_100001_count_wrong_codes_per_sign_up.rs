//! Wrong attendance codes are counted per volunteer (on their sign-up), not per activity: twenty
//! lock that volunteer out of the current code, and nobody else.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000027_create_sign_ups::SignUp;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(SignUp::Table).add_column(integer(Codes::CodeFailures).default(0)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(SignUp::Table).drop_column(Codes::CodeFailures).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Codes {
    CodeFailures,
}
