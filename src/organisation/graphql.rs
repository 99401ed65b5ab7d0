//! GraphQL types, queries and mutations of the organisation graph. Thin: resolvers decode
//! arguments, follow relations through the request's DataLoader and call the service.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;
use entity::{co_building_unit, committee_membership, community, compound, party_member, party_organization, person, region};
use uuid::Uuid;

use super::loaders::*;
use super::service;
use crate::auth::PrincipalKind;
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::paging::PageArgs;

/// The type names this noun's global ids carry.
pub mod kind {
    pub const STREET: &str = "Street";
    pub const COMMUNITY: &str = "Community";
    pub const COMPOUND: &str = "Compound";
    pub const PARTY_ORGANIZATION: &str = "PartyOrganization";
    pub const PARTY_MEMBER: &str = "PartyMember";
    pub const CO_BUILDING_UNIT: &str = "CoBuildingUnit";
    pub const COMMITTEE_MEMBERSHIP: &str = "CommitteeMembership";
}

// ---------------------------------------------------------------- enums

/// What a compound is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CompoundKind {
    /// A residential compound (小区).
    Residential,
    /// A market (市场), such as 梅岭综合市场.
    Market,
    /// Any other site.
    Other,
}

impl From<compound::CompoundKind> for CompoundKind {
    fn from(k: compound::CompoundKind) -> Self {
        match k {
            compound::CompoundKind::Residential => CompoundKind::Residential,
            compound::CompoundKind::Market => CompoundKind::Market,
            compound::CompoundKind::Other => CompoundKind::Other,
        }
    }
}

impl From<CompoundKind> for compound::CompoundKind {
    fn from(k: CompoundKind) -> Self {
        match k {
            CompoundKind::Residential => compound::CompoundKind::Residential,
            CompoundKind::Market => compound::CompoundKind::Market,
            CompoundKind::Other => compound::CompoundKind::Other,
        }
    }
}

/// Kinds of party organisation.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrganizationKind {
    /// The street party working committee (街道党工委).
    StreetWorkingCommittee,
    /// A community's joint party committee (联合党委), on which co-building units sit.
    JointCommittee,
    /// A community-level party branch (社区党支部).
    CommunityBranch,
    /// A compound's party branch (小区党支部).
    CompoundBranch,
}

impl From<party_organization::OrganizationKind> for OrganizationKind {
    fn from(k: party_organization::OrganizationKind) -> Self {
        match k {
            party_organization::OrganizationKind::JointCommittee => OrganizationKind::JointCommittee,
            party_organization::OrganizationKind::CommunityBranch => OrganizationKind::CommunityBranch,
            party_organization::OrganizationKind::CompoundBranch => OrganizationKind::CompoundBranch,
        }
    }
}

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

/// Whether a party member lives here or serves here with their organisational relation elsewhere.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MemberKind {
    /// Resident party member (住户党员), organised by the branch where they live.
    Resident,
    /// In-service party member (在职党员): civil servant or employee whose organisational relation is elsewhere.
    InService,
}

impl From<party_member::MemberKind> for MemberKind {
    fn from(k: party_member::MemberKind) -> Self {
        match k {
            party_member::MemberKind::Resident => MemberKind::Resident,
            party_member::MemberKind::InService => MemberKind::InService,
        }
    }
}

impl From<MemberKind> for party_member::MemberKind {
    fn from(k: MemberKind) -> Self {
        match k {
            MemberKind::Resident => party_member::MemberKind::Resident,
            MemberKind::InService => party_member::MemberKind::InService,
        }
    }
}

// ---------------------------------------------------------------- connections

/// Counts behind `totalCount`, batched by the request's loader.
#[async_trait::async_trait]
impl CountSource for CountKey {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(*self).await?.unwrap_or(0))
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

/// A connection field's paging arguments.
fn page_args(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> Result<PageArgs> {
    Ok(PageArgs::new(first, after, last, before)?)
}

// ---------------------------------------------------------------- Street

/// A street (街道): the sub-district office governing its communities.
pub struct Street(pub region::Model);

/// A street (街道): the sub-district office governing its communities.
#[Object]
impl Street {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::STREET, self.0.id)
    }
    /// Readable code, e.g. `meiling-street`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name, e.g. 梅岭街道.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The street party working committee (街道党工委), parent of every joint committee.
    async fn working_committee(&self) -> PartyOrganization {
        PartyOrganization::Street(self.0.clone())
    }
}

