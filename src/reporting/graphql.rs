//! Reporting keys in GraphQL: the `ReportingKey` type, `reportingKeys`, and issuing and revoking
//! keys.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::keys::{self, IssuedKey};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::paging::PageArgs;

/// The type names of the global ids shown here (streets and communities carry the organisation
/// graph's names, so that `node(id:)` finds them).
pub mod kind {
    pub const REPORTING_KEY: &str = "ReportingKey";
    pub const STREET: &str = "Street";
    pub const COMMUNITY: &str = "Community";
}

/// A street or community a reporting key reports on.
#[derive(SimpleObject)]
pub struct ReportingPlace {
    /// Global id of the street or community (refetch it with `node(id:)`). Not called `id`:
    /// this object is a view of that node, not the node, and clients that normalise by `id`
    /// (Relay, Apollo) would merge the two.
    pub place_id: ID,
    /// Its code, e.g. `meiling-street` or `zhuyuan`.
    pub code: String,
    /// Its name, e.g. 梅岭街道.
    pub name: String,
}

/// A reporting tool's key: read-only, for a street or one community of it, expiring. The secret
/// itself is shown only once, when the key is issued.
pub struct ReportingKey(pub IssuedKey);
crate::graphql::connection::connection_node!(ReportingKey);

/// A reporting tool's key: read-only, for a street or one community of it, expiring. The secret
/// itself is shown only once, when the key is issued.
#[Object]
impl ReportingKey {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::REPORTING_KEY, self.0.key.id)
    }
    /// What the key is for, e.g. 月报.
    async fn label(&self) -> &str {
        &self.0.key.label
    }
    /// The street the key reports on.
    async fn street(&self) -> ReportingPlace {
        let s = &self.0.street;
        ReportingPlace { place_id: global_id(kind::STREET, s.id), code: s.code.clone(), name: s.name.clone() }
    }
    /// The one community a community key reports on; none for a street key (every community of
    /// the street).
    async fn community(&self) -> Option<ReportingPlace> {
        self.0.community.as_ref().map(|c| ReportingPlace {
            place_id: global_id(kind::COMMUNITY, c.id),
            code: c.code.clone(),
            name: c.name.clone(),
        })
    }
    /// When it was issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.key.created_at
    }
    /// Who issued it, e.g. `street-admin:meiling-street`.
    async fn created_by(&self) -> &str {
        &self.0.key.created_by
    }
    /// When it stops working.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.key.expires_at
    }
    /// When it was revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.key.revoked_at
    }
    /// When it was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.key.last_used_at
    }
    /// Whether it still works: neither revoked nor expired.
    async fn active(&self) -> bool {
        self.0.key.revoked_at.is_none() && self.0.key.expires_at > Utc::now()
    }
    /// The version, for `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.key.version
    }
}

struct KeyCount(bool);

#[async_trait::async_trait]
impl CountSource for KeyCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        keys::count(&rc(ctx)?.cx, self.0).await
    }
}

/// Queries of reporting keys.
#[derive(Default)]
pub struct ReportingQuery;

/// Queries of reporting keys.
#[Object]
impl ReportingQuery {
    /// Reporting keys, oldest first: a street admin's street's (its communities' keys
    /// included), a community admin's community's; others are refused.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn reporting_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Revoked keys too (default: only those not revoked).")] include_revoked: Option<bool>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<ReportingKey>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let include_revoked = include_revoked.unwrap_or(false);
        let page = keys::list(&r.cx, &args, include_revoked).await?;
        Ok(page.into_connection(|k| k.key.id, ReportingKey, TotalCount::lazy(KeyCount(include_revoked))))
    }
}

/// Input of `issueReportingKey`.
#[derive(InputObject)]
pub struct IssueReportingKeyInput {
    /// What the key is for, e.g. 月报.
    pub label: String,
    /// A community key: only this community of the street (community admins must name their
    /// own). Without it, a key for the whole street (street admins).
    pub community_id: Option<ID>,
    /// When the key stops working: in the future, at most a year away (default: in 90 days).
    pub expires_at: Option<DateTime<Utc>>,
}

/// Result of `issueReportingKey`.
#[derive(SimpleObject)]
pub struct IssueReportingKeyPayload {
    /// The key's record.
    pub key: ReportingKey,
    /// The key itself, shown this once: send it as `Authorization: ApiKey <secret>`.
    pub secret: String,
}

/// Input of `revokeReportingKey`.
#[derive(InputObject)]
pub struct RevokeReportingKeyInput {
    /// The key.
    pub id: ID,
    /// The version the caller read; `CONFLICT` when the key changed since.
    pub expected_version: Option<i32>,
}

/// Result of `revokeReportingKey`.
#[derive(SimpleObject)]
pub struct RevokeReportingKeyPayload {
    /// The revoked key.
    pub key: ReportingKey,
}

/// Mutations of reporting keys.
#[derive(Default)]
pub struct ReportingMutation;

/// Mutations of reporting keys.
#[Object]
impl ReportingMutation {
    /// Issues a read-only key for a reporting tool (street admins for the street or one of its
    /// communities, community admins for their community). The secret is shown once.
    async fn issue_reporting_key(&self, ctx: &Context<'_>, input: IssueReportingKeyInput) -> Result<IssueReportingKeyPayload> {
        let r = rc(ctx)?;
        let community = input.community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let (key, secret) = keys::issue(&r.cx, &input.label, community, input.expires_at).await?;
        Ok(IssueReportingKeyPayload { key: ReportingKey(key), secret })
    }

    /// Revokes a reporting key at once, on every instance of the server.
    async fn revoke_reporting_key(&self, ctx: &Context<'_>, input: RevokeReportingKeyInput) -> Result<RevokeReportingKeyPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::REPORTING_KEY, "id")?;
        let key = keys::revoke(&r.cx, id, input.expected_version).await?;
        Ok(RevokeReportingKeyPayload { key: ReportingKey(key) })
    }
}
