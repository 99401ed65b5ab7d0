//! The organisation figures: `organisationStatistics` per community against independent counts,
//! who may read them, the `organisation-figures` export, flat statement counts.

use std::collections::BTreeMap;

use entity::{building, committee_membership, compound, party_member, party_organization};
use gongzhi::auth::Role;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;
use crate::fixtures::{Community, Fixture, Street};
use crate::support::decode;

const FIGURES: &str = "query($c: ID) { organisationStatistics(communityId: $c) { community { id } residentMembers inServiceMembers
    jointCommittees communityBranches compoundBranches seatedUnits compounds households buildings buildingHouseholds } }";

struct World {
    street: Street,
    communities: Vec<Community>,
    unit: crate::fixtures::Unit,
    member: crate::fixtures::Person,
}

async fn world(app: &TestApp, scale: usize) -> World {
    let street = Fixture::street(app, "松江街道").await;
    let mut communities = Vec::new();
    let mut first_unit = None;
    let mut first_member = None;
    for (ci, name) in ["松园", "竹溪"].into_iter().enumerate() {
        let c = street.community(app, name).await;
        for s in 0..scale {
            for k in 0..=ci {
                let compound = Fixture::compound(app, &c, &format!("{name}小区{s}-{k}")).await;
                let compound_uuid = decode(&compound).unwrap().1;
                let mut m: compound::ActiveModel = compound::Entity::find_by_id(compound_uuid).one(&app.db).await.unwrap().unwrap().into();
                m.households = Set(Some(100 + k as i32));
                m.update(&app.db).await.unwrap();
                if k == 0 {
                    Fixture::branch(app, &c, &compound, &format!("{name}小区{s}-{k}党支部")).await;
                }
                for b in 0..2 {
                    building::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        community_id: Set(c.uuid),
                        compound_id: Set(compound_uuid),
                        kind: Set(building::BuildingKind::Building),
                        label: Set(format!("{b}栋")),
                        households: Set(12 + b),
                        version: Set(1),
                        created_at: Set(chrono::Utc::now()),
                    }
                    .insert(&app.db)
                    .await
                    .unwrap();
                }
            }
            let m = Fixture::member(app, &c, &format!("{name}党员{s}")).await;
            first_member.get_or_insert(m);
            app.ok(
                Some(&c.staff(app)),
                "mutation($i: RegisterPartyMemberInput!) { registerPartyMember(input: $i) { member { id } } }",
                json!({ "i": { "communityId": c.id, "name": format!("{name}在职党员{s}"), "kind": "IN_SERVICE",
                    "workUnit": "晋江市税务局", "organizationRelation": "晋江市税务局机关党委" } }),
            )
            .await;
            let unit = Fixture::unit(app, &format!("{name}共建单位{s}")).await.seated_in(app, &c).await;
            let ended = Fixture::unit(app, &format!("{name}已退出单位{s}")).await;
            let seat = ended.seat_in(app, &c).await;
            let mut m: committee_membership::ActiveModel =
                committee_membership::Entity::find_by_id(decode(&seat).unwrap().1).one(&app.db).await.unwrap().unwrap().into();
            m.until = Set(Some(chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()));
            m.update(&app.db).await.unwrap();
            first_unit.get_or_insert(unit);
        }
        communities.push(c);
    }
    World { street, communities, unit: first_unit.unwrap(), member: first_member.unwrap() }
}

/// The figures counted straight from the rows; member counts null when `structure_only`.
async fn independent(app: &TestApp, communities: &[Uuid], structure_only: bool) -> Value {
    let today = chrono::Utc::now().date_naive();
    let mut rows: BTreeMap<Uuid, BTreeMap<&str, i64>> = BTreeMap::new();
    for c in communities {
        rows.insert(*c, BTreeMap::new());
    }
    let mut add = |c: Uuid, field: &'static str, n: i64| {
        if let Some(r) = rows.get_mut(&c) {
            *r.entry(field).or_default() += n;
        }
    };
    for m in party_member::Entity::find().all(&app.db).await.unwrap() {
        add(m.community_id, if m.kind == party_member::MemberKind::Resident { "residentMembers" } else { "inServiceMembers" }, 1);
    }
    for o in party_organization::Entity::find().all(&app.db).await.unwrap() {
        let field = match o.kind {
            party_organization::OrganizationKind::JointCommittee => "jointCommittees",
            party_organization::OrganizationKind::CommunityBranch => "communityBranches",
            party_organization::OrganizationKind::CompoundBranch => "compoundBranches",
        };
        add(o.community_id, field, 1);
    }
    let mut seated: BTreeMap<Uuid, std::collections::BTreeSet<Uuid>> = BTreeMap::new();
    for s in committee_membership::Entity::find().all(&app.db).await.unwrap() {
        if s.since <= today && s.until.is_none_or(|u| u > today) {
            seated.entry(s.community_id).or_default().insert(s.unit_id);
        }
    }
    for (c, units) in seated {
        add(c, "seatedUnits", units.len() as i64);
    }
    for c in compound::Entity::find().all(&app.db).await.unwrap() {
        add(c.community_id, "compounds", 1);
        add(c.community_id, "households", i64::from(c.households.unwrap_or(0)));
    }
    for b in building::Entity::find().all(&app.db).await.unwrap() {
        add(b.community_id, "buildings", 1);
        add(b.community_id, "buildingHouseholds", i64::from(b.households));
    }
    let mut out = Vec::new();
    for (c, r) in rows {
        let n = |f: &str| r.get(f).copied().unwrap_or(0);
        let members = |f: &str| if structure_only { Value::Null } else { json!(n(f)) };
        out.push(json!({ "community": { "id": gongzhi::graphql::node::global_id("Community", c).to_string() },
            "residentMembers": members("residentMembers"), "inServiceMembers": members("inServiceMembers"),
            "jointCommittees": n("jointCommittees"), "communityBranches": n("communityBranches"), "compoundBranches": n("compoundBranches"),
            "seatedUnits": n("seatedUnits"), "compounds": n("compounds"), "households": n("households"),
            "buildings": n("buildings"), "buildingHouseholds": n("buildingHouseholds") }));
    }
    json!(out)
}

