//! Delivery of the webhook outbox (`webhook_delivery`, written by `webhooks::WebhookOutbox` in the
//! change's transaction): a worker on the system pool, woken by the change bus after each commit
//! with task events (here or on another instance) and by a periodic sweep.
//!
//! - Each delivery is a `POST` of JSON signed with HMAC-SHA-256 over `<timestamp>.<body>` with
//!   the webhook's secret: `X-Gongzhi-Signature: t=<unix seconds>,v1=<hex>`.
//! - A 2xx answer delivers it; anything else (or no answer within the timeout) is retried with
//!   exponential backoff up to a cap, and after the last attempt the delivery is `FAILED` with its
//!   last error.
//! - Order per task: a delivery is taken only when no earlier event of the same task is still
//!   pending for the same webhook. A task's events are written under the task's row lock
//!   (`visible_task`), so their ids follow their commits. A `FAILED` delivery no longer holds
//!   back the task's later events; the partner catches up through the feed (`taskEvents`).
//! - Only while the unit sits on the committee of the event's community: a delivery whose unit's
//!   seat ended is given up (`FAILED`) without a request, as the unit's scope no longer shows it.
//! - Once per endpoint with several instances on one PostgreSQL: a delivery is claimed by
//!   setting its lease (`lease_until`) in one statement over rows locked `FOR UPDATE SKIP
//!   LOCKED`, and the outcome is written only while the lease is still the claimer's. On SQLite
//!   one process serves the database.

use std::sync::Arc;
use std::time::Duration;

use entity::webhook_delivery::{self, DeliveryStatus};
use entity::{co_building_unit, committee_membership, task_event, webhook};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
    Value as DbValue,
};
use serde_json::json;
use sha2::Sha256;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::error::AppResult;
use crate::graphql::ids::global_id;

/// How the worker delivers.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Time between sweeps for deliveries due, besides the wake-ups after commits.
    pub sweep: Duration,
    /// How long an endpoint may take to answer.
    pub timeout: Duration,
    /// The wait before the first retry; each further retry waits twice as long, up to `backoff_cap`.
    pub backoff: Duration,
    pub backoff_cap: Duration,
    /// Attempts before a delivery is given up (`FAILED`).
    pub max_attempts: i32,
    /// Deliveries claimed at once.
    pub batch: u32,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            sweep: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            backoff: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(3600),
            max_attempts: 12,
            batch: 32,
        }
    }
}

impl DeliverySettings {
    /// The wait after the `attempts`-th failed attempt.
    pub fn backoff_after(&self, attempts: i32) -> Duration {
        let doubled = self.backoff.saturating_mul(1u32 << attempts.clamp(1, 20).saturating_sub(1));
        doubled.min(self.backoff_cap)
    }

    /// How long a claim holds: longer than an attempt can take.
    fn lease(&self) -> Duration {
        self.timeout.saturating_mul(2) + Duration::from_secs(5)
    }
}

/// The worker's wake-up: a sink of the change bus (see `crate::changes::EventSink`), so every
/// commit with stored events, here or on another instance, wakes it.
#[derive(Clone, Default)]
pub struct Deliveries {
    wake: Arc<Notify>,
}

#[async_trait::async_trait]
impl crate::changes::EventSink for Deliveries {
    async fn deliver(&self, _db: &DatabaseConnection, _ids: &[Uuid]) {
        self.wake.notify_one();
    }
}

