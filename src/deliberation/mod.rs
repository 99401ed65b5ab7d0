//! Platform 4: consultative democracy (协商民主平台). Every request has a place to be raised,
//! someone to discuss it, someone to answer it and someone to carry it out (有地方说、有人商量、
//! 有人回应、有人抓落实): the community's deliberation centre (社区事务协商议事中心) and the
//! compounds' deliberation stations (小区议事站) with their convenors ([`graphql::Venue`]);
//! appeals (诉求, [`graphql::Appeal`]) raised by residents for their compound, or by staff for an
//! enterprise (我为企业解难题) or an organisation, handled at a tier (COMPOUND → COMMUNITY →
//! STREET) through one workflow table ([`workflow`]), with deadlines that move an appeal past
//! them up a tier (`service::escalate_overdue_appeals`); residents' supports (附议); and the
//! public board (`BoardAppeal`) with no personal data.
//!
//! Deliberation names organisation (communities, compounds, people, units) and home (where a
//! resident lives: `home::visibility::dwelling`); neither knows it.

pub mod demo;
pub mod graphql;
pub mod ids;
pub mod live;
pub mod loaders;
pub mod reporting;
pub mod service;
pub mod visibility;
pub mod workflow;
