#!/usr/bin/env bash
# What negotiating the content language costs on the public reads: "what's on" and the centre
# directory on the demo town, without Accept-Language, with a language nobody wrote in, and
# with one that has texts (English variants are written for every published activity and
# every centre first). With a second binary, the same reads are measured on it as well, for a
# before/after comparison on the same database and machine.
#
#   bash bench/languages.sh                       # needs PostgreSQL on 127.0.0.1:5432 and wrk
#   BENCH_BEFORE=/path/to/older/quartier bash bench/languages.sh
set -euo pipefail
cd "$(dirname "$0")/.."

port=${BENCH_PORT:-18092}
db=quartier_bench_languages
seconds=${BENCH_SECONDS:-8}
base="http://127.0.0.1:$port"
binary=${BENCH_BINARY:-./target/release/quartier}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
[ -n "${BENCH_BINARY:-}" ] || cargo build --quiet --release -p quartier-api
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
QUARTIER_LOG=warn "$binary" seed-demo >/dev/null
server=
stop() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=; }
trap 'stop; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
start() {
    # Throughput, not abuse limits: the anonymous budget and turn-taking are off.
    QUARTIER_RATE_LIMIT_ANONYMOUS_PER_MINUTE=0 QUARTIER_ANONYMOUS_SEARCHES=0 \
        QUARTIER_BIND="127.0.0.1:$port" QUARTIER_LOG=warn "$1" serve >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 1 60); do curl -fs "$base/health/ready" >/dev/null && break; sleep 0.5; done
}

from=$(date -u +%Y-%m-%dT00:00:00Z)
two_weeks=$(date -u -d '+14 days' +%Y-%m-%dT00:00:00Z)
whats_on="/api/v1/occurrences?from=$from&to=$two_weeks&limit=20"
directory="/api/v1/centres?limit=20"

report() { grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors' | sed 's/^/    /'; }
measure() {
    local label=$1
    for path in "$whats_on" "$directory"; do
        for language in "" "tr" "en"; do
            echo "[$label] GET $path, Accept-Language: ${language:-(none)}, 16 connections"
            if [ -n "$language" ]; then
                wrk -t2 -c16 -d"${seconds}s" --latency -H "Accept-Language: $language" "$base$path" | report
            else
                wrk -t2 -c16 -d"${seconds}s" --latency "$base$path" | report
            fi
        done
    done
}

echo "machine: $(nproc) cores; $(date -u +%F)"
if [ -n "${BENCH_BEFORE:-}" ]; then
    # The older binary runs its own migrations only if it knows them; the schema is the new one.
    QUARTIER_MIGRATE_ON_START=false start "$BENCH_BEFORE"
    measure before
    stop
fi
start "$binary"
# English texts for every published activity and every centre, written the way staff would.
psql -h 127.0.0.1 -U postgres -d "$db" -qc "
    INSERT INTO translations (activity_id, field, tag, text, origin, reviewed, source_md5, search)
    SELECT a.id, 'title', 'en', 'EN ' || a.title, 'human', true, md5(a.title),
           to_tsvector('english', 'EN ' || a.title)
      FROM activities a WHERE a.status = 'published';
    INSERT INTO translations (centre_id, field, tag, text, origin, reviewed, source_md5, search)
    SELECT c.id, 'name', 'en', 'EN ' || c.name, 'human', true, md5(c.name),
           to_tsvector('english', 'EN ' || c.name)
      FROM centres c;
    ANALYZE translations;"
measure now
grep -E 'VmHWM' "/proc/$server/status" | awk '{ printf "server peak RSS: %d MiB\n", $2 / 1024 }'
