//! Partner departments' webhooks: the types, the lists, registering, disabling and deleting.

use super::*;
use entity::webhook_delivery::DeliveryStatus as StoredStatus;
use service::webhooks::WebhookState;

/// Where a webhook delivery stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::webhook_delivery::DeliveryStatus")]
pub enum DeliveryStatus {
    /// Not delivered yet: waiting for an earlier event of its task, for its next attempt, or in flight.
    Pending,
    /// The endpoint answered with a 2xx status.
    Delivered,
    /// Given up after the last attempt; `lastError` says why.
    Failed,
}

/// A partner department's webhook: an HTTPS endpoint that receives the task events its unit may
/// see, signed with a secret shown once at registration.
pub struct Webhook(pub WebhookState);

/// A partner department's webhook: an HTTPS endpoint that receives the task events its unit may
/// see, signed with a secret shown once at registration.
#[Object]
impl Webhook {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::WEBHOOK, self.0.webhook.id)
    }
    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.webhook.url
    }
    /// The unit whose events it receives.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(self.0.webhook.unit_id)).await?.map(CoBuildingUnit))
    }
    /// Whether events are delivered to it.
    async fn enabled(&self) -> bool {
        self.0.webhook.enabled
    }
    /// Who registered it.
    async fn created_by(&self) -> &str {
        &self.0.webhook.created_by
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.webhook.created_at
    }
    /// When it was disabled.
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.webhook.disabled_at
    }
    /// Deliveries not delivered yet.
    async fn pending_count(&self) -> i32 {
        i32::try_from(self.0.pending).unwrap_or(i32::MAX)
    }
    /// Deliveries delivered.
    async fn delivered_count(&self) -> i32 {
        i32::try_from(self.0.delivered).unwrap_or(i32::MAX)
    }
    /// Deliveries given up.
    async fn failed_count(&self) -> i32 {
        i32::try_from(self.0.failed).unwrap_or(i32::MAX)
    }
}

/// One task event to deliver to one webhook, and how its delivery stands.
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One task event to deliver to one webhook, and how its delivery stands.
#[Object]
impl WebhookDelivery {
    /// Globally unique id; also sent as the `X-Gongzhi-Delivery` header (as a plain UUID).
    pub async fn id(&self) -> ID {
        global_id(kind::WEBHOOK_DELIVERY, self.0.id)
    }
    /// The delivery's id as sent in the `X-Gongzhi-Delivery` header and the body's `delivery`.
    async fn delivery_id(&self) -> String {
        self.0.id.to_string()
    }
    /// The task event delivered (its id as in the body's `event.id`).
    async fn event_id(&self) -> ID {
        global_id(kind::TASK_EVENT, self.0.event_id)
    }
    /// The task the event belongs to.
    async fn task_id(&self) -> ID {
        global_id(kind::TASK, self.0.task_id)
    }
    /// Where the delivery stands.
    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }
    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// What went wrong on the last failed attempt (`HTTP 500`, `could not connect`, …).
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the next attempt is due, while pending.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == StoredStatus::Pending).then_some(self.0.next_attempt_at)
    }
    /// When it was delivered.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// When the event was put in the outbox (its change's commit).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

crate::graphql::connection::connection_node!(WebhookDelivery);

/// Counts a webhook's deliveries for `totalCount`.
struct DeliveryCount {
    webhook: Uuid,
    status: Option<StoredStatus>,
}

#[async_trait::async_trait]
impl CountSource for DeliveryCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        let r = rc(ctx)?;
        let counts = service::webhooks::webhooks(&r.cx, None).await?;
        let Some(hook) = counts.into_iter().find(|h| h.webhook.id == self.webhook) else { return Ok(0) };
        Ok(match self.status {
            None => hook.pending + hook.delivered + hook.failed,
            Some(StoredStatus::Pending) => hook.pending,
            Some(StoredStatus::Delivered) => hook.delivered,
            Some(StoredStatus::Failed) => hook.failed,
        })
    }
}

/// Queries of webhooks.
#[derive(Default)]
pub struct WebhookQuery;

