//! Fixture builders: the objects a test needs, made for that test and named in it, so a test
//! reads like the spec instead of leaning on the demo street's rows by name ("zhuyuan",
//! "police", "12 units").
//!
//! ```ignore
//! let songyuan = Fixture::community(&app, "松园").await;
//! let clinic = Fixture::unit(&app, "松园卫生站").await.seated_in(&app, &songyuan).await;
//! let task = Fixture::task(&app, &songyuan, "排水沟堵塞").await;
//! let share = task.share(&app, &clinic, "LEAD").await;
//! ```
//!
//! New communities join the demo street (`meiling-street`), so `app.street_admin()` sees them;
//! codes are fresh per fixture, so two tests never share a row.

use entity::{co_building_unit, committee_membership, community, party_organization, region};
use gongzhi::auth::Role;
use gongzhi::graphql::node::global_id;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::collab_support;
use crate::support::TestApp;

/// The builders.
pub struct Fixture;

/// A community made for one test, with its joint committee and no seated units yet.
pub struct Community {
    pub uuid: Uuid,
    /// Its global id.
    pub id: String,
    pub code: String,
    /// Its joint committee.
    pub committee: Uuid,
}

impl Community {
    /// A token of the community's staff.
    pub fn staff(&self, app: &TestApp) -> String {
        app.token(Role::CommunityStaff, &self.code)
    }

    /// A token of the community's administrator.
    pub fn admin(&self, app: &TestApp) -> String {
        app.token(Role::CommunityAdmin, &self.code)
    }
}

/// A co-building unit made for one test.
pub struct Unit {
    pub uuid: Uuid,
    /// Its global id.
    pub id: String,
    pub code: String,
}

impl Unit {
    /// A token of the unit.
    pub fn token(&self, app: &TestApp) -> String {
        app.token(Role::Unit, &self.code)
    }

    /// Seats the unit on the community's joint committee (a member unit since 2020).
    pub async fn seated_in(self, app: &TestApp, community: &Community) -> Unit {
        committee_membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community.uuid),
            committee_id: Set(community.committee),
            unit_id: Set(self.uuid),
            role: Set(committee_membership::MembershipRole::MemberUnit),
            since: Set(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
            until: Set(None),
            version: Set(1),
            created_at: Set(chrono::Utc::now()),
        }
        .insert(&app.db)
        .await
        .unwrap();
        self
    }
}

/// A task made for one test through the API, as the community's staff would.
pub struct Task {
    /// Its global id.
    pub id: String,
    community_code: String,
}

impl Task {
    /// Assigns the task a share for `unit` in `role` (`LEAD` or `SUPPORT`); returns the share's id.
    pub async fn share(&self, app: &TestApp, unit: &Unit, role: &str) -> String {
        collab_support::assign(app, &self.community_code, &self.id, &unit.id, role).await
    }
}

/// A code no other fixture or demo row has.
fn fresh_code(prefix: &str) -> String {
    format!("{prefix}-{}", &Uuid::now_v7().simple().to_string()[20..])
}

impl Fixture {
    /// A community of the demo street named `name`, with a joint committee.
    pub async fn community(app: &TestApp, name: &str) -> Community {
        let street =
            region::Entity::find().filter(region::Column::Code.eq("meiling-street")).one(&app.db).await.unwrap().expect("the demo street");
        let now = chrono::Utc::now();
        let c = community::ActiveModel {
            id: Set(Uuid::now_v7()),
            street_id: Set(street.id),
            code: Set(fresh_code("community")),
            name: Set(name.to_owned()),
            created_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        let committee = party_organization::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(c.id),
            kind: Set(party_organization::OrganizationKind::JointCommittee),
            name: Set(format!("{name}联合党委")),
            parent_id: Set(None),
            compound_id: Set(None),
            founded_on: Set(None),
            secretary_id: Set(None),
            version: Set(1),
            created_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        Community { uuid: c.id, id: global_id("Community", c.id).to_string(), code: c.code, committee: committee.id }
    }

    /// A co-building unit named `name`, seated nowhere yet.
    pub async fn unit(app: &TestApp, name: &str) -> Unit {
        let u = co_building_unit::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(fresh_code("unit")),
            name: Set(name.to_owned()),
            kind: Set(co_building_unit::UnitKind::Other),
            created_at: Set(chrono::Utc::now()),
        }
        .insert(&app.db)
        .await
        .unwrap();
        Unit { uuid: u.id, id: global_id("CoBuildingUnit", u.id).to_string(), code: u.code }
    }

    /// A task of `community` titled `title`, created by its staff, with no shares yet.
    pub async fn task(app: &TestApp, community: &Community, title: &str) -> Task {
        let id = collab_support::task(app, &community.code, &community.id, title, None).await;
        Task { id, community_code: community.code.clone() }
    }
}
