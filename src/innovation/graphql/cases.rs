//! Innovation cases (创新案例): submitted by an organisation, scored, selected and published.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Union};
use chrono::{DateTime, Utc};
use entity::innovation_case;

use super::{CaseScore, Count, SelectionRound, kind};
use crate::error::AppError;
use crate::graphql::connection::{Conn, TotalCount};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id, parse_global_id};
use crate::innovation::loaders::*;
use crate::innovation::service::{self, CaseFilter, Submitter};
use crate::organisation::graphql::{CoBuildingUnit, Community, PartyOrganization};
use crate::organisation::ids::{CommunityId, OrganizationId, UnitId};
use crate::organisation::loaders::org_loader;
use crate::paging::PageArgs;

/// The platform of the street's work a case belongs to (the article's five).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::innovation_case::Platform")]
pub enum Platform {
    /// 党建引领平台: the party-building organisation graph.
    OrganisationGraph,
    /// 党群义工平台: the party-masses volunteer service.
    VolunteerService,
    /// 多维协作平台: multi-department collaboration.
    Collaboration,
    /// 协商民主平台: consultative democracy.
    ConsultativeDemocracy,
    /// 家园共建平台: home co-building.
    HomeCoBuilding,
}

/// Where a case stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::innovation_case::CaseStatus")]
pub enum CaseStatus {
    /// Submitted; under review while the round is open.
    Submitted,
    /// Selected when the round closed: published to every community of the street.
    Selected,
    /// Not selected when the round closed.
    NotSelected,
}

/// Which kind of organisation submitted a case.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::innovation_case::SubmitterKind")]
pub enum SubmitterKind {
    /// A party organisation of the community: a branch or the joint committee.
    PartyOrganization,
    /// A co-building unit seated on the community's joint committee.
    Unit,
}

/// The organisation that submitted a case.
#[derive(Union)]
pub enum CaseSubmitter {
    /// A party organisation of the community.
    PartyOrganization(PartyOrganization),
    /// A co-building unit.
    CoBuildingUnit(CoBuildingUnit),
}

/// An innovation case (创新案例) submitted to a selection round.
pub struct InnovationCase(pub innovation_case::Model);
crate::graphql::connection::connection_node!(InnovationCase);

/// An innovation case (创新案例) submitted to a selection round.
#[Object]
impl InnovationCase {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::INNOVATION_CASE, self.0.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What was done and what came of it.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The platform it belongs to.
    async fn platform(&self) -> Platform {
        self.0.platform.into()
    }
    /// Links to evidence (http(s) URLs).
    async fn evidence_links(&self) -> Vec<String> {
        service::links_of(&self.0)
    }
    /// Submitted, selected or not selected.
    async fn status(&self) -> CaseStatus {
        self.0.status.into()
    }
    /// The round; null when the caller does not see it.
    async fn round(&self, ctx: &Context<'_>) -> Result<Option<SelectionRound>> {
        Ok(innovation_loader(ctx)?.load_one(RoundId(self.0.round_id)).await?.map(SelectionRound))
    }
    /// The name of the community it comes from (shown with published cases street-wide).
    async fn community_name(&self) -> &str {
        &self.0.community_name
    }
    /// The community it comes from, when the caller sees that community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Option<Community>> {
        Ok(org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?.map(Community))
    }
    /// Which kind of organisation submitted it.
    async fn submitter_kind(&self) -> SubmitterKind {
        self.0.submitter_kind.into()
    }
    /// The name of the organisation that submitted it.
    async fn submitter_name(&self) -> &str {
        &self.0.submitter_name
    }
    /// The organisation that submitted it, when the caller sees that organisation.
    async fn submitted_by(&self, ctx: &Context<'_>) -> Result<Option<CaseSubmitter>> {
        let loader = org_loader(ctx)?;
        Ok(match (self.0.organization_id, self.0.unit_id) {
            (Some(o), _) => {
                loader.load_one(OrganizationId(o)).await?.map(|m| CaseSubmitter::PartyOrganization(PartyOrganization::Local(m)))
            }
            (None, Some(u)) => loader.load_one(UnitId(u)).await?.map(|m| CaseSubmitter::CoBuildingUnit(CoBuildingUnit(m))),
            (None, None) => None,
        })
    }
    /// When it was submitted (the ranking's tie-break: earlier first).
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The scores the caller sees: all for street staff; for a reviewer their own, and the
    /// others' once the round is closed; none for anyone else.
    async fn scores(&self, ctx: &Context<'_>) -> Result<Vec<CaseScore>> {
        Ok(innovation_loader(ctx)?.load_one(ScoresOfCase(self.0.id)).await?.unwrap_or_default().into_iter().map(CaseScore).collect())
    }
}

