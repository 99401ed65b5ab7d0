//! Database connections: SQLite (embedded default) or PostgreSQL (production), one entity set.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub mod logins;
mod rows;
pub use rows::RowScope;
use rows::Scoped;

/// Opens a pool for `url`. SQLite files get WAL, foreign keys and a busy timeout so that
/// concurrent requests wait for the writer instead of failing.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    connect_waiting(url, max_connections, DEFAULT_POOL_WAIT).await
}

/// How long a statement waits for a free pooled connection by default before its request is
/// answered `SERVICE_UNAVAILABLE` (with `Retry-After`) instead of queueing without end.
pub const DEFAULT_POOL_WAIT: Duration = Duration::from_secs(3);

/// Opens a pool like [`connect`], whose statements wait at most `pool_wait` for a connection.
pub async fn connect_waiting(url: &str, max_connections: u32, pool_wait: Duration) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, max_connections, pool_wait, false).await
}

async fn connect_with(url: &str, max_connections: u32, pool_wait: Duration, system: bool) -> anyhow::Result<DatabaseConnection> {
    let sqlite = url.starts_with("sqlite:");
    // SQLite has one writer; a few connections serve its readers, each with its own page cache.
    let max_connections = if sqlite { max_connections.clamp(1, 8) } else { max_connections.max(1) };
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(pool_wait)
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
    if system && !sqlite {
        opts.map_sqlx_postgres_opts(|o| o.options([("gongzhi.system", "on")]));
    }
    let db = Database::connect(opts).await.with_context(|| format!("could not connect to the database at {}", redact(url)))?;
    Ok(db)
}

/// Opens a pool for system work (jobs, seeding, credential lookups, the command line): on
/// PostgreSQL each of its connections carries `gongzhi.system=on` as a session setting, which
/// row-level security reads as the system scope (see [`RowScope`]). Requests never use it.
pub async fn connect_system(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, max_connections, DEFAULT_POOL_WAIT, true).await
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
        return Err(AppError::Stale("the object was changed concurrently; read it again and retry".into()));
    }
    E::find().filter(id_col.eq(id)).one(db).await?.ok_or_else(|| AppError::internal("updated row vanished"))
}

#[cfg(test)]
mod tests {
    use super::{Db, WorkLimits};

    #[tokio::test]
    async fn a_request_runs_its_statements_within_its_share_and_budget() {
        let db = Db::for_request(sea_orm::DatabaseConnection::default(), WorkLimits { concurrent: 1, statements: 3 }, Default::default());
        let first = db.admit().await;
        assert!(first.is_ok());
        // A second statement of the same request waits for the first's turn to end.
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), db.admit()).await;
        assert!(waiting.is_err(), "the second statement ran beside the first");
        drop(first);
        assert!(db.admit().await.is_ok(), "its turn comes once the first is done");
        // The budget counts every statement tried, the one that waited too: the fourth is refused.
        let over = db.admit().await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(over.contains(crate::error::OVER_BUDGET), "{over}");
        // System work has no bounds.
        let system = Db::system(sea_orm::DatabaseConnection::default());
        for _ in 0..10 {
            assert!(system.admit().await.is_ok());
        }
    }

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
/// failing when they upgrade a read lock; PostgreSQL ignores the option. It counts as one
/// statement of the request's budget.
///
/// On PostgreSQL the write runs in the request's transaction when it holds one (so a request
/// holds one connection), or in a new one with the request's row scope set.
pub async fn begin_write(db: &Db) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions};
    db.count()?;
    if let Some(scoped) = &db.scoped {
        if let Some(txn) = scoped.txn.lock().await.take() {
            return Ok(txn);
        }
        return scoped.scope.begin(&db.pool).await;
    }
    db.pool
        .begin_with_options(TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() })
        .await
}

/// How much database work one request may do: its statements run at most `concurrent` at a
/// time (so that one request with many fields cannot hold the whole pool while others wait),
/// and at most `statements` in all.
#[derive(Clone, Copy, Debug)]
pub struct WorkLimits {
    /// Statements of one request running at once.
    pub concurrent: usize,
    /// Statements one request may run in all.
    pub statements: u32,
}

impl Default for WorkLimits {
    fn default() -> Self {
        WorkLimits { concurrent: 4, statements: 1_000 }
    }
}

/// The database as one caller sees it: the shared pool and, for a request, its share of the
/// pool's work (see [`WorkLimits`]). System work (the escalation job, seeding) has no bound.
#[derive(Clone)]
pub struct Db {
    pool: DatabaseConnection,
    work: Option<Arc<Work>>,
    /// The request's row scope on PostgreSQL (none for system work and on SQLite).
    scoped: Option<Arc<Scoped>>,
}

struct Work {
    gate: tokio::sync::Semaphore,
    used: AtomicU32,
    limits: WorkLimits,
}

impl Db {
    /// The pool without bounds, for system work.
    /// The pool must be a system pool ([`connect_system`]) on PostgreSQL.
    pub fn system(pool: DatabaseConnection) -> Self {
        Db { pool, work: None, scoped: None }
    }

    /// The pool as one request may use it, seeing the rows of `scope`: on PostgreSQL its
    /// statements run in one transaction with the scope set (see [`RowScope`]).
    pub fn for_request(pool: DatabaseConnection, limits: WorkLimits, scope: RowScope) -> Self {
        Self::scoped(pool, limits, scope, true)
    }

    /// The pool as a WebSocket may use it: like [`Db::for_request`], but each statement in a
    /// short transaction of its own, since a socket lives long.
    pub fn for_socket(pool: DatabaseConnection, limits: WorkLimits, scope: RowScope) -> Self {
        Self::scoped(pool, limits, scope, false)
    }

