//! A compound's affairs in the demo street, from the article: 梅庭莱's closed temporary car parks
//! on the outer ring of its six compounds (梅庭菜各小区外圈临时停车场改造), finished at the start
//! of 2025 with its milestones, and the shared income they bring each compound's owners, month by
//! month from then to the last month ended (about five million yuan a year between the six); and
//! the task it filed for its broker (the entrances' signs and markings) worked and verified. Written through the services as community staff and the
//! brokering unit would, so that every rule (and the audit log) applies.
//!
//! The project belongs to 奥林春天, the first of the six, and is brokered by a unit seated on
//! 梅庭莱's joint committee (the traffic police where seated). Every copy of 梅庭莱 in a larger
//! street gets the same. Idempotent: a compound with a project is left alone.
//!
//! Property-fee arrears (物业费催缴) in the owner-run 桂园人家, whose committee's service centre
//! collects its own fees, and in 奥林春天, where the compound page and the tenancy suite look
//! (two of its cases on the buildings its leaders lead): a few doors each, opened by community
//! staff with their contacts and outcomes (a plan agreed, a refusal, one paid, one escalated, one
//! still open). Idempotent: a compound with a case is left alone.

use chrono::{Datelike, NaiveDate};
use entity::arrears_case::{self, ArrearsStatus};
use entity::arrears_contact::ContactChannel;
use entity::assignment::AssignmentRole;
use entity::ledger_entry::{self, IncomeSource};
use entity::project::ProjectKind;
use entity::task::{TaskCategory, TaskPriority};
use entity::{building, co_building_unit, committee_membership, community, compound, project, region};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::auth::{Claims, Role, Scope};
use crate::changes::Changes;
use crate::collaboration::loaders::{AssignmentId, TaskId};
use crate::collaboration::service as collab;
use crate::collaboration::workflow::{AssignmentAction, TaskAction};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::{ArrearsCaseId, BuildingId, MilestoneId, ProjectId};
use crate::home::service::{
    self, FundingSource, MilestoneProgress, NewArrearsCase, NewArrearsContact, NewArrearsOutcome, NewDisbursement, NewIncome, NewMilestone,
    NewProject, PeriodInput, ProjectAction, ProjectTask,
};
use crate::organisation::ids::{CompoundId, UnitId};

/// The compound that holds the car-park project.
const CAR_PARK_COMPOUND: &str = "奥林春天";

/// Units that broker the car parks, the first seated on the community's committee chosen.
const BROKERS: [&str; 4] = ["traffic-police", "housing", "municipal", "law-enforcement"];

/// The car park's milestones: title, day (also the day it was done), evidence.
const MILESTONES: [(&str, (i32, u32, u32), &str); 4] = [
    ("协商民主议事会通过外圈停车场改造方案", (2024, 3, 20), "https://meiling.example.cn/meitinglai/car-park/resolution.pdf"),
    ("施工围挡进场，外圈场地平整", (2024, 6, 1), "https://meiling.example.cn/meitinglai/car-park/site.jpg"),
    ("道闸安装与车位划线完成", (2024, 11, 30), "https://meiling.example.cn/meitinglai/car-park/gates.jpg"),
    ("验收合格，停车场投入使用", (2025, 1, 15), "https://meiling.example.cn/meitinglai/car-park/opening.jpg"),
];