// ---------------------------------------------------------------- Community

/// A community (社区): the tenant. Everything below it is visible only within its scope.
pub struct Community(pub community::Model);
crate::graphql::connection::connection_node!(Community);

/// A community (社区): the tenant. Everything below it is visible only within its scope.
#[Object]
impl Community {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::COMMUNITY, self.0.id)
    }
    /// Readable code, unique in its street, e.g. `zhuyuan`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name, e.g. 竹园社区.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The street the community belongs to.
    async fn street(&self, ctx: &Context<'_>) -> Result<Street> {
        Ok(Street(loaded(crate::organisation::loaders::org_loader(ctx)?.load_one(StreetId(self.0.street_id)).await?, "street")?))
    }
    /// Residential compounds and other sites of the community.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn compounds(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Compound>> {
        let args = page_args(first, after, last, before)?;
        let page = crate::organisation::loaders::org_loader(ctx)?.load_one(CompoundPage(self.0.id, args)).await?.unwrap_or_default();
        Ok(page.into_connection(|m| m.id, Compound, TotalCount::lazy(CountKey::CompoundsOf(self.0.id))))
    }
    /// The community's joint party committee (联合党委).
    async fn joint_committee(&self, ctx: &Context<'_>) -> Result<Option<PartyOrganization>> {
        Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(JointCommitteeOf(self.0.id)).await?.map(PartyOrganization::Local))
    }
    /// Every party organisation of the community: its joint committee and branches.
    async fn party_organizations(&self, ctx: &Context<'_>) -> Result<Vec<PartyOrganization>> {
        let orgs = crate::organisation::loaders::org_loader(ctx)?.load_one(OrganizationsOf(self.0.id)).await?.unwrap_or_default();
        Ok(orgs.into_iter().map(PartyOrganization::Local).collect())
    }
    /// Party members registered in the community. Staff see all; a member sees themself; others none.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<PartyMember>> {
        members_connection(ctx, MemberParent::Community(self.0.id), page_args(first, after, last, before)?).await
    }
    /// The co-building units sitting on the community's joint committee today.
    async fn units(&self, ctx: &Context<'_>) -> Result<Vec<CoBuildingUnit>> {
        let units = crate::organisation::loaders::org_loader(ctx)?.load_one(UnitsOfCommunity(self.0.id)).await?.unwrap_or_default();
        Ok(units.into_iter().map(CoBuildingUnit).collect())
    }
}

async fn members_connection(ctx: &Context<'_>, parent: MemberParent, args: PageArgs) -> Result<Conn<PartyMember>> {
    let page = crate::organisation::loaders::org_loader(ctx)?.load_one(MemberPage(parent, args)).await?.unwrap_or_default();
    Ok(page.into_connection(|m| m.id, PartyMember, TotalCount::lazy(CountKey::Members(parent))))
}

// ---------------------------------------------------------------- Compound

/// A residential compound (小区) or other site of a community.
pub struct Compound(pub compound::Model);
crate::graphql::connection::connection_node!(Compound);

/// A residential compound (小区) or other site of a community.
#[Object]
impl Compound {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::COMPOUND, self.0.id)
    }
    /// Name, e.g. 奥林春天.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Residential compound, market or other site.
    async fn kind(&self) -> CompoundKind {
        self.0.kind.into()
    }
    /// Year the compound was built or delivered.
    async fn built_year(&self) -> Option<i32> {
        self.0.built_year
    }
    /// Number of households.
    async fn households(&self) -> Option<i32> {
        self.0.households
    }
    /// Street address of the compound.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Version, incremented by every change; pass it as `expectedVersion` to update safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The community the compound belongs to.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?,
            "community",
        )?))
    }
    /// The compound's party branch (小区党支部), if it has one.
    async fn party_branch(&self, ctx: &Context<'_>) -> Result<Option<PartyOrganization>> {
        Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(BranchOfCompound(self.0.id)).await?.map(PartyOrganization::Local))
    }
    /// Party members organised by the compound's branch.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<PartyMember>> {
        let args = page_args(first, after, last, before)?;
        match crate::organisation::loaders::org_loader(ctx)?.load_one(BranchOfCompound(self.0.id)).await? {
            Some(branch) => members_connection(ctx, MemberParent::Branch(branch.id), args).await,
            None => Ok(crate::paging::Page::default().into_connection(|m: &party_member::Model| m.id, PartyMember, TotalCount::Known(0))),
        }
    }
}

