//! `gongzhi serve`: migrate, optionally seed the demo street, and serve until SIGTERM/ctrl-c.

use anyhow::Context;
use tokio::net::TcpListener;

use super::{AppState, Limits, app};
use crate::auth::{Claims, Role};
use crate::config::ServeArgs;

/// Runs the server.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let (url, default_db) = args.db.resolve();
    let demo = args.demo || default_db;
    crate::config::check_production_keys(demo).map_err(|why| anyhow::anyhow!("refusing to start: {why}"))?;
    let (secret, dev_secret) = crate::config::jwt_secret();
    if dev_secret {
        tracing::warn!(
            "GONGZHI_JWT_SECRET is not set: tokens are signed with the PUBLIC development secret; never run like this in production"
        );
    }
    let pool_wait = std::time::Duration::from_millis(args.db_pool_wait_ms.max(1));
    let db = crate::db::connect_waiting(&url, args.db.db_pool, pool_wait).await?;
    // Jobs, seeding, credential lookups and event delivery work under the system scope, on a
    // pool of their own; requests never see it (see `crate::db::RowScope`).
    let system = if crate::db::backend_name(&db) == "sqlite" { db.clone() } else { crate::db::connect_system(&url, 4).await? };
    match &args.owner_database_url {
        Some(owner) => {
            let owner = crate::db::connect_system(owner, 1).await?;
            crate::db::migrate(&owner).await?;
            owner.close().await.ok();
        }
        None => crate::db::migrate(&system).await?,
    }
    if demo {
        let report = crate::demo::seed_if_empty(&system).await?;
        tracing::info!("{report}");
    }
    crate::config::set_appeal_deadlines(args.appeal_response_time, args.appeal_answer_time);
    let limits = limits(&args);
    let mut state = AppState::new(db.clone(), &secret, limits).with_system_pool(system.clone());
    if let Some(settings) = oidc_settings(&args).map_err(|why| anyhow::anyhow!("refusing to start: {why}"))? {
        let issuer = settings.issuer.clone();
        let verifier = crate::auth::oidc::Verifier::new(settings).await.map_err(|why| anyhow::anyhow!("refusing to start: {why}"))?;
        tracing::info!(issuer = %issuer, "accepting the tokens of the OpenID Connect issuer");
        state = state.with_oidc(std::sync::Arc::new(verifier));
    }
    if let Some(path) = &args.trusted_documents {
        let explore = match args.trusted_documents_explore {
            crate::config::TrustedExplore::Nobody => super::persisted::Explore::Nobody,
            crate::config::TrustedExplore::Admins => super::persisted::Explore::Admins,
        };
        let trusted = super::persisted::Persisted::trusted(path, explore).map_err(|why| anyhow::anyhow!("refusing to start: {why}"))?;
        tracing::info!(manifest = %path.display(), "running only the trusted documents");
        state = state.with_persisted(trusted);
    }
    state.changes.listen(system.clone());
    if args.escalation_interval_secs > 0 {
        let policy = crate::collaboration::service::EscalationPolicy {
            to_city: chrono::Duration::from_std(args.escalate_to_city_after).unwrap_or(chrono::Duration::days(3)),
        };
        crate::collaboration::escalation::spawn(
            system.clone(),
            state.changes.clone(),
            std::time::Duration::from_secs(args.escalation_interval_secs),
            policy,
        );
        // Appeals past their deadlines move up a tier on the same beat.
        crate::deliberation::service::spawn_deadlines(
            system.clone(),
            state.changes.clone(),
            std::time::Duration::from_secs(args.escalation_interval_secs),
            crate::config::appeal_deadlines(),
        );
    }
    // Partners' webhooks: the outbox delivered after each commit and on a sweep.
    crate::config::allow_webhook_http_loopback(args.webhook_http_loopback);
    crate::collaboration::service::deliveries::spawn(
        system.clone(),
        state.webhooks.clone(),
        crate::collaboration::service::deliveries::DeliverySettings {
            sweep: std::time::Duration::from_secs(args.webhook_sweep_secs.max(1)),
            timeout: std::time::Duration::from_secs(args.webhook_timeout_secs.max(1)),
            ..Default::default()
        },
    );
    let listener = TcpListener::bind(args.addr).await.with_context(|| format!("could not listen on {}", args.addr))?;
    let addr = listener.local_addr().context("listener has no address")?;
    tracing::info!(database = %crate::db::redact(&url), backend = crate::db::backend_name(&db), "gongzhi listening on http://{addr}");
    println!("GraphiQL: http://{addr}/");
    if demo {
        print_demo_tokens(&state).await;
    }
    let stopping = state.stopping.clone();
    let stop = {
        let stopping = stopping.clone();
        async move {
            shutdown_signal().await;
            stopping.send_replace(true);
        }
    };
    if let Some(metrics_addr) = args.metrics_addr {
        let metrics = TcpListener::bind(metrics_addr).await.with_context(|| format!("could not listen on {metrics_addr} for metrics"))?;
        tracing::info!("metrics on http://{metrics_addr}/metrics");
        let (router, mut stopped) = (super::metrics_app(state.clone()), stopping.subscribe());
        let header_read = state.limits.sockets.header_read;
        tokio::spawn(async move {
            super::listen::serve(metrics, router, header_read, async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .await;
        });
    }
    let header_read = state.limits.sockets.header_read;
    super::listen::serve(listener, app(state), header_read, stop).await;
    // Upgraded WebSocket connections outlive the HTTP server: give them a moment to send their
    // close frames (each holds a receiver of `stopping` until it is done).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while stopping.receiver_count() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    db.close().await.context("closing the database")?;
    tracing::info!("gongzhi stopped");
    Ok(())
}

