//! Partner departments' webhooks: a street's administrator registers an HTTPS endpoint for a
//! unit; the task events that unit may see are written to an outbox (`webhook_delivery`) in the
//! change's own transaction ([`WebhookOutbox`], a follow-up of every write on the change bus), so
//! a change that rolls back sends nothing; `deliveries` delivers them after the commit.

use entity::webhook_delivery::{self, DeliveryStatus};
use entity::{committee_membership, webhook};
use sea_orm::{Statement, Value as DbValue};

use super::*;

/// The outbox writer: after a write's task events, one delivery per event and webhook of a unit
/// that may see it, in the write's transaction (registered on the change bus at start-up).
pub struct WebhookOutbox;

/// Which webhooks each event goes to: enabled webhooks of the event's street whose unit has a
/// share of the event's task, unless the event is another unit's share event
/// (`visibility::event_filter` for the unit's scope). The unit's seat on the community's
/// committee is checked by the delivery on the system pool (`deliveries`): row-level security
/// lets a unit's own request read no other unit's seats.
const RECIPIENTS: &str = r#"SELECT e.id AS event_id, e.community_id AS community_id, e.task_id AS task_id, w.id AS webhook_id
FROM task_event e
JOIN community c ON c.id = e.community_id
JOIN webhook w ON w.street_id = c.street_id AND w.enabled = $1
WHERE (e.unit_id IS NULL OR e.unit_id = w.unit_id)
  AND EXISTS (SELECT 1 FROM assignment a WHERE a.task_id = e.task_id AND a.unit_id = w.unit_id)
  AND e.id IN "#;

#[async_trait::async_trait]
impl crate::changes::FollowUp for WebhookOutbox {
    async fn follow(&self, txn: &DatabaseTransaction, _action: &str, _object_id: Option<Uuid>, events: &[Uuid]) -> AppResult<Vec<Uuid>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let backend = txn.get_database_backend();
        let mut values: Vec<DbValue> = vec![true.into()];
        let marks: Vec<String> = events
            .iter()
            .map(|id| {
                values.push((*id).into());
                format!("${}", values.len())
            })
            .collect();
        let sql = format!("{RECIPIENTS}({}) ORDER BY e.id, w.id", marks.join(", "));
        let rows = txn.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let now = Utc::now();
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in rows {
            deliveries.push(webhook_delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(row.try_get("", "community_id")?),
                webhook_id: Set(row.try_get("", "webhook_id")?),
                task_id: Set(row.try_get("", "task_id")?),
                event_id: Set(row.try_get("", "event_id")?),
                status: Set(DeliveryStatus::Pending),
                attempts: Set(0),
                last_error: Set(None),
                next_attempt_at: Set(now),
                lease_until: Set(None),
                delivered_at: Set(None),
                created_at: Set(now),
            });
        }
        webhook_delivery::Entity::insert_many(deliveries).exec(txn).await?;
        Ok(Vec::new())
    }
}

/// A webhook with how its deliveries stand.
#[derive(Debug, Clone)]
pub struct WebhookState {
    pub webhook: webhook::Model,
    pub pending: u64,
    pub delivered: u64,
    pub failed: u64,
}

/// The street whose webhooks the caller manages: a street admin's own; everyone else is refused.
fn hook_street(cx: &Cx) -> AppResult<Uuid> {
    match cx.scope.require_street_admin("webhooks")? {
        Some(street) => Ok(street),
        None => cx.scope.streets().next().ok_or_else(|| AppError::bad_input("street", "name the street the webhook is for")),
    }
}

/// Checks a webhook's URL: `https://` with a host; `http://` only to the loopback interface and
/// only when the operator allows it (`GONGZHI_WEBHOOK_HTTP_LOOPBACK`).
pub fn check_webhook_url(url: &str, http_loopback: bool) -> AppResult<String> {
    let url = url.trim();
    if url.len() > 2048 {
        return Err(AppError::bad_input("url", "a webhook URL has at most 2048 characters"));
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| AppError::bad_input("url", "not a URL"))?;
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else { return Err(AppError::bad_input("url", "the URL names no host")) };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(AppError::bad_input("url", "the URL must not carry a user or password"));
    }
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(parsed.to_string()),
        "http" if http_loopback && loopback => Ok(parsed.to_string()),
        _ => Err(AppError::bad_input("url", "a webhook URL must start with https://")),
    }
}

