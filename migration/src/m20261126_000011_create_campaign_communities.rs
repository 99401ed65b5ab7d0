//! The communities taking part in a campaign (tenant links).
use crate::m20261126_000002_create_communities::Community;
use crate::m20261126_000010_create_campaigns::Campaign;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CampaignCommunity::Table)
                    .col(pk_uuid(CampaignCommunity::Id))
                    .col(uuid(CampaignCommunity::CommunityId))
                    .col(uuid(CampaignCommunity::CampaignId))
                    .col(timestamp_with_time_zone(CampaignCommunity::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CampaignCommunity::Table, CampaignCommunity::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CampaignCommunity::Table, CampaignCommunity::CampaignId)
                            .to(Campaign::Table, Campaign::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("campaign_community_unique")
                    .table(CampaignCommunity::Table)
                    .col(CampaignCommunity::CommunityId)
                    .col(CampaignCommunity::CampaignId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CampaignCommunity::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum CampaignCommunity {
    Table,
    Id,
    CommunityId,
    CampaignId,
    CreatedAt,
}
