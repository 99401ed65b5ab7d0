//! Enterprises named in a community (辖区企业).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::enterprise;

use super::kind;
use crate::deliberation::service;
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::Community;
use crate::organisation::ids::CommunityId;

/// An enterprise named in a community (辖区企业), for whom staff raise appeals (我为企业解难题).
/// Seen by the community's staff.
pub struct Enterprise(pub enterprise::Model);

/// An enterprise named in a community (辖区企业), for whom staff raise appeals (我为企业解难题).
/// Seen by the community's staff.
#[Object]
impl Enterprise {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::ENTERPRISE, self.0.id)
    }
    /// Name, unique in the community.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Address, if given.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
}

/// Input of `registerEnterprise`.
#[derive(InputObject)]
pub struct RegisterEnterpriseInput {
    /// The community.
    pub community_id: ID,
    /// Name (at most 100 characters), unique in the community.
    pub name: String,
    /// Address (at most 200 characters).
    pub address: Option<String>,
}

/// Result of `registerEnterprise`.
#[derive(SimpleObject)]
pub struct RegisterEnterprisePayload {
    /// The enterprise.
    pub enterprise: Enterprise,
}

/// Queries of consultative democracy: enterprises.
#[derive(Default)]
pub struct EnterprisesQuery;

/// Queries of consultative democracy: enterprises.
#[Object]
impl EnterprisesQuery {
    /// The enterprises of a community (its staff), in the order registered.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn enterprises(&self, ctx: &Context<'_>, #[graphql(desc = "The community.")] community_id: ID) -> Result<Vec<Enterprise>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let community = CommunityId(expect_id(&community_id, kind::COMMUNITY, "communityId")?);
        Ok(service::enterprises(&r.cx, community).await?.into_iter().map(Enterprise).collect())
    }
}

/// Mutations of consultative democracy: enterprises.
#[derive(Default)]
pub struct EnterprisesMutation;

/// Mutations of consultative democracy: enterprises.
#[Object]
impl EnterprisesMutation {
    /// Registers an enterprise of a community (community staff); a name taken there answers `CONFLICT`.
    async fn register_enterprise(&self, ctx: &Context<'_>, input: RegisterEnterpriseInput) -> Result<RegisterEnterprisePayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let community = CommunityId(expect_id(&input.community_id, kind::COMMUNITY, "communityId")?);
        let model = service::register_enterprise(&r.cx, community, &input.name, input.address).await?;
        Ok(RegisterEnterprisePayload { enterprise: Enterprise(model) })
    }
}
