//! Rules of the organisation graph, one file per sub-noun (the same names as in `graphql/`).
//! Every function takes the request's scope first; reads are filtered by it (see
//! `organisation::visibility`) and writes are checked against it. Each mutation writes through
//! one unit of work (`crate::write::Write`).

use chrono::{NaiveDate, Utc};
use entity::co_building_unit;
use entity::committee_membership::{self, MembershipRole};
use entity::community;
use entity::compound::{self, CompoundKind};
use entity::party_member::{self, MemberKind};
use entity::party_organization::{self, OrganizationKind};
use entity::{person, region};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use sha2::Sha256;
use uuid::Uuid;

use crate::cx::Cx;
use crate::db::{conflict_on_unique, guarded_update};
use crate::error::{AppError, AppResult};
use crate::organisation::ids::{CommunityId, CompoundId, MemberId, OrganizationId, PersonId, UnitId};
use crate::organisation::loaders::active_membership;
use crate::organisation::visibility;
use crate::paging::{Page, PageArgs};
use crate::validate::{check_version, clean_name, clean_optional, clean_phone};
use crate::write::{Audit, Write};

mod committees;
mod compounds;
mod directory;
mod figures;
mod members;
mod party;
mod viewer;

pub use committees::*;
pub use compounds::*;
pub use directory::*;
pub use figures::*;
pub use members::*;
pub use party::*;
pub use viewer::*;
