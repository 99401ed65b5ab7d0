//! Home co-building in the demo street, from the article: 桂园人家 (delivered 2006), owner-run
//! since its owners' committee took over from the developer's company, through the committee's
//! service centre; 宝龙·金色花园 (built 2003), whose owners' self-management group took over
//! after its company; and the six compounds of 梅庭莱社区 (奥林春天, 香梅花都, 福源花里,
//! 世纪华庭, 凯旋国际, 华庭新村), each with its company, committee, buildings and leaders chosen
//! by two-way selection: one who applied, one nominated, and on 奥林春天 a leader who stepped
//! down and an application waiting for an answer. The article does not place 桂园人家 and
//! 宝龙·金色花园 in a community; the demo keeps them where the organisation graph has them
//! (双沟社区 and 竹树下社区). People are the compound branches' synthetic members.
//!
//! Every copy of a named compound in the street (`--scale N` repeats them) gets the same, so
//! that the street grows with its homes. Idempotent: a compound that has buildings is left alone.
//!
//! The compounds' affairs (renovation projects, shared income, arrears) are seeded afterwards
//! through the services, by [`seed_affairs`].

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use entity::building::{self, BuildingKind};
use entity::building_leader::{self, Initiative, LeaderStatus, ResidentsSide};
use entity::owners_committee_member::CommitteeRole;
use entity::party_organization::{self, OrganizationKind};
use entity::property_manager::{self, ManagerKind};
use entity::{community, compound, owners_committee, owners_committee_member, party_member, region};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppResult;

mod affairs;
pub use affairs::seed_affairs;

/// A day of the demo: year, month, day.
type Day = (i32, u32, u32);

/// A contract of the demo: kind, name, first day, last day (the next one's first), fee in fen.
type Contract = (ManagerKind, &'static str, Day, Option<Day>, i64);

/// A demo home: compound name, buildings (label prefix count), a lane, committees' (elected, start)
/// days, and its contracts oldest first.
struct Plan {
    compound: &'static str,
    buildings: usize,
    lane: Option<&'static str>,
    committees: &'static [(Day, Day)],
    contracts: &'static [Contract],
}

const PLANS: &[Plan] = &[
    Plan {
        compound: "桂园人家",
        buildings: 6,
        lane: None,
        committees: &[((2018, 5, 20), (2018, 6, 1)), ((2023, 5, 21), (2023, 6, 1))],
        contracts: &[
            (ManagerKind::Company, "晋江市桂园物业管理有限公司", (2006, 10, 1), Some((2018, 7, 1)), 110),
            (ManagerKind::SelfManagementGroup, "桂园人家业委会服务中心", (2018, 7, 1), None, 120),
        ],
    },
    Plan {
        compound: "宝龙·金色花园",
        buildings: 8,
        lane: None,
        committees: &[((2019, 12, 8), (2020, 1, 1))],
        contracts: &[
            (ManagerKind::Company, "晋江宝龙物业服务有限公司", (2003, 9, 1), Some((2020, 3, 1)), 90),
            (ManagerKind::SelfManagementGroup, "宝龙·金色花园物业自治小组", (2020, 3, 1), None, 80),
        ],
    },
    Plan {
        compound: "奥林春天",
        buildings: 8,
        lane: Some("奥林春天南侧巷"),
        committees: &[((2022, 4, 10), (2022, 5, 1))],
        contracts: &[(ManagerKind::Company, "晋江奥林物业服务有限公司", (2008, 6, 1), None, 180)],
    },
    Plan {
        compound: "香梅花都",
        buildings: 6,
        lane: None,
        committees: &[((2021, 9, 12), (2021, 10, 1))],
        contracts: &[(ManagerKind::Company, "晋江香梅物业管理有限公司", (2007, 5, 1), None, 160)],
    },
    Plan {
        compound: "福源花里",
        buildings: 5,
        lane: None,
        committees: &[((2023, 3, 5), (2023, 4, 1))],
        contracts: &[(ManagerKind::Company, "福建福源物业服务有限公司", (2009, 8, 1), None, 150)],
    },
    Plan {
        compound: "世纪华庭",
        buildings: 4,
        lane: None,
        committees: &[((2020, 11, 15), (2020, 12, 1))],
        contracts: &[(ManagerKind::Company, "晋江世纪物业管理有限公司", (2006, 3, 1), None, 140)],
    },
    Plan {
        compound: "凯旋国际",
        buildings: 7,
        lane: None,
        committees: &[((2022, 8, 21), (2022, 9, 1))],
        contracts: &[(ManagerKind::Company, "凯旋物业服务(晋江)有限公司", (2010, 7, 1), None, 220)],
    },
    Plan {
        compound: "华庭新村",
        buildings: 4,
        lane: Some("梅庭路东段"),
        committees: &[((2019, 6, 16), (2019, 7, 1))],
        contracts: &[(ManagerKind::Company, "晋江华庭物业管理有限公司", (2005, 4, 1), None, 100)],
    },
];

fn day((y, m, d): Day) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn at(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap_or_default())
}

