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
use rand::{Rng, SeedableRng};
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
        let raised_at = start + Duration::days(rng.gen_range(0..span_days)) + Duration::minutes(rng.gen_range(0..600));
        let responded = raised_at + Duration::hours(rng.gen_range(1..72));
        let answered = responded + Duration::hours(rng.gen_range(24..240));
        let closed = answered + Duration::hours(rng.gen_range(24..480));
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
        let rating = (state == AppealState::Done).then(|| match rng.gen_range(0..20) {
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
