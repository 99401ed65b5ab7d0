//! Database connections: SQLite (embedded default) or PostgreSQL (production), one entity set.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    TransactionTrait,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Opens a pool for `url`. SQLite files get WAL, foreign keys and a busy timeout so that
/// concurrent requests wait for the writer instead of failing.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let sqlite = url.starts_with("sqlite:");
    // SQLite has one writer; a few connections serve its readers, each with its own page cache.
    let max_connections = if sqlite { max_connections.clamp(1, 8) } else { max_connections.max(1) };
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if sqlite {
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    if loopback_without_sslmode(url) {
        // TLS to the same machine protects nothing, and costs: the driver writes each TLS record
        // separately with Nagle's algorithm on, so any statement over one record (a bulk insert)
        // waits out the server's delayed acknowledgement. `?sslmode=` in the URL still wins.
        opts.map_sqlx_postgres_opts(|o| o.ssl_mode(sea_orm::sqlx::postgres::PgSslMode::Disable));
    }
    let db = Database::connect(opts).await.with_context(|| format!("could not connect to the database at {}", redact(url)))?;
    Ok(db)
}

/// A PostgreSQL URL whose server is this machine and that leaves the TLS mode to us: no
/// `sslmode` in the URL or in `PGSSLMODE`. The host is read as the driver reads it (a `host`
/// query parameter overrides the authority).
fn loopback_without_sslmode(url: &str) -> bool {
    use std::str::FromStr;
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return false;
    }
    if url.contains("sslmode=") || url.contains("ssl-mode=") || std::env::var_os("PGSSLMODE").is_some() {
        return false;
    }
    let Ok(opts) = sea_orm::sqlx::postgres::PgConnectOptions::from_str(url) else { return false };
    matches!(opts.get_host(), "127.0.0.1" | "localhost" | "::1" | "[::1]")
}

/// Runs every pending migration.
///
/// On SQLite the migrator would send each statement to whichever pooled connection is free,
/// and a connection that cached the schema before another one changed it can act on the old
/// schema. One transaction keeps every statement on one connection and makes the whole run
/// atomic (SQLite's DDL is transactional); PostgreSQL already runs each migration in its own.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    let run = async {
        if db.get_database_backend() != DbBackend::Sqlite {
            return Migrator::up(db, None).await;
        }
        let txn = db.begin().await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await
    };
    run.await.context("running migrations failed")
}

/// Rolls every applied migration back, on one connection like [`migrate`].
pub async fn roll_back(db: &DatabaseConnection) -> anyhow::Result<()> {
    let run = async {
        if db.get_database_backend() != DbBackend::Sqlite {
            return Migrator::down(db, None).await;
        }
        let txn = db.begin().await?;
        Migrator::down(&txn, None).await?;
        txn.commit().await
    };
    run.await.context("rolling migrations back failed")
}

/// The URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &userinfo[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A short name of the backend, for metrics and logs.
pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Postgres => "postgres",
        DbBackend::Sqlite => "sqlite",
        _ => "other",
    }
}

pub fn conflict_on_unique(err: sea_orm::DbErr, message: &str) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(message.to_owned()),
        _ => AppError::from(err),
    }
}

/// Writes `model` only if the row still has `version`; otherwise `CONFLICT` (no lost update).
pub async fn guarded_update<E, A>(
    db: &impl ConnectionTrait,
    model: A,
    id_col: E::Column,
    version_col: E::Column,
    id: Uuid,
    version: i32,
) -> AppResult<E::Model>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
    E::Model: sea_orm::IntoActiveModel<A>,
{
    let result = E::update_many().set(model).filter(id_col.eq(id)).filter(version_col.eq(version)).exec(db).await?;
    if result.rows_affected == 0 {
        return Err(AppError::Conflict("the object was changed concurrently; read it again and retry".into()));
    }
    E::find().filter(id_col.eq(id)).one(db).await?.ok_or_else(|| AppError::internal("updated row vanished"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_connections_skip_tls_unless_the_url_asks() {
        use super::loopback_without_sslmode as local;
        assert!(local("postgres://postgres@127.0.0.1:5432/test"));
        assert!(local("postgresql://u:p@localhost/db"));
        assert!(local("postgres://[::1]:5432/db"));
        assert!(!local("postgres://postgres@127.0.0.1:5432/test?sslmode=require"));
        assert!(!local("postgres://db.example.org/gongzhi"));
        assert!(!local("sqlite://gongzhi.sqlite"));
        assert!(!local("postgres://u@localhost/db?host=db.example.org"), "the driver connects to the `host` parameter");
        assert!(!local("postgres://u@127.0.0.1/db?ssl-mode=require"));
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.sqlite"), "sqlite://x.sqlite");
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so that concurrent writers queue on the busy timeout instead of
/// failing when they upgrade a read lock; PostgreSQL ignores the option.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() })
        .await
}
