//! The `gongzhi` command: thin; parses the command line, sets up tracing and hands over.

use std::process::ExitCode;

/// mimalloc: GraphQL responses are built from many small allocations, which it serves much
/// faster than the system allocator (measured with bench/run.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use gongzhi::config::{ApiKeyCommand, Cli, Command, LogFormat, LoginCommand, ReportingKeyCommand, RoleCommand, SeedCommand};

fn init_tracing(log: &gongzhi::config::LogArgs) -> gongzhi::logging::Telemetry {
    gongzhi::logging::init(&log.filter, matches!(log.format, LogFormat::Json), log.otlp_endpoint.as_deref())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let telemetry = init_tracing(&cli.log);
    let result = match cli.command {
        None => match Cli::try_parse_from(["gongzhi", "serve"]) {
            Ok(Cli { command: Some(Command::Serve(args)), .. }) => gongzhi::http::serve::run(*args).await,
            Ok(_) => Err(anyhow::anyhow!("could not read the serve configuration")),
            Err(e) => Err(e.into()),
        },
        Some(Command::Serve(args)) => gongzhi::http::serve::run(*args).await,
        Some(Command::Migrate(db)) => migrate(db).await,
        Some(Command::Seed(SeedCommand::Demo { db, scale })) => seed(db, scale).await,
        Some(Command::Token(args)) => token(args),
        Some(Command::ApiKey(ApiKeyCommand::Create { db, unit, label, street })) => {
            create_api_key(db, &unit, &label, street.as_deref()).await
        }
        Some(Command::ReportingKey(command)) => reporting_key(command).await,
        Some(Command::Role(command)) => role(command).await,
        Some(Command::Login(command)) => login(command).await,
        Some(Command::ReportingLogin(command)) => reporting_login(command).await,
        Some(Command::ExportSchema) => {
            print!("{}", gongzhi::graphql::sdl());
            Ok(())
        }
    };
    // The exporter sends its last batch from a thread of its own, which may block.
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(args: gongzhi::config::DatabaseArgs) -> anyhow::Result<()> {
    let (url, _) = args.resolve();
    let db = gongzhi::db::connect_system(&url, args.db_pool).await?;
    gongzhi::db::migrate(&db).await?;
    eprintln!("migrations applied to {}", gongzhi::db::redact(&url));
    Ok(())
}

async fn seed(args: gongzhi::config::DatabaseArgs, scale: u32) -> anyhow::Result<()> {
    let (url, _) = args.resolve();
    let db = gongzhi::db::connect_system(&url, args.db_pool).await?;
    gongzhi::db::migrate(&db).await?;
    let started = std::time::Instant::now();
    let report = gongzhi::demo::seed(&db, scale).await?;
    eprintln!("{report} in {:.1?}", started.elapsed());
    Ok(())
}

async fn create_api_key(args: gongzhi::config::DatabaseArgs, unit: &str, label: &str, street: Option<&str>) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (url, _) = args.resolve();
    let db = gongzhi::db::connect_system(&url, 2).await?;
    gongzhi::db::migrate(&db).await?;
    let found = entity::co_building_unit::Entity::find().filter(entity::co_building_unit::Column::Code.eq(unit)).one(&db).await?;
    let unit = found.ok_or_else(|| anyhow::anyhow!("no unit with code `{unit}`"))?;
    let street = match street {
        Some(code) => {
            let found = entity::region::Entity::find()
                .filter(entity::region::Column::Kind.eq(entity::region::RegionKind::Street))
                .filter(entity::region::Column::Code.eq(code))
                .one(&db)
                .await?;
            found.ok_or_else(|| anyhow::anyhow!("no street with code `{code}`"))?.id
        }
        None => gongzhi::collaboration::partner::street_of_unit(&db, unit.id).await.map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let scope = gongzhi::auth::Scope::system([street], "cli:api-key");
    let cx = gongzhi::cx::Cx::new(scope, gongzhi::db::Db::system(db), "cli", gongzhi::changes::Changes::default());
    let (key, secret) = gongzhi::collaboration::partner::create_api_key(&cx, gongzhi::organisation::loaders::UnitId(unit.id), label)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("API key {} for {} ({}); it is shown only this once:", key.prefix, unit.name, unit.code);
    println!("{secret}");
    Ok(())
}

/// `gongzhi reporting-key create|list|revoke`: under the server's own scope for the key's
/// street, recorded in the audit log as `cli:reporting-key`.
async fn reporting_login(command: gongzhi::config::ReportingLoginCommand) -> anyhow::Result<()> {
    use gongzhi::config::ReportingLoginCommand as C;
    use gongzhi::db::logins;
    let connect = |args: gongzhi::config::DatabaseArgs| async move {
        let (url, _) = args.resolve();
        let db = gongzhi::db::connect_system(&url, 1).await?;
        gongzhi::db::migrate(&db).await?;
        anyhow::Ok((db, url))
    };
    match command {
        C::Create { db, street, community } => {
            let (db, url) = connect(db).await?;
            let (role, conn) = logins::create(&db, &url, &street, community.as_deref()).await?;
            let place = community.map_or_else(|| street.clone(), |c| format!("{street} / {c}"));
            eprintln!("BI login {role} for {place}: read-only, the `reporting` views; the password is shown only this once:");
            println!("{conn}");
        }
        C::List { db } => {
            let (db, _) = connect(db).await?;
            for l in logins::list(&db).await? {
                println!("{}\t{}\t{}\t{}", l.role, l.street, l.community.unwrap_or_else(|| "-".into()), l.created_at);
            }
        }
        C::Revoke { db, login } => {
            let (db, _) = connect(db).await?;
            logins::revoke(&db, &login).await?;
            eprintln!("BI login {login} dropped");
        }
    }
    Ok(())
}

async fn reporting_key(command: ReportingKeyCommand) -> anyhow::Result<()> {
    use gongzhi::reporting::keys;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let connect = |args: gongzhi::config::DatabaseArgs| async move {
        let (url, _) = args.resolve();
        let db = gongzhi::db::connect_system(&url, 2).await?;
        gongzhi::db::migrate(&db).await?;
        anyhow::Ok(db)
    };
    let street_of = |db: sea_orm::DatabaseConnection, code: String| async move {
        let found = entity::region::Entity::find()
            .filter(entity::region::Column::Kind.eq(entity::region::RegionKind::Street))
            .filter(entity::region::Column::Code.eq(code.as_str()))
            .one(&db)
            .await?;
        found.ok_or_else(|| anyhow::anyhow!("no street with code `{code}`"))
    };
    let cx = |db: sea_orm::DatabaseConnection, street: uuid::Uuid| {
        let scope = gongzhi::auth::Scope::system([street], "cli:reporting-key");
        gongzhi::cx::Cx::new(scope, gongzhi::db::Db::system(db), "cli", gongzhi::changes::Changes::default())
    };
    let app = |e: gongzhi::error::AppError| anyhow::anyhow!("{e}");
    match command {
        ReportingKeyCommand::Create { db, street, label, community, days } => {
            let db = connect(db).await?;
            let street = street_of(db.clone(), street).await?;
            let community = match community {
                Some(code) => {
                    let found = entity::community::Entity::find()
                        .filter(entity::community::Column::StreetId.eq(street.id))
                        .filter(entity::community::Column::Code.eq(code.as_str()))
                        .one(&db)
                        .await?;
                    Some(found.ok_or_else(|| anyhow::anyhow!("no community `{code}` in {}", street.code))?.id)
                }
                None => None,
            };
            let expires = chrono::Utc::now() + chrono::Duration::days(i64::from(days));
            let (key, secret) = keys::issue(&cx(db, street.id), &label, community, Some(expires)).await.map_err(app)?;
            let place = key.community.as_ref().map_or_else(|| key.street.name.clone(), |c| format!("{} {}", key.street.name, c.name));
            eprintln!("reporting key {} for {place}, until {}; it is shown only this once:", key.key.id, key.key.expires_at.to_rfc3339());
            println!("{secret}");
        }
        ReportingKeyCommand::List { db, street } => {
            let db = connect(db).await?;
            let street = street_of(db.clone(), street).await?;
            println!("id\tlabel\tcommunity\tcreated_by\texpires_at\trevoked_at\tlast_used_at");
            let when = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_else(|| "-".into());
            for k in keys::of_street(&db, street.id).await.map_err(app)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    k.key.id,
                    k.key.label,
                    k.community.as_ref().map_or("-", |c| c.code.as_str()),
                    k.key.created_by,
                    k.key.expires_at.to_rfc3339(),
                    when(k.key.revoked_at),
                    when(k.key.last_used_at),
                );
            }
        }
        ReportingKeyCommand::Revoke { db, id } => {
            let db = connect(db).await?;
            let uuid = match uuid::Uuid::parse_str(&id) {
                Ok(u) => u,
                Err(_) => gongzhi::graphql::node::expect_id(&async_graphql::ID(id.clone()), "ReportingKey", "id").map_err(app)?,
            };
            let key = entity::reporting_key::Entity::find_by_id(uuid).one(&db).await?;
            let key = key.ok_or_else(|| anyhow::anyhow!("no reporting key `{id}`"))?;
            let revoked = keys::revoke(&cx(db, key.street_id), key.id, None).await.map_err(app)?;
            eprintln!("reporting key {} ({}) revoked", revoked.key.id, revoked.key.label);
        }
    }
    Ok(())
}

