//! An API key belongs to the street whose administrator issued it: the unit's key reaches the
//! communities of that street only. Keys issued before have no street and are refused.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000018_create_api_keys::ApiKey;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(ApiKey::Table).add_column(uuid_null(Street::StreetId)).to_owned()).await?;
        manager
            .create_index(Index::create().name("api_key_street").table(ApiKey::Table).col(Street::StreetId).col(ApiKey::Id).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("api_key_street").table(ApiKey::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(ApiKey::Table).drop_column(Street::StreetId).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Street {
    StreetId,
}
