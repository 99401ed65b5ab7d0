//! Figures of home co-building per compound, computed from the records every time (no stored
//! counters that can drift), for the caller's communities, one of them or one compound, over a
//! range of days in Beijing time, in total or by community, compound or month.
//!
//! Two kinds of figure:
//!
//! - **today's state**, whatever the range: buildings and lanes with their households, active
//!   building leaders, projects in progress, arrears cases open and what they owe. Grouped by
//!   month they are null (a state has no month);
//! - **counted in the range**, each record by its own moment: leaders chosen (the later of the two
//!   agreements of the two-way selection), projects proposed (`created_at`), approved
//!   (`approved_at`, with their budgets), done and dropped; shared income and disbursements net of
//!   reversals by the first day of the period an entry covers (as the ledger's years count them);
//!   arrears cases opened (`created_at`) and given each outcome (`outcome_at`, by the outcome they
//!   hold now).
//!
//! Read in five statements whatever the size (buildings, leaders, projects, ledger entries,
//! arrears cases, each of the scope only) and aggregated here, the same on both databases.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::arrears_case::{self, ArrearsStatus};
use entity::building::{self, BuildingKind};
use entity::building_leader::{self, LeaderStatus};
use entity::compound;
use entity::ledger_entry::Column as Ledger;
use entity::ledger_entry::{self, LedgerKind};
use entity::project::{self, ProjectStatus};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::Principal;
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::visibility::reads_figures;
use crate::organisation::ids::{CommunityId, CompoundId};
use crate::reporting::period::{Period, month_of};

/// How the figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeGrouping {
    Total,
    Community,
    Compound,
    Month,
}

/// What the figures are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomeStatsQuery {
    pub community: Option<CommunityId>,
    pub compound: Option<CompoundId>,
    /// First and last day, Beijing time, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub by: HomeGrouping,
}

/// Today's state of the group (none when grouped by month).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HomeState {
    pub buildings: u64,
    pub lanes: u64,
    pub households: u64,
    pub active_leaders: u64,
    pub projects_in_progress: u64,
    pub arrears_open: u64,
    pub arrears_open_fen: i64,
}

/// One row of figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeFigures {
    /// The community, the compound or the month (`YYYY-MM`), as grouped; all none for the total.
    pub community: Option<Uuid>,
    pub compound: Option<Uuid>,
    pub month: Option<String>,
    pub state: Option<HomeState>,
    pub leaders_chosen: u64,
    pub projects_proposed: u64,
    pub projects_approved: u64,
    pub approved_budget_fen: i64,
    pub projects_done: u64,
    pub projects_dropped: u64,
    pub income_fen: i64,
    pub disbursement_fen: i64,
    pub arrears_opened: u64,
    pub arrears_paid: u64,
    pub arrears_plan_agreed: u64,
    pub arrears_refused: u64,
    pub arrears_escalated: u64,
}

/// A row's group: community, compound, month.
type Key = (Option<Uuid>, Option<Uuid>, Option<String>);

/// Where the rows of a group go, by their community and compound and, when grouped by month, the
/// month of the moment that counts.
struct Groups {
    by: HomeGrouping,
    rows: BTreeMap<Key, HomeFigures>,
}

impl Groups {
    fn key(&self, community: Uuid, compound: Uuid, month: Option<String>) -> Key {
        match self.by {
            HomeGrouping::Total => (None, None, None),
            HomeGrouping::Community => (Some(community), None, None),
            HomeGrouping::Compound => (Some(community), Some(compound), None),
            HomeGrouping::Month => (None, None, month),
        }
    }

    fn slot(&mut self, k: Key) -> &mut HomeFigures {
        let by = self.by;
        self.rows.entry(k.clone()).or_insert_with(|| HomeFigures {
            community: k.0,
            compound: k.1,
            month: k.2,
            state: (by != HomeGrouping::Month).then(HomeState::default),
            ..HomeFigures::default()
        })
    }

    /// The row counting something that happened at `at`.
    fn at(&mut self, community: Uuid, compound: Uuid, at: DateTime<Utc>) -> &mut HomeFigures {
        let k = self.key(community, compound, Some(month_of(at)));
        self.slot(k)
    }

    /// The row counting something of the first day `day` (a Beijing day already).
    fn on(&mut self, community: Uuid, compound: Uuid, day: NaiveDate) -> &mut HomeFigures {
        let k = self.key(community, compound, Some(day.format("%Y-%m").to_string()));
        self.slot(k)
    }

    /// Today's state of the row of `community` and `compound`; none when grouped by month.
    fn state(&mut self, community: Uuid, compound: Uuid) -> Option<&mut HomeState> {
        if self.by == HomeGrouping::Month {
            return None;
        }
        let k = self.key(community, compound, None);
        self.slot(k).state.as_mut()
    }
}

/// The communities (and the compound) every statement is limited to.
struct Within<'a> {
    communities: &'a [Uuid],
    compound: Option<CompoundId>,
}

impl Within<'_> {
    fn of<C: ColumnTrait>(&self, community: C, compound: C) -> Condition {
        let cond = Condition::all().add(community.is_in(self.communities.iter().copied()));
        match self.compound {
            Some(c) => cond.add(compound.eq(c.0)),
            None => cond,
        }
    }
}

