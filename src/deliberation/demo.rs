//! Consultative democracy's history for the demo street, generated so that the street's figures
//! show the article's: over 100 deliberation meetings held and over 5,000 issues solved (appeals
//! DONE), from January 2025, across the 15 communities, raised by the communities' volunteers for
//! their compounds, most rated satisfied. Each community gets its deliberation centre; each
//! meeting takes up three of its community's appeals and decides them. Written in bulk, like the
//! volunteer history (these are records of the past, not requests); deterministic; a community
//! that already has appeals is left alone.

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::agenda_appeal;
use entity::agenda_item;
use entity::appeal::{self, AppealCategory, AppealState, AppealTier, OutcomeRating, RaiserKind};
use entity::meeting::{self, MeetingKind, MeetingState};
use entity::venue::{self, VenueKind};
use entity::{community, compound, volunteer};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::error::AppResult;

/// The street's totals: meetings held, appeals solved, appeals raised.
pub const MEETINGS: usize = 105;
pub const SOLVED: usize = 5_126;
pub const RAISED: usize = 5_460;
const COMMUNITIES: usize = 15;
/// Appeals a meeting takes up.
const PER_MEETING: usize = 3;

const TOPICS: [(&str, AppealCategory); 8] = [
    ("楼道堆物清理", AppealCategory::Environment),
    ("小区停车秩序", AppealCategory::TrafficParking),
    ("路灯损坏维修", AppealCategory::Facilities),
    ("物业服务质量", AppealCategory::Property),
    ("消防通道堵塞", AppealCategory::Safety),
    ("邻里噪音纠纷", AppealCategory::Neighbours),
    ("垃圾分类投放点", AppealCategory::Environment),
    ("电动车充电桩", AppealCategory::Facilities),
];

/// Share `total` over `parts`: the first `total % parts` get one more.
fn share(total: usize, parts: usize, index: usize) -> usize {
    total / parts + usize::from(index < total % parts)
}

