//! Home co-building's ids: one newtype per kind of row, parsed once at the GraphQL edge and taken
//! by the service, so that two ids cannot be swapped. The DataLoaders look rows up by the same keys.

use crate::graphql::batch::loader_key;

loader_key!(/// A building or lane.
    BuildingId);
loader_key!(/// An owners' committee's term.
    OwnersCommitteeId);
loader_key!(/// A property manager's contract.
    PropertyManagerId);
loader_key!(/// A building leader's selection.
    BuildingLeaderId);
loader_key!(/// A person's residence (a stay in a compound).
    ResidenceId);
loader_key!(/// A renovation project.
    ProjectId);
loader_key!(/// A milestone of a renovation project.
    MilestoneId);
loader_key!(/// An entry of a compound's shared-income ledger.
    LedgerEntryId);
loader_key!(/// A property-fee arrears case.
    ArrearsCaseId);
loader_key!(/// A contact attempt on an arrears case.
    ArrearsContactId);
