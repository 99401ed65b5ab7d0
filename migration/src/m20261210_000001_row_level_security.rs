//! Row-level security on PostgreSQL, the second wall under the service layer's scope (see
//! `gongzhi::db::RowScope`): every tenant table (one with `community_id NOT NULL`) gets a forced
//! policy admitting a row only when its community is among the request's
//! (`gongzhi.communities`, a transaction-local setting) or the session is system work
//! (`gongzhi.system=on`). Nothing is admitted when nothing is set.
//!
//! Roles: `gongzhi_app`, which the server's login is a member of, gets what the server needs on
//! every table and owns none (the migrations' role owns them); `gongzhi_reporting`, whose
//! members are database logins of BI tools, is never trusted with the settings. Tables created
//! by later migrations get `gongzhi_app`'s grants by default; a later tenant table calls
//! [`protect`] for its policy. SQLite has no row-level security: nothing to do there.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The roles, their grants and the functions the policies read the scope with.
const SETUP: &str = r#"
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongzhi_app') THEN CREATE ROLE gongzhi_app NOLOGIN; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongzhi_reporting') THEN CREATE ROLE gongzhi_reporting NOLOGIN; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$ BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO gongzhi_app', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO gongzhi_app', current_schema());
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO gongzhi_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gongzhi_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO gongzhi_app', current_schema());
    -- The server reads which migrations ran; it changes none.
    REVOKE INSERT, UPDATE, DELETE ON seaql_migrations FROM gongzhi_app;
END $$;
-- System work: a session of the server's system pool, never a BI login's.
CREATE OR REPLACE FUNCTION gongzhi_scope_system() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('gongzhi.system', true), '') = 'on' AND NOT pg_has_role('gongzhi_reporting', 'MEMBER')
$$;
-- The communities, streets and person of the request's scope, set in its transaction; none for
-- a BI login.
CREATE OR REPLACE FUNCTION gongzhi_scope_communities() RETURNS uuid[] LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN pg_has_role('gongzhi_reporting', 'MEMBER') THEN NULL
                ELSE nullif(current_setting('gongzhi.communities', true), '')::uuid[] END
$$;
CREATE OR REPLACE FUNCTION gongzhi_scope_streets() RETURNS uuid[] LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN pg_has_role('gongzhi_reporting', 'MEMBER') THEN NULL
                ELSE nullif(current_setting('gongzhi.streets', true), '')::uuid[] END
$$;
CREATE OR REPLACE FUNCTION gongzhi_scope_unit() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN pg_has_role('gongzhi_reporting', 'MEMBER') THEN NULL
                ELSE nullif(current_setting('gongzhi.unit', true), '')::uuid END
$$;
CREATE OR REPLACE FUNCTION gongzhi_scope_person() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN pg_has_role('gongzhi_reporting', 'MEMBER') THEN NULL
                ELSE nullif(current_setting('gongzhi.person', true), '')::uuid END
$$;
"#;

/// The policy of one tenant table: its community's rows; also its street's selected ones when it
/// has a `street_id` (innovation cases, published to the street), and the caller's own when it
/// has a `person_id`; innovation cases also their round's reviewers'. The functions are read once per statement (the sub-selects are init plans),
/// and `community_id = ANY(…)` can use the table's indexes.
pub fn protect(table: &str, street: bool, person: bool) -> String {
    let mut admits =
        vec!["(SELECT gongzhi_scope_system())".to_owned(), "community_id = ANY ((SELECT gongzhi_scope_communities())::uuid[])".to_owned()];
    if street {
        // A street's selected cases are published to the whole street.
        admits.push("(status = 'SELECTED' AND street_id = ANY ((SELECT gongzhi_scope_streets())::uuid[]))".to_owned());
    }
    if person {
        admits.push("person_id = (SELECT gongzhi_scope_person())".to_owned());
    }
    if table == "innovation_case" {
        // A round's reviewers (a unit, a person) read its cases, wherever they sit.
        admits.push(
            "round_id IN (SELECT r.round_id FROM round_reviewer r WHERE r.unit_id = (SELECT gongzhi_scope_unit()) OR r.person_id = (SELECT gongzhi_scope_person()))"
                .to_owned(),
        );
    }
    let admits = admits.join(" OR ");
    format!(
        r#"ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS gongzhi_scope ON "{table}";
CREATE POLICY gongzhi_scope ON "{table}" USING ({admits});"#
    )
}

/// The tenant tables of the current schema (those with `community_id NOT NULL`), and whether each
/// has a `street_id` and a `person_id`.
const TENANT_TABLES: &str = "SELECT c.table_name::text AS name,
        EXISTS (SELECT 1 FROM information_schema.columns s WHERE s.table_schema = c.table_schema AND s.table_name = c.table_name AND s.column_name = 'street_id') AS street,
        EXISTS (SELECT 1 FROM information_schema.columns p WHERE p.table_schema = c.table_schema AND p.table_name = c.table_name AND p.column_name = 'person_id') AS person
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = current_schema() AND c.column_name = 'community_id' AND c.is_nullable = 'NO' ORDER BY 1";

async fn tenant_tables(manager: &SchemaManager<'_>) -> Result<Vec<(String, bool, bool)>, DbErr> {
    let db = manager.get_connection();
    let rows = db.query_all_raw(sea_orm_migration::sea_orm::Statement::from_string(DbBackend::Postgres, TENANT_TABLES)).await?;
    rows.iter().map(|r| Ok((r.try_get("", "name")?, r.try_get("", "street")?, r.try_get("", "person")?))).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(SETUP).await?;
        for (table, street, person) in tenant_tables(manager).await? {
            db.execute_unprepared(&protect(&table, street, person)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, _, _) in tenant_tables(manager).await? {
            db.execute_unprepared(&format!(
                r#"DROP POLICY IF EXISTS gongzhi_scope ON "{table}"; ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY; ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY;"#
            ))
            .await?;
        }
        db.execute_unprepared("DROP FUNCTION IF EXISTS gongzhi_scope_system(); DROP FUNCTION IF EXISTS gongzhi_scope_communities(); \
                 DROP FUNCTION IF EXISTS gongzhi_scope_streets(); DROP FUNCTION IF EXISTS gongzhi_scope_unit(); DROP FUNCTION IF EXISTS gongzhi_scope_person();").await?;
        Ok(())
    }
}
