//! The principal (who calls) and the scope (what this request may see and do).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use entity::{co_building_unit, committee_membership, community, party_member, party_organization, person, region};
use sea_orm::sea_query::{Condition, Expr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::token::{Claims, Role};
use crate::error::{AppError, AppResult};

/// Who is calling, resolved once per request from the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No credential.
    Anonymous,
    /// City staff (市): the tasks escalated to the city, across its streets.
    CityAdmin { city_id: Uuid },
    /// Street staff: the street and all its communities.
    StreetAdmin { street_id: Uuid },
    /// Community administrator: one community, including its organisation graph.
    CommunityAdmin { community_id: Uuid },
    /// Community worker: one community's people and daily work.
    CommunityStaff { community_id: Uuid },
    /// A partner department: its own unit and the committees it sits on (in `street_id` only, when
    /// its credential is bound to a street, as API keys are).
    Unit { unit_id: Uuid, street_id: Option<Uuid> },
    /// A person (a party member, volunteer or resident): their own profile and residence, and
    /// what their communities publish.
    Member { person_id: Uuid },
    /// A reporting tool: aggregates of a street, no personal data; read-only. A community key
    /// (`community_id`) reports on that one community of the street only.
    Reporter { street_id: Uuid, community_id: Option<Uuid> },
    /// The server itself (periodic jobs); never reached from a credential.
    System,
}

/// The kind of a principal, as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum PrincipalKind {
    /// No credential was sent.
    Anonymous,
    /// City staff (市): tasks escalated to city level.
    CityAdmin,
    /// Street staff (街道): every community of the street.
    StreetAdmin,
    /// Community administrator (社区).
    CommunityAdmin,
    /// Community worker (社区工作者).
    CommunityStaff,
    /// Partner department (共建单位) calling with its credential.
    Unit,
    /// A person: a party member, volunteer or resident.
    Member,
    /// A reporting tool.
    Reporter,
    /// The server itself, e.g. the escalation job.
    System,
}

impl Principal {
    /// The principal's kind as audit records store it.
    pub fn audit_kind(&self) -> &'static str {
        match self {
            Principal::Anonymous => "ANONYMOUS",
            Principal::StreetAdmin { .. } => "STREET_ADMIN",
            Principal::CommunityAdmin { .. } => "COMMUNITY_ADMIN",
            Principal::CommunityStaff { .. } => "COMMUNITY_STAFF",
            Principal::Unit { .. } => "UNIT",
            Principal::Member { .. } => "MEMBER",
            Principal::Reporter { .. } => "REPORTER",
            Principal::CityAdmin { .. } => "CITY_ADMIN",
            Principal::System => "SYSTEM",
        }
    }

    pub fn kind(&self) -> PrincipalKind {
        match self {
            Principal::Anonymous => PrincipalKind::Anonymous,
            Principal::CityAdmin { .. } => PrincipalKind::CityAdmin,
            Principal::StreetAdmin { .. } => PrincipalKind::StreetAdmin,
            Principal::CommunityAdmin { .. } => PrincipalKind::CommunityAdmin,
            Principal::CommunityStaff { .. } => PrincipalKind::CommunityStaff,
            Principal::Unit { .. } => PrincipalKind::Unit,
            Principal::Member { .. } => PrincipalKind::Member,
            Principal::Reporter { .. } => PrincipalKind::Reporter,
            Principal::System => PrincipalKind::System,
        }
    }
}

/// What one request may see and do. Built once per request; every service call and
/// DataLoader takes it. The default scope is anonymous and sees nothing.
#[derive(Debug, Clone)]
pub struct Scope {
    principal: Principal,
    /// Communities whose organisation graph (structure, no personal data) is visible.
    communities: Arc<BTreeSet<Uuid>>,
    /// Communities where the caller is staff: member lists and personal data in full.
    staff_of: Arc<BTreeSet<Uuid>>,
    /// Communities whose organisation graph the caller may change.
    admin_of: Arc<BTreeSet<Uuid>>,
    /// Streets visible (those of the visible communities, or the administered street).
    streets: Arc<BTreeSet<Uuid>>,
    /// For a member who is secretary of compound branches: (community, compound) of each.
    branch_compounds: Arc<BTreeSet<(Uuid, Uuid)>>,
    /// Who the principal is, for audit records (e.g. `community-staff:zhuyuan`).
    label: Arc<str>,
}

impl Default for Scope {
    fn default() -> Self {
        Scope::anonymous()
    }
}

