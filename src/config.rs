//! Command line and configuration, read once at start-up.
//!
//! Over 650 lines and kept whole on purpose: it is one cohesive thing, the one clap tree of
//! every command and flag with its environment variable, so that `--help`, this table and the
//! defaults are read in one place.
//!
//! Every flag can also be set from the environment:
//!
//! | variable | meaning |
//! | --- | --- |
//! | `GONGZHI_ADDR` | address `serve` listens on (default `127.0.0.1:8000`) |
//! | `GONGZHI_DATABASE_URL` or `DATABASE_URL` | `sqlite://…` or `postgres://…`; default: `gongzhi.sqlite` in the working directory, with the demo street |
//! | `GONGZHI_DEMO` | seed the demo street into an empty database on start |
//! | `GONGZHI_JWT_SECRET` | HS256 secret for tokens; required (32 bytes or more) outside development, where a public default stands in |
//! | `GONGZHI_ID_NUMBER_KEY` | key of the stored hashes of national ID numbers; required outside development (in development: the token secret); keep it stable |
//! | `GONGZHI_CORS_ORIGINS` | comma-separated front-end origins allowed by CORS |
//! | `GONGZHI_CORS_ALLOWED_HEADERS` | comma-separated request headers those origins may send (default [`DEFAULT_CORS_HEADERS`]) |
//! | `GONGZHI_LOG` | tracing filter, e.g. `info`, `gongzhi=debug` |
//! | `GONGZHI_LOG_FORMAT` | `text` (default) or `json` |
//! | `GONGZHI_DB_POOL` | maximum database connections (default 16) |
//! | `GONGZHI_RATE_LIMIT` | requests per second of each principal and of each anonymous address (default 50; 0 off); past it 429 `RATE_LIMITED` with `Retry-After` |
//! | `GONGZHI_RATE_BURST` | requests a principal may send at once above the rate (default 200) |
//! | `GONGZHI_TRUSTED_DOCUMENTS` | a manifest of trusted documents (Relay's or Apollo's format): only those run |
//! | `GONGZHI_TRUSTED_DOCUMENTS_EXPLORE` | `admins` lets street, community and city admins run other documents (default `nobody`) |
//! | `GONGZHI_RESPONSE_CACHE_MS` | how long a query response may be served again to the same principal (default 1000; 0 off) |
//! | `GONGZHI_ESCALATION_INTERVAL` | seconds between runs of the escalation jobs, of overdue tasks and of appeals past their deadlines (default 60; 0 turns them off) |
//! | `GONGZHI_ESCALATE_TO_CITY_AFTER` | how long past due a street-level task rises to the city, e.g. `72h` |
//! | `GONGZHI_APPEAL_RESPONSE_TIME` | how long an appeal waits for its first response (acceptance or rejection) before it moves up a tier (default `3d`) |
//! | `GONGZHI_APPEAL_ANSWER_TIME` | how long an accepted appeal waits for its answer before it moves up a tier (default `15d`) |
//! | `GONGZHI_WEBHOOK_SWEEP` | seconds between sweeps of the webhook outbox for deliveries due, besides the wake-up after each commit (default 30) |
//! | `GONGZHI_WEBHOOK_TIMEOUT` | seconds a partner's webhook endpoint may take to answer (default 10) |
//! | `GONGZHI_WEBHOOK_HTTP_LOOPBACK` | accept `http://` webhook URLs on the loopback interface (default false: `https://` only); for development and tests |
//! | `GONGZHI_BODY_LIMIT` | largest request body in bytes (default 1 MiB) |
//! | `GONGZHI_REQUEST_TIMEOUT` | seconds one request may run (default 30) |
//! | `GONGZHI_GRAPHIQL` | serve GraphiQL at `/` (default true) |
//! | `GONGZHI_INTROSPECTION` | `on` (default), `authenticated` or `off` |
//! | `GONGZHI_METRICS_TOKEN` | bearer token `/metrics` asks for (open when unset) |
//! | `GONGZHI_METRICS_ADDR` | serve `/metrics` on this address only |
//! | `GONGZHI_JWT_LEEWAY` | seconds of clock skew tolerated on token expiry (default 5) |
//! | `GONGZHI_OIDC_ISSUER` | the city's OpenID Connect issuer, exactly as its tokens' `iss` (e.g. `https://sso.example.gov.cn/realms/city`); set it with the two below to accept its tokens |
//! | `GONGZHI_OIDC_AUDIENCE` | the `aud` the issuer's tokens must carry: gongzhi's client id at the issuer |
//! | `GONGZHI_OIDC_JWKS` | the issuer's keys: an `https://` URL (Keycloak: `…/protocol/openid-connect/certs`), fetched again on an unknown `kid` at most every 30 s, or a JWKS file |
//! | `GONGZHI_OIDC_LEEWAY` | seconds of clock skew tolerated on the issuer's tokens (default 5, at most 60) |
//! | `GONGZHI_OIDC_PERSON_CLAIM` | `sub` (default; matched against `gongzhi login link`), `phone_number` (matched against the person's phone) or another claim (as `sub`) |
//! | `GONGZHI_OIDC_TRUST_ROLES` | believe the role in the token (default false: roles come from `gongzhi role grant`) |
//! | `GONGZHI_OIDC_ROLE_CLAIM` | with trusted roles, the claim holding `{"role": …, "street"/"community"/"unit"/"city": …}` (default `gongzhi_role`) |
//! | `GONGZHI_MAX_ALIASES`, `GONGZHI_MAX_FIELDS_PER_SELECTION`, `GONGZHI_MAX_FIELDS` | document limits (100, 100, 2,000) |
//! | `GONGZHI_INTROSPECTION_BUDGET` | introspection units per document (1,500) |
//! | `GONGZHI_MAX_RESPONSE_BYTES` | largest answer (8 MiB) |
//! | `GONGZHI_MAX_EXPORTS` | exports streaming at once on one instance, each on a database connection (2) |
//! | `GONGZHI_DB_REQUEST_CONCURRENCY`, `GONGZHI_DB_REQUEST_STATEMENTS` | statements of one request at once (4) and in all (1,000) |
//! | `GONGZHI_DB_POOL_WAIT_MS` | wait for a pooled connection before answering 503 (3,000) |
//! | `GONGZHI_HEADER_TIMEOUT` | seconds to send a request's headers, and idle keep-alive (10) |
//! | `GONGZHI_WS_INIT_TIMEOUT` | seconds a WebSocket may wait before `connection_init` (5) |
//! | `GONGZHI_WS_SUBSCRIPTIONS_PER_SOCKET`, `_PER_PRINCIPAL`, `GONGZHI_WS_SOCKETS_PER_PRINCIPAL` | 50, 200, 20 |
//! | `GONGZHI_SCALE` | `seed demo`: how many times the demo street is grown (default 1) |
//! | `GONGZHI_TOKEN_ROLE`, `_CITY`, `_STREET`, `_COMMUNITY`, `_UNIT`, `_PERSON`, `_TTL` | `token`: the flags of the same names |
//! | `GONGZHI_API_KEY_UNIT`, `_LABEL`, `_STREET` | `api-key create`: the flags of the same names |

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The development secret; the server warns loudly when it is in use.
pub const DEV_JWT_SECRET: &str = "gongzhi-development-secret-do-not-use-in-production";

