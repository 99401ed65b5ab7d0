//! The demo street: 晋江市 → 梅岭街道 → 15 communities, from the newspaper feature on Meiling
//! street. People are synthetic. `--scale N` grows the street N times, deterministically.
//! Seeding is idempotent: a community that exists is left as it is, so a second run changes
//! nothing and a larger scale only adds the missing communities.
//!
//! Beside it, a second, small street of the same city, 青阳街道, with two communities whose
//! committees seat three units of its own and one unit that also sits in 梅岭街道 (住建), so that
//! street isolation can be tried from outside. It does not grow with `--scale`.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use entity::co_building_unit::{self, UnitKind};
use entity::committee_membership::{self, MembershipRole};
use entity::compound::{self, CompoundKind};
use entity::party_member::{self, MemberKind};
use entity::party_organization::{self, OrganizationKind};
use entity::region::{self, RegionKind};
use entity::{community, person};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use uuid::Uuid;

/// Code of the demo city.
pub const CITY_CODE: &str = "jinjiang";
/// Code of the demo street.
pub const STREET_CODE: &str = "meiling-street";

/// Code of the demo city's second street (青阳街道).
pub const SECOND_STREET_CODE: &str = "qingyang-street";

/// The one unit seated on committees in both demo streets: 晋江市住房和城乡建设局.
pub const SHARED_UNIT: &str = "housing";

/// Units of 青阳街道 that sit nowhere in 梅岭街道: code, name, kind.
pub const SECOND_STREET_UNITS: [(&str, &str, UnitKind); 3] = [
    ("qingyang-police", "晋江市公安局青阳派出所", UnitKind::PublicSecurity),
    ("qingyang-law-enforcement", "晋江市城市管理综合执法局青阳中队", UnitKind::LawEnforcement),
    ("qingyang-health", "青阳街道社区卫生服务中心", UnitKind::Health),
];

/// The communities of 青阳街道: code, name, named compounds, and the units on its committee.
pub const SECOND_STREET_COMMUNITIES: [(&str, &str, &[NamedCompound], &[&str]); 2] = [
    (
        "qingyang",
        "青阳社区",
        &[("青阳农贸市场", CompoundKind::Market, 1999, 0)],
        &[SHARED_UNIT, "qingyang-police", "qingyang-law-enforcement", "qingyang-health"],
    ),
    ("zhuangtou", "庄头社区", &[("庄头新村", CompoundKind::Residential, 2002, 460)], &[SHARED_UNIT, "qingyang-police", "qingyang-health"]),
];

/// The twelve co-building units of 梅岭社区联合党委: code, name, kind.
pub const UNITS: [(&str, &str, UnitKind); 12] = [
    ("police", "晋江市公安局梅岭派出所", UnitKind::PublicSecurity),
    ("housing", "晋江市住房和城乡建设局", UnitKind::Housing),
    ("law-enforcement", "晋江市城市管理综合执法局梅岭中队", UnitKind::LawEnforcement),
    ("health", "梅岭街道社区卫生服务中心", UnitKind::Health),
    ("traffic-police", "晋江市公安局交通警察大队", UnitKind::TrafficPolice),
    ("municipal", "晋江市市政园林局", UnitKind::Municipal),
    ("fire", "晋江市消防救援大队", UnitKind::Fire),
    ("market-regulation", "晋江市市场监督管理局梅岭所", UnitKind::MarketRegulation),
    ("water", "晋江市自来水公司", UnitKind::Utility),
    ("power", "国网晋江市供电公司", UnitKind::Utility),
    ("telecom", "中国电信晋江分公司", UnitKind::Telecom),
    ("gas", "晋江华润燃气有限公司", UnitKind::Utility),
];