/// Starts the delivery worker on the system pool `db`.
pub fn spawn(db: DatabaseConnection, deliveries: Deliveries, settings: DeliverySettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("gongzhi-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
        {
            Ok(c) => c,
            Err(err) => {
                tracing::error!(error = %err, "webhook delivery cannot start: no HTTP client");
                return;
            }
        };
        loop {
            let wait = match deliver_due(&db, &client, &settings).await {
                Ok(Round { delivered_any: true, .. }) => continue,
                Ok(Round { next_due, .. }) => next_due.map_or(settings.sweep, |d| d.min(settings.sweep)),
                Err(err) => {
                    tracing::warn!(error = %err, "webhook delivery round failed");
                    settings.sweep
                }
            };
            tokio::select! {
                () = deliveries.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    })
}

/// What a round did.
struct Round {
    /// Whether it attempted any delivery (the next of a task may be due at once).
    delivered_any: bool,
    /// How soon the next pending delivery is due.
    next_due: Option<Duration>,
}

/// Claims the deliveries due: the first pending one of each task and webhook, not leased by
/// another instance, of an enabled webhook.
const CLAIM: &str = r#"UPDATE webhook_delivery SET lease_until = $1
WHERE id IN (
    SELECT d.id FROM webhook_delivery d
    WHERE d.status = $2 AND d.next_attempt_at <= $3 AND (d.lease_until IS NULL OR d.lease_until < $3)
      AND EXISTS (SELECT 1 FROM webhook w WHERE w.id = d.webhook_id AND w.enabled = $4)
      AND NOT EXISTS (SELECT 1 FROM webhook_delivery p
                      WHERE p.webhook_id = d.webhook_id AND p.task_id = d.task_id AND p.status = $2 AND p.event_id < d.event_id)
    ORDER BY d.event_id LIMIT $5{LOCK}
) AND (lease_until IS NULL OR lease_until < $3)
RETURNING id"#;

async fn deliver_due(db: &DatabaseConnection, client: &reqwest::Client, settings: &DeliverySettings) -> AppResult<Round> {
    let backend = db.get_database_backend();
    let now = chrono::Utc::now();
    let lease = now + chrono::Duration::from_std(settings.lease()).unwrap_or(chrono::Duration::seconds(60));
    let lock = if backend == DbBackend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let values: Vec<DbValue> =
        vec![lease.into(), DeliveryStatus::Pending.to_value().into(), now.into(), true.into(), i64::from(settings.batch).into()];
    let claimed: Vec<Uuid> = db
        .query_all_raw(Statement::from_sql_and_values(backend, CLAIM.replace("{LOCK}", lock), values))
        .await?
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id"))
        .collect::<Result<_, _>>()?;
    if claimed.is_empty() {
        return Ok(Round { delivered_any: false, next_due: next_due(db).await? });
    }
    let deliveries = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Id.is_in(claimed))
        .order_by_asc(webhook_delivery::Column::EventId)
        .all(db)
        .await?;
    let hooks: std::collections::HashMap<Uuid, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(deliveries.iter().map(|d| d.webhook_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|h| (h.id, h))
        .collect();
    let events: std::collections::HashMap<Uuid, task_event::Model> = task_event::Entity::find()
        .filter(task_event::Column::Id.is_in(deliveries.iter().map(|d| d.event_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let units: std::collections::HashMap<Uuid, String> = co_building_unit::Entity::find()
        .filter(co_building_unit::Column::Id.is_in(hooks.values().map(|h| h.unit_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let today = now.date_naive();
    let seated: std::collections::HashSet<(Uuid, Uuid)> = committee_membership::Entity::find()
        .select_only()
        .column(committee_membership::Column::UnitId)
        .column(committee_membership::Column::CommunityId)
        .filter(committee_membership::Column::UnitId.is_in(hooks.values().map(|h| h.unit_id)))
        .filter(committee_membership::Column::CommunityId.is_in(deliveries.iter().map(|d| d.community_id)))
        .filter(committee_membership::Column::Since.lte(today))
        .filter(
            sea_orm::Condition::any().add(committee_membership::Column::Until.is_null()).add(committee_membership::Column::Until.gt(today)),
        )
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for d in deliveries {
        let (Some(hook), Some(event)) = (hooks.get(&d.webhook_id), events.get(&d.event_id)) else { continue };
        let outcome = if seated.contains(&(hook.unit_id, d.community_id)) {
            let own_actor = units.get(&hook.unit_id).map(|code| format!("unit:{code}"));
            let body = payload(&d, hook, event, own_actor.as_deref()).to_string();
            post(client, hook, &d, &body).await.map_err(|e| (e, false))
        } else {
            Err(("the unit no longer sits on the committee of the event's community".to_owned(), true))
        };
        record(db, settings, &d, lease, outcome).await?;
    }
    Ok(Round { delivered_any: true, next_due: None })
}

/// How soon the next pending delivery of an enabled webhook is due.
async fn next_due(db: &DatabaseConnection) -> AppResult<Option<Duration>> {
    let next: Option<chrono::DateTime<chrono::Utc>> = webhook_delivery::Entity::find()
        .select_only()
        .column(webhook_delivery::Column::NextAttemptAt)
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .into_tuple()
        .one(db)
        .await?;
    Ok(next.map(|at| (at - chrono::Utc::now()).to_std().unwrap_or(Duration::from_millis(50)).max(Duration::from_millis(50))))
}

/// The JSON a partner receives for one event.
fn payload(d: &webhook_delivery::Model, hook: &webhook::Model, e: &task_event::Model, own_actor: Option<&str>) -> serde_json::Value {
    // Another department's actions show as `unit`, as in the API.
    let actor = if e.actor.starts_with("unit:") && Some(e.actor.as_str()) != own_actor { "unit" } else { e.actor.as_str() };
    json!({
        "delivery": d.id,
        "webhook": global_id("Webhook", hook.id).to_string(),
        "event": {
            "id": global_id("TaskEvent", e.id).to_string(),
            "task": global_id("Task", e.task_id).to_string(),
            "community": global_id("Community", e.community_id).to_string(),
            "kind": e.kind.to_value(),
            "fromStatus": e.from_status,
            "toStatus": e.to_status,
            "level": e.level,
            "unit": e.unit_id.map(|u| global_id("CoBuildingUnit", u).to_string()),
            "actorKind": e.actor_kind,
            "actor": actor,
            "note": e.note,
            "evidence": crate::validate::from_json_list(&e.evidence),
            "at": e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    })
}

/// The signature header of a body signed at `timestamp` (unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// POSTs one delivery: `Ok` on a 2xx answer, else what went wrong.
async fn post(client: &reqwest::Client, hook: &webhook::Model, d: &webhook_delivery::Model, body: &str) -> Result<(), String> {
    let timestamp = chrono::Utc::now().timestamp();
    let sent = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-gongzhi-signature", signature(&hook.secret, timestamp, body))
        .header("x-gongzhi-delivery", d.id.to_string())
        .header("x-gongzhi-event", global_id("TaskEvent", d.event_id).to_string())
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(resp) if resp.status().is_success() => Ok(()),
        Ok(resp) => Err(format!("HTTP {}", resp.status().as_u16())),
        Err(err) if err.is_timeout() => Err("no answer within the timeout".into()),
        Err(err) if err.is_connect() => Err("could not connect".into()),
        Err(err) => Err(format!("request failed: {err}").chars().take(500).collect()),
    }
}

/// Writes a delivery's outcome, while the lease is still this worker's: delivered, or failed with
/// the error and whether to give up at once.
async fn record(
    db: &DatabaseConnection,
    settings: &DeliverySettings,
    d: &webhook_delivery::Model,
    lease: chrono::DateTime<chrono::Utc>,
    outcome: Result<(), (String, bool)>,
) -> AppResult<()> {
    let attempts = d.attempts + 1;
    let now = chrono::Utc::now();
    let update = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(webhook_delivery::Column::LeaseUntil, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None));
    let update = match outcome {
        Ok(()) => update
            .col_expr(webhook_delivery::Column::Status, Expr::value(DeliveryStatus::Delivered.to_value()))
            .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(now))
            .col_expr(webhook_delivery::Column::LastError, Expr::value(Option::<String>::None)),
        Err((error, give_up)) => {
            tracing::info!(delivery = %d.id, attempts, error = %error, "webhook delivery failed");
            let status = if give_up || attempts >= settings.max_attempts { DeliveryStatus::Failed } else { DeliveryStatus::Pending };
            let next = now + chrono::Duration::from_std(settings.backoff_after(attempts)).unwrap_or(chrono::Duration::seconds(60));
            update
                .col_expr(webhook_delivery::Column::Status, Expr::value(status.to_value()))
                .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
                .col_expr(webhook_delivery::Column::LastError, Expr::value(error))
        }
    };
    update.filter(webhook_delivery::Column::Id.eq(d.id)).filter(webhook_delivery::Column::LeaseUntil.eq(lease)).exec(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_the_cap() {
        let s = DeliverySettings { backoff: Duration::from_secs(5), backoff_cap: Duration::from_secs(60), ..DeliverySettings::default() };
        let waits: Vec<u64> = (1..=6).map(|n| s.backoff_after(n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
    }

    #[test]
    fn the_signature_is_an_hmac_of_timestamp_and_body() {
        // Known answer: HMAC-SHA-256 of "1700000000.{}" with the key "whsec_test".
        let sig = signature("whsec_test", 1_700_000_000, "{}");
        assert!(sig.starts_with("t=1700000000,v1="), "{sig}");
        assert_eq!(sig.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(sig, signature("whsec_other", 1_700_000_000, "{}"));
    }
}
