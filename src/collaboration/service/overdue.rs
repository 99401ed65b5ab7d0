//! Overdue work by unit: for the monthly report's list of units whose shares are late.

use super::*;

/// A unit with open shares of tasks past their due time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueOfUnit {
    pub unit_id: Uuid,
    pub unit_name: String,
    /// Tasks open past their due time on which the unit holds an open share.
    pub tasks: u64,
}

/// Per unit, the open tasks past their due time it holds an open share of, most first, within
/// the caller's sight (a unit sees only its own), in one community or all of the scope.
pub async fn overdue_by_unit(cx: &Cx, community: Option<CommunityId>) -> AppResult<Vec<OverdueOfUnit>> {
    cx.scope.require_authenticated()?;
    let open = [TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened];
    let overdue_tasks = Query::select()
        .column(task::Column::Id)
        .from(task::Entity)
        .cond_where(task_filter(&cx.scope))
        .and_where(task::Column::Status.is_in(open))
        .and_where(task::Column::DueAt.lt(Utc::now()))
        .to_owned();
    let mut select = assignment::Entity::find()
        .select_only()
        .column(assignment::Column::UnitId)
        .column_as(Expr::col(assignment::Column::TaskId).count_distinct(), "tasks")
        .filter(assignment_filter(&cx.scope))
        .filter(assignment::Column::Status.is_in(OPEN_SHARES))
        .filter(assignment::Column::TaskId.in_subquery(overdue_tasks))
        .group_by(assignment::Column::UnitId);
    if let Some(c) = community {
        select = select.filter(assignment::Column::CommunityId.eq(c.0));
    }
    let counts: Vec<(Uuid, i64)> = select.into_tuple().all(&cx.db).await?;
    if counts.is_empty() {
        return Ok(Vec::new());
    }
    let names: std::collections::HashMap<Uuid, String> = co_building_unit::Entity::find()
        .filter(co_building_unit::Column::Id.is_in(counts.iter().map(|c| c.0)))
        .all(&cx.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut out: Vec<OverdueOfUnit> = counts
        .into_iter()
        .map(|(unit_id, n)| OverdueOfUnit {
            unit_id,
            unit_name: names.get(&unit_id).cloned().unwrap_or_default(),
            tasks: u64::try_from(n).unwrap_or(0),
        })
        .collect();
    out.sort_by(|a, b| b.tasks.cmp(&a.tasks).then_with(|| a.unit_name.cmp(&b.unit_name)));
    Ok(out)
}
