//! A neighbourhood made for one test: a community of its own with two compounds, 春苑 with its
//! deliberation station (convened by its branch's secretary) and 夏苑 without one, the
//! community's deliberation centre, residents of both compounds, a resident of another
//! community, an enterprise, and a unit seated on the community's joint committee.

use gongzhi::auth::Role;
use serde_json::{Value, json};

use crate::fixtures::{Community, Fixture, Person, Unit};
use crate::home::fixtures::Resident;
use crate::support::TestApp;

/// A community with what appeals need.
pub struct Neighbourhood {
    pub community: Community,
    /// 春苑, with a station (global id).
    pub spring: String,
    /// 夏苑, without a station (global id).
    pub summer: String,
    /// 春苑's station and the community's centre (global ids).
    pub station: String,
    pub centre: String,
    /// The secretary of 春苑's branch: the station's convenor.
    pub convenor: Person,
    /// Residents of 春苑: the one who raises, and a neighbour.
    pub raiser: Resident,
    pub neighbour: Resident,
    /// A resident of 夏苑.
    pub summer_resident: Resident,
    /// A resident of another community.
    pub stranger: Resident,
    pub other: Community,
    /// An enterprise of the community (global id).
    pub enterprise: String,
    /// A unit seated on the community's joint committee.
    pub unit: Unit,
}

impl Neighbourhood {
    pub fn staff(&self, app: &TestApp) -> String {
        self.community.staff(app)
    }

    pub fn street(&self, app: &TestApp) -> String {
        self.community.street_admin(app)
    }

    pub fn reporter(&self, app: &TestApp) -> String {
        app.token(Role::Reporter, &self.community.street_code)
    }
}

pub const CREATE_VENUE: &str =
    "mutation($i: CreateVenueInput!) { createVenue(input: $i) { venue { id kind name version convenor { id name } } } }";
pub const RAISE: &str =
    "mutation($i: RaiseAppealInput!) { raiseAppeal(input: $i) { appeal { id state tier version raiserKind compound { id } } } }";

/// The global id at a JSON pointer.
pub fn at(data: &Value, pointer: &str) -> String {
    data.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("no {pointer} in {data}")).to_owned()
}

/// An appeal raised by `resident` for their compound; returns its global id.
pub async fn raise(app: &TestApp, resident: &Resident, title: &str) -> String {
    let d = app
        .ok(
            Some(&resident.token(app)),
            RAISE,
            json!({ "i": { "title": title, "description": format!("{title}，请尽快处理。"), "category": "ENVIRONMENT",
                "photos": ["https://img.example.org/a.jpg"] } }),
        )
        .await;
    at(&d, "/raiseAppeal/appeal/id")
}

impl Fixture {
    /// A neighbourhood named after `name`, in the demo street.
    pub async fn neighbourhood(app: &TestApp, name: &str) -> Neighbourhood {
        let community = Fixture::community(app, &format!("{name}社区")).await;
        let spring = Fixture::compound(app, &community, &format!("{name}春苑")).await;
        let summer = Fixture::compound(app, &community, &format!("{name}夏苑")).await;
        let branch = Fixture::branch(app, &community, &spring, &format!("{name}春苑党支部")).await;
        let convenor = Fixture::member_of(app, &community, &branch, "召集人老郑").await;
        Fixture::secretary(app, &community, &branch, &convenor).await;
        let staff = community.staff(app);
        let d = app
            .ok(
                Some(&staff),
                CREATE_VENUE,
                json!({ "i": { "compoundId": spring, "name": format!("{name}春苑小区议事站"), "convenorId": convenor.person } }),
            )
            .await;
        let station = at(&d, "/createVenue/venue/id");
        let d = app
            .ok(Some(&staff), CREATE_VENUE, json!({ "i": { "communityId": community.id, "name": format!("{name}社区事务协商议事中心") } }))
            .await;
        let centre = at(&d, "/createVenue/venue/id");
        let raiser = Fixture::resident_at(app, &community, &spring, "诉求人李娟", "春苑1栋101", 11).await;
        let neighbour = Fixture::resident_at(app, &community, &spring, "邻居王强", "春苑2栋202", 12).await;
        let summer_resident = Fixture::resident_at(app, &community, &summer, "夏苑张敏", "夏苑3栋303", 13).await;
        let other = Fixture::community(app, &format!("{name}外社区")).await;
        let elsewhere = Fixture::compound(app, &other, &format!("{name}秋苑")).await;
        let stranger = Fixture::resident_at(app, &other, &elsewhere, "外社区赵刚", "秋苑4栋404", 14).await;
        let d = app
            .ok(
                Some(&staff),
                "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { enterprise { id } } }",
                json!({ "i": { "communityId": community.id, "name": format!("{name}食品有限公司"), "address": "工业路8号" } }),
            )
            .await;
        let enterprise = at(&d, "/registerEnterprise/enterprise/id");
        let unit = Fixture::unit(app, &format!("{name}供电所")).await.seated_in(app, &community).await;
        Neighbourhood {
            community,
            spring,
            summer,
            station,
            centre,
            convenor,
            raiser,
            neighbour,
            summer_resident,
            stranger,
            other,
            enterprise,
            unit,
        }
    }
}
