//! Compounds (小区) and other sites of a community.

use super::*;

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

/// A residential compound (小区) or other site of a community.
pub struct Compound(pub compound::Model);
crate::graphql::connection::connection_node!(plain Compound);

impl PlainFields for Compound {
    fn plain_field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "id" => global_id_value(kind::COMPOUND, self.0.id),
            "name" => Value::from(self.0.name.as_str()),
            "kind" => Value::from(CompoundKind::from(self.0.kind)),
            "builtYear" => Value::from(self.0.built_year),
            "households" => Value::from(self.0.households),
            "address" => Value::from(self.0.address.as_deref()),
            "version" => Value::from(self.0.version),
            _ => return None,
        })
    }
}

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
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
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

/// Mutations of compounds.
#[derive(Default)]
pub struct CompoundsMutation;

/// Mutations of compounds.
#[Object]
impl CompoundsMutation {
    /// Adds a compound to a community (street or community administrators).
    async fn create_compound(&self, ctx: &Context<'_>, input: CreateCompoundInput) -> Result<CreateCompoundPayload> {
        let r = rc(ctx)?;
        let new = service::NewCompound {
            community_id: CommunityId(expect_id(&input.community_id, kind::COMMUNITY, "communityId")?),
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
        let id = CompoundId(expect_id(&input.id, kind::COMPOUND, "id")?);
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
}