/// Registers a webhook for a unit seated on a committee of the caller's street; the signing
/// secret is returned this once.
pub async fn register_webhook(cx: &Cx, unit_id: UnitId, url: &str) -> AppResult<(webhook::Model, String)> {
    let street = hook_street(cx)?;
    let url = check_webhook_url(url, crate::config::webhook_http_loopback())?;
    let w = Write::begin(cx).await?;
    let unit =
        co_building_unit::Entity::find_by_id(unit_id.0).one(w.txn()).await?.ok_or_else(|| AppError::bad_input("unitId", "no such unit"))?;
    let seated = committee_membership::Entity::find()
        .filter(committee_membership::Column::UnitId.eq(unit.id))
        .filter(
            committee_membership::Column::CommunityId.in_subquery(
                Query::select()
                    .column(community::Column::Id)
                    .from(community::Entity)
                    .and_where(community::Column::StreetId.eq(street))
                    .to_owned(),
            ),
        )
        .count(w.txn())
        .await?;
    if seated == 0 {
        return Err(AppError::bad_input("unitId", "the unit sits on no joint committee of this street"));
    }
    let secret = format!("whsec_{}", crate::auth::api_keys::new_secret());
    let model = webhook::ActiveModel {
        id: Set(Uuid::now_v7()),
        street_id: Set(street),
        unit_id: Set(unit.id),
        url: Set(url),
        secret: Set(secret.clone()),
        enabled: Set(true),
        created_by: Set(cx.scope.label().to_owned()),
        created_at: Set(Utc::now()),
        disabled_at: Set(None),
    }
    .insert(w.txn())
    .await?;
    w.commit(
        Audit::new("registerWebhook", "Webhook").object(model.id).streets([street]).summary(json!({ "unit": unit.code, "url": model.url })),
    )
    .await?;
    Ok((model, secret))
}

async fn locked_hook(w: &Write<'_>, street: Uuid, id: Uuid) -> AppResult<webhook::Model> {
    w.lock(webhook::Entity::find_by_id(id).filter(webhook::Column::StreetId.eq(street)))
        .await?
        .ok_or_else(|| AppError::not_found("webhook"))
}

/// Stops a webhook's deliveries; those not delivered yet stay pending.
pub async fn disable_webhook(cx: &Cx, id: Uuid) -> AppResult<webhook::Model> {
    let street = hook_street(cx)?;
    let w = Write::begin(cx).await?;
    let hook = locked_hook(&w, street, id).await?;
    if !hook.enabled {
        return Err(AppError::Conflict("the webhook is already disabled".into()));
    }
    let mut m: webhook::ActiveModel = hook.into();
    m.enabled = Set(false);
    m.disabled_at = Set(Some(Utc::now()));
    let hook = m.update(w.txn()).await?;
    w.commit(Audit::new("disableWebhook", "Webhook").object(hook.id).streets([street]).summary(json!({ "url": hook.url }))).await?;
    Ok(hook)
}

/// Deletes a webhook and its deliveries.
pub async fn delete_webhook(cx: &Cx, id: Uuid) -> AppResult<Uuid> {
    let street = hook_street(cx)?;
    let w = Write::begin(cx).await?;
    let hook = locked_hook(&w, street, id).await?;
    webhook_delivery::Entity::delete_many().filter(webhook_delivery::Column::WebhookId.eq(hook.id)).exec(w.txn()).await?;
    webhook::Entity::delete_by_id(hook.id).exec(w.txn()).await?;
    w.commit(Audit::new("deleteWebhook", "Webhook").object(hook.id).streets([street]).summary(json!({ "url": hook.url }))).await?;
    Ok(hook.id)
}

/// The webhooks of the caller's street (of one unit, when named), with their deliveries counted
/// by state: two statements.
pub async fn webhooks(cx: &Cx, unit_id: Option<UnitId>) -> AppResult<Vec<WebhookState>> {
    let street = hook_street(cx)?;
    let mut select = webhook::Entity::find().filter(webhook::Column::StreetId.eq(street)).order_by_asc(webhook::Column::Id);
    if let Some(u) = unit_id {
        select = select.filter(webhook::Column::UnitId.eq(u.0));
    }
    with_counts(cx, select.all(&cx.db).await?).await
}

