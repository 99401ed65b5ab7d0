//! Who sees what of collaboration: one table, [`sees`], with a row for every principal kind and
//! no default, so that a new kind of principal does not compile until it is decided here. The
//! service, the DataLoaders and the live subscription all filter through the conditions below;
//! the community set every rule is confined to is the scope's (`auth::scope`).

use entity::task::{self, TaskLevel};
use entity::{assignment, campaign, campaign_community, finding, inspection, site, task_event};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Condition, Expr, Query, SimpleExpr};
use uuid::Uuid;

use super::live::LiveEvent;
use crate::auth::{Principal, Scope};

/// Which tasks (and with them shares and timeline entries) a principal sees, inside the
/// communities of its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tasks {
    /// Every task, share and timeline entry.
    All,
    /// The tasks this unit has a share of; of their shares only its own, of their timelines
    /// everything but other units' share events.
    SharedWith(Uuid),
    /// The tasks escalated to the city, with all their shares and timeline entries.
    City,
    /// None.
    None,
}

/// What a principal sees of collaboration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sees {
    pub tasks: Tasks,
    /// Inspections and their findings.
    pub inspections: bool,
    /// Campaigns one of its communities takes part in.
    pub campaigns: bool,
}

/// The table: what each kind of principal sees of collaboration.
pub fn sees(principal: &Principal) -> Sees {
    match principal {
        // Staff and reporters see their communities' work.
        Principal::StreetAdmin { .. }
        | Principal::CommunityAdmin { .. }
        | Principal::CommunityStaff { .. }
        | Principal::Reporter { .. } => Sees { tasks: Tasks::All, inspections: true, campaigns: true },
        // A partner department sees its own shares, in communities whose committee it sits on.
        Principal::Unit { unit_id, .. } => Sees { tasks: Tasks::SharedWith(*unit_id), inspections: false, campaigns: true },
        // City staff see what was escalated to the city.
        Principal::CityAdmin { .. } => Sees { tasks: Tasks::City, inspections: false, campaigns: true },
        // Residents, callers without credentials and the server's jobs (which query what they
        // need explicitly) see none of it.
        Principal::Member { .. } => NOTHING,
        Principal::Anonymous => NOTHING,
        Principal::System => NOTHING,
    }
}

const NOTHING: Sees = Sees { tasks: Tasks::None, inspections: false, campaigns: false };

fn never() -> SimpleExpr {
    Expr::cust("1 = 0")
}

/// Tasks escalated to the city, as a subquery on a column holding task ids.
fn city_tasks(column: impl ColumnTrait) -> SimpleExpr {
    column.in_subquery(
        Query::select().column(task::Column::Id).from(task::Entity).and_where(task::Column::Level.eq(TaskLevel::City)).to_owned(),
    )
}

/// Tasks a unit has a share of, as a subquery on a column holding task ids.
pub fn tasks_shared_with(column: impl ColumnTrait, unit_id: Uuid) -> SimpleExpr {
    column.in_subquery(
        Query::select()
            .column(assignment::Column::TaskId)
            .from(assignment::Entity)
            .and_where(assignment::Column::UnitId.eq(unit_id))
            .to_owned(),
    )
}

/// Tasks the scope may see.
pub fn task_filter(scope: &Scope) -> Condition {
    task_condition(scope.principal(), scope.tenant_filter(task::Column::CommunityId))
}

fn task_condition(principal: &Principal, tenant: SimpleExpr) -> Condition {
    let cond = Condition::all().add(tenant);
    match sees(principal).tasks {
        Tasks::All => cond,
        Tasks::SharedWith(unit_id) => cond.add(tasks_shared_with(task::Column::Id, unit_id)),
        Tasks::City => cond.add(task::Column::Level.eq(TaskLevel::City)),
        Tasks::None => Condition::all().add(never()),
    }
}

/// Shares the scope may see: all shares of visible tasks, except that a unit sees only its own.
pub fn assignment_filter(scope: &Scope) -> Condition {
    assignment_condition(scope.principal(), scope.tenant_filter(assignment::Column::CommunityId))
}

fn assignment_condition(principal: &Principal, tenant: SimpleExpr) -> Condition {
    let cond = Condition::all().add(tenant);
    match sees(principal).tasks {
        Tasks::All => cond,
        Tasks::SharedWith(unit_id) => cond.add(assignment::Column::UnitId.eq(unit_id)),
        Tasks::City => cond.add(city_tasks(assignment::Column::TaskId)),
        Tasks::None => cond.add(never()),
    }
}

/// Timeline entries the scope may see: a unit sees the entries of the tasks it has a share of,
/// without other units' share events.
pub fn event_filter(scope: &Scope) -> Condition {
    event_condition(scope.principal(), scope.tenant_filter(task_event::Column::CommunityId))
}

