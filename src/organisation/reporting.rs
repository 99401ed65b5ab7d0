//! What the organisation graph feeds to reporting (see `crate::reporting`): its figures per
//! community as the `organisation-figures` dataset, the rows of the same service function that
//! answers `organisationStatistics`.

use std::sync::Arc;

use super::graphql::kind;
use super::ids::CommunityId;
use super::service::{OrganisationFigures, organisation_figures};
use crate::cx::Cx;
use crate::error::AppResult;
use crate::reporting::{About, Cell, Column, Dataset, Filter, Filters, Record, Row, Rows, col, records};

/// The organisation graph's datasets.
pub fn datasets() -> Vec<Arc<dyn Dataset>> {
    vec![Arc::new(Figures)]
}

/// The organisation figures, one row per community.
pub struct Figures;

impl Record for OrganisationFigures {
    const COLUMNS: &'static [Column] = &[
        col("community_id", "The community's global id."),
        col("resident_members", "Resident party members (在册党员); empty for callers who read the structure only (the city)."),
        col("in_service_members", "In-service party members registered here (在职党员); empty for callers who read the structure only."),
        col("joint_committees", "Joint committees (联合党委)."),
        col("community_branches", "Community party branches."),
        col("compound_branches", "Compound party branches."),
        col("seated_units", "Co-building units with a seat on the joint committee today."),
        col("compounds", "Compounds (小区) and other sites."),
        col("households", "Households, the sum of what the compounds record."),
        col("buildings", "Buildings and lanes (楼栋 / 街巷)."),
        col("building_households", "Households, the sum of what the buildings and lanes record."),
    ];

    fn cells(self) -> Row {
        vec![
            Cell::id(kind::COMMUNITY, self.community_id),
            self.resident_members.map(Cell::count).unwrap_or(Cell::Null),
            self.in_service_members.map(Cell::count).unwrap_or(Cell::Null),
            Cell::count(self.joint_committees),
            Cell::count(self.community_branches),
            Cell::count(self.compound_branches),
            Cell::count(self.seated_units),
            Cell::count(self.compounds),
            Cell::count(self.households),
            Cell::count(self.buildings),
            Cell::count(self.building_households),
        ]
    }
}

#[async_trait::async_trait]
impl Dataset for Figures {
    fn about(&self) -> About {
        About {
            name: "organisation-figures",
            doc: "Figures of the organisation graph (organisationStatistics): one row per community in the caller's scope.",
            columns: OrganisationFigures::COLUMNS,
            filters: &[Filter::Community],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        Ok(records(organisation_figures(&cx, f.community.map(CommunityId)).await?))
    }
}