/// The request headers a front end on an allowed origin may send, unless
/// Who may run documents a trusted-documents manifest does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrustedExplore {
    /// Nobody.
    Nobody,
    /// Street, community and city admins.
    Admins,
}

/// `GONGZHI_CORS_ALLOWED_HEADERS` lists others: the request's own (with `X-Gongzhi-Role`, by
/// which a login of the city's issuer chooses among its grants), W3C trace context and baggage,
/// Sentry's trace header, and Apollo Client's identification and CSRF-prevention headers.
pub const DEFAULT_CORS_HEADERS: &[&str] = &[
    "content-type",
    "authorization",
    "x-gongzhi-role",
    "accept",
    "x-request-id",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
];

/// SQLite file used when no database URL is given.
pub const DEFAULT_SQLITE_URL: &str = "sqlite://gongzhi.sqlite?mode=rwc";

/// 共治 gongzhi: GraphQL backend for the co-governance of a city street and its communities.
#[derive(Debug, Parser)]
#[command(name = "gongzhi", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run pending migrations and serve the GraphQL API.
    Serve(Box<ServeArgs>),
    /// Run pending migrations and exit.
    Migrate(DatabaseArgs),
    /// Seed data into the database.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Print a signed JWT for a principal.
    Token(TokenArgs),
    /// Print the GraphQL schema (SDL).
    ExportSchema,
    /// Manage partner departments' API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Manage reporting tools' read-only keys.
    #[command(subcommand)]
    ReportingKey(ReportingKeyCommand),
    /// Manage staff accounts: the roles people logging in through the city's OpenID Connect
    /// issuer hold (without one they are residents).
    #[command(subcommand)]
    Role(RoleCommand),
    /// Link people to their logins at the city's OpenID Connect issuer.
    #[command(subcommand)]
    Login(LoginCommand),
    /// Manage PostgreSQL logins for BI tools: read-only, restricted by row-level security to a
    /// street or community, reading the `reporting` views (run with the owner's URL).
    #[command(subcommand)]
    ReportingLogin(ReportingLoginCommand),
}

