//! Who runs a compound, with history: the property manager and the owners' committee, never two
//! at once, also under two racing changes.

use entity::{owners_committee, property_manager};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::*;

fn manager(h: &super::fixtures::Home, kind: &str, name: &str, start: &str, fee: i64, replaces: Option<Value>) -> Value {
    let mut input = json!({ "compoundId": h.compound_id, "kind": kind, "name": name, "contractStart": start, "feeRateFen": fee });
    if let Some(r) = replaces {
        input["replaces"] = r;
    }
    json!({ "i": input })
}

async fn in_charge(app: &TestApp, compound: uuid::Uuid) -> u64 {
    property_manager::Entity::find()
        .filter(property_manager::Column::CompoundId.eq(compound))
        .filter(property_manager::Column::EndedOn.is_null())
        .count(&app.db)
        .await
        .unwrap()
}

async fn in_office(app: &TestApp, compound: uuid::Uuid) -> u64 {
    owners_committee::Entity::find()
        .filter(owners_committee::Column::CompoundId.eq(compound))
        .filter(owners_committee::Column::EndedOn.is_null())
        .count(&app.db)
        .await
        .unwrap()
}

both_backends! {
    async fn a_new_manager_ends_the_old_contract_on_the_day_it_begins(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "金苑").await;
        let staff = h.staff(&app);
        assert_eq!(home(&app, &staff, &h.home_id).await["managementMode"], "NONE");

        let d = app.ok(Some(&staff), CHANGE_MANAGER, manager(&h, "COMPANY", "金苑物业有限公司", "2006-01-01", 150, Some(Value::Null))).await;
        let company = d["changePropertyManager"]["propertyManager"].clone();
        assert_eq!((company["mode"].as_str(), company["inCharge"].as_bool()), (Some("COMPANY"), Some(true)));
        assert!(d["changePropertyManager"]["ended"].is_null());

        // Bad input writes nothing: negative, too large, a contract before the one in charge.
        for (fee, start, field) in [(-1, "2020-01-01", "feeRateFen"), (100_001, "2020-01-01", "feeRateFen"), (100, "2005-01-01", "contractStart")] {
            let (_, body) = app.post(Some(&staff), CHANGE_MANAGER, manager(&h, "SELF_MANAGEMENT_GROUP", "自治小组", start, fee, None)).await;
            assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        }
        // Fractional fen, numbers past i64 and strings are not amounts: the request is refused
        // before it runs.
        for fee in [json!(1.5), json!(1e30), json!("150")] {
            let mut input = manager(&h, "COMPANY", "某物业", "2020-01-01", 0, None);
            input["i"]["feeRateFen"] = fee;
            let (_, body) = app.post(Some(&staff), CHANGE_MANAGER, input).await;
            assert!(matches!(code(&body), Some("GRAPHQL_VALIDATION_FAILED" | "BAD_USER_INPUT")), "[{}] {body}", backend.name());
        }
        // A stale read: the caller thinks nobody is in charge.
        let stale = manager(&h, "SELF_MANAGEMENT_GROUP", "自治小组", "2020-01-01", 80, Some(Value::Null));
        assert_eq!(app.error_code(Some(&staff), CHANGE_MANAGER, stale).await, "CONFLICT");
        assert_eq!(home(&app, &staff, &h.home_id).await["propertyManagerHistory"].as_array().unwrap().len(), 1);

        let d = app
            .ok(Some(&staff), CHANGE_MANAGER, manager(&h, "SELF_MANAGEMENT_GROUP", "金苑物业自治小组", "2020-01-01", 80, Some(company["id"].clone())))
            .await;
        assert_eq!(d["changePropertyManager"]["ended"]["endedOn"], "2020-01-01", "the old contract ends the day the new one begins");
        let group = d["changePropertyManager"]["propertyManager"].clone();
        let seen = home(&app, &staff, &h.home_id).await;
        assert_eq!(seen["managementMode"], "OWNER_SELF_MANAGEMENT");
        assert_eq!(seen["propertyManager"]["feeRateFen"], 80);
        let history: Vec<(&str, &str, bool)> = seen["propertyManagerHistory"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["name"].as_str().unwrap(), m["mode"].as_str().unwrap(), m["inCharge"].as_bool().unwrap()))
            .collect();
        assert_eq!(history, [("金苑物业自治小组", "OWNER_SELF_MANAGEMENT", true), ("金苑物业有限公司", "COMPANY", false)]);

        // Ending without a successor leaves nobody in charge.
        let end = json!({ "i": { "id": group["id"], "endedOn": "2026-01-01", "expectedVersion": group["version"] } });
        let d = app.ok(Some(&staff), END_MANAGEMENT, end.clone()).await;
        assert_eq!(d["endPropertyManagement"]["propertyManager"]["inCharge"], false);
        assert_eq!(app.error_code(Some(&staff), END_MANAGEMENT, end).await, "CONFLICT");
        let seen = home(&app, &staff, &h.home_id).await;
        assert_eq!(seen["managementMode"], "NONE");
        assert!(seen["propertyManager"].is_null());
        assert_eq!(in_charge(&app, h.compound).await, 0);

        // Only the community's staff put managers in charge.
        let refused = manager(&h, "COMPANY", "某物业", "2026-06-01", 100, None);
        assert_eq!(app.error_code(Some(&h.secretary.token(&app)), CHANGE_MANAGER, refused.clone()).await, "FORBIDDEN");
        assert_eq!(app.error_code(Some(&app.token(Role::CommunityStaff, "zhuyuan")), CHANGE_MANAGER, refused).await, "NOT_FOUND");
    }
}

