//! Row-level security, the second wall on PostgreSQL: every tenant table has it enabled and
//! forced, the server's login owns none of them and bypasses nothing; a transaction of the
//! server's login that sets no scope sees no row and writes none; one that sets a community's
//! scope sees that community's rows only; the system scope sees all; a BI login reads its street's
//! (or community's) rows of the `reporting` views and nothing else; a unit's scope admits its own
//! work only and a member's their own people's rows, as the service narrows them. (SQLite has no row-level
//! security: these tests run on PostgreSQL only.)

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

use crate::support::{Backend, Content, SERVER_ROLE_NAME, TestApp, rls_on, with_user};

async fn rows(db: &impl ConnectionTrait, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned())).await.unwrap()
}

async fn count(db: &impl ConnectionTrait, table: &str) -> i64 {
    rows(db, &format!("SELECT count(*) AS n FROM \"{table}\"")).await[0].try_get("", "n").unwrap()
}

/// The app over the demo graph, as the server's login sees its database.
async fn app_and_server() -> Option<(TestApp, DatabaseConnection)> {
    let backend = Backend::postgres()?;
    if !rls_on() {
        eprintln!("GONGZHI_TEST_RLS=off: the server's login is the owner; nothing to check");
        return None;
    }
    let app = TestApp::new(&backend, Content::Graph(1)).await;
    let server = gongzhi::db::connect(&with_user(&app.test_db.url, SERVER_ROLE_NAME), 1).await.unwrap();
    Some((app, server))
}

#[tokio::test]
async fn every_tenant_table_has_forced_row_level_security_and_the_server_owns_none() {
    let Some((app, server)) = app_and_server().await else { return };
    let tenant = rows(
        &app.db,
        "SELECT c.relname::text AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced, pg_get_userbyid(c.relowner)::text AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r'
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'community_id' AND a.attnotnull AND NOT a.attisdropped)
         ORDER BY 1",
    )
    .await;
    assert!(tenant.len() >= 40, "the tenant tables: {}", tenant.len());
    for t in &tenant {
        let name: String = t.try_get("", "name").unwrap();
        let (rls, forced): (bool, bool) = (t.try_get("", "rls").unwrap(), t.try_get("", "forced").unwrap());
        let owner: String = t.try_get("", "owner").unwrap();
        assert!(rls && forced, "{name}: row-level security enabled {rls}, forced {forced}");
        assert_ne!(owner, SERVER_ROLE_NAME, "{name} is owned by the server's login");
    }
    // The server's login: not a superuser, no BYPASSRLS, owns nothing at all, a member of gongzhi_app.
    let me = rows(
        &server,
        "SELECT r.rolsuper AS su, r.rolbypassrls AS bypass, pg_has_role(current_user, 'gongzhi_app', 'MEMBER') AS app,
                (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) AS owned
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .await;
    let (su, bypass, app_member): (bool, bool, bool) =
        (me[0].try_get("", "su").unwrap(), me[0].try_get("", "bypass").unwrap(), me[0].try_get("", "app").unwrap());
    let owned: i64 = me[0].try_get("", "owned").unwrap();
    assert!(!su && !bypass && app_member && owned == 0, "superuser {su}, bypassrls {bypass}, gongzhi_app {app_member}, owns {owned}");
}

#[tokio::test]
async fn without_a_scope_the_server_sees_no_row_and_writes_none() {
    let Some((app, server)) = app_and_server().await else { return };
    let tables = ["community", "party_member", "party_organization", "compound", "committee_membership"];
    for table in &tables[1..] {
        assert!(count(&app.db, table).await > 0, "{table} has rows for the owner");
        assert_eq!(count(&server, table).await, 0, "{table}: no scope, no row");
    }
    // Shared tables (not a tenant's: communities, regions, units, categories, people) stay readable.
    assert!(count(&server, tables[0]).await > 0);
    // A write into a tenant table without a scope is refused by the policy.
    let community: uuid::Uuid = rows(&app.db, "SELECT id FROM community ORDER BY code LIMIT 1").await[0].try_get("", "id").unwrap();
    let insert = format!(
        "INSERT INTO site (id, community_id, name, kind, created_at) VALUES (gen_random_uuid(), '{community}', '无域点位', 'MARKET', now())"
    );
    let refused = server.execute_unprepared(&insert).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("row-level security"), "{refused}");
}

