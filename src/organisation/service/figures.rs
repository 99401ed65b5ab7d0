//! Figures of the organisation graph per community: party members and party organisations by
//! kind, co-building units seated today, compounds, buildings and households, counted from the
//! records in a few grouped statements (never one per community).

use std::collections::BTreeMap;

use entity::building;

use super::*;
use crate::organisation::visibility::Figures;

/// The figures of one community. Member counts are `None` for callers who read the structure
/// only (the city).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationFigures {
    pub community_id: Uuid,
    pub resident_members: Option<u64>,
    pub in_service_members: Option<u64>,
    pub joint_committees: u64,
    pub community_branches: u64,
    pub compound_branches: u64,
    pub seated_units: u64,
    pub compounds: u64,
    /// Households as stored on the compounds.
    pub households: u64,
    pub buildings: u64,
    /// Households as stored on the buildings and lanes.
    pub building_households: u64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The figures of every community in the caller's scope, or of one: street and community staff
/// and reporters read them all, the city admin the structure only; units and members are
/// refused. Five statements whatever the number of communities.
pub async fn organisation_figures(cx: &Cx, community_id: Option<CommunityId>) -> AppResult<Vec<OrganisationFigures>> {
    cx.scope.require_authenticated()?;
    let reach = visibility::figures(&cx.scope);
    if reach == Figures::Refused {
        return Err(AppError::Forbidden("organisation figures are for street, community, city and reporting users".into()));
    }
    let communities: Vec<Uuid> = match community_id {
        Some(c) if cx.scope.sees_community(c.0) => vec![c.0],
        Some(_) => return Err(AppError::not_found("community")),
        None => cx.scope.communities().collect(),
    };
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let db = &cx.db;
    let full = reach == Figures::Full;
    let mut rows: BTreeMap<Uuid, OrganisationFigures> = communities
        .iter()
        .map(|c| {
            let zero = if full { Some(0) } else { None };
            (*c, OrganisationFigures { community_id: *c, resident_members: zero, in_service_members: zero, ..Default::default() })
        })
        .collect();
    if full {
        let members: Vec<(Uuid, MemberKind, i64)> = party_member::Entity::find()
            .select_only()
            .column(party_member::Column::CommunityId)
            .column(party_member::Column::Kind)
            .column_as(party_member::Column::Id.count(), "n")
            .filter(party_member::Column::CommunityId.is_in(communities.clone()))
            .group_by(party_member::Column::CommunityId)
            .group_by(party_member::Column::Kind)
            .into_tuple()
            .all(db)
            .await?;
        for (c, kind, n) in members {
            if let Some(r) = rows.get_mut(&c) {
                match kind {
                    MemberKind::Resident => r.resident_members = Some(count(n)),
                    MemberKind::InService => r.in_service_members = Some(count(n)),
                }
            }
        }
    }
    let organisations: Vec<(Uuid, OrganizationKind, i64)> = party_organization::Entity::find()
        .select_only()
        .column(party_organization::Column::CommunityId)
        .column(party_organization::Column::Kind)
        .column_as(party_organization::Column::Id.count(), "n")
        .filter(party_organization::Column::CommunityId.is_in(communities.clone()))
        .group_by(party_organization::Column::CommunityId)
        .group_by(party_organization::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    for (c, kind, n) in organisations {
        if let Some(r) = rows.get_mut(&c) {
            match kind {
                OrganizationKind::JointCommittee => r.joint_committees = count(n),
                OrganizationKind::CommunityBranch => r.community_branches = count(n),
                OrganizationKind::CompoundBranch => r.compound_branches = count(n),
            }
        }
    }
    let seated: Vec<(Uuid, i64)> = committee_membership::Entity::find()
        .select_only()
        .column(committee_membership::Column::CommunityId)
        .column_as(
            sea_orm::sea_query::Expr::from(sea_orm::sea_query::Func::count_distinct(sea_orm::sea_query::Expr::col(
                committee_membership::Column::UnitId,
            ))),
            "n",
        )
        .filter(committee_membership::Column::CommunityId.is_in(communities.clone()))
        .filter(active_membership())
        .group_by(committee_membership::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    for (c, n) in seated {
        if let Some(r) = rows.get_mut(&c) {
            r.seated_units = count(n);
        }
    }
    let compounds: Vec<(Uuid, i64, Option<i64>)> = compound::Entity::find()
        .select_only()
        .column(compound::Column::CommunityId)
        .column_as(compound::Column::Id.count(), "n")
        .column_as(compound::Column::Households.sum(), "households")
        .filter(compound::Column::CommunityId.is_in(communities.clone()))
        .group_by(compound::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    for (c, n, households) in compounds {
        if let Some(r) = rows.get_mut(&c) {
            r.compounds = count(n);
            r.households = count(households.unwrap_or(0));
        }
    }
    let buildings: Vec<(Uuid, i64, Option<i64>)> = building::Entity::find()
        .select_only()
        .column(building::Column::CommunityId)
        .column_as(building::Column::Id.count(), "n")
        .column_as(building::Column::Households.sum(), "households")
        .filter(building::Column::CommunityId.is_in(communities))
        .group_by(building::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    for (c, n, households) in buildings {
        if let Some(r) = rows.get_mut(&c) {
            r.buildings = count(n);
            r.building_households = count(households.unwrap_or(0));
        }
    }
    Ok(rows.into_values().collect())
}
