//! The context of a service call: who is asking (the scope), the database, and the request id
//! that audit records carry. It is the first argument of every service function.

use sea_orm::DatabaseConnection;

use crate::auth::Scope;
use crate::collaboration::events::EventBus;

/// A service call's context.
#[derive(Clone)]
pub struct Cx {
    pub scope: Scope,
    pub db: DatabaseConnection,
    pub request_id: String,
    /// Where committed task events are published.
    pub events: EventBus,
}

impl Cx {
    pub fn new(scope: Scope, db: DatabaseConnection, request_id: impl Into<String>, events: EventBus) -> Self {
        Cx { scope, db, request_id: request_id.into(), events }
    }
}