/// Connects and migrates, for the commands that manage staff accounts and logins.
async fn connect(args: gongzhi::config::DatabaseArgs) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let (url, _) = args.resolve();
    let db = gongzhi::db::connect_system(&url, 2).await?;
    gongzhi::db::migrate(&db).await?;
    Ok(db)
}

/// `--person`: the person's UUID (`Person.uuid`) or their global id (`Person.id`).
fn person_id(value: &str) -> anyhow::Result<uuid::Uuid> {
    let value = value.trim();
    uuid::Uuid::parse_str(value)
        .or_else(|_| gongzhi::graphql::node::expect_id(&async_graphql::ID(value.to_owned()), "Person", "person"))
        .map_err(|_| anyhow::anyhow!("--person must be a person's UUID (`Person.uuid`) or id (`Person.id`)"))
}

/// `gongzhi role grant|list|revoke`: staff accounts of people who log in through the city's
/// OpenID Connect issuer, recorded as granted by `cli:role`, each change in the audit log.
async fn role(command: RoleCommand) -> anyhow::Result<()> {
    use gongzhi::accounts;
    use gongzhi::auth::grants;
    use sea_orm::ActiveEnum;
    let app = |e: gongzhi::error::AppError| anyhow::anyhow!("{e}");
    match command {
        RoleCommand::Grant { db, person, role, city, street, community, unit } => {
            let db = connect(db).await?;
            let anchor = grants::Anchor { city, street, community, unit };
            let grant =
                accounts::grant_role(&accounts::cli(db, "cli:role"), person_id(&person)?, role_of(role), &anchor).await.map_err(app)?;
            eprintln!("granted {} to person {}", grant.role.to_value(), grant.person_id);
            println!("{}", grant.id);
        }
        RoleCommand::List { db, person } => {
            let db = connect(db).await?;
            let list = match person {
                Some(p) => grants::of_person(&db, person_id(&p)?).await,
                None => grants::all(&db).await,
            };
            println!("id\tperson\trole\tregion\tcommunity\tunit\tcreated_by\tcreated_at");
            let id = |v: Option<uuid::Uuid>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
            for g in list.map_err(app)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    g.id,
                    g.person_id,
                    g.role.to_value(),
                    id(g.region_id),
                    id(g.community_id),
                    id(g.unit_id),
                    g.created_by,
                    g.created_at.to_rfc3339()
                );
            }
        }
        RoleCommand::Revoke { db, id } => {
            let db = connect(db).await?;
            let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| anyhow::anyhow!("--id must be a grant id (UUID)"))?;
            let grant = accounts::revoke_role(&accounts::cli(db, "cli:role"), id).await.map_err(app)?;
            eprintln!("grant {} ({} of person {}) revoked", grant.id, grant.role.to_value(), grant.person_id);
        }
    }
    Ok(())
}

