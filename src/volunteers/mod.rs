//! Platform 2: the party-masses volunteer service (党群义工平台): categories of the demand list,
//! volunteers and their resource list, check-ins of in-service members (报到), demands matched
//! with volunteers (供需精准对接), activities with a waiting list, attendance, service records
//! and statistics computed from the records.

pub mod demo;
pub mod graphql;
pub mod ids;
pub mod loaders;
pub mod reporting;
pub mod service;
pub mod visibility;

pub use service::{matching, stats};
