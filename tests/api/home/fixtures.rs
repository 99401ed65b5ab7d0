//! A home made for one test: a community of its own with a compound, the compound's party branch
//! (its secretary and members, each a person with a phone), a party member of the community who
//! lives elsewhere, and buildings added by staff through the API.

use entity::compound::{self, CompoundKind};
use entity::party_member::{self, MemberKind};
use entity::party_organization::{self, OrganizationKind};
use entity::person;
use gongzhi::auth::Role;
use gongzhi::graphql::node::global_id;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use crate::fixtures::{Community, Fixture};
use crate::support::TestApp;

/// A person with a party registration.
#[derive(Clone)]
pub struct Member {
    pub person: Uuid,
    /// The party registration's global id (`PartyMember`).
    pub member_id: String,
    pub phone: String,
}

impl Member {
    /// The member's own token.
    pub fn token(&self, app: &TestApp) -> String {
        app.token(Role::Member, &self.person.to_string())
    }
}

/// A compound of a fresh community, with its branch and buildings.
pub struct Home {
    pub community: Community,
    pub compound: Uuid,
    /// The compound's global id (`Compound`).
    pub compound_id: String,
    /// The home's global id (`Home`).
    pub home_id: String,
    /// The secretary of the compound's branch.
    pub secretary: Member,
    /// Members of the compound's branch.
    pub members: Vec<Member>,
    /// A party member of the community outside the compound's branch.
    pub outsider: Member,
    /// Buildings "1栋", "2栋", "3栋" (global ids), 40, 50 and 60 households.
    pub buildings: Vec<String>,
}

impl Home {
    pub fn staff(&self, app: &TestApp) -> String {
        self.community.staff(app)
    }
}

async fn person(app: &TestApp, community: Uuid, name: &str, n: u32) -> (Uuid, String) {
    let phone = format!("1390000{n:04}");
    let p = person::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        gender: Set(None),
        birth_year: Set(Some(1980)),
        phone: Set(Some(phone.clone())),
        address: Set(None),
        id_number_hash: Set(None),
        home_community_id: Set(Some(community)),
        oidc_subject: Set(None),
        version: Set(1),
        created_at: Set(chrono::Utc::now()),
        updated_at: Set(chrono::Utc::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    (p.id, phone)
}

async fn member(app: &TestApp, community: Uuid, branch: Option<Uuid>, name: &str, n: u32) -> (Member, Uuid) {
    let (p, phone) = person(app, community, name, n).await;
    let now = chrono::Utc::now();
    let m = party_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        person_id: Set(p),
        branch_id: Set(branch),
        kind: Set(MemberKind::Resident),
        joined_on: Set(None),
        work_unit: Set(None),
        organization_relation: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    (Member { person: p, member_id: global_id("PartyMember", m.id).to_string(), phone }, m.id)
}

const ADD_BUILDING: &str = "mutation($i: AddBuildingInput!) { addBuilding(input: $i) { building { id } } }";

impl Fixture {
    /// A home named `name` in a fresh community, with a branch of a secretary and four members,
    /// an outsider, and three buildings.
    pub async fn home(app: &TestApp, name: &str) -> Home {
        let community = Fixture::community(app, &format!("{name}社区")).await;
        let now = chrono::Utc::now();
        let c = compound::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community.uuid),
            name: Set(name.to_owned()),
            kind: Set(CompoundKind::Residential),
            built_year: Set(Some(2006)),
            households: Set(Some(150)),
            address: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        let branch = party_organization::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community.uuid),
            kind: Set(OrganizationKind::CompoundBranch),
            name: Set(format!("{name}党支部")),
            parent_id: Set(Some(community.committee)),
            compound_id: Set(Some(c.id)),
            founded_on: Set(None),
            secretary_id: Set(None),
            version: Set(1),
            created_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        let branch_id = branch.id;
        let (secretary, secretary_member) = member(app, community.uuid, Some(branch_id), "书记甲", 1).await;
        let mut b: party_organization::ActiveModel = branch.into();
        b.secretary_id = Set(Some(secretary_member));
        b.update(&app.db).await.unwrap();
        let mut members = Vec::new();
        for (i, n) in ["党员乙", "党员丙", "党员丁", "党员戊"].iter().enumerate() {
            members.push(member(app, community.uuid, Some(branch_id), n, 2 + i as u32).await.0);
        }
        let (outsider, _) = member(app, community.uuid, None, "外住党员", 9).await;
        let compound_id = global_id("Compound", c.id).to_string();
        let mut buildings = Vec::new();
        for (label, households) in [("1栋", 40), ("2栋", 50), ("3栋", 60)] {
            let d = app
                .ok(
                    Some(&community.staff(app)),
                    ADD_BUILDING,
                    serde_json::json!({ "i": { "compoundId": compound_id, "label": label, "households": households } }),
                )
                .await;
            buildings.push(d["addBuilding"]["building"]["id"].as_str().unwrap().to_owned());
        }
        Home {
            home_id: global_id("Home", c.id).to_string(),
            community,
            compound: c.id,
            compound_id,
            secretary,
            members,
            outsider,
            buildings,
        }
    }
}

/// A resident registered by staff through `registerResident`.
#[derive(Clone)]
pub struct Resident {
    pub person: Uuid,
    /// The current residence's global id (`Residence`).
    pub residence: String,
    pub name: String,
    pub phone: String,
    pub door: String,
}

impl Resident {
    /// The resident's own token (a person's token).
    pub fn token(&self, app: &TestApp) -> String {
        app.token(Role::Member, &self.person.to_string())
    }
}

pub const REGISTER_RESIDENT: &str = "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { residence { id door since current person { id uuid name phone } } } }";

impl Fixture {
    /// A new person named `name` living at `door` of the compound `compound` (a global id) of
    /// `community`, registered by its staff; the phone is made from `n`.
    pub async fn resident_at(app: &TestApp, community: &Community, compound: &str, name: &str, door: &str, n: u32) -> Resident {
        let phone = format!("1370000{n:04}");
        let d = app
            .ok(
                Some(&community.staff(app)),
                REGISTER_RESIDENT,
                serde_json::json!({ "i": { "name": name, "phone": phone, "residence": { "compoundId": compound, "door": door, "since": "2020-01-01" } } }),
            )
            .await;
        let r = &d["registerResident"]["residence"];
        Resident {
            person: r["person"]["uuid"].as_str().unwrap().parse().unwrap(),
            residence: r["id"].as_str().unwrap().to_owned(),
            name: name.to_owned(),
            phone,
            door: door.to_owned(),
        }
    }
}

impl Home {
    /// Elects an owners' committee of `members` (the first its director) through the API, as
    /// the community's staff.
    pub async fn elect(&self, app: &TestApp, members: &[&Member]) {
        let members: Vec<serde_json::Value> = members
            .iter()
            .enumerate()
            .map(|(i, m)| serde_json::json!({ "personId": m.person.to_string(), "role": if i == 0 { "DIRECTOR" } else { "MEMBER" } }))
            .collect();
        let vars = serde_json::json!({ "i": { "compoundId": self.compound_id, "electedOn": "2024-01-01", "termStart": "2024-02-01", "members": members } });
        app.ok(Some(&self.staff(app)), super::ELECT, vars).await;
    }
}
