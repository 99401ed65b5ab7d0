//! The context of a service call: who is asking (the scope), the database, and the request id
//! that audit records carry. It is the first argument of every service function.

use crate::auth::Scope;
use crate::changes::Changes;
use crate::db::Db;

/// A service call's context.
#[derive(Clone)]
pub struct Cx {
    pub scope: Scope,
    /// The database, bounded to the request's share of work (see [`crate::db::WorkLimits`]).
    pub db: Db,
    pub request_id: String,
    /// The request id the client sent, if any: kept beside the server's, never instead of it.
    pub client_request_id: Option<String>,
    /// Where committed changes are announced.
    pub changes: Changes,
}

impl Cx {
    pub fn new(scope: Scope, db: Db, request_id: impl Into<String>, changes: Changes) -> Self {
        Cx { scope, db, request_id: request_id.into(), client_request_id: None, changes }
    }
}
