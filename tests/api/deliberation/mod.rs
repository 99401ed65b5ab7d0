//! Consultative democracy: venues and enterprises, appeals raised by residents and through staff,
//! the transition table of the appeal workflow, racing actions, and an audit record per mutation.

use serde_json::{Value, json};

use crate::audit::{audited, refused};
use crate::fixtures::Fixture;
use crate::support::TestApp;

use fixtures::{Neighbourhood, RAISE, at, raise};

mod accepting;
mod audit;
mod board;
mod deadlines;
mod demo;
pub mod fixtures;
mod live;
pub mod meetings;
mod pledges;
mod raising;
mod stats;
mod transitions;

/// The error code of a response, if any.
pub fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

pub const ACCEPT: &str = "mutation($i: AppealActionInput!) { acceptAppeal(input: $i) { appeal { id state version } } }";
pub const APPEALS: &str = r#"query($c: ID) { appeals(communityId: $c, first: 100) { totalCount edges { node {
    id title state tier raiserKind raiser { id name phone personalDataVisible } compound { id } photos } } } }"#;
