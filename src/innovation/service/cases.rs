//! Innovation cases: an organisation submits one to an open round (a party organisation through
//! its community's staff, a co-building unit for itself); reading them and the ranking.

use chrono::Utc;
use entity::innovation_case::{self, CaseStatus, Platform, SubmitterKind};
use entity::selection_round::{self, RoundStatus};
use entity::{co_building_unit, community, party_organization};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use super::rounds::ranked_select;
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::innovation::ids::RoundId;
use crate::innovation::visibility;
use crate::organisation::ids::{CommunityId, OrganizationId, UnitId};
use crate::organisation::service::unit_sits_on;
use crate::paging::{Page, PageArgs};
use crate::validate::{clean_name, clean_text, from_json_list, to_json_list};
use crate::write::{Audit, Write};

/// At most this many evidence links per case.
pub const MAX_EVIDENCE: usize = 10;

/// Who submits a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitter {
    /// A party organisation (a branch or the joint committee), through its community's staff.
    PartyOrganization(OrganizationId),
    /// A co-building unit, for itself, from a community whose joint committee it sits on today.
    Unit(UnitId, CommunityId),
}

/// A case to submit.
pub struct NewCase {
    pub round_id: RoundId,
    pub submitter: Submitter,
    pub title: String,
    pub summary: String,
    pub platform: Platform,
    pub evidence_links: Vec<String>,
}

/// Evidence links: at most [`MAX_EVIDENCE`] `http(s)` URLs with a host, of at most 500
/// characters, no whitespace, each once.
pub fn clean_links(links: Vec<String>) -> AppResult<Vec<String>> {
    if links.len() > MAX_EVIDENCE {
        return Err(AppError::bad_input("evidenceLinks", format!("at most {MAX_EVIDENCE} evidence links")));
    }
    let mut out: Vec<String> = Vec::with_capacity(links.len());
    for raw in links {
        let link = raw.trim().to_owned();
        let rest = link.strip_prefix("https://").or_else(|| link.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default()).unwrap_or_default();
        let host_ok = !host.is_empty()
            && !host.contains('@')
            && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
            && !host.starts_with(['.', '-', ':']);
        if !host_ok || link.len() > 500 || link.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AppError::bad_input("evidenceLinks", format!("not an http(s) link: {link}")));
        }
        if out.contains(&link) {
            return Err(AppError::bad_input("evidenceLinks", format!("the link {link} is given twice")));
        }
        out.push(link);
    }
    Ok(out)
}

/// The evidence links a case stores.
pub fn links_of(case: &innovation_case::Model) -> Vec<String> {
    from_json_list(&case.evidence_links)
}