// ---------------------------------------------------------------- PartyOrganization

/// A party organisation: the street working committee, a community's joint committee, or a branch.
pub enum PartyOrganization {
    /// The street's working committee, kept with the street.
    Street(region::Model),
    /// An organisation inside a community.
    Local(party_organization::Model),
}

/// A party organisation: the street working committee, a community's joint committee, or a branch.
#[Object]
impl PartyOrganization {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        match self {
            PartyOrganization::Street(s) => global_id(kind::PARTY_ORGANIZATION, s.id),
            PartyOrganization::Local(o) => global_id(kind::PARTY_ORGANIZATION, o.id),
        }
    }
    /// What level of organisation this is.
    async fn kind(&self) -> OrganizationKind {
        match self {
            PartyOrganization::Street(_) => OrganizationKind::StreetWorkingCommittee,
            PartyOrganization::Local(o) => o.kind.into(),
        }
    }
    /// Name, e.g. 梅岭社区联合党委.
    async fn name(&self) -> String {
        match self {
            PartyOrganization::Street(s) => s.committee_name.clone().unwrap_or_else(|| format!("{}党工委", s.name)),
            PartyOrganization::Local(o) => o.name.clone(),
        }
    }
    /// Date the organisation was founded.
    async fn founded_on(&self) -> Option<NaiveDate> {
        match self {
            PartyOrganization::Street(_) => None,
            PartyOrganization::Local(o) => o.founded_on,
        }
    }
    /// Version, incremented by every change; pass it as `expectedVersion` to change safely. Null
    /// for the street working committee, which is kept with the street.
    async fn version(&self) -> Option<i32> {
        match self {
            PartyOrganization::Street(_) => None,
            PartyOrganization::Local(o) => Some(o.version),
        }
    }
    /// The organisation above this one; a joint committee's parent is the street working committee.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<PartyOrganization>> {
        let org = match self {
            PartyOrganization::Street(_) => return Ok(None),
            PartyOrganization::Local(o) => o,
        };
        let loader = &crate::organisation::loaders::org_loader(ctx)?;
        if let Some(parent) = org.parent_id {
            return Ok(loader.load_one(OrganizationId(parent)).await?.map(PartyOrganization::Local));
        }
        if org.kind != party_organization::OrganizationKind::JointCommittee {
            return Ok(None);
        }
        let Some(community) = loader.load_one(CommunityId(org.community_id)).await? else { return Ok(None) };
        Ok(loader.load_one(StreetId(community.street_id)).await?.map(PartyOrganization::Street))
    }
    /// The organisations directly below this one.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<PartyOrganization>> {
        let loader = &crate::organisation::loaders::org_loader(ctx)?;
        let rows = match self {
            PartyOrganization::Street(s) => loader.load_one(JointCommitteesOfStreet(s.id)).await?,
            PartyOrganization::Local(o) => loader.load_one(ChildrenOf(o.id)).await?,
        };
        Ok(rows.unwrap_or_default().into_iter().map(PartyOrganization::Local).collect())
    }
    /// The community the organisation belongs to; none for the street working committee.
    async fn community(&self, ctx: &Context<'_>) -> Result<Option<Community>> {
        match self {
            PartyOrganization::Street(_) => Ok(None),
            PartyOrganization::Local(o) => {
                Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(o.community_id)).await?.map(Community))
            }
        }
    }
    /// The compound of a compound branch.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self {
            PartyOrganization::Local(party_organization::Model { compound_id: Some(c), .. }) => {
                Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CompoundId(*c)).await?.map(Compound))
            }
            _ => Ok(None),
        }
    }
    /// The secretary (书记), one of the organisation's members; shown to staff of the community
    /// and to the secretary themself, null to everyone else and when the post is vacant.
    async fn secretary(&self, ctx: &Context<'_>) -> Result<Option<PartyMember>> {
        match self {
            PartyOrganization::Local(party_organization::Model { secretary_id: Some(m), .. }) => {
                Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(MemberId(*m)).await?.map(PartyMember))
            }
            _ => Ok(None),
        }
    }
    /// Party members organised by this branch; for a joint committee, every member of its community.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<PartyMember>> {
        let args = page_args(first, after, last, before)?;
        let parent = match self {
            PartyOrganization::Street(_) => {
                return Ok(crate::paging::Page::default().into_connection(
                    |m: &party_member::Model| m.id,
                    PartyMember,
                    TotalCount::Known(0),
                ));
            }
            PartyOrganization::Local(o) if o.kind == party_organization::OrganizationKind::JointCommittee => {
                MemberParent::Community(o.community_id)
            }
            PartyOrganization::Local(o) => MemberParent::Branch(o.id),
        };
        members_connection(ctx, parent, args).await
    }
    /// For a joint committee: the co-building units' seats on it (current ones unless `includeEnded`).
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also list seats that have ended.", default = false)] include_ended: bool,
    ) -> Result<Vec<CommitteeMembership>> {
        let PartyOrganization::Local(o) = self else { return Ok(Vec::new()) };
        if o.kind != party_organization::OrganizationKind::JointCommittee {
            return Ok(Vec::new());
        }
        let rows = crate::organisation::loaders::org_loader(ctx)?.load_one(MembershipsOfCommittee(o.id)).await?.unwrap_or_default();
        let today = chrono::Utc::now().date_naive();
        Ok(rows.into_iter().filter(|m| include_ended || is_active(m, today)).map(CommitteeMembership).collect())
    }
}

