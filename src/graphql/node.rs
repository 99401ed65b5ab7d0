//! The root of Relay object identification: the `Node` interface over every noun's types, and
//! `node(id:)` / `nodes(ids:)` with one dispatch. Naming every noun is this file's job.

use async_graphql::{Context, ID, Interface, Object, Result};

use crate::audit::graphql::AuditRecord;
use crate::collaboration::graphql::{
    ApiKey, Assignment, Campaign, CollabNode, Finding, Inspection, Site, Task, TaskEvent, Webhook, WebhookDelivery,
};
use crate::deliberation::graphql::{
    ActionItem, AgendaItem, Appeal, AppealEvent, BoardAppeal, DeliberationNode, Enterprise, Meeting, MeetingParticipant, Pledge, Venue,
};
use crate::error::AppError;
use crate::graphql::context::rc;
pub use crate::graphql::ids::parse_global_id;
use crate::home::graphql::{
    ArrearsCase, ArrearsContact, Building, BuildingLeader, Home, HomeNode, LedgerEntry, OwnersCommittee, Project, ProjectMilestone,
    PropertyManager, Residence,
};
use crate::innovation::graphql::{CaseScore, InnovationCase, InnovationNode, RoundReviewer, SelectionRound};
// The id helpers, where callers outside the crate (the tests, the command line) have found them.
pub use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::{
    City, CoBuildingUnit, CommitteeMembership, Community, Compound, OrgNode, PartyMember, PartyOrganization, Person, Street,
};
use crate::reporting::graphql::ReportingKey;
use crate::volunteers::graphql::{Activity, CheckIn, Demand, Invitation, ServiceCategory, SignUp, Volunteer, VolunteerNode};

/// An object with a global id, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Globally unique, opaque id."))]
pub enum Node {
    City(City),
    Street(Street),
    Community(Community),
    Compound(Compound),
    PartyOrganization(PartyOrganization),
    PartyMember(PartyMember),
    CoBuildingUnit(CoBuildingUnit),
    CommitteeMembership(CommitteeMembership),
    Person(Person),
    Campaign(Campaign),
    Site(Site),
    Task(Task),
    Assignment(Assignment),
    TaskEvent(TaskEvent),
    Inspection(Inspection),
    Finding(Finding),
    ApiKey(ApiKey),
    Webhook(Webhook),
    WebhookDelivery(WebhookDelivery),
    Volunteer(Volunteer),
    CheckIn(CheckIn),
    Demand(Demand),
    Activity(Activity),
    SignUp(SignUp),
    Invitation(Invitation),
    ServiceCategory(ServiceCategory),
    Home(Home),
    Building(Building),
    OwnersCommittee(OwnersCommittee),
    PropertyManager(PropertyManager),
    BuildingLeader(BuildingLeader),
    Residence(Residence),
    Project(Project),
    ProjectMilestone(ProjectMilestone),
    LedgerEntry(LedgerEntry),
    ArrearsCase(ArrearsCase),
    ArrearsContact(ArrearsContact),
    SelectionRound(SelectionRound),
    RoundReviewer(RoundReviewer),
    InnovationCase(InnovationCase),
    CaseScore(CaseScore),
    Venue(Venue),
    Enterprise(Enterprise),
    Appeal(Appeal),
    BoardAppeal(BoardAppeal),
    Meeting(Meeting),
    AgendaItem(AgendaItem),
    ActionItem(ActionItem),
    Pledge(Pledge),
    MeetingParticipant(MeetingParticipant),
    AppealEvent(AppealEvent),
    ReportingKey(ReportingKey),
    AuditRecord(AuditRecord),
}

impl From<OrgNode> for Node {
    fn from(n: OrgNode) -> Self {
        match n {
            OrgNode::City(x) => Node::City(x),
            OrgNode::Street(x) => Node::Street(x),
            OrgNode::Community(x) => Node::Community(x),
            OrgNode::Compound(x) => Node::Compound(x),
            OrgNode::PartyOrganization(x) => Node::PartyOrganization(x),
            OrgNode::PartyMember(x) => Node::PartyMember(x),
            OrgNode::CoBuildingUnit(x) => Node::CoBuildingUnit(x),
            OrgNode::CommitteeMembership(x) => Node::CommitteeMembership(x),
            OrgNode::Person(x) => Node::Person(x),
        }
    }
}

impl From<CollabNode> for Node {
    fn from(n: CollabNode) -> Self {
        match n {
            CollabNode::Campaign(x) => Node::Campaign(x),
            CollabNode::Site(x) => Node::Site(x),
            CollabNode::Task(x) => Node::Task(x),
            CollabNode::Assignment(x) => Node::Assignment(x),
            CollabNode::TaskEvent(x) => Node::TaskEvent(x),
            CollabNode::Inspection(x) => Node::Inspection(x),
            CollabNode::Finding(x) => Node::Finding(x),
            CollabNode::ApiKey(x) => Node::ApiKey(x),
            CollabNode::Webhook(x) => Node::Webhook(x),
            CollabNode::WebhookDelivery(x) => Node::WebhookDelivery(x),
        }
    }
}