/// Seeds the homes of the named compounds in every community of the street, in the caller's
/// transaction (the demo seed commits it). Returns how many homes were seeded.
pub async fn seed(txn: &impl ConnectionTrait, street_code: &str) -> AppResult<usize> {
    let Some(street) = region::Entity::find()
        .filter(region::Column::Kind.eq(region::RegionKind::Street))
        .filter(region::Column::Code.eq(street_code))
        .one(txn)
        .await?
    else {
        return Ok(0);
    };
    let communities: Vec<Uuid> =
        community::Entity::find().filter(community::Column::StreetId.eq(street.id)).all(txn).await?.into_iter().map(|c| c.id).collect();
    let compounds = compound::Entity::find()
        .filter(compound::Column::CommunityId.is_in(communities))
        .filter(compound::Column::Name.is_in(PLANS.iter().map(|p| p.compound)))
        .order_by_asc(compound::Column::Id)
        .all(txn)
        .await?;
    let mut seeded = 0;
    for c in &compounds {
        let Some(plan) = PLANS.iter().find(|p| p.compound == c.name) else { continue };
        if building::Entity::find().filter(building::Column::CompoundId.eq(c.id)).count(txn).await? > 0 {
            continue;
        }
        seed_home(txn, c, plan).await?;
        seeded += 1;
    }
    Ok(seeded)
}

async fn seed_home(db: &impl ConnectionTrait, c: &compound::Model, plan: &Plan) -> AppResult<()> {
    let now = Utc::now();
    // Buildings, then the lane: the compound's households shared out.
    let households = c.households.unwrap_or(0).max(0);
    let count = plan.buildings as i32;
    let mut buildings = Vec::new();
    for i in 0..plan.buildings {
        let share = households / count + i32::from((i as i32) < households % count);
        buildings.push(building_row(c, BuildingKind::Building, format!("{}栋", i + 1), share, now));
    }
    if let Some(lane) = plan.lane {
        buildings.push(building_row(c, BuildingKind::Lane, lane.to_owned(), 0, now));
    }
    let ids: Vec<Uuid> = buildings.iter().map(|b| *b.id.as_ref()).collect();
    building::Entity::insert_many(buildings).exec(db).await?;

    // The branch's members: the first is its secretary.
    let branch = party_organization::Entity::find()
        .filter(party_organization::Column::CommunityId.eq(c.community_id))
        .filter(party_organization::Column::CompoundId.eq(c.id))
        .filter(party_organization::Column::Kind.eq(OrganizationKind::CompoundBranch))
        .one(db)
        .await?;
    let members = match &branch {
        Some(b) => {
            party_member::Entity::find()
                .filter(party_member::Column::CommunityId.eq(c.community_id))
                .filter(party_member::Column::BranchId.eq(b.id))
                .order_by_asc(party_member::Column::Id)
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let member = |i: usize| members.get(i % members.len().max(1));

    // Owners' committees, the last in office; three to five members each.
    for (n, (elected, start)) in plan.committees.iter().enumerate() {
        let next = plan.committees.get(n + 1).map(|(_, s)| day(*s));
        let id = Uuid::now_v7();
        owners_committee::Entity::insert(owners_committee::ActiveModel {
            id: Set(id),
            community_id: Set(c.community_id),
            compound_id: Set(c.id),
            elected_on: Set(day(*elected)),
            term_start: Set(day(*start)),
            term_end: Set(NaiveDate::from_ymd_opt(start.0 + 5, start.1, start.2).and_then(|d| d.pred_opt())),
            ended_on: Set(next),
            version: Set(1),
            created_at: Set(now),
        })
        .exec(db)
        .await?;
        let size = 3 + (n + members.len()) % 3;
        let mut seats = Vec::new();
        let mut people = Vec::new();
        for k in 0..size.min(members.len()) {
            let Some(m) = member(k + n) else { continue };
            if people.contains(&m.person_id) {
                continue;
            }
            people.push(m.person_id);
            let role = match seats.len() {
                0 => CommitteeRole::Director,
                1 => CommitteeRole::DeputyDirector,
                _ => CommitteeRole::Member,
            };
            seats.push(owners_committee_member::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(c.community_id),
                committee_id: Set(id),
                person_id: Set(m.person_id),
                role: Set(role),
                created_at: Set(now),
            });
        }
        if !seats.is_empty() {
            owners_committee_member::Entity::insert_many(seats).exec(db).await?;
        }
    }

    // Property managers, oldest contract first.
    let managers: Vec<property_manager::ActiveModel> = plan
        .contracts
        .iter()
        .map(|(kind, name, start, end, fee)| property_manager::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(c.community_id),
            compound_id: Set(c.id),
            kind: Set(*kind),
            name: Set((*name).to_owned()),
            contract_start: Set(day(*start)),
            contract_end: Set(end.map(day)),
            ended_on: Set(end.map(day)),
            fee_rate_fen: Set(*fee),
            version: Set(1),
            created_at: Set(now),
        })
        .collect();
    property_manager::Entity::insert_many(managers).exec(db).await?;

    // Leaders: building 1 by application (answered by the branch's secretary), building 2 by
    // nomination (community staff, accepted by the member); on 奥林春天 building 1 had a leader
    // who stepped down, and an application for building 3 waits for an answer.
    if members.len() < 2 {
        return Ok(());
    }
    let community_staff = community::Entity::find_by_id(c.community_id).one(db).await?.map(|m| format!("community-staff:{}", m.code));
    let mut leaders = Vec::new();
    let served = plan.compound == "奥林春天";
    if served && let (Some(m), Some(b)) = (member(3), ids.first()) {
        leaders.push(leader_row(c, *b, m, Initiative::Nomination, LeaderStatus::Ended, day((2023, 3, 1)), community_staff.clone(), now));
    }
    let since = day((2025, 3, 1));
    if let (Some(m), Some(b)) = (member(1), ids.first()) {
        leaders.push(leader_row(c, *b, m, Initiative::Application, LeaderStatus::Active, since, Some("branch-secretary".into()), now));
    }
    if let (Some(m), Some(b)) = (member(2), ids.get(1)) {
        leaders.push(leader_row(c, *b, m, Initiative::Nomination, LeaderStatus::Active, since, community_staff.clone(), now));
    }
    if served && let (Some(m), Some(b)) = (member(4), ids.get(2)) {
        leaders.push(leader_row(c, *b, m, Initiative::Application, LeaderStatus::Proposed, since, None, now));
    }
    building_leader::Entity::insert_many(leaders).exec(db).await?;
    Ok(())
}