/// A named compound: name, kind, year built, households.
type NamedCompound = (&'static str, CompoundKind, i32, i32);

/// The fifteen communities: code, name, and the compounds the article names in them.
pub const COMMUNITIES: [(&str, &str, &[NamedCompound]); 15] = [
    ("zhuyuan", "竹园社区", &[("竹园小区", CompoundKind::Residential, 1998, 620)]),
    ("meiling", "梅岭社区", &[("梅岭综合市场", CompoundKind::Market, 2001, 0)]),
    (
        "meitinglai",
        "梅庭莱社区",
        &[
            ("奥林春天", CompoundKind::Residential, 2008, 860),
            ("香梅花都", CompoundKind::Residential, 2007, 540),
            ("福源花里", CompoundKind::Residential, 2009, 410),
            ("世纪华庭", CompoundKind::Residential, 2006, 380),
            ("凯旋国际", CompoundKind::Residential, 2010, 720),
            ("华庭新村", CompoundKind::Residential, 2005, 300),
        ],
    ),
    ("heshan", "鹤山社区", &[]),
    ("shuanggou", "双沟社区", &[("桂园人家", CompoundKind::Residential, 2006, 336)]),
    ("zhushuxia", "竹树下社区", &[("宝龙·金色花园", CompoundKind::Residential, 2003, 488)]),
    ("chaoyang", "朝阳社区", &[]),
    ("xiangyuan", "香园社区", &[]),
    ("yangguang", "阳光社区", &[]),
    ("jinlong", "金龙社区", &[]),
    ("taoyuan", "桃园社区", &[]),
    ("lianhua", "莲花社区", &[]),
    ("fuqian", "府前社区", &[]),
    ("xinmin", "新民社区", &[]),
    ("dongshan", "东山社区", &[]),
];

const COMPOUND_SUFFIXES: [&str; 8] = ["花园", "新村", "家园", "公寓", "雅苑", "华府", "小区", "名城"];
const SURNAMES: [&str; 24] = [
    "陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "许", "郑", "谢", "洪", "郭", "邱", "曾", "庄", "施", "苏", "丁", "蒋",
    "颜", "柯",
];
const GIVEN: [&str; 30] = [
    "明", "华", "丽", "强", "芳", "伟", "敏", "静", "秀", "军", "杰", "婷", "斌", "霞", "涛", "燕", "磊", "慧", "勇", "玲", "鹏", "红",
    "辉", "琳", "峰", "萍", "俊", "雪", "志", "海",
];

/// What a seeding run did. The flat fields are 梅岭街道's.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub communities_added: usize,
    pub communities_present: usize,
    pub compounds: usize,
    pub members: usize,
    /// What the run did in 青阳街道.
    pub second_street: StreetReport,
    pub collaboration: String,
    /// Compounds whose home co-building (buildings, committee, manager, leaders) was seeded.
    pub homes: usize,
    /// What the compounds' affairs seed (renovation projects, shared income, arrears) did.
    pub affairs: String,
    /// What the innovation-case selection seed did.
    pub innovation: String,
    /// What the deliberation story seed did.
    pub deliberation: String,
}

/// What a seeding run did in one street.
#[derive(Debug, Default)]
pub struct StreetReport {
    pub communities_added: usize,
    pub communities_present: usize,
    pub compounds: usize,
    pub members: usize,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let second = &self.second_street;
        write!(
            f,
            "demo street: {} communities added ({} compounds, {} party members), {} already present; \
             second street 青阳街道: {} communities added ({} compounds, {} party members), {} already present; {}; {} homes seeded ({}); {}; {}",
            self.communities_added,
            self.compounds,
            self.members,
            self.communities_present,
            second.communities_added,
            second.compounds,
            second.members,
            second.communities_present,
            self.collaboration,
            self.homes,
            self.affairs,
            self.innovation,
            self.deliberation
        )
    }
}

/// Seeds the demo street when the database has no street yet.
pub async fn seed_if_empty(db: &DatabaseConnection) -> anyhow::Result<String> {
    let streets = region::Entity::find().filter(region::Column::Kind.eq(RegionKind::Street)).count(db).await?;
    if streets > 0 {
        return Ok("database already holds a street; demo seeding skipped".into());
    }
    Ok(seed(db, 1).await?.to_string())
}