impl Scope {
    /// The scope of a caller without credentials: nothing.
    pub fn anonymous() -> Self {
        Scope {
            principal: Principal::Anonymous,
            communities: Arc::default(),
            staff_of: Arc::default(),
            admin_of: Arc::default(),
            streets: Arc::default(),
            branch_compounds: Arc::default(),
            label: Arc::from("anonymous"),
        }
    }

    /// The scope of the server's own jobs and command-line actions. It sees nothing through the
    /// tenant filters (jobs query what they need explicitly) and is recorded under `label`.
    pub fn system(streets: impl IntoIterator<Item = Uuid>, label: &str) -> Scope {
        Scope { principal: Principal::System, streets: Arc::new(streets.into_iter().collect()), ..Scope::anonymous() }.labelled(label)
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// An exact identity of the principal (with its ids), for caches keyed by who asks. Labels
    /// are readable but not unique: two streets may each have a community `zhuyuan`.
    pub fn identity(&self) -> String {
        format!("{:?}", self.principal)
    }

    /// Who the principal is, for audit records.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn labelled(mut self, label: &str) -> Scope {
        self.label = Arc::from(label);
        self
    }

    /// `UNAUTHENTICATED` for anonymous callers.
    pub fn require_authenticated(&self) -> AppResult<()> {
        match self.principal {
            Principal::Anonymous => Err(AppError::Unauthenticated("a credential is required".into())),
            _ => Ok(()),
        }
    }

    /// Whether the scope belongs to the server itself.
    pub fn is_system(&self) -> bool {
        self.principal == Principal::System
    }

    /// Communities whose structure is visible, sorted.
    pub fn communities(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.communities.iter().copied()
    }

    pub fn community_count(&self) -> usize {
        self.communities.len()
    }

    pub fn streets(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.streets.iter().copied()
    }

    pub fn sees_community(&self, community_id: Uuid) -> bool {
        self.communities.contains(&community_id)
    }

    pub fn sees_street(&self, street_id: Uuid) -> bool {
        self.streets.contains(&street_id)
    }

    /// The communities the caller is staff of.
    pub fn staff_communities(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.staff_of.iter().copied()
    }

    /// Staff of this community: sees its people and their personal data.
    pub fn is_staff_of(&self, community_id: Uuid) -> bool {
        self.staff_of.contains(&community_id)
    }

    /// The person the caller is, for members.
    pub fn person_id(&self) -> Option<Uuid> {
        match self.principal {
            Principal::Member { person_id } => Some(person_id),
            _ => None,
        }
    }

    /// The unit the caller is, for partner departments.
    pub fn unit_id(&self) -> Option<Uuid> {
        match self.principal {
            Principal::Unit { unit_id, .. } => Some(unit_id),
            _ => None,
        }
    }

    /// Whether personal data of a person seen through `community_id` is shown in clear.
    pub fn reveals_person(&self, community_id: Option<Uuid>, person_id: Uuid) -> bool {
        self.person_id() == Some(person_id) || community_id.is_some_and(|c| self.is_staff_of(c))
    }

    /// The rows this scope may touch, as PostgreSQL's row-level security reads them.
    pub fn row_scope(&self) -> crate::db::RowScope {
        crate::db::RowScope {
            communities: self.communities.iter().copied().collect(),
            streets: self.streets.iter().copied().collect(),
            staff: self.staff_of.iter().copied().collect(),
            person: self.person_id(),
            unit: self.unit_id(),
        }
    }

    /// Filter on a tenant table's `community_id`: the visible communities, or never-true.
    pub fn tenant_filter(&self, column: impl ColumnTrait) -> SimpleExpr {
        in_or_false(column, &self.communities)
    }

    /// Filter on a tenant column: only communities the caller is staff of.
    pub fn staff_filter(&self, column: impl ColumnTrait) -> SimpleExpr {
        in_or_false(column, &self.staff_of)
    }

    /// Rows of the caller's own person, or of communities the caller is staff of: the rule for
    /// volunteers, check-ins and sign-ups. Everyone else sees none.
    pub fn own_or_staff_filter(&self, community: impl ColumnTrait, person: impl ColumnTrait) -> Condition {
        let mut cond = Condition::any().add(in_or_false(community, &self.staff_of));
        if let Some(p) = self.person_id() {
            cond = cond.add(person.eq(p));
        }
        cond
    }

