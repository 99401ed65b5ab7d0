//! Rules of innovation-case selection, one file per sub-noun (the same names as in `graphql/`):
//! rounds (opening with criteria and reviewers, closing with the selection), cases (submitting,
//! listing, the ranking) and scores. Every function takes the request's context first; each
//! mutation writes through the unit of work (`crate::write::Write`).

mod cases;
mod rounds;
mod scores;

pub use cases::*;
pub use rounds::*;
pub use scores::*;