#[tokio::test]
async fn a_scope_opens_its_communities_rows_only_and_the_system_scope_all() {
    let Some((app, server)) = app_and_server().await else { return };
    let community: uuid::Uuid = rows(&app.db, "SELECT id FROM community ORDER BY code LIMIT 1").await[0].try_get("", "id").unwrap();
    let own: i64 = rows(&app.db, &format!("SELECT count(*) AS n FROM party_member WHERE community_id = '{community}'")).await[0]
        .try_get("", "n")
        .unwrap();
    let all = count(&app.db, "party_member").await;
    assert!(own > 0 && all > own);
    let scope = gongzhi::db::RowScope { communities: vec![community], ..Default::default() };
    let txn = scope.begin(&server).await.unwrap();
    assert_eq!(count(&txn, "party_member").await, own, "one community's members");
    let others: i64 = rows(&txn, &format!("SELECT count(*) AS n FROM party_member WHERE community_id <> '{community}'")).await[0]
        .try_get("", "n")
        .unwrap();
    assert_eq!(others, 0);
    txn.commit().await.unwrap();
    // The setting was the transaction's: after it, nothing again.
    assert_eq!(count(&server, "party_member").await, 0);
    // The server's system pool sees everything.
    let system = gongzhi::db::connect_system(&with_user(&app.test_db.url, SERVER_ROLE_NAME), 1).await.unwrap();
    assert_eq!(count(&system, "party_member").await, all);
    // A request scope inside a system session is the request's, not the system's.
    let txn = system.begin().await.unwrap();
    txn.execute_raw(scope.statement()).await.unwrap();
    assert_eq!(count(&txn, "party_member").await, own);
    txn.rollback().await.unwrap();
}

#[tokio::test]
async fn a_bi_login_reads_its_streets_rows_only_through_the_views_and_writes_nothing() {
    let Some((app, _server)) = app_and_server().await else { return };
    let (role, url) = gongzhi::db::logins::create(&app.db, &app.test_db.url, "meiling-street", None).await.unwrap();
    let listed = gongzhi::db::logins::list(&app.db).await.unwrap();
    assert!(listed.iter().any(|l| l.role == role && l.street == "meiling-street" && l.community.is_none()), "{listed:?}");
    let own: i64 = rows(
        &app.db,
        "SELECT count(*) AS n FROM compound p JOIN community c ON c.id = p.community_id JOIN region r ON r.id = c.street_id WHERE r.code = 'meiling-street'",
    )
    .await[0]
        .try_get("", "n")
        .unwrap();
    let all = count(&app.db, "compound").await;
    assert!(own > 0 && all > own, "compounds of 梅岭 {own}, of every street {all}");
    let bi = gongzhi::db::connect(&url, 1).await.unwrap();
    assert_eq!(count(&bi, "compounds").await, own, "the views are on the login's search path; its street's rows only");
    let streets: Vec<sea_orm::QueryResult> = rows(&bi, "SELECT DISTINCT street_id FROM reporting.communities").await;
    assert_eq!(streets.len(), 1, "one street's communities");
    // No personal data, no other column, no table outside the views, no write.
    for refused in [
        "SELECT * FROM public.person",
        "SELECT address FROM public.compound",
        "SELECT description FROM public.task",
        "UPDATE reporting.compounds SET name = '改名'",
        "INSERT INTO public.site (id, community_id, name, kind, created_at) SELECT gen_random_uuid(), id, '点位', 'MARKET', now() FROM reporting.communities LIMIT 1",
        "DELETE FROM reporting.tasks",
    ] {
        let e = bi.execute_unprepared(refused).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("permission denied"), "{refused}: {e}");
    }
    // Settings do not widen a login's scope: the policies ignore them for BI logins.
    let txn = bi.begin().await.unwrap();
    txn.execute_unprepared("SELECT set_config('gongzhi.system', 'on', true), set_config('gongzhi.communities', (SELECT '{' || string_agg(id::text, ',') || '}' FROM reporting.communities), true)").await.unwrap();
    assert_eq!(count(&txn, "compounds").await, own);
    txn.rollback().await.unwrap();
    bi.close().await.ok();
    // A community's login sees that community's rows only.
    let (role_c, url_c) = gongzhi::db::logins::create(&app.db, &app.test_db.url, "meiling-street", Some("meiling")).await.unwrap();
    let one = gongzhi::db::connect(&url_c, 1).await.unwrap();
    let communities = rows(&one, "SELECT code FROM reporting.communities").await;
    assert_eq!(communities.len(), 1);
    one.close().await.ok();
    // Revoked, it connects no more.
    for r in [&role, &role_c] {
        gongzhi::db::logins::revoke(&app.db, r).await.unwrap();
    }
    assert!(gongzhi::db::connect(&url, 1).await.is_err(), "a revoked login connects no more");
    assert!(gongzhi::db::logins::revoke(&app.db, &role).await.is_err(), "revoked once");
}

