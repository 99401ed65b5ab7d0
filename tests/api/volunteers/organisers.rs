//! Activities that organisations run together (活动共联): the organiser is the community, one of
//! its party organisations, or a co-building unit seated on its joint committee; anything else
//! is refused and writes nothing; every kind and organiser counts in the statistics.

use super::*;

const CREATE: &str = "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id kind organiserKind
    organisedBy { __typename ... on Community { id } ... on PartyOrganization { id kind } ... on CoBuildingUnit { id } } } } }";

/// The fields of an activity of `community` held yesterday, with `extra` merged in.
fn input(community: &str, category: &str, extra: Value) -> Value {
    let starts = Utc::now() - Duration::days(1);
    let mut i = json!({ "communityId": community, "categoryId": category, "title": "主题党日：小区清洁", "place": "党群服务中心",
        "startsAt": starts.to_rfc3339(), "endsAt": (starts + Duration::hours(2)).to_rfc3339(), "capacity": 30 });
    if let (Some(i), Some(extra)) = (i.as_object_mut(), extra.as_object()) {
        i.extend(extra.clone());
    }
    json!({ "i": i })
}

both_backends! {
    async fn activities_are_organised_by_the_community_its_party_organisations_or_its_seated_units(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let d = categories(&app).await;
        let sanitation = category(&d, "sanitation");
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let clinic = Fixture::unit(&app, "松园卫生站").await.seated_in(&app, &songyuan).await;
        let stranger = Fixture::unit(&app, "竹溪供电所").await.seated_in(&app, &zhuxi).await;
        let committee = gongzhi::graphql::node::global_id("PartyOrganization", songyuan.committee).to_string();
        let other_committee = gongzhi::graphql::node::global_id("PartyOrganization", zhuxi.committee).to_string();
        let staff = songyuan.staff(&app);
        let b = backend.name();

        // By default the community organises.
        let a = audited(&app, &staff, "createActivity", CREATE, input(&songyuan.id, &sanitation, json!({}))).await;
        let a = &a["createActivity"]["activity"];
        assert_eq!((a["kind"].as_str(), a["organiserKind"].as_str()), (Some("SERVICE"), Some("COMMUNITY")), "[{b}] {a}");
        assert_eq!(a["organisedBy"], json!({ "__typename": "Community", "id": songyuan.id }), "[{b}]");

        // The joint committee holds the monthly party theme day.
        let a = audited(&app, &staff, "createActivity", CREATE,
            input(&songyuan.id, &sanitation, json!({ "kind": "PARTY_THEME_DAY", "organiserId": committee }))).await;
        let a = &a["createActivity"]["activity"];
        assert_eq!((a["kind"].as_str(), a["organiserKind"].as_str()), (Some("PARTY_THEME_DAY"), Some("PARTY_ORGANIZATION")), "[{b}]");
        assert_eq!(a["organisedBy"], json!({ "__typename": "PartyOrganization", "id": committee, "kind": "JOINT_COMMITTEE" }), "[{b}]");

        // A seated unit runs a neighbourly-home pilot.
        let a = audited(&app, &staff, "createActivity", CREATE,
            input(&songyuan.id, &sanitation, json!({ "kind": "NEIGHBOURLY_HOME", "organiserId": clinic.id, "title": "近邻家园议事" }))).await;
        let a = &a["createActivity"]["activity"];
        assert_eq!((a["kind"].as_str(), a["organiserKind"].as_str()), (Some("NEIGHBOURLY_HOME"), Some("UNIT")), "[{b}]");
        assert_eq!(a["organisedBy"], json!({ "__typename": "CoBuildingUnit", "id": clinic.id }), "[{b}]");

        // A branch of 竹溪 organises in 竹溪 (its community branch).
        let a = audited(&app, &zhuxi.staff(&app), "createActivity", CREATE,
            input(&zhuxi.id, &sanitation, json!({ "kind": "PARTY_THEME_DAY", "organiserId": zhuxi.branch }))).await;
        assert_eq!(a["createActivity"]["activity"]["organisedBy"]["kind"], "COMMUNITY_BRANCH", "[{b}]");

        // Refused, and nothing written.
        let before = activity::Entity::find().count(&app.db).await.unwrap();
        let task = Fixture::task(&app, &songyuan, "路灯不亮").await;
        let ended = Fixture::unit(&app, "松园燃气站").await.seated_in(&app, &songyuan).await;
        entity::committee_membership::Entity::update_many()
            .col_expr(entity::committee_membership::Column::Until, Expr::value(Utc::now().date_naive()))
            .filter(entity::committee_membership::Column::UnitId.eq(ended.uuid))
            .exec(&app.db)
            .await
            .unwrap();
        let with = |organiser: &str| input(&songyuan.id, &sanitation, json!({ "organiserId": organiser }));
        let cases: Vec<(String, Value, &str)> = vec![
            ("another community".into(), with(&zhuxi.id), "BAD_USER_INPUT"),
            ("another community's committee".into(), with(&other_committee), "BAD_USER_INPUT"),
            ("a unit seated elsewhere".into(), with(&stranger.id), "BAD_USER_INPUT"),
            ("a unit whose seat ended".into(), with(&ended.id), "BAD_USER_INPUT"),
            ("a task is no organiser".into(), with(&task.id), "BAD_USER_INPUT"),
            ("not an id".into(), with("bm9wZQ=="), "BAD_USER_INPUT"),
        ];
        for (label, vars, code) in cases {
            let (_, body) = app.post(Some(&staff), CREATE, vars.clone()).await;
            assert_eq!(outcome(&body), code, "[{b}] {label}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "organiserId", "[{b}] {label}: {body}");
            assert_eq!(refused(&app, Some(&staff), CREATE, vars).await, code, "[{b}] {label}");
        }
        // Only the community's staff record activities: not the unit itself, nor another community.
        let own = input(&songyuan.id, &sanitation, json!({ "organiserId": clinic.id }));
        assert_eq!(refused(&app, Some(&clinic.token(&app)), CREATE, own.clone()).await, "FORBIDDEN", "[{b}]");
        assert_eq!(refused(&app, Some(&zhuxi.staff(&app)), CREATE, own.clone()).await, "NOT_FOUND", "[{b}]");
        assert_eq!(refused(&app, None, CREATE, own).await, "UNAUTHENTICATED", "[{b}]");
        assert_eq!(activity::Entity::find().count(&app.db).await.unwrap(), before, "[{b}] refused activities must write nothing");

        // Every kind and organiser counts in the statistics as any activity does.
        let q = "query($c: ID) { volunteerStatistics(communityId: $c) { totals { activities } } }";
        let s = app.ok(Some(&staff), q, json!({ "c": songyuan.id })).await;
        assert_eq!(s["volunteerStatistics"]["totals"]["activities"], 3, "[{b}] {s}");
        let listed = app.ok(Some(&staff), "query($c: ID) { activities(communityId: $c) { totalCount edges { node { kind } } } }", json!({ "c": songyuan.id })).await;
        assert_eq!(listed["activities"]["totalCount"], 3, "[{b}]");
    }
}
