//! 共治 gongzhi: a multi-tenant GraphQL backend for the co-governance of a city street and its
//! communities. See README.md for how to run it and DESIGN notes in the module docs.

pub mod audit;
pub mod auth;
pub mod changes;
pub mod collaboration;
pub mod config;
pub mod cx;
pub mod db;
pub mod demo;
pub mod error;
pub mod graphql;
pub mod http;
pub mod logging;
pub mod organisation;
pub mod paging;
pub mod validate;
pub mod volunteers;
pub mod write;

pub use graphql::schema;
pub use http::{AppState, app};