/// Seeds the deliberation history of one community (the `index`-th of its round of 15).
pub async fn seed_community(db: &impl ConnectionTrait, community: &community::Model, index: usize) -> AppResult<()> {
    if appeal::Entity::find().filter(appeal::Column::CommunityId.eq(community.id)).count(db).await? > 0 {
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(
        0xde11_b000 ^ (index as u64) ^ community.code.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    );
    let compounds: Vec<Uuid> = compound::Entity::find()
        .filter(compound::Column::CommunityId.eq(community.id))
        .order_by_asc(compound::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let raisers: Vec<Uuid> = volunteer::Entity::find()
        .filter(volunteer::Column::CommunityId.eq(community.id))
        .order_by_asc(volunteer::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.person_id)
        .collect();
    let start = Utc.with_ymd_and_hms(2025, 1, 2, 1, 0, 0).single().unwrap_or_else(Utc::now);
    // Solved appeals are raised by mid-October 2026, so that they are done before today.
    let span_days = 650i64;
    let centre = match venue::Entity::find()
        .filter(venue::Column::CommunityId.eq(community.id))
        .filter(venue::Column::Kind.eq(VenueKind::Centre))
        .one(db)
        .await?
    {
        Some(v) => v.id,
        None => {
            let id = Uuid::now_v7();
            venue::Entity::insert(venue::ActiveModel {
                id: Set(id),
                community_id: Set(community.id),
                compound_id: Set(None),
                kind: Set(VenueKind::Centre),
                name: Set(format!("{}事务协商议事中心", community.name)),
                convenor_id: Set(None),
                version: Set(1),
                created_at: Set(start),
                updated_at: Set(start),
            })
            .exec(db)
            .await?;
            id
        }
    };
    let raised = share(RAISED, COMMUNITIES, index);
    let solved = share(SOLVED, COMMUNITIES, index);
    let mut appeals = Vec::with_capacity(raised);
    let mut done_ids = Vec::new();
    for j in 0..raised {
        let (topic, category) = TOPICS[j % TOPICS.len()];
        let raised_at = start + Duration::days(rng.random_range(0..span_days)) + Duration::minutes(rng.random_range(0..600));
        let responded = raised_at + Duration::hours(rng.random_range(1..72));
        let answered = responded + Duration::hours(rng.random_range(24..240));
        let closed = answered + Duration::hours(rng.random_range(24..480));
        // Solved first, then a few rejected, merged and still in hand.
        let state = if j < solved {
            AppealState::Done
        } else {
            match j % 4 {
                0 => AppealState::Rejected,
                1 => AppealState::Merged,
                2 => AppealState::InProgress,
                _ => AppealState::Accepted,
            }
        };
        let rating = (state == AppealState::Done).then(|| match rng.random_range(0..20) {
            0 => OutcomeRating::Not,
            1..=2 => OutcomeRating::Partly,
            _ => OutcomeRating::Satisfied,
        });
        let id = Uuid::now_v7();
        if state == AppealState::Done {
            done_ids.push((id, raised_at));
        }
        let raiser = (!raisers.is_empty()).then(|| raisers[j % raisers.len()]);
        let answered_at = matches!(state, AppealState::Done | AppealState::InProgress).then_some(answered);
        let closed_at = matches!(state, AppealState::Done | AppealState::Rejected | AppealState::Merged).then_some(closed);
        appeals.push(appeal::ActiveModel {
            id: Set(id),
            community_id: Set(community.id),
            compound_id: Set(compounds.get(j % compounds.len().max(1)).copied()),
            building_id: Set(None),
            site: Set(None),
            raiser_kind: Set(if raiser.is_some() { RaiserKind::Resident } else { RaiserKind::PartyOrganization }),
            raiser_person_id: Set(raiser),
            enterprise_id: Set(None),
            organization_id: Set(None),
            unit_id: Set(None),
            raised_by: Set("demo-history".into()),
            title: Set(format!("{topic}（{}）", j + 1)),
            description: Set(format!("居民反映{topic}问题，希望尽快协调解决。")),
            category: Set(category),
            photos: Set("[]".into()),
            tier: Set(AppealTier::Community),
            state: Set(state),
            answer: Set(answered_at.map(|_| format!("经协商，{topic}问题由社区牵头落实。"))),
            reject_reason: Set((state == AppealState::Rejected).then(|| "不属于社区事务，已引导通过司法途径解决。".to_owned())),
            merged_into_id: Set(None),
            scheduled_venue_id: Set(None),
            scheduled_on: Set(None),
            due_at: Set(None),
            escalations: Set(0),
            escalated_at: Set(None),
            review_requested_at: Set(None),
            rating: Set(rating),
            rating_comment: Set(None),
            rated_at: Set(rating.map(|_| closed + Duration::days(1))),
            supporters: Set(0),
            raised_at: Set(raised_at),
            responded_at: Set(Some(responded)),
            answered_at: Set(answered_at),
            closed_at: Set(closed_at),
            version: Set(1),
            updated_at: Set(closed),
        });
    }
    for chunk in appeals.chunks(400) {
        appeal::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    // Meetings: each takes up three solved appeals and decides them, held a week after the last
    // of them was raised.
    done_ids.sort_by_key(|(_, at)| *at);
    let meetings = share(MEETINGS, COMMUNITIES, index);
    let (mut ms, mut items, mut links) = (Vec::new(), Vec::new(), Vec::new());
    let stride = (done_ids.len() / meetings.max(1)).max(PER_MEETING);
    for k in 0..meetings {
        let taken: Vec<(Uuid, DateTime<Utc>)> = done_ids.iter().skip(k * stride).take(PER_MEETING).copied().collect();
        let Some(last) = taken.iter().map(|(_, at)| *at).max() else { break };
        let held = last + Duration::days(7);
        let (meeting_id, item_id) = (Uuid::now_v7(), Uuid::now_v7());
        ms.push(meeting::ActiveModel {
            id: Set(meeting_id),
            community_id: Set(community.id),
            venue_id: Set(centre),
            kind: Set([MeetingKind::Deliberation, MeetingKind::ResidentsMeeting, MeetingKind::JointMeeting][k % 3]),
            title: Set(format!("{}第{}次协商议事会", community.name, k + 1)),
            starts_at: Set(held),
            convenor_id: Set(None),
            state: Set(MeetingState::Held),
            minutes: Set(Some("与会各方充分协商，形成决议，明确责任人和完成时限。".into())),
            eligible_voters: Set(None),
            held_at: Set(Some(held)),
            created_by: Set("demo-history".into()),
            version: Set(1),
            created_at: Set(last),
            updated_at: Set(held),
        });
        items.push(agenda_item::ActiveModel {
            id: Set(item_id),
            community_id: Set(community.id),
            meeting_id: Set(meeting_id),
            position: Set(1),
            title: Set("居民诉求协商".into()),
            decision: Set(Some("逐项明确牵头单位和完成时限，办结后向居民公示。".into())),
            votes_for: Set(None),
            votes_against: Set(None),
            votes_abstain: Set(None),
            passed: Set(None),
            approves_project_id: Set(None),
            decided_at: Set(Some(held)),
            version: Set(2),
            created_at: Set(last),
        });
        for (appeal_id, _) in taken {
            links.push(agenda_appeal::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(community.id),
                agenda_item_id: Set(item_id),
                appeal_id: Set(appeal_id),
                created_at: Set(held),
            });
        }
    }
    if !ms.is_empty() {
        meeting::Entity::insert_many(ms).exec(db).await?;
        agenda_item::Entity::insert_many(items).exec(db).await?;
        agenda_appeal::Entity::insert_many(links).exec(db).await?;
    }
    Ok(())
}

/// The six compounds of 梅庭莱社区 whose outer ring became closed temporary car parks.
const MEITINGLAI: &str = "meitinglai";
const RING: [&str; 6] = ["奥林春天", "香梅花都", "福源花里", "世纪华庭", "凯旋国际", "华庭新村"];

/// 梅庭莱's car-park decision, from the article (梅庭菜各小区外圈临时停车场改造): the outer ring of
/// its six compounds, raised by the compounds' residents, discussed at a residents' meeting with
/// the property managers and owners' committees (见面会), at a joint meeting (联席会议) and at a
/// deliberation meeting (协商民主议事会) whose owners' vote passed and approved the car-park
/// project of home co-building (seeded by `home::demo`, whose shared income it brings). Records
/// of 2024, written once after the compounds' affairs; left alone when its meetings exist.
pub async fn seed_car_park_story(db: &impl ConnectionTrait, street_id: Uuid) -> AppResult<String> {
    let Some(c) = community::Entity::find()
        .filter(community::Column::StreetId.eq(street_id))
        .filter(community::Column::Code.eq(MEITINGLAI))
        .one(db)
        .await?
    else {
        return Ok("no 梅庭莱社区: car-park story skipped".into());
    };
    let title = "梅庭莱社区外圈停车场改造协商议事会";
    if meeting::Entity::find().filter(meeting::Column::CommunityId.eq(c.id)).filter(meeting::Column::Title.eq(title)).count(db).await? > 0 {
        return Ok("car-park story present".into());
    }
    let Some(centre) =
        venue::Entity::find().filter(venue::Column::CommunityId.eq(c.id)).filter(venue::Column::Kind.eq(VenueKind::Centre)).one(db).await?
    else {
        return Ok("梅庭莱 has no deliberation centre: car-park story skipped".into());
    };
    let compounds = compound::Entity::find()
        .filter(compound::Column::CommunityId.eq(c.id))
        .filter(compound::Column::Name.is_in(RING))
        .order_by_asc(compound::Column::Name)
        .all(db)
        .await?;
    let project = match compounds.iter().find(|k| k.name == RING[0]) {
        Some(k) => entity::project::Entity::find()
            .filter(entity::project::Column::CompoundId.eq(k.id))
            .order_by_asc(entity::project::Column::Id)
            .one(db)
            .await?
            .map(|p| p.id),
        None => None,
    };
    let at = |m: u32, d: u32| Utc.with_ymd_and_hms(2024, m, d, 2, 0, 0).single().unwrap_or_else(Utc::now);
    // One appeal per compound: the outer ring's parking.
    let mut appeals = Vec::new();
    for (i, k) in compounds.iter().enumerate() {
        let raised = at(8, 1 + i as u32);
        appeals.push(appeal::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(c.id),
            compound_id: Set(Some(k.id)),
            building_id: Set(None),
            site: Set(None),
            raiser_kind: Set(RaiserKind::PartyOrganization),
            raiser_person_id: Set(None),
            enterprise_id: Set(None),
            organization_id: Set(None),
            unit_id: Set(None),
            raised_by: Set("demo-history".into()),
            title: Set(format!("{}外圈道路乱停车、出行难", k.name)),
            description: Set("小区外圈道路车辆乱停乱放，业主出行和消防通道受影响，建议改造为封闭式临时停车场。".into()),
            category: Set(AppealCategory::TrafficParking),
            photos: Set("[]".into()),
            tier: Set(AppealTier::Community),
            state: Set(AppealState::Done),
            answer: Set(Some("经三次协商，外圈改造为封闭式临时停车场，收益归全体业主。".into())),
            reject_reason: Set(None),
            merged_into_id: Set(None),
            scheduled_venue_id: Set(Some(centre.id)),
            scheduled_on: Set(Some(at(11, 20).date_naive())),
            due_at: Set(None),
            escalations: Set(0),
            escalated_at: Set(None),
            review_requested_at: Set(None),
            rating: Set(Some(OutcomeRating::Satisfied)),
            rating_comment: Set(None),
            rated_at: Set(Some(at(12, 28))),
            supporters: Set(0),
            raised_at: Set(raised),
            responded_at: Set(Some(raised + Duration::days(1))),
            answered_at: Set(Some(at(11, 20))),
            closed_at: Set(Some(at(12, 20))),
            version: Set(1),
            updated_at: Set(at(12, 28)),
        });
    }
    let appeal_ids: Vec<Uuid> = appeals.iter().filter_map(|a| a.id.clone().take()).collect();
    if !appeals.is_empty() {
        appeal::Entity::insert_many(appeals).exec(db).await?;
    }
    let steps = [
        (MeetingKind::ResidentsMeeting, "梅庭莱社区外圈停车业主见面会", at(9, 12), "征求六个小区业主、业委会和物业意见", None),
        (MeetingKind::JointMeeting, "梅庭莱社区外圈停车联席会议", at(10, 18), "支部、居委会、业委会、物业共商改造方案", None),
        (MeetingKind::Deliberation, title, at(11, 20), "外圈改造为封闭式临时停车场，收益归全体业主", Some((412, 37, 21))),
    ];
    let (mut ms, mut items, mut links) = (Vec::new(), Vec::new(), Vec::new());
    for (kind, name, held, decision, votes) in steps {
        let (meeting_id, item_id) = (Uuid::now_v7(), Uuid::now_v7());
        let last = votes.is_some();
        ms.push(meeting::ActiveModel {
            id: Set(meeting_id),
            community_id: Set(c.id),
            venue_id: Set(centre.id),
            kind: Set(kind),
            title: Set(name.to_owned()),
            starts_at: Set(held),
            convenor_id: Set(None),
            state: Set(MeetingState::Held),
            minutes: Set(Some(format!("{decision}。"))),
            eligible_voters: Set(last.then_some(640)),
            held_at: Set(Some(held)),
            created_by: Set("demo-history".into()),
            version: Set(1),
            created_at: Set(held - Duration::days(7)),
            updated_at: Set(held),
        });
        items.push(agenda_item::ActiveModel {
            id: Set(item_id),
            community_id: Set(c.id),
            meeting_id: Set(meeting_id),
            position: Set(1),
            title: Set("六个小区外圈临时停车场改造".into()),
            decision: Set(Some(decision.to_owned())),
            votes_for: Set(votes.map(|v| v.0)),
            votes_against: Set(votes.map(|v| v.1)),
            votes_abstain: Set(votes.map(|v| v.2)),
            passed: Set(votes.map(|_| true)),
            approves_project_id: Set(if last { project } else { None }),
            decided_at: Set(Some(held)),
            version: Set(2),
            created_at: Set(held - Duration::days(7)),
        });
        if last {
            for a in &appeal_ids {
                links.push(agenda_appeal::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    community_id: Set(c.id),
                    agenda_item_id: Set(item_id),
                    appeal_id: Set(*a),
                    created_at: Set(held),
                });
            }
        }
    }
    meeting::Entity::insert_many(ms).exec(db).await?;
    agenda_item::Entity::insert_many(items).exec(db).await?;
    if !links.is_empty() {
        agenda_appeal::Entity::insert_many(links).exec(db).await?;
    }
    Ok(format!("梅庭莱's car-park decision: 3 meetings, {} appeals, project approved: {}", appeal_ids.len(), project.is_some()))
}
