//! Platform 1: the party-building organisation graph (党建引领平台): streets, communities,
//! compounds, party organisations, members and the co-building units on joint committees.

pub mod graphql;
pub mod ids;
pub mod loaders;
pub mod reporting;
pub mod service;
pub mod visibility;
