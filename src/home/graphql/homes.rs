//! A compound's home (家园): the compound as its residents run it.

use async_graphql::{Context, Enum, ID, Object, Result};
use entity::compound;

use super::{
    ArrearsCase, ArrearsStatus, Building, BuildingLeader, LeaderStatus, LedgerEntry, LedgerYear, OwnersCommittee, Project, PropertyManager,
    kind,
};
use crate::graphql::connection::{Conn, TotalCount};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::home::loaders::*;
use crate::home::service;
use crate::organisation::graphql::Compound;
use crate::organisation::loaders::{CompoundId, CompoundPage, CountKey, org_loader};
use crate::paging::PageArgs;

/// How a compound is managed, following the property manager in charge.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::home::service::ManagementMode")]
pub enum ManagementMode {
    /// A property management company (物业公司) is in charge.
    Company,
    /// The owners manage the compound themselves, through their self-management group (物业自治小组).
    OwnerSelfManagement,
    /// Nobody is in charge.
    None,
}

/// A compound's home (家园共建): the compound as its residents run it: its buildings and lanes
/// with their leaders, its owners' committee and its property manager, each with its history.
/// Its id is the compound's, as a `Home`.
pub struct Home(pub compound::Model);
crate::graphql::connection::connection_node!(Home);

/// A compound's home (家园共建): the compound as its residents run it: its buildings and lanes
/// with their leaders, its owners' committee and its property manager, each with its history.
#[Object]
impl Home {
    /// Globally unique id (the compound's, as a `Home`).
    pub async fn id(&self) -> ID {
        global_id(kind::HOME, self.0.id)
    }
    /// The compound.
    async fn compound(&self) -> Compound {
        Compound(self.0.clone())
    }
    /// The compound's buildings and lanes (楼栋 / 街巷), in the order they were added.
    async fn buildings(&self, ctx: &Context<'_>) -> Result<Vec<Building>> {
        Ok(home_loader(ctx)?.load_one(BuildingsOf(self.0.id)).await?.unwrap_or_default().into_iter().map(Building).collect())
    }
    /// The owners' committee (业委会) in office, if any.
    async fn owners_committee(&self, ctx: &Context<'_>) -> Result<Option<OwnersCommittee>> {
        Ok(home_loader(ctx)?.load_one(CommitteeOf(self.0.id)).await?.map(OwnersCommittee))
    }
    /// Every owners' committee of the compound, the latest term first.
    async fn owners_committee_history(&self, ctx: &Context<'_>) -> Result<Vec<OwnersCommittee>> {
        Ok(home_loader(ctx)?.load_one(CommitteesOf(self.0.id)).await?.unwrap_or_default().into_iter().map(OwnersCommittee).collect())
    }
    /// How the compound is managed today, following the property manager in charge.
    async fn management_mode(&self, ctx: &Context<'_>) -> Result<ManagementMode> {
        let manager = home_loader(ctx)?.load_one(ManagerOf(self.0.id)).await?;
        Ok(service::management_mode(manager.as_ref()).into())
    }
    /// The property manager (物业) in charge, if any.
    async fn property_manager(&self, ctx: &Context<'_>) -> Result<Option<PropertyManager>> {
        Ok(home_loader(ctx)?.load_one(ManagerOf(self.0.id)).await?.map(PropertyManager))
    }
    /// Every property manager of the compound, the latest contract first: the history of its
    /// management mode.
    async fn property_manager_history(&self, ctx: &Context<'_>) -> Result<Vec<PropertyManager>> {
        Ok(home_loader(ctx)?.load_one(ManagersOf(self.0.id)).await?.unwrap_or_default().into_iter().map(PropertyManager).collect())
    }
    /// The two-way selections of the compound's building and lane leaders the caller sees, newest
    /// first: appointments and their history where names are shown; applications and nominations
    /// in progress (and declined ones) to community staff, to the member, and to the branch's
    /// secretary and the owners' committee of the compound.
    async fn leader_selections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only selections in this state.")] status: Option<LeaderStatus>,
    ) -> Result<Vec<BuildingLeader>> {
        let rows = home_loader(ctx)?.load_one(SelectionsOf(self.0.id)).await?.unwrap_or_default();
        let status = status.map(entity::building_leader::LeaderStatus::from);
        Ok(rows.into_iter().filter(|(m, _)| status.is_none_or(|s| m.status == s)).map(BuildingLeader::of).collect())
    }
    /// The compound's renovation projects (微改造) the caller sees, newest first: staff of the
    /// community and the street, the owners' committee in office, the compound's residents, and
    /// the unit brokering each.
    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Project>> {
        Ok(home_loader(ctx)?.load_one(ProjectsOf(self.0.id)).await?.unwrap_or_default().into_iter().map(Project).collect())
    }
    /// The shared income (公共收益) of the compound, year by year, the latest first: income,
    /// disbursements and the balance, summed by the database over every entry and reversal.
    /// Shown to staff of the community, the owners' committee in office and the people who live
    /// in the compound; empty for everyone else.
    async fn ledger_totals(&self, ctx: &Context<'_>, #[graphql(desc = "Only this year.")] year: Option<i32>) -> Result<Vec<LedgerYear>> {
        let years = home_loader(ctx)?.load_one(LedgerTotalsOf(self.0.id)).await?.unwrap_or_default();
        Ok(years.into_iter().filter(|y| year.is_none_or(|wanted| y.year == wanted)).map(LedgerYear::from).collect())
    }
    /// The entries of the compound's shared-income ledger in a year, in the order of their
    /// periods, reversals included. Shown to staff of the community and the owners' committee in
    /// office; empty for everyone else.
    async fn ledger_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year the entries count in.")] year: i32,
    ) -> Result<Vec<LedgerEntry>> {
        Ok(home_loader(ctx)?.load_one(LedgerEntriesOf(self.0.id, year)).await?.unwrap_or_default().into_iter().map(LedgerEntry).collect())
    }
    /// The compound's property-fee arrears cases (物业费催缴) the caller sees, newest first: all of
    /// them to staff of the community and the owners' committee in office, those of their own
    /// building to a building's leader; empty for everyone else, residents included.
    async fn arrears_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only cases in this state.")] status: Option<ArrearsStatus>,
    ) -> Result<Vec<ArrearsCase>> {
        let rows = home_loader(ctx)?.load_one(ArrearsCasesOf(self.0.id)).await?.unwrap_or_default();
        let status = status.map(entity::arrears_case::ArrearsStatus::from);
        Ok(rows.into_iter().filter(|m| status.is_none_or(|s| m.status == s)).map(ArrearsCase).collect())
    }
}

