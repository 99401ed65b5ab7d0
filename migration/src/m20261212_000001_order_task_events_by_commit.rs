//! The order in which task events were committed, for the partners' feed (`taskEvents`): a
//! `commit_seq` column on `task_event` that no writer sets.
//!
//! Event ids are UUID v7 made before the commit, so a transaction that commits later can hold a
//! smaller id than one a reader has already paged past; paging by id would skip it. The column
//! orders rows by their writing transaction instead:
//!
//! - PostgreSQL: the writing transaction's id (`pg_current_xact_id()`, 64 bits with its epoch)
//!   as a default. The feed returns only rows whose transaction is older than the oldest one still
//!   running (`pg_snapshot_xmin(pg_current_snapshot())`): every later commit then carries a larger
//!   value than the reader's cursor.
//! - SQLite: writers are serialised (`BEGIN IMMEDIATE`), so insertion order is commit order; a
//!   trigger copies each new row's `rowid` (larger than every committed row's: event rows are
//!   never deleted) into the column.
//!
//! Rows written before this migration share one value on PostgreSQL and keep their `rowid` on
//! SQLite; ties are broken by id.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES: &str = r#"
ALTER TABLE task_event ADD COLUMN commit_seq bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX task_event_community_commit ON task_event (community_id, commit_seq, id);
"#;

const SQLITE: &[&str] = &[
    "ALTER TABLE task_event ADD COLUMN commit_seq bigint NOT NULL DEFAULT 0",
    "UPDATE task_event SET commit_seq = rowid",
    "CREATE TRIGGER task_event_commit_seq AFTER INSERT ON task_event BEGIN UPDATE task_event SET commit_seq = NEW.rowid WHERE rowid = NEW.rowid; END",
    "CREATE INDEX task_event_community_commit ON task_event (community_id, commit_seq, id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(POSTGRES).await?;
            }
            _ => {
                for sql in SQLITE {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER IF EXISTS task_event_commit_seq").await?;
        }
        db.execute_unprepared("DROP INDEX IF EXISTS task_event_community_commit").await?;
        db.execute_unprepared("ALTER TABLE task_event DROP COLUMN commit_seq").await?;
        Ok(())
    }
}
