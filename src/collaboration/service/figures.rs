//! The street's task figures per community for the operators' metrics (`/metrics`): system
//! work over every community, never a caller's view.

use sea_orm::sea_query::{Alias, Condition, JoinType};
use sea_orm::{DatabaseConnection, DbErr};

use super::*;

/// One community's open work now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityTaskFigures {
    /// The code of the community's street.
    pub street: String,
    /// The community's code.
    pub community: String,
    /// Tasks that still need work.
    pub open: i64,
    /// Open tasks past their due time.
    pub overdue: i64,
    /// Open tasks raised to the street or the city.
    pub escalated: i64,
}

/// Open, overdue and escalated tasks of every community (zero for a community with none), in
/// one grouped statement on `db`, which must see every community: the system pool.
pub async fn task_figures_by_community(db: &DatabaseConnection) -> Result<Vec<CommunityTaskFigures>, DbErr> {
    use entity::region;
    let now = Utc::now();
    let one_if = |cond: sea_orm::sea_query::Expr| Expr::case(cond, 1).finally(0);
    let open_task_of_community = Condition::all()
        .add(Expr::col((task::Entity, task::Column::CommunityId)).equals((community::Entity, community::Column::Id)))
        .add(task::Column::Status.is_in(OPEN_TASKS));
    let query = Query::select()
        .expr_as(Expr::col((region::Entity, region::Column::Code)), Alias::new("street"))
        .expr_as(Expr::col((community::Entity, community::Column::Code)), Alias::new("community"))
        .expr_as(Expr::col((task::Entity, task::Column::Id)).count(), Alias::new("open"))
        .expr_as(Expr::expr(one_if(task::Column::DueAt.lt(now))).sum(), Alias::new("overdue"))
        .expr_as(Expr::expr(one_if(task::Column::Level.ne(TaskLevel::Community))).sum(), Alias::new("escalated"))
        .from(community::Entity)
        .join(
            JoinType::InnerJoin,
            region::Entity,
            Expr::col((region::Entity, region::Column::Id)).equals((community::Entity, community::Column::StreetId)),
        )
        .join(JoinType::LeftJoin, task::Entity, open_task_of_community)
        .group_by_col((region::Entity, region::Column::Code))
        .group_by_col((community::Entity, community::Column::Code))
        .to_owned();
    let rows = db.query_all_raw(db.get_database_backend().build(&query)).await?;
    rows.iter()
        .map(|row| {
            Ok(CommunityTaskFigures {
                street: row.try_get("", "street")?,
                community: row.try_get("", "community")?,
                open: row.try_get("", "open")?,
                overdue: row.try_get::<Option<i64>>("", "overdue")?.unwrap_or(0),
                escalated: row.try_get::<Option<i64>>("", "escalated")?.unwrap_or(0),
            })
        })
        .collect()
}
