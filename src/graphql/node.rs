//! Relay global object identification: opaque ids and the `Node` interface.

use async_graphql::{ID, Interface};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

use crate::collaboration::graphql::{Assignment, Campaign, Inspection, Site, Task, TaskEvent};
use crate::error::{AppError, AppResult};
use crate::organisation::graphql::{CoBuildingUnit, CommitteeMembership, Community, Compound, PartyMember, PartyOrganization, Street};
use crate::volunteers::graphql::{Activity, CheckIn, Demand, SignUp, Volunteer};

/// The type names that global ids carry.
pub mod kind {
    pub const STREET: &str = "Street";
    pub const COMMUNITY: &str = "Community";
    pub const COMPOUND: &str = "Compound";
    pub const PARTY_ORGANIZATION: &str = "PartyOrganization";
    pub const PARTY_MEMBER: &str = "PartyMember";
    pub const CO_BUILDING_UNIT: &str = "CoBuildingUnit";
    pub const COMMITTEE_MEMBERSHIP: &str = "CommitteeMembership";
    pub const AUDIT_RECORD: &str = "AuditRecord";
    pub const CAMPAIGN: &str = "Campaign";
    pub const SITE: &str = "Site";
    pub const TASK: &str = "Task";
    pub const ASSIGNMENT: &str = "Assignment";
    pub const TASK_EVENT: &str = "TaskEvent";
    pub const INSPECTION: &str = "Inspection";
    pub const FINDING: &str = "Finding";
    pub const API_KEY: &str = "ApiKey";
    pub const SERVICE_CATEGORY: &str = "ServiceCategory";
    pub const VOLUNTEER: &str = "Volunteer";
    pub const CHECK_IN: &str = "CheckIn";
    pub const DEMAND: &str = "Demand";
    pub const INVITATION: &str = "Invitation";
    pub const ACTIVITY: &str = "Activity";
    pub const SIGN_UP: &str = "SignUp";
}

/// The global id of an object: base64 of `Type:uuid`.
pub fn global_id(kind: &str, id: Uuid) -> ID {
    ID(STANDARD.encode(format!("{kind}:{id}")))
}

/// Splits a global id into its type name and uuid.
pub fn parse_global_id(id: &str) -> Option<(String, Uuid)> {
    let raw = STANDARD.decode(id).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((kind.to_owned(), Uuid::parse_str(uuid).ok()?))
}

/// Decodes an id argument that must name an object of `kind`; `field` names the argument in errors.
pub fn expect_id(id: &ID, kind: &str, field: &str) -> AppResult<Uuid> {
    match parse_global_id(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        Some((k, _)) => Err(AppError::bad_input(field, format!("expected the id of a {kind}, got a {k}"))),
        None => Err(AppError::bad_input(field, "not a valid id")),
    }
}

/// An object with a global id, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Globally unique, opaque id."))]
pub enum Node {
    Street(Street),
    Community(Community),
    Compound(Compound),
    PartyOrganization(PartyOrganization),
    PartyMember(PartyMember),
    CoBuildingUnit(CoBuildingUnit),
    CommitteeMembership(CommitteeMembership),
    Campaign(Campaign),
    Site(Site),
    Task(Task),
    Assignment(Assignment),
    TaskEvent(TaskEvent),
    Inspection(Inspection),
    Volunteer(Volunteer),
    CheckIn(CheckIn),
    Demand(Demand),
    Activity(Activity),
    SignUp(SignUp),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_check_kind() {
        let uuid = Uuid::now_v7();
        let id = global_id(kind::COMMUNITY, uuid);
        assert_eq!(parse_global_id(&id), Some(("Community".to_owned(), uuid)));
        assert_eq!(expect_id(&id, kind::COMMUNITY, "id").unwrap(), uuid); // ok: test
        assert!(expect_id(&id, kind::COMPOUND, "id").is_err());
        assert!(parse_global_id("%%%").is_none());
    }
}
