//! The demo selection round of 梅岭街道 (城市基层党建创新案例评选), drawn from the article: a case
//! from each of the five platforms and one from a co-building unit, scored by a party member
//! and a unit named reviewers, and closed with the best three selected and published. Written
//! through the service as street staff, community staff, the unit and the reviewers would, so
//! every rule (and the audit log) applies. Idempotent: a street with a round is left as it is.

use entity::innovation_case::Platform;
use entity::party_organization::OrganizationKind;
use entity::{co_building_unit, community, party_member, party_organization, region, selection_round};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::ids::RoundId;
use super::service::{self, Criterion, NamedReviewer, NewCase, NewRound, Submitter};
use crate::auth::{Claims, Role, Scope};
use crate::changes::Changes;
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::{CommunityId, OrganizationId, PersonId, UnitId};

/// A case of the demo round: community code, the submitting party organisation (a kind, and a
/// compound's name for a compound branch), platform, title, summary.
type DemoCase = (&'static str, OrganizationKind, Option<&'static str>, Platform, &'static str, &'static str);

const CASES: [DemoCase; 5] = [
    (
        "zhuyuan",
        OrganizationKind::CommunityBranch,
        None,
        Platform::OrganisationGraph,
        "社区联合党组织统筹，把党支部建到小区里",
        "成立社区联合党组织，统筹基层党建工作，并把党支部建到小区里，把住户党员发动起来，破解组织关系不在社区的住户党员与基层党组织缺乏联动的问题，助推社区治理、小区管理提升。",
    ),
    (
        "heshan",
        OrganizationKind::CommunityBranch,
        None,
        Platform::VolunteerService,
        "党群义工平台：在线报到，供需精准对接",
        "在职党员在线报到，需求清单与资源清单在线精准对接，累计注册义工4098名、服务9656人次、开展活动614场，服务群众超10万人次。",
    ),
    (
        "meiling",
        OrganizationKind::JointCommittee,
        None,
        Platform::Collaboration,
        "“部门大合唱”整治梅岭综合市场",
        "社区党支部发起“党员有担当，市场整治我有责”行动，梅岭社区联合党委吸纳十二家共建单位，多部门联动清理占道摊点、拓宽通道、规范停车，变“单打独奏”为“部门大合唱”。",
    ),
    (
        "meitinglai",
        OrganizationKind::JointCommittee,
        None,
        Platform::ConsultativeDemocracy,
        "六个小区外围改造为封闭式临时停车场",
        "经多次协商议事，梅庭莱社区将六个小区外围改造为封闭式临时停车场，每年为业主增加公共收益约500万元，做到有地方说、有人商量、有人回应、有人抓落实。",
    ),
    (
        "shuanggou",
        OrganizationKind::CompoundBranch,
        Some("桂园人家"),
        Platform::HomeCoBuilding,
        "党员楼长双向选择，建设“近邻家园”",
        "推行党员楼(街巷)长制，党员、群众双向选择担任楼长、街巷长，试点建设“近邻家园”，发动邻里参与小区治理，每月主题党日开展清洁家园。",
    ),
];

/// The unit's own case: unit code, community code, platform, title, summary.
const UNIT_CASE: (&str, &str, Platform, &str, &str) = (
    "market-regulation",
    "meiling",
    Platform::Collaboration,
    "农贸市场食品安全监管与周边停车整治",
    "市场监管所联合交警、执法中队开展农贸市场系列整治，加强食品安全监管，规范市场周边停车，死角变为口袋公园。",
);

/// The units named reviewers beside a party member of 朝阳社区.
const REVIEWER_UNITS: [&str; 1] = ["fire"];

async fn scope_for(db: &DatabaseConnection, role: Role, anchor: &str, street: &str) -> AppResult<Scope> {
    let mut claims = Claims::new(role, std::time::Duration::from_secs(60));
    match role {
        Role::StreetAdmin => claims.street = Some(anchor.to_owned()),
        Role::CommunityStaff => {
            claims.community = Some(anchor.to_owned());
            claims.street = Some(street.to_owned());
        }
        Role::Unit => claims.unit = Some(anchor.to_owned()),
        Role::Member => claims.person = anchor.parse().ok(),
        Role::CityAdmin | Role::CommunityAdmin | Role::Reporter => {}
    }
    Scope::resolve(db, &claims.with_subject()).await
}