impl From<VolunteerNode> for Node {
    fn from(n: VolunteerNode) -> Self {
        match n {
            VolunteerNode::Volunteer(x) => Node::Volunteer(x),
            VolunteerNode::CheckIn(x) => Node::CheckIn(x),
            VolunteerNode::Demand(x) => Node::Demand(x),
            VolunteerNode::Activity(x) => Node::Activity(x),
            VolunteerNode::SignUp(x) => Node::SignUp(x),
            VolunteerNode::Invitation(x) => Node::Invitation(x),
            VolunteerNode::ServiceCategory(x) => Node::ServiceCategory(x),
        }
    }
}

impl From<HomeNode> for Node {
    fn from(n: HomeNode) -> Self {
        match n {
            HomeNode::Home(x) => Node::Home(x),
            HomeNode::Building(x) => Node::Building(x),
            HomeNode::OwnersCommittee(x) => Node::OwnersCommittee(x),
            HomeNode::PropertyManager(x) => Node::PropertyManager(x),
            HomeNode::BuildingLeader(x) => Node::BuildingLeader(*x),
            HomeNode::Residence(x) => Node::Residence(x),
            HomeNode::Project(x) => Node::Project(x),
            HomeNode::ProjectMilestone(x) => Node::ProjectMilestone(x),
            HomeNode::LedgerEntry(x) => Node::LedgerEntry(x),
            HomeNode::ArrearsCase(x) => Node::ArrearsCase(x),
            HomeNode::ArrearsContact(x) => Node::ArrearsContact(x),
        }
    }
}

impl From<InnovationNode> for Node {
    fn from(n: InnovationNode) -> Self {
        match n {
            InnovationNode::SelectionRound(x) => Node::SelectionRound(x),
            InnovationNode::RoundReviewer(x) => Node::RoundReviewer(x),
            InnovationNode::InnovationCase(x) => Node::InnovationCase(x),
            InnovationNode::CaseScore(x) => Node::CaseScore(x),
        }
    }
}

impl From<DeliberationNode> for Node {
    fn from(n: DeliberationNode) -> Self {
        match n {
            DeliberationNode::Venue(x) => Node::Venue(x),
            DeliberationNode::Enterprise(x) => Node::Enterprise(x),
            DeliberationNode::Appeal(x) => Node::Appeal(*x),
            DeliberationNode::BoardAppeal(x) => Node::BoardAppeal(*x),
            DeliberationNode::Meeting(x) => Node::Meeting(*x),
            DeliberationNode::AgendaItem(x) => Node::AgendaItem(x),
            DeliberationNode::ActionItem(x) => Node::ActionItem(x),
            DeliberationNode::Pledge(x) => Node::Pledge(x),
            DeliberationNode::MeetingParticipant(x) => Node::MeetingParticipant(x),
            DeliberationNode::AppealEvent(x) => Node::AppealEvent(x),
        }
    }
}

/// Resolves a global id through the nouns' scoped loaders; unknown or out-of-scope ids give null.
async fn resolve(ctx: &Context<'_>, id: &ID) -> Result<Option<Node>, AppError> {
    let Some((k, uuid)) = parse_global_id(id) else { return Ok(None) };
    if let Some(n) = crate::organisation::graphql::resolve_node(ctx, &k, uuid).await? {
        return Ok(Some(n.into()));
    }
    if let Some(n) = crate::collaboration::graphql::resolve_node(ctx, &k, uuid).await? {
        return Ok(Some(n.into()));
    }
    if let Some(n) = crate::volunteers::graphql::resolve_node(ctx, &k, uuid).await? {
        return Ok(Some(n.into()));
    }
    if let Some(n) = crate::home::graphql::resolve_node(ctx, &k, uuid).await? {
        return Ok(Some(n.into()));
    }
    if let Some(n) = crate::innovation::graphql::resolve_node(ctx, &k, uuid).await? {
        return Ok(Some(n.into()));
    }
    if k == crate::reporting::graphql::kind::REPORTING_KEY {
        let key = crate::reporting::keys::get(&rc(ctx)?.cx, uuid).await?;
        return Ok(key.map(|k| Node::ReportingKey(ReportingKey(k))));
    }
    if k == crate::audit::graphql::kind::AUDIT_RECORD {
        let record = crate::audit::service::audit_record(&rc(ctx)?.cx, uuid).await?;
        return Ok(record.map(|r| Node::AuditRecord(AuditRecord(r))));
    }
    Ok(crate::deliberation::graphql::resolve_node(ctx, &k, uuid).await?.map(Node::from))
}

/// `node(id:)` and `nodes(ids:)`.
#[derive(Default)]
pub struct NodeQuery;

/// `node(id:)` and `nodes(ids:)`.
#[Object]
impl NodeQuery {
    /// Refetches any object by its global id; null when it does not exist or is outside the caller's scope.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn node(&self, ctx: &Context<'_>, #[graphql(desc = "A global id.")] id: ID) -> Result<Option<Node>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        Ok(resolve(ctx, &id).await?)
    }

    /// Refetches many objects by global id, in order; null for each that is missing or out of scope.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn nodes(&self, ctx: &Context<'_>, #[graphql(desc = "At most 100 global ids.")] ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        if ids.len() > 100 {
            return Err(AppError::bad_input("ids", "at most 100 ids").into());
        }
        // All at once, so that the loaders fetch each kind of object in one statement.
        Ok(futures_util::future::try_join_all(ids.iter().map(|id| resolve(ctx, id))).await?)
    }
}
