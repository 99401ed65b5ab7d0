//! Co-building units and their seats on joint committees.

use super::*;

/// Kinds of co-building unit.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum UnitKind {
    /// Public security (公安).
    PublicSecurity,
    /// Housing and construction (住建).
    Housing,
    /// Urban law enforcement (执法).
    LawEnforcement,
    /// Health (卫计).
    Health,
    /// Traffic police (交警).
    TrafficPolice,
    /// Municipal works (市政).
    Municipal,
    /// Fire brigade (消防).
    Fire,
    /// Market regulation (市场监管).
    MarketRegulation,
    /// Utilities: water, power, gas (自来水, 电力, 燃气).
    Utility,
    /// Telecommunications (通信).
    Telecom,
    /// Any other department.
    Other,
}

impl From<co_building_unit::UnitKind> for UnitKind {
    fn from(k: co_building_unit::UnitKind) -> Self {
        use co_building_unit::UnitKind as K;
        match k {
            K::PublicSecurity => UnitKind::PublicSecurity,
            K::Housing => UnitKind::Housing,
            K::LawEnforcement => UnitKind::LawEnforcement,
            K::Health => UnitKind::Health,
            K::TrafficPolice => UnitKind::TrafficPolice,
            K::Municipal => UnitKind::Municipal,
            K::Fire => UnitKind::Fire,
            K::MarketRegulation => UnitKind::MarketRegulation,
            K::Utility => UnitKind::Utility,
            K::Telecom => UnitKind::Telecom,
            K::Other => UnitKind::Other,
        }
    }
}

/// A unit's role on a joint committee.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MembershipRole {
    /// Member unit (成员单位) of the committee.
    MemberUnit,
    /// The unit's representative serves as a part-time committee member (兼职委员).
    PartTimeMember,
}

impl From<committee_membership::MembershipRole> for MembershipRole {
    fn from(r: committee_membership::MembershipRole) -> Self {
        match r {
            committee_membership::MembershipRole::MemberUnit => MembershipRole::MemberUnit,
            committee_membership::MembershipRole::PartTimeMember => MembershipRole::PartTimeMember,
        }
    }
}

impl From<MembershipRole> for committee_membership::MembershipRole {
    fn from(r: MembershipRole) -> Self {
        match r {
            MembershipRole::MemberUnit => committee_membership::MembershipRole::MemberUnit,
            MembershipRole::PartTimeMember => committee_membership::MembershipRole::PartTimeMember,
        }
    }
}

/// The number of units the caller may see.
struct UnitCount;

#[async_trait::async_trait]
impl CountSource for UnitCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        let r = rc(ctx)?;
        service::unit_count(&r.cx).await
    }
}

/// A co-building unit's seat on a community's joint committee (组织共建). The committee
/// membership is the routing table of collaboration: only seated units can be assigned work.
pub struct CommitteeMembership(pub committee_membership::Model);

impl PlainFields for CommitteeMembership {
    fn plain_field(&self, name: &str) -> Option<Value> {
        use async_graphql::ScalarType;
        Some(match name {
            "id" => global_id_value(kind::COMMITTEE_MEMBERSHIP, self.0.id),
            "role" => Value::from(MembershipRole::from(self.0.role)),
            "since" => Date(self.0.since).to_value(),
            "until" => self.0.until.map_or(Value::Null, |d| Date(d).to_value()),
            "version" => Value::from(self.0.version),
            _ => return None,
        })
    }
}

/// A co-building unit's seat on a community's joint committee (组织共建). The committee
/// membership is the routing table of collaboration: only seated units can be assigned work.
#[Object]
impl CommitteeMembership {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::COMMITTEE_MEMBERSHIP, self.0.id)
    }
    /// The joint committee.
    async fn committee(&self, ctx: &Context<'_>) -> Result<PartyOrganization> {
        Ok(PartyOrganization::Local(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(OrganizationId(self.0.committee_id)).await?,
            "committee",
        )?))
    }
    /// The community of the committee.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
    /// The seated unit.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Inline<CoBuildingUnit>> {
        Ok(Inline(CoBuildingUnit(loaded(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(self.0.unit_id)).await?, "unit")?)))
    }
    /// The unit's role on the committee.
    async fn role(&self) -> MembershipRole {
        self.0.role.into()
    }
    /// First day of the seat.
    async fn since(&self) -> Date {
        Date(self.0.since)
    }
    /// Day the seat ended (exclusive), if it has.
    async fn until(&self) -> Option<Date> {
        self.0.until.map(Date)
    }
    /// Whether the seat is in force today.
    async fn active(&self) -> bool {
        is_active(&self.0, chrono::Utc::now().date_naive())
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

// ---------------------------------------------------------------- CoBuildingUnit

/// A co-building unit (共建单位): a department that sits on joint committees and takes on work.
pub struct CoBuildingUnit(pub co_building_unit::Model);
crate::graphql::connection::connection_node!(plain CoBuildingUnit);

impl PlainFields for CoBuildingUnit {
    fn plain_field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "id" => global_id_value(kind::CO_BUILDING_UNIT, self.0.id),
            "code" => Value::from(self.0.code.as_str()),
            "name" => Value::from(self.0.name.as_str()),
            "kind" => Value::from(UnitKind::from(self.0.kind)),
            _ => return None,
        })
    }
}