fn event_condition(principal: &Principal, tenant: SimpleExpr) -> Condition {
    let cond = Condition::all().add(tenant);
    match sees(principal).tasks {
        Tasks::All => cond,
        Tasks::SharedWith(unit_id) => cond
            .add(tasks_shared_with(task_event::Column::TaskId, unit_id))
            .add(Condition::any().add(task_event::Column::UnitId.is_null()).add(task_event::Column::UnitId.eq(unit_id))),
        Tasks::City => cond.add(city_tasks(task_event::Column::TaskId)),
        Tasks::None => cond.add(never()),
    }
}

/// Whether a committed timeline entry goes to a live subscriber with this scope: the same rule
/// as [`event_filter`], on what the event carries (its task's level and units when published).
pub fn sees_live_event(scope: &Scope, e: &LiveEvent) -> bool {
    scope.sees_community(e.event.community_id) && live_event_visible(scope.principal(), e)
}

fn live_event_visible(principal: &Principal, e: &LiveEvent) -> bool {
    match sees(principal).tasks {
        Tasks::All => true,
        Tasks::SharedWith(unit_id) => e.unit_ids.contains(&unit_id) && e.event.unit_id.is_none_or(|u| u == unit_id),
        // City staff follow the tasks escalated to the city, from the escalation on.
        Tasks::City => e.task_level == Some(TaskLevel::City),
        Tasks::None => false,
    }
}

/// Whether the scope may read inspections (and their findings) in its communities.
pub fn reads_inspections(scope: &Scope) -> bool {
    sees(scope.principal()).inspections
}

/// Inspections the scope may see.
pub fn inspection_filter(scope: &Scope) -> Condition {
    gated(reads_inspections(scope), scope.tenant_filter(inspection::Column::CommunityId))
}

/// Findings the scope may see: those of the inspections it may see.
pub fn finding_filter(scope: &Scope) -> Condition {
    gated(reads_inspections(scope), scope.tenant_filter(finding::Column::CommunityId))
}

fn gated(allowed: bool, tenant: SimpleExpr) -> Condition {
    if allowed { Condition::all().add(tenant) } else { Condition::all().add(never()) }
}

/// Campaigns the scope may see: those of its streets that one of its communities takes part in.
pub fn campaign_filter(scope: &Scope) -> Condition {
    campaign_condition(scope.principal(), Condition::all().add(scope.tenant_filter(campaign_community::Column::CommunityId)))
}

fn campaign_condition(principal: &Principal, tenant: Condition) -> Condition {
    if !sees(principal).campaigns {
        return Condition::all().add(never());
    }
    Condition::all().add(campaign::Column::Id.in_subquery(
        Query::select().column(campaign_community::Column::CampaignId).from(campaign_community::Entity).cond_where(tenant).to_owned(),
    ))
}

/// Sites the scope may see: the places of its communities, for every principal (the community
/// set is the rule, `auth::scope`).
pub fn site_filter(scope: &Scope) -> SimpleExpr {
    scope.tenant_filter(site::Column::CommunityId)
}

