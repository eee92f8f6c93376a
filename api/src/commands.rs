//! What the `quartier` binary does: serve, migrate, print the OpenAPI document, create the
//! first admin.

use std::io::Read as _;

use actix_web::web;
use chrono::Utc;
use quartier_domain::{DisplayName, Email, Password, Role};
use quartier_persistence::pool::{self, build_pool};
use quartier_persistence::users::{self, NewUser, UserChanges};
use quartier_persistence::{Pooler, database};
use uuid::Uuid;

use crate::config::{Environment, Settings};
use crate::openapi_document;
use crate::state::AppState;

pub type CommandResult = Result<(), Box<dyn std::error::Error>>;

/// Creates the database if needed, applies pending migrations (unless told not to), and
/// serves HTTP until SIGINT or SIGTERM, then lets running requests finish.
pub async fn serve(settings: Settings, migrate: bool) -> CommandResult {
    if settings.jwt_secret_generated {
        tracing::warn!(
            "QUARTIER_JWT_SECRET is not set: using a random secret, so tokens die with this process. Set it in production."
        );
    }
    if settings.environment == Environment::Development {
        tracing::info!("running in development mode");
    }
    prepare_database(&settings, migrate).await?;
    let pool = build_pool(&settings.database_url, &settings.pool)?;
    check_pooler(&settings, &pool, "DATABASE_URL").await?;
    if let Some(url) = &settings.read_database_url {
        let replica = build_pool(url, &settings.pool)?;
        check_pooler(&settings, &replica, "QUARTIER_READ_DATABASE_URL").await?;
    }
    crate::languages::sync(&pool, &settings.content_languages).await;
    let _horizon = crate::horizon::spawn(
        pool.clone(),
        settings.occurrence_horizon,
        settings.horizon_interval,
    );
    let _standing = crate::standing::spawn(
        pool.clone(),
        settings.standing_ahead,
        settings.standing_interval,
    );
    let _holds = crate::retention::spawn_hold_sweeper(pool.clone(), settings.retention.hold_sweep);
    let _retention = crate::retention::spawn(pool.clone(), settings.retention);
    let state = web::Data::new(AppState::new(&settings, pool.clone())?);
    let _webhooks = crate::webhooks::worker::spawn(pool.clone(), state.deliverer.clone());
    if state.mailer.is_smtp() {
        tracing::info!(mail = %state.mailer.describe(), "sending mail");
    } else {
        tracing::warn!(mail = %state.mailer.describe(), "mail is not sent");
    }
    let _digests = crate::mail::worker::spawn_digests(
        pool.clone(),
        settings.mail.digest_hour,
        settings.mail.digest_interval,
    );
    let _mail = crate::mail::worker::spawn(pool, state.mailer.clone());
    if let Some(bind) = &settings.metrics.bind {
        tracing::info!(%bind, "serving /metrics");
        actix_web::rt::spawn(crate::metrics::serve_separately(bind, state.clone())?);
    }
    tracing::info!(bind = %settings.bind, "serving; Swagger UI at /swagger-ui/");
    let listener = std::net::TcpListener::bind(&settings.bind)?;
    let options = crate::server::Options {
        workers: settings.workers,
        shutdown_timeout: settings.shutdown_timeout,
        signals: true,
    };
    crate::server::serve(listener, state, options)?.await?;
    tracing::info!("stopped");
    Ok(())
}

/// With a pooler in transaction mode: refuses one that loses prepared statements or leads to
/// another database than the migrations', and warns when its server sessions lack the
/// statement timeout. Without one, does nothing.
pub async fn check_pooler(
    settings: &Settings,
    pool: &pool::PgPool,
    variable: &str,
) -> CommandResult {
    if settings.pool.pooler != Pooler::Transaction {
        return Ok(());
    }
    let found = pool::check_transaction_pooler(pool)
        .await
        .map_err(|e| format!("{variable}: {e}"))?;
    if let Some(direct) = &settings.migration_database_url
        && variable == "DATABASE_URL"
        && direct.name() != found.database
    {
        return Err(format!(
            "DATABASE_URL leads to the database {:?}, QUARTIER_MIGRATION_DATABASE_URL to {:?}: \
             both must be the same database",
            found.database,
            direct.name()
        )
        .into());
    }
    let wanted = settings.pool.statement_timeout.as_millis() as i64;
    if found.statement_timeout_ms != wanted || found.plan_cache_mode != "force_generic_plan" {
        tracing::warn!(
            statement_timeout_ms = found.statement_timeout_ms,
            plan_cache_mode = %found.plan_cache_mode,
            "{variable} goes through a pooler whose server sessions do not have Quartier's \
             settings; give them with PgBouncer's connect_query or ALTER ROLE … SET: {}",
            pool::session_settings(wanted as u128)
        );
    } else {
        tracing::info!(%variable, "through a pooler in transaction mode, with Quartier's settings");
    }
    Ok(())
}

