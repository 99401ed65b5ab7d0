//! Residents (居民) and their residences (住址).

use crate::graphql::scalars::Date;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::residence;

use super::{Building, Home, kind};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::ids::{BuildingId, ResidenceId};
use crate::home::loaders::home_loader;
use crate::home::service::{self, NewHome, NewResident, ResidentFilter};
use crate::organisation::graphql::{Community, Compound, Person};
use crate::organisation::ids::{CommunityId, CompoundId};
use crate::organisation::loaders::{PersonOfVisibleRow, org_loader};
use crate::paging::PageArgs;

/// A person's residence (住址): a stay in a compound, with the building or lane and the door.
/// Seen only by the person and by staff of the community; nobody else sees a door number.
pub struct Residence(pub residence::Model);
crate::graphql::connection::connection_node!(Residence);

/// A person's residence (住址): a stay in a compound, with the building or lane and the door.
/// Seen only by the person and by staff of the community; nobody else sees a door number.
#[Object]
impl Residence {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::RESIDENCE, self.0.id)
    }
    /// The resident; the phone is masked unless the caller is staff of the community or the person.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        let p = loaded(org_loader(ctx)?.load_one(PersonOfVisibleRow(self.0.person_id)).await?, "person")?;
        let reveal = rc(ctx)?.cx.scope.reveals_person(Some(self.0.community_id), p.id);
        Ok(Person(p, reveal))
    }
    /// The community of the compound.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
    /// The compound (小区) lived in.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Compound> {
        Ok(Compound(loaded(org_loader(ctx)?.load_one(CompoundId(self.0.compound_id)).await?, "compound")?))
    }
    /// The compound's home (its buildings, committee and manager).
    async fn home(&self, ctx: &Context<'_>) -> Result<Home> {
        Ok(Home(loaded(org_loader(ctx)?.load_one(CompoundId(self.0.compound_id)).await?, "compound")?))
    }
    /// The building or lane lived in, when known.
    async fn building(&self, ctx: &Context<'_>) -> Result<Option<Building>> {
        match self.0.building_id {
            Some(b) => Ok(home_loader(ctx)?.load_one(BuildingId(b)).await?.map(Building)),
            None => Ok(None),
        }
    }
    /// The door (门牌), e.g. "3单元502", when known.
    async fn door(&self) -> Option<&str> {
        self.0.door.as_deref()
    }
    /// The first day of the stay.
    async fn since(&self) -> Date {
        Date(self.0.since)
    }
    /// The day the stay ended (the next one's first day); null while current.
    async fn until(&self) -> Option<Date> {
        self.0.until.map(Date)
    }
    /// Whether the person lives here today.
    async fn current(&self) -> bool {
        self.0.until.is_none()
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Where a resident lives.
#[derive(InputObject)]
pub struct ResidenceInput {
    /// The compound (a `Compound` or `Home` id) of one of the caller's communities.
    pub compound_id: ID,
    /// The building or lane of that compound, when known.
    pub building_id: Option<ID>,
    /// The door (门牌), e.g. "3单元502" (at most 50 characters).
    pub door: Option<String>,
    /// The first day; today (Beijing time) when omitted.
    pub since: Option<Date>,
}

/// Input of `registerResident`.
#[derive(InputObject)]
pub struct RegisterResidentInput {
    /// An existing person the caller knows (`Person.id`); omit to register a new person.
    pub person_id: Option<ID>,
    /// A new person's name (at most 50 characters).
    pub name: Option<String>,
    /// A new person's phone.
    pub phone: Option<String>,
    /// Where the resident lives.
    pub residence: ResidenceInput,
}

/// Input of `moveResident`.
#[derive(InputObject)]
pub struct MoveResidentInput {
    /// The resident's current residence as the caller read it; `CONFLICT` when it has ended since.
    pub residence_id: ID,
    /// Where the resident lives from now on; the current residence ends on its first day.
    pub to: ResidenceInput,
}

/// Result of `registerResident`.
#[derive(SimpleObject)]
pub struct RegisterResidentPayload {
    /// The resident's residence.
    pub residence: Residence,
}

/// Result of `moveResident`.
#[derive(SimpleObject)]
pub struct MoveResidentPayload {
    /// The new, current residence.
    pub residence: Residence,
    /// The residence the move ended.
    pub ended: Residence,
}

fn compound_of(id: &ID) -> Result<CompoundId, AppError> {
    let uuid = match expect_id(id, kind::HOME, "compoundId") {
        Ok(id) => id,
        Err(_) => expect_id(id, kind::COMPOUND, "compoundId")?,
    };
    Ok(CompoundId(uuid))
}

use crate::organisation::graphql::person_id as person_of;

impl ResidenceInput {
    fn into_home(self) -> Result<NewHome, AppError> {
        Ok(NewHome {
            compound_id: compound_of(&self.compound_id)?,
            building_id: self.building_id.map(|b| expect_id(&b, kind::BUILDING, "buildingId").map(BuildingId)).transpose()?,
            door: self.door,
            since: self.since.map(|d| d.0),
        })
    }
}

/// What a residents list's `totalCount` counts.
struct ResidentCount(ResidentFilter);

#[async_trait::async_trait]
impl CountSource for ResidentCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        service::resident_count(&rc(ctx)?.cx, self.0).await
    }
}