/// Queries of webhooks.
#[Object]
impl WebhookQuery {
    /// The webhooks of partner departments registered in the caller's street, with their
    /// deliveries counted by state (street admins).
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this unit's webhooks.")] unit_id: Option<ID>,
    ) -> Result<Vec<Webhook>> {
        let r = rc(ctx)?;
        let unit = unit_id.as_ref().map(|id| expect_id(id, kind::CO_BUILDING_UNIT, "unitId").map(UnitId)).transpose()?;
        Ok(service::webhooks::webhooks(&r.cx, unit).await?.into_iter().map(Webhook).collect())
    }

    /// A webhook's deliveries, oldest first, with their state, attempts and last error (street admins).
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its webhook, its state and the four Relay paging arguments")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] webhook_id: ID,
        #[graphql(desc = "Only deliveries in this state.")] status: Option<DeliveryStatus>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<WebhookDelivery>> {
        let r = rc(ctx)?;
        let webhook = expect_id(&webhook_id, kind::WEBHOOK, "webhookId")?;
        let args = PageArgs::new(first, after, last, before)?;
        let status = status.map(Into::into);
        let page = service::webhooks::webhook_deliveries(&r.cx, webhook, status, args).await?;
        Ok(page.into_connection(|d| d.id, WebhookDelivery, TotalCount::lazy(DeliveryCount { webhook, status })))
    }
}

/// Input of `registerWebhook`.
#[derive(InputObject)]
pub struct RegisterWebhookInput {
    /// The unit whose task events the endpoint receives; it must sit on a joint committee of the
    /// caller's street.
    pub unit_id: ID,
    /// The endpoint: an `https://` URL.
    pub url: String,
}

/// Result of `registerWebhook`.
#[derive(SimpleObject)]
pub struct RegisterWebhookPayload {
    /// The webhook.
    pub webhook: Webhook,
    /// The signing secret, shown this once: the endpoint checks `X-Gongzhi-Signature` with it
    /// (docs/partners.md).
    pub secret: String,
}

/// Input of `disableWebhook` and `deleteWebhook`.
#[derive(InputObject)]
pub struct WebhookInput {
    /// The webhook.
    pub id: ID,
}

/// Result of `disableWebhook`.
#[derive(SimpleObject)]
pub struct DisableWebhookPayload {
    /// The disabled webhook.
    pub webhook: Webhook,
}

/// Result of `deleteWebhook`.
#[derive(SimpleObject)]
pub struct DeleteWebhookPayload {
    /// The id of the deleted webhook.
    pub deleted_id: ID,
}

/// Mutations of webhooks.
#[derive(Default)]
pub struct WebhookMutation;

fn fresh(webhook: entity::webhook::Model) -> Webhook {
    Webhook(WebhookState { webhook, pending: 0, delivered: 0, failed: 0 })
}

/// Mutations of webhooks.
#[Object]
impl WebhookMutation {
    /// Registers an HTTPS endpoint that receives a unit's task events (street admins). The
    /// signing secret is shown once.
    async fn register_webhook(&self, ctx: &Context<'_>, input: RegisterWebhookInput) -> Result<RegisterWebhookPayload> {
        let r = rc(ctx)?;
        let unit = UnitId(expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?);
        let (hook, secret) = service::webhooks::register_webhook(&r.cx, unit, &input.url).await?;
        Ok(RegisterWebhookPayload { webhook: fresh(hook), secret })
    }

    /// Stops deliveries to a webhook (street admins); what was not delivered stays pending.
    async fn disable_webhook(&self, ctx: &Context<'_>, input: WebhookInput) -> Result<DisableWebhookPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::WEBHOOK, "id")?;
        Ok(DisableWebhookPayload { webhook: fresh(service::webhooks::disable_webhook(&r.cx, id).await?) })
    }

    /// Deletes a webhook and its deliveries (street admins).
    async fn delete_webhook(&self, ctx: &Context<'_>, input: WebhookInput) -> Result<DeleteWebhookPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::WEBHOOK, "id")?;
        let deleted = service::webhooks::delete_webhook(&r.cx, id).await?;
        Ok(DeleteWebhookPayload { deleted_id: global_id(kind::WEBHOOK, deleted) })
    }
}