    /// Checks the right to change the organisation graph of a community. Communities outside
    /// the scope answer `NOT_FOUND`, so that ids from other tenants reveal nothing.
    pub fn require_admin(&self, community_id: Uuid) -> AppResult<()> {
        self.require_authenticated()?;
        if !self.sees_community(community_id) {
            return Err(AppError::not_found("community"));
        }
        if !self.admin_of.contains(&community_id) {
            return Err(AppError::Forbidden("only street or community administrators may change the organisation graph".into()));
        }
        Ok(())
    }

    /// Checks that the caller administers a street; `what` names what is managed, for the
    /// refusal. Returns the street (none for the server's own command-line actions).
    pub fn require_street_admin(&self, what: &str) -> AppResult<Option<Uuid>> {
        self.require_authenticated()?;
        match self.principal {
            Principal::StreetAdmin { street_id } => Ok(Some(street_id)),
            Principal::System => Ok(None),
            _ => Err(AppError::Forbidden(format!("{what} are managed by street administrators"))),
        }
    }

    /// Checks the right to do a community's daily work; `action` names what is refused
    /// ("cancel tasks": "only community staff may cancel tasks"). Communities outside the scope
    /// answer `NOT_FOUND`.
    pub fn require_staff(&self, community_id: Uuid, action: &str) -> AppResult<()> {
        self.require_authenticated()?;
        if !self.sees_community(community_id) {
            return Err(AppError::not_found("community"));
        }
        if !self.is_staff_of(community_id) {
            return Err(AppError::Forbidden(format!("only community staff may {action}")));
        }
        Ok(())
    }

    /// Checks the right to post and manage a demand: staff of the community, or, for a demand
    /// at a compound, the secretary of that compound's party branch. Communities outside the
    /// scope answer `NOT_FOUND`.
    pub fn require_demand_manager(&self, community_id: Uuid, compound_id: Option<Uuid>) -> AppResult<()> {
        self.require_authenticated()?;
        if !self.sees_community(community_id) {
            return Err(AppError::not_found("community"));
        }
        if self.is_staff_of(community_id) || compound_id.is_some_and(|c| self.branch_compounds.contains(&(community_id, c))) {
            return Ok(());
        }
        Err(AppError::Forbidden("demands are posted by community staff, or by a compound branch's secretary for that compound".into()))
    }