fn is_active(m: &committee_membership::Model, today: NaiveDate) -> bool {
    m.since <= today && m.until.is_none_or(|u| u > today)
}

// ---------------------------------------------------------------- CommitteeMembership

/// A co-building unit's seat on a community's joint committee (组织共建). The committee
/// membership is the routing table of collaboration: only seated units can be assigned work.
pub struct CommitteeMembership(pub committee_membership::Model);

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
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?,
            "community",
        )?))
    }
    /// The seated unit.
    async fn unit(&self, ctx: &Context<'_>) -> Result<CoBuildingUnit> {
        Ok(CoBuildingUnit(loaded(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(self.0.unit_id)).await?, "unit")?))
    }
    /// The unit's role on the committee.
    async fn role(&self) -> MembershipRole {
        self.0.role.into()
    }
    /// First day of the seat.
    async fn since(&self) -> NaiveDate {
        self.0.since
    }
    /// Day the seat ended (exclusive), if it has.
    async fn until(&self) -> Option<NaiveDate> {
        self.0.until
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
crate::graphql::connection::connection_node!(CoBuildingUnit);

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

// ---------------------------------------------------------------- PartyMember and Person

/// A party member registered in a community (党员).
pub struct PartyMember(pub party_member::Model);
crate::graphql::connection::connection_node!(PartyMember);

/// A party member registered in a community (党员).
#[Object]
impl PartyMember {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::PARTY_MEMBER, self.0.id)
    }
    /// Resident or in-service member.
    async fn kind(&self) -> MemberKind {
        self.0.kind.into()
    }
    /// The member's name.
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.person(ctx).await?.0.name)
    }
    /// The person behind the membership; personal data is masked outside staff scope.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        let r = rc(ctx)?;
        let p = loaded(crate::organisation::loaders::org_loader(ctx)?.load_one(PersonOfVisibleRow(self.0.person_id)).await?, "person")?;
        let reveal = r.cx.scope.reveals_person(Some(self.0.community_id), p.id);
        Ok(Person(p, reveal))
    }
    /// The community the member is registered in.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?,
            "community",
        )?))
    }
    /// The branch organising the member.
    async fn branch(&self, ctx: &Context<'_>) -> Result<Option<PartyOrganization>> {
        match self.0.branch_id {
            Some(b) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(OrganizationId(b)).await?.map(PartyOrganization::Local)),
            None => Ok(None),
        }
    }
    /// For in-service members: the employer (工作单位).
    async fn work_unit(&self) -> Option<&str> {
        self.0.work_unit.as_deref()
    }
    /// For in-service members: where the organisational relation (组织关系) sits.
    async fn organization_relation(&self) -> Option<&str> {
        self.0.organization_relation.as_deref()
    }
    /// Date the member joined the party.
    async fn joined_on(&self) -> Option<NaiveDate> {
        self.0.joined_on
    }
    /// Version, incremented by every change; pass it as `expectedVersion` to update safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A person. Phone, address, gender and birth year are shown only to staff of a community the
