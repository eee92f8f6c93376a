#!/usr/bin/env bash
# Mail benchmark: reminders through a local SMTP server (see bench/mail.py).
#
#   bash bench/mail.sh
#   BENCH_SCALE=0.02 BENCH_MAILS=500 BENCH_DB=quartier_bench_small bash bench/mail.sh
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${BENCH_PROFILE:-release}
if [ "$profile" = release ]; then
    cargo build --quiet --release -p quartier-api
else
    cargo build --quiet -p quartier-api
fi
BENCH_BINARY=${BENCH_BINARY:-target/$profile/quartier} exec python3 bench/mail.py "$@"
