//! Party members and the people behind them.

use super::*;

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

/// A page of party members under `parent`, with its lazy count.
pub(super) async fn members_connection(ctx: &Context<'_>, parent: MemberParent, args: PageArgs) -> Result<Conn<PartyMember>> {
    let page = crate::organisation::loaders::org_loader(ctx)?.load_one(MemberPage(parent, args)).await?.unwrap_or_default();
    Ok(page.into_connection(|m| m.id, PartyMember, TotalCount::lazy(CountKey::Members(parent))))
}

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
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
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
    async fn joined_on(&self) -> Option<Date> {
        self.0.joined_on.map(Date)
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
    /// Globally unique id; every `personId` argument takes it.
    pub async fn id(&self) -> ID {
        global_id(kind::PERSON, self.0.id)
    }
    /// The person's UUID, as the command line takes it (`gongzhi token --person`).
    async fn uuid(&self) -> String {
        self.0.id.to_string()
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

/// Input of `registerPartyMember`. Give `personId` to register a known person, else `name`.
#[derive(InputObject)]
pub struct RegisterPartyMemberInput {
    /// The community to register in.
    pub community_id: ID,
    /// An existing person's id.
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
    pub joined_on: Option<Date>,
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

/// Decodes a person argument: a `Person` global id, or the person's UUID as the command line
/// shows it; `field` names the argument in errors.
pub fn person_id(id: &ID, field: &str) -> Result<PersonId, AppError> {
    match Uuid::parse_str(id) {
        Ok(uuid) => Ok(PersonId(uuid)),
        Err(_) => expect_id(id, kind::PERSON, field).map(PersonId),
    }
}

/// Mutations of party members.
#[derive(Default)]
pub struct MembersMutation;

/// Mutations of party members.
#[Object]
impl MembersMutation {
    /// Registers a party member in a community (community staff and administrators).
    async fn register_party_member(&self, ctx: &Context<'_>, input: RegisterPartyMemberInput) -> Result<RegisterPartyMemberPayload> {
        let r = rc(ctx)?;
        let new = service::NewMember {
            community_id: CommunityId(expect_id(&input.community_id, kind::COMMUNITY, "communityId")?),
            person_id: input.person_id.as_ref().map(|p| person_id(p, "personId")).transpose()?,
            name: input.name,
            phone: input.phone,
            address: input.address,
            id_number: input.id_number,
            kind: input.kind.into(),
            branch_id: input
                .branch_id
                .as_ref()
                .map(|id| expect_id(id, kind::PARTY_ORGANIZATION, "branchId").map(OrganizationId))
                .transpose()?,
            work_unit: input.work_unit,
            organization_relation: input.organization_relation,
            joined_on: input.joined_on.map(|d| d.0),
        };
        Ok(RegisterPartyMemberPayload { member: PartyMember(service::register_member(&r.cx, new).await?) })
    }

    /// Changes a party member (community staff and administrators).
    async fn update_party_member(&self, ctx: &Context<'_>, input: UpdatePartyMemberInput) -> Result<UpdatePartyMemberPayload> {
        let r = rc(ctx)?;
        let id = MemberId(expect_id(&input.id, kind::PARTY_MEMBER, "id")?);
        let changes = service::MemberChanges {
            expected_version: input.expected_version,
            name: input.name,
            phone: input.phone,
            kind: input.kind.map(Into::into),
            branch_id: input
                .branch_id
                .as_ref()
                .map(|id| expect_id(id, kind::PARTY_ORGANIZATION, "branchId").map(OrganizationId))
                .transpose()?,
            work_unit: input.work_unit,
            organization_relation: input.organization_relation,
        };
        Ok(UpdatePartyMemberPayload { member: PartyMember(service::update_member(&r.cx, id, changes).await?) })
    }
}
