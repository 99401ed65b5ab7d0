//! Figures of the organisation graph: per community, its party members and organisations by
//! kind, the co-building units seated today, compounds, buildings and households.

use super::*;
use crate::organisation::service::OrganisationFigures as Figures;

fn int(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The figures of one community's organisation graph, counted from the records.
pub struct OrganisationFigures(pub Figures);

/// The figures of one community's organisation graph, counted from the records.
#[Object]
impl OrganisationFigures {
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        community_of(ctx, self.0.community_id).await
    }
    /// Resident party members (在册党员); null for callers who read the structure only (the city).
    async fn resident_members(&self) -> Option<i32> {
        self.0.resident_members.map(int)
    }
    /// In-service party members registered here (在职党员); null for callers who read the
    /// structure only (the city).
    async fn in_service_members(&self) -> Option<i32> {
        self.0.in_service_members.map(int)
    }
    /// Joint committees (联合党委).
    async fn joint_committees(&self) -> i32 {
        int(self.0.joint_committees)
    }
    /// Community party branches.
    async fn community_branches(&self) -> i32 {
        int(self.0.community_branches)
    }
    /// Compound party branches.
    async fn compound_branches(&self) -> i32 {
        int(self.0.compound_branches)
    }
    /// Co-building units with a seat on the joint committee today.
    async fn seated_units(&self) -> i32 {
        int(self.0.seated_units)
    }
    /// Compounds (小区) and other sites.
    async fn compounds(&self) -> i32 {
        int(self.0.compounds)
    }
    /// Households, the sum of what the compounds record.
    async fn households(&self) -> i32 {
        int(self.0.households)
    }
    /// Buildings and lanes (楼栋 / 街巷) of the compounds.
    async fn buildings(&self) -> i32 {
        int(self.0.buildings)
    }
    /// Households, the sum of what the buildings and lanes record.
    async fn building_households(&self) -> i32 {
        int(self.0.building_households)
    }
}

/// Queries of the organisation graph: figures.
#[derive(Default)]
pub struct FiguresQuery;

/// Queries of the organisation graph: figures.
#[Object]
impl FiguresQuery {
    /// The organisation figures of every community in the caller's scope, or of one: street and
    /// community staff and reporters; the city admin reads the structure only (member counts
    /// null); units and members are refused (`FORBIDDEN`).
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn organisation_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
    ) -> Result<Vec<OrganisationFigures>> {
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?;
        let rows = service::organisation_figures(&rc(ctx)?.cx, c).await?;
        Ok(rows.into_iter().map(OrganisationFigures).collect())
    }
}
