//! Platform 5: home co-building (家园共建平台). A compound seen as its residents run it (a
//! [`graphql::Home`]): its buildings and lanes (楼栋 / 街巷), its owners' committee (业委会) and
//! property manager (物业, or the owners' self-management group 物业自治小组) with their
//! history, and the party members who lead its buildings and lanes, chosen by two-way selection
//! (党员楼(街巷)长, 双向选择).
//!
//! Home names organisation (compounds, members, people) and nothing else; organisation does not
//! know it, so a compound's home is reached from `home(compoundId:)`, `homes(communityId:)`,
//! `node(id:)`, and leads back to its compound through `Home.compound`.

pub mod demo;
pub mod graphql;
pub mod ids;
pub mod loaders;
pub mod reporting;
pub mod service;
pub mod visibility;

pub use graphql::kind;
