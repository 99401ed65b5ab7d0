//! Row-level security, the second wall on PostgreSQL: every tenant table has it enabled and
//! forced, the server's login owns none of them and bypasses nothing; a transaction of the
//! server's login that sets no scope sees no row and writes none; one that sets a community's
//! scope sees that community's rows only; the system scope sees all; a BI login reads its street's
//! (or community's) rows of the `reporting` views and nothing else. (SQLite has no row-level
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
