//! Fixture builders: the objects a test needs, made for that test and named in it, so a test
//! reads like the spec instead of leaning on the demo street's rows by name ("zhuyuan",
//! "police", "12 units").
//!
//! ```ignore
//! let songyuan = Fixture::community(&app, "松园").await;
//! let clinic = Fixture::unit(&app, "松园卫生站").await.seated_in(&app, &songyuan).await;
//! let task = Fixture::task(&app, &songyuan, "排水沟堵塞").await;
//! let share = task.share(&app, &clinic, "LEAD").await;
//! let member = Fixture::member(&app, &songyuan, "林晓东").await;
//! let volunteer = Fixture::volunteer(&app, &songyuan, "陈阿姨").await;
//! let songjiang = Fixture::street(&app, "松江街道").await;
//! let zhuxi = songjiang.community(&app, "竹溪").await;
//! let key = clinic.api_key(&app, &songyuan).await;
//! ```
//!
//! `Fixture::community` joins the demo street (`meiling-street`), so `app.street_admin()` sees
//! it; `Fixture::street(..)` makes a street of its own whose communities come from
//! `street.community(..)`, with its own administrator (`street.admin(&app)`). Codes are fresh per
//! fixture, so two tests never share a row. Objects with a public mutation (compounds, branches,
//! members, secretaries, committee seats, volunteers, activities, tasks, shares, API keys) are
//! made through it, as a user would; streets, communities, units and bare residents have none
//! and are inserted directly.

use entity::{co_building_unit, community, party_organization, person, region};
use gongzhi::auth::Role;
use gongzhi::graphql::node::global_id;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::collab_support;
use crate::support::TestApp;

/// The builders.
pub struct Fixture;

/// A street of the demo city made for one test, with no communities yet.
pub struct Street {
    pub uuid: Uuid,
    pub code: String,
}

impl Street {
    /// A token of the street's administrator.
    pub fn admin(&self, app: &TestApp) -> String {
        app.token(Role::StreetAdmin, &self.code)
    }

    /// A token of the street's reporter (reads everything of the street, writes nothing).
    pub fn reporter(&self, app: &TestApp) -> String {
        app.token(Role::Reporter, &self.code)
    }

    /// A community of this street named `name`, with its joint committee and community branch.
    pub async fn community(&self, app: &TestApp, name: &str) -> Community {
        community_in(app, self.uuid, &self.code, &fresh_code("community"), name).await
    }

    /// A community of this street with the given `code` (codes are unique per street only).
    pub async fn community_coded(&self, app: &TestApp, code: &str, name: &str) -> Community {
        community_in(app, self.uuid, &self.code, code, name).await
    }
}

/// A community made for one test, with its joint committee, its community party branch and no
/// seated units yet.
pub struct Community {
    pub uuid: Uuid,
    /// Its global id.
    pub id: String,
    pub code: String,
    /// Its joint committee.
    pub committee: Uuid,
    /// The global id of its community party branch.
    pub branch: String,
    /// The code of its street.
    pub street_code: String,
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

    /// A token of the administrator of the community's street.
    pub fn street_admin(&self, app: &TestApp) -> String {
        app.token(Role::StreetAdmin, &self.street_code)
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
        self.seat_in(app, community).await;
        self
    }

    /// Seats the unit on the community's joint committee (a member unit since 2020) through
    /// `addCommitteeMembership`, as the community's administrator; returns the seat's global id.
    pub async fn seat_in(&self, app: &TestApp, community: &Community) -> String {
        let data = app
            .ok(
                Some(&community.admin(app)),
                "mutation($i: AddCommitteeMembershipInput!) { addCommitteeMembership(input: $i) { membership { id } } }",
                json!({ "i": { "communityId": community.id, "unitId": self.id, "since": "2020-01-01" } }),
            )
            .await;
        text(&data, "/addCommitteeMembership/membership/id")
    }

    /// An API key for the unit, issued by the administrator of `community`'s street (the unit
    /// must be seated there) through `createApiKey`.
    pub async fn api_key(&self, app: &TestApp, community: &Community) -> ApiKey {
        let created = app
            .ok(
                Some(&community.street_admin(app)),
                "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }",
                json!({ "i": { "unitId": self.id, "label": "工单系统" } }),
            )
            .await;
        ApiKey { secret: text(&created, "/createApiKey/secret"), id: text(&created, "/createApiKey/apiKey/id") }
    }
}