both_backends! {
    async fn two_racing_manager_changes_never_leave_two_in_charge(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "银苑").await;
        let staff = h.staff(&app);
        let d = app.ok(Some(&staff), CHANGE_MANAGER, manager(&h, "COMPANY", "银苑物业", "2010-01-01", 150, Some(Value::Null))).await;
        let first = d["changePropertyManager"]["propertyManager"]["id"].clone();
        // Both read the same manager in charge: exactly one change wins.
        let (x, y) = tokio::join!(
            app.post(Some(&staff), CHANGE_MANAGER, manager(&h, "COMPANY", "甲物业", "2024-01-01", 160, Some(first.clone()))),
            app.post(Some(&staff), CHANGE_MANAGER, manager(&h, "SELF_MANAGEMENT_GROUP", "乙自治小组", "2024-01-01", 90, Some(first.clone()))),
        );
        let codes = [code(&x.1), code(&y.1)];
        assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "[{}] {x:?} {y:?}", backend.name());
        assert!(codes.contains(&Some("CONFLICT")), "[{}] {x:?} {y:?}", backend.name());
        assert_eq!(in_charge(&app, h.compound).await, 1);
        // Without a check both go through, one after the other: still one in charge.
        let (x, y) = tokio::join!(
            app.post(Some(&staff), CHANGE_MANAGER, manager(&h, "COMPANY", "丙物业", "2025-01-01", 170, None)),
            app.post(Some(&staff), CHANGE_MANAGER, manager(&h, "COMPANY", "丁物业", "2025-01-01", 175, None)),
        );
        for r in [&x, &y] {
            assert!(code(&r.1).is_none_or(|c| c == "CONFLICT"), "[{}] {r:?}", backend.name());
        }
        assert_eq!(in_charge(&app, h.compound).await, 1, "[{}] never two in charge", backend.name());
        let history = home(&app, &staff, &h.home_id).await["propertyManagerHistory"].clone();
        assert_eq!(history.as_array().unwrap().iter().filter(|m| m["inCharge"] == true).count(), 1);
    }
}