    /// The compounds whose party branch the caller is secretary of, as (community, compound).
    pub fn branch_compounds(&self) -> impl Iterator<Item = (Uuid, Uuid)> + '_ {
        self.branch_compounds.iter().copied()
    }

    /// The scope of a principal, reading what it needs from the database.
    pub async fn resolve(db: &impl ConnectionTrait, claims: &Claims) -> AppResult<Scope> {
        Ok(Self::resolve_claims(db, claims).await?.labelled(&claims.sub))
    }

    async fn resolve_claims(db: &impl ConnectionTrait, claims: &Claims) -> AppResult<Scope> {
        let unknown = |what: &str| AppError::Unauthenticated(format!("token refers to an unknown {what}"));
        match claims.role {
            Role::CityAdmin => {
                let code = claims.city.as_deref().ok_or_else(|| unknown("city"))?;
                let city = region::Entity::find()
                    .filter(region::Column::Kind.eq(region::RegionKind::City))
                    .filter(region::Column::Code.eq(code))
                    .one(db)
                    .await?
                    .ok_or_else(|| unknown("city"))?;
                let streets: BTreeSet<Uuid> = region::Entity::find()
                    .select_only()
                    .column(region::Column::Id)
                    .filter(region::Column::ParentId.eq(city.id))
                    .into_tuple::<Uuid>()
                    .all(db)
                    .await?
                    .into_iter()
                    .collect();
                let ids = community_ids(db, community::Column::StreetId.is_in(streets.iter().copied())).await?;
                Ok(Scope::build(Principal::CityAdmin { city_id: city.id }, ids, BTreeSet::new(), BTreeSet::new(), streets))
            }
            Role::StreetAdmin | Role::Reporter => {
                let code = claims.street.as_deref().ok_or_else(|| unknown("street"))?;
                let street = region::Entity::find()
                    .filter(region::Column::Kind.eq(region::RegionKind::Street))
                    .filter(region::Column::Code.eq(code))
                    .one(db)
                    .await?
                    .ok_or_else(|| unknown("street"))?;
                let ids = community_ids(db, community::Column::StreetId.eq(street.id)).await?;
                let (principal, staff) = if claims.role == Role::StreetAdmin {
                    (Principal::StreetAdmin { street_id: street.id }, ids.clone())
                } else {
                    (Principal::Reporter { street_id: street.id, community_id: None }, BTreeSet::new())
                };
                let admin = staff.clone();
                Ok(Scope::build(principal, ids, staff, admin, [street.id].into()))
            }
            Role::CommunityAdmin | Role::CommunityStaff => {
                let code = claims.community.as_deref().ok_or_else(|| unknown("community"))?;
                let mut query = community::Entity::find().filter(community::Column::Code.eq(code));
                if let Some(street) = &claims.street {
                    let street_ids = region::Entity::find()
                        .select_only()
                        .column(region::Column::Id)
                        .filter(region::Column::Code.eq(street.as_str()))
                        .into_tuple::<Uuid>()
                        .all(db)
                        .await?;
                    query = query.filter(community::Column::StreetId.is_in(street_ids));
                }
                let mut found = query.limit(2).all(db).await?;
                if found.len() > 1 {
                    return Err(AppError::Unauthenticated("community code is ambiguous: the token must name its street".into()));
                }
                let c = found.pop().ok_or_else(|| unknown("community"))?;
                let one: BTreeSet<Uuid> = [c.id].into();
                let (principal, admin) = if claims.role == Role::CommunityAdmin {
                    (Principal::CommunityAdmin { community_id: c.id }, one.clone())
                } else {
                    (Principal::CommunityStaff { community_id: c.id }, BTreeSet::new())
                };
                Ok(Scope::build(principal, one.clone(), one, admin, [c.street_id].into()))
            }
            Role::Unit => {
                let code = claims.unit.as_deref().ok_or_else(|| unknown("unit"))?;
                let unit = co_building_unit::Entity::find()
                    .filter(co_building_unit::Column::Code.eq(code))
                    .one(db)
                    .await?
                    .ok_or_else(|| unknown("unit"))?;
                let street = match &claims.street {
                    Some(code) => Some(
                        region::Entity::find()
                            .filter(region::Column::Kind.eq(region::RegionKind::Street))
                            .filter(region::Column::Code.eq(code.as_str()))
                            .one(db)
                            .await?
                            .ok_or_else(|| unknown("street"))?
                            .id,
                    ),
                    None => None,
                };
                Scope::for_unit(db, unit.id, street).await
            }
            Role::Member => {
                let id = claims.person.ok_or_else(|| unknown("person"))?;
                let person = person::Entity::find_by_id(id).one(db).await?.ok_or_else(|| unknown("person"))?;
                let memberships: Vec<(Uuid, Uuid, Option<Uuid>)> = party_member::Entity::find()
                    .select_only()
                    .columns([party_member::Column::Id, party_member::Column::CommunityId, party_member::Column::BranchId])
                    .filter(party_member::Column::PersonId.eq(person.id))
                    .into_tuple()
                    .all(db)
                    .await?;
                let mut ids: BTreeSet<Uuid> = memberships.iter().map(|m| m.1).collect();
                ids.extend(person.home_community_id);
                let branch_compounds = led_compounds(db, &memberships).await?;
                let volunteering: Vec<Uuid> = entity::volunteer::Entity::find()
                    .select_only()
                    .column(entity::volunteer::Column::CommunityId)
                    .filter(entity::volunteer::Column::PersonId.eq(person.id))
                    .filter(entity::volunteer::Column::Status.eq(entity::volunteer::VolunteerStatus::Active))
                    .into_tuple::<Uuid>()
                    .all(db)
                    .await?;
                ids.extend(volunteering);
                let checked_in: Vec<Uuid> = entity::check_in::Entity::find()
                    .select_only()
                    .column(entity::check_in::Column::CommunityId)
                    .filter(entity::check_in::Column::PersonId.eq(person.id))
                    .filter(entity::check_in::Column::Status.eq(entity::check_in::CheckInStatus::Approved))
                    .into_tuple::<Uuid>()
                    .all(db)
                    .await?;
                ids.extend(checked_in);
                let streets = streets_of(db, &ids).await?;
                let mut scope = Scope::build(Principal::Member { person_id: person.id }, ids, BTreeSet::new(), BTreeSet::new(), streets);
                scope.branch_compounds = Arc::new(branch_compounds);
                Ok(scope)
            }
        }
    }

    /// The scope of a reporting key: its street's communities, or its one community for a
    /// community key (a community no longer of the street leaves the scope empty).
    pub async fn for_reporter(db: &impl ConnectionTrait, street_id: Uuid, community_id: Option<Uuid>) -> AppResult<Scope> {
        use sea_orm::sea_query::ExprTrait;
        let mut filter = community::Column::StreetId.eq(street_id);
        if let Some(c) = community_id {
            filter = filter.and(community::Column::Id.eq(c));
        }
        let ids = community_ids(db, filter).await?;
        Ok(Scope::build(Principal::Reporter { street_id, community_id }, ids, BTreeSet::new(), BTreeSet::new(), [street_id].into()))
    }

    /// Whether the caller only reads: reporters (by key or by token) never change anything.
    pub fn is_read_only(&self) -> bool {
        match self.principal {
            Principal::Reporter { .. } => true,
            Principal::Anonymous
            | Principal::CityAdmin { .. }
            | Principal::StreetAdmin { .. }
            | Principal::CommunityAdmin { .. }
            | Principal::CommunityStaff { .. }
            | Principal::Unit { .. }
            | Principal::Member { .. }
            | Principal::System => false,
        }
    }

    /// The scope of a partner department: the communities whose joint committee it sits on today,
    /// within `street` when the credential is bound to one (API keys always are).
    pub async fn for_unit(db: &impl ConnectionTrait, unit_id: Uuid, street: Option<Uuid>) -> AppResult<Scope> {
        let today = Utc::now().date_naive();
        let mut select = committee_membership::Entity::find();
        if let Some(street) = street {
            let communities =
                community::Entity::find().select_only().column(community::Column::Id).filter(community::Column::StreetId.eq(street));
            select = select.filter(committee_membership::Column::CommunityId.in_subquery(sea_orm::QueryTrait::into_query(communities)));
        }
        let ids: BTreeSet<Uuid> = select
            .select_only()
            .column(committee_membership::Column::CommunityId)
            .filter(committee_membership::Column::UnitId.eq(unit_id))
            .filter(committee_membership::Column::Since.lte(today))
            .filter(Condition::any().add(committee_membership::Column::Until.is_null()).add(committee_membership::Column::Until.gt(today)))
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let streets = streets_of(db, &ids).await?;
        Ok(Scope::build(Principal::Unit { unit_id, street_id: street }, ids, BTreeSet::new(), BTreeSet::new(), streets))
    }

    /// A scope of `principal` seeing `communities`, staff of `staff_of`: for the nouns' unit tests
    /// of their visibility tables.
    #[cfg(test)]
    pub(crate) fn for_tests(principal: Principal, communities: &[Uuid], staff_of: &[Uuid]) -> Scope {
        let set = |ids: &[Uuid]| ids.iter().copied().collect::<BTreeSet<Uuid>>();
        Scope::build(principal, set(communities), set(staff_of), BTreeSet::new(), BTreeSet::new())
    }

    /// A scope like [`Scope::for_tests`] whose communities lie in `street`.
    #[cfg(test)]
    pub(crate) fn for_tests_in_street(principal: Principal, communities: &[Uuid], staff_of: &[Uuid], street: Uuid) -> Scope {
        let set = |ids: &[Uuid]| ids.iter().copied().collect::<BTreeSet<Uuid>>();
        Scope::build(principal, set(communities), set(staff_of), BTreeSet::new(), [street].into())
    }

    fn build(
        principal: Principal,
        communities: BTreeSet<Uuid>,
        staff_of: BTreeSet<Uuid>,
        admin_of: BTreeSet<Uuid>,
        streets: BTreeSet<Uuid>,
    ) -> Scope {
        // Rights never reach beyond what is visible.
        let staff_of = staff_of.intersection(&communities).copied().collect();
        let admin_of = admin_of.intersection(&communities).copied().collect();
        Scope {
            principal,
            communities: Arc::new(communities),
            staff_of: Arc::new(staff_of),
            admin_of: Arc::new(admin_of),
            streets: Arc::new(streets),
            branch_compounds: Arc::default(),
            label: Arc::from(""),
        }
    }
}