/// The OpenID Connect issuer the command line and environment configure: none when none of its
/// issuer, audience and JWKS is set; an error when only some are.
fn oidc_settings(args: &ServeArgs) -> Result<Option<crate::auth::oidc::OidcSettings>, String> {
    use crate::auth::oidc::{JwksSource, OidcSettings, PersonClaim};
    let set = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    match (set(&args.oidc_issuer), set(&args.oidc_audience), set(&args.oidc_jwks)) {
        (None, None, None) => Ok(None),
        (Some(issuer), Some(audience), Some(jwks)) => Ok(Some(OidcSettings {
            issuer,
            audience,
            jwks: JwksSource::parse(&jwks)?,
            leeway: std::time::Duration::from_secs(args.oidc_leeway_secs),
            person_claim: PersonClaim::parse(&args.oidc_person_claim)?,
            trust_roles: args.oidc_trust_roles,
            role_claim: args.oidc_role_claim.trim().to_owned(),
        })),
        _ => Err("GONGZHI_OIDC_ISSUER, GONGZHI_OIDC_AUDIENCE and GONGZHI_OIDC_JWKS must be set together".into()),
    }
}

/// The limits the command line and environment set.
fn limits(args: &ServeArgs) -> Limits {
    use std::time::Duration;
    Limits {
        body_bytes: args.body_limit,
        timeout: args.request_timeout(),
        cors_origins: args.cors_origins.clone(),
        cors_headers: args.cors_allowed_headers.clone(),
        response_cache: Duration::from_millis(args.response_cache_ms),
        work: crate::db::WorkLimits { concurrent: args.db_request_concurrency.max(1), statements: args.db_request_statements },
        document: crate::graphql::limits::DocumentLimits {
            aliases: args.max_aliases,
            fields_per_selection: args.max_fields_per_selection,
            fields: args.max_fields,
            introspection: args.introspection_budget,
            response_bytes: args.max_response_bytes,
        },
        introspection: args.introspection,
        graphiql: args.graphiql,
        metrics: super::MetricsAccess {
            token: args.metrics_token.clone().filter(|t| !t.is_empty()),
            separate: args.metrics_addr.is_some(),
        },
        jwt_leeway: Duration::from_secs(args.jwt_leeway_secs),
        sockets: super::SocketLimits {
            header_read: Duration::from_secs(args.header_timeout_secs.max(1)),
            ws_init: Duration::from_secs(args.ws_init_timeout_secs.max(1)),
            subscriptions_per_socket: args.ws_subscriptions_per_socket,
            subscriptions_per_principal: args.ws_subscriptions_per_principal,
            sockets_per_principal: args.ws_sockets_per_principal,
        },
        exports: args.max_exports,
        rate: super::rate::Rate { per_second: args.rate_limit, burst: args.rate_burst },
    }
}

