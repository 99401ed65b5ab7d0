//! Platform 3: multi-department collaboration (多维协作平台). Campaigns span communities; tasks
//! belong to one community, are split across the co-building units on its joint committee,
//! move through an explicit workflow with a timeline, and escalate community → street → city.
//! Partner departments act on their own shares through the API with a key.

pub mod demo;
pub mod graphql;
pub mod loaders;
pub mod reporting;
pub mod service;
pub mod visibility;
pub mod workflow;

pub use service::{escalation, live, partner};
