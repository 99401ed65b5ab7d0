//! The demo street's collaboration: the 梅岭综合市场 clean-up and the farmers'-market campaign,
//! with tasks in every state across the twelve units, some overdue and escalated, and the
//! civility patrol's inspections. Built through the services, as the people involved would, so
//! timelines and audit records are real. Seeded once per street.
//!
//! The second street, 青阳街道, gets a small share of the same: one campaign of old-compound
//! renovation and a handful of tasks in its two communities, led by its own units and by 住建,
//! the unit that sits in both streets.

use chrono::{Duration, NaiveDate, Utc};
use entity::assignment::AssignmentRole;
use entity::site::SiteKind;
use entity::task::{TaskCategory, TaskPriority};
use entity::{campaign, co_building_unit, committee_membership, community, party_organization, region};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::loaders::{AssignmentId, CampaignId, FindingId, SiteId, TaskId};
use super::service::{self, NewCampaign, NewFinding, NewInspection, NewSite, NewTask, ShareInput};
use super::workflow::{AssignmentAction, TaskAction};
use crate::auth::{Claims, Role, Scope};
use crate::changes::Changes;
use crate::cx::Cx;
use crate::error::AppResult;
use crate::organisation::loaders::{CommunityId, OrganizationId, UnitId};

mod history;

pub use history::{HISTORY_MONTHS, seed_history};

/// How far a demo task goes through its workflow.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Reported,
    Assigned,
    Accepted,
    InProgress,
    Resolved,
    Verified,
    Reopened,
    Cancelled,
}

struct Plan<'a> {
    title: &'static str,
    category: TaskCategory,
    lead: &'a str,
    support: &'a [&'a str],
    stage: Stage,
    /// Due this many hours from now (negative: overdue).
    due_in_hours: i64,
}

const MARKET_TASKS: &[Plan<'static>] = &[
    Plan {
        title: "东门通道占道摆摊清理",
        category: TaskCategory::StallSprawl,
        lead: "law-enforcement",
        support: &["market-regulation", "police"],
        stage: Stage::Verified,
        due_in_hours: 240,
    },
    Plan {
        title: "生鲜区食品安全抽检",
        category: TaskCategory::FoodSafety,
        lead: "market-regulation",
        support: &["health"],
        stage: Stage::Resolved,
        due_in_hours: 72,
    },
    Plan {
        title: "市场周边车辆乱停整治",
        category: TaskCategory::Parking,
        lead: "traffic-police",
        support: &["police"],
        stage: Stage::InProgress,
        due_in_hours: 48,
    },
    Plan {
        title: "市场消防通道堵塞",
        category: TaskCategory::FireSafety,
        lead: "fire",
        support: &[],
        stage: Stage::Assigned,
        due_in_hours: 24,
    },
    Plan {
        title: "市场北侧违章搭建雨棚",
        category: TaskCategory::IllegalConstruction,
        lead: "housing",
        support: &["law-enforcement"],
        stage: Stage::InProgress,
        due_in_hours: -30,
    },
    Plan {
        title: "市场排水沟堵塞反复",
        category: TaskCategory::Sanitation,
        lead: "municipal",
        support: &["water"],
        stage: Stage::Reopened,
        due_in_hours: 96,
    },
    Plan {
        title: "市场电线私拉乱接",
        category: TaskCategory::FireSafety,
        lead: "power",
        support: &["fire"],
        stage: Stage::Accepted,
        due_in_hours: -120,
    },
    Plan {
        title: "燃气瓶违规存放",
        category: TaskCategory::FireSafety,
        lead: "gas",
        support: &[],
        stage: Stage::Assigned,
        due_in_hours: -20,
    },
    Plan {
        title: "通信线缆杂乱",
        category: TaskCategory::Other,
        lead: "telecom",
        support: &[],
        stage: Stage::Cancelled,
        due_in_hours: 120,
    },
    Plan {
        title: "卫生死角改造口袋公园",
        category: TaskCategory::Greening,
        lead: "municipal",
        support: &["housing"],
        stage: Stage::InProgress,
        due_in_hours: 360,
    },
];

