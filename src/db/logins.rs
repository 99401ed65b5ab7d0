//! Database logins for BI tools (PostgreSQL): each a role of its own, a member of
//! `gongzhi_reporting`, mapped in `reporting_login` to a street or one of its communities, so
//! that row-level security shows it that scope's rows of the `reporting` views and nothing else
//! (see the migration `m20261210_000002_reporting_views`). Made and dropped by the command line
//! with the owner's connection (`gongzhi reporting-login create|list|revoke`).

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use uuid::Uuid;

/// A login as `list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingLogin {
    pub role: String,
    pub street: String,
    pub community: Option<String>,
    pub created_at: String,
}

fn postgres(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        bail!("database logins for BI tools need PostgreSQL (SQLite has no logins; use a reporting key and /export)");
    }
    Ok(())
}

/// A login's name as made here: `gongzhi_bi_` and hex.
fn checked(role: &str) -> anyhow::Result<&str> {
    let ok = role.strip_prefix("gongzhi_bi_").is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_hexdigit()));
    if !ok {
        bail!("`{role}` is not a BI login of gongzhi (they are named gongzhi_bi_…)");
    }
    Ok(role)
}

/// `url` with `user:password` as its credentials.
fn with_credentials(url: &str, user: &str, password: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

/// Creates a read-only login for the street `street` (or its community `community`) and returns
/// its role name and a connection string made from `url`, the owner's.
pub async fn create(db: &DatabaseConnection, url: &str, street: &str, community: Option<&str>) -> anyhow::Result<(String, String)> {
    postgres(db)?;
    let txn = db.begin().await?;
    let found = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM region WHERE kind = 'STREET' AND code = $1",
            [street.into()],
        ))
        .await?;
    let street_id: Uuid = found.with_context(|| format!("no street with code `{street}`"))?.try_get("", "id")?;
    let community_id: Option<Uuid> = match community {
        Some(code) => {
            let found = txn
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT id FROM community WHERE street_id = $1 AND code = $2",
                    [street_id.into(), code.into()],
                ))
                .await?;
            Some(found.with_context(|| format!("no community `{code}` in {street}"))?.try_get("", "id")?)
        }
        None => None,
    };
    let role = format!("gongzhi_bi_{}", &Uuid::now_v7().simple().to_string()[20..]);
    let password = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    // Names and passwords made here from hex digits only: nothing of the caller's is spliced in.
    txn.execute_unprepared(&format!("CREATE ROLE {role} LOGIN PASSWORD '{password}' CONNECTION LIMIT 10 IN ROLE gongzhi_reporting"))
        .await?;
    txn.execute_unprepared(&format!("ALTER ROLE {role} SET search_path = reporting")).await?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO reporting_login (role_name, street_id, community_id) VALUES ($1, $2, $3)",
        [role.clone().into(), street_id.into(), community_id.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok((role.clone(), with_credentials(url, &role, &password)))
}

/// The logins made here, oldest first.
pub async fn list(db: &DatabaseConnection) -> anyhow::Result<Vec<ReportingLogin>> {
    postgres(db)?;
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT l.role_name, r.code AS street, c.code AS community, l.created_at::text AS created_at FROM reporting_login l
             JOIN region r ON r.id = l.street_id LEFT JOIN community c ON c.id = l.community_id ORDER BY l.created_at",
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ReportingLogin {
                role: r.try_get("", "role_name")?,
                street: r.try_get("", "street")?,
                community: r.try_get("", "community")?,
                created_at: r.try_get("", "created_at")?,
            })
        })
        .collect()
}

/// Drops a login at once: its sessions end and it connects no more.
pub async fn revoke(db: &DatabaseConnection, role: &str) -> anyhow::Result<()> {
    postgres(db)?;
    let role = checked(role)?;
    let txn = db.begin().await?;
    let gone = txn
        .execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, "DELETE FROM reporting_login WHERE role_name = $1", [role.into()]))
        .await?;
    if gone.rows_affected() == 0 {
        bail!("no BI login `{role}`");
    }
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
        [role.into()],
    ))
    .await?;
    txn.execute_unprepared(&format!("DROP ROLE {role}")).await?;
    txn.commit().await?;
    Ok(())
}