/// person is registered in, and to the person themself; otherwise masked or null.
pub struct Person(pub person::Model, pub bool);

/// A person. Phone, address, gender and birth year are shown only to staff of a community the
/// person is registered in, and to the person themself; otherwise masked or null.
#[Object]
impl Person {
    /// The person's id (a UUID), as `gongzhi token --person` takes it.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Phone number; masked (`138****5678`) outside staff scope.
    async fn phone(&self) -> Option<String> {
        let phone = self.0.phone.as_deref()?;
        Some(if self.1 { phone.to_owned() } else { service::mask_phone(phone) })
    }
    /// Home address; null outside staff scope.
    async fn address(&self) -> Option<&str> {
        if self.1 { self.0.address.as_deref() } else { None }
    }
    /// Gender; null outside staff scope.
    async fn gender(&self) -> Option<&str> {
        if self.1 { self.0.gender.as_deref() } else { None }
    }
    /// Year of birth; null outside staff scope.
    async fn birth_year(&self) -> Option<i32> {
        if self.1 { self.0.birth_year } else { None }
    }
    /// Whether personal data is shown in clear to the caller.
    async fn personal_data_visible(&self) -> bool {
        self.1
    }
}

// ---------------------------------------------------------------- Viewer

/// The caller and what they may see.
pub struct Viewer;

/// The caller and what they may see.
#[Object]
impl Viewer {
    /// The kind of principal the credential identifies; `ANONYMOUS` without one.
    async fn kind(&self, ctx: &Context<'_>) -> Result<PrincipalKind> {
        Ok(rc(ctx)?.cx.scope.principal().kind())
    }
    /// The administered or reported street, for street admins and reporters.
    async fn street(&self, ctx: &Context<'_>) -> Result<Option<Street>> {
        let r = rc(ctx)?;
        match crate::organisation::visibility::viewer_street(&r.cx.scope) {
            Some(street_id) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(StreetId(street_id)).await?.map(Street)),
            None => Ok(None),
        }
    }
    /// The community, for community admins and staff.
    async fn community(&self, ctx: &Context<'_>) -> Result<Option<Community>> {
        let r = rc(ctx)?;
        match crate::organisation::visibility::viewer_community(&r.cx.scope) {
            Some(community_id) => {
                Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(community_id)).await?.map(Community))
            }
            None => Ok(None),
        }
    }
    /// The unit, for partner departments.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        let r = rc(ctx)?;
        match r.cx.scope.unit_id() {
            Some(id) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(id)).await?.map(CoBuildingUnit)),
            None => Ok(None),
        }
    }
    /// The person, for members; their own data is shown in full.
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let r = rc(ctx)?;
        match r.cx.scope.person_id() {
            Some(id) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(PersonOfVisibleRow(id)).await?.map(|p| Person(p, true))),
            None => Ok(None),
        }
    }
    /// For members: the party organisations whose secretary they are. A compound branch's
    /// secretary may post and manage that compound's demands.
    async fn secretary_of(&self, ctx: &Context<'_>) -> Result<Vec<PartyOrganization>> {
        let r = rc(ctx)?;
        Ok(service::organizations_led(&r.cx).await?.into_iter().map(PartyOrganization::Local).collect())
    }
    /// Every community in the caller's scope, in creation order; empty when anonymous.
    async fn communities(&self, ctx: &Context<'_>) -> Result<Vec<Community>> {
        let r = rc(ctx)?;
        Ok(service::all_communities(&r.cx).await?.into_iter().map(Community).collect())
    }
}

// ---------------------------------------------------------------- queries

/// The caller: the first field of the query root.
#[derive(Default)]
pub struct ViewerQuery;

/// The caller: the first field of the query root.
#[Object]
impl ViewerQuery {
    /// Who the caller is and what they may see. The only field open to anonymous callers.
    async fn viewer(&self) -> Viewer {
        Viewer
    }
}

/// Queries of the organisation graph.
#[derive(Default)]
pub struct OrgQuery;