    fn scoped(pool: DatabaseConnection, limits: WorkLimits, scope: RowScope, holds: bool) -> Self {
        let work = Work { gate: tokio::sync::Semaphore::new(limits.concurrent.max(1)), used: AtomicU32::new(0), limits };
        // (Matched, not asked: a pool not connected yet, as in unit tests, has no backend to name.)
        let postgres = matches!(pool.inner, sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_));
        let scoped = postgres.then(|| Arc::new(Scoped::new(scope, holds)));
        Db { pool, work: Some(Arc::new(work)), scoped }
    }

    /// Ends the request's transaction, if it holds one (it only read: its writes committed in
    /// their own). Dropping the last copy of the request's `Db` rolls it back instead.
    pub async fn finish(&self) {
        if let Some(scoped) = &self.scoped
            && let Some(txn) = scoped.txn.lock().await.take()
            && let Err(e) = txn.commit().await
        {
            tracing::warn!(error = %e, "ending a request's transaction");
        }
    }

    /// The shared pool, for work that is not the request's own (publishing committed events).
    pub fn pool(&self) -> &DatabaseConnection {
        &self.pool
    }

    /// Statements this request has run so far.
    pub fn statements(&self) -> u32 {
        self.work.as_ref().map_or(0, |w| w.used.load(Ordering::Relaxed))
    }

    /// Runs one query whose rows are read as they come, for exports: one statement of the
    /// budget, on a pool connection held until the stream ends or is dropped (the concurrency
    /// gate is for short statements; exports are bounded by their own limit, see `http`). On
    /// PostgreSQL the stream runs in a transaction of its own with the request's row scope.
    pub async fn stream(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<futures_util::stream::BoxStream<'static, Result<sea_orm::QueryResult, DbErr>>, DbErr> {
        use futures_util::StreamExt;
        self.count()?;
        let Some(scoped) = &self.scoped else {
            return Ok(sea_orm::StreamTrait::stream_raw(&self.pool, stmt).await?.boxed());
        };
        let txn = scoped.scope.begin(&self.pool).await?;
        Ok(async_stream::try_stream! {
            let mut rows = sea_orm::StreamTrait::stream_raw(&txn, stmt).await?;
            while let Some(row) = rows.next().await {
                yield row?;
            }
        }
        .boxed())
    }

    /// Counts one statement against the budget.
    fn count(&self) -> Result<(), DbErr> {
        if let Some(work) = &self.work
            && work.used.fetch_add(1, Ordering::Relaxed) >= work.limits.statements
        {
            return Err(DbErr::Custom(crate::error::OVER_BUDGET.into()));
        }
        Ok(())
    }

    /// Waits for the request's turn at the pool.
    async fn admit(&self) -> Result<Option<tokio::sync::SemaphorePermit<'_>>, DbErr> {
        self.count()?;
        match &self.work {
            Some(work) => work.gate.acquire().await.map(Some).map_err(|_| DbErr::Custom("request ended".into())),
            None => Ok(None),
        }
    }
}

/// Runs `$call` on `$conn`: the pool, the request's held transaction, or a transaction of the
/// statement's own with the scope set (see [`RowScope`]), after the request's turn at the pool;
/// in a `sql` span carrying the statement's text (`$sql`, never its values) when spans are traced.
macro_rules! scoped_call {
    ($db:ident, $sql:expr, $conn:ident => $call:expr) => {{
        let span = tracing::debug_span!(
            "sql",
            otel.name = "sql",
            otel.kind = "client",
            db.system.name = $db.system_name(),
            db.query.text = tracing::field::Empty,
        );
        if !span.is_disabled() {
            span.record("db.query.text", statement_text($sql));
        }
        tracing::Instrument::instrument(
            async {
                let _turn = $db.admit().await?;
                match &$db.scoped {
                    None => {
                        let $conn = &$db.pool;
                        $call.await
                    }
                    Some(scoped) if scoped.holds => {
                        let held = scoped.held(&$db.pool).await?;
                        let $conn = held.as_ref().ok_or_else(|| DbErr::Custom("the request's transaction is gone".into()))?;
                        $call.await
                    }
                    Some(scoped) => {
                        let txn = scoped.scope.begin(&$db.pool).await?;
                        let out = {
                            let $conn = &txn;
                            $call.await
                        };
                        txn.commit().await?;
                        out
                    }
                }
            },
            span,
        )
        .await
    }};
}

/// A statement's text as a span carries it: at most a few kilobytes (a bulk insert's text grows
/// with its rows), cut at a character boundary.
fn statement_text(sql: &str) -> &str {
    const MOST: usize = 4096;
    if sql.len() <= MOST {
        return sql;
    }
    let mut end = MOST;
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    &sql[..end]
}

impl Db {
    /// The database system's name as OpenTelemetry spells it.
    fn system_name(&self) -> &'static str {
        match self.pool.get_database_backend() {
            DbBackend::Postgres => "postgresql",
            DbBackend::Sqlite => "sqlite",
            _ => "other_sql",
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }

    async fn execute_raw(&self, stmt: sea_orm::Statement) -> Result<sea_orm::ExecResult, DbErr> {
        scoped_call!(self, &stmt.sql, c => c.execute_raw(stmt))
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, DbErr> {
        scoped_call!(self, sql, c => c.execute_unprepared(sql))
    }

    async fn query_one_raw(&self, stmt: sea_orm::Statement) -> Result<Option<sea_orm::QueryResult>, DbErr> {
        scoped_call!(self, &stmt.sql, c => c.query_one_raw(stmt))
    }

    async fn query_all_raw(&self, stmt: sea_orm::Statement) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        scoped_call!(self, &stmt.sql, c => c.query_all_raw(stmt))
    }

    fn support_returning(&self) -> bool {
        self.pool.support_returning()
    }
}