fn building_row(c: &compound::Model, kind: BuildingKind, label: String, households: i32, now: DateTime<Utc>) -> building::ActiveModel {
    building::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(c.community_id),
        compound_id: Set(c.id),
        kind: Set(kind),
        label: Set(label),
        households: Set(households),
        version: Set(1),
        created_at: Set(now),
    }
}

#[expect(clippy::too_many_arguments, reason = "one selection row, column by column")]
fn leader_row(
    c: &compound::Model,
    building: Uuid,
    m: &party_member::Model,
    initiated_by: Initiative,
    status: LeaderStatus,
    since: NaiveDate,
    agent: Option<String>,
    now: DateTime<Utc>,
) -> building_leader::ActiveModel {
    let agreed = at(since);
    let (side, member_agreed, residents_agreed) = match (initiated_by, status) {
        (_, LeaderStatus::Proposed) => (None, Some(agreed), None),
        (Initiative::Application, _) => (Some(ResidentsSide::BranchSecretary), Some(agreed), Some(agreed)),
        (Initiative::Nomination, _) => (Some(ResidentsSide::CommunityStaff), Some(agreed), Some(agreed)),
    };
    let ended = status == LeaderStatus::Ended;
    building_leader::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(c.community_id),
        compound_id: Set(c.id),
        building_id: Set(building),
        member_id: Set(m.id),
        person_id: Set(m.person_id),
        initiated_by: Set(initiated_by),
        status: Set(status),
        member_agreed_at: Set(member_agreed),
        residents_agreed_at: Set(residents_agreed),
        residents_side: Set(side),
        residents_agent: Set(if status == LeaderStatus::Proposed { None } else { agent }),
        term_start: Set((status != LeaderStatus::Proposed).then_some(since)),
        term_end: Set(None),
        ended_on: Set(ended.then(|| day((2025, 2, 28)))),
        end_reason: Set(ended.then(|| "工作调动，主动辞去楼长".to_owned())),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