/// Queries of the organisation graph.
#[Object]
impl OrgQuery {
    /// The streets the caller's scope reaches into.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn streets(&self, ctx: &Context<'_>) -> Result<Vec<Street>> {
        let r = rc(ctx)?;
        Ok(service::streets(&r.cx).await?.into_iter().map(Street).collect())
    }

    /// The communities in the caller's scope.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn communities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Community>> {
        let r = rc(ctx)?;
        let args = page_args(first, after, last, before)?;
        let page = service::communities(&r.cx, &args).await?;
        let total = service::community_count(&r.cx);
        Ok(page.into_connection(|m| m.id, Community, TotalCount::Known(total)))
    }

    /// A community in the caller's scope by code; null when absent or out of scope.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn community(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Community code, e.g. `zhuyuan`.")] code: String,
    ) -> Result<Option<Community>> {
        let r = rc(ctx)?;
        Ok(service::community_by_code(&r.cx, &code).await?.map(Community))
    }

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

/// The organisation graph's objects that `node(id:)` refetches.
pub enum OrgNode {
    Street(Street),
    Community(Community),
    Compound(Compound),
    PartyOrganization(PartyOrganization),
    PartyMember(PartyMember),
    CoBuildingUnit(CoBuildingUnit),
    CommitteeMembership(CommitteeMembership),
}

/// Resolves a global id of this noun through the scoped loaders; other kinds, unknown or
/// out-of-scope ids give `None`.
pub async fn resolve_node(ctx: &Context<'_>, k: &str, uuid: Uuid) -> Result<Option<OrgNode>, AppError> {
    use OrgNode as Node;
    let loader = &crate::organisation::loaders::org_loader(ctx)?;
    Ok(match k {
        kind::STREET => loader.load_one(StreetId(uuid)).await?.map(|m| Node::Street(Street(m))),
        kind::COMMUNITY => loader.load_one(CommunityId(uuid)).await?.map(|m| Node::Community(Community(m))),
        kind::COMPOUND => loader.load_one(CompoundId(uuid)).await?.map(|m| Node::Compound(Compound(m))),
        kind::PARTY_ORGANIZATION => match loader.load_one(OrganizationId(uuid)).await? {
            Some(m) => Some(Node::PartyOrganization(PartyOrganization::Local(m))),
            None => loader.load_one(StreetId(uuid)).await?.map(|s| Node::PartyOrganization(PartyOrganization::Street(s))),
        },
        kind::PARTY_MEMBER => loader.load_one(MemberId(uuid)).await?.map(|m| Node::PartyMember(PartyMember(m))),
        kind::CO_BUILDING_UNIT => loader.load_one(UnitId(uuid)).await?.map(|m| Node::CoBuildingUnit(CoBuildingUnit(m))),
        kind::COMMITTEE_MEMBERSHIP => loader.load_one(MembershipId(uuid)).await?.map(|m| Node::CommitteeMembership(CommitteeMembership(m))),
        _ => None,
    })
}

// ---------------------------------------------------------------- mutations

/// Input of `createCompound`.
#[derive(InputObject)]
pub struct CreateCompoundInput {
    /// The community to add the compound to.
    pub community_id: ID,
    /// Name, unique in the community.
    pub name: String,
    /// Residential compound, market or other site.
    #[graphql(default_with = "CompoundKind::Residential")]
    pub kind: CompoundKind,
    /// Year built (1900 to this year).
    pub built_year: Option<i32>,
    /// Number of households (0 to 100000).
    pub households: Option<i32>,
    /// Street address.
    pub address: Option<String>,
}

/// Result of `createCompound`.
#[derive(SimpleObject)]
pub struct CreateCompoundPayload {
    /// The new compound.
    pub compound: Compound,
}

/// Input of `updateCompound`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCompoundInput {
    /// The compound to change.
    pub id: ID,
    /// The version the change is based on; a mismatch answers `CONFLICT` and changes nothing.
    pub expected_version: Option<i32>,
    /// New name, unique in the community.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<CompoundKind>,
    /// New year built.
    pub built_year: Option<i32>,
    /// New number of households.
    pub households: Option<i32>,
    /// New address.
    pub address: Option<String>,
}

/// Result of `updateCompound`.
#[derive(SimpleObject)]
pub struct UpdateCompoundPayload {
    /// The compound as changed.
    pub compound: Compound,
}