async fn number(db: &impl ConnectionTrait, sql: &str) -> i64 {
    rows(db, sql).await[0].try_get("", "n").unwrap()
}

#[tokio::test]
async fn a_units_scope_admits_its_own_work_only_and_a_members_their_own_rows() {
    let Some(backend) = Backend::postgres() else { return };
    if !rls_on() {
        return;
    }
    let app = TestApp::new(&backend, Content::Demo(1)).await;
    let server = gongzhi::db::connect(&with_user(&app.test_db.url, SERVER_ROLE_NAME), 1).await.unwrap();

    // A unit with shares in one community, where other units have shares too.
    let picked = rows(
        &app.db,
        "SELECT a.unit_id AS unit, a.community_id AS community FROM assignment a
         WHERE EXISTS (SELECT 1 FROM assignment b WHERE b.community_id = a.community_id AND b.unit_id <> a.unit_id)
         ORDER BY a.id LIMIT 1",
    )
    .await;
    let (unit, community): (uuid::Uuid, uuid::Uuid) = (picked[0].try_get("", "unit").unwrap(), picked[0].try_get("", "community").unwrap());
    let here = format!("community_id = '{community}'");
    let shared = format!("id IN (SELECT task_id FROM assignment WHERE unit_id = '{unit}') AND {here}");
    let expect_tasks = number(&app.db, &format!("SELECT count(*) AS n FROM task WHERE {shared}")).await;
    let all_tasks = number(&app.db, &format!("SELECT count(*) AS n FROM task WHERE {here}")).await;
    let expect_shares = number(&app.db, &format!("SELECT count(*) AS n FROM assignment WHERE unit_id = '{unit}' AND {here}")).await;
    let expect_events = number(
        &app.db,
        &format!(
            "SELECT count(*) AS n FROM task_event WHERE {here} AND task_id IN (SELECT task_id FROM assignment WHERE unit_id = '{unit}')
             AND (unit_id IS NULL OR unit_id = '{unit}')"
        ),
    )
    .await;
    assert!(expect_tasks > 0 && all_tasks > expect_tasks, "the unit's tasks {expect_tasks} of {all_tasks}");
    assert!(number(&app.db, &format!("SELECT count(*) AS n FROM inspection WHERE {here}")).await > 0);

    let as_unit = gongzhi::db::RowScope { communities: vec![community], unit: Some(unit), ..Default::default() };
    let txn = as_unit.begin(&server).await.unwrap();
    assert_eq!(count(&txn, "task").await, expect_tasks, "a unit's tasks are those it has a share of");
    let community_shares = number(&app.db, &format!("SELECT count(*) AS n FROM assignment WHERE {here}")).await;
    assert_eq!(count(&txn, "assignment").await, community_shares, "shares are read within the wall (a task's status needs them all)");
    assert_eq!(count(&txn, "task_event").await, expect_events, "of their timelines all but other units' share events");
    for none in
        ["inspection", "finding", "party_member", "volunteer", "check_in", "residence", "sign_up", "appeal_support", "building_leader"]
    {
        assert_eq!(count(&txn, none).await, 0, "a unit reads no {none}");
    }
    let seats = number(&txn, &format!("SELECT count(*) AS n FROM committee_membership WHERE unit_id <> '{unit}'")).await;
    assert_eq!(seats, 0, "no other unit's seats");
    // Of the shares it reads, it writes its own only.
    let other = format!("UPDATE assignment SET note = 'x' WHERE {here} AND unit_id <> '{unit}'");
    assert_eq!(txn.execute_unprepared(&other).await.unwrap().rows_affected(), 0, "another unit's share");
    let own = format!("UPDATE assignment SET note = 'x' WHERE {here} AND unit_id = '{unit}'");
    assert_eq!(txn.execute_unprepared(&own).await.unwrap().rows_affected() as i64, expect_shares, "its own shares");
    txn.rollback().await.unwrap();

    // A resident (a residence of their own among their neighbours') and a party member.
    app.db
        .execute_unprepared(
            "INSERT INTO residence (id, community_id, person_id, compound_id, since, version, created_at, updated_at)
             SELECT gen_random_uuid(), m.community_id, m.person_id, (SELECT c.id FROM compound c WHERE c.community_id = m.community_id ORDER BY c.id LIMIT 1),
                    current_date, 1, now(), now()
             FROM (SELECT * FROM party_member WHERE community_id = (SELECT community_id FROM party_member ORDER BY id LIMIT 1) ORDER BY id LIMIT 2) m",
        )
        .await
        .unwrap();
    let resident = rows(&app.db, "SELECT person_id AS person, community_id AS community FROM residence ORDER BY id LIMIT 1").await;
    let (person, home): (uuid::Uuid, uuid::Uuid) =
        (resident[0].try_get("", "person").unwrap(), resident[0].try_get("", "community").unwrap());
    let of = |table: &str, whose: &str| format!("SELECT count(*) AS n FROM {table} WHERE community_id = '{home}'{whose}");
    let mine = format!(" AND person_id = '{person}'");
    let as_member = gongzhi::db::RowScope { communities: vec![home], person: Some(person), ..Default::default() };
    let txn = as_member.begin(&server).await.unwrap();
    for none in ["task", "assignment", "task_event", "inspection", "finding"] {
        assert_eq!(count(&txn, none).await, 0, "a resident reads no {none}");
    }
    for table in ["residence", "volunteer", "check_in"] {
        let (own, everyone) = (number(&app.db, &of(table, &mine)).await, number(&app.db, &of(table, "")).await);
        assert!(table != "residence" || (own > 0 && everyone > own), "{table}: {own} of {everyone}");
        assert_eq!(count(&txn, table).await, own, "their own {table} rows only");
    }
    // Read across people by the service on a resident's behalf: the community wall only.
    for table in ["party_member", "sign_up"] {
        assert_eq!(count(&txn, table).await, number(&app.db, &of(table, "")).await, "{table}");
    }
    // Another person's residence is out of reach for a write as well.
    let write = format!("UPDATE residence SET updated_at = now() WHERE person_id <> '{person}'");
    assert_eq!(txn.execute_unprepared(&write).await.unwrap().rows_affected(), 0);
    txn.rollback().await.unwrap();
}