/// Queries of home co-building: a compound's home, and the homes of a community.
#[derive(Default)]
pub struct HomesQuery;

/// Queries of home co-building: a compound's home, and the homes of a community.
#[Object]
impl HomesQuery {
    /// The home of a compound in the caller's scope; null when absent or out of scope.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn home(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The compound (a `Compound` or `Home` id).")] compound_id: ID,
    ) -> Result<Option<Home>> {
        rc(ctx)?.cx.scope.require_authenticated()?;
        let id = match expect_id(&compound_id, kind::HOME, "compoundId") {
            Ok(id) => id,
            Err(_) => expect_id(&compound_id, kind::COMPOUND, "compoundId")?,
        };
        Ok(org_loader(ctx)?.load_one(CompoundId(id)).await?.map(Home))
    }

    /// The homes of a community's compounds, in the caller's scope.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn homes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The community.")] community_id: ID,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Home>> {
        rc(ctx)?.cx.scope.require_authenticated()?;
        let community = expect_id(&community_id, kind::COMMUNITY, "communityId")?;
        let args = PageArgs::new(first, after, last, before)?;
        let page = org_loader(ctx)?.load_one(CompoundPage(community, args)).await?.unwrap_or_default();
        Ok(page.into_connection(|m| m.id, Home, TotalCount::lazy(CountKey::CompoundsOf(community))))
    }
}
