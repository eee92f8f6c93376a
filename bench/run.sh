#!/usr/bin/env bash
# Load benchmark of the account endpoints: starts the release binary on a fresh database and
# measures requests/s, p50/p99 latency and the server's peak memory with wrk.
#
#   bash bench/run.sh            # needs PostgreSQL on 127.0.0.1:5432 and wrk (apt-get install wrk)
#
# Scenarios: GET /api/v1/me (token check + one primary-key read) at 2, 16 and 64 connections;
# login (argon2id) at 16; GET /api/v1/me at 16 while 32 connections flood login.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${BENCH_PORT:-18090}
db=quartier_bench
seconds=${BENCH_SECONDS:-8}
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
cargo build --quiet --release -p quartier-api
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" QUARTIER_BIND="127.0.0.1:$port" QUARTIER_LOG=warn \
    ./target/release/quartier serve >/dev/null 2>&1 &
server=$!
work=$(mktemp -d)
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
for _ in $(seq 1 60); do curl -fs "$base/health/ready" >/dev/null && break; sleep 0.5; done

credentials='{"email": "bench@example.org", "password": "ein langes Passwort"}'
curl -fs -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"email": "bench@example.org", "display_name": "Bench", "password": "ein langes Passwort", "privacy_consent": true}' >/dev/null
token=$(curl -fs -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' -d "$credentials" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
cat >"$work/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '$credentials'
wrk.headers["Content-Type"] = "application/json"
LUA

report() { grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors' | sed 's/^/    /'; }
rss() { grep -E 'VmHWM' "/proc/$server/status" | awk '{ printf "    server peak RSS: %d MiB\n", $2 / 1024 }'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; $(date -u +%F)"
rss
for c in 2 16 64; do
    echo "GET /api/v1/me, $c connections"
    wrk -t2 -c"$c" -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$base/api/v1/me" | report
done
echo "POST /api/v1/auth/login, 16 connections"
wrk -t2 -c16 -d"${seconds}s" --latency -s "$work/login.lua" "$base/api/v1/auth/login" | report
echo "GET /api/v1/me, 16 connections, during a login flood of 32 connections"
wrk -t1 -c32 -d"$((seconds + 3))s" -s "$work/login.lua" "$base/api/v1/auth/login" >"$work/flood.txt" &
flood=$!
sleep 1
wrk -t1 -c16 -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$base/api/v1/me" | report
wait $flood
echo "  the flood itself:"
report <"$work/flood.txt"
rss
