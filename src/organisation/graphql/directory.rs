//! The city, its streets and their communities: the directory of the organisation graph (三级联动:
//! 市 - 街道 - 社区).

use super::*;

/// A city (市), e.g. 晋江市: the top of the three levels, above its streets.
pub struct City(pub region::Model);

/// A city (市), e.g. 晋江市: the top of the three levels, above its streets.
#[Object]
impl City {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::CITY, self.0.id)
    }
    /// Readable code, e.g. `jinjiang`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name, e.g. 晋江市.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The city's streets the caller's scope reaches into: all of them for the city's staff, a
    /// street's own for its staff, reporters and members.
    async fn streets(&self, ctx: &Context<'_>) -> Result<Vec<Street>> {
        let streets = crate::organisation::loaders::org_loader(ctx)?.load_one(StreetsOfCity(self.0.id)).await?.unwrap_or_default();
        Ok(streets.into_iter().map(Street).collect())
    }
}

/// A street (街道): the sub-district office governing its communities.
pub struct Street(pub region::Model);

impl PlainFields for Street {
    fn plain_field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "id" => global_id_value(kind::STREET, self.0.id),
            "code" => Value::from(self.0.code.as_str()),
            "name" => Value::from(self.0.name.as_str()),
            _ => return None,
        })
    }
}

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
    /// The city the street belongs to.
    async fn city(&self, ctx: &Context<'_>) -> Result<Option<City>> {
        let Some(city) = self.0.parent_id else { return Ok(None) };
        Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CityId(city)).await?.map(City))
    }
    /// The street's communities in the caller's scope: all of them for the street's and the city's
    /// staff and its reporters, one's own for community staff.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn communities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Community>> {
        let args = page_args(first, after, last, before)?;
        let page = crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityPage(self.0.id, args)).await?.unwrap_or_default();
        Ok(page.into_connection(|m| m.id, Community, TotalCount::lazy(CountKey::CommunitiesOf(self.0.id))))
    }
    /// The street party working committee (街道党工委), parent of every joint committee.
    async fn working_committee(&self) -> Inline<PartyOrganization> {
        Inline(PartyOrganization::Street(self.0.clone()))
    }
}

// ---------------------------------------------------------------- Community

/// A community (社区): the tenant. Everything below it is visible only within its scope.
pub struct Community(pub community::Model);
crate::graphql::connection::connection_node!(plain Community);

impl PlainFields for Community {
    fn plain_field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "id" => global_id_value(kind::COMMUNITY, self.0.id),
            "code" => Value::from(self.0.code.as_str()),
            "name" => Value::from(self.0.name.as_str()),
            _ => return None,
        })
    }
}

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
    async fn street(&self, ctx: &Context<'_>) -> Result<Inline<Street>> {
        Ok(Inline(Street(loaded(crate::organisation::loaders::org_loader(ctx)?.load_one(StreetId(self.0.street_id)).await?, "street")?)))
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
    async fn joint_committee(&self, ctx: &Context<'_>) -> Result<Option<Inline<PartyOrganization>>> {
        Ok(crate::organisation::loaders::org_loader(ctx)?
            .load_one(JointCommitteeOf(self.0.id))
            .await?
            .map(|o| Inline(PartyOrganization::Local(o))))
    }
    /// Every party organisation of the community: its joint committee and branches.
    async fn party_organizations(&self, ctx: &Context<'_>) -> Result<Vec<Inline<PartyOrganization>>> {
        let orgs = crate::organisation::loaders::org_loader(ctx)?.load_one(OrganizationsOf(self.0.id)).await?.unwrap_or_default();
        Ok(orgs.into_iter().map(|o| Inline(PartyOrganization::Local(o))).collect())
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

/// Queries of the organisation graph: its streets and communities.
#[derive(Default)]
pub struct DirectoryQuery;

/// Queries of the organisation graph: its streets and communities.
#[Object]
impl DirectoryQuery {
    /// The cities the caller's scope reaches into (晋江市 for everyone in its streets).
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn cities(&self, ctx: &Context<'_>) -> Result<Vec<City>> {
        let r = rc(ctx)?;
        Ok(service::cities(&r.cx).await?.into_iter().map(City).collect())
    }

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
}