/// Communities of the farmers'-market campaign besides 梅岭.
const FARMERS_MARKETS: [&str; 4] = ["zhuyuan", "heshan", "shuanggou", "zhushuxia"];

async fn scope_for(db: &DatabaseConnection, role: Role, anchor: &str) -> AppResult<Scope> {
    let mut claims = Claims::new(role, std::time::Duration::from_secs(60));
    match role {
        Role::CityAdmin => claims.city = Some(anchor.to_owned()),
        Role::StreetAdmin | Role::Reporter => claims.street = Some(anchor.to_owned()),
        Role::CommunityAdmin | Role::CommunityStaff => claims.community = Some(anchor.to_owned()),
        Role::Unit => claims.unit = Some(anchor.to_owned()),
        Role::Member => {}
    }
    Scope::resolve(db, &claims.with_subject()).await
}

/// Seeds the collaboration demo into a street that has no campaign yet. Returns what it did.
pub async fn seed(db: &DatabaseConnection, street_code: &str) -> AppResult<String> {
    let Some(street) = region::Entity::find()
        .filter(region::Column::Kind.eq(region::RegionKind::Street))
        .filter(region::Column::Code.eq(street_code))
        .one(db)
        .await?
    else {
        return Ok("no street to seed collaboration into".into());
    };
    if campaign::Entity::find().filter(campaign::Column::StreetId.eq(street.id)).count(db).await? > 0 {
        return Ok("collaboration demo already present".into());
    }
    let events = Changes::default();
    let cx = |scope: Scope| Cx::new(scope, crate::db::Db::system(db.clone()), "demo-seed", events.clone());
    let admin = cx(scope_for(db, Role::StreetAdmin, street_code).await?);
    let community = |code: &'static str| async move {
        community::Entity::find().filter(community::Column::StreetId.eq(street.id)).filter(community::Column::Code.eq(code)).one(db).await
    };
    let Some(meiling) = community("meiling").await? else { return Ok("no 梅岭 community".into()) };
    let committee = party_organization::Entity::find()
        .filter(party_organization::Column::CommunityId.eq(meiling.id))
        .filter(party_organization::Column::Kind.eq(party_organization::OrganizationKind::JointCommittee))
        .one(db)
        .await?;
    let units: std::collections::HashMap<String, Uuid> =
        co_building_unit::Entity::find().all(db).await?.into_iter().map(|u| (u.code, u.id)).collect();
    let unit = |code: &str| units.get(code).copied();

    let today = Utc::now().date_naive();
    let market_campaign = service::create_campaign(
        &admin,
        NewCampaign {
            name: "党员有担当，市场整治我有责".into(),
            goal: "梅岭综合市场乱摆摊设点、脏乱差整治：清理占道摊点，拓宽通道，规范停车，部门联动共建".into(),
            starts_on: NaiveDate::from_ymd_opt(2018, 5, 1).unwrap_or(today),
            ends_on: None,
            community_ids: vec![CommunityId(meiling.id)],
            lead_organization_id: committee.map(|c| OrganizationId(c.id)),
        },
    )
    .await?;
    let mut farmers_ids = vec![meiling.id];
    let mut farmers = Vec::new();
    for code in FARMERS_MARKETS {
        if let Some(c) = community(code).await? {
            farmers_ids.push(c.id);
            farmers.push(c);
        }
    }
    let farmers_campaign = service::create_campaign(
        &admin,
        NewCampaign {
            name: "农贸市场系列整治".into(),
            goal: "农贸市场食品安全监管、市场周边停车整治、卫生死角改造口袋公园".into(),
            starts_on: NaiveDate::from_ymd_opt(2019, 3, 1).unwrap_or(today),
            ends_on: None,
            community_ids: farmers_ids.into_iter().map(CommunityId).collect(),
            lead_organization_id: None,
        },
    )
    .await?;

    let staff = cx(scope_for(db, Role::CommunityStaff, "meiling").await?);
    let market = service::create_site(
        &staff,
        NewSite {
            community_id: CommunityId(meiling.id),
            name: "梅岭综合市场".into(),
            kind: SiteKind::Market,
            compound_id: None,
            address: None,
        },
    )
    .await?;
    let mut tasks = 0;
    for plan in MARKET_TASKS {
        run_plan(db, &cx, &staff, meiling.id, Some(market_campaign.id), Some(market.id), plan, &unit).await?;
        tasks += 1;
    }
    for c in &farmers {
        let staff = cx(scope_for(db, Role::CommunityStaff, &c.code).await?);
        let name = c.name.trim_end_matches("社区");
        let site = service::create_site(
            &staff,
            NewSite {
                community_id: CommunityId(c.id),
                name: format!("{name}农贸市场"),
                kind: SiteKind::Market,
                compound_id: None,
                address: None,
            },
        )
        .await?;
        let seated: Vec<String> = seated_units(db, c.id).await?;
        let lead = if seated.iter().any(|u| u == "market-regulation") {
            "market-regulation"
        } else {
            seated.first().map(String::as_str).unwrap_or("police")
        };
        let plans = [
            Plan {
                title: "农贸市场食品安全监管",
                category: TaskCategory::FoodSafety,
                lead,
                support: &[],
                stage: Stage::InProgress,
                due_in_hours: 72,
            },
            Plan {
                title: "农贸市场周边停车整治",
                category: TaskCategory::Parking,
                lead,
                support: &[],
                stage: Stage::Reported,
                due_in_hours: 48,
            },
        ];
        for plan in &plans {
            run_plan(db, &cx, &staff, c.id, Some(farmers_campaign.id), Some(site.id), plan, &unit).await?;
            tasks += 1;
        }
        service::create_inspection(
            &staff,
            NewInspection {
                community_id: CommunityId(c.id),
                site_id: Some(SiteId(site.id)),
                patrol: "文明劝导队".into(),
                inspected_at: Some(Utc::now() - Duration::days(2)),
                note: Some("周末早市巡查".into()),
                findings: vec![NewFinding {
                    description: "早市摊点占用人行道".into(),
                    category: TaskCategory::StallSprawl,
                    evidence: vec![],
                }],
            },
        )
        .await?;
    }

    // The civility patrol's inspection of the market; one finding becomes a task.
    let inspection = service::create_inspection(
        &staff,
        NewInspection {
            community_id: CommunityId(meiling.id),
            site_id: Some(SiteId(market.id)),
            patrol: "文明劝导队".into(),
            inspected_at: Some(Utc::now() - Duration::days(1)),
            note: Some("市场及周边文明劝导巡查".into()),
            findings: vec![
                NewFinding {
                    description: "西门外流动摊贩占道经营".into(), category: TaskCategory::StallSprawl, evidence: vec![]
                },
                NewFinding { description: "垃圾桶满溢未及时清运".into(), category: TaskCategory::Sanitation, evidence: vec![] },
            ],
        },
    )
    .await?;
    let findings = entity::finding::Entity::find()
        .filter(entity::finding::Column::InspectionId.eq(inspection.id))
        .order_by_asc(entity::finding::Column::Id)
        .all(db)
        .await?;
    if let Some(f) = findings.first() {
        service::task_from_finding(
            &staff,
            FindingId(f.id),
            service::FindingTask {
                title: None,
                priority: TaskPriority::High,
                due_at: Some(Utc::now() + Duration::days(1)),
                campaign_id: Some(CampaignId(market_campaign.id)),
            },
        )
        .await?;
        tasks += 1;
    }

    // Overdue tasks rise: to the street, and the longest overdue on to the city.
    let job = cx(Scope::system([street.id], "system:escalation"));
    let policy = service::EscalationPolicy::default();
    let mut escalated = service::escalate_overdue(&job, Utc::now(), policy).await?;
    escalated += service::escalate_overdue(&job, Utc::now(), policy).await?;
    // A year of history before this month, closed before now: the escalation job has nothing left in it.
    let history = seed_history(db, street.id, Utc::now()).await?;
    Ok(format!(
        "collaboration demo: 2 campaigns, {tasks} tasks and {history} of the past {HISTORY_MONTHS} months, {} inspections, {escalated} escalations",
        farmers.len() + 1
    ))
}