/// Input of `createPartyBranch`: give `compoundId` for a compound branch, else `communityId`.
#[derive(InputObject)]
pub struct CreatePartyBranchInput {
    /// The community, for a community-level branch.
    pub community_id: Option<ID>,
    /// The compound, for a compound branch (one per compound).
    pub compound_id: Option<ID>,
    /// Name, e.g. 竹园小区党支部.
    pub name: String,
    /// Date founded.
    pub founded_on: Option<NaiveDate>,
}

/// Result of `createPartyBranch`.
#[derive(SimpleObject)]
pub struct CreatePartyBranchPayload {
    /// The new branch, under the community's joint committee.
    pub party_organization: PartyOrganization,
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
    pub since: Option<NaiveDate>,
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
    pub until: Option<NaiveDate>,
    /// The version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
}

/// Result of `endCommitteeMembership`.
#[derive(SimpleObject)]
pub struct EndCommitteeMembershipPayload {
    /// The ended seat.
    pub membership: CommitteeMembership,
}

/// Input of `registerPartyMember`. Give `personId` to register a known person, else `name`.
#[derive(InputObject)]
pub struct RegisterPartyMemberInput {
    /// The community to register in.
    pub community_id: ID,
    /// An existing person's id (UUID).
    pub person_id: Option<ID>,
    /// Name of a new person.
    pub name: Option<String>,
    /// Phone of a new person.
    pub phone: Option<String>,
    /// Address of a new person.
    pub address: Option<String>,
    /// National ID number of a new person; only a hash of it is stored.
    pub id_number: Option<String>,
    /// Resident or in-service.
    pub kind: MemberKind,
    /// The branch organising the member.
    pub branch_id: Option<ID>,
    /// For in-service members: the employer.
    pub work_unit: Option<String>,
    /// For in-service members: where the organisational relation sits.
    pub organization_relation: Option<String>,
    /// Date joined the party.
    pub joined_on: Option<NaiveDate>,
}

/// Result of `registerPartyMember`.
#[derive(SimpleObject)]
pub struct RegisterPartyMemberPayload {
    /// The new member.
    pub member: PartyMember,
}

/// Input of `updatePartyMember`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdatePartyMemberInput {
    /// The member to change.
    pub id: ID,
    /// The version the change is based on; a mismatch answers `CONFLICT` and changes nothing.
    pub expected_version: Option<i32>,
    /// New name.
    pub name: Option<String>,
    /// New phone.
    pub phone: Option<String>,
    /// New kind.
    pub kind: Option<MemberKind>,
    /// New branch.
    pub branch_id: Option<ID>,
    /// New employer.
    pub work_unit: Option<String>,
    /// New place of organisational relation.
    pub organization_relation: Option<String>,
}

/// Result of `updatePartyMember`.
#[derive(SimpleObject)]
pub struct UpdatePartyMemberPayload {
    /// The member as changed.
    pub member: PartyMember,
}

/// Input of `setPartySecretary`.
#[derive(InputObject)]
pub struct SetPartySecretaryInput {
    /// The joint committee or branch.
    pub organization_id: ID,
    /// The party member to appoint: a member of the branch (for a joint committee, of its
    /// community). Null leaves the post vacant.
    pub member_id: Option<ID>,
    /// The version the change is based on; a mismatch answers `CONFLICT` and changes nothing.
    pub expected_version: Option<i32>,
}

/// Result of `setPartySecretary`.
#[derive(SimpleObject)]
pub struct SetPartySecretaryPayload {
    /// The organisation with its new secretary.
    pub party_organization: PartyOrganization,
}

fn person_uuid(id: &ID) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::bad_input("personId", "not a valid person id"))
}

/// Mutations of the organisation graph; each is checked against the caller's scope and role.
#[derive(Default)]
pub struct OrgMutation;

/// Mutations of the organisation graph; each is checked against the caller's scope and role.
#[Object]
impl OrgMutation {
    /// Adds a compound to a community (street or community administrators).
    async fn create_compound(&self, ctx: &Context<'_>, input: CreateCompoundInput) -> Result<CreateCompoundPayload> {
        let r = rc(ctx)?;
        let new = service::NewCompound {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            name: input.name,
            kind: input.kind.into(),
            built_year: input.built_year,
            households: input.households,
            address: input.address,
        };
        Ok(CreateCompoundPayload { compound: Compound(service::create_compound(&r.cx, new).await?) })
    }