async fn print_demo_tokens(state: &AppState) {
    let ttl = std::time::Duration::from_secs(8 * 3600);
    let mut tokens: Vec<(String, Claims)> = Vec::new();
    let mut street = Claims::new(Role::StreetAdmin, ttl);
    street.street = Some(crate::demo::STREET_CODE.into());
    tokens.push(("street admin (梅岭街道)".into(), street));
    let mut second = Claims::new(Role::StreetAdmin, ttl);
    second.street = Some(crate::demo::SECOND_STREET_CODE.into());
    tokens.push(("street admin (青阳街道, the second street: sees nothing of 梅岭街道)".into(), second));
    for (role, label) in [(Role::CommunityAdmin, "community admin"), (Role::CommunityStaff, "community staff")] {
        let mut c = Claims::new(role, ttl);
        c.community = Some("meiling".into());
        tokens.push((format!("{label} (梅岭社区)"), c));
    }
    let mut unit = Claims::new(Role::Unit, ttl);
    unit.unit = Some("market-regulation".into());
    tokens.push(("unit (市场监管)".into(), unit));
    if let Ok(Some(member)) = demo_member(&state.system_db).await {
        let mut m = Claims::new(Role::Member, ttl);
        m.person = Some(member);
        tokens.push(("party member and volunteer (梅岭社区)".into(), m));
    }
    if let Ok(Some(secretary)) = demo_secretary(&state.system_db).await {
        let mut m = Claims::new(Role::Member, ttl);
        m.person = Some(secretary);
        tokens.push(("compound branch secretary (梅岭社区): posts that compound's demands".into(), m));
    }
    let mut reporter = Claims::new(Role::Reporter, ttl);
    reporter.street = Some(crate::demo::STREET_CODE.into());
    tokens.push(("reporter".into(), reporter));
    println!("Demo tokens, valid 8 hours (send as `Authorization: Bearer <token>`):");
    for (label, claims) in tokens {
        if let Ok(token) = state.keys.issue(&claims.with_subject()) {
            println!("  {label}:\n    {token}");
        }
    }
    println!("More with: gongzhi token --role ROLE [--community CODE] [--unit CODE] [--person ID]");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// A party member of 梅岭, for the demo member token.
async fn demo_member(db: &sea_orm::DatabaseConnection) -> Result<Option<uuid::Uuid>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let Some(meiling) = entity::community::Entity::find().filter(entity::community::Column::Code.eq("meiling")).one(db).await? else {
        return Ok(None);
    };
    // Prefer a checked-in member who has served, so that the demo shows a service record.
    let served = entity::check_in::Entity::find()
        .filter(entity::check_in::Column::CommunityId.eq(meiling.id))
        .order_by_asc(entity::check_in::Column::Id)
        .one(db)
        .await?
        .map(|c| c.person_id);
    if served.is_some() {
        return Ok(served);
    }
    Ok(entity::party_member::Entity::find()
        .filter(entity::party_member::Column::CommunityId.eq(meiling.id))
        .order_by_asc(entity::party_member::Column::Id)
        .one(db)
        .await?
        .map(|m| m.person_id))
}

/// The secretary of a compound branch of 梅岭, for the demo secretary token.
async fn demo_secretary(db: &sea_orm::DatabaseConnection) -> Result<Option<uuid::Uuid>, sea_orm::DbErr> {
    use entity::party_organization::{Column, Entity, OrganizationKind};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let Some(meiling) = entity::community::Entity::find().filter(entity::community::Column::Code.eq("meiling")).one(db).await? else {
        return Ok(None);
    };
    let branch = Entity::find()
        .filter(Column::CommunityId.eq(meiling.id))
        .filter(Column::Kind.eq(OrganizationKind::CompoundBranch))
        .filter(Column::SecretaryId.is_not_null())
        .order_by_asc(Column::Id)
        .one(db)
        .await?;
    let Some(member) = branch.and_then(|b| b.secretary_id) else { return Ok(None) };
    Ok(entity::party_member::Entity::find_by_id(member).one(db).await?.map(|m| m.person_id))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::config::{Cli, Command};

    fn serve(args: &[&str]) -> crate::config::ServeArgs {
        let mut all = vec!["gongzhi", "serve"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all) {
            Ok(Cli { command: Some(Command::Serve(args)), .. }) => *args,
            other => panic!("serve parses: {other:?}"),
        }
    }

    #[test]
    fn the_login_issuer_is_configured_whole_or_not_at_all() {
        assert!(super::oidc_settings(&serve(&[])).unwrap().is_none()); // ok: test
        let partial = serve(&["--oidc-issuer", "https://sso.example/realms/city"]);
        assert!(super::oidc_settings(&partial).unwrap_err().contains("must be set together")); // ok: test
        let whole = serve(&[
            "--oidc-issuer",
            "https://sso.example/realms/city",
            "--oidc-audience",
            "gongzhi",
            "--oidc-jwks",
            "https://sso.example/realms/city/protocol/openid-connect/certs",
            "--oidc-person-claim",
            "phone_number",
        ]);
        let settings = super::oidc_settings(&whole).unwrap().unwrap(); // ok: test
        assert_eq!(settings.person_claim, crate::auth::oidc::PersonClaim::Phone);
        assert_eq!(settings.leeway, std::time::Duration::from_secs(5));
        assert!(!settings.trust_roles);
        let insecure = serve(&["--oidc-issuer", "i", "--oidc-audience", "a", "--oidc-jwks", "http://sso.example/certs"]);
        assert!(super::oidc_settings(&insecure).is_err());
        assert!(Cli::try_parse_from(["gongzhi", "serve", "--oidc-leeway", "3600"]).is_err(), "the leeway is never large");
    }
}
