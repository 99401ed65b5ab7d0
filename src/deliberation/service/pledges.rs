//! Practice campaigns (我为群众办实事 / 我为企业解难题 / 我为社会做好事): a pledge is made for a party
//! organisation, a seated unit or a person of the community by its staff, or by a unit or a
//! person for itself in a community it belongs to; it is due on a day and fulfilled once, with
//! evidence, by staff or its pledger. Staff see their communities' pledges, a unit and a person
//! their own; the counts per campaign and community (made, fulfilled, overdue) are for staff and
//! reporting tools.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use entity::pledge::{self, PartyKind, PledgeStatus, PracticeCampaign};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Select, Set};
use serde_json::json;
use uuid::Uuid;

use super::meetings::{Party, check_party};
use crate::cx::Cx;
use crate::deliberation::visibility;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::CommunityId;
use crate::paging::{Page, PageArgs};
use crate::validate::{check_date, clean_evidence, clean_name, to_json_list};
use crate::write::{Audit, Write};

/// A pledge to make.
pub struct NewPledge {
    pub community: CommunityId,
    pub campaign: PracticeCampaign,
    pub pledger: Party,
    pub title: String,
    pub due_on: NaiveDate,
}

/// Makes a pledge (see the module documentation for who may).
pub async fn make_pledge(cx: &Cx, input: NewPledge) -> AppResult<pledge::Model> {
    cx.scope.require_authenticated()?;
    let title = clean_name("title", &input.title, 200)?;
    let due_on = check_date("dueOn", input.due_on)?;
    let community = input.community.0;
    if !cx.scope.sees_community(community) {
        return Err(AppError::not_found("community"));
    }
    if !matches!(input.pledger.kind, PartyKind::PartyOrganization | PartyKind::Unit | PartyKind::Person) {
        return Err(AppError::bad_input("pledger", "a pledge is made by a party organisation, a unit or a person"));
    }
    if !visibility::may_pledge(&cx.scope, community, input.pledger.kind, input.pledger.id) {
        return Err(AppError::Forbidden("pledges are made by the community's staff, or by a unit or a person for itself".into()));
    }
    let w = Write::begin(cx).await?;
    check_party(&w, community, input.pledger, "pledger").await?;
    let now = Utc::now();
    let p = pledge::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        campaign: Set(input.campaign),
        pledger_kind: Set(input.pledger.kind),
        pledger_id: Set(input.pledger.id),
        title: Set(title),
        due_on: Set(due_on),
        status: Set(PledgeStatus::Open),
        evidence: Set("[]".into()),
        done_at: Set(None),
        created_by: Set(cx.scope.label().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(w.txn())
    .await?;
    w.commit(Audit::new("makePledge", "Pledge").object(p.id).community(p.community_id).summary(json!({
        "campaign": sea_orm::ActiveEnum::to_value(&p.campaign), "pledgerKind": sea_orm::ActiveEnum::to_value(&p.pledger_kind),
    })))
    .await?;
    Ok(p)
}

/// Fulfils an open pledge with its evidence (staff, or its pledger).
pub async fn fulfil_pledge(cx: &Cx, id: Uuid, evidence: Vec<String>, expected: Option<i32>) -> AppResult<pledge::Model> {
    cx.scope.require_authenticated()?;
    let evidence = clean_evidence(evidence)?;
    if evidence.is_empty() {
        return Err(AppError::bad_input("evidence", "a pledge is fulfilled with evidence: at least one http(s) URL"));
    }
    let w = Write::begin(cx).await?;
    let p = w
        .lock(pledge::Entity::find_by_id(id).filter(visibility::pledge_filter(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("pledge"))?;
    if !visibility::may_pledge(&cx.scope, p.community_id, p.pledger_kind, p.pledger_id) {
        return Err(AppError::Forbidden("a pledge is fulfilled by the community's staff or its pledger".into()));
    }
    Write::expect_version(expected, p.version)?;
    if p.status != PledgeStatus::Open {
        return Err(AppError::Conflict("the pledge is already fulfilled".into()));
    }
    let now = Utc::now();
    let mut row: pledge::ActiveModel = p.clone().into();
    row.status = Set(PledgeStatus::Done);
    row.evidence = Set(to_json_list(&evidence));
    row.done_at = Set(Some(now));
    row.version = Set(p.version + 1);
    row.updated_at = Set(now);
    let done =
        crate::db::guarded_update::<pledge::Entity, _>(w.txn(), row, pledge::Column::Id, pledge::Column::Version, p.id, p.version).await?;
    w.commit(
        Audit::new("fulfilPledge", "Pledge").object(done.id).community(done.community_id).summary(json!({ "evidence": evidence.len() })),
    )
    .await?;
    Ok(done)
}

/// Which pledges a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PledgeFilter {
    pub community_id: Option<CommunityId>,
    pub campaign: Option<PracticeCampaign>,
}

fn pledges_select(cx: &Cx, f: PledgeFilter) -> Select<pledge::Entity> {
    let mut select = pledge::Entity::find().filter(visibility::pledge_filter(&cx.scope));
    if let Some(c) = f.community_id {
        select = select.filter(pledge::Column::CommunityId.eq(c.0));
    }
    if let Some(c) = f.campaign {
        select = select.filter(pledge::Column::Campaign.eq(c));
    }
    select
}

/// One page of the pledges the caller sees.
pub async fn pledges(cx: &Cx, f: PledgeFilter, args: &PageArgs) -> AppResult<Page<pledge::Model>> {
    cx.scope.require_authenticated()?;
    Ok(args.finish(args.apply(pledges_select(cx, f), pledge::Column::Id).all(&cx.db).await?))
}

/// How many pledges the caller sees.
pub async fn pledge_count(cx: &Cx, f: PledgeFilter) -> AppResult<u64> {
    cx.scope.require_authenticated()?;
    Ok(pledges_select(cx, f).count(&cx.db).await?)
}

/// The counts of one campaign in one community.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignCounts {
    pub pledged: u64,
    pub fulfilled: u64,
    /// Open past their due day (Beijing time).
    pub overdue: u64,
}

/// Pledges made, fulfilled and overdue per campaign and community of the caller's scope (or one
/// community): staff and reporting tools.
pub async fn campaign_counts(cx: &Cx, community: Option<CommunityId>) -> AppResult<BTreeMap<(PracticeCampaign, Uuid), CampaignCounts>> {
    cx.scope.require_authenticated()?;
    if !visibility::reads_statistics(&cx.scope) {
        return Err(AppError::Forbidden("campaign figures are for street, community and reporting users".into()));
    }
    let communities: Vec<Uuid> = match community {
        Some(c) if cx.scope.sees_community(c.0) => vec![c.0],
        Some(_) => return Err(AppError::not_found("community")),
        None => cx.scope.communities().collect(),
    };
    let rows = pledge::Entity::find().filter(pledge::Column::CommunityId.is_in(communities)).all(&cx.db).await?;
    let today = super::beijing_day(Utc::now());
    let mut out: BTreeMap<(PracticeCampaign, Uuid), CampaignCounts> = BTreeMap::new();
    for p in rows {
        let c = out.entry((p.campaign, p.community_id)).or_default();
        c.pledged += 1;
        match p.status {
            PledgeStatus::Done => c.fulfilled += 1,
            PledgeStatus::Open if p.due_on < today => c.overdue += 1,
            PledgeStatus::Open => {}
        }
    }
    Ok(out)
}
