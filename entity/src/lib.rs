//! sea-orm entities of gongzhi: plain rows, no API concerns.
pub mod audit_log;
pub mod co_building_unit;
pub mod committee_membership;
pub mod community;
pub mod compound;
pub mod party_member;
pub mod party_organization;
pub mod person;
pub mod region;
