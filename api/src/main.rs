//! `quartier`: the Quartier API server and its administrative commands.

use clap::{Parser, Subcommand};

// glibc's allocator keeps the 19 MiB buffers of freed password hashes: a few hundred logins
// leave the process hundreds of MiB larger. mimalloc gives them back.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use quartier_api::commands;
use quartier_api::config::Settings;
use quartier_api::telemetry;

#[derive(Parser)]
#[command(
    name = "quartier",
    version,
    about = "The Quartier API: neighbourhood centres, activities and volunteer shifts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (creates the database and applies migrations first).
    Serve {
        /// Do not apply pending migrations at start.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Fill an empty database with an invented demo town and print its staff accounts.
    SeedDemo,
    /// Fill an empty database with a city-sized benchmark dataset (see docs/benchmarks.md).
    SeedBench {
        /// 1 is a big town: 400 centres, 8 000 activities, 50 000 volunteers, 500 000 sign-ups.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// The same seed makes the same data.
        #[arg(long, default_value_t = 1)]
        seed: i64,
    },
    /// Make an account an administrator, creating it if needed. Safe to repeat.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        display_name: String,
        /// The password for a new account; read from standard input when not set.
        #[arg(long, env = "QUARTIER_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Promote an existing account that is not an administrator (its password stays).
        #[arg(long)]
        promote_existing: bool,
    },
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        return exit(commands::print_openapi());
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log_filter, settings.log_format);
    let result = match cli.command {
        Command::Serve { no_migrate } => {
            let migrate = settings.migrate_on_start && !no_migrate;
            commands::serve(settings, migrate).await
        }
        Command::Migrate => commands::migrate(settings).await,
        Command::SeedDemo => quartier_api::seed::seed_demo(settings).await,
        Command::SeedBench { scale, seed } => {
            quartier_api::seed_bench::seed_bench(settings, scale, seed).await
        }
        Command::Openapi => commands::print_openapi(),
        Command::CreateAdmin {
            email,
            display_name,
            password,
            promote_existing,
        } => {
            commands::create_admin(settings, &email, &display_name, password, promote_existing)
                .await
        }
    };
    exit(result)
}

fn exit(result: commands::CommandResult) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "failed");
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
