//! Error codes in every response, in one place: an [`AppError`] returned by a resolver keeps
//! its code (and field) in `extensions`; refusals before execution get async-graphql's codes.

use crate::error::AppError;

/// The GraphQL form of an [`AppError`], with `extensions.code` (and `extensions.field`).
pub trait ToGraphql {
    fn to_graphql(&self) -> async_graphql::Error;
}

impl ToGraphql for AppError {
    fn to_graphql(&self) -> async_graphql::Error {
        let mut err = async_graphql::Error::new(self.to_string());
        err.extensions = Some(extension_values(self));
        err
    }
}

fn extension_values(app: &AppError) -> async_graphql::ErrorExtensionValues {
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", app.code());
    if let AppError::BadInput { field: Some(field), .. } = app {
        ext.set("field", field.as_str());
    }
    ext
}

/// The one mapping from [`AppError`] to GraphQL error codes, applied to every error of every
/// response. Resolvers return `AppError` through `?`; async-graphql keeps it as the error's
/// source, and this writes its code (and field) into `extensions`.
pub fn apply_code(err: &mut async_graphql::ServerError) {
    if let Some(app) = err.source::<AppError>().cloned() {
        let ext = err.extensions.get_or_insert_with(Default::default);
        ext.set("code", app.code());
        if let AppError::BadInput { field: Some(field), .. } = &app {
            ext.set("field", field.as_str());
        }
        if let Some(reason) = app.reason() {
            ext.set("reason", reason);
        }
        ext.set("retryable", app.retryable());
    }
}

/// Schema extension that applies [`apply_code`] to each response.
pub struct ErrorCodes;

impl async_graphql::extensions::ExtensionFactory for ErrorCodes {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(ErrorCodesOfRequest::default())
    }
}

/// The extension of one request: it also notes whether the request carries a mutation.
#[derive(Default)]
struct ErrorCodesOfRequest {
    mutation: std::sync::atomic::AtomicBool,
}

/// Marks an argument or variable value that could not be read as its type (an out-of-range
/// `DateTime`, a malformed input object) as `BAD_USER_INPUT`; returns whether it did.
/// async-graphql reports such values while executing the field, with no code of its own.
pub fn tag_input_error(err: &mut async_graphql::ServerError) -> bool {
    let has_code = err.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
    if has_code || !(err.message.starts_with("Failed to parse") || err.message.starts_with("Invalid value")) {
        return false;
    }
    tag(err, "BAD_USER_INPUT");
    true
}

/// Sets `code` on an error that has none yet.
pub fn tag(err: &mut async_graphql::ServerError, code: &str) {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for ErrorCodesOfRequest {
    async fn request(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextRequest<'_>,
    ) -> async_graphql::Response {
        let mut response = next.run(ctx).await;
        for err in &mut response.errors {
            apply_code(err);
            tag_input_error(err);
        }
        response
    }

    /// Over the WebSocket, queries and mutations run here (not through `request`).
    async fn execute(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        let mut response = next.run(ctx, operation_name).await;
        for err in &mut response.errors {
            apply_code(err);
            tag_input_error(err);
        }
        // A mutation over the WebSocket changed data like one over HTTP: cached answers and
        // scopes are no longer current (the HTTP handler does the same for its requests).
        if self.mutation.load(std::sync::atomic::Ordering::Relaxed)
            && let Some(rc) = ctx.data_opt::<super::context::RequestContext>()
        {
            rc.cx.changes.changed();
        }
        response
    }

    /// Syntax errors answer `GRAPHQL_PARSE_FAILED`.
    async fn parse_query(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<async_graphql::parser::types::ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await.map_err(|mut err| {
            tag(&mut err, "GRAPHQL_PARSE_FAILED");
            err
        })?;
        let mutation = doc.operations.iter().any(|(_, op)| op.node.ty == async_graphql::parser::types::OperationType::Mutation);
        self.mutation.store(mutation, std::sync::atomic::Ordering::Relaxed);
        Ok(doc)
    }

    /// Validation failures (unknown fields, depth and complexity limits, bad variables)
    /// answer `GRAPHQL_VALIDATION_FAILED`.
    async fn validation(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<async_graphql::ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for err in &mut errors {
                tag(err, "GRAPHQL_VALIDATION_FAILED");
            }
            errors
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    fn code_of(err: AppError) -> String {
        let gql: async_graphql::Error = err.to_graphql();
        let ext = gql.extensions.expect("extensions"); // ok: test
        match ext.get("code") {
            Some(async_graphql::Value::String(s)) => s.clone(),
            other => panic!("no code: {other:?}"),
        }
    }

    #[test]
    fn every_error_maps_to_its_code() {
        assert_eq!(code_of(AppError::Unauthenticated("x".into())), "UNAUTHENTICATED");
        assert_eq!(code_of(AppError::Forbidden("x".into())), "FORBIDDEN");
        assert_eq!(code_of(AppError::NotFound("x".into())), "NOT_FOUND");
        assert_eq!(code_of(AppError::bad_input("name", "empty")), "BAD_USER_INPUT");
        assert_eq!(code_of(AppError::Conflict("x".into())), "CONFLICT");
        assert_eq!(code_of(AppError::RateLimited(1)), "RATE_LIMITED");
        assert_eq!(code_of(AppError::LimitExceeded("x".into())), "LIMIT_EXCEEDED");
        assert_eq!(code_of(AppError::Unavailable("x".into())), "SERVICE_UNAVAILABLE");
        assert_eq!(code_of(AppError::Internal("secret cause".into())), "INTERNAL");
    }

    #[test]
    fn internal_errors_hide_their_cause_and_bad_input_names_the_field() {
        let gql = AppError::Internal("password=hunter2".into()).to_graphql();
        assert_eq!(gql.message, "internal error");
        let gql = AppError::bad_input("builtYear", "too early").to_graphql();
        let ext = gql.extensions.expect("extensions"); // ok: test
        assert_eq!(ext.get("field"), Some(&async_graphql::Value::String("builtYear".into())));
    }
}

#[cfg(test)]
mod mapping_tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn errors_raised_with_question_mark_get_their_code() {
        fn resolver() -> async_graphql::Result<()> {
            Err(AppError::Conflict("stale".into()))?;
            Ok(())
        }
        let mut server = resolver().unwrap_err().into_server_error(async_graphql::Pos::default());
        apply_code(&mut server);
        let ext = server.extensions.expect("extensions"); // ok: test
        assert_eq!(ext.get("code"), Some(&async_graphql::Value::String("CONFLICT".into())));
    }
}