both_backends! {
    async fn a_newly_elected_committee_ends_the_old_one(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "松苑").await;
        let staff = h.staff(&app);
        let elect = |elected: &str, start: &str, members: &[(&super::fixtures::Member, &str)], replaces: Option<Value>| {
            let members: Vec<Value> = members.iter().map(|(m, role)| json!({ "personId": m.person.to_string(), "role": role })).collect();
            let mut input = json!({ "compoundId": h.compound_id, "electedOn": elected, "termStart": start, "termEnd": "2030-12-31", "members": members });
            if let Some(r) = replaces {
                input["replaces"] = r;
            }
            json!({ "i": input })
        };
        let (a, b, c) = (&h.members[0], &h.members[1], &h.members[2]);
        let d = app.ok(Some(&staff), ELECT, elect("2021-05-01", "2021-06-01", &[(a, "DIRECTOR"), (b, "MEMBER")], Some(Value::Null))).await;
        let first = d["electOwnersCommittee"]["ownersCommittee"]["id"].clone();

        // Bad input writes nothing.
        for (input, field) in [
            (elect("2021-07-01", "2021-06-01", &[(a, "DIRECTOR")], None), "electedOn"),
            (elect("2021-05-01", "2021-06-01", &[], None), "members"),
            (elect("2021-05-01", "2021-06-01", &[(a, "DIRECTOR"), (b, "DIRECTOR")], None), "members"),
            (elect("2021-05-01", "2021-06-01", &[(a, "DIRECTOR"), (a, "MEMBER")], None), "members"),
            (elect("2020-05-01", "2020-06-01", &[(a, "DIRECTOR")], None), "termStart"),
        ] {
            let (_, body) = app.post(Some(&staff), ELECT, input).await;
            assert_eq!((code(&body), body["errors"][0]["extensions"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some(field)), "{body}");
        }
        let stranger = json!({ "i": { "compoundId": h.compound_id, "electedOn": "2026-05-01", "termStart": "2026-06-01",
            "members": [{ "personId": uuid::Uuid::now_v7().to_string(), "role": "DIRECTOR" }] } });
        assert_eq!(app.error_code(Some(&staff), ELECT, stranger).await, "BAD_USER_INPUT");
        assert_eq!(in_office(&app, h.compound).await, 1);

        let d = app.ok(Some(&staff), ELECT, elect("2026-05-01", "2026-06-01", &[(c, "DIRECTOR"), (a, "DEPUTY_DIRECTOR")], Some(first.clone()))).await;
        assert_eq!(d["electOwnersCommittee"]["ended"]["endedOn"], "2026-06-01");
        assert_eq!(d["electOwnersCommittee"]["ended"]["inOffice"], false);
        let seen = home(&app, &staff, &h.home_id).await;
        let roles: Vec<(&str, &str)> = seen["ownersCommittee"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["name"].as_str().unwrap(), m["role"].as_str().unwrap()))
            .collect();
        assert_eq!(roles, [("党员丁", "DIRECTOR"), ("党员乙", "DEPUTY_DIRECTOR")]);
        assert_eq!(seen["ownersCommittee"]["members"][0]["phone"], c.phone.as_str(), "staff see contacts in full");
        let history: Vec<bool> = seen["ownersCommitteeHistory"].as_array().unwrap().iter().map(|c| c["inOffice"].as_bool().unwrap()).collect();
        assert_eq!(history, [true, false], "latest term first");
        // A resident sees the committee's names, the contacts masked except their own.
        let resident = home(&app, &h.members[3].token(&app), &h.home_id).await;
        for m in resident["ownersCommittee"]["members"].as_array().unwrap() {
            assert!(m["phone"].as_str().unwrap().contains("****") && m["personalDataVisible"] == false, "{m}");
        }
        let own = home(&app, &c.token(&app), &h.home_id).await;
        assert_eq!(own["ownersCommittee"]["members"][0]["phone"], c.phone.as_str());
    }
}

both_backends! {
    async fn two_racing_elections_never_leave_two_committees_in_office(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "柏苑").await;
        let staff = h.staff(&app);
        let elect = |start: &str, m: &super::fixtures::Member, replaces: Option<Value>| {
            let mut input = json!({ "compoundId": h.compound_id, "electedOn": start, "termStart": start,
                "members": [{ "personId": m.person.to_string(), "role": "DIRECTOR" }] });
            if let Some(r) = replaces {
                input["replaces"] = r;
            }
            json!({ "i": input })
        };
        // Two elections of a first committee at once: one is recorded, the other a conflict.
        let (x, y) = tokio::join!(
            app.post(Some(&staff), ELECT, elect("2022-01-01", &h.members[0], Some(Value::Null))),
            app.post(Some(&staff), ELECT, elect("2022-01-01", &h.members[1], Some(Value::Null))),
        );
        let codes = [code(&x.1), code(&y.1)];
        assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "[{}] {x:?} {y:?}", backend.name());
        assert!(codes.contains(&Some("CONFLICT")), "[{}] {x:?} {y:?}", backend.name());
        assert_eq!(in_office(&app, h.compound).await, 1);
        // Unchecked, both go through one after the other; one committee is in office.
        let (x, y) = tokio::join!(
            app.post(Some(&staff), ELECT, elect("2025-01-01", &h.members[2], None)),
            app.post(Some(&staff), ELECT, elect("2025-01-01", &h.members[3], None)),
        );
        for r in [&x, &y] {
            assert!(code(&r.1).is_none_or(|c| c == "CONFLICT"), "[{}] {r:?}", backend.name());
        }
        assert_eq!(in_office(&app, h.compound).await, 1, "[{}] never two in office", backend.name());
    }
}