fn day((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The scope of a demo actor, resolved as its credential would be.
async fn scope_for(db: &DatabaseConnection, role: Role, anchor: &str, street: &str) -> AppResult<Scope> {
    let mut claims = Claims::new(role, std::time::Duration::from_secs(60));
    claims.street = Some(street.to_owned());
    match role {
        Role::CommunityStaff | Role::CommunityAdmin => claims.community = Some(anchor.to_owned()),
        Role::Unit => claims.unit = Some(anchor.to_owned()),
        Role::Member => claims.person = anchor.parse().ok(),
        Role::StreetAdmin | Role::CityAdmin | Role::Reporter => {}
    }
    Scope::resolve(db, &claims.with_subject()).await
}

/// Seeds the affairs of the named compounds in every community of the street. Returns what it did.
pub async fn seed_affairs(db: &DatabaseConnection, street_code: &str) -> AppResult<String> {
    let Some(street) = region::Entity::find()
        .filter(region::Column::Kind.eq(region::RegionKind::Street))
        .filter(region::Column::Code.eq(street_code))
        .one(db)
        .await?
    else {
        return Ok("no street to seed compound affairs into".into());
    };
    let communities = community::Entity::find().filter(community::Column::StreetId.eq(street.id)).all(db).await?;
    let compounds = compound::Entity::find()
        .filter(compound::Column::CommunityId.is_in(communities.iter().map(|c| c.id)))
        .filter(compound::Column::Name.eq(CAR_PARK_COMPOUND))
        .order_by_asc(compound::Column::Id)
        .all(db)
        .await?;
    let events = Changes::default();
    let cx = |scope: Scope| Cx::new(scope, crate::db::Db::system(db.clone()), "demo-seed", events.clone());
    let (mut projects, mut ledgers) = (0, 0);
    for c in &compounds {
        let Some(community) = communities.iter().find(|m| m.id == c.community_id) else { continue };
        let staff = cx(scope_for(db, Role::CommunityStaff, &community.code, street_code).await?);
        if project::Entity::find().filter(project::Column::CompoundId.eq(c.id)).count(db).await? == 0
            && let Some(broker) = broker_of(db, community.id).await?
        {
            let unit = cx(scope_for(db, Role::Unit, &broker.code, street_code).await?);
            car_park(&staff, &unit, c, &broker).await?;
            projects += 1;
        }
        ledgers += car_park_income(&staff, db, community.id).await?;
    }
    let arrears_compounds = compound::Entity::find()
        .filter(compound::Column::CommunityId.is_in(communities.iter().map(|c| c.id)))
        .filter(compound::Column::Name.is_in(ARREARS_COMPOUNDS))
        .order_by_asc(compound::Column::Id)
        .all(db)
        .await?;
    let mut arrears = 0;
    for c in &arrears_compounds {
        let Some(community) = communities.iter().find(|m| m.id == c.community_id) else { continue };
        if arrears_case::Entity::find().filter(arrears_case::Column::CompoundId.eq(c.id)).count(db).await? > 0 {
            continue;
        }
        let staff = cx(scope_for(db, Role::CommunityStaff, &community.code, street_code).await?);
        arrears += arrears_cases(&staff, db, c).await?;
    }
    Ok(format!("{projects} renovation projects, {ledgers} shared-income ledgers and {arrears} arrears cases seeded"))
}

/// The compounds with property-fee arrears cases.
const ARREARS_COMPOUNDS: [&str; 2] = ["桂园人家", "奥林春天"];

/// A demo arrears case: the building (its index among the compound's), the door, the amount in
/// yuan, the day owed since, its contacts (day, channel, result), and its outcome with the plan or
/// reason that goes with it.
type DemoCase = (
    usize,
    &'static str,
    i64,
    (i32, u32, u32),
    &'static [((i32, u32, u32), ContactChannel, &'static str)],
    Option<(ArrearsStatus, Option<&'static str>)>,
);

const ARREARS: [DemoCase; 5] = [
    (
        0,
        "1单元302",
        3_600,
        (2024, 7, 1),
        &[
            ((2025, 3, 5), ContactChannel::Notice, "张贴催缴通知书，未回应"),
            ((2025, 3, 20), ContactChannel::Visit, "楼长陪同上门，业主经营困难，同意分期缴纳"),
        ],
        Some((ArrearsStatus::PlanAgreed, Some("2025年4月至9月分六期缴清，每月600元"))),
    ),
    (
        1,
        "2单元501",
        2_160,
        (2024, 10, 1),
        &[((2025, 4, 2), ContactChannel::Phone, "电话沟通，业主对地下车库渗水维修不满，拒绝缴费")],
        Some((ArrearsStatus::Refused, None)),
    ),
    (
        2,
        "1单元101",
        960,
        (2025, 1, 1),
        &[((2025, 4, 10), ContactChannel::Visit, "上门说明收支公示情况，业主当场缴清")],
        Some((ArrearsStatus::Paid, None)),
    ),
    (
        0,
        "2单元602",
        5_400,
        (2024, 1, 1),
        &[
            ((2025, 2, 12), ContactChannel::Notice, "送达书面催缴通知书"),
            ((2025, 3, 1), ContactChannel::Visit, "第二次上门，无人应答"),
            ((2025, 3, 18), ContactChannel::Visit, "第三次上门，业主拒绝沟通"),
        ],
        Some((ArrearsStatus::Escalated, Some("经三次上门未果，提请社区人民调解委员会调解"))),
    ),
    (1, "1单元201", 1_800, (2025, 2, 1), &[((2025, 5, 6), ContactChannel::Notice, "张贴催缴通知书")], None),
];

/// A compound's arrears cases, opened, contacted and closed by community staff. Returns how many.
async fn arrears_cases(staff: &Cx, db: &DatabaseConnection, c: &compound::Model) -> AppResult<usize> {
    let buildings = building::Entity::find()
        .filter(building::Column::CommunityId.eq(c.community_id))
        .filter(building::Column::CompoundId.eq(c.id))
        .order_by_asc(building::Column::Id)
        .all(db)
        .await?;
    if buildings.is_empty() {
        return Ok(0);
    }
    let mut seeded = 0;
    for (index, door, yuan, since, contacts, outcome) in ARREARS {
        let Some(b) = buildings.get(index % buildings.len()) else { continue };
        let case = service::open_case(
            staff,
            NewArrearsCase {
                compound_id: CompoundId(c.id),
                building_id: BuildingId(b.id),
                door: door.into(),
                amount: (yuan * 100).to_string(),
                owed_since: day(since),
                note: None,
            },
        )
        .await?;
        let id = ArrearsCaseId(case.id);
        for (on, channel, result) in contacts {
            let contact = NewArrearsContact { case_id: id, contacted_on: Some(day(*on)), channel: *channel, result: (*result).into() };
            service::record_contact(staff, contact).await?;
        }
        if let Some((status, text)) = outcome {
            let text = text.map(str::to_owned);
            let (plan, reason) = match status {
                ArrearsStatus::PlanAgreed => (text, None),
                ArrearsStatus::Escalated => (None, text),
                ArrearsStatus::Open | ArrearsStatus::Paid | ArrearsStatus::Refused => (None, None),
            };
            let set = NewArrearsOutcome { outcome: status, note: None, plan, reason, expected_version: Some(case.version) };
            service::set_outcome(staff, id, set).await?;
        }
        seeded += 1;
    }
    Ok(seeded)
}

/// The six compounds of 梅庭莱 and their car parks' monthly income in 2025, in yuan: about five
/// million yuan a year between them (预计每年还可为各小区业主带来共有的经济效益500万元).
const CAR_PARK_INCOME: [(&str, i64); 6] =
    [("奥林春天", 80_000), ("香梅花都", 75_000), ("福源花里", 65_000), ("世纪华庭", 70_000), ("凯旋国际", 70_000), ("华庭新村", 56_700)];

/// The year of the demo ledger: the car parks' first full year.
const LEDGER_YEAR: i32 = 2025;

/// The months of car-park income (`YYYY-MM`): from the first of the car parks' first full year to
/// the last month that has ended in Beijing, so the monthly report's trends show a year of it
/// whenever the street is seeded.
fn income_months() -> Vec<String> {
    let this_month = service::beijing_today().with_day(1).unwrap_or_default();
    let mut month = day((LEDGER_YEAR, 1, 1));
    let mut out = Vec::new();
    while month < this_month {
        out.push(month.format("%Y-%m").to_string());
        let Some(next) = month.checked_add_months(chrono::Months::new(1)) else { break };
        month = next;
    }
    out
}

/// 梅庭莱's shared income: each compound's car-park income month by month, recorded by community
/// staff, and one disbursement of 奥林春天's approved by its owners' meeting.
async fn car_park_income(staff: &Cx, db: &DatabaseConnection, community_id: Uuid) -> AppResult<usize> {
    let compounds = compound::Entity::find()
        .filter(compound::Column::CommunityId.eq(community_id))
        .filter(compound::Column::Name.is_in(CAR_PARK_INCOME.iter().map(|(n, _)| *n)))
        .all(db)
        .await?;
    let mut seeded = 0;
    for c in &compounds {
        let Some((_, monthly_yuan)) = CAR_PARK_INCOME.iter().find(|(n, _)| *n == c.name) else { continue };
        if ledger_entry::Entity::find().filter(ledger_entry::Column::CompoundId.eq(c.id)).count(db).await? > 0 {
            continue;
        }
        for month in income_months() {
            let income = NewIncome {
                compound_id: CompoundId(c.id),
                source: IncomeSource::CarPark,
                period: PeriodInput { month: Some(month), ..PeriodInput::default() },
                amount: (monthly_yuan * 100).to_string(),
                note: Some("外圈临时停车场停车费".into()),
            };
            service::record_income(staff, income).await?;
        }
        if c.name == CAR_PARK_COMPOUND {
            let paid = NewDisbursement {
                compound_id: CompoundId(c.id),
                purpose: "外圈停车场保洁与道闸维护".into(),
                approved_by: "2025年奥林春天业主大会决议".into(),
                paid_on: day((LEDGER_YEAR, 6, 30)),
                amount: "12000000".into(),
                note: None,
            };
            service::record_disbursement(staff, paid).await?;
        }
        seeded += 1;
    }
    Ok(seeded)
}

/// The unit that brokers a community's car park: the first of [`BROKERS`] seated on its joint
/// committee today.
async fn broker_of(db: &DatabaseConnection, community_id: Uuid) -> AppResult<Option<co_building_unit::Model>> {
    let today = chrono::Utc::now().date_naive();
    let seated: Vec<Uuid> = committee_membership::Entity::find()
        .filter(committee_membership::Column::CommunityId.eq(community_id))
        .filter(committee_membership::Column::Since.lte(today))
        .filter(Condition::any().add(committee_membership::Column::Until.is_null()).add(committee_membership::Column::Until.gt(today)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.unit_id)
        .collect();
    let units = co_building_unit::Entity::find().filter(co_building_unit::Column::Id.is_in(seated)).all(db).await?;
    Ok(BROKERS.iter().find_map(|code| units.iter().find(|u| u.code == *code)).or(units.first()).cloned())
}

/// 梅庭莱's car parks, proposed and approved by community staff, brokered and finished by the unit.
async fn car_park(staff: &Cx, unit: &Cx, c: &compound::Model, broker: &co_building_unit::Model) -> AppResult<()> {
    let p = service::propose_project(
        staff,
        NewProject {
            compound_id: CompoundId(c.id),
            title: "六个小区外圈临时停车场改造".into(),
            scope:
                "经协商民主议事会多次协商，将奥林春天、香梅花都、福源花里、世纪华庭、凯旋国际、华庭新村六个小区外圈改造为封闭式临时停车场：\
                    场地平整、道闸与收费系统、车位与交通标志标线，解决业主停车难，停车收益归各小区业主共有。"
                    .into(),
            kind: ProjectKind::CarPark,
            broker_unit_id: UnitId(broker.id),
            // 800,000 yuan from the street, 200,000 yuan from the departments.
            funding: vec![(FundingSource::Street, "80000000".into()), (FundingSource::Department, "20000000".into())],
        },
    )
    .await?;
    let id = ProjectId(p.id);
    service::transition_project(staff, id, ProjectAction::Approve, None, None).await?;
    let mut milestones = Vec::new();
    for (title, due, _) in MILESTONES {
        let m = service::add_milestone(staff, NewMilestone { project_id: id, title: title.into(), due_on: day(due), evidence: Vec::new() })
            .await?;
        milestones.push(m);
    }
    service::transition_project(unit, id, ProjectAction::Start, None, None).await?;
    let (_, task) = service::spawn_task(
        staff,
        id,
        ProjectTask {
            title: "外圈停车场出入口交通标志标线".into(),
            description: "停车场出入口设置交通标志，规范标线，引导车辆有序进出。".into(),
            category: TaskCategory::Parking,
            priority: TaskPriority::Normal,
            due_at: None,
            evidence: Vec::new(),
        },
        None,
    )
    .await?;
    // The broker leads the task it was filed for, works it and staff verify it.
    let (_, share) = collab::assign_task(staff, TaskId(task.id), UnitId(broker.id), AssignmentRole::Lead, None, None).await?;
    for action in [AssignmentAction::Accept, AssignmentAction::Start, AssignmentAction::Resolve] {
        collab::share_action(unit, AssignmentId(share.id), action, collab::ShareInput::default()).await?;
    }
    collab::staff_action(staff, TaskId(task.id), TaskAction::Verify, None, None).await?;
    for (m, (_, done, evidence)) in milestones.iter().zip(MILESTONES) {
        let progress = MilestoneProgress { done: true, done_on: Some(day(done)), evidence: vec![evidence.into()], expected_version: None };
        service::mark_milestone(unit, MilestoneId(m.id), progress).await?;
    }
    let done = service::transition_project(unit, id, ProjectAction::Complete, None, None).await?;
    if done.status != entity::project::ProjectStatus::Done {
        return Err(AppError::internal("the demo car park did not finish"));
    }
    Ok(())
}