/// A co-building unit (共建单位): a department that sits on joint committees and takes on work.
#[Object]
impl CoBuildingUnit {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::CO_BUILDING_UNIT, self.0.id)
    }
    /// Readable code, e.g. `market-regulation`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name, e.g. 市场监管局.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of department it is.
    async fn kind(&self) -> UnitKind {
        self.0.kind.into()
    }
    /// The unit's seats on joint committees, in the communities the caller may see.
    async fn committees(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also list seats that have ended.", default = false)] include_ended: bool,
    ) -> Result<Vec<CommitteeMembership>> {
        let rows = crate::organisation::loaders::org_loader(ctx)?.load_one(MembershipsOfUnit(self.0.id)).await?.unwrap_or_default();
        let today = chrono::Utc::now().date_naive();
        Ok(rows.into_iter().filter(|m| include_ended || is_active(m, today)).map(CommitteeMembership).collect())
    }
}

/// Queries of the organisation graph: the co-building units.
#[derive(Default)]
pub struct UnitsQuery;

/// Queries of the organisation graph: the co-building units.
#[Object]
impl UnitsQuery {
    /// The co-building units; a unit sees only itself.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<CoBuildingUnit>> {
        let r = rc(ctx)?;
        let args = page_args(first, after, last, before)?;
        let page = service::units(&r.cx, &args).await?;
        Ok(page.into_connection(|m| m.id, CoBuildingUnit, TotalCount::lazy(UnitCount)))
    }

    /// A co-building unit by code; null when absent or not visible.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn unit(&self, ctx: &Context<'_>, #[graphql(desc = "Unit code, e.g. `police`.")] code: String) -> Result<Option<CoBuildingUnit>> {
        let r = rc(ctx)?;
        Ok(service::unit_by_code(&r.cx, &code).await?.map(CoBuildingUnit))
    }
}

/// Input of `addCommitteeMembership`.
#[derive(InputObject)]
pub struct AddCommitteeMembershipInput {
    /// The community whose joint committee the unit joins.
    pub community_id: ID,
    /// The co-building unit.
    pub unit_id: ID,
    /// The unit's role.
    #[graphql(default_with = "MembershipRole::MemberUnit")]
    pub role: MembershipRole,
    /// First day of the seat (default today).
    pub since: Option<Date>,
}

/// Result of `addCommitteeMembership`.
#[derive(SimpleObject)]
pub struct AddCommitteeMembershipPayload {
    /// The new seat.
    pub membership: CommitteeMembership,
}

/// Input of `endCommitteeMembership`.
#[derive(InputObject)]
pub struct EndCommitteeMembershipInput {
    /// The seat to end.
    pub id: ID,
    /// Day the seat ends (default today).
    pub until: Option<Date>,
    /// The version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
}

/// Result of `endCommitteeMembership`.
#[derive(SimpleObject)]
pub struct EndCommitteeMembershipPayload {
    /// The ended seat.
    pub membership: CommitteeMembership,
}

/// Mutations of joint committees' seats.
#[derive(Default)]
pub struct CommitteesMutation;

/// Mutations of joint committees' seats.
#[Object]
impl CommitteesMutation {
    /// Seats a co-building unit on a community's joint committee (street or community administrators).
    async fn add_committee_membership(
        &self,
        ctx: &Context<'_>,
        input: AddCommitteeMembershipInput,
    ) -> Result<AddCommitteeMembershipPayload> {
        let r = rc(ctx)?;
        let new = service::NewMembership {
            community_id: CommunityId(expect_id(&input.community_id, kind::COMMUNITY, "communityId")?),
            unit_id: UnitId(expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?),
            role: input.role.into(),
            since: input.since.map(|d| d.0),
        };
        let membership = service::add_membership(&r.cx, new).await?;
        Ok(AddCommitteeMembershipPayload { membership: CommitteeMembership(membership) })
    }

    // `endCommitteeMembership` is a mutation of collaboration: ending a seat flags the unit's
    // open shares of the community's tasks in the same transaction.
}

/// Whether a seat is in force on `today`.
pub(super) fn is_active(m: &committee_membership::Model, today: chrono::NaiveDate) -> bool {
    m.since <= today && m.until.is_none_or(|u| u > today)
}
