//! Row-level security on PostgreSQL: the second wall under the service layer's scope.
//!
//! Every tenant table (a `community_id NOT NULL` column) has a forced policy that admits a row
//! only when its community is among the request's, read from transaction-local settings
//! (`set_config(…, true)`): `gongzhi.communities`, the communities the caller sees, as a
//! PostgreSQL array of uuids; a table of the street's (innovation cases) also admits the rows of
//! `gongzhi.streets`, and a table of people's rows (a `person_id`) the caller's own,
//! `gongzhi.person`, wherever they are (a resident who moved keeps their history).
//! `gongzhi.staff` and `gongzhi.unit` carry the communities the caller is staff of and the
//! caller's unit. A transaction that sets
//! nothing sees no row. System work (the escalation job, the deadlines job, seeding, credential
//! lookups, the command line) connects with `gongzhi.system=on` as a session setting on a pool
//! of its own ([`connect_system`](super::connect_system)), which requests never use.
//!
//! A request's statements run in one transaction, opened at its first statement with the
//! scope set in one more statement (a fixed cost per request, not per row or field), held to the
//! end of the request ([`Db::finish`](super::Db::finish), or its drop), and handed to the
//! request's write if it has one, so that a request holds one connection. A WebSocket, which
//! lives long, opens a short transaction per statement instead. SQLite has no row-level
//! security: these settings are never sent there, and the service layer is the only wall.
//!
//! The migration `m20261210_000001_row_level_security` creates the policies, the role
//! `gongzhi_app` the server's login is a member of (granted what it needs, owning nothing), and
//! `gongzhi_reporting`, whose members (database logins for BI tools) are never trusted with the
//! settings. `m20261211_000001_row_level_security_by_principal` narrows a partner key's unit and
//! a member's person further, as the service does: a unit reads its own shares' tasks and no
//! personal data, a member no task and of people's rows their own.

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement, TransactionTrait};
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// What rows a request may touch, as the policies read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowScope {
    /// Communities whose rows the caller sees.
    pub communities: Vec<Uuid>,
    /// Streets the caller sees.
    pub streets: Vec<Uuid>,
    /// Communities the caller is staff of.
    pub staff: Vec<Uuid>,
    /// The caller's person, for members.
    pub person: Option<Uuid>,
    /// The caller's unit, for partner departments.
    pub unit: Option<Uuid>,
}

/// The statement that sets a scope for the rest of its transaction.
const SET_SCOPE: &str = "SELECT set_config('gongzhi.communities', $1, true), set_config('gongzhi.staff', $2, true), \
     set_config('gongzhi.person', $3, true), set_config('gongzhi.unit', $4, true), set_config('gongzhi.streets', $5, true), \
     set_config('gongzhi.system', 'off', true)";

/// A PostgreSQL array literal of uuids: `{a,b}`.
fn array(ids: &[Uuid]) -> String {
    let inner: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    format!("{{{}}}", inner.join(","))
}

impl RowScope {
    /// The statement setting this scope in the current transaction.
    pub fn statement(&self) -> Statement {
        let id = |v: Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
        Statement::from_sql_and_values(
            DbBackend::Postgres,
            SET_SCOPE,
            [
                array(&self.communities).into(),
                array(&self.staff).into(),
                id(self.person).into(),
                id(self.unit).into(),
                array(&self.streets).into(),
            ],
        )
    }

    /// Begins a transaction on `pool` with this scope set.
    pub async fn begin(&self, pool: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
        let txn = pool.begin().await?;
        txn.execute_raw(self.statement()).await?;
        Ok(txn)
    }
}

/// A request's scope on PostgreSQL and, when it holds one, its transaction.
pub(super) struct Scoped {
    pub scope: RowScope,
    /// Whether the request holds one transaction for all its statements (else one per statement).
    pub holds: bool,
    pub txn: Mutex<Option<DatabaseTransaction>>,
}

impl Scoped {
    pub fn new(scope: RowScope, holds: bool) -> Self {
        Scoped { scope, holds, txn: Mutex::new(None) }
    }

    /// The request's transaction, opened with the scope at the first statement.
    pub async fn held(&self, pool: &DatabaseConnection) -> Result<MutexGuard<'_, Option<DatabaseTransaction>>, DbErr> {
        let mut held = self.txn.lock().await;
        if held.is_none() {
            *held = Some(self.scope.begin(pool).await?);
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_is_sent_as_values_never_spliced_into_the_text() {
        let a = Uuid::nil();
        let s = RowScope { communities: vec![a, a], person: Some(a), ..RowScope::default() }.statement();
        assert_eq!(s.sql, SET_SCOPE);
        let values = s.values.map(|v| v.0).unwrap_or_default();
        assert_eq!(values.len(), 5);
        assert_eq!(values[0], format!("{{{a},{a}}}").into());
        assert_eq!(values[1], "{}".into());
        assert_eq!(values[3], "".into());
    }
}