/// Seeds the demo round into `street_code` when the street has none. Returns what it did.
pub async fn seed(db: &DatabaseConnection, street_code: &str) -> AppResult<String> {
    let Some(street) = region::Entity::find()
        .filter(region::Column::Kind.eq(region::RegionKind::Street))
        .filter(region::Column::Code.eq(street_code))
        .one(db)
        .await?
    else {
        return Ok("no street to seed innovation cases into".into());
    };
    if selection_round::Entity::find().filter(selection_round::Column::StreetId.eq(street.id)).count(db).await? > 0 {
        return Ok("innovation-case selection already present".into());
    }
    let events = Changes::default();
    let cx = |scope: Scope| Cx::new(scope, crate::db::Db::system(db.clone()), "demo-seed", events.clone());
    let community = |code: &'static str| async move {
        community::Entity::find().filter(community::Column::StreetId.eq(street.id)).filter(community::Column::Code.eq(code)).one(db).await
    };
    let Some(chaoyang) = community("chaoyang").await? else { return Ok("no 朝阳 community".into()) };
    let Some(reviewer) = party_member::Entity::find()
        .filter(party_member::Column::CommunityId.eq(chaoyang.id))
        .order_by_asc(party_member::Column::Id)
        .one(db)
        .await?
    else {
        return Ok("no party member to review".into());
    };
    let units: std::collections::HashMap<String, uuid::Uuid> =
        co_building_unit::Entity::find().all(db).await?.into_iter().map(|u| (u.code, u.id)).collect();
    let mut reviewers = vec![NamedReviewer::Person(PersonId(reviewer.person_id))];
    reviewers.extend(REVIEWER_UNITS.iter().filter_map(|code| units.get(*code)).map(|u| NamedReviewer::Unit(UnitId(*u))));

    let admin = cx(scope_for(db, Role::StreetAdmin, street_code, street_code).await?);
    let criterion = |name: &str, max_points| Criterion { name: name.into(), max_points };
    let round = service::open_round(
        &admin,
        NewRound {
            title: "梅岭街道城市基层党建创新案例评选".into(),
            criteria: vec![criterion("创新性", 40), criterion("实效性", 40), criterion("可推广性", 20)],
            reviewers,
        },
    )
    .await?;

    let mut cases = Vec::new();
    for (code, kind, compound, platform, title, summary) in CASES {
        let Some(c) = community(code).await? else { continue };
        let mut orgs = party_organization::Entity::find()
            .filter(party_organization::Column::CommunityId.eq(c.id))
            .filter(party_organization::Column::Kind.eq(kind));
        if let Some(name) = compound {
            let compound = entity::compound::Entity::find()
                .filter(entity::compound::Column::CommunityId.eq(c.id))
                .filter(entity::compound::Column::Name.eq(name))
                .one(db)
                .await?;
            orgs = orgs.filter(party_organization::Column::CompoundId.eq(compound.map(|x| x.id)));
        }
        let Some(org) = orgs.order_by_asc(party_organization::Column::Id).one(db).await? else { continue };
        let staff = cx(scope_for(db, Role::CommunityStaff, code, street_code).await?);
        let case = service::submit_case(
            &staff,
            NewCase {
                round_id: RoundId(round.id),
                submitter: Submitter::PartyOrganization(OrganizationId(org.id)),
                title: title.into(),
                summary: summary.into(),
                platform,
                evidence_links: vec![format!("https://www.jinjiang.gov.cn/meiling/cases/{}", cases.len() + 1)],
            },
        )
        .await?;
        cases.push(case);
    }
    let (unit_code, community_code, platform, title, summary) = UNIT_CASE;
    if let (Some(unit), Some(c)) = (units.get(unit_code), community(community_code).await?) {
        let as_unit = cx(scope_for(db, Role::Unit, unit_code, street_code).await?);
        let case = service::submit_case(
            &as_unit,
            NewCase {
                round_id: RoundId(round.id),
                submitter: Submitter::Unit(UnitId(*unit), CommunityId(c.id)),
                title: title.into(),
                summary: summary.into(),
                platform,
                evidence_links: vec!["https://www.jinjiang.gov.cn/meiling/cases/market".into()],
            },
        )
        .await?;
        cases.push(case);
    }

    // Each reviewer scores every case it may (never its own organisation's or community's).
    let mut scorers = vec![cx(scope_for(db, Role::Member, &reviewer.person_id.to_string(), street_code).await?)];
    for code in REVIEWER_UNITS {
        if units.contains_key(code) {
            scorers.push(cx(scope_for(db, Role::Unit, code, street_code).await?));
        }
    }
    let mut scored = 0;
    for (r, scorer) in scorers.iter().enumerate() {
        for (i, case) in cases.iter().enumerate() {
            let points = vec![40 - ((i * 7 + r * 3) % 15) as i32, 38 - ((i * 5 + r * 4) % 12) as i32, 20 - ((i * 3 + r) % 8) as i32];
            match service::score_case(scorer, super::ids::CaseId(case.id), points, "材料翔实，经验可复制").await {
                Ok(_) => scored += 1,
                Err(AppError::Forbidden(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    service::close_round(&admin, RoundId(round.id), 3, None).await?;
    Ok(format!("innovation-case selection: {} cases, {scored} scores, 3 selected", cases.len()))
}