/// Whether the scope's tenant filters name their communities: always, but in the test suite's
/// proof that row-level security holds alone (see [`drop_tenant_filters_for_tests`]).
static TENANT_FILTERS: AtomicBool = AtomicBool::new(true);

/// Makes the service layer forget its tenant filters, for the whole process: every filter of
/// the scope on a tenant table's `community_id` ([`Scope::tenant_filter`],
/// [`Scope::staff_filter`], [`Scope::own_or_staff_filter`]) admits any community, as a forgotten
/// filter would, while a caller with no community at all (or none as staff) still gets none.
/// Only PostgreSQL's row-level security then keeps the tenants' rows in scope. The filters on
/// the `community` table itself stay: communities are shared reference data (a person's rows
/// name the community they were kept in, an audit record its street), not a tenant's rows. For the test suite
/// (`GONGZHI_TEST_SERVICE_FILTERS=off` on PostgreSQL); the server never calls it.
pub fn drop_tenant_filters_for_tests() {
    TENANT_FILTERS.store(false, Ordering::SeqCst);
}

fn in_or_false(column: impl ColumnTrait, ids: &BTreeSet<Uuid>) -> SimpleExpr {
    let filtered = TENANT_FILTERS.load(Ordering::Relaxed) || column.entity_name().to_string() == "community";
    match (ids.is_empty(), filtered) {
        (true, _) => Expr::cust("1 = 0"),
        (false, true) => column.is_in(ids.iter().copied()),
        (false, false) => Expr::cust("1 = 1"),
    }
}