#[derive(Debug, Subcommand)]
pub enum ReportingLoginCommand {
    /// Create a login and print its connection string (shown only this once).
    Create {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The street's code.
        #[arg(long)]
        street: String,
        /// Only this community of the street (its code).
        #[arg(long)]
        community: Option<String>,
    },
    /// List the logins.
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Drop a login at once.
    Revoke {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The login's name, as `create` and `list` print it.
        #[arg(long)]
        login: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Grant a person a role, anchored where the role needs (as `gongzhi token`'s flags).
    Grant {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The person's id (UUID).
        #[arg(long)]
        person: String,
        /// The role: city-admin, street-admin, community-admin, community-staff, unit or reporter.
        #[arg(long)]
        role: RoleArg,
        /// City code (city-admin).
        #[arg(long)]
        city: Option<String>,
        /// Street code (street-admin, reporter; for a unit, limits it to that street; for a
        /// community, the street it is in when its code is in several).
        #[arg(long)]
        street: Option<String>,
        /// Community code (community-admin, community-staff).
        #[arg(long)]
        community: Option<String>,
        /// Unit code (unit: the partner department's staff).
        #[arg(long)]
        unit: Option<String>,
    },
    /// List grants: of one person, or all.
    List {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Only this person's (UUID).
        #[arg(long)]
        person: Option<String>,
    },
    /// Revoke a grant at once.
    Revoke {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The grant's id, as `list` prints it.
        #[arg(long)]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LoginCommand {
    /// Link a person to their login: the value of the issuer's person claim (`sub` by default).
    Link {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The person's id (UUID).
        #[arg(long)]
        person: String,
        /// The login's subject at the issuer.
        #[arg(long)]
        subject: String,
    },
    /// Unlink a person from their login.
    Unlink {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The person's id (UUID).
        #[arg(long)]
        person: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportingKeyCommand {
    /// Issue a read-only reporting key for a street or one of its communities; the key is
    /// printed once.
    Create {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The street's code, e.g. `meiling-street`.
        #[arg(long)]
        street: String,
        /// What the key is for, e.g. 月报.
        #[arg(long)]
        label: String,
        /// A community key: only this community of the street (its code).
        #[arg(long)]
        community: Option<String>,
        /// Days until the key stops working (at most 366).
        #[arg(long, default_value_t = 90)]
        days: u32,
    },
    /// List a street's reporting keys, revoked ones included.
    List {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The street's code.
        #[arg(long)]
        street: String,
    },
    /// Revoke a reporting key at once.
    Revoke {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The key's id (as `list` prints it, or its GraphQL id).
        #[arg(long)]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Issue an API key for a co-building unit; the key is printed once.
    Create {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The unit's code, e.g. `market-regulation`.
        #[arg(long, env = "GONGZHI_API_KEY_UNIT")]
        unit: String,
        /// What the key is for.
        #[arg(long, env = "GONGZHI_API_KEY_LABEL", default_value = "partner system")]
        label: String,
        /// The street the key is for (default: the street of the unit's first committee seat);
        /// the key reaches that street's communities only.
        #[arg(long, env = "GONGZHI_API_KEY_STREET")]
        street: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SeedCommand {
    /// Seed the demo street (梅岭街道); running it again changes nothing.
    Demo {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Grow the street N times (N × 15 communities), deterministically.
        #[arg(long, env = "GONGZHI_SCALE", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        scale: u32,
    },
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Tracing filter.
    #[arg(long = "log", env = "GONGZHI_LOG", default_value = "info", global = true)]
    pub filter: String,
    /// Log format.
    #[arg(long = "log-format", env = "GONGZHI_LOG_FORMAT", default_value = "text", global = true)]
    pub format: LogFormat,
    /// Base URL of an OpenTelemetry collector (OTLP over HTTP, protobuf): when set, the spans of
    /// each request (the request, its GraphQL operation, DataLoader batches, SQL statements) are
    /// exported to `<url>/v1/traces`, as children of the caller's W3C `traceparent`.
    #[arg(long = "otlp-endpoint", env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL (`sqlite://…` or `postgres://…`).
    #[arg(long, env = "GONGZHI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Maximum connections in the database pool.
    #[arg(long, env = "GONGZHI_DB_POOL", default_value_t = 16)]
    pub db_pool: u32,
}

impl DatabaseArgs {
    /// The URL to use: the flag, `GONGZHI_DATABASE_URL`, `DATABASE_URL`, else the default SQLite file.
    /// The boolean says whether the default was taken.
    pub fn resolve(&self) -> (String, bool) {
        if let Some(url) = &self.database_url {
            return (url.clone(), false);
        }
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => (url, false),
            _ => (DEFAULT_SQLITE_URL.to_owned(), true),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// PostgreSQL: the URL of the tables' owner, to run the migrations with when the server's
    /// own login (`--database-url`, a member of `gongzhi_app` that owns nothing) may not. Without
    /// it the server migrates with its own URL.
    #[arg(long, env = "GONGZHI_OWNER_DATABASE_URL")]
    pub owner_database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "GONGZHI_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Seed the demo street into an empty database (on by default with the default SQLite file).
    #[arg(long, env = "GONGZHI_DEMO", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub demo: bool,
    /// Front-end origins allowed by CORS, comma-separated.
    #[arg(long, env = "GONGZHI_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Request headers the allowed origins may send, comma-separated (replaces the default list).
    #[arg(long, env = "GONGZHI_CORS_ALLOWED_HEADERS", value_delimiter = ',', default_values = DEFAULT_CORS_HEADERS, value_parser = parse_header_name)]
    pub cors_allowed_headers: Vec<String>,
    /// Maximum request body in bytes.
    #[arg(long, env = "GONGZHI_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Maximum time one request may run, in seconds.
    #[arg(long, env = "GONGZHI_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Milliseconds a query response may be served again to the same principal (0 turns it off).
    #[arg(long, env = "GONGZHI_RESPONSE_CACHE_MS", default_value_t = 1000)]
    pub response_cache_ms: u64,
    /// Requests per second each principal (and each address of anonymous callers) may send,
    /// sustained; 0 turns the rate limits off.
    #[arg(long, env = "GONGZHI_RATE_LIMIT", default_value_t = 50)]
    pub rate_limit: u32,
    /// Requests a principal may send at once above that rate.
    #[arg(long, env = "GONGZHI_RATE_BURST", default_value_t = 200)]
    pub rate_burst: u32,
    /// A manifest of trusted documents (hash → text, as Relay's or Apollo's tooling writes it):
    /// when set, only its documents run.
    #[arg(long, env = "GONGZHI_TRUSTED_DOCUMENTS")]
    pub trusted_documents: Option<std::path::PathBuf>,
    /// Who may run documents the trusted manifest does not list: `nobody`, or `admins` (street,
    /// community and city admins exploring in GraphiQL).
    #[arg(long, env = "GONGZHI_TRUSTED_DOCUMENTS_EXPLORE", value_enum, default_value_t = TrustedExplore::Nobody)]
    pub trusted_documents_explore: TrustedExplore,
    /// Seconds between runs of the escalation job; 0 turns it off.
    #[arg(long, env = "GONGZHI_ESCALATION_INTERVAL", default_value_t = 60)]
    pub escalation_interval_secs: u64,
    /// How long past its due time a street-level task rises to the city.
    #[arg(long, env = "GONGZHI_ESCALATE_TO_CITY_AFTER", default_value = "72h", value_parser = parse_ttl)]
    pub escalate_to_city_after: Duration,
    /// How long an appeal waits for its first response (acceptance or rejection) before it moves
    /// up a tier.
    #[arg(long, env = "GONGZHI_APPEAL_RESPONSE_TIME", default_value = "3d", value_parser = parse_ttl)]
    pub appeal_response_time: Duration,
    /// How long an accepted appeal waits for its answer before it moves up a tier.
    #[arg(long, env = "GONGZHI_APPEAL_ANSWER_TIME", default_value = "15d", value_parser = parse_ttl)]
    pub appeal_answer_time: Duration,
    /// Seconds between sweeps of the webhook outbox for deliveries due (retries, and events
    /// whose wake-up was missed); each commit with task events wakes the delivery at once too.
    #[arg(long, env = "GONGZHI_WEBHOOK_SWEEP", default_value_t = 30)]
    pub webhook_sweep_secs: u64,
    /// Seconds a partner's webhook endpoint may take to answer.
    #[arg(long, env = "GONGZHI_WEBHOOK_TIMEOUT", default_value_t = 10)]
    pub webhook_timeout_secs: u64,
    /// Accept `http://` webhook URLs on the loopback interface (development and tests only).
    #[arg(long, env = "GONGZHI_WEBHOOK_HTTP_LOOPBACK", value_parser = clap::builder::BoolishValueParser::new(), default_value = "false")]
    pub webhook_http_loopback: bool,
    /// Serve GraphiQL at `/` (turn off in production if no one explores the API there).
    #[arg(long, env = "GONGZHI_GRAPHIQL", value_parser = clap::builder::BoolishValueParser::new(), default_value = "true")]
    pub graphiql: bool,
    /// Who may send introspection queries (`__schema`, `__type`): everyone (`on`), callers with
    /// a credential (`authenticated`) or no one (`off`).
    #[arg(long, env = "GONGZHI_INTROSPECTION", default_value = "on")]
    pub introspection: Introspection,
    /// A token `/metrics` asks for (`Authorization: Bearer <token>`); open when unset.
    #[arg(long, env = "GONGZHI_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Serve `/metrics` on this address only (not on the API's address).
    #[arg(long, env = "GONGZHI_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Seconds of clock skew tolerated on a token's expiry and not-before times.
    #[arg(long, env = "GONGZHI_JWT_LEEWAY", default_value_t = 5)]
    pub jwt_leeway_secs: u64,
    /// The city's OpenID Connect issuer (`iss` of its tokens, e.g. a Keycloak realm's URL);
    /// with the audience and the JWKS, front-ends may log in with its tokens.
    #[arg(long, env = "GONGZHI_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The audience (`aud`) the issuer's tokens must be for: gongzhi's client id there.
    #[arg(long, env = "GONGZHI_OIDC_AUDIENCE")]
    pub oidc_audience: Option<String>,
    /// The issuer's signing keys (JWKS): an https URL, fetched and cached, or a file.
    #[arg(long, env = "GONGZHI_OIDC_JWKS")]
    pub oidc_jwks: Option<String>,
    /// Seconds of clock skew tolerated on the issuer's tokens' expiry (at most 60).
    #[arg(long, env = "GONGZHI_OIDC_LEEWAY", default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=60))]
    pub oidc_leeway_secs: u64,
    /// The claim that names the person: `sub` (matched against the person's linked login),
    /// `phone_number` (matched against the person's phone) or another claim (as `sub`).
    #[arg(long, env = "GONGZHI_OIDC_PERSON_CLAIM", default_value = "sub")]
    pub oidc_person_claim: String,
    /// Believe the role the issuer's token states (in `--oidc-role-claim`) instead of gongzhi's
    /// own grants.
    #[arg(long, env = "GONGZHI_OIDC_TRUST_ROLES", value_parser = clap::builder::BoolishValueParser::new(), default_value = "false")]
    pub oidc_trust_roles: bool,
    /// The claim holding the role when roles are trusted: an object such as
    /// `{"role": "community-staff", "street": "…", "community": "…"}`.
    #[arg(long, env = "GONGZHI_OIDC_ROLE_CLAIM", default_value = "gongzhi_role")]
    pub oidc_role_claim: String,
    /// Aliased fields one document may hold.
    #[arg(long, env = "GONGZHI_MAX_ALIASES", default_value_t = 100)]
    pub max_aliases: usize,
    /// Fields one selection set may hold (after fragments are spread).
    #[arg(long, env = "GONGZHI_MAX_FIELDS_PER_SELECTION", default_value_t = 100)]
    pub max_fields_per_selection: usize,
    /// Fields one operation may hold in all (after fragments are spread).
    #[arg(long, env = "GONGZHI_MAX_FIELDS", default_value_t = 2_000)]
    pub max_fields: usize,
    /// Budget of introspection in one document: 1,000 per `__schema`, 50 per `__type`, 1 per
    /// field below them (one full introspection query of GraphiQL or a code generator fits).
    #[arg(long, env = "GONGZHI_INTROSPECTION_BUDGET", default_value_t = 1_500)]
    pub introspection_budget: usize,
    /// Largest answer in bytes; a request whose answer grows past it gets `LIMIT_EXCEEDED`.
    #[arg(long, env = "GONGZHI_MAX_RESPONSE_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_response_bytes: usize,
    /// Exports (`/export`) one instance streams at once; each holds a database connection.
    #[arg(long, env = "GONGZHI_MAX_EXPORTS", default_value_t = 2)]
    pub max_exports: usize,
    /// Database statements of one request running at once.
    #[arg(long, env = "GONGZHI_DB_REQUEST_CONCURRENCY", default_value_t = 4)]
    pub db_request_concurrency: usize,
    /// Database statements one request may run in all.
    #[arg(long, env = "GONGZHI_DB_REQUEST_STATEMENTS", default_value_t = 1_000)]
    pub db_request_statements: u32,
    /// Milliseconds a statement waits for a pooled connection before the request is answered
    /// `SERVICE_UNAVAILABLE` with `Retry-After`.
    #[arg(long, env = "GONGZHI_DB_POOL_WAIT_MS", default_value_t = 3_000)]
    pub db_pool_wait_ms: u64,
    /// Seconds a client may take to send a request's headers, and to send the next request on
    /// an idle kept-alive connection.
    #[arg(long, env = "GONGZHI_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a WebSocket may stay open without a `connection_init` (then closed with 4408).
    #[arg(long, env = "GONGZHI_WS_INIT_TIMEOUT", default_value_t = 5)]
    pub ws_init_timeout_secs: u64,
    /// Subscriptions one WebSocket may hold at once.
    #[arg(long, env = "GONGZHI_WS_SUBSCRIPTIONS_PER_SOCKET", default_value_t = 50)]
    pub ws_subscriptions_per_socket: usize,
    /// Subscriptions one principal may hold at once over all its sockets.
    #[arg(long, env = "GONGZHI_WS_SUBSCRIPTIONS_PER_PRINCIPAL", default_value_t = 200)]
    pub ws_subscriptions_per_principal: usize,
    /// WebSockets one principal may hold open at once.
    #[arg(long, env = "GONGZHI_WS_SOCKETS_PER_PRINCIPAL", default_value_t = 20)]
    pub ws_sockets_per_principal: usize,
}

/// Who may introspect the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Introspection {
    /// Every caller, anonymous ones included.
    On,
    /// Callers with a valid credential.
    Authenticated,
    /// No one.
    Off,
}

impl ServeArgs {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    CityAdmin,
    StreetAdmin,
    CommunityAdmin,
    CommunityStaff,
    Unit,
    Member,
    Reporter,
}

#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The principal's role.
    #[arg(long, env = "GONGZHI_TOKEN_ROLE")]
    pub role: RoleArg,
    /// City code (city-admin).
    #[arg(long, env = "GONGZHI_TOKEN_CITY")]
    pub city: Option<String>,
    /// Street code (street-admin, reporter; for a unit, limits it to that street).
    #[arg(long, env = "GONGZHI_TOKEN_STREET")]
    pub street: Option<String>,
    /// Community code (community-admin, community-staff).
    #[arg(long, env = "GONGZHI_TOKEN_COMMUNITY")]
    pub community: Option<String>,
    /// Unit code (unit).
    #[arg(long, env = "GONGZHI_TOKEN_UNIT")]
    pub unit: Option<String>,
    /// Person id (member).
    #[arg(long, env = "GONGZHI_TOKEN_PERSON")]
    pub person: Option<String>,
    /// Lifetime, e.g. `30m`, `8h`, `7d`.
    #[arg(long, env = "GONGZHI_TOKEN_TTL", default_value = "8h", value_parser = parse_ttl)]
    pub ttl: Duration,
}

/// How long an appeal may wait at its tier: for its first response, and once accepted for its
/// answer. Past it, the deadlines job moves it up a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealDeadlines {
    pub response: chrono::Duration,
    pub answer: chrono::Duration,
}

impl Default for AppealDeadlines {
    fn default() -> Self {
        AppealDeadlines { response: chrono::Duration::days(3), answer: chrono::Duration::days(15) }
    }
}

static APPEAL_DEADLINES: std::sync::OnceLock<AppealDeadlines> = std::sync::OnceLock::new();

/// Sets the deadlines of appeals for this process, once, at start-up (`serve`); later calls
/// change nothing.
pub fn set_appeal_deadlines(response: Duration, answer: Duration) {
    let to = |d: Duration, fallback| chrono::Duration::from_std(d).unwrap_or(fallback);
    let default = AppealDeadlines::default();
    let _ = APPEAL_DEADLINES.set(AppealDeadlines { response: to(response, default.response), answer: to(answer, default.answer) });
}

static WEBHOOK_HTTP_LOOPBACK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Accepts `http://` webhook URLs on the loopback interface from now on (`GONGZHI_WEBHOOK_HTTP_LOOPBACK`),
/// set once at start-up.
pub fn allow_webhook_http_loopback(on: bool) {
    WEBHOOK_HTTP_LOOPBACK.store(on, std::sync::atomic::Ordering::SeqCst);
}

/// Whether `http://` webhook URLs on the loopback interface are accepted.
pub fn webhook_http_loopback() -> bool {
    WEBHOOK_HTTP_LOOPBACK.load(std::sync::atomic::Ordering::SeqCst)
}

/// The deadlines of appeals: as set at start-up, else the defaults (3 and 15 days).
pub fn appeal_deadlines() -> AppealDeadlines {
    APPEAL_DEADLINES.get().copied().unwrap_or_default()
}

/// Reads the JWT secret from the environment, falling back to the development secret.
/// The boolean says whether the fallback was taken, so callers can warn.
pub fn jwt_secret() -> (String, bool) {
    match std::env::var("GONGZHI_JWT_SECRET") {
        Ok(s) if !s.is_empty() => (s, false),
        _ => (DEV_JWT_SECRET.to_owned(), true),
    }
}

/// The keys a server outside development must be given: with a database other than the default
/// SQLite file and without `--demo`, the token secret and the key of ID-number hashes must be
/// set, at least 32 bytes long, and not the public development secret. The error says which
/// and why.
pub fn check_production_keys(development: bool) -> Result<(), String> {
    if development {
        return Ok(());
    }
    for (name, what) in [("GONGZHI_JWT_SECRET", "signs tokens"), ("GONGZHI_ID_NUMBER_KEY", "keys the stored hashes of national ID numbers")]
    {
        let value = std::env::var(name).unwrap_or_default();
        if value.is_empty() || value == DEV_JWT_SECRET {
            return Err(format!(
                "{name} is not set: it {what}, and without it anyone could use the public development default against this database. \
                 Set it to a random value of at least 32 bytes (e.g. `openssl rand -base64 48`), or serve the default SQLite file or `--demo` for development"
            ));
        }
        if value.len() < 32 {
            return Err(format!("{name} is shorter than 32 bytes: it {what}; set it to a random value of at least 32 bytes"));
        }
    }
    Ok(())
}

/// Checks an HTTP header name (for the CORS list) and writes it in lower case.
pub fn parse_header_name(s: &str) -> Result<String, String> {
    let name = s.trim().to_ascii_lowercase();
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if valid { Ok(name) } else { Err(format!("`{s}` is not an HTTP header name")) }
}

/// Parses a lifetime such as `90s`, `30m`, `8h`, `7d` or `1h 30m` (humantime's units); a bare
/// number is seconds. Less than a second is refused.
pub fn parse_ttl(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let ttl = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().map(Duration::from_secs).map_err(|_| format!("invalid ttl `{s}`: the number is too large"))?
    } else {
        humantime::parse_duration(s).map_err(|e| format!("invalid ttl `{s}` ({e}): expected e.g. 90s, 30m, 8h or 7d"))?
    };
    if ttl < Duration::from_secs(1) {
        return Err(format!("invalid ttl `{s}`: it must be at least 1s"));
    }
    Ok(ttl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_parses_units() {
        assert_eq!(parse_ttl("8h"), Ok(Duration::from_secs(8 * 3600)));
        assert_eq!(parse_ttl("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_ttl("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse_ttl(" 1h 30m "), Ok(Duration::from_secs(5400)));
        assert!(parse_ttl("0s").unwrap_err().contains("at least 1s"));
        assert!(parse_ttl("0").unwrap_err().contains("at least 1s"));
        assert!(parse_ttl("500ms").unwrap_err().contains("at least 1s"));
        assert!(parse_ttl("5x").unwrap_err().contains("expected e.g."));
        assert!(parse_ttl("h").is_err());
        assert!(parse_ttl("").is_err());
        assert!(parse_ttl("-5m").is_err());
    }

    #[test]
    fn cors_headers_are_header_names() {
        assert_eq!(parse_header_name(" TraceParent "), Ok("traceparent".to_owned()));
        assert!(parse_header_name("x y").is_err());
        assert!(parse_header_name("").is_err());
        assert!(DEFAULT_CORS_HEADERS.iter().all(|h| parse_header_name(h).as_deref() == Ok(*h)));
        let Ok(Cli { command: Some(Command::Serve(args)), .. }) = Cli::try_parse_from(["gongzhi", "serve"]) else {
            panic!("serve parses");
        };
        assert_eq!(args.cors_allowed_headers, DEFAULT_CORS_HEADERS);
        let Ok(Cli { command: Some(Command::Serve(args)), .. }) =
            Cli::try_parse_from(["gongzhi", "serve", "--cors-allowed-headers", "Content-Type,X-Meiling-Tenant"])
        else {
            panic!("serve parses");
        };
        assert_eq!(args.cors_allowed_headers, ["content-type", "x-meiling-tenant"]);
        assert!(Cli::try_parse_from(["gongzhi", "serve", "--cors-allowed-headers", "x y"]).is_err());
    }
}
