//! Service categories, volunteer profiles and demands: managed by staff and audited.

use super::*;

both_backends! {
    async fn categories_profiles_and_demands_are_managed_and_audited(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let d = categories(&app).await;
        let street = app.street_admin();
        let staff = songyuan.staff(&app);
        let create = "mutation($i: CreateServiceCategoryInput!) { createServiceCategory(input: $i) { category { id code } } }";
        let c =
            audited(&app, &street, "createServiceCategory", create, json!({ "i": { "code": "garbage-sorting", "name": "垃圾分类指导" } }))
                .await;
        let cat = c["createServiceCategory"]["category"]["id"].as_str().unwrap().to_owned();
        assert_eq!(refused(&app, Some(&street), create, json!({ "i": { "code": "garbage-sorting", "name": "重复" } })).await, "CONFLICT");
        assert_eq!(refused(&app, Some(&street), create, json!({ "i": { "code": "Bad Code", "name": "x" } })).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&staff), create, json!({ "i": { "code": "x", "name": "x" } })).await, "FORBIDDEN");
        let retire = "mutation($i: RetireServiceCategoryInput!) { retireServiceCategory(input: $i) { category { retiredAt } } }";
        audited(&app, &street, "retireServiceCategory", retire, json!({ "i": { "id": cat } })).await;
        let listed =
            app.ok(Some(&staff), "{ serviceCategories { code } all: serviceCategories(includeRetired: true) { code } }", json!({})).await;
        assert_eq!((listed["serviceCategories"].as_array().unwrap().len(), listed["all"].as_array().unwrap().len()), (9, 10));

        let v = audited(
            &app,
            &staff,
            "registerVolunteer",
            REGISTER,
            json!({ "i": { "communityId": songyuan.id, "name": "新义工", "profile": { "availability": ["sat_am"] } } }),
        )
        .await;
        let vid = v["registerVolunteer"]["volunteer"]["id"].as_str().unwrap().to_owned();
        let person = v["registerVolunteer"]["volunteer"]["person"]["uuid"].as_str().unwrap().to_owned();
        let me = app.token(Role::Member, &person);
        let update = "mutation($i: UpdateVolunteerProfileInput!) { updateVolunteerProfile(input: $i) { volunteer { skills availability industry version } } }";
        let u = audited(
            &app,
            &me,
            "updateVolunteerProfile",
            update,
            json!({ "i": { "id": vid, "expectedVersion": 1, "profile": { "skills": ["书法"], "industry": "教育" } } }),
        )
        .await;
        assert_eq!(u["updateVolunteerProfile"]["volunteer"]["availability"], json!(["SAT_AM"]));
        assert_eq!(
            refused(&app, Some(&me), update, json!({ "i": { "id": vid, "expectedVersion": 1, "profile": { "skills": [] } } })).await,
            "CONFLICT"
        );
        assert_eq!(
            refused(&app, Some(&me), update, json!({ "i": { "id": vid, "profile": { "availability": ["SOMEDAY"] } } })).await,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            refused(&app, Some(&me), update, json!({ "i": { "id": vid, "profile": { "categories": ["garbage-sorting"] } } })).await,
            "BAD_USER_INPUT",
            "retired"
        );
        assert_eq!(
            refused(&app, Some(&me), REGISTER, json!({ "i": { "communityId": songyuan.id } })).await,
            "CONFLICT",
            "already a volunteer here"
        );

        let post = "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }";
        let demand_input = json!({ "i": { "communityId": songyuan.id, "categoryId": category(&d, "dispute-mediation"), "title": "邻里纠纷调解", "startsAt": "2030-01-01T01:00:00Z", "endsAt": "2030-01-01T03:00:00Z", "headcount": 1 } });
        assert_eq!(refused(&app, Some(&me), post, demand_input.clone()).await, "FORBIDDEN");
        let mut bad = demand_input.clone();
        bad["i"]["endsAt"] = json!("2029-12-31T00:00:00Z");
        assert_eq!(refused(&app, Some(&staff), post, bad).await, "BAD_USER_INPUT");
        let d1 = audited(&app, &staff, "postDemand", post, demand_input.clone()).await["postDemand"]["demand"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let d2 = app.ok(Some(&staff), post, demand_input).await["postDemand"]["demand"]["id"].as_str().unwrap().to_owned();
        let status = |name: &str| format!("mutation($i: DemandStatusInput!) {{ {name}(input: $i) {{ demand {{ status }} }} }}");
        audited(&app, &staff, "closeDemand", &status("closeDemand"), json!({ "i": { "id": d1 } })).await;
        audited(&app, &staff, "cancelDemand", &status("cancelDemand"), json!({ "i": { "id": d2 } })).await;
        assert_eq!(refused(&app, Some(&staff), &status("closeDemand"), json!({ "i": { "id": d2 } })).await, "BAD_USER_INPUT");
        let open = app.ok(Some(&me), "{ demands(status: OPEN) { totalCount } all: demands { totalCount } }", json!({})).await;
        assert_eq!((open["demands"]["totalCount"].as_i64(), open["all"]["totalCount"].as_i64()), (Some(0), Some(2)));
    }
}
