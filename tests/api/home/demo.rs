//! The article's homes in the demo street: 桂园人家 owner-run through its owners' committee,
//! 宝龙·金色花园 run by its self-management group, 梅庭莱's six compounds with their companies,
//! buildings and leaders; seeding twice changes nothing.

use entity::{building, building_leader, owners_committee, owners_committee_member, property_manager};
use sea_orm::{EntityTrait, PaginatorTrait};

use super::*;
use crate::support::{Content, fresh_db};

async fn counts(db: &sea_orm::DatabaseConnection) -> [u64; 5] {
    [
        building::Entity::find().count(db).await.unwrap(),
        owners_committee::Entity::find().count(db).await.unwrap(),
        owners_committee_member::Entity::find().count(db).await.unwrap(),
        property_manager::Entity::find().count(db).await.unwrap(),
        building_leader::Entity::find().count(db).await.unwrap(),
    ]
}

const HOMES: &str = r#"query($c: ID!) { homes(communityId: $c, first: 20) { edges { node {
  compound { name builtYear }
  managementMode
  buildings { label kind households leader { name } }
  ownersCommittee { electedOn members { role } }
  propertyManager { kind name feeRateFen }
  propertyManagerHistory { kind name endedOn }
} } } }"#;

async fn homes(app: &TestApp, code: &str) -> Vec<Value> {
    let id = app.ok(Some(&app.street_admin()), "query($c: String!) { community(code: $c) { id } }", json!({ "c": code })).await["community"]["id"].clone();
    app.ok(Some(&app.street_admin()), HOMES, json!({ "c": id })).await["homes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .filter(|h| h["buildings"].as_array().is_some_and(|b| !b.is_empty()))
        .collect()
}

both_backends! {
    async fn the_demo_homes_follow_the_article_and_seed_once(backend: Backend) {
        let test_db = fresh_db(&backend, Content::Empty).await;
        let db = gongzhi::db::connect(&test_db.url, 2).await.unwrap();
        let first = gongzhi::demo::seed(&db, 1).await.unwrap();
        assert_eq!(first.homes, 8, "[{}] 桂园人家, 宝龙·金色花园 and 梅庭莱's six", backend.name());
        let after = counts(&db).await;
        assert!(after.iter().all(|n| *n > 0), "{after:?}");
        let second = gongzhi::demo::seed(&db, 1).await.unwrap();
        assert_eq!(second.homes, 0);
        assert_eq!(counts(&db).await, after, "[{}] a second run changed rows", backend.name());
        db.close().await.unwrap();

        let app = TestApp::demo(&backend).await;
        gongzhi::home::demo::seed(&app.db, "meiling-street").await.unwrap();
        let guiyuan = homes(&app, "shuanggou").await;
        let g = &guiyuan[0];
        assert_eq!((g["compound"]["name"].as_str(), g["compound"]["builtYear"].as_i64()), (Some("桂园人家"), Some(2006)));
        assert_eq!(g["managementMode"], "OWNER_SELF_MANAGEMENT", "owner-run");
        assert_eq!(g["propertyManager"]["name"], "桂园人家业委会服务中心");
        assert_eq!(g["propertyManagerHistory"][1]["kind"], "COMPANY", "a company ran it before the owners took over");
        assert!(g["ownersCommittee"]["members"].as_array().unwrap().iter().any(|m| m["role"] == "DIRECTOR"));
        let households: i64 = g["buildings"].as_array().unwrap().iter().map(|b| b["households"].as_i64().unwrap()).sum();
        assert_eq!(households, 336, "the compound's households, shared out over its buildings");

        let baolong = homes(&app, "zhushuxia").await;
        assert_eq!((baolong[0]["compound"]["name"].as_str(), baolong[0]["compound"]["builtYear"].as_i64()), (Some("宝龙·金色花园"), Some(2003)));
        assert_eq!(baolong[0]["propertyManager"]["kind"], "SELF_MANAGEMENT_GROUP");
        assert_eq!(baolong[0]["propertyManager"]["name"], "宝龙·金色花园物业自治小组");

        let six = homes(&app, "meitinglai").await;
        let names: Vec<&str> = six.iter().map(|h| h["compound"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["奥林春天", "香梅花都", "福源花里", "世纪华庭", "凯旋国际", "华庭新村"]);
        for h in &six {
            assert_eq!(h["managementMode"], "COMPANY", "{h}");
            let led = h["buildings"].as_array().unwrap().iter().filter(|b| b["leader"]["name"].is_string()).count();
            assert_eq!(led, 2, "two buildings led in {}", h["compound"]["name"]);
        }
        assert!(six[5]["buildings"].as_array().unwrap().iter().any(|b| b["kind"] == "LANE" && b["label"] == "梅庭路东段"));
    }
}