/// Submits a case to an open round of the street. A party organisation's case is submitted by
/// staff of its community (street staff included); a unit submits its own, naming the community
/// whose joint committee it sits on today.
pub async fn submit_case(cx: &Cx, input: NewCase) -> AppResult<innovation_case::Model> {
    cx.scope.require_authenticated()?;
    let title = clean_name("title", &input.title, 200)?;
    let summary = clean_name("summary", &input.summary, 5000)?;
    let links = clean_links(input.evidence_links)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let round = w
        .lock_shared(selection_round::Entity::find_by_id(input.round_id.0).filter(visibility::rounds(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("selection round"))?;
    if round.status != RoundStatus::Open {
        return Err(AppError::bad_input("roundId", "the round is closed"));
    }
    let (community_id, kind, organization_id, unit_id, submitter_name) = match input.submitter {
        Submitter::PartyOrganization(o) => {
            let org = party_organization::Entity::find_by_id(o.0)
                .filter(cx.scope.tenant_filter(party_organization::Column::CommunityId))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::not_found("party organisation"))?;
            cx.scope.require_staff(org.community_id, "submit cases for their party organisations")?;
            (org.community_id, SubmitterKind::PartyOrganization, Some(org.id), None, org.name)
        }
        Submitter::Unit(u, c) => {
            if cx.scope.unit_id() != Some(u.0) {
                return Err(AppError::Forbidden("a co-building unit submits its own cases".into()));
            }
            if !unit_sits_on(txn, c, u).await? {
                return Err(AppError::bad_input("communityId", "the unit has no seat on this community's joint committee"));
            }
            let unit = co_building_unit::Entity::find_by_id(u.0).one(txn).await?.ok_or_else(|| AppError::not_found("co-building unit"))?;
            (c.0, SubmitterKind::Unit, None, Some(u.0), unit.name)
        }
    };
    let home = community::Entity::find_by_id(community_id).one(txn).await?.ok_or_else(|| AppError::not_found("community"))?;
    if home.street_id != round.street_id {
        return Err(AppError::bad_input("roundId", "the round is another street's"));
    }
    let case = innovation_case::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round.id),
        street_id: Set(round.street_id),
        community_id: Set(community_id),
        community_name: Set(home.name),
        submitter_kind: Set(kind),
        organization_id: Set(organization_id),
        unit_id: Set(unit_id),
        submitter_name: Set(submitter_name),
        title: Set(title),
        summary: Set(clean_text("summary", &summary, 5000)?),
        platform: Set(input.platform),
        evidence_links: Set(to_json_list(&links)),
        status: Set(CaseStatus::Submitted),
        score_total: Set(0),
        score_count: Set(0),
        submitted_by: Set(cx.scope.label().to_owned()),
        submitted_at: Set(Utc::now()),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    w.commit(
        Audit::new("submitInnovationCase", "InnovationCase")
            .object(case.id)
            .community(case.community_id)
            .summary(json!({ "roundId": case.round_id, "title": case.title, "evidenceLinks": links.len() })),
    )
    .await?;
    Ok(case)
}

/// A filter of the case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CaseFilter {
    pub round_id: Option<RoundId>,
    pub status: Option<CaseStatus>,
}

fn cases_select(cx: &Cx, filter: CaseFilter) -> AppResult<sea_orm::Select<innovation_case::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = innovation_case::Entity::find().filter(visibility::cases(&cx.scope));
    if let Some(r) = filter.round_id {
        select = select.filter(innovation_case::Column::RoundId.eq(r.0));
    }
    if let Some(s) = filter.status {
        select = select.filter(innovation_case::Column::Status.eq(s));
    }
    Ok(select)
}

/// One page of the cases the caller sees.
pub async fn cases(cx: &Cx, filter: CaseFilter, args: &PageArgs) -> AppResult<Page<innovation_case::Model>> {
    let select = cases_select(cx, filter)?;
    Ok(args.finish(args.apply(select, innovation_case::Column::Id).all(&cx.db).await?))
}

/// How many cases the caller sees.
pub async fn case_count(cx: &Cx, filter: CaseFilter) -> AppResult<u64> {
    Ok(cases_select(cx, filter)?.count(&cx.db).await?)
}

/// A slice of a round's ranking: `first` cases from position `offset`, with their positions
/// (from 1). Empty for callers who do not see the ranking (street staff do; reviewers once the
/// round is closed).
pub async fn ranking(cx: &Cx, round_id: RoundId, offset: i32, first: i32) -> AppResult<Vec<(u64, innovation_case::Model)>> {
    cx.scope.require_authenticated()?;
    if !(0..=10_000).contains(&offset) {
        return Err(AppError::bad_input("offset", "offset is 0 to 10000"));
    }
    if !(1..=100).contains(&first) {
        return Err(AppError::bad_input("first", "first is 1 to 100"));
    }
    let rows =
        ranked_select(round_id.0).filter(visibility::ranking(&cx.scope)).offset(offset as u64).limit(first as u64).all(&cx.db).await?;
    Ok(rows.into_iter().enumerate().map(|(i, c)| (offset as u64 + i as u64 + 1, c)).collect())
}