/// `gongzhi login link|unlink`: which person a login of the OpenID Connect issuer is.
async fn login(command: LoginCommand) -> anyhow::Result<()> {
    use gongzhi::accounts;
    let app = |e: gongzhi::error::AppError| anyhow::anyhow!("{e}");
    match command {
        LoginCommand::Link { db, person, subject } => {
            let db = connect(db).await?;
            let person = person_id(&person)?;
            accounts::link_login(&accounts::cli(db, "cli:login"), person, Some(&subject)).await.map_err(app)?;
            eprintln!("person {person} is linked to the login `{subject}`");
        }
        LoginCommand::Unlink { db, person } => {
            let db = connect(db).await?;
            let person = person_id(&person)?;
            accounts::link_login(&accounts::cli(db, "cli:login"), person, None).await.map_err(app)?;
            eprintln!("person {person} is linked to no login");
        }
    }
    Ok(())
}

fn role_of(role: gongzhi::config::RoleArg) -> gongzhi::auth::Role {
    use gongzhi::auth::Role;
    use gongzhi::config::RoleArg;
    match role {
        RoleArg::CityAdmin => Role::CityAdmin,
        RoleArg::StreetAdmin => Role::StreetAdmin,
        RoleArg::CommunityAdmin => Role::CommunityAdmin,
        RoleArg::CommunityStaff => Role::CommunityStaff,
        RoleArg::Unit => Role::Unit,
        RoleArg::Member => Role::Member,
        RoleArg::Reporter => Role::Reporter,
    }
}

fn token(args: gongzhi::config::TokenArgs) -> anyhow::Result<()> {
    use gongzhi::auth::{Claims, Keys, Role};
    let (secret, default) = gongzhi::config::jwt_secret();
    if default {
        eprintln!("warning: GONGZHI_JWT_SECRET is not set; signing with the development secret");
    }
    let role = role_of(args.role);
    let mut claims = Claims::new(role, args.ttl);
    claims.city = args.city;
    claims.street = args.street;
    claims.community = args.community;
    claims.unit = args.unit;
    claims.person = args.person.as_deref().map(person_id).transpose()?;
    if role == Role::CityAdmin {
        claims.city.get_or_insert_with(|| gongzhi::demo::CITY_CODE.to_owned());
    }
    if role == Role::StreetAdmin || role == Role::Reporter {
        claims.street.get_or_insert_with(|| gongzhi::demo::STREET_CODE.to_owned());
    }
    claims.validate().map_err(anyhow::Error::msg)?;
    let token = Keys::new(&secret).issue(&claims.with_subject()).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{token}");
    Ok(())
}
