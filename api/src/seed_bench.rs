//! `quartier seed-bench --scale N --seed S`: fills an empty database with the benchmark
//! dataset (see `quartier_persistence::bench_data`) and prints what it made. Every account's
//! password is `BENCH_PASSWORD`.

use std::time::Instant;

use quartier_persistence::bench_data::{self, Counts};
use quartier_persistence::pool::{self, build_pool};

use crate::commands::{CommandResult, prepare_database};
use crate::config::Settings;
use crate::passwords::Passwords;

/// The password of every account the benchmark data holds.
pub const BENCH_PASSWORD: &str = "bench password 2027";

/// Fills the empty database with the benchmark dataset at `scale`, from `seed`; the rows
/// each table then holds.
pub async fn seed_bench_data(
    settings: &Settings,
    scale: f64,
    seed: i64,
) -> Result<Vec<(&'static str, i64)>, Box<dyn std::error::Error>> {
    if !(scale > 0.0 && scale <= 20.0) {
        return Err("--scale must be more than 0 and at most 20".into());
    }
    prepare_database(settings, settings.migrate_on_start).await?;
    let db_pool = build_pool(&settings.database_url, &settings.pool)?;
    let mut conn = pool::get(&db_pool).await?;
    if quartier_persistence::database::holds_directory_data(&mut conn).await? {
        return Err("the database already holds districts, operators or centres; seed-bench fills only an empty one".into());
    }
    let hash = Passwords::new(1)?.hash(BENCH_PASSWORD).await?;
    Ok(bench_data::fill(&mut conn, Counts::at(scale), seed, &hash).await?)
}

/// `quartier seed-bench`: seeds and prints what it made and how long it took.
pub async fn seed_bench(settings: Settings, scale: f64, seed: i64) -> CommandResult {
    let started = Instant::now();
    let made = seed_bench_data(&settings, scale, seed).await?;
    println!(
        "Benchmark data at scale {scale} (seed {seed}) in {:.1} s:",
        started.elapsed().as_secs_f64()
    );
    for (table, n) in &made {
        println!("  {table:<12} {n:>9}");
    }
    println!(
        "Accounts: freiwillig-1..N@bench.example (volunteers) and koordination-1..N@bench.example \
         (a coordinator of each operator), password {BENCH_PASSWORD:?}."
    );
    Ok(())
}
