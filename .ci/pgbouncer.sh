#!/usr/bin/env bash
# Prints the path of a PgBouncer 1.21 or newer (it keeps prepared statements in transaction
# mode), building one when none is installed: Debian 12 ships 1.18, so PgBouncer is built from
# Debian 13's source package into a cache folder (about 30 s on 2 cores).
set -euo pipefail

new_enough() {
    local version
    version=$("$1" --version 2>/dev/null | head -1 | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -1) || return 1
    [ -n "$version" ] && [ "$(printf '%s\n1.21\n' "$version" | sort -V | head -1)" = 1.21 ]
}

for candidate in "${QUARTIER_TEST_PGBOUNCER:-}" "$(command -v pgbouncer || true)" /usr/sbin/pgbouncer; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && new_enough "$candidate"; then
        echo "$candidate"
        exit 0
    fi
done

cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/quartier-ci/pgbouncer"
if [ -x "$cache/bin/pgbouncer" ] && new_enough "$cache/bin/pgbouncer"; then
    echo "$cache/bin/pgbouncer"
    exit 0
fi

{
    apt-get install -y -qq build-essential pkg-config libevent-dev libc-ares-dev libssl-dev >/dev/null \
        || { apt-get update -qq && apt-get install -y -qq build-essential pkg-config libevent-dev libc-ares-dev libssl-dev >/dev/null; }
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/lists/partial"
    echo 'deb-src http://deb.debian.org/debian trixie main' >"$work/sources.list"
    apt_options=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=-
                 -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
    apt-get "${apt_options[@]}" update -qq
    (cd "$work" && apt-get "${apt_options[@]}" source --download-only -qq pgbouncer)
    mkdir "$work/src"
    tar -xzf "$work"/pgbouncer_*.orig.tar.gz -C "$work/src" --strip-components=1
    cd "$work/src"
    ./configure --prefix="$cache" --without-systemd --without-pam >/dev/null
    make -j"$(nproc)" >/dev/null
    make install >/dev/null
} >&2
new_enough "$cache/bin/pgbouncer" || { echo "building PgBouncer from Debian 13's source gave no 1.21 or newer" >&2; exit 1; }
echo "$cache/bin/pgbouncer"
