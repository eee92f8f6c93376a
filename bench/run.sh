#!/usr/bin/env bash
# Load benchmark of the hot paths on the city-sized dataset (`quartier seed-bench`), with
# PostgreSQL's own ceiling beside it: wrk against the API, pgbench running the same SQL.
#
#   bash bench/run.sh                       # scale 1, 10 s per measurement, 1/16/64 connections
#   BENCH_REUSE=1 bash bench/run.sh         # keep the dataset of an earlier run
#   BENCH_SCALE=0.02 BENCH_SECONDS=1 BENCH_RACERS=500 bash bench/run.sh   # a quick check
#
# Needs PostgreSQL on 127.0.0.1:5432 (superuser, to switch the statement log on for the one
# recorded request), psql, pgbench and wrk (apt-get install wrk). See bench/bench.py for every
# setting, and docs/benchmarks.md for the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${BENCH_PROFILE:-release}
if [ "$profile" = release ]; then
    cargo build --quiet --release -p quartier-api
else
    cargo build --quiet -p quartier-api
fi
BENCH_BINARY=${BENCH_BINARY:-target/$profile/quartier} exec python3 bench/bench.py "$@"
