//! The organisation graph's typed ids: parsed once at the GraphQL edge, taken by the service
//! and used as the loaders' keys, so that two ids of different kinds cannot be swapped. Other
//! nouns take the ids of organisation's rows (a task's community, a share's unit) from here.

use uuid::Uuid;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $name(pub Uuid);

            impl std::fmt::Display for $name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    self.0.fmt(f)
                }
            }
        )*
    };
}

ids! {
    /// A city (visible when the scope reaches into one of its streets).
    CityId;
    /// A street (visible when the scope reaches into it).
    StreetId;
    /// A community.
    CommunityId;
    /// A compound.
    CompoundId;
    /// A party organisation: a joint committee or a branch.
    OrganizationId;
    /// A unit's seat on a joint committee.
    MembershipId;
    /// A co-building unit.
    UnitId;
    /// A party member (a person's registration in a community).
    MemberId;
    /// A person.
    PersonId;
}
