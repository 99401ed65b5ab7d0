//! Innovation-case selection (创新案例评选), platform 1's way of learning from its own work:
//! organisations (a party branch, a joint committee, a co-building unit) submit cases of
//! governance innovation on one of the five platforms; street staff open a selection round with
//! criteria and reviewers; each reviewer scores each case once, never one from their own
//! organisation or community; the ranking is the total, then the earliest submission; closing
//! the round selects the best and publishes them, read-only, to every community of the street.
//! [`visibility`] says who sees what.

pub mod demo;
pub mod graphql;
pub mod ids;
pub mod loaders;
pub mod service;
pub mod visibility;