both_backends! {
    async fn organisation_figures_equal_counts_from_the_records_for_whoever_may_read_them(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let w = world(&app, 1).await;
        let all: Vec<Uuid> = w.communities.iter().map(|c| c.uuid).collect();
        let (songyuan, zhuxi) = (&w.communities[0], &w.communities[1]);
        let admin = w.street.admin(&app);
        let got = app.ok(Some(&admin), FIGURES, json!({})).await["organisationStatistics"].clone();
        assert_eq!(got, independent(&app, &all, false).await, "[{}]", backend.name());
        // The fixture is the one meant.
        let z = &got.as_array().unwrap().iter().find(|r| r["community"]["id"] == json!(zhuxi.id)).unwrap().clone();
        assert_eq!(
            (z["residentMembers"].clone(), z["inServiceMembers"].clone(), z["seatedUnits"].clone(), z["compounds"].clone(), z["households"].clone()),
            (json!(1), json!(1), json!(1), json!(2), json!(201)),
            "{z}"
        );
        assert_eq!((z["buildings"].clone(), z["buildingHouseholds"].clone(), z["compoundBranches"].clone()), (json!(4), json!(50), json!(1)));
        assert_eq!(app.ok(Some(&w.street.reporter(&app)), FIGURES, json!({})).await["organisationStatistics"], got);
        let one = app.ok(Some(&songyuan.staff(&app)), FIGURES, json!({})).await["organisationStatistics"].clone();
        assert_eq!(one, independent(&app, &[songyuan.uuid], false).await, "staff: their community");
        assert_eq!(app.ok(Some(&admin), FIGURES, json!({ "c": songyuan.id })).await["organisationStatistics"], one);
        assert_eq!(app.ok(Some(&songyuan.admin(&app)), FIGURES, json!({})).await["organisationStatistics"], one);
        // The city reads the structure of every community of its streets, no member counts.
        let city = app.ok(Some(&app.token(Role::CityAdmin, "jinjiang")), FIGURES, json!({ "c": zhuxi.id })).await;
        assert_eq!(city["organisationStatistics"], independent(&app, &[zhuxi.uuid], true).await);
        // Units and members are refused; another community is not found for staff.
        assert_eq!(app.error_code(Some(&w.unit.token(&app)), FIGURES, json!({})).await, "FORBIDDEN");
        assert_eq!(app.error_code(Some(&w.member.token(&app)), FIGURES, json!({})).await, "FORBIDDEN");
        assert_eq!(app.error_code(None, FIGURES, json!({})).await, "UNAUTHENTICATED");
        assert_eq!(app.error_code(Some(&songyuan.staff(&app)), FIGURES, json!({ "c": zhuxi.id })).await, "NOT_FOUND");
        // The export is the GraphQL answer, column by column.
        for (who, query, vars) in [
            (admin.clone(), String::new(), json!({})),
            (w.street.reporter(&app), format!("communityId={}", zhuxi.id), json!({ "c": zhuxi.id })),
        ] {
            let g = app.ok(Some(&who), FIGURES, vars).await["organisationStatistics"].clone();
            let rows = export_both(&app, &format!("Bearer {who}"), "organisation-figures", &query).await;
            let expected: Vec<Value> = g.as_array().unwrap().iter().map(|r| json!({
                "community_id": r["community"]["id"], "resident_members": r["residentMembers"], "in_service_members": r["inServiceMembers"],
                "joint_committees": r["jointCommittees"], "community_branches": r["communityBranches"], "compound_branches": r["compoundBranches"],
                "seated_units": r["seatedUnits"], "compounds": r["compounds"], "households": r["households"],
                "buildings": r["buildings"], "building_households": r["buildingHouseholds"] })).collect();
            assert_eq!(rows.into_iter().map(Value::Object).collect::<Vec<_>>(), expected, "[{}] {query}", backend.name());
        }
        let refused = get(&app, Some(&format!("Bearer {}", w.unit.token(&app))), "/export/organisation-figures.csv").await;
        assert_eq!((refused.status, refused.code().as_str()), (403, "FORBIDDEN"));
    }
}

both_backends! {
    async fn organisation_figures_run_as_many_statements_at_ten_times_the_size(backend: Backend) {
        let mut counts = Vec::new();
        for scale in [1, 10] {
            let app = TestApp::demo(&backend).await;
            let w = world(&app, scale).await;
            let admin = w.street.admin(&app);
            let (q, data) = app.count_statements(app.ok(Some(&admin), FIGURES, json!({}))).await;
            assert_eq!(data["organisationStatistics"][0]["compounds"], json!(scale));
            let (e, got) = app.count_statements(get(&app, Some(&format!("Bearer {admin}")), "/export/organisation-figures.csv")).await;
            assert_eq!(got.status, 200);
            counts.push((q, e));
        }
        assert_eq!(counts[0], counts[1], "[{}] statements, small world vs ten times larger", backend.name());
    }
}