/// The second street's tasks: community, plan. 住建 (`housing`) is the unit seated in both streets.
const SECOND_STREET_TASKS: &[(&str, Plan<'static>)] = &[
    (
        "qingyang",
        Plan {
            title: "老旧小区雨污管网改造",
            category: TaskCategory::Sanitation,
            lead: "housing",
            support: &["qingyang-law-enforcement"],
            stage: Stage::InProgress,
            due_in_hours: 240,
        },
    ),
    (
        "qingyang",
        Plan {
            title: "农贸市场周边占道经营",
            category: TaskCategory::StallSprawl,
            lead: "qingyang-law-enforcement",
            support: &["qingyang-police"],
            stage: Stage::Assigned,
            due_in_hours: 72,
        },
    ),
    (
        "zhuangtou",
        Plan {
            title: "庄头新村违章搭建巡查",
            category: TaskCategory::IllegalConstruction,
            lead: "housing",
            support: &[],
            stage: Stage::Accepted,
            due_in_hours: 120,
        },
    ),
    (
        "zhuangtou",
        Plan {
            title: "夏季病媒生物防制消杀",
            category: TaskCategory::Sanitation,
            lead: "qingyang-health",
            support: &[],
            stage: Stage::Reported,
            due_in_hours: 168,
        },
    ),
];

/// Seeds the second street's campaign and tasks into a street that has no campaign yet.
pub async fn seed_second_street(db: &DatabaseConnection, street_code: &str) -> AppResult<String> {
    let Some(street) = region::Entity::find()
        .filter(region::Column::Kind.eq(region::RegionKind::Street))
        .filter(region::Column::Code.eq(street_code))
        .one(db)
        .await?
    else {
        return Ok(format!("no street {street_code} to seed collaboration into"));
    };
    if campaign::Entity::find().filter(campaign::Column::StreetId.eq(street.id)).count(db).await? > 0 {
        return Ok(format!("{street_code} collaboration demo already present"));
    }
    let events = Changes::default();
    let cx = |scope: Scope| Cx::new(scope, crate::db::Db::system(db.clone()), "demo-seed", events.clone());
    let admin = cx(scope_for(db, Role::StreetAdmin, street_code).await?);
    let communities =
        community::Entity::find().filter(community::Column::StreetId.eq(street.id)).order_by_asc(community::Column::Id).all(db).await?;
    let units: std::collections::HashMap<String, Uuid> =
        co_building_unit::Entity::find().all(db).await?.into_iter().map(|u| (u.code, u.id)).collect();
    let unit = |code: &str| units.get(code).copied();
    let today = Utc::now().date_naive();
    let renovation = service::create_campaign(
        &admin,
        NewCampaign {
            name: "老旧小区改造提升".into(),
            goal: "雨污分流、违章搭建整治、环境卫生提升，住建部门与社区联合党委共建".into(),
            starts_on: NaiveDate::from_ymd_opt(2021, 4, 1).unwrap_or(today),
            ends_on: None,
            community_ids: communities.iter().map(|c| CommunityId(c.id)).collect(),
            lead_organization_id: None,
        },
    )
    .await?;
    let mut tasks = 0;
    for (code, plan) in SECOND_STREET_TASKS {
        let Some(c) = communities.iter().find(|c| c.code == *code) else { continue };
        // Community codes may repeat across streets: the staff token names its street.
        let mut claims = Claims::new(Role::CommunityStaff, std::time::Duration::from_secs(60));
        claims.street = Some(street_code.to_owned());
        claims.community = Some(c.code.clone());
        let staff = cx(Scope::resolve(db, &claims.with_subject()).await?);
        run_plan(db, &cx, &staff, c.id, Some(renovation.id), None, plan, &unit).await?;
        tasks += 1;
    }
    Ok(format!("{street_code} collaboration demo: 1 campaign, {tasks} tasks"))
}

async fn seated_units(db: &DatabaseConnection, community_id: Uuid) -> AppResult<Vec<String>> {
    let seats = committee_membership::Entity::find()
        .filter(committee_membership::Column::CommunityId.eq(community_id))
        .order_by_asc(committee_membership::Column::Id)
        .all(db)
        .await?;
    let units =
        co_building_unit::Entity::find().filter(co_building_unit::Column::Id.is_in(seats.iter().map(|s| s.unit_id))).all(db).await?;
    Ok(seats.iter().filter_map(|s| units.iter().find(|u| u.id == s.unit_id).map(|u| u.code.clone())).collect())
}

#[expect(clippy::too_many_arguments, reason = "the seed's whole context of one plan")]
async fn run_plan(
    db: &DatabaseConnection,
    cx: &impl Fn(Scope) -> Cx,
    staff: &Cx,
    community_id: Uuid,
    campaign_id: Option<Uuid>,
    site_id: Option<Uuid>,
    plan: &Plan<'_>,
    unit: &impl Fn(&str) -> Option<Uuid>,
) -> AppResult<()> {
    let task = service::create_task(
        staff,
        NewTask {
            community_id: CommunityId(community_id),
            title: plan.title.into(),
            description: format!("{}（部门联动）", plan.title),
            category: plan.category,
            priority: if plan.due_in_hours < 0 { TaskPriority::High } else { TaskPriority::Normal },
            due_at: Some(Utc::now() + Duration::hours(plan.due_in_hours)),
            campaign_id: campaign_id.map(CampaignId),
            site_id: site_id.map(SiteId),
            evidence: vec![],
        },
    )
    .await?;
    if plan.stage == Stage::Reported {
        return Ok(());
    }
    let mut shares = Vec::new();
    for (code, role) in std::iter::once((plan.lead, AssignmentRole::Lead)).chain(plan.support.iter().map(|s| (*s, AssignmentRole::Support)))
    {
        let Some(unit_id) = unit(code) else { continue };
        let (_, share) = service::assign_task(staff, TaskId(task.id), UnitId(unit_id), role, None, None).await?;
        shares.push((code, share.id));
    }
    if plan.stage == Stage::Cancelled {
        service::staff_action(staff, TaskId(task.id), TaskAction::Cancel, None, Some("并入其他任务".into())).await?;
        return Ok(());
    }
    if plan.stage == Stage::Assigned {
        return Ok(());
    }
    let act = |code: &str, id: Uuid, action: AssignmentAction| {
        let code = code.to_owned();
        async move {
            let scope = scope_for(db, Role::Unit, &code).await?;
            service::share_action(&cx(scope), AssignmentId(id), action, ShareInput { note: Some("已处理".into()), ..ShareInput::default() })
                .await
                .map(|_| ())
        }
    };
    for (code, id) in &shares {
        act(code, *id, AssignmentAction::Accept).await?;
    }
    if plan.stage == Stage::Accepted {
        return Ok(());
    }
    for (code, id) in &shares {
        act(code, *id, AssignmentAction::Start).await?;
    }
    if plan.stage == Stage::InProgress {
        return Ok(());
    }
    for (code, id) in &shares {
        act(code, *id, AssignmentAction::Resolve).await?;
    }
    match plan.stage {
        Stage::Verified => {
            service::staff_action(staff, TaskId(task.id), TaskAction::Verify, None, Some("现场复核通过".into())).await?;
        }
        Stage::Reopened => {
            service::staff_action(staff, TaskId(task.id), TaskAction::Reopen, None, Some("雨后再次堵塞".into())).await?;
        }
        _ => {}
    }
    Ok(())
}
