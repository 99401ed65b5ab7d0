//! A person may be linked to their login at the city's OpenID Connect issuer: the value of the
//! token claim the operator matches people by (`GONGZHI_OIDC_PERSON_CLAIM`, `sub` by default).
//! Nullable and unique: a login names at most one person.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite cannot add a UNIQUE column: the column first, then a unique index on it.
        manager.alter_table(Table::alter().table(Person::Table).add_column(string_len_null(Person::OidcSubject, 255)).to_owned()).await?;
        manager
            .create_index(Index::create().name("person_oidc_subject").table(Person::Table).col(Person::OidcSubject).unique().to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("person_oidc_subject").table(Person::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Person::Table).drop_column(Person::OidcSubject).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Person {
    Table,
    OidcSubject,
}