/// Which of its communities a campaign shows: those of the scope.
pub fn campaign_community_filter(scope: &Scope) -> SimpleExpr {
    scope.tenant_filter(campaign_community::Column::CommunityId)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entity::task_event::EventKind;
    use sea_orm::sea_query::SqliteQueryBuilder;

    use super::*;

    fn every_principal() -> Vec<Principal> {
        let id = Uuid::now_v7();
        vec![
            Principal::Anonymous,
            Principal::CityAdmin { city_id: id },
            Principal::StreetAdmin { street_id: id },
            Principal::CommunityAdmin { community_id: id },
            Principal::CommunityStaff { community_id: id },
            Principal::Unit { unit_id: id, street_id: None },
            Principal::Member { person_id: id },
            Principal::Reporter { street_id: id, community_id: None },
            Principal::Reporter { street_id: id, community_id: Some(id) },
            Principal::System,
        ]
    }

    /// The SQL of a condition on `task`, with a marker for the community set.
    fn sql(cond: Condition) -> String {
        Query::select().column(task::Column::Id).from(task::Entity).cond_where(cond).to_string(SqliteQueryBuilder)
    }

    fn tenant() -> SimpleExpr {
        Expr::cust("tenant")
    }

    fn event(unit_id: Option<Uuid>) -> task_event::Model {
        task_event::Model {
            id: Uuid::now_v7(),
            community_id: Uuid::now_v7(),
            task_id: Uuid::now_v7(),
            kind: EventKind::Commented,
            from_status: None,
            to_status: None,
            assignment_id: None,
            unit_id,
            level: None,
            actor_kind: "COMMUNITY_STAFF".into(),
            actor: "staff".into(),
            note: None,
            evidence: "[]".into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn staff_and_reporters_see_all_their_communities_work() {
        let id = Uuid::now_v7();
        for p in [
            Principal::StreetAdmin { street_id: id },
            Principal::CommunityAdmin { community_id: id },
            Principal::CommunityStaff { community_id: id },
            Principal::Reporter { street_id: id, community_id: None },
            Principal::Reporter { street_id: id, community_id: Some(id) },
        ] {
            assert_eq!(sees(&p), Sees { tasks: Tasks::All, inspections: true, campaigns: true }, "{p:?}");
            for cond in [task_condition(&p, tenant()), assignment_condition(&p, tenant()), event_condition(&p, tenant())] {
                let sql = sql(cond);
                assert!(sql.contains("tenant") && !sql.contains("1 = 0") && !sql.contains("IN (SELECT"), "{p:?}: {sql}");
            }
            let e = LiveEvent { event: event(Some(Uuid::now_v7())), campaign_id: None, task_level: None, unit_ids: vec![] };
            assert!(live_event_visible(&p, &e));
        }
    }

    #[test]
    fn a_unit_sees_the_tasks_it_has_a_share_of_and_only_its_own_shares() {
        let unit = Uuid::now_v7();
        let p = Principal::Unit { unit_id: unit, street_id: None };
        assert_eq!(sees(&p), Sees { tasks: Tasks::SharedWith(unit), inspections: false, campaigns: true });
        let tasks = sql(task_condition(&p, tenant()));
        assert!(tasks.contains("tenant") && tasks.contains(&format!("\"unit_id\" = '{unit}'")), "{tasks}");
        let shares = sql(assignment_condition(&p, tenant()));
        assert!(shares.contains(&format!("\"unit_id\" = '{unit}'")) && !shares.contains("IN (SELECT"), "{shares}");
        let events = sql(event_condition(&p, tenant()));
        assert!(events.contains("IN (SELECT") && events.contains("\"unit_id\" IS NULL"), "{events}");

        let other = Uuid::now_v7();
        let of_task = |unit_id, ids: Vec<Uuid>| LiveEvent { event: event(unit_id), campaign_id: None, task_level: None, unit_ids: ids };
        assert!(live_event_visible(&p, &of_task(None, vec![unit])));
        assert!(live_event_visible(&p, &of_task(Some(unit), vec![unit, other])));
        assert!(!live_event_visible(&p, &of_task(Some(other), vec![unit, other])), "another unit's share event");
        assert!(!live_event_visible(&p, &of_task(None, vec![other])), "a task it has no share of");
    }

    #[test]
    fn city_staff_see_the_tasks_escalated_to_the_city() {
        let p = Principal::CityAdmin { city_id: Uuid::now_v7() };
        assert_eq!(sees(&p), Sees { tasks: Tasks::City, inspections: false, campaigns: true });
        let tasks = sql(task_condition(&p, tenant()));
        assert!(tasks.contains("tenant") && tasks.contains("\"level\" = 'CITY'"), "{tasks}");
        for cond in [assignment_condition(&p, tenant()), event_condition(&p, tenant())] {
            let sql = sql(cond);
            assert!(sql.contains("IN (SELECT") && sql.contains("\"level\" = 'CITY'"), "{sql}");
        }
        let at = |level| LiveEvent { event: event(None), campaign_id: None, task_level: level, unit_ids: vec![] };
        assert!(live_event_visible(&p, &at(Some(TaskLevel::City))));
        assert!(!live_event_visible(&p, &at(Some(TaskLevel::Street))));
    }

    #[test]
    fn members_anonymous_callers_and_jobs_see_none_of_it() {
        for p in [Principal::Member { person_id: Uuid::now_v7() }, Principal::Anonymous, Principal::System] {
            assert_eq!(sees(&p), NOTHING, "{p:?}");
            for cond in [
                task_condition(&p, tenant()),
                assignment_condition(&p, tenant()),
                event_condition(&p, tenant()),
                campaign_condition(&p, Condition::all().add(tenant())),
            ] {
                assert!(sql(cond).contains("1 = 0"), "{p:?}");
            }
            let e = LiveEvent { event: event(None), campaign_id: None, task_level: Some(TaskLevel::City), unit_ids: vec![] };
            assert!(!live_event_visible(&p, &e));
        }
    }

    #[test]
    fn inspections_are_read_by_staff_and_reporters_only() {
        for p in every_principal() {
            let expected = matches!(
                p,
                Principal::StreetAdmin { .. }
                    | Principal::CommunityAdmin { .. }
                    | Principal::CommunityStaff { .. }
                    | Principal::Reporter { .. }
            );
            assert_eq!(sees(&p).inspections, expected, "{p:?}");
            assert_eq!(sql(gated(sees(&p).inspections, tenant())).contains("1 = 0"), !expected, "{p:?}");
        }
    }

    #[test]
    fn campaigns_are_seen_through_the_communities_taking_part() {
        for p in every_principal() {
            let expected = !matches!(p, Principal::Member { .. } | Principal::Anonymous | Principal::System);
            assert_eq!(sees(&p).campaigns, expected, "{p:?}");
            let sql = sql(campaign_condition(&p, Condition::all().add(tenant())));
            if expected {
                assert!(sql.contains("campaign_community") && sql.contains("tenant"), "{p:?}: {sql}");
            } else {
                assert!(sql.contains("1 = 0"), "{p:?}: {sql}");
            }
        }
    }
}
