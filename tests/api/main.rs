//! Integration tests of gongzhi: one binary, the real router in-process, a database per test.
//! A test of the data is two tests, `<name>::sqlite` and `<name>::postgres` (see `backends.rs`);
//! the PostgreSQL ones run when `TEST_DATABASE_URL` is set. HTTP-level tests run on SQLite only.

// `clippy.toml` allows unwrap and expect only inside `#[test]` functions, not in the helpers
// of an integration-test crate; here a failed unwrap is a failed test, as it should be.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a test that cannot go on fails by panicking")]

#[macro_use]
mod backends;
mod collab_support;
mod fixtures;
mod support;

mod audit;
mod bad_input;
mod cli;
mod collaboration;
mod connections;
mod corners;
mod deliberation;
mod escalation;
mod feed;
mod frontends;
pub mod home;
mod http;
mod inline;
mod innovation;
mod limits;
mod mutations;
mod observability;
mod oidc;
mod partner;
mod persisted;
pub mod reporting;
mod rls;
mod schema;
mod seed;
mod spec;
mod sql_count;
mod streets;
pub mod subscriptions;
mod tenancy;
mod transitions;
mod volunteers;
mod webhooks;
