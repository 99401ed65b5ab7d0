//! Schema assembly: the merged query and mutation roots, and the limits every request runs under.

pub mod batch;
pub mod connection;
pub mod context;
pub mod extensions;
pub mod ids;
pub mod inline;
pub mod limits;
pub mod node;
pub mod scalars;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::audit::graphql::AuditQuery;
use crate::collaboration::graphql::{CollabMutation, CollabQuery, CollabSubscription};
use crate::deliberation::graphql::{DeliberationMutation, DeliberationQuery, DeliberationSubscription};
use crate::home::graphql::{HomeMutation, HomeQuery};
use crate::innovation::graphql::{InnovationMutation, InnovationQuery};
use crate::organisation::graphql::{OrgMutation, OrgQuery, ViewerQuery};
use crate::reporting::graphql::{ReportingMutation, ReportingQuery};
use crate::volunteers::graphql::{VolunteerMutation, VolunteerQuery};

/// Deepest selection a query may have.
pub const MAX_DEPTH: usize = 20;
/// Highest complexity a query may have (connections cost `first × child`).
pub const MAX_COMPLEXITY: usize = 50_000;

/// The query root.
#[derive(MergedObject, Default)]
pub struct Query(
    ViewerQuery,
    node::NodeQuery,
    OrgQuery,
    CollabQuery,
    VolunteerQuery,
    HomeQuery,
    InnovationQuery,
    DeliberationQuery,
    AuditQuery,
    ReportingQuery,
);

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct Mutation(
    OrgMutation,
    CollabMutation,
    VolunteerMutation,
    HomeMutation,
    InnovationMutation,
    DeliberationMutation,
    ReportingMutation,
);

/// The subscription root.
#[derive(MergedSubscription, Default)]
pub struct Subscription(CollabSubscription, DeliberationSubscription);

/// The GraphQL schema of gongzhi.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// A schema builder with no per-request data attached: the server and tests share it.
pub fn schema() -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription::default())
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(64)
        .limit_directives(16)
        .override_output_type_description::<chrono::DateTime<chrono::Utc>>(scalars::DATE_TIME_DESCRIPTION)
}

/// Error codes are applied by the HTTP handler (see `http::graphql`), which keeps field
/// resolution free of extension hooks; transports that hand whole requests to the schema
/// (the WebSocket endpoint) use this builder, which applies them through an extension.
pub fn schema_with_error_codes() -> SchemaBuilder<Query, Mutation, Subscription> {
    schema().extension(extensions::ErrorCodes)
}

/// The data a request executes with: its context and each noun's DataLoaders, built afresh so
/// that no cache outlives the request or crosses a tenant. `live`: a subscription's loaders keep
/// no cache, so every event is resolved against the current data.
pub fn request_data(rc: context::RequestContext, live: bool) -> async_graphql::Data {
    use async_graphql::dataloader::{DataLoader, HashMapCache};
    let (db, scope) = (rc.cx.db.clone(), rc.cx.scope.clone());
    let org = DataLoader::with_cache(
        crate::organisation::loaders::OrgLoader::new(db.clone(), scope.clone()),
        batches("organisation"),
        HashMapCache::default(),
    );
    let collab = DataLoader::with_cache(
        crate::collaboration::loaders::CollabLoader::new(db.clone(), scope.clone()),
        batches("collaboration"),
        HashMapCache::default(),
    );
    let volunteers = DataLoader::with_cache(
        crate::volunteers::loaders::VolunteerLoader::new(db.clone(), scope.clone()),
        batches("volunteers"),
        HashMapCache::default(),
    );
    let home =
        DataLoader::with_cache(crate::home::loaders::HomeLoader::new(db.clone(), scope.clone()), batches("home"), HashMapCache::default());
    let innovation = DataLoader::with_cache(
        crate::innovation::loaders::InnovationLoader::new(db.clone(), scope.clone()),
        batches("innovation"),
        HashMapCache::default(),
    );
    let deliberation = DataLoader::with_cache(
        crate::deliberation::loaders::DeliberationLoader::new(db, scope),
        batches("deliberation"),
        HashMapCache::default(),
    );
    if live {
        org.enable_all_cache(false);
        collab.enable_all_cache(false);
        volunteers.enable_all_cache(false);
        home.enable_all_cache(false);
        innovation.enable_all_cache(false);
        deliberation.enable_all_cache(false);
    }
    let mut data = async_graphql::Data::default();
    data.insert(rc);
    data.insert(org);
    data.insert(collab);
    data.insert(volunteers);
    data.insert(home);
    data.insert(innovation);
    data.insert(deliberation);
    data
}

/// How a noun's DataLoader runs its batches: each on a task of its own, in a `dataloader` span
/// under the request's (the batch's SQL statements are its children in a trace).
fn batches(
    loader: &'static str,
) -> impl Fn(futures_util::future::BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> + Send + Sync + 'static {
    move |batch| {
        let span = tracing::info_span!("dataloader", otel.name = %format_args!("load {loader}"), loader);
        tokio::spawn(tracing::Instrument::instrument(batch, span))
    }
}

/// The SDL of the schema, as written to `schema.graphql`.
pub fn sdl() -> String {
    schema().finish().sdl()
}