/// Creates the database when it is missing and, if `migrate`, applies pending migrations, over
/// the direct connection when one is configured.
pub async fn prepare_database(settings: &Settings, migrate: bool) -> CommandResult {
    let url = settings
        .migration_database_url
        .as_ref()
        .unwrap_or(&settings.database_url);
    if database::create_database_if_missing(url).await? {
        tracing::info!(database = %url.redacted(), "created the database");
    }
    if migrate {
        let applied = database::run_migrations(url).await?;
        tracing::info!(count = applied.len(), versions = ?applied, "migrations applied");
    }
    Ok(())
}

/// `quartier migrate`: applies pending migrations and says which.
pub async fn migrate(settings: Settings) -> CommandResult {
    prepare_database(&settings, true).await
}

/// `quartier openapi`: the document the server serves, pretty-printed.
pub fn print_openapi() -> CommandResult {
    println!("{}", openapi_json()?);
    Ok(())
}

/// The committed form of the OpenAPI document.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&openapi_document())
}

/// `quartier create-admin`: creates the administrator `email` with the given password.
/// Running it again for an administrator changes nothing.
///
/// An existing account that is not an administrator is promoted only with `promote_existing`:
/// anyone can register any address, so an account found under the address proves nothing
/// about who holds its password.
pub async fn create_admin(
    settings: Settings,
    email: &str,
    display_name: &str,
    password: Option<String>,
    promote_existing: bool,
) -> CommandResult {
    prepare_database(&settings, settings.migrate_on_start).await?;
    let email = Email::parse(email)?;
    let pool = build_pool(&settings.database_url, &settings.pool)?;
    let mut conn = pool::get(&pool).await?;
    if let Some(existing) = users::find_by_email(&mut conn, email.as_str()).await? {
        if existing.role == Role::Admin.as_str() {
            println!("{} is already an administrator", existing.email);
            return Ok(());
        }
        if !promote_existing {
            return Err(format!(
                "{} has an account that is not an administrator; anyone can register an address, \
                 so it is not promoted. If you know whose it is, run again with --promote-existing",
                existing.email
            )
            .into());
        }
        let changes = UserChanges {
            role: Some(Role::Admin.as_str()),
            ..UserChanges::default()
        };
        users::update(&mut conn, existing.id, existing.version, &changes)
            .await?
            .ok_or("the account changed at the same moment; run the command again")?;
        println!("{} is now an administrator", existing.email);
        return Ok(());
    }
    let password = match password {
        Some(password) => password,
        None => read_password_from_stdin()?,
    };
    let password = Password::parse(&password, email.as_str(), "password")?;
    let display_name = DisplayName::parse(display_name)?;
    let hash = crate::passwords::Passwords::new(1)?
        .hash(password.expose())
        .await?;
    let row = users::insert(
        &mut conn,
        &NewUser {
            id: Uuid::now_v7(),
            email: email.as_str(),
            display_name: display_name.as_str(),
            password_hash: &hash,
            role: Role::Admin.as_str(),
            privacy_consent_at: Utc::now(),
            privacy_policy_version: None,
            language: "de",
            // Made by an administrator or for a demonstration: no mail to prove it.
            email_verified_at: Some(chrono::Utc::now()),
        },
    )
    .await?
    .ok_or("an account with this address was created at the same moment; run the command again")?;
    println!("created administrator {} ({})", row.email, row.id);
    Ok(())
}

fn read_password_from_stdin() -> Result<String, Box<dyn std::error::Error>> {
    eprintln!("password for the new administrator (from standard input):");
    let mut input = String::new();
    std::io::stdin().take(4096).read_to_string(&mut input)?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    if password.is_empty() {
        return Err(
            "no password given: pipe it to standard input or set QUARTIER_ADMIN_PASSWORD".into(),
        );
    }
    Ok(password)
}
