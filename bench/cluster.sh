#!/usr/bin/env bash
# Three instances behind HAProxy on one PostgreSQL: the sign-up race, exactly-once webhooks,
# mails and horizon, a rolling restart under load (see bench/cluster.py).
#
#   bash bench/cluster.sh
#   CLUSTER_SCALE=1 CLUSTER_RACERS=10000 bash bench/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${BENCH_PROFILE:-release}
if [ "$profile" = release ]; then
    cargo build --quiet --release -p quartier-api
else
    cargo build --quiet -p quartier-api
fi
BENCH_BINARY=${BENCH_BINARY:-target/$profile/quartier} exec python3 bench/cluster.py "$@"
