//! The audit log: every mutation writes one record in its own transaction (who, principal kind,
//! community, action, object, a summary of the change, request id, time). Street and community
//! administrators read it, scoped.

pub mod graphql;
pub mod service;
pub mod visibility;