/// Input of `submitInnovationCase`.
#[derive(InputObject)]
pub struct SubmitInnovationCaseInput {
    /// An open round of the community's street.
    pub round_id: ID,
    /// Who submits: a party organisation (a branch or the joint committee; its community's staff
    /// submit for it) or a co-building unit (for itself).
    pub submitter_id: ID,
    /// For a unit: the community whose joint committee it sits on, which the case comes from.
    pub community_id: Option<ID>,
    /// Title (at most 200 characters).
    pub title: String,
    /// What was done and what came of it (at most 5000 characters).
    pub summary: String,
    /// The platform it belongs to.
    pub platform: Platform,
    /// Up to 10 evidence links: http(s) URLs, each once.
    #[graphql(default)]
    pub evidence_links: Vec<String>,
}

/// Result of `submitInnovationCase`.
#[derive(SimpleObject)]
pub struct InnovationCasePayload {
    /// The case.
    pub case: InnovationCase,
}

fn submitter(input: &SubmitInnovationCaseInput) -> Result<Submitter, AppError> {
    match parse_global_id(&input.submitter_id) {
        Some((k, uuid)) if k == kind::PARTY_ORGANIZATION => Ok(Submitter::PartyOrganization(OrganizationId(uuid))),
        Some((k, uuid)) if k == kind::CO_BUILDING_UNIT => {
            let community = input
                .community_id
                .as_ref()
                .ok_or_else(|| AppError::bad_input("communityId", "a unit names the community the case comes from"))?;
            Ok(Submitter::Unit(UnitId(uuid), CommunityId(expect_id(community, kind::COMMUNITY, "communityId")?)))
        }
        Some((k, _)) => {
            Err(AppError::bad_input("submitterId", format!("a case is submitted by a party organisation or a co-building unit, not a {k}")))
        }
        None => Err(AppError::bad_input("submitterId", "not a valid id")),
    }
}

/// Queries of innovation-case selection: cases.
#[derive(Default)]
pub struct CasesQuery;

/// Queries of innovation-case selection: cases.
#[Object]
impl CasesQuery {
    /// The innovation cases the caller sees: the selected ones of its street, and, by role, the
    /// street's, its community's, its own or the rounds it reviews.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its filters and the four Relay paging arguments")]
    async fn innovation_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this round's.")] round_id: Option<ID>,
        #[graphql(desc = "Only cases in this state.")] status: Option<CaseStatus>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<InnovationCase>> {
        let args = PageArgs::new(first, after, last, before)?;
        let filter = CaseFilter {
            round_id: round_id.as_ref().map(|id| expect_id(id, kind::SELECTION_ROUND, "roundId").map(RoundId)).transpose()?,
            status: status.map(Into::into),
        };
        let page = service::cases(&rc(ctx)?.cx, filter, &args).await?;
        Ok(page.into_connection(|m| m.id, InnovationCase, TotalCount::lazy(Count::Cases(filter))))
    }
}

/// Mutations of innovation-case selection: cases.
#[derive(Default)]
pub struct CasesMutation;

/// Mutations of innovation-case selection: cases.
#[Object]
impl CasesMutation {
    /// Submits a case to an open round: for a party organisation (its community's staff) or a
    /// co-building unit (for itself).
    async fn submit_innovation_case(&self, ctx: &Context<'_>, input: SubmitInnovationCaseInput) -> Result<InnovationCasePayload> {
        let new = service::NewCase {
            round_id: expect_id(&input.round_id, kind::SELECTION_ROUND, "roundId").map(RoundId)?,
            submitter: submitter(&input)?,
            title: input.title,
            summary: input.summary,
            platform: input.platform.into(),
            evidence_links: input.evidence_links,
        };
        Ok(InnovationCasePayload { case: InnovationCase(service::submit_case(&rc(ctx)?.cx, new).await?) })
    }
}