/// The figures (see the module documentation): street and community staff and reporting tools,
/// over the communities they see.
pub async fn home_statistics(cx: &Cx, q: HomeStatsQuery) -> AppResult<Vec<HomeFigures>> {
    cx.scope.require_authenticated()?;
    if !reads_figures(cx.scope.principal()) {
        return Err(AppError::Forbidden("home co-building's figures are for street, community and reporting users".into()));
    }
    let period = Period::new(q.from, q.to)?;
    // Staff read the communities they are staff of, a reporting tool those it sees.
    let reporter = matches!(cx.scope.principal(), Principal::Reporter { .. });
    let mut communities: Vec<Uuid> = cx.scope.communities().filter(|c| reporter || cx.scope.is_staff_of(*c)).collect();
    if let Some(c) = q.community {
        if !communities.contains(&c.0) {
            return Err(AppError::not_found("community"));
        }
        communities = vec![c.0];
    }
    if let Some(c) = q.compound {
        let found = compound::Entity::find_by_id(c.0).filter(compound::Column::CommunityId.is_in(communities.clone())).one(&cx.db).await?;
        communities = vec![found.ok_or_else(|| AppError::not_found("compound"))?.community_id];
    }
    let within = Within { communities: &communities, compound: q.compound };
    let buildings =
        building::Entity::find().filter(within.of(building::Column::CommunityId, building::Column::CompoundId)).all(&cx.db).await?;
    let leaders = building_leader::Entity::find()
        .filter(within.of(building_leader::Column::CommunityId, building_leader::Column::CompoundId))
        .filter(building_leader::Column::Status.is_in([LeaderStatus::Active, LeaderStatus::Ended]))
        .all(&cx.db)
        .await?;
    let projects = project::Entity::find().filter(within.of(project::Column::CommunityId, project::Column::CompoundId)).all(&cx.db).await?;
    let mut ledger = ledger_entry::Entity::find().filter(within.of(Ledger::CommunityId, Ledger::CompoundId));
    if let Some(from) = period.from {
        ledger = ledger.filter(Ledger::PeriodStart.gte(from));
    }
    if let Some(to) = period.to {
        ledger = ledger.filter(Ledger::PeriodStart.lte(to));
    }
    let ledger = ledger.all(&cx.db).await?;
    let arrears = arrears_case::Entity::find()
        .filter(within.of(arrears_case::Column::CommunityId, arrears_case::Column::CompoundId))
        .all(&cx.db)
        .await?;

    let mut g = Groups { by: q.by, rows: BTreeMap::new() };
    for b in &buildings {
        if let Some(s) = g.state(b.community_id, b.compound_id) {
            match b.kind {
                BuildingKind::Building => s.buildings += 1,
                BuildingKind::Lane => s.lanes += 1,
            }
            s.households += u64::try_from(b.households).unwrap_or(0);
        }
    }
    for l in &leaders {
        if l.status == LeaderStatus::Active
            && let Some(s) = g.state(l.community_id, l.compound_id)
        {
            s.active_leaders += 1;
        }
        // Chosen when the second side agreed.
        if let (Some(a), Some(b)) = (l.member_agreed_at, l.residents_agreed_at) {
            let chosen = a.max(b);
            if period.contains(chosen) {
                g.at(l.community_id, l.compound_id, chosen).leaders_chosen += 1;
            }
        }
    }
    for p in &projects {
        if p.status == ProjectStatus::InProgress
            && let Some(s) = g.state(p.community_id, p.compound_id)
        {
            s.projects_in_progress += 1;
        }
        if period.contains(p.created_at) {
            g.at(p.community_id, p.compound_id, p.created_at).projects_proposed += 1;
        }
        if let (true, Some(at)) = (period.holds(p.approved_at), p.approved_at) {
            let f = g.at(p.community_id, p.compound_id, at);
            f.projects_approved += 1;
            f.approved_budget_fen += p.budget_fen;
        }
        if let (true, Some(at)) = (period.holds(p.done_at), p.done_at) {
            g.at(p.community_id, p.compound_id, at).projects_done += 1;
        }
        if let (true, Some(at)) = (period.holds(p.dropped_at), p.dropped_at) {
            g.at(p.community_id, p.compound_id, at).projects_dropped += 1;
        }
    }
    for e in &ledger {
        let f = g.on(e.community_id, e.compound_id, e.period_start);
        match e.kind {
            LedgerKind::Income => f.income_fen += e.amount_fen,
            LedgerKind::Disbursement => f.disbursement_fen += e.amount_fen,
        }
    }
    for a in &arrears {
        if a.status == ArrearsStatus::Open
            && let Some(s) = g.state(a.community_id, a.compound_id)
        {
            s.arrears_open += 1;
            s.arrears_open_fen += a.amount_owed_fen;
        }
        if period.contains(a.created_at) {
            g.at(a.community_id, a.compound_id, a.created_at).arrears_opened += 1;
        }
        if let (true, Some(at)) = (period.holds(a.outcome_at), a.outcome_at) {
            let f = g.at(a.community_id, a.compound_id, at);
            match a.status {
                ArrearsStatus::Paid => f.arrears_paid += 1,
                ArrearsStatus::PlanAgreed => f.arrears_plan_agreed += 1,
                ArrearsStatus::Refused => f.arrears_refused += 1,
                ArrearsStatus::Escalated => f.arrears_escalated += 1,
                ArrearsStatus::Open => {}
            }
        }
    }
    if q.by == HomeGrouping::Total && g.rows.is_empty() {
        g.slot((None, None, None));
    }
    Ok(g.rows.into_values().collect())
}
