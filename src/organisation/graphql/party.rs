//! Party organisations: the street working committee, joint committees and branches.

use super::*;

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

/// A party organisation: the street working committee, a community's joint committee, or a branch.
pub enum PartyOrganization {
    /// The street's working committee, kept with the street.
    Street(region::Model),
    /// An organisation inside a community.
    Local(party_organization::Model),
}

impl PartyOrganization {
    fn uuid(&self) -> Uuid {
        match self {
            PartyOrganization::Street(s) => s.id,
            PartyOrganization::Local(o) => o.id,
        }
    }

    fn kind(&self) -> OrganizationKind {
        match self {
            PartyOrganization::Street(_) => OrganizationKind::StreetWorkingCommittee,
            PartyOrganization::Local(o) => o.kind.into(),
        }
    }

    fn title(&self) -> String {
        match self {
            PartyOrganization::Street(s) => s.committee_name.clone().unwrap_or_else(|| format!("{}党工委", s.name)),
            PartyOrganization::Local(o) => o.name.clone(),
        }
    }
}

impl PlainFields for PartyOrganization {
    fn plain_field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "id" => global_id_value(kind::PARTY_ORGANIZATION, self.uuid()),
            "kind" => Value::from(self.kind()),
            "name" => Value::from(self.title()),
            _ => return None,
        })
    }
}

/// A party organisation: the street working committee, a community's joint committee, or a branch.
#[Object]
impl PartyOrganization {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::PARTY_ORGANIZATION, self.uuid())
    }
    /// What level of organisation this is.
    #[graphql(name = "kind")]
    async fn level(&self) -> OrganizationKind {
        self.kind()
    }
    /// Name, e.g. 梅岭社区联合党委.
    async fn name(&self) -> String {
        self.title()
    }
    /// Date the organisation was founded.
    async fn founded_on(&self) -> Option<Date> {
        match self {
            PartyOrganization::Street(_) => None,
            PartyOrganization::Local(o) => o.founded_on.map(Date),
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
    ) -> Result<Vec<Inline<CommitteeMembership>>> {
        let PartyOrganization::Local(o) = self else { return Ok(Vec::new()) };
        if o.kind != party_organization::OrganizationKind::JointCommittee {
            return Ok(Vec::new());
        }
        let rows = crate::organisation::loaders::org_loader(ctx)?.load_one(MembershipsOfCommittee(o.id)).await?.unwrap_or_default();
        let today = chrono::Utc::now().date_naive();
        Ok(rows.into_iter().filter(|m| include_ended || is_active(m, today)).map(|m| Inline(CommitteeMembership(m))).collect())
    }
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
    pub founded_on: Option<Date>,
}

/// Result of `createPartyBranch`.
#[derive(SimpleObject)]
pub struct CreatePartyBranchPayload {
    /// The new branch, under the community's joint committee.
    pub party_organization: PartyOrganization,
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

/// Mutations of party organisations.
#[derive(Default)]
pub struct PartyMutation;

/// Mutations of party organisations.
#[Object]
impl PartyMutation {
    /// Creates a party branch for a compound or a community (street or community administrators).
    async fn create_party_branch(&self, ctx: &Context<'_>, input: CreatePartyBranchInput) -> Result<CreatePartyBranchPayload> {
        let r = rc(ctx)?;
        let new = service::NewBranch {
            community_id: input
                .community_id
                .as_ref()
                .map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId))
                .transpose()?,
            compound_id: input.compound_id.as_ref().map(|id| expect_id(id, kind::COMPOUND, "compoundId").map(CompoundId)).transpose()?,
            name: input.name,
            founded_on: input.founded_on.map(|d| d.0),
        };
        let org = service::create_party_branch(&r.cx, new).await?;
        Ok(CreatePartyBranchPayload { party_organization: PartyOrganization::Local(org) })
    }

    /// Appoints a party organisation's secretary, or leaves the post vacant (street or community
    /// administrators).
    async fn set_party_secretary(&self, ctx: &Context<'_>, input: SetPartySecretaryInput) -> Result<SetPartySecretaryPayload> {
        let r = rc(ctx)?;
        let id = OrganizationId(expect_id(&input.organization_id, kind::PARTY_ORGANIZATION, "organizationId")?);
        let member = input.member_id.as_ref().map(|m| expect_id(m, kind::PARTY_MEMBER, "memberId").map(MemberId)).transpose()?;
        let org = service::set_secretary(&r.cx, id, member, input.expected_version).await?;
        Ok(SetPartySecretaryPayload { party_organization: PartyOrganization::Local(org) })
    }
}