/// Seeds the demo street at `scale` (N × 15 communities) and the second street (always two
/// communities) with every platform's demo data. The volunteer and deliberation histories are
/// 梅岭街道's only, so the article's figures stay its own. Idempotent.
pub async fn seed(db: &DatabaseConnection, scale: u32) -> anyhow::Result<SeedReport> {
    let mut report = seed_graph(db, scale).await?;
    let street = region::Entity::find()
        .filter(region::Column::Kind.eq(RegionKind::Street))
        .filter(region::Column::Code.eq(STREET_CODE))
        .one(db)
        .await?;
    if let Some(street) = &street {
        let txn = db.begin().await.context("starting the volunteer seed transaction")?;
        let communities = community::Entity::find()
            .filter(community::Column::StreetId.eq(street.id))
            .order_by_asc(community::Column::Id)
            .all(&txn)
            .await?;
        for (i, c) in communities.iter().enumerate() {
            crate::volunteers::demo::seed_community(&txn, c, i % COMMUNITIES.len())
                .await
                .map_err(|e| anyhow::anyhow!("seeding volunteers: {e}"))?;
        }
        // The deliberation history's raisers are the volunteers just seeded.
        for (i, c) in communities.iter().enumerate() {
            crate::deliberation::demo::seed_community(&txn, c, i % COMMUNITIES.len())
                .await
                .map_err(|e| anyhow::anyhow!("seeding the deliberation history: {e}"))?;
        }
        txn.commit().await.context("committing the volunteer history")?;
    }
    let meiling = crate::collaboration::demo::seed(db, STREET_CODE).await.map_err(|e| anyhow::anyhow!("seeding collaboration: {e}"))?;
    let qingyang = crate::collaboration::demo::seed_second_street(db, SECOND_STREET_CODE)
        .await
        .map_err(|e| anyhow::anyhow!("seeding the second street's collaboration: {e}"))?;
    report.collaboration = format!("{meiling}; {qingyang}");
    let txn = db.begin().await.context("starting the home co-building seed transaction")?;
    report.homes = crate::home::demo::seed(&txn, STREET_CODE).await.map_err(|e| anyhow::anyhow!("seeding home co-building: {e}"))?;
    txn.commit().await.context("committing home co-building")?;
    report.affairs =
        crate::home::demo::seed_affairs(db, STREET_CODE).await.map_err(|e| anyhow::anyhow!("seeding the compounds' affairs: {e}"))?;
    report.innovation =
        crate::innovation::demo::seed(db, STREET_CODE).await.map_err(|e| anyhow::anyhow!("seeding innovation-case selection: {e}"))?;
    if let Some(street) = &street {
        report.deliberation = crate::deliberation::demo::seed_car_park_story(db, street.id)
            .await
            .map_err(|e| anyhow::anyhow!("seeding 梅庭莱's car-park decision: {e}"))?;
    }
    Ok(report)
}

/// Seeds only the organisation graph of the demo street and of the second street. Idempotent.
pub async fn seed_graph(db: &DatabaseConnection, scale: u32) -> anyhow::Result<SeedReport> {
    let txn = db.begin().await.context("starting the seed transaction")?;
    let now = Utc::now();
    let city = ensure_region(&txn, None, RegionKind::City, CITY_CODE, "晋江市", None).await?;
    let street = ensure_region(&txn, Some(city), RegionKind::Street, STREET_CODE, "梅岭街道", Some("梅岭街道党工委")).await?;
    let units = ensure_units(&txn, &UNITS).await?;
    let work_units: Vec<&str> = UNITS.iter().map(|u| u.1).collect();
    let existing: HashSet<String> =
        community::Entity::find().filter(community::Column::StreetId.eq(street)).all(&txn).await?.into_iter().map(|c| c.code).collect();
    let mut report = SeedReport::default();
    for round in 0..scale {
        for (index, (code, name, named)) in COMMUNITIES.iter().enumerate() {
            let (code, name) = if round == 0 {
                ((*code).to_owned(), (*name).to_owned())
            } else {
                (format!("{code}-{}", round + 1), format!("{name}（{}）", round + 1))
            };
            if existing.contains(&code) {
                report.communities_present += 1;
                continue;
            }
            // All twelve units sit on 梅岭's committee; some of them on each other community's.
            let seat_all = round == 0 && index == 1;
            let plan = CommunityPlan { street, code, name, named, seat_all, units: &units, work_units: &work_units };
            let (compounds, members) = plan.insert(&txn, now).await?;
            report.communities_added += 1;
            report.compounds += compounds;
            report.members += members;
        }
    }
    report.second_street = seed_second_street(&txn, city, now).await?;
    txn.commit().await.context("committing the demo street")?;
    Ok(report)
}

