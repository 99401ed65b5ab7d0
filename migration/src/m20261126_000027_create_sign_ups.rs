//! Sign-ups for activities, with the waiting list and attendance.
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000004_create_people::Person;
use crate::m20261126_000026_create_activities::Activity;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SignUp::Table)
                    .col(pk_uuid(SignUp::Id))
                    .col(uuid(SignUp::CommunityId))
                    .col(uuid(SignUp::ActivityId))
                    .col(uuid(SignUp::PersonId))
                    .col(string_len(SignUp::Status, 16))
                    .col(timestamp_with_time_zone_null(SignUp::CheckedInAt))
                    .col(timestamp_with_time_zone_null(SignUp::CheckedOutAt))
                    .col(integer_null(SignUp::ServiceMinutes))
                    .col(timestamp_with_time_zone(SignUp::CreatedAt))
                    .col(timestamp_with_time_zone(SignUp::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(SignUp::Table, SignUp::CommunityId).to(Community::Table, Community::Id))
                    .foreign_key(ForeignKey::create().from(SignUp::Table, SignUp::ActivityId).to(Activity::Table, Activity::Id))
                    .foreign_key(ForeignKey::create().from(SignUp::Table, SignUp::PersonId).to(Person::Table, Person::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sign_up_community_activity_person")
                    .table(SignUp::Table)
                    .col(SignUp::CommunityId)
                    .col(SignUp::ActivityId)
                    .col(SignUp::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sign_up_community_person")
                    .table(SignUp::Table)
                    .col(SignUp::CommunityId)
                    .col(SignUp::PersonId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SignUp::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum SignUp {
    Table,
    Id,
    CommunityId,
    ActivityId,
    PersonId,
    Status,
    CheckedInAt,
    CheckedOutAt,
    ServiceMinutes,
    CreatedAt,
    UpdatedAt,
}
