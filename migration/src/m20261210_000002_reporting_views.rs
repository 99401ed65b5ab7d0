//! Database access for BI tools on PostgreSQL: a `reporting` schema of documented views with no
//! personal data, read by database logins that are members of `gongzhi_reporting` (made by
//! `gongzhi reporting-login create`), each restricted by row-level security to one street or
//! community. The views are `security_invoker`, so the tables' policies apply to the login; the
//! login holds `SELECT` on the views' columns only (no other column, no person, no write).
//!
//! `reporting_login` maps each login to its scope; `gongzhi_login_communities()` (security
//! definer, so a login need not read that table) gives the communities of the session's login,
//! and `gongzhi_scope_communities()` answers them for members of `gongzhi_reporting` instead of
//! trusting any setting. SQLite has no logins: nothing to do there.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each view: name, documentation, source table, columns (name, documentation).
type View = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

const VIEWS: &[View] = &[
    (
        "compounds",
        "Residential compounds (小区) and other places of a community.",
        "compound",
        &[
            ("id", "The compound."),
            ("community_id", "Its community."),
            ("name", "Its name."),
            ("kind", "RESIDENTIAL, ..."),
            ("built_year", "The year it was built."),
            ("households", "Households it records."),
        ],
    ),
    (
        "tasks",
        "Collaboration tasks (多维协作), without their text, evidence or reporter.",
        "task",
        &[
            ("id", "The task."),
            ("community_id", "Its community."),
            ("campaign_id", "Its campaign, if any."),
            ("category", "What it is about."),
            ("priority", "How urgent it is."),
            ("status", "OPEN, ASSIGNED, IN_PROGRESS, RESOLVED, VERIFIED, CANCELLED, ..."),
            ("level", "The level handling it: COMMUNITY, STREET or CITY."),
            ("due_at", "When it is due (UTC)."),
            ("created_at", "When it was opened (UTC)."),
            ("resolved_at", "When it was resolved (UTC)."),
            ("closed_at", "When it was verified or cancelled (UTC)."),
            ("escalated_at", "When it last moved up a level (UTC)."),
        ],
    ),
    (
        "assignments",
        "The shares of tasks assigned to co-building units.",
        "assignment",
        &[
            ("id", "The assignment."),
            ("community_id", "Its task's community."),
            ("task_id", "The task."),
            ("unit_id", "The co-building unit."),
            ("role", "LEAD or SUPPORT."),
            ("status", "Where the unit's share stands."),
            ("seat_ended", "Whether the unit's seat on the committee ended while the share was open."),
            ("created_at", "When it was assigned (UTC)."),
            ("updated_at", "When it last changed (UTC)."),
        ],
    ),
    (
        "activities",
        "Volunteer service activities (党群志愿服务), without their description or check-in code.",
        "activity",
        &[
            ("id", "The activity."),
            ("community_id", "Its community."),
            ("category_id", "Its service category."),
            ("title", "Its title."),
            ("starts_at", "When it begins (UTC)."),
            ("ends_at", "When it ends (UTC)."),
            ("capacity", "How many volunteers it takes."),
            ("kind", "What kind of activity it is."),
            ("status", "Whether it is planned, done or cancelled."),
            ("residents_served", "Residents it served."),
        ],
    ),
    (
        "appeals",
        "Residents' appeals (诉求) without raiser, text, photos, site, door or phone.",
        "appeal",
        &[
            ("id", "The appeal."),
            ("community_id", "Its community."),
            ("compound_id", "The compound it is located in, if any."),
            ("category", "What it is about."),
            ("state", "Where it stands."),
            ("tier", "The tier handling it."),
            ("escalations", "How many times it moved up a tier."),
            ("supporters", "How many residents supported it."),
            ("rating", "The raiser's rating of the outcome."),
            ("raised_at", "When it was raised (UTC)."),
            ("responded_at", "When it was first responded to (UTC)."),
            ("answered_at", "When it was answered (UTC)."),
            ("closed_at", "When it was closed (UTC)."),
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let row = db.query_one_raw(Statement::from_string(DbBackend::Postgres, "SELECT current_schema()::text AS s")).await?;
        let schema: String = row.ok_or_else(|| DbErr::Custom("no current schema".into()))?.try_get("", "s")?;
        let mut sql = format!(
            r#"CREATE TABLE IF NOT EXISTS reporting_login (
    role_name text PRIMARY KEY,
    street_id uuid NOT NULL REFERENCES region (id),
    community_id uuid REFERENCES community (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON reporting_login FROM gongzhi_app;
CREATE OR REPLACE FUNCTION gongzhi_login_communities() RETURNS uuid[] LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = "{schema}", pg_temp AS $$
    SELECT coalesce(array_agg(c.id), '{{}}') FROM reporting_login l
    JOIN community c ON c.id = l.community_id OR (l.community_id IS NULL AND c.street_id = l.street_id)
    WHERE l.role_name = session_user
$$;
CREATE OR REPLACE FUNCTION gongzhi_scope_communities() RETURNS uuid[] LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN pg_has_role('gongzhi_reporting', 'MEMBER') THEN "{schema}".gongzhi_login_communities()
                ELSE nullif(current_setting('gongzhi.communities', true), '')::uuid[] END
$$;
CREATE SCHEMA IF NOT EXISTS reporting;
COMMENT ON SCHEMA reporting IS 'gongzhi for BI tools: views without personal data, each login restricted by row-level security to its street or community.';
GRANT USAGE ON SCHEMA reporting TO gongzhi_reporting;
GRANT USAGE ON SCHEMA "{schema}" TO gongzhi_reporting;
CREATE OR REPLACE VIEW reporting.communities WITH (security_invoker = true) AS
    SELECT id, street_id, code, name FROM "{schema}".community WHERE id = ANY (gongzhi_scope_communities());
COMMENT ON VIEW reporting.communities IS 'The communities (社区) of the login''s street or community.';
GRANT SELECT (id, street_id, code, name) ON community TO gongzhi_reporting;
GRANT SELECT ON reporting.communities TO gongzhi_reporting;
"#
        );
        for (view, doc, table, columns) in VIEWS {
            let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
            let list = names.join(", ");
            sql.push_str(&format!(
                "CREATE OR REPLACE VIEW reporting.{view} WITH (security_invoker = true) AS SELECT {list} FROM \"{schema}\".{table};\n\
                 COMMENT ON VIEW reporting.{view} IS '{}';\n\
                 GRANT SELECT ({list}) ON \"{schema}\".{table} TO gongzhi_reporting;\n\
                 GRANT SELECT ON reporting.{view} TO gongzhi_reporting;\n",
                doc.replace('\'', "''")
            ));
            for (column, doc) in *columns {
                sql.push_str(&format!("COMMENT ON COLUMN reporting.{view}.{column} IS '{}';\n", doc.replace('\'', "''")));
            }
        }
        db.execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(
            "DROP SCHEMA IF EXISTS reporting CASCADE;
             CREATE OR REPLACE FUNCTION gongzhi_scope_communities() RETURNS uuid[] LANGUAGE sql STABLE AS $$
                 SELECT CASE WHEN pg_has_role('gongzhi_reporting', 'MEMBER') THEN NULL
                             ELSE nullif(current_setting('gongzhi.communities', true), '')::uuid[] END
             $$;
             DROP FUNCTION IF EXISTS gongzhi_login_communities();
             DROP TABLE IF EXISTS reporting_login;",
        )
        .await?;
        Ok(())
    }
}
