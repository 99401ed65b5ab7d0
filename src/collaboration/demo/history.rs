//! A year of history for the demo street's collaboration: tasks of every community over the
//! Beijing months before the seeding month, with their shares and timelines, changed by the same
//! workflow rules as the services.

use super::*;

/// How many Beijing months of task history precede the seeding month.
pub const HISTORY_MONTHS: u32 = 12;
/// Tasks opened in each community in each month of the history.
const HISTORY_TASKS_PER_MONTH: u64 = 14;
/// Rows per insert statement.
const HISTORY_BATCH: usize = 500;

/// Titles of the history's tasks, by category.
const HISTORY_TITLES: &[(TaskCategory, &[&str])] = &[
    (TaskCategory::StallSprawl, &["路口流动摊贩占道", "早市摊点占用人行道", "夜市摊位越线经营"]),
    (TaskCategory::Sanitation, &["垃圾桶满溢未及时清运", "楼道杂物堆放", "排水沟堵塞"]),
    (TaskCategory::Parking, &["小区门口车辆乱停", "非机动车占用消防通道", "共享单车堆积"]),
    (TaskCategory::FoodSafety, &["餐饮店后厨卫生检查", "流动早餐摊食品安全"]),
    (TaskCategory::TrafficOrder, &["学校周边上下学交通秩序", "路口信号灯故障"]),
    (TaskCategory::FireSafety, &["电动车楼道充电", "消防栓缺水", "燃气管道老化"]),
    (TaskCategory::IllegalConstruction, &["顶楼违章搭建", "沿街违规加装雨棚"]),
    (TaskCategory::Greening, &["绿化带枯死补种", "行道树修剪"]),
    (TaskCategory::Other, &["通信线缆杂乱", "路灯不亮"]),
];

