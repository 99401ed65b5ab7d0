//! Partner departments' API keys: the type, the list and issuing and revoking keys.

use super::*;

// ---------------------------------------------------------------- ApiKey

/// A partner department's API key. The secret itself is shown only once, when it is created.
pub struct ApiKey(pub api_key::Model);

/// A partner department's API key. The secret itself is shown only once, when it is created.
#[Object]
impl ApiKey {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::API_KEY, self.0.id)
    }
    /// What the key is for, e.g. 市场监管局工单系统.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// The first characters of the key, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// The unit the key acts as.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(self.0.unit_id)).await?.map(CoBuildingUnit))
    }
    /// Who issued it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it was issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When it was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// Whether it still works.
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none()
    }
}

/// Queries of API keys.
#[derive(Default)]
pub struct PartnerQuery;

/// Queries of API keys.
#[Object]
impl PartnerQuery {
    /// API keys of partner departments (street admins).
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn api_keys(&self, ctx: &Context<'_>, #[graphql(desc = "Only this unit's keys.")] unit_id: Option<ID>) -> Result<Vec<ApiKey>> {
        let r = rc(ctx)?;
        let unit = unit_id.as_ref().map(|id| expect_id(id, kind::CO_BUILDING_UNIT, "unitId").map(UnitId)).transpose()?;
        Ok(service::partner::api_keys(&r.cx, unit).await?.into_iter().map(ApiKey).collect())
    }
}

/// Input of `createApiKey`.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// The unit the key acts as.
    pub unit_id: ID,
    /// What the key is for.
    pub label: String,
}

/// Result of `createApiKey`.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The key's record.
    pub api_key: ApiKey,
    /// The key itself, shown this once: send it as `Authorization: ApiKey <secret>`.
    pub secret: String,
}

/// Input of `revokeApiKey`.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The key.
    pub id: ID,
}

/// Result of `revokeApiKey`.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The revoked key.
    pub api_key: ApiKey,
}

/// Mutations of API keys.
#[derive(Default)]
pub struct PartnerMutation;

/// Mutations of API keys.
#[Object]
impl PartnerMutation {
    /// Issues an API key for a partner department (street admins). The secret is shown once.
    async fn create_api_key(&self, ctx: &Context<'_>, input: CreateApiKeyInput) -> Result<CreateApiKeyPayload> {
        let r = rc(ctx)?;
        let unit = UnitId(expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?);
        let (key, secret) = service::partner::create_api_key(&r.cx, unit, &input.label).await?;
        Ok(CreateApiKeyPayload { api_key: ApiKey(key), secret })
    }

    /// Revokes an API key at once (street admins).
    async fn revoke_api_key(&self, ctx: &Context<'_>, input: RevokeApiKeyInput) -> Result<RevokeApiKeyPayload> {
        let r = rc(ctx)?;
        let id = ApiKeyId(expect_id(&input.id, kind::API_KEY, "id")?);
        let key = service::partner::revoke_api_key(&r.cx, id).await?;
        Ok(RevokeApiKeyPayload { api_key: ApiKey(key) })
    }
}
