#!/usr/bin/env bash
# Load benchmark of the public "what's on" reads on the demo town: starts the release binary on
# a fresh database filled by `seed-demo` (15 centres, a year of activities, ~1,900 occurrences)
# and measures requests/s and p50/p99 latency with wrk.
#
#   bash bench/whats_on.sh       # needs PostgreSQL on 127.0.0.1:5432 and wrk (apt-get install wrk)
#
# Scenarios, 16 connections each: two weeks of occurrences near a point; the same filtered by
# target group and language; a month of full text; the activity list; a centre's calendar feed.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${BENCH_PORT:-18091}
db=quartier_bench_whats_on
seconds=${BENCH_SECONDS:-8}
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
cargo build --quiet --release -p quartier-api
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
QUARTIER_LOG=warn ./target/release/quartier seed-demo >/dev/null
QUARTIER_BIND="127.0.0.1:$port" QUARTIER_LOG=warn ./target/release/quartier serve >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
for _ in $(seq 1 60); do curl -fs "$base/health/ready" >/dev/null && break; sleep 0.5; done

from=$(date -u +%Y-%m-%dT00:00:00Z)
two_weeks=$(date -u -d '+14 days' +%Y-%m-%dT00:00:00Z)
month=$(date -u -d '+31 days' +%Y-%m-%dT00:00:00Z)
centre=$(curl -fs "$base/api/v1/centres?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
occurrences=$(psql -h 127.0.0.1 -U postgres -d "$db" -tAc "SELECT count(*) FROM occurrences")

report() { grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors' | sed 's/^/    /'; }
echo "machine: $(nproc) cores; $(date -u +%F); $occurrences occurrences"
for path in \
    "/api/v1/occurrences?from=$from&to=$two_weeks&near=50.98,10.32&radius_km=3" \
    "/api/v1/occurrences?from=$from&to=$two_weeks&target_group=children&language=tr" \
    "/api/v1/occurrences?from=$from&to=$month&q=Kaffee&limit=50" \
    "/api/v1/activities?limit=20" \
    "/api/v1/centres/$centre/calendar.ics"; do
    echo "GET $path, 16 connections"
    wrk -t2 -c16 -d"${seconds}s" --latency "$base$path" | report
done
grep -E 'VmHWM' "/proc/$server/status" | awk '{ printf "server peak RSS: %d MiB\n", $2 / 1024 }'
