//! The volunteer service's ids: one newtype per kind of row, parsed once at the GraphQL edge and
//! taken by the service's functions, so that two ids cannot be swapped. The DataLoaders look rows
//! up by the same keys.

use crate::graphql::batch::loader_key;

loader_key!(/// A service category.
    CategoryId);
loader_key!(/// A volunteer.
    VolunteerId);
loader_key!(/// A check-in.
    CheckInId);
loader_key!(/// A demand.
    DemandId);
loader_key!(/// An invitation to a demand.
    InvitationId);
loader_key!(/// An activity.
    ActivityId);
loader_key!(/// A sign-up for an activity.
    SignUpId);
