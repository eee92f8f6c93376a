#!/usr/bin/env python3
"""Load benchmark of Quartier's hot paths on the city-sized dataset, against the database's own
ceiling. Run it through `bench/run.sh`, which builds the binary first.

Seeds `quartier seed-bench` into its own database (or reuses it), starts the server, and runs
each scenario with wrk for a fixed time at each concurrency: requests/s, p50/p99 latency,
errors and the server's peak RSS during the scenario. For scenarios 1, 3, 6, 9 to 13 it records the
SQL one request sends to PostgreSQL (from PostgreSQL's statement log), replays exactly that SQL
with pgbench at the same concurrencies, and prints API ÷ pgbench.

Settings, from the environment:
  BENCH_SCALE (1)            dataset scale; 1 is the city of DESIGN.md
  BENCH_SEED (1)             dataset seed
  BENCH_SECONDS (10)         seconds per measurement
  BENCH_CONCURRENCY (1 16 64)
  BENCH_RACERS (10000)       volunteers racing for 50 shifts of 5 places in scenario 6, and
                             requests for 50 times of a room confirmed at once in scenario 12
  BENCH_REUSE (0)            1: keep a database seeded earlier at the same scale and seed
  BENCH_ONLY                 some of the scenarios (1 3 7 9 10 11 12 13 14 15 16 17) alone
  BENCH_BINARY               the quartier binary (run.sh passes the release build)
  BENCH_PG_LOG               PostgreSQL's server log (found from the cluster when not given)
  BENCH_JSON                 where to write every figure as JSON
  BENCH_COMPARE              two or more quartier binaries: instead of the scenarios, measure
                             a shift's roster and the sign-up race at 16 connections with each,
                             in turns (BENCH_ROUNDS rounds, the order reversed every other round)
  BENCH_ROUNDS (4)           rounds of BENCH_COMPARE
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import socket_latency

ROOT = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1 16 64").split()]
RACERS = int(os.environ.get("BENCH_RACERS", "10000"))
REUSE = os.environ.get("BENCH_REUSE", "0") == "1"
ONLY = {int(n) for n in os.environ.get("BENCH_ONLY", "").split()}
COMPARE = os.environ.get("BENCH_COMPARE", "").split()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
BINARY = os.environ.get("BENCH_BINARY", str(ROOT / "target/release/quartier"))
PORT = int(os.environ.get("BENCH_PORT", "18092"))
DB = os.environ.get("BENCH_DB", "quartier_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE_URL = f"{PG}/{DB}"
BASE = f"http://127.0.0.1:{PORT}"
JWT_SECRET = secrets.token_hex(32)
RACE_SHIFTS = 50
RACE_CAPACITY = 5
# Racers and race shifts have ids that pgbench can write from a number: a fixed prefix and
# twelve decimal digits.
RACER_PREFIX = "00000000-0000-7000-8000-"
SHIFT_PREFIX = "00000000-0000-7000-9000-"
ID_BASE = 100_000_000_000

results = {"scenarios": []}
# What went wrong: the run still reports every figure, then exits with 1.
problems = []


def log(message=""):
    print(message, flush=True)


def psql(sql, database=DB):
    out = subprocess.run(
        ["psql", f"{PG}/{database}", "-v", "ON_ERROR_STOP=1", "-qAtX", "-c", sql],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}\n{sql[:2000]}")
    return out.stdout.strip()


def server_env(**extra):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        QUARTIER_BIND=f"127.0.0.1:{PORT}",
        QUARTIER_LOG="warn",
        QUARTIER_JWT_SECRET=JWT_SECRET,
        QUARTIER_WEBHOOK_POLL_MS="60000",
        QUARTIER_HORIZON_INTERVAL_SECS="86400",
        # One client address and a handful of accounts make every request here: the limits
        # stay switched on (their counting is part of what is measured) but out of reach.
        QUARTIER_RATE_LIMIT_USER_PER_MINUTE="1000000",
        QUARTIER_RATE_LIMIT_KEY_PER_MINUTE="1000000",
        QUARTIER_RATE_LIMIT_AUTH_PER_MINUTE="1000000",
        QUARTIER_RATE_LIMIT_REGISTER_PER_HOUR="1000000",
        QUARTIER_RATE_LIMIT_ACCOUNT_PER_15_MIN="1000000",
        QUARTIER_RATE_LIMIT_FAILED_LOGINS="1000000",
        QUARTIER_RATE_LIMIT_FAILED_LOGINS_PER_ACCOUNT="1000000",
        QUARTIER_RATE_LIMIT_ANONYMOUS_PER_MINUTE="0",
        QUARTIER_METRICS_TOKEN=METRICS_TOKEN,
    )
    env.update(extra)
    return env


METRICS_TOKEN = "the benchmark's metrics token"


def route_latency(route):
    """The server's own latency histogram of `route` (cumulative counts by upper bound, in
    seconds), from /metrics: it times a request from the moment the server takes it up."""
    request = urllib.request.Request(f"{BASE}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    counts = {}
    for line in text.splitlines():
        if line.startswith("quartier_http_request_duration_seconds_bucket") and f'route="{route}"' in line:
            # float() reads "+Inf" as infinity.
            bound = float(re.search(r'le="([^"]+)"', line).group(1))
            counts[bound] = counts.get(bound, 0) + float(line.rsplit(" ", 1)[1])
    return counts


def server_p99_ms(before, after):
    """The bucket bound (ms) under which 99 % of the requests between two histograms stayed."""
    counts = {bound: after[bound] - before.get(bound, 0) for bound in after}
    total = counts.get(float("inf"), 0)
    for bound in sorted(counts):
        if total and counts[bound] >= 0.99 * total:
            return round(bound * 1000, 1) if bound != float("inf") else None
    return None


# --- the dataset -------------------------------------------------------------------------

def seed():
    marker = f"scale {SCALE} seed {SEED} day {dt.date.today()}"
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'", "postgres") == "1"
    if REUSE and exists:
        try:
            if psql("SELECT comment FROM bench_meta") == marker:
                log(f"dataset: reusing {DB} ({marker})")
                reset_race()
                psql("VACUUM (ANALYZE)")  # what earlier runs left behind, cleared before measuring
                return
        except RuntimeError:
            pass
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", "postgres")
    started = time.monotonic()
    out = subprocess.run(
        [BINARY, "seed-bench", "--scale", str(SCALE), "--seed", str(SEED)],
        env=server_env(),
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"seed-bench failed: {out.stderr}")
    out = out.stdout
    psql("VACUUM (ANALYZE)")
    psql(f"CREATE TABLE bench_meta (comment text); INSERT INTO bench_meta VALUES ('{marker}')")
    results["seed_seconds"] = round(time.monotonic() - started, 1)
    log(out.rstrip())
    log(f"seeded and vacuumed in {results['seed_seconds']} s")


def dataset_counts():
    """What the dataset holds, besides the race's shifts, racers and sign-ups."""
    counts = {}
    besides = {"shifts": f"NOT {race_shifts('id')}", "signups": f"NOT {race_shifts('shift_id')}",
               "users": f"id NOT BETWEEN '{RACER_PREFIX}000000000000' AND '{RACER_PREFIX}ffffffffffff'"}
    for table in ["districts", "operators", "centres", "activities", "occurrences", "shifts",
                  "users", "signups", "concerns"]:
        counts[table] = int(psql(f"SELECT count(*) FROM {table} WHERE {besides.get(table, 'true')}"))
    counts["waitlisted"] = int(psql(
        f"SELECT count(*) FROM signups WHERE status = 'waitlisted' AND {besides['signups']}"))
    results["dataset"] = counts
    log("dataset: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


# --- the server --------------------------------------------------------------------------

class Server:
    def __init__(self, binary=None, **env):
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [binary or BINARY, "serve"], env=server_env(**env),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = self.started + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("the server stopped during start-up")
            try:
                with urllib.request.urlopen(f"{BASE}/health/ready", timeout=1) as response:
                    if response.status == 200:
                        self.ready_after = time.monotonic() - self.started
                        return
            except OSError:
                time.sleep(0.01)
        sys.exit("the server did not get ready in 30 s")

    def reset_peak(self):
        # Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
        try:
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        except OSError:
            pass

    def peak_mib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return None

    def cpu_seconds(self):
        """CPU time the server has used so far (user and system, all threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def request(method, path, token=None, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{BASE}{path}", data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def token_for(user_id, role="member"):
    """An access token as the server issues it, signed with the secret the benchmark gave it."""
    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({
        "sub": str(user_id), "role": role, "iat": now, "exp": now + 6 * 3600,
        "jti": str(uuid.uuid4()), "iss": "quartier",
    }).encode())
    signature = hmac.new(JWT_SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


# --- what the scenarios ask for ----------------------------------------------------------

def berlin_next_monday():
    """Next Monday, 00:00 in Berlin, as UTC (with today's offset)."""
    # Asked of the server's own database: the benchmark's may not exist (yet) where this runs.
    offset = psql("SELECT extract(epoch FROM (now() AT TIME ZONE 'Europe/Berlin') - (now() AT TIME ZONE 'UTC'))",
                  database="postgres")
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    start = dt.datetime.combine(monday, dt.time()) - dt.timedelta(seconds=float(offset or 0))
    return start.replace(tzinfo=dt.timezone.utc)


def iso(at):
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def prepare():
    district = psql("SELECT d.id FROM districts d WHERE d.parent_id IS NULL "
                    "AND EXISTS (SELECT 1 FROM districts c WHERE c.parent_id = d.id) ORDER BY d.name LIMIT 1")
    volunteer = psql("SELECT id FROM users WHERE email = 'freiwillig-1@bench.example'")
    centre = psql("SELECT id FROM centres ORDER BY name LIMIT 1")
    # A full shift with a waitlist in the week the scenarios read, at a centre of the first
    # operator, and that operator's coordinator. The week is the next one that has such a
    # shift (next week, whenever the dataset is large enough): any day of the year.
    operator = psql("SELECT operator_id FROM centres WHERE id = '%s'" % centre)
    monday = berlin_next_monday()
    for weeks in range(12):
        week = monday + dt.timedelta(days=7 * weeks)
        frm, to = iso(week), iso(week + dt.timedelta(days=7))
        shift = psql(
            "SELECT s.id FROM shifts s WHERE s.operator_id = '%s' AND s.starts_at >= '%s' "
            "AND s.starts_at < '%s' AND EXISTS (SELECT 1 FROM signups g WHERE g.shift_id = s.id "
            "AND g.status = 'waitlisted') ORDER BY s.starts_at LIMIT 1" % (operator, frm, to))
        if shift:
            break
    else:
        sys.exit("no week of the next twelve has a full shift with a waitlist: seed a larger dataset")
    coordinator = psql("SELECT user_id FROM operator_members WHERE operator_id = '%s' LIMIT 1" % operator)
    return {
        "from": frm, "to": to, "district": district, "volunteer": volunteer,
        "centre": centre, "shift": shift, "coordinator": coordinator, "operator": operator,
        "week": week,
    }


# The administrator the city-wide report is read as.
BENCH_ADMIN = "00000000-0000-7000-a000-0000000000ad"
ROOM = "00000000-0000-7000-a000-000000000001"
ROOM_BOOKING = "00000000-0000-7000-a000-000000000002"


def prepare_room(p):
    """A Saal at the first centre, taken three times a day for the next 60 days."""
    psql(
        f"INSERT INTO rooms (id, centre_id, operator_id, name, capacity_seated, bookable_by, "
        f"max_future_dates) SELECT '{ROOM}', c.id, c.operator_id, 'Saal (Benchmark)', 100, "
        f"'residents', 1000 FROM centres c WHERE c.id = '{p['centre']}' ON CONFLICT (id) DO NOTHING; "
        f"INSERT INTO room_parts VALUES ('{ROOM}', '{ROOM}') ON CONFLICT DO NOTHING; "
        f"INSERT INTO room_bookings (id, room_id, booker_kind, purpose, expected_people, layout) "
        f"VALUES ('{ROOM_BOOKING}', '{ROOM}', 'operator', 'Belegung', 20, 'seated') "
        f"ON CONFLICT (id) DO NOTHING; "
        f"INSERT INTO room_booking_dates (id, booking_id, room_id, starts_at, ends_at, blocked, status) "
        f"SELECT gen_random_uuid(), '{ROOM_BOOKING}', '{ROOM}', s, s + interval '2 hours', "
        f"tstzrange(s, s + interval '2 hours'), 'confirmed' "
        f"FROM generate_series(date_trunc('day', now()) + interval '1 day', "
        f"date_trunc('day', now()) + interval '60 days', interval '1 day') d, "
        f"LATERAL (VALUES (d + interval '8 hours'), (d + interval '12 hours'), (d + interval '17 hours')) v(s) "
        f"WHERE NOT EXISTS (SELECT 1 FROM room_booking_dates WHERE booking_id = '{ROOM_BOOKING}'); "
        f"ANALYZE rooms; ANALYZE room_claims")


# Scenario 12: requests for a room, RACERS of them spread over ROOM_RACE_SLOTS times (request n
# asks for time n % ROOM_RACE_SLOTS), all confirmed at once by staff. Ids from a number, as
# the racers'.
ROOM_RACE = "00000000-0000-7000-a000-000000000003"
ROOM_RACE_SLOTS = 50
DATE_PREFIX = "00000000-0000-7000-b000-"
BOOKING_PREFIX = "00000000-0000-7000-b100-"


def prepare_room_race(p):
    """A room with RACERS requests by the racers, for ROOM_RACE_SLOTS times two weeks ahead."""
    start = iso(p["week"] + dt.timedelta(days=14, hours=8))
    psql(
        f"INSERT INTO rooms (id, centre_id, operator_id, name, capacity_seated, bookable_by, "
        f"max_future_dates) SELECT '{ROOM_RACE}', c.id, c.operator_id, 'Saal (Wettlauf)', 100, "
        f"'residents', 1000 FROM centres c WHERE c.id = '{p['centre']}' ON CONFLICT (id) DO NOTHING; "
        f"INSERT INTO room_parts VALUES ('{ROOM_RACE}', '{ROOM_RACE}') ON CONFLICT DO NOTHING; "
        f"INSERT INTO room_bookings (id, room_id, booker_kind, requested_by, purpose, expected_people, layout) "
        f"SELECT ('{BOOKING_PREFIX}' || ({ID_BASE} + i))::uuid, '{ROOM_RACE}', 'account', "
        f"('{RACER_PREFIX}' || ({ID_BASE} + 1 + i))::uuid, 'Wettlauf', 10, 'seated' "
        f"FROM generate_series(0, {RACERS - 1}) i ON CONFLICT (id) DO NOTHING; "
        f"INSERT INTO room_booking_dates (id, booking_id, room_id, starts_at, ends_at, blocked, status) "
        f"SELECT ('{DATE_PREFIX}' || ({ID_BASE} + i))::uuid, ('{BOOKING_PREFIX}' || ({ID_BASE} + i))::uuid, "
        f"'{ROOM_RACE}', s, s + interval '2 hours', tstzrange(s, s + interval '2 hours'), 'requested' "
        f"FROM generate_series(0, {RACERS - 1}) i, "
        f"LATERAL (SELECT '{start}'::timestamptz + (i % {ROOM_RACE_SLOTS}) * interval '3 hours' AS s) x "
        f"ON CONFLICT (id) DO NOTHING; ANALYZE room_booking_dates; ANALYZE room_bookings")
    reset_room_race()


def reset_room_race():
    """Every request of the race room asked for again, and what deciding them wrote gone."""
    psql(
        f"UPDATE room_booking_dates SET status = 'requested', decided_by = NULL, decided_at = NULL, "
        f"note = NULL WHERE room_id = '{ROOM_RACE}' AND status <> 'requested'; "
        f"DELETE FROM notifications WHERE kind = 'room_booking_decided' AND details LIKE '%{DATE_PREFIX}%'; "
        f"DELETE FROM outbox_events WHERE payload LIKE '%{ROOM_RACE}%'; "
        f"DELETE FROM audit_events WHERE object_type = 'room_booking_date' "
        f"AND object_id::text LIKE '{DATE_PREFIX}%'")


def room_race_outcome():
    row = psql(
        f"SELECT count(*) FILTER (WHERE status = 'confirmed'), count(*) FILTER (WHERE status = 'declined'), "
        f"count(*) FILTER (WHERE status = 'requested'), "
        f"count(DISTINCT starts_at) FILTER (WHERE status = 'confirmed'), "
        f"(SELECT count(*) FROM room_claims WHERE part_id = '{ROOM_RACE}') "
        f"FROM room_booking_dates WHERE room_id = '{ROOM_RACE}'").split("|")
    return dict(zip(["confirmed", "declined", "requested", "times_confirmed", "claims"], map(int, row)))


def room_race_expected(sent):
    """The outcome when the first `sent` requests were each confirmed once: each time they ask
    for is given to one of them, and every other request for that time is declined with it;
    the requests for times none of them asks for stay open."""
    won = min(sent, ROOM_RACE_SLOTS)
    open_ = sum(1 for n in range(RACERS) if n % ROOM_RACE_SLOTS >= won)
    return {"confirmed": won, "declined": RACERS - won - open_, "requested": open_,
            "times_confirmed": won, "claims": won}


def prepare_race(p):
    """50 shifts of 5 places next week at the first centre, and the racing volunteers."""
    reset_race()
    start = p["week"] + dt.timedelta(days=3, hours=15)
    psql(
        "INSERT INTO shifts (id, centre_id, operator_id, title, starts_at, ends_at, capacity) "
        "SELECT ('%s' || (%d + i))::uuid, '%s', '%s', 'Weihnachtsmarkt ' || i, "
        "'%s'::timestamptz + i * interval '10 minutes', '%s'::timestamptz + i * interval '10 minutes' + interval '2 hours', %d "
        "FROM generate_series(0, %d) i ON CONFLICT (id) DO NOTHING"
        % (SHIFT_PREFIX, ID_BASE, p["centre"], p["operator"], iso(start), iso(start),
           RACE_CAPACITY, RACE_SHIFTS - 1))
    psql(
        "INSERT INTO users (id, email, display_name, password_hash, privacy_consent_at) "
        "SELECT ('%s' || (%d + i))::uuid, 'wettlauf-' || i || '@bench.example', 'Wettlauf ' || i, "
        "(SELECT password_hash FROM users WHERE email = 'freiwillig-1@bench.example'), now() "
        "FROM generate_series(1, %d) i ON CONFLICT DO NOTHING" % (RACER_PREFIX, ID_BASE, RACERS + 64))
    psql("ANALYZE users; ANALYZE shifts")


def race_shifts(column):
    return f"{column} BETWEEN '{SHIFT_PREFIX}000000000000' AND '{SHIFT_PREFIX}ffffffffffff'"


def reset_race():
    """The race's shifts empty again, and the events of its sign-ups gone."""
    psql(
        "DELETE FROM signups WHERE %s; UPDATE shifts SET confirmed_count = 0 WHERE %s; "
        "DELETE FROM outbox_events WHERE payload LIKE '%%%s%%'"
        % (race_shifts("shift_id"), race_shifts("id"), SHIFT_PREFIX))


def race_outcome():
    row = psql(
        "SELECT count(*) FILTER (WHERE status = 'confirmed'), count(*) FILTER (WHERE status = 'waitlisted'), "
        "count(*), count(DISTINCT user_id), "
        "(SELECT sum(confirmed_count) FROM shifts WHERE %s) "
        "FROM signups WHERE %s" % (race_shifts("id"), race_shifts("shift_id")))
    confirmed, waitlisted, total, people, counted = (int(x or 0) for x in row.split("|"))
    return {"confirmed": confirmed, "waitlisted": waitlisted, "total": total,
            "volunteers": people, "confirmed_count_sum": counted}


# --- load generators ---------------------------------------------------------------------

WRK_PATHS = r"""
-- Round robin over the requests in a file: "METHOD path|Header: value|..." per line.
local requests = {}
local next_request = 1
function init(args)
  for line in io.lines(args[1]) do
    local parts = {}
    for part in line:gmatch("[^|]+") do table.insert(parts, part) end
    local method, path = parts[1]:match("^(%S+) (%S+)$")
    local headers = {}
    for i = 2, #parts do
      local name, value = parts[i]:match("^([^:]+): (.*)$")
      headers[name] = value
    end
    table.insert(requests, wrk.format(method, path, headers))
  end
end
function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end
"""

WRK_RACE = r"""
-- Each racer once: thread t POSTs lines t, t + n, t + 2n... of "path token". wrk calls
-- delay() before every request it sends, so delay() reserves a line and request() takes the
-- next reserved one; wrk's own trial call of request() (made once, in the first thread, and
-- never sent) finds nothing reserved and takes nothing. A connection with nothing left to
-- send waits an hour; when the last of its thread's lines is answered, the thread leaves the
-- file args[3] .. tid, and the benchmark stops wrk once every thread has.
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
local mine = {}
local reserved = 0
local taken = 0
local done_file
local answered = 0
function init(args)
  local n = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % n == tid then table.insert(mine, line) end
    i = i + 1
  end
  done_file = args[3] .. tid
  if #mine == 0 then io.open(done_file, "w"):close() end
end
function response(status, headers, body)
  answered = answered + 1
  if answered == #mine then io.open(done_file, "w"):close() end
end
function delay()
  if reserved >= #mine then return 3600000 end
  reserved = reserved + 1
  return 0
end
function request()
  if taken >= reserved then return wrk.format("GET", "/health/live") end
  taken = taken + 1
  local path, token = mine[taken]:match("^(%S+) (%S+)$")
  return wrk.format("POST", path,
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "")
end
"""


def millis(text):
    value = float(re.match(r"[\d.]+", text).group())
    unit = text[len(re.match(r"[\d.]+", text).group()):]
    return round(value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)


def parse_wrk(out):
    figures = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "requests": 0, "errors": 0}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            figures["rps"] = round(float(line.split()[1]), 1)
        elif line.startswith("50%"):
            figures["p50_ms"] = millis(line.split()[1])
        elif line.startswith("99%"):
            figures["p99_ms"] = millis(line.split()[1])
        elif "requests in" in line:
            figures["requests"] = int(line.split()[0])
        elif line.startswith("Non-2xx or 3xx responses:"):
            figures["errors"] += int(line.split(":")[1])
        elif line.startswith("Socket errors:"):
            figures["errors"] += sum(int(n) for n in re.findall(r"\d+", line))
    return figures


def wrk(script, args, connections, seconds, path="/"):
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s", "-s", script, f"{BASE}{path}", "--"] + args
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_wrk(out)


def pgbench(script, clients, seconds=None, transactions=None, defines=(), mode="prepared"):
    """`prepared`: each statement prepared once per client and its generic plan kept, as the
    server's connections do; the least work PostgreSQL can do for it."""
    command = ["pgbench", "-n", "-M", mode, "-c", str(clients), "-j", str(min(2, clients)),
               "-f", script, "-r"]
    command += ["-T", str(seconds)] if seconds else ["-t", str(transactions)]
    for define in defines:
        command += ["-D", define]
    command += [DATABASE_URL]
    run = subprocess.run(command, capture_output=True, text=True,
                         env={**os.environ, "PGOPTIONS": "-c plan_cache_mode=force_generic_plan"})
    if run.returncode != 0:
        sys.exit(f"pgbench failed:\n{run.stdout}\n{run.stderr}")
    tps = float(re.search(r"tps = ([\d.]+)", run.stdout).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", run.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", run.stdout)
    return {"tps": round(tps, 1), "latency_avg_ms": float(latency.group(1)) if latency else None,
            "failed": int(failed.group(1)) if failed else 0}


# --- recording the SQL an endpoint sends -------------------------------------------------

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[.\d]* \S+ \[(\d+)\] (\S*?)@(\S*?) (\w+):  (.*)$")


def server_log():
    if os.environ.get("BENCH_PG_LOG"):
        return Path(os.environ["BENCH_PG_LOG"])
    version = psql("SHOW server_version_num")[:2]
    for candidate in [Path(f"/var/log/postgresql/postgresql-{version}-main.log")]:
        if candidate.exists():
            return candidate
    current = psql("SELECT pg_current_logfile()")
    if current:
        return Path(psql("SHOW data_directory")) / current
    sys.exit("PostgreSQL's server log was not found: set BENCH_PG_LOG")


def literal(value):
    return value  # already quoted by PostgreSQL, or NULL


def statements_in(text):
    """The statements a log excerpt shows for our database, with parameters written in."""
    entries = []
    for line in text.splitlines():
        match = LOG_LINE.match(line)
        if match:
            entries.append(list(match.groups()))
        elif entries and line.startswith("\t"):
            entries[-1][4] += "\n" + line[1:]
    out = []
    for pid, user, database, level, message in entries:
        if database != DB:
            continue
        if level == "LOG":
            found = re.match(r"(?:statement|execute [^:]*): (.*)$", message, re.S)
            if found:
                out.append([found.group(1).strip(), {}])
        elif level == "DETAIL" and message.startswith("parameters:") and out:
            params = dict(re.findall(r"\$(\d+) = (NULL|'(?:[^']|'')*')", message))
            out[-1][1] = params
    kept = []
    for sql, params in out:
        # A statement prepared on first use can show twice in the log for one execution.
        if sql in ("BEGIN", "COMMIT") or (kept and kept[-1] == (sql, params)):
            continue
        # The webhook and mail workers' polls, should they fall into the window.
        if re.match(r'(SELECT|UPDATE) "(outbox_events|webhook_\w+)"', sql) \
                or re.match(r"UPDATE notifications n SET leased_until", sql):
            continue
        kept.append((sql, params))
    return kept


def with_params(sql, params, replace=None):
    replace = replace or {}

    def value(match):
        n = match.group(1)
        raw = params[n]
        return replace.get(raw, raw)
    return re.sub(r"\$(\d+)(?!\d)", value, sql)


def record_sql(requests):
    """Runs each (name, method, path, token, headers) once on a server with one connection and
    PostgreSQL's statement log on; the statements each sent, parameters written in."""
    log_file = server_log()
    psql(f"ALTER DATABASE {DB} SET log_statement = 'all'", "postgres")
    recorded = {}
    server = Server(QUARTIER_DB_POOL_SIZE="1")
    try:
        request("GET", "/api/v1/districts?limit=1")  # opens the one connection
        time.sleep(0.5)
        for name, method, path, token, headers in requests:
            before = log_file.stat().st_size
            status, _, body = request(method, path, token, headers=headers)
            if status >= 400:
                sys.exit(f"{name}: {method} {path} answered {status}: {body[:300]!r}")
            time.sleep(0.3)
            with log_file.open("rb") as f:
                f.seek(before)
                recorded[name] = statements_in(f.read().decode("utf-8", "replace"))
    finally:
        server.stop()
        psql(f"ALTER DATABASE {DB} RESET log_statement", "postgres")
    return recorded


def made_just_now(raw):
    """Whether a parameter is a UUID v7 made in the last hour: the id of a new row."""
    found = re.fullmatch(r"'([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}'", raw)
    if not found:
        return False
    millis = int(found.group(1) + found.group(2), 16)
    return abs(time.time() * 1000 - millis) < 3600 * 1000


def fresh_ids(params):
    """Ids the server made for the new rows of a recorded write, each replaced by a new one."""
    return {raw: "gen_random_uuid()" for raw in params.values() if made_just_now(raw)}


def write_script(path, statements, prelude=""):
    body = "".join(sql.replace("\n", " ") + ";\n" for sql in statements)
    Path(path).write_text(prelude + body)


def explain(sql, params, replace=None, settings=()):
    """The plan of a recorded statement as the server runs it: prepared, with the generic plan
    its connections are set to keep, executed with the recorded values, in a transaction that
    is rolled back (it may write), after the `SET LOCAL`s the server sent before it."""
    replace = replace or {}
    settings = [arg for setting in settings for arg in ("-c", setting)]
    values = [replace.get(params[n], params[n]) for n in sorted(params, key=int)]
    execute = "EXECUTE bench_plan" + (f"({', '.join(values)})" if values else "")
    # The server's own settings (a `SET LOCAL plan_cache_mode` among them) come after ours.
    generic = ["-c", "SET LOCAL plan_cache_mode = force_generic_plan", *settings,
               "-c", "PREPARE bench_plan AS " + sql,
               "-c", "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) " + execute]
    # Should PostgreSQL not tell a parameter's type from the statement alone, the plan for
    # the values written in instead.
    custom = [*settings, "-c", "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) " + with_params(sql, params, replace)]
    for commands, note in [(generic, ""), (custom, "(the plan for these values; the statement alone does not type its parameters)\n")]:
        out = subprocess.run(["psql", DATABASE_URL, "-v", "ON_ERROR_STOP=1", "-qAtX", "-c", "BEGIN",
                              *commands, "-c", "ROLLBACK"], capture_output=True, text=True)
        if out.returncode == 0:
            return note + out.stdout.strip()
    raise RuntimeError(f"EXPLAIN failed: {out.stderr.strip()}")


# --- the run ----------------------------------------------------------------------------

def scenario(name, runs):
    entry = {"name": name, "runs": runs}
    results["scenarios"].append(entry)
    return entry


def show(label, figures, peak=None, extra=""):
    p50 = "-" if figures.get("p50_ms") is None else f"{figures['p50_ms']:.2f}"
    p99 = "-" if figures.get("p99_ms") is None else f"{figures['p99_ms']:.2f}"
    mem = "" if peak is None else f"  peak RSS {peak:5.1f} MiB"
    log(f"  {label:<28} {figures['rps']:>9.1f} req/s  p50 {p50:>7} ms  p99 {p99:>7} ms  "
        f"errors {figures['errors']}{mem}{extra}")


def measure(server, label, script, args, connections, seconds=SECONDS):
    server.reset_peak()
    figures = wrk(script, args, connections, seconds)
    if figures["errors"]:
        problems.append(f"{label}: {figures['errors']} errors")
    figures["peak_rss_mib"] = server.peak_mib()
    figures["connections"] = connections
    show(label, figures, figures["peak_rss_mib"])
    return figures


def wrk_race(server, c, race_lua, race_file):
    """Every line of `race_file` POSTed once over `c` connections; wrk is stopped once every
    request has its answer."""
    server.reset_peak()
    threads = min(2, c)
    done = Path(tempfile.mkdtemp(prefix="quartier-race-"))
    command = ["wrk", f"-t{threads}", f"-c{c}", "-d600s", "--latency", "--timeout", "10s",
               "-s", str(race_lua), BASE, "--", race_file, str(threads), f"{done}/thread-"]
    racing = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    while racing.poll() is None and len(list(done.iterdir())) < threads:
        time.sleep(0.02)
    racing.send_signal(signal.SIGINT)
    figures = parse_wrk(racing.communicate()[0])
    shutil.rmtree(done, ignore_errors=True)
    figures.update(peak_rss_mib=server.peak_mib(), connections=c)
    return figures


def api_race(server, c, race_lua, race_file):
    """Every racer's sign-up sent once over `c` connections; the figures and the outcome,
    checked: exactly the places confirmed, everybody else waitlisted."""
    reset_race()
    figures = wrk_race(server, c, race_lua, race_file)
    figures.update(race_outcome())
    show(f"API, {c} connections", figures, figures["peak_rss_mib"],
         f"  confirmed {figures['confirmed']}, waitlisted {figures['waitlisted']}")
    expected = min(RACERS, RACE_SHIFTS * RACE_CAPACITY)
    if (figures["confirmed"], figures["total"], figures["confirmed_count_sum"]) != (expected, RACERS, expected):
        problems.append(f"race at {c} connections: {figures}")
    return figures


def api_room_race(server, c, race_lua, race_file):
    """Every request of the race room confirmed once over `c` connections by staff; the
    figures and the outcome, checked: one confirmed date per time, every other declined."""
    reset_room_race()
    figures = wrk_race(server, c, race_lua, race_file)
    outcome = room_race_outcome()
    figures.update(outcome)
    show(f"API, {c} connections", figures, figures["peak_rss_mib"],
         f"  confirmed {outcome['confirmed']}, declined {outcome['declined']}")
    if outcome != room_race_expected(RACERS):
        problems.append(f"room race at {c} connections: {outcome}")
    return figures


def racer_lines():
    """Each racer's shift and token, one line each, for the race's wrk script."""
    lines = []
    for n in range(1, RACERS + 1):
        shift = f"{SHIFT_PREFIX}{ID_BASE + (n * 7919) % RACE_SHIFTS}"
        lines.append(f"/api/v1/shifts/{shift}/signups {token_for(f'{RACER_PREFIX}{ID_BASE + n}')}")
    return lines


def confirm_lines(coordinator):
    """Each request of the race room's confirmation by staff, one line each, in the order the
    requests were made (so that every time is asked for all along)."""
    return [f"/api/v1/room-booking-dates/{DATE_PREFIX}{ID_BASE + n}/confirm {coordinator}"
            for n in range(RACERS)]


def compare_builds(paths, race_lua, roster, race_file):
    """The roster and the race at 16 connections with each of COMPARE's binaries, in turns on
    the same dataset, so that the machine's drift spreads over all of them alike."""
    runs = {binary: {"roster": [], "race": []} for binary in COMPARE}
    for round_ in range(ROUNDS):
        order = COMPARE if round_ % 2 == 0 else list(reversed(COMPARE))
        for binary in order:
            log(f"\nround {round_ + 1}: {binary}")
            server = Server(binary, QUARTIER_ANONYMOUS_SEARCHES="0")
            try:
                runs[binary]["roster"].append(
                    measure(server, "roster, 16 connections", str(paths), [roster], 16))
                runs[binary]["race"].append(api_race(server, 16, race_lua, race_file))
            finally:
                server.stop()
            reset_race()
    log("\nmedian req/s at 16 connections (every round's figures in the JSON)")
    for binary, measured in runs.items():
        medians = {kind: statistics.median(r["rps"] for r in figures)
                   for kind, figures in measured.items()}
        log(f"  {binary}: roster {medians['roster']:.0f}, sign-up race {medians['race']:.0f}")
        scenario(f"compare: {binary}", [dict(r, case=kind, binary=binary)
                                        for kind, figures in measured.items() for r in figures])


def main():
    for tool in ["wrk", "pgbench", "psql"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (apt-get install wrk postgresql-client)")
    work = Path(tempfile.mkdtemp(prefix="quartier-bench-"))
    cores = os.cpu_count()
    memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "unknown")
    results["machine"] = {"cores": cores, "memory_gib": memory, "cpu": cpu,
                          "postgresql": psql("SHOW server_version", "postgres"),
                          "date": str(dt.date.today())}
    log(f"machine: {cores} cores ({cpu}), {memory} GiB, PostgreSQL {results['machine']['postgresql']}; "
        f"{dt.date.today()}; {SECONDS} s per measurement")
    seed()
    dataset_counts()
    p = prepare()
    prepare_race(p)
    prepare_room(p)
    prepare_room_race(p)
    volunteer = token_for(p["volunteer"])
    coordinator = token_for(p["coordinator"])
    whats_on = f"/api/v1/occurrences?district_id={p['district']}&from={p['from']}&to={p['to']}&limit=20"
    eligible = f"/api/v1/shifts?from={p['from']}&to={p['to']}&eligible=true&has_free_places=true&limit=20"
    concerns = f"/api/v1/concerns?district_id={p['district']}&limit=20"
    similar = f"/api/v1/concerns/similar?title=Bank%20Spielplatz&district_id={p['district']}"
    availability = f"/api/v1/rooms/{ROOM}/availability?from={p['from']}&to={p['to']}"
    help_wanted = f"/api/v1/help-wanted?district_id={p['district']}&limit=50"
    racer = f"{RACER_PREFIX}{ID_BASE + RACERS + 1}"
    race_shift = f"{SHIFT_PREFIX}{ID_BASE}"

    # The SQL each measured endpoint sends, from one request each.
    recorded = record_sql([
        ("whats_on", "GET", whats_on, None, None),
        ("search", "GET", f"{whats_on}&q=Spielgruppe", None, None),
        ("eligible", "GET", eligible, volunteer, None),
        ("concerns", "GET", concerns, None, None),
        ("similar", "GET", similar, None, None),
        ("centre", "GET", f"/api/v1/centres/{p['centre']}", None, None),
        ("roster", "GET", f"/api/v1/shifts/{p['shift']}/roster", coordinator, None),
        ("signup", "POST", f"/api/v1/shifts/{race_shift}/signups", token_for(racer), None),
        ("availability", "GET", availability, None, None),
        ("help_wanted", "GET", help_wanted, None, None),
        ("room_confirm", "POST", f"/api/v1/room-booking-dates/{DATE_PREFIX}{ID_BASE}/confirm",
         coordinator, None),
    ])
    # Plans of the hot statements, as the dataset has them now (the sign-up's is taken after
    # the recorded one is undone, with new ids for the rows it makes, and rolled back).
    reset_race()
    def new_rows(name, sql, params):
        # The sign-up's rows, and the audit entry a roster view writes, get new ids.
        if name in ("signup", "room_confirm"):
            return fresh_ids(params)
        if sql.lstrip().upper().startswith("INSERT") and "audit_events" in sql:
            return {params["1"]: "gen_random_uuid()"}
        return None

    def plans(name):
        # A `SET LOCAL` is no plan of its own: it holds for the statements after it.
        out, settings = [], []
        for sql, params in recorded[name]:
            if re.match(r"SET\b", sql, re.I):
                settings.append(with_params(sql, params))
            elif re.match(r"(SAVEPOINT|RELEASE)\b", sql, re.I):
                continue  # nested transactions: no plan
            else:
                out.append(explain(sql, params, new_rows(name, sql, params), settings))
        return out

    results["plans"] = {
        name: plans(name)
        for name in ["whats_on", "search", "eligible", "concerns", "similar", "centre", "roster", "signup",
                     "availability", "help_wanted", "room_confirm"]
    }
    reset_race()
    reset_room_race()
    scripts = {}
    results["sql"] = {}
    for name in ["whats_on", "eligible", "concerns", "similar", "availability", "help_wanted"]:
        statements = [with_params(sql, params) for sql, params in recorded[name]]
        if any(re.match(r"SET LOCAL\b", sql, re.I) for sql in statements):
            # The server sends them in one transaction, as the setting needs.
            statements = ["BEGIN", *statements, "COMMIT"]
        scripts[name] = work / f"{name}.sql"
        write_script(scripts[name], statements)
        results["sql"][name] = statements
    # The sign-up: the same statements, prepared by each client in its first transaction and
    # kept with their generic plans, as the server's connections do; every transaction executes
    # them with its racer and shift from pgbench variables, and new ids for the rows it makes.
    # (pgbench's own prepared mode would take the ":MI" of a time format for a variable.)
    racer_literal, shift_literal = f"'{racer}'", f"'{race_shift}'"
    # Each racer counts against its own rate-limit bucket, as with the server.
    ids = {racer_literal: f"CAST('{RACER_PREFIX}' || :racer AS uuid)",
           shift_literal: f"CAST('{SHIFT_PREFIX}' || :shift AS uuid)",
           f"'user:{racer}'": f"'user:{RACER_PREFIX}' || :racer"}
    prepares, executes = [], []
    for number, (sql, params) in enumerate(recorded["signup"], 1):
        replace = {**fresh_ids(params), **ids}
        values = [replace.get(params[n], params[n]) for n in sorted(params, key=int)]
        prepares.append(f"PREPARE signup_{number} AS " + sql.replace("\n", " "))
        executes.append(f"EXECUTE signup_{number}" + (f"({', '.join(values)})" if values else ""))
    scripts["signup"] = work / "signup.sql"
    scripts["signup"].write_text(
        "\\set k :k + 1\n"
        "\\set n :client_id * :per + :k\n"
        f"\\set racer {ID_BASE} + :n\n"
        f"\\set shift {ID_BASE} + (:n * 7919) % {RACE_SHIFTS}\n"
        "\\if :k = 1\n" + "".join(f"{sql};\n" for sql in prepares) + "\\endif\n"
        + "".join(f"{sql};\n" for sql in executes))
    results["sql"]["signup"] = prepares + executes
    # A confirmation of a room request: the same statements, prepared as for the sign-up, the
    # server's transaction as one, each run confirming request n (time n % ROOM_RACE_SLOTS). The server
    # stops where it learns that the request is no longer open: at its first read of it in the
    # transaction (no need to wait for the parts' lock), and again under the lock. pgbench does
    # the same with those reads' answers.
    date_literal = f"'{DATE_PREFIX}{ID_BASE}'"
    ids = {date_literal: f"CAST('{DATE_PREFIX}' || :date AS uuid)"}
    plain_read = r"SELECT id, booking_id, room_id, starts_at, ends_at, status FROM room_booking_dates WHERE id = \$1"
    lines, prepared, guards, plain_reads = [], [], 0, 0
    for number, (sql, params) in enumerate(recorded["room_confirm"], 1):
        replace = {**fresh_ids(params), **ids}
        values = [replace.get(params[n], params[n]) for n in sorted(params, key=int)]
        flat = sql.replace("\n", " ")
        if re.match(r"(SAVEPOINT|RELEASE)\b", flat, re.I):
            lines.append(f"{flat};")
            continue
        # The route reads the request once before the transaction; the transaction's first
        # read and its locking read decide.
        plain_reads += bool(re.fullmatch(plain_read, flat))
        guard = (re.fullmatch(plain_read, flat) and plain_reads == 2) \
            or re.fullmatch(plain_read + " FOR UPDATE", flat)
        if guard:
            flat = re.sub(r"^SELECT .* FROM", "SELECT (status = 'requested')::int AS open FROM", flat)
        prepared.append(f"PREPARE room_{number} AS {flat}")
        execute = f"EXECUTE room_{number}" + (f"({', '.join(values)})" if values else "")
        if guard:
            # The server's transaction begins with its first read of the request; what comes
            # before (the token's account and rate limit, the route's reads) commits alone.
            lines += ["BEGIN;"] * (guards == 0) + [f"{execute} \\gset", "\\if :open"]
            guards += 1
        else:
            lines.append(f"{execute};")
    if guards != 2:
        sys.exit(f"the confirmation's SQL reads the request {guards} times where 2 were expected")
    scripts["room_confirm"] = work / "room_confirm.sql"
    scripts["room_confirm"].write_text(
        "\\set k :k + 1\n"
        "\\set date " + str(ID_BASE) + " + :client_id * :per + :k - 1\n"
        "\\if :k = 1\n" + "".join(f"{sql};\n" for sql in prepared) + "\\endif\n"
        + "".join(f"{line}\n" for line in lines) + "\\endif\n" * guards + "COMMIT;\n")
    results["sql"]["room_confirm"] = prepared + lines
    for name, statements in results["sql"].items():
        log(f"\nSQL of {name} ({len(statements)} statements):")
        for sql in statements:
            log("  " + sql.replace("\n", " ")[:400])


    # Scenarios 1 to 7 measure throughput: anonymous searches are not held to their turns
    # there. Scenario 8 starts a server with the default. Public pages are made for every
    # request (no cache), so that the API does the work pgbench does; scenario 16 measures
    # the cache.
    server = Server(QUARTIER_ANONYMOUS_SEARCHES="0", QUARTIER_PUBLIC_CACHE_TTL_MS="0")
    results["ready_seconds"] = round(server.ready_after, 3)
    log(f"\nstart-up to ready on the seeded database: {server.ready_after * 1000:.0f} ms")
    paths = work / "paths.lua"
    paths.write_text(WRK_PATHS)
    race_lua = work / "race.lua"
    race_lua.write_text(WRK_RACE)

    def requests_file(name, lines):
        file = work / f"{name}.txt"
        file.write_text("\n".join(lines) + "\n")
        return str(file)

    try:
        if COMPARE:
            server.stop()
            roster = requests_file("roster", [f"GET /api/v1/shifts/{p['shift']}/roster|Authorization: Bearer {coordinator}"])
            compare_builds(paths, race_lua, roster, requests_file("racers", racer_lines()))
        # 1 and 3, against pgbench running the same SQL.
        for number, name, key, line in [
            (1, "what's on: a district and its sub-districts, one week, 20 per page", "whats_on",
             f"GET {whats_on}"),
            (3, "open shifts a volunteer is eligible for in a week", "eligible",
             f"GET {eligible}|Authorization: Bearer {volunteer}"),
            (9, "published concerns of a district and its sub-districts, 20 per page", "concerns",
             f"GET {concerns}"),
            (10, "similar concerns before posting (\"Bank Spielplatz\" in a district)", "similar",
             f"GET {similar}"),
            (11, "a room's busy times in a week (availability, 21 dates merged)", "availability",
             f"GET {availability}"),
            (13, "help wanted in a district and its sub-districts, the next 31 days, 50 shifts",
             "help_wanted", f"GET {help_wanted}"),
        ]:
            if COMPARE or (ONLY and number not in ONLY):
                continue
            log(f"\n{number}. {name}")
            file = requests_file(key, [line])
            runs = []
            for c in CONCURRENCY:
                api = measure(server, f"API, {c} connections", str(paths), [file], c)
                db = pgbench(str(scripts[key]), c, seconds=SECONDS)
                api["pgbench_tps"] = db["tps"]
                api["ratio"] = round(api["rps"] / db["tps"], 2) if db["tps"] else None
                log(f"  {'pgbench, same SQL':<28} {db['tps']:>9.1f} tx/s   "
                    f"API ÷ pgbench = {api['ratio']}")
                runs.append(api)
            scenario(f"{number}. {name}", runs)

        if not COMPARE and (not ONLY or 12 in ONLY):
            log(f"\n12. room requests: {RACERS} requests for {ROOM_RACE_SLOTS} times of a room, "
                f"all confirmed at once by staff (the losers' 409s count as errors)")
            confirms = requests_file("confirms", confirm_lines(coordinator))
            runs = []
            for c in CONCURRENCY:
                figures = api_room_race(server, c, race_lua, confirms)
                reset_room_race()
                per = RACERS // c
                db = pgbench(str(scripts["room_confirm"]), c, transactions=per,
                             defines=["k=0", f"per={per}"], mode="simple")
                outcome = room_race_outcome()
                if outcome != room_race_expected(per * c):
                    problems.append(f"pgbench room race at {c} clients: {outcome}")
                figures["pgbench_tps"] = db["tps"]
                figures["pgbench_outcome"] = outcome
                figures["ratio"] = round(figures["rps"] / db["tps"], 2) if db["tps"] else None
                log(f"  {'pgbench, same SQL':<28} {db['tps']:>9.1f} tx/s   API ÷ pgbench = {figures['ratio']}"
                    f"  (confirmed {outcome['confirmed']} of {per * c})")
                runs.append(figures)
            reset_room_race()
            scenario("12. room request confirmation race", runs)

        if not COMPARE and (not ONLY or 14 in ONLY):
            log(f"\n14. the sign-up race of scenario 6 ({RACERS} volunteers), without and with a "
                f"workload policy at the operator that binds every racer but stops none (each "
                f"confirmed place is then counted against the limits under her account's lock)")
            race_file = requests_file("racers", racer_lines())
            runs = []
            for limits in (False, True):
                log(f"  {'with' if limits else 'without'} a workload policy")
                if limits:
                    psql("INSERT INTO workload_policies (operator_id, max_shifts_per_week, min_rest_minutes) "
                         "VALUES ('%s', 100, 1) ON CONFLICT (operator_id) DO UPDATE SET "
                         "max_shifts_per_week = 100, min_rest_minutes = 1" % p["operator"])
                try:
                    for c in CONCURRENCY:
                        runs.append(dict(api_race(server, c, race_lua, race_file),
                                         case="limits" if limits else "no limits"))
                finally:
                    psql("DELETE FROM workload_policies WHERE operator_id = '%s'" % p["operator"])
            reset_race()
            scenario("14. sign-up race without and with a workload policy", runs)

        if not COMPARE and (not ONLY or 15 in ONLY):
            # The month behind today gets attendance (visits recorded on its dates, its
            # confirmed sign-ups attended), so that every source has facts to count; the
            # report covers the dataset's whole span, a month back to a year ahead.
            psql("UPDATE occurrences SET participants = 3 + (hashtext(id::text) & 15), "
                 "first_time_participants = hashtext(id::text) & 1 "
                 "WHERE starts_at < now() AND NOT cancelled AND participants IS NULL")
            psql("UPDATE signups SET status = 'attended', minutes_worked = 60 + (hashtext(id::text) & 63) "
                 "WHERE starts_at < now() AND status = 'confirmed'")
            psql("INSERT INTO users (id, email, display_name, password_hash, role, privacy_consent_at) VALUES "
                 "('%s', 'verwaltung@bench.example', 'Verwaltung', 'no login', 'admin', now()) "
                 "ON CONFLICT (id) DO NOTHING" % BENCH_ADMIN)
            psql("VACUUM (ANALYZE) occurrences, signups")
            first = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            after = first.month - 1 + 13
            last = dt.date(first.year + after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)
            report = (f"/api/v1/reports/indicators?from={first}&to={last}&group_by=district,month")
            log(f"\n15. a city-wide report: {first} to {last} (13 months), every indicator, "
                f"by district and month, as an administrator")
            admin = token_for(BENCH_ADMIN, role="admin")
            status, _, body = request("GET", report, token=admin)
            if status != 200:
                problems.append(f"the city-wide report answered {status}: {body[:200]!r}")
            size = len(body)
            file = requests_file("report", [f"GET {report}|Authorization: Bearer {admin}"])
            runs = []
            for c in sorted({1, 2} | {min(CONCURRENCY)}):
                runs.append(dict(measure(server, f"API, {c} connections", str(paths), [file], c),
                                 response_bytes=size))
            log(f"  one report: {size} bytes of JSON")
            scenario("15. city-wide report, 13 months, by district and month", runs)

        if not ONLY and not COMPARE:
            log("\n2. what's on with free-text search (\"Kaffee\", \"Spielgruppe\")")
            file = requests_file("search", [f"GET {whats_on}&q=Kaffee", f"GET {whats_on}&q=Spielgruppe"])
            scenario("2. what's on with free-text search",
                     [measure(server, f"API, {c} connections", str(paths), [file], c) for c in CONCURRENCY])

            log("\n4. one centre")
            status, headers, _ = request("GET", f"/api/v1/centres/{p['centre']}")
            etag = headers.get("ETag") or headers.get("etag")
            miss = requests_file("centre", [f"GET /api/v1/centres/{p['centre']}"])
            hit = requests_file("centre_hit", [f"GET /api/v1/centres/{p['centre']}|If-None-Match: {etag}"])
            runs = []
            for c in CONCURRENCY:
                runs.append(dict(measure(server, f"miss, {c} connections", str(paths), [miss], c), case="miss"))
                runs.append(dict(measure(server, f"If-None-Match, {c} connections", str(paths), [hit], c), case="hit"))
            scenario("4. one centre (miss, and If-None-Match hit answered 304)", runs)

            log("\n5. a shift's roster as staff")
            roster = requests_file("roster", [f"GET /api/v1/shifts/{p['shift']}/roster|Authorization: Bearer {coordinator}"])
            scenario("5. a shift's roster as staff",
                     [measure(server, f"API, {c} connections", str(paths), [roster], c) for c in CONCURRENCY])

            log(f"\n6. sign-ups: {RACERS} volunteers racing for {RACE_SHIFTS} shifts of {RACE_CAPACITY} places")
            race_file = requests_file("racers", racer_lines())
            runs = []
            for c in CONCURRENCY:
                figures = api_race(server, c, race_lua, race_file)
                reset_race()
                per = RACERS // c
                db = pgbench(str(scripts["signup"]), c, transactions=per, defines=["k=0", f"per={per}"], mode="simple")
                outcome = race_outcome()
                if (outcome["confirmed"], outcome["total"], outcome["confirmed_count_sum"]) != \
                        (min(per * c, RACE_SHIFTS * RACE_CAPACITY), per * c, min(per * c, RACE_SHIFTS * RACE_CAPACITY)):
                    problems.append(f"pgbench race at {c} clients: {outcome}")
                figures["pgbench_tps"] = db["tps"]
                figures["pgbench_outcome"] = outcome
                figures["ratio"] = round(figures["rps"] / db["tps"], 2) if db["tps"] else None
                log(f"  {'pgbench, same SQL':<28} {db['tps']:>9.1f} tx/s   API ÷ pgbench = {figures['ratio']}"
                    f"  (confirmed {outcome['confirmed']} of {outcome['total']})")
                runs.append(figures)
            reset_race()
            scenario("6. sign-up race", runs)

        if not COMPARE and (not ONLY or 7 in ONLY):
            log("\n7. login (argon2) while scenario 1 runs: 32 connections signing in to one account, "
                "and to a thousand accounts")
            one_account = work / "login.lua"
            one_account.write_text(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                'wrk.body = \'{"email": "freiwillig-2@bench.example", "password": "bench password 2027"}\'\n')
            many_accounts = work / "logins.lua"
            many_accounts.write_text(
                'local n = 0\n'
                'function request()\n'
                '  n = n + 1\n'
                '  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},\n'
                '    \'{"email": "freiwillig-\' .. (2 + n % 1000) .. \'@bench.example", "password": "bench password 2027"}\')\n'
                'end\n')
            # A wrong password hashes as much as a right one but starts no session.
            wrong_password = work / "wrong_login.lua"
            wrong_password.write_text(one_account.read_text().replace("bench password 2027", "not the password"))
            readers = requests_file("readers", [f"GET {whats_on}"])
            before = route_latency("/api/v1/occurrences")
            dump = socket_latency.capture(PORT, work / "alone.pcap")
            quiet = measure(server, "scenario 1 alone, 16 conn.", str(paths), [readers], 16)
            socket_latency.stop(dump)
            quiet["server_p99_ms"] = server_p99_ms(before, route_latency("/api/v1/occurrences"))
            log(f"  the server's own p99 (histogram bucket): under {quiet['server_p99_ms']} ms")
            if not dump:
                log("  (no tcpdump, or no right to capture on the loopback: the socket's figures are skipped)")
            if dump:
                at_socket = socket_latency.latencies(work / "alone.pcap", PORT)
                quiet["socket_p50_ms"] = socket_latency.percentile(at_socket, 0.5)
                quiet["socket_p99_ms"] = socket_latency.percentile(at_socket, 0.99)
                log(f"  at the server's socket (tcpdump, {len(at_socket)} requests): "
                    f"p50 {quiet['socket_p50_ms']} ms, p99 {quiet['socket_p99_ms']} ms")
            runs = [dict(quiet, case="alone")]
            for case, login in [("one account", one_account), ("a thousand accounts", many_accounts),
                                ("one account, wrong password", wrong_password)]:
                server.reset_peak()
                flood = subprocess.Popen(
                    ["wrk", "-t1", "-c32", f"-d{SECONDS + 2}s", "--latency", "--timeout", "15s", "-s", str(login),
                     f"{BASE}/api/v1/auth/login"], stdout=subprocess.PIPE, text=True)
                time.sleep(1)
                before = route_latency("/api/v1/occurrences")
                pcap = work / f"flood-{len(runs)}.pcap"
                dump = socket_latency.capture(PORT, pcap)
                loaded = wrk(str(paths), [readers], 16, SECONDS)
                socket_latency.stop(dump)
                loaded["server_p99_ms"] = server_p99_ms(before, route_latency("/api/v1/occurrences"))
                flood_figures = parse_wrk(flood.communicate()[0])
                loaded["peak_rss_mib"] = server.peak_mib()
                loaded["connections"], flood_figures["connections"] = 16, 32
                show(f"scenario 1, flood: {case}", loaded, loaded["peak_rss_mib"])
                show(f"the login flood, 32 conn.", flood_figures)
                ratio = round(loaded["p99_ms"] / quiet["p99_ms"], 2) if quiet["p99_ms"] else None
                log(f"  p99 with the flood ÷ p99 without = {ratio}; the server's own p99: under "
                    f"{loaded['server_p99_ms']} ms with the flood, under {quiet['server_p99_ms']} ms without")
                socket_ratio = None
                if dump and quiet.get("socket_p99_ms"):
                    at_socket = socket_latency.latencies(pcap, PORT)
                    loaded["socket_p50_ms"] = socket_latency.percentile(at_socket, 0.5)
                    loaded["socket_p99_ms"] = socket_latency.percentile(at_socket, 0.99)
                    if loaded["socket_p99_ms"] is not None:
                        socket_ratio = round(loaded["socket_p99_ms"] / quiet["socket_p99_ms"], 2)
                    log(f"  at the server's socket (tcpdump, {len(at_socket)} requests): p50 "
                        f"{loaded['socket_p50_ms']} ms, p99 {loaded['socket_p99_ms']} ms; "
                        f"p99 with the flood ÷ without = {socket_ratio}")
                runs += [dict(loaded, case=f"with flood ({case})", p99_ratio=ratio,
                              socket_p99_ratio=socket_ratio),
                         dict(flood_figures, case=f"login flood ({case})")]
            scenario("7. login flood during scenario 1", runs)

        if not ONLY and not COMPARE:
            # 8: anonymous searches take turns (QUARTIER_ANONYMOUS_SEARCHES, by default half the
            # cores): one client's 64 at once must not starve a signed-in reader.
            log("\n8. a signed-in reader while one client runs 64 anonymous searches at once")
            server.stop()
            server = Server(QUARTIER_PUBLIC_CACHE_TTL_MS="0")
            reader = requests_file("reader", [f"GET {eligible}|Authorization: Bearer {volunteer}"])
            anonymous = requests_file("anonymous", [f"GET {whats_on}", f"GET {whats_on}&q=Kaffee"])
            alone = measure(server, "signed-in reader alone, 1 conn.", str(paths), [reader], 1)
            server.reset_peak()
            crowd = subprocess.Popen(
                ["wrk", "-t1", "-c64", f"-d{SECONDS + 2}s", "--latency", "--timeout", "15s", "-s",
                 str(paths), BASE, "--", anonymous], stdout=subprocess.PIPE, text=True)
            time.sleep(1)
            crowded = measure(server, "reader with the crowd, 1 conn.", str(paths), [reader], 1)
            crowd_figures = parse_wrk(crowd.communicate()[0])
            crowd_figures["connections"] = 64
            show("the anonymous crowd, 64 conn.", crowd_figures,
                 extra="  (refused with 429 when it waits too long: expected)")
            ratio = round(crowded["p50_ms"] / alone["p50_ms"], 2) if alone["p50_ms"] else None
            log(f"  reader's p50 with the crowd ÷ alone = {ratio}")
            if SCALE >= 1 and ratio is not None and ratio > 2:
                problems.append(f"a signed-in reader's p50 grew {ratio}× under 64 anonymous searches")
            scenario("8. signed-in reader during 64 anonymous searches",
                     [dict(alone, case="alone"), dict(crowded, case="with the crowd", p50_ratio=ratio),
                      dict(crowd_figures, case="anonymous crowd")])

        if not COMPARE and (not ONLY or 16 in ONLY):
            # 16: the pages anonymous readers get, made for every request and answered from
            # memory (the default: 2 s at most, dropped earlier when what they show changes),
            # with the server's CPU time per request.
            shifts = (f"/api/v1/shifts?from={p['from']}&to={p['to']}&has_free_places=true&limit=24")
            status, _, body = request("GET", shifts)
            listed = len(json.loads(body)["items"]) if status == 200 else 0
            if listed != 24 and SCALE >= 0.1:
                problems.append(f"the open shifts of a week list {listed}, not 24")
            log(f"\n16. public pages from memory: what's on (scenario 1) and {listed} open shifts of a "
                f"week, anonymous, made for every request and from the cache")
            runs = []
            for case, ttl in [("made", "0"), ("cached", "2000")]:
                server.stop()
                server = Server(QUARTIER_ANONYMOUS_SEARCHES="0", QUARTIER_PUBLIC_CACHE_TTL_MS=ttl)
                for key, line in [("whats_on", f"GET {whats_on}"), ("shifts", f"GET {shifts}")]:
                    file = requests_file(f"public_{key}", [line])
                    for c in CONCURRENCY:
                        before = server.cpu_seconds()
                        figures = measure(server, f"{case}: {key}, {c} conn.", str(paths), [file], c)
                        used = server.cpu_seconds() - before
                        per = used * 1000 / figures["requests"] if figures["requests"] else None
                        figures.update(case=case, page=key, server_cpu_ms_per_request=
                                       None if per is None else round(per, 4))
                        log(f"  {'':<28} server CPU {used:.2f} s for {figures['requests']} requests: "
                            f"{per if per is None else round(per, 4)} ms a request")
                        runs.append(figures)
            scenario("16. public pages: made for every request, and from memory", runs)

        if not COMPARE and (not ONLY or 17 in ONLY):
            # 17: every signed-in request counts against its person's limit with an upsert on
            # the person's row of `rate_limits`, in the round trip that checks the account. What
            # that costs, against the check alone (no limit for signed-in users): one person on
            # every connection (one hot row) and a person per connection.
            c = max(CONCURRENCY)
            people = psql("SELECT id FROM users WHERE email LIKE 'freiwillig-%%@bench.example' "
                          "ORDER BY email LIMIT %d" % c).split()
            one = requests_file("me_one", [f"GET /api/v1/me|Authorization: Bearer {token_for(people[0])}"])
            many = requests_file("me_many", [f"GET /api/v1/me|Authorization: Bearer {token_for(u)}"
                                             for u in people])
            log(f"\n17. the per-person rate-limit counter: GET /me at {c} connections, counted and not")
            runs = []
            for case, limit in [("counted", "1000000"), ("not counted", "0")]:
                server.stop()
                server = Server(QUARTIER_RATE_LIMIT_USER_PER_MINUTE=limit, QUARTIER_PUBLIC_CACHE_TTL_MS="0")
                for who, file in [("one person", one), (f"{len(people)} people", many)]:
                    before = server.cpu_seconds()
                    figures = measure(server, f"{case}, {who}", str(paths), [file], c)
                    used = server.cpu_seconds() - before
                    figures.update(case=case, who=who, server_cpu_ms_per_request=
                                   round(used * 1000 / figures["requests"], 4) if figures["requests"] else None)
                    runs.append(figures)
            scenario("17. signed-in reads, with and without the per-person counter", runs)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    out = os.environ.get("BENCH_JSON")
    if out:
        Path(out).write_text(json.dumps(results, indent=2, default=str))
        log(f"\nfigures written to {out}")
    if problems:
        log("\nPROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