/// A well-mixed number from a key (splitmix64): the history's dice, the same on every run.
fn mix(key: u64) -> u64 {
    let mut z = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn code_key(code: &str) -> u64 {
    code.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn subject(role: Role, anchor: &str) -> String {
    let mut claims = Claims::new(role, std::time::Duration::from_secs(60));
    match role {
        Role::Unit => claims.unit = Some(anchor.to_owned()),
        _ => claims.community = Some(anchor.to_owned()),
    }
    claims.with_subject().sub
}

/// One history task as it lives through its workflow: the task, its shares and its timeline,
/// changed by the same rules as the services (`workflow`), at the moments the plan gives.
struct Life {
    task: entity::task::Model,
    shares: Vec<entity::assignment::Model>,
    units: Vec<String>,
    events: Vec<entity::task_event::Model>,
    staff: String,
}

/// What happens to a history task, and when.
#[derive(Clone, Copy)]
enum Step {
    Assign(usize),
    Accept(usize),
    Decline(usize),
    Start(usize),
    Resolve(usize),
    Verify,
    Reopen,
    Cancel,
    Escalate,
}

impl Life {
    fn event(
        &mut self,
        at: chrono::DateTime<Utc>,
        kind: entity::task_event::EventKind,
        status: Option<(entity::task::TaskStatus, entity::task::TaskStatus)>,
        share: Option<usize>,
        actor: (&str, String),
        note: Option<String>,
    ) {
        use crate::collaboration::workflow::status_name;
        let share = share.and_then(|i| self.shares.get(i));
        let level = (kind == entity::task_event::EventKind::Escalated).then(|| sea_orm::ActiveEnum::to_value(&self.task.level));
        self.events.push(entity::task_event::Model {
            id: Uuid::now_v7(),
            community_id: self.task.community_id,
            task_id: self.task.id,
            kind,
            from_status: status.filter(|(a, b)| a != b).map(|(a, _)| status_name(a).to_owned()),
            to_status: status.filter(|(a, b)| a != b).map(|(_, b)| status_name(b).to_owned()),
            assignment_id: share.map(|s| s.id),
            unit_id: share.map(|s| s.unit_id),
            level,
            actor_kind: actor.0.to_owned(),
            actor: actor.1,
            note,
            evidence: "[]".into(),
            created_at: at,
        });
    }

    fn save(&mut self, at: chrono::DateTime<Utc>, status: entity::task::TaskStatus) {
        self.task.status = status;
        self.task.version += 1;
        self.task.updated_at = at;
    }

    fn save_share(&mut self, i: usize, at: chrono::DateTime<Utc>, status: entity::assignment::AssignmentStatus) {
        if let Some(s) = self.shares.get_mut(i) {
            s.status = status;
            s.version += 1;
            s.updated_at = at;
        }
    }

    /// Applies one step; a step the workflow would refuse is left out.
    fn step(&mut self, at: chrono::DateTime<Utc>, step: Step) {
        use crate::collaboration::workflow::{self, TaskAction};
        use entity::assignment::AssignmentStatus as S;
        use entity::task::TaskStatus as T;
        use entity::task_event::EventKind as K;
        let current = self.task.status;
        let staff = ("COMMUNITY_STAFF", self.staff.clone());
        match step {
            Step::Assign(i) => {
                let Some(next) = workflow::task_transition(current, TaskAction::Assign) else { return };
                self.save_share(i, at, S::Pending);
                self.save(at, next);
                self.event(at, K::Assigned, Some((current, next)), Some(i), staff, None);
            }
            Step::Accept(i) | Step::Decline(i) | Step::Start(i) | Step::Resolve(i) => {
                let (action, kind) = match step {
                    Step::Accept(_) => (AssignmentAction::Accept, K::Accepted),
                    Step::Decline(_) => (AssignmentAction::Decline, K::Declined),
                    Step::Start(_) => (AssignmentAction::Start, K::Started),
                    _ => (AssignmentAction::Resolve, K::PartDone),
                };
                let Some(share) = self.shares.get(i) else { return };
                let Some(next_share) = workflow::assignment_transition(current, share.status, action) else { return };
                self.save_share(i, at, next_share);
                let note = if action == AssignmentAction::Decline {
                    let reason = "不属于本单位职责范围".to_owned();
                    if let Some(s) = self.shares.get_mut(i) {
                        s.decline_reason = Some(reason.clone());
                    }
                    Some(reason)
                } else {
                    None
                };
                // Shares not given yet (version 0) are no shares.
                let states: Vec<(bool, S)> =
                    self.shares.iter().filter(|a| a.version > 0).map(|a| (a.role == AssignmentRole::Lead, a.status)).collect();
                let next = workflow::task_after_shares(current, &states);
                if next != current {
                    self.save(at, next);
                    if next == T::Resolved {
                        self.task.resolved_at = Some(at);
                    }
                }
                let unit = subject(Role::Unit, self.units.get(i).map_or("", String::as_str));
                self.event(at, kind, None, Some(i), ("UNIT", unit.clone()), note);
                if next != current {
                    let kind = match next {
                        T::Resolved => K::Resolved,
                        T::InProgress => K::Started,
                        _ => K::Updated,
                    };
                    // The status event is the unit's too, as the service writes it.
                    self.event(at, kind, Some((current, next)), None, ("UNIT", unit), None);
                }
            }
            Step::Verify | Step::Reopen | Step::Cancel => {
                let (action, kind, note) = match step {
                    Step::Verify => (TaskAction::Verify, K::Verified, "现场复核通过"),
                    Step::Reopen => (TaskAction::Reopen, K::Reopened, "群众反映问题反复"),
                    _ => (TaskAction::Cancel, K::Cancelled, "并入其他任务"),
                };
                let Some(next) = workflow::task_transition(current, action) else { return };
                self.save(at, next);
                match action {
                    TaskAction::Reopen => self.task.resolved_at = None,
                    _ => self.task.closed_at = Some(at),
                }
                self.event(at, kind, Some((current, next)), None, staff, Some(note.into()));
                if action == TaskAction::Reopen {
                    for i in 0..self.shares.len() {
                        if self.shares.get(i).is_some_and(|s| s.status == S::Done) {
                            self.save_share(i, at, S::Accepted);
                            let note = Some(format!("{} → {}", workflow::share_name(S::Done), workflow::share_name(S::Accepted)));
                            self.event(at, K::Reopened, None, Some(i), ("COMMUNITY_STAFF", self.staff.clone()), note);
                        }
                    }
                }
            }
            Step::Escalate => {
                if !workflow::is_open(current) {
                    return;
                }
                let Some(level) = workflow::next_level(self.task.level) else { return };
                self.task.level = level;
                self.task.escalated_at = Some(at);
                self.save(at, current);
                let due = self.task.due_at.map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
                self.event(at, K::Escalated, None, None, ("SYSTEM", "system:escalation".into()), Some(format!("overdue since {due}")));
            }
        }
    }
}

/// The plan of one history task: its steps at their moments, in order.
fn plan_of(
    dice: u64,
    fate: u64,
    opened: chrono::DateTime<Utc>,
    due: chrono::DateTime<Utc>,
    two_shares: bool,
) -> Vec<(chrono::DateTime<Utc>, Step)> {
    let h = |hours: i64| opened + Duration::hours(hours);
    let minutes = |m: i64| Duration::minutes(m);
    let mut steps = vec![(h(2), Step::Assign(0))];
    if two_shares {
        steps.push((h(2) + minutes(5), Step::Assign(1)));
    }
    if fate == 9 {
        // The lead declines, the task goes back to reported, and a second unit takes the lead.
        steps.push((h(4), Step::Decline(0)));
        steps.retain(|(_, s)| !matches!(s, Step::Assign(1)));
        steps.push((h(6), Step::Assign(1)));
        steps.push((h(8), Step::Accept(1)));
        steps.push((h(20), Step::Start(1)));
    } else {
        steps.push((h(3), Step::Accept(0)));
        if two_shares {
            steps.push((h(5), if fate == 7 || fate == 8 { Step::Decline(1) } else { Step::Accept(1) }));
        }
        steps.push((h(18), Step::Start(0)));
        if two_shares {
            steps.push((h(22), Step::Start(1)));
        }
    }
    if fate <= 1 {
        steps.push((h(30), Step::Cancel));
        steps.sort_by_key(|(at, _)| *at);
        return steps;
    }
    let window = (due - opened).num_minutes();
    let resolved = match fate {
        // Late: overdue, raised to the street by the escalation job, done a day or two after.
        4 | 5 => due + Duration::hours(24 + i64::try_from((dice >> 44) % 24).unwrap_or(0)),
        // Very late: raised to the street and on to the city, done four or five days late.
        6 => due + Duration::hours(96 + i64::try_from((dice >> 44) % 24).unwrap_or(0)),
        // Reopened ones are first done early, so that the second time is still in time.
        2 | 3 => opened + minutes(window * (30 + i64::try_from((dice >> 44) % 20).unwrap_or(0)) / 100),
        _ => opened + minutes(window * (30 + i64::try_from((dice >> 44) % 55).unwrap_or(0)) / 100),
    }
    .max(h(26));
    if resolved > due {
        steps.push((due + minutes(30), Step::Escalate));
        if resolved > due + Duration::days(3) + minutes(30) {
            steps.push((due + Duration::days(3) + minutes(30), Step::Escalate));
        }
    }
    let resolve_all = |at: chrono::DateTime<Utc>, steps: &mut Vec<(chrono::DateTime<Utc>, Step)>| {
        steps.push((at, Step::Resolve(0)));
        steps.push((at + minutes(20), Step::Resolve(1)));
    };
    resolve_all(resolved, &mut steps);
    let mut verified = resolved + Duration::hours(4 + i64::try_from((dice >> 50) % 40).unwrap_or(0));
    if fate == 2 || fate == 3 {
        // Reopened after the check, worked again and verified the second time.
        steps.push((resolved + Duration::hours(3), Step::Reopen));
        steps.push((resolved + Duration::hours(5), Step::Start(0)));
        steps.push((resolved + Duration::hours(5) + minutes(10), Step::Start(1)));
        resolve_all(resolved + Duration::hours(8), &mut steps);
        verified = resolved + Duration::hours(14);
    }
    steps.push((verified, Step::Verify));
    steps.sort_by_key(|(at, _)| *at);
    steps
}

/// Seeds the history of tasks of the street's communities over the [`HISTORY_MONTHS`] Beijing
/// months before the one of `now`: tasks opened by the community's staff, shared with units
/// seated on its committee, accepted or declined, worked, resolved, verified, some reopened,
/// some cancelled, some late and raised to the street and the city by the escalation job, each
/// with the timeline the services write. Rows go in multi-row batches; the dice are
/// arithmetic on the community's code, so every run seeds the same history. A task whose life
/// would run past `now` is left out. Returns how many tasks it wrote.
pub async fn seed_history(db: &DatabaseConnection, street_id: Uuid, now: chrono::DateTime<Utc>) -> AppResult<usize> {
    use crate::reporting::period::{beijing, months_ending, start_of};
    use chrono::Months;
    use entity::{assignment, task, task_event};
    use sea_orm::ActiveModelTrait;
    let communities =
        community::Entity::find().filter(community::Column::StreetId.eq(street_id)).order_by_asc(community::Column::Code).all(db).await?;
    let this_month = now.with_timezone(&beijing()).date_naive();
    let months: Vec<NaiveDate> = months_ending(this_month, HISTORY_MONTHS + 1).into_iter().take(HISTORY_MONTHS as usize).collect();
    let (mut tasks, mut shares, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for c in &communities {
        let seated: Vec<(Uuid, String)> = {
            let seats = committee_membership::Entity::find()
                .filter(committee_membership::Column::CommunityId.eq(c.id))
                .filter(committee_membership::Column::Until.is_null())
                .order_by_asc(committee_membership::Column::Id)
                .all(db)
                .await?;
            let units = co_building_unit::Entity::find()
                .filter(co_building_unit::Column::Id.is_in(seats.iter().map(|s| s.unit_id)))
                .order_by_asc(co_building_unit::Column::Code)
                .all(db)
                .await?;
            units.into_iter().map(|u| (u.id, u.code)).collect()
        };
        if seated.is_empty() {
            continue;
        }
        let staff = subject(Role::CommunityStaff, &c.code);
        for (m, first) in months.iter().enumerate() {
            let days = first.checked_add_months(Months::new(1)).map_or(28, |next| (next - *first).num_days());
            for k in 0..HISTORY_TASKS_PER_MONTH {
                let dice = mix(code_key(&c.code) ^ ((m as u64) << 40) ^ (k << 20));
                // The first task of each month opens on its first morning and runs straight through.
                let (day, fate) = if k == 0 { (0, 10) } else { (i64::try_from(dice % 28).unwrap_or(0), (dice >> 40) % 20) };
                let day = first.checked_add_signed(Duration::days(day.min(days - 1))).unwrap_or(*first);
                let opened = start_of(day)
                    + Duration::hours(8 + i64::try_from((dice >> 8) % 10).unwrap_or(0))
                    + Duration::minutes(i64::try_from((dice >> 16) % 60).unwrap_or(0));
                let due = opened + Duration::days(3 + i64::try_from((dice >> 28) % 5).unwrap_or(0));
                let (category, titles) = HISTORY_TITLES[usize::try_from((dice >> 20) % HISTORY_TITLES.len() as u64).unwrap_or(0)];
                let title = titles[usize::try_from((dice >> 24) % titles.len() as u64).unwrap_or(0)];
                let lead = usize::try_from((dice >> 32) % seated.len() as u64).unwrap_or(0);
                let two = seated.len() > 1 && !(dice >> 36).is_multiple_of(3);
                let chosen: Vec<&(Uuid, String)> =
                    [Some(lead), two.then(|| (lead + 1) % seated.len())].into_iter().flatten().filter_map(|i| seated.get(i)).collect();
                let plan = plan_of(dice, fate, opened, due, two);
                if plan.last().is_none_or(|(at, _)| *at >= now - Duration::hours(1)) {
                    continue;
                }
                let id = Uuid::now_v7();
                let mut life = Life {
                    task: task::Model {
                        id,
                        community_id: c.id,
                        campaign_id: None,
                        site_id: None,
                        title: title.into(),
                        description: format!("{}（{}）", title, c.name),
                        category,
                        priority: match (dice >> 56) % 10 {
                            0 => TaskPriority::Urgent,
                            1 | 2 => TaskPriority::High,
                            9 => TaskPriority::Low,
                            _ => TaskPriority::Normal,
                        },
                        status: entity::task::TaskStatus::Reported,
                        level: entity::task::TaskLevel::Community,
                        due_at: Some(due),
                        evidence: "[]".into(),
                        reported_by: staff.clone(),
                        created_at: opened,
                        updated_at: opened,
                        resolved_at: None,
                        closed_at: None,
                        escalated_at: None,
                        version: 1,
                    },
                    shares: chosen
                        .iter()
                        .enumerate()
                        .map(|(i, (unit_id, _))| assignment::Model {
                            id: Uuid::now_v7(),
                            community_id: c.id,
                            task_id: id,
                            unit_id: *unit_id,
                            role: if i == 0 { AssignmentRole::Lead } else { AssignmentRole::Support },
                            status: entity::assignment::AssignmentStatus::Pending,
                            decline_reason: None,
                            note: None,
                            seat_ended: false,
                            created_at: opened,
                            updated_at: opened,
                            version: 0,
                        })
                        .collect(),
                    units: chosen.iter().map(|(_, code)| code.clone()).collect(),
                    events: Vec::new(),
                    staff: staff.clone(),
                };
                life.event(opened, entity::task_event::EventKind::Reported, None, None, ("COMMUNITY_STAFF", staff.clone()), None);
                for (at, step) in plan {
                    if let Step::Assign(i) = step
                        && let Some(s) = life.shares.get_mut(i)
                    {
                        s.created_at = at;
                        // A lead that takes over from one who declined.
                        if i == 1
                            && life.shares.first().is_some_and(|l| l.status == entity::assignment::AssignmentStatus::Declined)
                            && let Some(s) = life.shares.get_mut(1)
                        {
                            s.role = AssignmentRole::Lead;
                        }
                    }
                    life.step(at, step);
                }
                // Shares never given (a plan that did not reach them) are no shares.
                life.shares.retain(|s| s.version > 0);
                tasks.push(task::ActiveModel::from(life.task).reset_all());
                shares.extend(life.shares.into_iter().map(|m| assignment::ActiveModel::from(m).reset_all()));
                events.extend(life.events.into_iter().map(|m| task_event::ActiveModel::from(m).reset_all()));
            }
        }
    }
    let written = tasks.len();
    // Multi-row inserts, each its own statement, outside a transaction: the demo seed is not
    // a mutation (only the unit of work commits those). It runs once per street, since the seed
    // stops when the street has campaigns; a seed that fails halfway is redone on a fresh database.
    for chunk in tasks.chunks(HISTORY_BATCH) {
        task::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    for chunk in shares.chunks(HISTORY_BATCH) {
        assignment::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    for chunk in events.chunks(HISTORY_BATCH) {
        task_event::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(written)
}
