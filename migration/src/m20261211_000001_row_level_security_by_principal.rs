//! Row-level security narrowed by principal: where the service layer narrows a partner
//! department's or a resident's view below their communities, a restrictive policy narrows the
//! rows the same way, so that a forgotten filter in a unit's or a member's request still finds
//! only what the service would show.
//!
//! `m20261210_000001_row_level_security` admits a row by its community. These policies are
//! `AS RESTRICTIVE`: they add a condition to that one and admit nothing by themselves. Each
//! applies only when its setting is there: `gongzhi.unit` (set for a partner key's unit) and
//! `gongzhi.person` (set for a member); staff, reporters, the city, system work and BI logins
//! pass them untouched.
//!
//! - A unit reads the tasks it has a share of and, of their timelines, everything but other units'
//!   share events; it reads a task's shares (whether all are done decides the task's status) but
//!   writes its own only; it reads its own committee seats, and no inspection, finding, party
//!   member, volunteer, check-in, sign-up, residence, building leader, owners' committee member
//!   or appeal support.
//! - A member reads no task, share, timeline entry, inspection or finding, and of volunteers,
//!   check-ins and residences their own. Party members, sign-ups and appeal supports are read
//!   across people by the service on a resident's behalf (a branch secretary nominating a
//!   building leader from the branch, an activity's free places and its waiting list's order,
//!   whether an appeal was supported already), so they keep the community wall only.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The unit's tasks, as a sub-select on a column of task ids.
const UNIT_TASKS: &str = "(SELECT a.task_id FROM assignment a WHERE a.unit_id = (SELECT gongzhi_scope_unit()))";

/// How a principal's rows are narrowed on one table.
enum Narrow {
    /// The community wall only.
    Wall,
    /// Rows read and written only where the condition holds.
    Rows(String),
    /// Rows read within the wall, but inserted, updated and deleted only where the condition holds.
    Writes(String),
}

fn rows(rule: &str) -> Narrow {
    Narrow::Rows(rule.to_owned())
}

/// (table, a unit's narrowing, a member's narrowing).
fn rules() -> Vec<(&'static str, Narrow, Narrow)> {
    use Narrow::{Wall, Writes};
    let own = || rows("person_id = (SELECT gongzhi_scope_person())");
    vec![
        ("task", Narrow::Rows(format!("id IN {UNIT_TASKS}")), rows("false")),
        // A unit's request reads a task's other shares (whether all are done decides the task's
        // status) and writes its own only.
        ("assignment", Writes("unit_id = (SELECT gongzhi_scope_unit())".into()), rows("false")),
        (
            "task_event",
            Narrow::Rows(format!("task_id IN {UNIT_TASKS} AND (unit_id IS NULL OR unit_id = (SELECT gongzhi_scope_unit()))")),
            rows("false"),
        ),
        ("inspection", rows("false"), rows("false")),
        ("finding", rows("false"), rows("false")),
        ("committee_membership", rows("unit_id = (SELECT gongzhi_scope_unit())"), Wall),
        // A branch's secretary (a member) reads the branch's members to nominate building leaders.
        ("party_member", rows("false"), Wall),
        ("volunteer", rows("false"), own()),
        ("check_in", rows("false"), own()),
        ("residence", rows("false"), own()),
        ("sign_up", rows("false"), Wall),
        ("building_leader", rows("false"), Wall),
        ("owners_committee_member", rows("false"), Wall),
        ("appeal_support", rows("false"), Wall),
    ]
}

/// The restrictive policies of one table.
fn narrow(table: &str, unit: &Narrow, member: &Narrow) -> String {
    let mut sql = String::new();
    for (name, setting, rule) in [("gongzhi_unit", "gongzhi_scope_unit", unit), ("gongzhi_person", "gongzhi_scope_person", member)] {
        for command in ["", "_insert", "_update", "_delete"] {
            sql.push_str(&format!(r#"DROP POLICY IF EXISTS {name}{command} ON "{table}";"#));
        }
        let when = |rule: &str| format!("(SELECT {setting}()) IS NULL OR ({rule})");
        match rule {
            Narrow::Wall => {}
            Narrow::Rows(rule) => sql.push_str(&format!(r#"CREATE POLICY {name} ON "{table}" AS RESTRICTIVE USING ({});"#, when(rule))),
            Narrow::Writes(rule) => {
                let w = when(rule);
                sql.push_str(&format!(
                    r#"CREATE POLICY {name}_insert ON "{table}" AS RESTRICTIVE FOR INSERT WITH CHECK ({w});
CREATE POLICY {name}_update ON "{table}" AS RESTRICTIVE FOR UPDATE USING ({w}) WITH CHECK ({w});
CREATE POLICY {name}_delete ON "{table}" AS RESTRICTIVE FOR DELETE USING ({w});"#
                ));
            }
        }
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, unit, member) in rules() {
            db.execute_unprepared(&narrow(table, &unit, &member)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, _, _) in rules() {
            db.execute_unprepared(&narrow(table, &Narrow::Wall, &Narrow::Wall)).await?;
        }
        Ok(())
    }
}
