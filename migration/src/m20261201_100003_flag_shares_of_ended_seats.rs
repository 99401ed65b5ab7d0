//! A share whose unit's seat on the joint committee ended while it was open is flagged, for
//! the community's staff to reassign.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000014_create_assignments::Assignment;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Assignment::Table).add_column(boolean(Seats::SeatEnded).default(false)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Assignment::Table).drop_column(Seats::SeatEnded).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Seats {
    SeatEnded,
}
