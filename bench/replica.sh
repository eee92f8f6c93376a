#!/usr/bin/env bash
# A primary, its streaming replica and an instance reading public pages from it (see
# bench/replica.py).
#
#   bash bench/replica.sh
#   REPLICA_SCALE=1 bash bench/replica.sh
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${BENCH_PROFILE:-release}
if [ "$profile" = release ]; then
    cargo build --quiet --release -p quartier-api
else
    cargo build --quiet -p quartier-api
fi
BENCH_BINARY=${BENCH_BINARY:-target/$profile/quartier} exec python3 bench/replica.py "$@"