    /// Changes a compound's facts (community staff and administrators).
    async fn update_compound(&self, ctx: &Context<'_>, input: UpdateCompoundInput) -> Result<UpdateCompoundPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::COMPOUND, "id")?;
        let changes = service::CompoundChanges {
            expected_version: input.expected_version,
            name: input.name,
            kind: input.kind.map(Into::into),
            built_year: input.built_year,
            households: input.households,
            address: input.address,
        };
        Ok(UpdateCompoundPayload { compound: Compound(service::update_compound(&r.cx, id, changes).await?) })
    }

    /// Creates a party branch for a compound or a community (street or community administrators).
    async fn create_party_branch(&self, ctx: &Context<'_>, input: CreatePartyBranchInput) -> Result<CreatePartyBranchPayload> {
        let r = rc(ctx)?;
        let new = service::NewBranch {
            community_id: input.community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?,
            compound_id: input.compound_id.as_ref().map(|id| expect_id(id, kind::COMPOUND, "compoundId")).transpose()?,
            name: input.name,
            founded_on: input.founded_on,
        };
        let org = service::create_party_branch(&r.cx, new).await?;
        Ok(CreatePartyBranchPayload { party_organization: PartyOrganization::Local(org) })
    }

    /// Appoints a party organisation's secretary, or leaves the post vacant (street or community
    /// administrators).
    async fn set_party_secretary(&self, ctx: &Context<'_>, input: SetPartySecretaryInput) -> Result<SetPartySecretaryPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.organization_id, kind::PARTY_ORGANIZATION, "organizationId")?;
        let member = input.member_id.as_ref().map(|m| expect_id(m, kind::PARTY_MEMBER, "memberId")).transpose()?;
        let org = service::set_secretary(&r.cx, id, member, input.expected_version).await?;
        Ok(SetPartySecretaryPayload { party_organization: PartyOrganization::Local(org) })
    }

    /// Seats a co-building unit on a community's joint committee (street or community administrators).
    async fn add_committee_membership(
        &self,
        ctx: &Context<'_>,
        input: AddCommitteeMembershipInput,
    ) -> Result<AddCommitteeMembershipPayload> {
        let r = rc(ctx)?;
        let new = service::NewMembership {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            unit_id: expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?,
            role: input.role.into(),
            since: input.since,
        };
        let membership = service::add_membership(&r.cx, new).await?;
        Ok(AddCommitteeMembershipPayload { membership: CommitteeMembership(membership) })
    }

    // `endCommitteeMembership` is a mutation of collaboration: ending a seat flags the unit's
    // open shares of the community's tasks in the same transaction.

    /// Registers a party member in a community (community staff and administrators).
    async fn register_party_member(&self, ctx: &Context<'_>, input: RegisterPartyMemberInput) -> Result<RegisterPartyMemberPayload> {
        let r = rc(ctx)?;
        let new = service::NewMember {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            person_id: input.person_id.as_ref().map(person_uuid).transpose()?,
            name: input.name,
            phone: input.phone,
            address: input.address,
            id_number: input.id_number,
            kind: input.kind.into(),
            branch_id: input.branch_id.as_ref().map(|id| expect_id(id, kind::PARTY_ORGANIZATION, "branchId")).transpose()?,
            work_unit: input.work_unit,
            organization_relation: input.organization_relation,
            joined_on: input.joined_on,
        };
        Ok(RegisterPartyMemberPayload { member: PartyMember(service::register_member(&r.cx, new).await?) })
    }

    /// Changes a party member (community staff and administrators).
    async fn update_party_member(&self, ctx: &Context<'_>, input: UpdatePartyMemberInput) -> Result<UpdatePartyMemberPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::PARTY_MEMBER, "id")?;
        let changes = service::MemberChanges {
            expected_version: input.expected_version,
            name: input.name,
            phone: input.phone,
            kind: input.kind.map(Into::into),
            branch_id: input.branch_id.as_ref().map(|id| expect_id(id, kind::PARTY_ORGANIZATION, "branchId")).transpose()?,
            work_unit: input.work_unit,
            organization_relation: input.organization_relation,
        };
        Ok(UpdatePartyMemberPayload { member: PartyMember(service::update_member(&r.cx, id, changes).await?) })
    }
}
