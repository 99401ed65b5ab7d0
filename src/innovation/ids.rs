//! Innovation-case selection's ids: one newtype per kind of row, parsed once at the GraphQL edge
//! and taken by the service, so that a round and a case cannot be swapped. The DataLoaders look
//! rows up by the same keys.

use crate::graphql::batch::loader_key;

loader_key!(/// A selection round.
    RoundId);
loader_key!(/// A reviewer of a round.
    ReviewerId);
loader_key!(/// An innovation case.
    CaseId);
loader_key!(/// A reviewer's score of a case.
    ScoreId);