/// An API key of a unit.
pub struct ApiKey {
    /// The secret, shown once.
    pub secret: String,
    /// Its global id.
    pub id: String,
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

/// A person made for one test: a party member or a volunteer.
pub struct Person {
    /// The global id of the membership or of the volunteer record.
    pub id: String,
    /// The person's id (what a member token is anchored at).
    pub person: String,
}

impl Person {
    /// A token of the person (a member token).
    pub fn token(&self, app: &TestApp) -> String {
        app.token(Role::Member, &self.person)
    }

    /// The person's uuid.
    pub fn person_uuid(&self) -> Uuid {
        self.person.parse().unwrap()
    }
}

/// A string at a JSON pointer of a response.
fn text(data: &Value, pointer: &str) -> String {
    data.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("no {pointer} in {data}")).to_owned()
}

/// A code no other fixture or demo row has.
fn fresh_code(prefix: &str) -> String {
    format!("{prefix}-{}", &Uuid::now_v7().simple().to_string()[20..])
}

/// Inserts a community of the street with its joint committee and community branch.
async fn community_in(app: &TestApp, street: Uuid, street_code: &str, code: &str, name: &str) -> Community {
    let now = chrono::Utc::now();
    let c = community::ActiveModel {
        id: Set(Uuid::now_v7()),
        street_id: Set(street),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let org = |kind, name: String, parent| party_organization::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(c.id),
        kind: Set(kind),
        name: Set(name),
        parent_id: Set(parent),
        compound_id: Set(None),
        founded_on: Set(None),
        secretary_id: Set(None),
        version: Set(1),
        created_at: Set(now),
    };
    let committee =
        org(party_organization::OrganizationKind::JointCommittee, format!("{name}联合党委"), None).insert(&app.db).await.unwrap();
    let branch = org(party_organization::OrganizationKind::CommunityBranch, format!("{name}党支部"), Some(committee.id))
        .insert(&app.db)
        .await
        .unwrap();
    Community {
        uuid: c.id,
        id: global_id("Community", c.id).to_string(),
        code: c.code,
        committee: committee.id,
        branch: global_id("PartyOrganization", branch.id).to_string(),
        street_code: street_code.to_owned(),
    }
}

impl Fixture {
    /// A street of the demo city (晋江市) named `name`, with no communities yet.
    pub async fn street(app: &TestApp, name: &str) -> Street {
        let city = region::Entity::find().filter(region::Column::Code.eq("jinjiang")).one(&app.db).await.unwrap().expect("the demo city");
        let street = region::ActiveModel {
            id: Set(Uuid::now_v7()),
            parent_id: Set(Some(city.id)),
            kind: Set(region::RegionKind::Street),
            code: Set(fresh_code("street")),
            name: Set(name.to_owned()),
            committee_name: Set(Some(format!("{name}党工委"))),
            created_at: Set(chrono::Utc::now()),
        }
        .insert(&app.db)
        .await
        .unwrap();
        Street { uuid: street.id, code: street.code }
    }

    /// A community of the demo street named `name`, with a joint committee and a community branch.
    pub async fn community(app: &TestApp, name: &str) -> Community {
        let street =
            region::Entity::find().filter(region::Column::Code.eq("meiling-street")).one(&app.db).await.unwrap().expect("the demo street");
        community_in(app, street.id, &street.code, &fresh_code("community"), name).await
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
        Self::task_due(app, community, title, None).await
    }

    /// A task of `community` titled `title` due at `due` (RFC 3339), created by its staff.
    pub async fn task_due(app: &TestApp, community: &Community, title: &str, due: Option<&str>) -> Task {
        let id = collab_support::task(app, &community.code, &community.id, title, due).await;
        Task { id, community_code: community.code.clone() }
    }

    /// A compound of `community` named `name`, created by its administrator; returns its global id.
    pub async fn compound(app: &TestApp, community: &Community, name: &str) -> String {
        let data = app
            .ok(
                Some(&community.admin(app)),
                "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }",
                json!({ "i": { "communityId": community.id, "name": name } }),
            )
            .await;
        text(&data, "/createCompound/compound/id")
    }

