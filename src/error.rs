//! One error enum for the whole request path. Each error has its code here; the GraphQL kit
//! (`graphql::extensions`) writes it into every response in one place.
//!
//! Errors are split by whose fault they are: the caller's (`Unauthenticated` .. `RateLimited`)
//! say what to fix; ours (`Internal`) say only "internal error" and the request id, while the
//! cause goes to the log.

/// Everything a service call or resolver can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// No credential, or one that is malformed, expired or wrongly signed.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The object does not exist, or is outside the caller's scope (the two look the same).
    #[error("{0}")]
    NotFound(String),
    /// The input is invalid; `field` names the input field at fault when there is one.
    #[error("{message}")]
    BadInput { message: String, field: Option<String> },
    /// The change collides with the object's state or with another object (already revoked,
    /// already signed up): reading again will not make the same change succeed.
    #[error("{0}")]
    Conflict(String),
    /// The object is at another version than the caller's `expectedVersion`, or changed while
    /// the change was made: read it again, then decide.
    #[error("{0}")]
    Stale(String),
    /// The idempotency key was used for another operation: never retry with it.
    #[error("{0}")]
    KeyReused(String),
    /// A request with the same idempotency key, or a write of the same rows, is under way: retry
    /// the same request after a moment.
    #[error("{0}")]
    InProgress(String),
    /// Too many requests from this caller (or of this kind at once): retry after the seconds
    /// given (`Retry-After`).
    #[error("too many requests from this caller; retry in {0} s")]
    RateLimited(u64),
    /// The request asks for more work than one request may do (statements, answer size);
    /// the message says which limit and how to stay under it.
    #[error("{0}")]
    LimitExceeded(String),
    /// The server is too busy to take the request now; retry after a moment.
    #[error("{0}")]
    Unavailable(String),
    /// Our fault; the cause is logged, never shown.
    #[error("internal error")]
    Internal(String),
}

/// The message of the database error a statement over its request's budget fails with (see
/// `db::Db`); the conversion below turns it into `LIMIT_EXCEEDED`.
pub const OVER_BUDGET: &str = "gongzhi: statement budget of the request exceeded";

/// Result of service calls.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A bad-input error naming the input field at fault.
    pub fn bad_input(field: &str, message: impl Into<String>) -> Self {
        AppError::BadInput { message: message.into(), field: Some(field.to_owned()) }
    }

    /// A not-found error for an object of the given type.
    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }

    /// Wraps an unexpected failure: logs it and hides it from the caller.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        AppError::Internal(cause.to_string())
    }

    /// Which conflict this is (`extensions.reason`), for errors of code `CONFLICT`.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            AppError::Conflict(_) => Some("STATE"),
            AppError::Stale(_) => Some("VERSION_MISMATCH"),
            AppError::KeyReused(_) => Some("IDEMPOTENCY_KEY_REUSED"),
            AppError::InProgress(_) => Some("IN_PROGRESS"),
            _ => None,
        }
    }

    /// Whether sending the same request again, unchanged, after a moment may succeed
    /// (`extensions.retryable`).
    pub fn retryable(&self) -> bool {
        matches!(self, AppError::InProgress(_) | AppError::RateLimited(_) | AppError::Unavailable(_))
    }

    /// The `extensions.code` this error is reported with.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) | AppError::Stale(_) | AppError::KeyReused(_) | AppError::InProgress(_) => "CONFLICT",
            AppError::RateLimited(_) => "RATE_LIMITED",
            AppError::LimitExceeded(_) => "LIMIT_EXCEEDED",
            AppError::Unavailable(_) => "SERVICE_UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL",
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        let text = err.to_string();
        if text.contains(OVER_BUDGET) {
            return AppError::LimitExceeded(
                "the request needs more database statements than one request may run; ask for fewer fields or aliases, or split it".into(),
            );
        }
        if matches!(err, sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout)) || text.contains("pool timed out") {
            tracing::warn!("no database connection came free in time; answering SERVICE_UNAVAILABLE");
            return AppError::Unavailable("the server is busy; retry in a moment".into());
        }
        // Lost races between writers are the caller's to retry, not our failure.
        let contended = text.contains("database is locked") // SQLite busy
            || text.contains("could not serialize access") // PostgreSQL 40001
            || text.contains("deadlock detected"); // PostgreSQL 40P01
        if contended {
            tracing::info!(error = %text, "write contention");
            return AppError::InProgress("the data is being changed by another request; retry".into());
        }
        AppError::internal(format_args!("database: {text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_its_code() {
        assert_eq!(AppError::Unauthenticated("x".into()).code(), "UNAUTHENTICATED");
        assert_eq!(AppError::Forbidden("x".into()).code(), "FORBIDDEN");
        assert_eq!(AppError::NotFound("x".into()).code(), "NOT_FOUND");
        assert_eq!(AppError::bad_input("name", "empty").code(), "BAD_USER_INPUT");
        assert_eq!(AppError::Conflict("x".into()).code(), "CONFLICT");
        for (e, reason, retryable) in [
            (AppError::Conflict("x".into()), "STATE", false),
            (AppError::Stale("x".into()), "VERSION_MISMATCH", false),
            (AppError::KeyReused("x".into()), "IDEMPOTENCY_KEY_REUSED", false),
            (AppError::InProgress("x".into()), "IN_PROGRESS", true),
        ] {
            assert_eq!((e.code(), e.reason(), e.retryable()), ("CONFLICT", Some(reason), retryable), "{e:?}");
        }
        assert!(AppError::RateLimited(1).retryable() && AppError::Unavailable("x".into()).retryable());
        assert!(!AppError::Forbidden("x".into()).retryable() && AppError::Forbidden("x".into()).reason().is_none());
        assert_eq!(AppError::RateLimited(1).code(), "RATE_LIMITED");
        assert_eq!(AppError::LimitExceeded("x".into()).code(), "LIMIT_EXCEEDED");
        assert_eq!(AppError::Unavailable("x".into()).code(), "SERVICE_UNAVAILABLE");
        assert_eq!(AppError::Internal("secret cause".into()).code(), "INTERNAL");
        assert_eq!(AppError::Internal("password=hunter2".into()).to_string(), "internal error");
    }
}