/// One webhook of the caller's street, as `node(id:)` refetches it: for the street's admins;
/// `None` for everyone else, as for a webhook that does not exist.
pub async fn webhook(cx: &Cx, id: Uuid) -> AppResult<Option<WebhookState>> {
    let Ok(street) = hook_street(cx) else { return Ok(None) };
    let hook = webhook::Entity::find_by_id(id).filter(webhook::Column::StreetId.eq(street)).one(&cx.db).await?;
    let Some(hook) = hook else { return Ok(None) };
    Ok(with_counts(cx, vec![hook]).await?.pop())
}

/// One delivery of a webhook of the caller's street, as `node(id:)` refetches it (street admins).
pub async fn webhook_delivery(cx: &Cx, id: Uuid) -> AppResult<Option<webhook_delivery::Model>> {
    let Ok(street) = hook_street(cx) else { return Ok(None) };
    let hooks = webhook::Entity::find().select_only().column(webhook::Column::Id).filter(webhook::Column::StreetId.eq(street));
    Ok(webhook_delivery::Entity::find_by_id(id)
        .filter(webhook_delivery::Column::WebhookId.in_subquery(sea_orm::QueryTrait::into_query(hooks)))
        .filter(cx.scope.tenant_filter(webhook_delivery::Column::CommunityId))
        .one(&cx.db)
        .await?)
}

/// Webhooks with their deliveries counted by state, in one more statement.
async fn with_counts(cx: &Cx, hooks: Vec<webhook::Model>) -> AppResult<Vec<WebhookState>> {
    if hooks.is_empty() {
        return Ok(Vec::new());
    }
    let counts: Vec<(Uuid, DeliveryStatus, i64)> = webhook_delivery::Entity::find()
        .select_only()
        .column(webhook_delivery::Column::WebhookId)
        .column(webhook_delivery::Column::Status)
        .column_as(webhook_delivery::Column::Id.count(), "n")
        .filter(webhook_delivery::Column::WebhookId.is_in(hooks.iter().map(|h| h.id)))
        .filter(cx.scope.tenant_filter(webhook_delivery::Column::CommunityId))
        .group_by(webhook_delivery::Column::WebhookId)
        .group_by(webhook_delivery::Column::Status)
        .into_tuple()
        .all(&cx.db)
        .await?;
    Ok(hooks
        .into_iter()
        .map(|webhook| {
            let n = |s: DeliveryStatus| {
                counts.iter().filter(|(h, st, _)| *h == webhook.id && *st == s).map(|(_, _, n)| u64::try_from(*n).unwrap_or(0)).sum()
            };
            WebhookState {
                pending: n(DeliveryStatus::Pending),
                delivered: n(DeliveryStatus::Delivered),
                failed: n(DeliveryStatus::Failed),
                webhook,
            }
        })
        .collect())
}

/// One page of a webhook's deliveries (of one state, when named).
pub async fn webhook_deliveries(
    cx: &Cx,
    webhook_id: Uuid,
    status: Option<DeliveryStatus>,
    page: PageArgs,
) -> AppResult<Page<webhook_delivery::Model>> {
    let street = hook_street(cx)?;
    let hook = webhook::Entity::find_by_id(webhook_id).filter(webhook::Column::StreetId.eq(street)).one(&cx.db).await?;
    let Some(hook) = hook else { return Err(AppError::not_found("webhook")) };
    let mut select = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(hook.id))
        .filter(cx.scope.tenant_filter(webhook_delivery::Column::CommunityId));
    if let Some(s) = status {
        select = select.filter(webhook_delivery::Column::Status.eq(s));
    }
    Ok(page.finish(page.apply(select, webhook_delivery::Column::Id).all(&cx.db).await?))
}

#[cfg(test)]
mod tests {
    use super::check_webhook_url;

    #[test]
    fn webhook_urls_are_https_and_plain_http_only_to_loopback_when_allowed() {
        assert!(check_webhook_url("https://partner.example.gov.cn/gongzhi", false).is_ok());
        for refused in ["http://partner.example.gov.cn/hook", "ftp://x.example/", "not a url", "https://user:pw@x.example/"] {
            assert!(check_webhook_url(refused, true).is_err(), "{refused}");
        }
        assert!(check_webhook_url("http://127.0.0.1:9000/hook", false).is_err(), "loopback http needs the operator's flag");
        assert!(check_webhook_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_webhook_url("http://localhost:9000/hook", true).is_ok());
        assert!(check_webhook_url("http://10.0.0.1/hook", true).is_err());
    }
}