    /// The party branch of `compound` (a global id) of `community`, named `name` and created by
    /// the community's administrator; returns its global id.
    pub async fn branch(app: &TestApp, community: &Community, compound: &str, name: &str) -> String {
        let data = app
            .ok(
                Some(&community.admin(app)),
                "mutation($i: CreatePartyBranchInput!) { createPartyBranch(input: $i) { partyOrganization { id } } }",
                json!({ "i": { "compoundId": compound, "name": name } }),
            )
            .await;
        text(&data, "/createPartyBranch/partyOrganization/id")
    }

    /// Appoints `member` secretary of the party organisation `organization` (a global id) of
    /// `community`, as the community's administrator.
    pub async fn secretary(app: &TestApp, community: &Community, organization: &str, member: &Person) {
        app.ok(
            Some(&community.admin(app)),
            "mutation($i: SetPartySecretaryInput!) { setPartySecretary(input: $i) { partyOrganization { id } } }",
            json!({ "i": { "organizationId": organization, "memberId": member.id } }),
        )
        .await;
    }

    /// A resident party member of `community`'s community branch named `name`, registered by its
    /// staff.
    pub async fn member(app: &TestApp, community: &Community, name: &str) -> Person {
        Self::member_of(app, community, &community.branch, name).await
    }

    /// A resident party member of `community` in the party branch `branch` (a global id) named
    /// `name`, registered by its staff.
    pub async fn member_of(app: &TestApp, community: &Community, branch: &str, name: &str) -> Person {
        let data = app
            .ok(
                Some(&community.staff(app)),
                "mutation($i: RegisterPartyMemberInput!) { registerPartyMember(input: $i) { member { id person { id uuid } } } }",
                json!({ "i": { "communityId": community.id, "name": name, "phone": "13900001111", "kind": "RESIDENT",
                    "branchId": branch } }),
            )
            .await;
        Person { id: text(&data, "/registerPartyMember/member/id"), person: text(&data, "/registerPartyMember/member/person/uuid") }
    }

    /// A resident of `community` named `name`, with no tie to it yet (no membership, no
    /// volunteering, no check-in); returns the person's uuid. No mutation creates a bare person,
    /// so it is inserted.
    pub async fn resident(app: &TestApp, community: &Community, name: &str) -> Uuid {
        let now = chrono::Utc::now();
        person::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name.to_owned()),
            gender: Set(None),
            birth_year: Set(None),
            phone: Set(None),
            address: Set(None),
            id_number_hash: Set(None),
            home_community_id: Set(Some(community.uuid)),
            oidc_subject: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap()
        .id
    }

    /// A volunteer of `community` named `name` with an empty profile, registered by its staff.
    pub async fn volunteer(app: &TestApp, community: &Community, name: &str) -> Person {
        Self::volunteer_with(app, community, name, json!({})).await
    }

    /// A volunteer of `community` named `name` with `profile` (a `ProfileInput`), registered by
    /// its staff.
    pub async fn volunteer_with(app: &TestApp, community: &Community, name: &str, profile: Value) -> Person {
        let data = app
            .ok(
                Some(&community.staff(app)),
                "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { volunteer { id person { id uuid } } } }",
                json!({ "i": { "communityId": community.id, "name": name, "phone": "13800000000", "profile": profile } }),
            )
            .await;
        Person { id: text(&data, "/registerVolunteer/volunteer/id"), person: text(&data, "/registerVolunteer/volunteer/person/uuid") }
    }

    /// An activity of `community` in service category `category` (a global id) titled `title`,
    /// from `starts` to `ends` with `capacity` places, created by its staff; returns its global id.
    pub async fn activity(
        app: &TestApp,
        community: &Community,
        category: &str,
        title: &str,
        starts: chrono::DateTime<chrono::Utc>,
        ends: chrono::DateTime<chrono::Utc>,
        capacity: i32,
    ) -> String {
        let data = app
            .ok(
                Some(&community.staff(app)),
                "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id } } }",
                json!({ "i": { "communityId": community.id, "categoryId": category, "title": title, "place": "党群服务中心",
                    "startsAt": starts.to_rfc3339(), "endsAt": ends.to_rfc3339(), "capacity": capacity } }),
            )
            .await;
        text(&data, "/createActivity/activity/id")
    }

    /// The global id of the service category with `code` (the categories come with the schema).
    pub async fn category(app: &TestApp, code: &str) -> String {
        let data = app.ok(Some(&app.street_admin()), "{ serviceCategories { id code } }", json!({})).await;
        data["serviceCategories"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap_or_else(|| panic!("no category {code}"))
            ["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}