/// Seeds 青阳街道's organisation graph: its units, its two communities and their committees.
async fn seed_second_street(db: &impl ConnectionTrait, city: Uuid, now: chrono::DateTime<Utc>) -> anyhow::Result<StreetReport> {
    let street = ensure_region(db, Some(city), RegionKind::Street, SECOND_STREET_CODE, "青阳街道", Some("青阳街道党工委")).await?;
    let mut units = ensure_units(db, &SECOND_STREET_UNITS).await?;
    let shared = co_building_unit::Entity::find()
        .filter(co_building_unit::Column::Code.eq(SHARED_UNIT))
        .one(db)
        .await?
        .with_context(|| format!("the shared unit `{SHARED_UNIT}`"))?;
    units.push((SHARED_UNIT, shared.id));
    let existing: HashSet<String> =
        community::Entity::find().filter(community::Column::StreetId.eq(street)).all(db).await?.into_iter().map(|c| c.code).collect();
    let mut report = StreetReport::default();
    for (code, name, named, seated) in SECOND_STREET_COMMUNITIES {
        if existing.contains(code) {
            report.communities_present += 1;
            continue;
        }
        let units: Vec<(&'static str, Uuid)> = seated.iter().filter_map(|s| units.iter().find(|(code, _)| code == s).copied()).collect();
        let names: Vec<&str> =
            seated.iter().filter_map(|s| UNITS.iter().chain(SECOND_STREET_UNITS.iter()).find(|u| u.0 == *s).map(|u| u.1)).collect();
        let plan = CommunityPlan {
            street,
            code: code.to_owned(),
            name: name.to_owned(),
            named,
            seat_all: true,
            units: &units,
            work_units: &names,
        };
        let (compounds, members) = plan.insert(db, now).await?;
        report.communities_added += 1;
        report.compounds += compounds;
        report.members += members;
    }
    Ok(report)
}

async fn ensure_region(
    db: &impl ConnectionTrait,
    parent: Option<Uuid>,
    kind: RegionKind,
    code: &str,
    name: &str,
    committee: Option<&str>,
) -> anyhow::Result<Uuid> {
    if let Some(r) = region::Entity::find().filter(region::Column::Kind.eq(kind)).filter(region::Column::Code.eq(code)).one(db).await? {
        return Ok(r.id);
    }
    let model = region::ActiveModel {
        id: Set(Uuid::now_v7()),
        parent_id: Set(parent),
        kind: Set(kind),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        committee_name: Set(committee.map(str::to_owned)),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(model.id)
}

/// Inserts the missing units of `list`; returns (code, id) of all of them, in order.
async fn ensure_units(db: &impl ConnectionTrait, list: &[(&'static str, &str, UnitKind)]) -> anyhow::Result<Vec<(&'static str, Uuid)>> {
    let existing = co_building_unit::Entity::find().all(db).await?;
    let mut out = Vec::new();
    for &(code, name, kind) in list {
        let id = match existing.iter().find(|u| u.code == code) {
            Some(u) => u.id,
            None => {
                co_building_unit::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    code: Set(code.to_owned()),
                    name: Set(name.to_owned()),
                    kind: Set(kind),
                    created_at: Set(Utc::now()),
                }
                .insert(db)
                .await?
                .id
            }
        };
        out.push((code, id));
    }
    Ok(out)
}

struct CommunityPlan<'a> {
    street: Uuid,
    code: String,
    name: String,
    named: &'a [NamedCompound],
    /// Seat every one of `units` on the committee, or a random four to eight of them.
    seat_all: bool,
    units: &'a [(&'static str, Uuid)],
    /// Where in-service members work (one picked at random for each).
    work_units: &'a [&'a str],
}

