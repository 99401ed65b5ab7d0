//! The parties of consultative democracy: who takes part in a meeting or owns an action item,
//! as inputs name them and answers show them.

use async_graphql::{Enum, ID, InputObject};
use uuid::Uuid;

use super::kind;
use crate::deliberation::service::Party;
use crate::error::AppError;
use crate::graphql::ids::{expect_id, global_id};

/// Who takes part in a meeting or owns an action item.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::meeting_participant::PartyKind")]
pub enum PartyKind {
    /// A person (`partyId` is the person's global id).
    Person,
    /// A party organisation of the community.
    PartyOrganization,
    /// A co-building unit seated on the community's joint committee.
    Unit,
    /// A compound's owners' committee (a participant, never an action's owner).
    OwnersCommittee,
    /// A compound's property manager.
    PropertyManager,
}

/// The global id kind of a party.
fn party_kind_name(kind: entity::meeting_participant::PartyKind) -> &'static str {
    use entity::meeting_participant::PartyKind as K;
    match kind {
        K::Person => crate::organisation::graphql::kind::PERSON,
        K::PartyOrganization => kind::PARTY_ORGANIZATION,
        K::Unit => kind::CO_BUILDING_UNIT,
        K::OwnersCommittee => kind::OWNERS_COMMITTEE,
        K::PropertyManager => kind::PROPERTY_MANAGER,
    }
}

/// A party's global id.
pub fn party_id(kind: entity::meeting_participant::PartyKind, id: Uuid) -> ID {
    global_id(party_kind_name(kind), id)
}

/// A party named in an input: a person by their id, anyone else by their global id.
#[derive(InputObject, Clone)]
pub struct PartyInput {
    /// What kind of party.
    pub kind: PartyKind,
    /// The person's id, or the global id of the organisation, unit, owners' committee or
    /// property manager.
    pub id: ID,
}

pub fn party(input: &PartyInput, field: &str) -> Result<Party, AppError> {
    let kind: entity::meeting_participant::PartyKind = input.kind.into();
    let id = match kind {
        // A person also by the UUID the command line shows.
        entity::meeting_participant::PartyKind::Person => crate::organisation::graphql::person_id(&input.id, field)?.0,
        _ => expect_id(&input.id, party_kind_name(kind), field)?,
    };
    Ok(Party { kind, id })
}
