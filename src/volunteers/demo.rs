//! The volunteer platform's history for the demo street, generated so that the street-level
//! statistics show the article's figures: 4,098 volunteers, 9,656 person-times of service, 614
//! activities and over 100,000 residents served, from 2018 on, across the 15 communities and the
//! nine categories. Deterministic; a community that already has volunteers is left alone.

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::activity::ActivityStatus;
use entity::check_in::CheckInStatus;
use entity::demand::DemandStatus;
use entity::party_member::MemberKind;
use entity::sign_up::SignUpStatus;
use entity::volunteer::VolunteerStatus;
use entity::{activity, check_in, community, compound, demand, party_member, person, service_category, sign_up, volunteer};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::service::{DAYS, PARTS};
use crate::error::AppResult;

/// The article's totals for the street.
pub const VOLUNTEERS: usize = 4_098;
pub const PERSON_TIMES: usize = 9_656;
pub const ACTIVITIES: usize = 614;
pub const RESIDENTS_SERVED: usize = 100_512;
const COMMUNITIES: usize = 15;

const SKILLS: [&str; 12] = ["急救", "法律咨询", "电工", "心理疏导", "摄影", "宣讲", "驾驶", "医护", "书法", "维修", "外语", "组织协调"];
const INDUSTRIES: [&str; 6] = ["机关事业", "教育", "医疗", "制造", "商贸", "金融"];
const SURNAMES: [&str; 12] = ["陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "许", "郑", "洪"];
const GIVEN: [&str; 16] = ["建", "国", "美", "玲", "志", "强", "秀", "英", "文", "华", "丽", "明", "海", "燕", "晓", "云"];

/// Share `total` over `parts`: the first `total % parts` get one more.
fn share(total: usize, parts: usize, index: usize) -> usize {
    total / parts + usize::from(index < total % parts)
}

/// Seeds the volunteer history of one community (the `index`-th of its round of 15).
pub async fn seed_community(db: &impl ConnectionTrait, community: &community::Model, index: usize) -> AppResult<()> {
    if volunteer::Entity::find().filter(volunteer::Column::CommunityId.eq(community.id)).count(db).await? > 0 {
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(
        0x5eed_0000 ^ (index as u64) ^ community.code.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    );
    let categories: Vec<service_category::Model> =
        service_category::Entity::find().order_by_asc(service_category::Column::Id).all(db).await?;
    let compounds: Vec<Uuid> =
        compound::Entity::find().filter(compound::Column::CommunityId.eq(community.id)).all(db).await?.into_iter().map(|c| c.id).collect();
    let start = Utc.with_ymd_and_hms(2018, 3, 1, 1, 0, 0).single().unwrap_or_else(Utc::now);
    let span_days = 3_150i64; // to late 2026

    // In-service members check in here and serve as volunteers.
    let in_service: Vec<party_member::Model> = party_member::Entity::find()
        .filter(party_member::Column::CommunityId.eq(community.id))
        .filter(party_member::Column::Kind.eq(MemberKind::InService))
        .all(db)
        .await?;
    let quota = share(VOLUNTEERS, COMMUNITIES, index);
    let mut people = Vec::new();
    let mut checkins = Vec::new();
    let mut volunteer_people: Vec<Uuid> = Vec::new();
    for m in in_service.iter().take(quota) {
        checkins.push(check_in::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community.id),
            person_id: Set(m.person_id),
            work_unit: Set(m.work_unit.clone().unwrap_or_else(|| "晋江市机关单位".into())),
            department: Set(None),
            organization_relation: Set(m.organization_relation.clone().unwrap_or_else(|| "晋江市直机关工委".into())),
            status: Set(CheckInStatus::Approved),
            requested_at: Set(start + Duration::days(rng.random_range(0..365))),
            decided_at: Set(Some(start + Duration::days(rng.random_range(365..400)))),
            decided_by: Set(Some(format!("community-staff:{}", community.code))),
            decline_reason: Set(None),
            ended_at: Set(None),
            version: Set(1),
        });
        volunteer_people.push(m.person_id);
    }
    while volunteer_people.len() < quota {
        let id = Uuid::now_v7();
        let name = format!(
            "{}{}{}",
            SURNAMES[rng.random_range(0..SURNAMES.len())],
            GIVEN[rng.random_range(0..GIVEN.len())],
            GIVEN[rng.random_range(0..GIVEN.len())]
        );
        let at = start + Duration::days(rng.random_range(0..span_days));
        people.push(person::ActiveModel {
            id: Set(id),
            name: Set(name),
            gender: Set(Some(if rng.random_bool(0.55) { "女" } else { "男" }.to_owned())),
            birth_year: Set(Some(rng.random_range(1950..=2004))),
            phone: Set(Some(format!("13{:09}", rng.random_range(0..1_000_000_000u32)))),
            address: Set(None),
            id_number_hash: Set(None),
            home_community_id: Set(Some(community.id)),
            oidc_subject: Set(None),
            version: Set(1),
            created_at: Set(at),
            updated_at: Set(at),
        });
        volunteer_people.push(id);
    }
    let mut volunteers = Vec::new();
    for (i, p) in volunteer_people.iter().enumerate() {
        let mut cats: Vec<&service_category::Model> = categories.iter().collect();
        cats.shuffle(&mut rng);
        let codes: Vec<String> = cats.iter().take(rng.random_range(1..=3)).map(|c| c.code.clone()).collect();
        let mut skills = SKILLS.to_vec();
        skills.shuffle(&mut rng);
        let skills: Vec<String> = skills.into_iter().take(rng.random_range(0..=3)).map(str::to_owned).collect();
        let slots: Vec<String> =
            (0..rng.random_range(1..=4)).map(|_| format!("{}_{}", DAYS[rng.random_range(0..7)], PARTS[rng.random_range(0..3)])).collect();
        volunteers.push(volunteer::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community.id),
            person_id: Set(*p),
            compound_id: Set(compounds.get(i % compounds.len().max(1)).copied()),
            categories: Set(crate::validate::to_json_list(&codes)),
            skills: Set(crate::validate::to_json_list(&skills)),
            department_strength: Set(None),
            industry: Set(Some(INDUSTRIES[rng.random_range(0..INDUSTRIES.len())].to_owned())),
            availability: Set(crate::validate::to_json_list(&slots)),
            status: Set(VolunteerStatus::Active),
            registered_at: Set(start + Duration::days(rng.random_range(0..span_days))),
            version: Set(1),
        });
    }

    // Activities: this community's share of the 614, spread over the years and categories.
    let first_activity: usize = (0..index).map(|i| share(ACTIVITIES, COMMUNITIES, i)).sum();
    let mut activities = Vec::new();
    let mut sign_ups = Vec::new();
    for k in 0..share(ACTIVITIES, COMMUNITIES, index) {
        let global = first_activity + k;
        let starts: DateTime<Utc> = start + Duration::days(global as i64 * span_days / ACTIVITIES as i64);
        let category = &categories[global % categories.len().max(1)];
        let attended = share(PERSON_TIMES, ACTIVITIES, global);
        let id = Uuid::now_v7();
        activities.push(activity::ActiveModel {
            id: Set(id),
            community_id: Set(community.id),
            demand_id: Set(None),
            category_id: Set(category.id),
            title: Set(format!("{}{}", community.name, category.name)),
            description: Set(format!("{}志愿服务活动", category.name)),
            place: Set(format!("{}党群服务中心", community.name)),
            starts_at: Set(starts),
            ends_at: Set(starts + Duration::hours(3)),
            capacity: Set(i32::try_from(attended + 5).unwrap_or(50)),
            organizer: Set(format!("community-staff:{}", community.code)),
            kind: Set(activity::ActivityKind::Service),
            organiser_kind: Set(activity::OrganiserKind::Community),
            organiser_id: Set(community.id),
            status: Set(ActivityStatus::Open),
            residents_served: Set(i32::try_from(share(RESIDENTS_SERVED, ACTIVITIES, global)).unwrap_or(0)),
            code_hash: Set(None),
            code_expires_at: Set(None),
            created_at: Set(starts - Duration::days(7)),
            version: Set(1),
        });
        let offset = (global * 37) % volunteer_people.len().max(1);
        for j in 0..attended.min(volunteer_people.len()) {
            let p = volunteer_people[(offset + j) % volunteer_people.len()];
            sign_ups.push(sign_up::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(community.id),
                activity_id: Set(id),
                person_id: Set(p),
                status: Set(SignUpStatus::Registered),
                checked_in_at: Set(Some(starts)),
                checked_out_at: Set(Some(starts + Duration::minutes(150))),
                service_minutes: Set(Some(150)),
                code_failures: Set(0),
                created_at: Set(starts - Duration::days(3)),
                updated_at: Set(starts + Duration::minutes(150)),
            });
        }
    }

    // A few open demands on the list, for matching.
    let now = Utc::now();
    let demands: Vec<demand::ActiveModel> = (0..2)
        .map(|i| {
            let category = &categories[(index + i * 4) % categories.len().max(1)];
            let starts = now + Duration::days(3 + i as i64 * 4) + Duration::hours(1);
            demand::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(community.id),
                category_id: Set(category.id),
                title: Set(format!("{}：{}", community.name, category.name)),
                description: Set(format!("招募志愿者参与{}", category.name)),
                compound_id: Set(compounds.first().copied()),
                place: Set(Some(format!("{}党群服务中心", community.name))),
                starts_at: Set(starts),
                ends_at: Set(starts + Duration::hours(3)),
                headcount: Set(5 + i as i32 * 5),
                skills_wanted: Set(crate::validate::to_json_list(&[SKILLS[(index + i) % SKILLS.len()]])),
                status: Set(DemandStatus::Open),
                created_by: Set(format!("community-staff:{}", community.code)),
                created_at: Set(now),
                version: Set(1),
            }
        })
        .collect();

    for chunk in people.chunks(400) {
        person::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    for chunk in volunteers.chunks(400) {
        volunteer::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    for c in checkins {
        c.insert(db).await?;
    }
    for chunk in activities.chunks(300) {
        activity::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    for chunk in sign_ups.chunks(400) {
        sign_up::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    demand::Entity::insert_many(demands).exec(db).await?;
    Ok(())
}