/// Queries of home co-building: residents.
#[derive(Default)]
pub struct ResidentsQuery;

/// Queries of home co-building: residents.
#[Object]
impl ResidentsQuery {
    /// The caller's own current residence: null for anyone but a person with one.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn my_residence(&self, ctx: &Context<'_>) -> Result<Option<Residence>> {
        Ok(service::my_residence(&rc(ctx)?.cx).await?.map(Residence))
    }

    /// The residents of a community (its staff; a person sees only their own residence there),
    /// current ones unless `includeEnded`.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its filters and the four Relay paging arguments")]
    async fn residents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The community.")] community_id: ID,
        #[graphql(desc = "Only residents of this compound (a `Compound` or `Home` id).")] compound_id: Option<ID>,
        #[graphql(desc = "Ended stays too (the history of moves); false when omitted.")] include_ended: Option<bool>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Residence>> {
        rc(ctx)?.cx.scope.require_authenticated()?;
        let filter = ResidentFilter {
            community_id: CommunityId(expect_id(&community_id, kind::COMMUNITY, "communityId")?),
            compound_id: compound_id.as_ref().map(compound_of).transpose()?,
            include_ended: include_ended.unwrap_or(false),
        };
        let args = PageArgs::new(first, after, last, before)?;
        let page = service::residents(&rc(ctx)?.cx, filter, &args).await?;
        Ok(page.into_connection(|m| m.id, Residence, TotalCount::lazy(ResidentCount(filter))))
    }

    /// A person's residences, the latest first (at most 100): for staff of the communities, and
    /// for the person themself.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn residence_history(&self, ctx: &Context<'_>, #[graphql(desc = "The person's id.")] person_id: ID) -> Result<Vec<Residence>> {
        rc(ctx)?.cx.scope.require_authenticated()?;
        let person = person_of(&person_id, "personId")?;
        Ok(service::residence_history(&rc(ctx)?.cx, person).await?.into_iter().map(Residence).collect())
    }
}

/// Mutations of home co-building: residents.
#[derive(Default)]
pub struct ResidentsMutation;

/// Mutations of home co-building: residents.
#[Object]
impl ResidentsMutation {
    /// Registers a resident of one of the caller's communities (community staff): a new person
    /// with a name and phone, or a person the caller knows, living in a compound. `CONFLICT` when
    /// the person already has a current residence (move them instead).
    async fn register_resident(&self, ctx: &Context<'_>, input: RegisterResidentInput) -> Result<RegisterResidentPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let new = NewResident {
            person_id: input.person_id.as_ref().map(|p| person_of(p, "personId")).transpose()?,
            name: input.name,
            phone: input.phone,
            home: input.residence.into_home()?,
        };
        Ok(RegisterResidentPayload { residence: Residence(service::register_resident(&r.cx, new).await?) })
    }

    /// Moves a resident (staff of the community; street staff across communities): the current
    /// residence ends on the day the new one begins, and the history stays. Never two current
    /// residences at once: of two racing moves one wins, the other answers `CONFLICT`.
    async fn move_resident(&self, ctx: &Context<'_>, input: MoveResidentInput) -> Result<MoveResidentPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = ResidenceId(expect_id(&input.residence_id, kind::RESIDENCE, "residenceId")?);
        let (model, ended) = service::move_resident(&r.cx, id, input.to.into_home()?).await?;
        Ok(MoveResidentPayload { residence: Residence(model), ended: Residence(ended) })
    }
}
