//! Rules of the party-masses volunteer service (党群义工平台), one file per sub-noun (the same
//! names as in `graphql/`): categories, volunteers and their resource list, check-ins (报到), the
//! demand list and invitations, activities with capacity and a waiting list, attendance and
//! service hours, matching and statistics. Every function takes the request's context first;
//! each mutation writes through the unit of work (`crate::write::Write`).

mod activities;
mod attendance;
mod categories;
mod check_ins;
mod demands;
pub mod matching;
pub mod stats;
mod volunteers;

pub use activities::*;
pub use attendance::*;
pub use categories::*;
pub use check_ins::*;
pub use demands::*;
pub use volunteers::*;