async fn community_ids(db: &impl ConnectionTrait, filter: SimpleExpr) -> AppResult<BTreeSet<Uuid>> {
    Ok(community::Entity::find()
        .select_only()
        .column(community::Column::Id)
        .filter(filter)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The (community, compound) of each compound branch one of `memberships` (id, community,
/// branch) is secretary of, while still a member of that branch.
async fn led_compounds(db: &impl ConnectionTrait, memberships: &[(Uuid, Uuid, Option<Uuid>)]) -> AppResult<BTreeSet<(Uuid, Uuid)>> {
    if memberships.is_empty() {
        return Ok(BTreeSet::new());
    }
    let led: Vec<(Uuid, Uuid, Option<Uuid>, Option<Uuid>)> = party_organization::Entity::find()
        .select_only()
        .columns([
            party_organization::Column::Id,
            party_organization::Column::CommunityId,
            party_organization::Column::CompoundId,
            party_organization::Column::SecretaryId,
        ])
        .filter(party_organization::Column::CommunityId.is_in(memberships.iter().map(|m| m.1)))
        .filter(party_organization::Column::SecretaryId.is_in(memberships.iter().map(|m| m.0)))
        .filter(party_organization::Column::Kind.eq(party_organization::OrganizationKind::CompoundBranch))
        .into_tuple()
        .all(db)
        .await?;
    Ok(led
        .into_iter()
        .filter(|(org, community, _, secretary)| {
            memberships.iter().any(|(id, c, branch)| Some(*id) == *secretary && c == community && *branch == Some(*org))
        })
        .filter_map(|(_, community, compound, _)| compound.map(|c| (community, c)))
        .collect())
}

async fn streets_of(db: &impl ConnectionTrait, communities: &BTreeSet<Uuid>) -> AppResult<BTreeSet<Uuid>> {
    if communities.is_empty() {
        return Ok(BTreeSet::new());
    }
    Ok(community::Entity::find()
        .select_only()
        .column(community::Column::StreetId)
        .filter(community::Column::Id.is_in(communities.iter().copied()))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_scope_sees_nothing_and_cannot_act() {
        let scope = Scope::default();
        assert_eq!(scope.community_count(), 0);
        assert!(!scope.sees_community(Uuid::nil()));
        assert!(matches!(scope.require_admin(Uuid::nil()), Err(AppError::Unauthenticated(_))));
        assert!(!scope.reveals_person(Some(Uuid::nil()), Uuid::nil()));
    }

    #[test]
    fn reporters_by_key_or_token_only_read() {
        let (street, c) = (Uuid::now_v7(), Uuid::now_v7());
        for community_id in [None, Some(c)] {
            assert!(Scope::for_tests(Principal::Reporter { street_id: street, community_id }, &[c], &[]).is_read_only());
        }
        assert!(!Scope::for_tests(Principal::StreetAdmin { street_id: street }, &[c], &[c]).is_read_only());
        assert!(!Scope::system([street], "system:test").is_read_only());
    }

    #[test]
    fn rights_never_exceed_visibility() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let scope = Scope::build(Principal::CommunityAdmin { community_id: a }, [a].into(), [a, b].into(), [a, b].into(), BTreeSet::new());
        assert!(scope.is_staff_of(a));
        assert!(!scope.is_staff_of(b));
        assert!(matches!(scope.require_admin(b), Err(AppError::NotFound(_))));
    }
}
