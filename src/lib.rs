//! 共治 gongzhi: a multi-tenant GraphQL backend for the co-governance of a city street and its
//! communities. README.md says how to run it; this page says where things are.
//!
//! # Floors
//!
//! The crate is a house of floors, and imports only run down:
//!
//! | floor | modules | may name |
//! | --- | --- | --- |
//! | root | [`graphql`] (schema assembly, [`graphql::node`]), [`http`], [`demo`], [`catalogue`], [`accounts`] | everything: naming every noun is its job |
//! | nouns | [`organisation`], [`collaboration`], [`volunteers`], [`home`], [`innovation`], [`deliberation`], [`audit`] | the kit, the kernel, itself; collaboration, volunteers, home, innovation and audit may name organisation; home also collaboration (a renovation project files tasks); deliberation organisation, home and collaboration (a decision approves a project, an action item files a task) |
//! | kit | [`graphql::ids`], [`graphql::inline`], [`graphql::connection`], [`graphql::context`], [`graphql::extensions`], [`graphql::limits`], [`graphql::batch`], [`graphql::scalars`], [`reporting`] | the kernel |
//! | kernel | [`error`], [`db`], [`paging`], [`changes`], [`cx`], [`write`](mod@write), [`validate`], [`config`], [`logging`], [`auth`] | the kernel; no noun, no GraphQL |
//!
//! The rule to keep: a file that names every noun lives at the root; a file every noun uses
//! names none. `.ci/floors` fails CI when an import runs up a floor.
//!
//! # A request
//!
//! [`http`] turns the credential into a [`auth::Scope`] once, checks the document's limits
//! ([`graphql::limits`]) and runs the schema with [`graphql::request_data`]: a
//! [`graphql::context::RequestContext`] holding the [`cx::Cx`] that every service call takes
//! first (scope, the request's bounded [`db::Db`], request id, change bus), and each noun's
//! DataLoaders, built for this request only. Reads filter by the scope in the services and the
//! loaders; an empty scope sees nothing.
//!
//! # The write path
//!
//! Every mutation is one [`write::Write`]: begin, lock and check versions, write, then
//! [`write::Write::commit`] with its [`write::Audit`] entry, which runs the follow-ups other
//! nouns registered on the change bus ([`changes::FollowUp`]: a verified task closing the
//! deliberation action it carries out, inside the same transaction), writes the audit record,
//! announces the change inside the transaction (PostgreSQL `NOTIFY`), commits, and only then
//! notes the change here ([`changes::Changes`]: cached answers and scopes are no longer served)
//! and hands stored events to live subscribers. No other code commits a mutation. A mutation
//! that changes another noun's rows with its own calls that noun's in-write function
//! (`collaboration::service::insert_task`, `home::service::transition_in`) and commits once.
//!
//! # Adding a mutation
//!
//! A service function in `src/<noun>/service/<part>.rs`, and a thin resolver in
//! `src/<noun>/graphql/<part>.rs` that parses ids and calls it:
//!
//! ```ignore
//! pub async fn rename_site(cx: &Cx, id: SiteId, name: &str, expected: Option<i32>) -> AppResult<site::Model> {
//!     let name = clean_name("name", name, 100)?;
//!     let w = Write::begin(cx).await?;
//!     let site = w.lock(visibility::sites(cx, site::Entity::find_by_id(id.0))).await?.ok_or_else(|| AppError::not_found("site"))?;
//!     cx.scope.require_staff(site.community_id, "rename sites")?;
//!     Write::expect_version(expected, site.version)?;
//!     let mut row: site::ActiveModel = site.into();
//!     row.name = Set(name);
//!     let site = row.update(w.txn()).await?;
//!     w.commit(Audit::new("renameSite", "Site").object(site.id).community(site.community_id)).await?;
//!     Ok(site)
//! }
//! ```
//!
//! # Reporting
//!
//! A noun's figures and records reach reporting tools as [`reporting::Dataset`]s in its
//! `reporting.rs`, listed in [`catalogue`]: `/export` serves them as CSV and NDJSON and the monthly
//! report draws its page from them, so a figure reads the same everywhere.
//!
//! # Adding a noun
//!
//! A folder `src/<noun>/` with `visibility.rs` (its scope rules: one exhaustive `match` per
//! principal kind), `service/`, `graphql/`, `loaders.rs`, `ids.rs` (its typed ids) where it has
//! ids of its own, and `demo.rs` where the demo street shows it; its query and mutation
//! roots join the `MergedObject`s in [`graphql`], its node types the [`graphql::node::Node`]
//! dispatch, its loaders [`graphql::request_data`], and `.ci/floors` learns its name.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod changes;
pub mod collaboration;
pub mod config;
pub mod cx;
pub mod db;
pub mod deliberation;
pub mod demo;
pub mod error;
pub mod graphql;
pub mod home;
pub mod http;
pub mod innovation;
pub mod logging;
pub mod organisation;
pub mod paging;
pub mod reporting;
pub mod validate;
pub mod volunteers;
pub mod write;

pub use graphql::schema;
pub use http::{AppState, app};
