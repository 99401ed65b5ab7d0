//! Consultative democracy's ids: one newtype per kind of row, parsed once at the GraphQL edge and
//! taken by the service, so that two ids cannot be swapped. The DataLoaders look rows up by the
//! same keys.

use crate::graphql::batch::loader_key;

loader_key!(/// A deliberation venue (centre or station).
    VenueId);
loader_key!(/// An enterprise named in a community.
    EnterpriseId);
loader_key!(/// An appeal.
    AppealId);
loader_key!(/// A deliberation meeting.
    MeetingId);
loader_key!(/// An item of a meeting's agenda.
    AgendaItemId);
loader_key!(/// An action item of a decision.
    ActionItemId);
loader_key!(/// A party invited to a meeting.
    ParticipantId);
loader_key!(/// One change of an appeal.
    AppealEventId);