fn seed_of(code: &str) -> u64 {
    code.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn person_name(rng: &mut StdRng) -> String {
    let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let n = rng.random_range(1..=2);
    let given: String = (0..n).map(|_| GIVEN[rng.random_range(0..GIVEN.len())]).collect();
    format!("{surname}{given}")
}

fn phone(rng: &mut StdRng) -> String {
    format!("1{}{:09}", [3, 5, 8][rng.random_range(0..3)], rng.random_range(0..1_000_000_000u32))
}

impl CommunityPlan<'_> {
    /// Inserts the community with its compounds, organisations, people and committee seats.
    async fn insert(&self, db: &impl ConnectionTrait, now: chrono::DateTime<Utc>) -> anyhow::Result<(usize, usize)> {
        let mut rng = StdRng::seed_from_u64(seed_of(&self.code));
        let community_id = Uuid::now_v7();
        community::ActiveModel {
            id: Set(community_id),
            street_id: Set(self.street),
            code: Set(self.code.clone()),
            name: Set(self.name.clone()),
            created_at: Set(now),
        }
        .insert(db)
        .await?;

        // Compounds: the named ones, then generated ones up to 3..=6 in all.
        let short = self.name.trim_end_matches("社区").chars().take(2).collect::<String>();
        let mut compounds: Vec<compound::ActiveModel> = Vec::new();
        let mut add_compound = |name: String, kind: CompoundKind, year: i32, households: i32| {
            compounds.push(compound::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(community_id),
                name: Set(name),
                kind: Set(kind),
                built_year: Set(Some(year)),
                households: Set(if kind == CompoundKind::Market { None } else { Some(households) }),
                address: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
        };
        for (name, kind, year, households) in self.named {
            add_compound((*name).to_owned(), *kind, *year, *households);
        }
        let target = rng.random_range(3..=6).max(self.named.len());
        let mut suffixes = COMPOUND_SUFFIXES.to_vec();
        suffixes.shuffle(&mut rng);
        let named: Vec<&str> = self.named.iter().map(|c| c.0).collect();
        let generated = suffixes.into_iter().map(|suffix| format!("{short}{suffix}")).filter(|n| !named.contains(&n.as_str()));
        for name in generated.take(target - self.named.len()) {
            add_compound(name, CompoundKind::Residential, rng.random_range(1995..=2020), rng.random_range(120..=900));
        }
        let compound_rows: Vec<(Uuid, String)> = compounds.iter().map(|c| (*c.id.as_ref(), c.name.as_ref().clone())).collect();
        compound::Entity::insert_many(compounds).exec(db).await?;

        // Party organisations: the joint committee, a community branch, a branch per compound.
        let founded = NaiveDate::from_ymd_opt(2018, 1 + rng.random_range(0..12), 1);
        let committee_id = Uuid::now_v7();
        let community_branch = Uuid::now_v7();
        let mut orgs = vec![
            org(committee_id, community_id, OrganizationKind::JointCommittee, format!("{}联合党委", self.name), None, None, founded, now),
            org(
                community_branch,
                community_id,
                OrganizationKind::CommunityBranch,
                format!("{}党支部", self.name),
                Some(committee_id),
                None,
                founded,
                now,
            ),
        ];
        let mut branches = Vec::new();
        for (compound_id, name) in &compound_rows {
            let id = Uuid::now_v7();
            branches.push(id);
            orgs.push(org(
                id,
                community_id,
                OrganizationKind::CompoundBranch,
                format!("{name}党支部"),
                Some(committee_id),
                Some(*compound_id),
                founded,
                now,
            ));
        }

        // People: resident members per compound branch, in-service members checked in to the
        // community branch, and residents who are not party members.
        let mut people = Vec::new();
        let mut members = Vec::new();
        let mut add_person = |rng: &mut StdRng, home: Option<Uuid>| {
            let id = Uuid::now_v7();
            people.push(person::ActiveModel {
                id: Set(id),
                name: Set(person_name(rng)),
                gender: Set(Some(if rng.random_bool(0.5) { "女" } else { "男" }.to_owned())),
                birth_year: Set(Some(rng.random_range(1945..=2002))),
                phone: Set(Some(phone(rng))),
                address: Set(None),
                id_number_hash: Set(None),
                home_community_id: Set(home),
                oidc_subject: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
            id
        };
        let mut member =
            |person_id: Uuid, branch: Uuid, kind: MemberKind, work: Option<String>, relation: Option<String>, joined: Option<NaiveDate>| {
                let id = Uuid::now_v7();
                members.push(party_member::ActiveModel {
                    id: Set(id),
                    community_id: Set(community_id),
                    person_id: Set(person_id),
                    branch_id: Set(Some(branch)),
                    kind: Set(kind),
                    joined_on: Set(joined),
                    work_unit: Set(work),
                    organization_relation: Set(relation),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
                id
            };
        // The first member of each branch is its secretary (书记).
        let mut secretaries = HashMap::new();
        for branch in &branches {
            for _ in 0..rng.random_range(4..=10) {
                let p = add_person(&mut rng, Some(community_id));
                let joined = NaiveDate::from_ymd_opt(rng.random_range(1970..=2022), rng.random_range(1..=12), 1);
                let id = member(p, *branch, MemberKind::Resident, None, None, joined);
                secretaries.entry(*branch).or_insert(id);
            }
        }
        for _ in 0..rng.random_range(4..=8) {
            let p = add_person(&mut rng, Some(community_id));
            let pick = rng.random_range(0..self.work_units.len().max(1));
            let unit_name = self.work_units.get(pick).copied().unwrap_or("晋江市机关单位");
            let joined = NaiveDate::from_ymd_opt(rng.random_range(1990..=2022), rng.random_range(1..=12), 1);
            let id = member(
                p,
                community_branch,
                MemberKind::InService,
                Some(unit_name.to_owned()),
                Some(format!("{unit_name}机关党委")),
                joined,
            );
            secretaries.entry(community_branch).or_insert(id);
        }
        for _ in 0..rng.random_range(8..=14) {
            add_person(&mut rng, Some(community_id));
        }
        for o in &mut orgs {
            o.secretary_id = Set(secretaries.get(o.id.as_ref()).copied());
        }
        party_organization::Entity::insert_many(orgs).exec(db).await?;
        let member_count = members.len();
        person::Entity::insert_many(people).exec(db).await?;
        party_member::Entity::insert_many(members).exec(db).await?;

        // Committee seats: all of the units, or some of them.
        let mut seated: Vec<(&str, Uuid)> = self.units.to_vec();
        if !self.seat_all {
            seated.shuffle(&mut rng);
            seated.truncate(rng.random_range(4..=8));
            let order: Vec<&str> = UNITS.iter().map(|u| u.0).collect();
            seated.sort_by_key(|(code, _)| order.iter().position(|c| c == code));
        }
        let since = NaiveDate::from_ymd_opt(2018, 6, 1).unwrap_or_default();
        let seats: Vec<committee_membership::ActiveModel> = seated
            .iter()
            .enumerate()
            .map(|(i, (_, unit_id))| committee_membership::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(community_id),
                committee_id: Set(committee_id),
                unit_id: Set(*unit_id),
                role: Set(if i < 3 { MembershipRole::PartTimeMember } else { MembershipRole::MemberUnit }),
                since: Set(since),
                until: Set(None),
                version: Set(1),
                created_at: Set(now),
            })
            .collect();
        committee_membership::Entity::insert_many(seats).exec(db).await?;
        Ok((compound_rows.len(), member_count))
    }
}

#[expect(clippy::too_many_arguments, reason = "one party organisation row, column by column")]
fn org(
    id: Uuid,
    community_id: Uuid,
    kind: OrganizationKind,
    name: String,
    parent: Option<Uuid>,
    compound: Option<Uuid>,
    founded: Option<NaiveDate>,
    now: chrono::DateTime<Utc>,
) -> party_organization::ActiveModel {
    party_organization::ActiveModel {
        id: Set(id),
        community_id: Set(community_id),
        kind: Set(kind),
        name: Set(name),
        parent_id: Set(parent),
        compound_id: Set(compound),
        founded_on: Set(founded),
        secretary_id: Set(None),
        version: Set(1),
        created_at: Set(now),
    }
}
