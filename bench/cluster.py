#!/usr/bin/env python3
"""Several instances: three Quartier instances behind HAProxy on one PostgreSQL, with a real
SMTP server and a webhook receiver, and what must hold for them.

    bash bench/cluster.sh                              # scale 0.05, 2 000 racers
    CLUSTER_SCALE=1 CLUSTER_RACERS=10000 bash bench/cluster.sh

It shows, and exits with 1 when one fails:
  1. the sign-up race sent through the load balancer to all three never overbooks a shift;
  2. each webhook and each mail of the race's sign-ups is sent exactly once, although every
     instance runs the senders, and the horizon worker of three instances started at once
     makes every date once;
  3. a rolling restart under load — each instance in turn told to stop (SIGTERM: it finishes
     what it is answering and takes no more), then started again — loses no acknowledged
     sign-up and answers no 5xx to the clients (HAProxy retries what a stopping instance
     refused);
  4. what three instances answer of what's on beside one (on this machine they share two
     cores with PostgreSQL and the load generator, so this says little of a bigger one).

With CLUSTER_PGBOUNCER (the path of PgBouncer 1.21 or newer; `bash .ci/pgbouncer.sh` prints
one), the instances reach PostgreSQL through PgBouncer in transaction mode, configured as in
deploy/pgbouncer (its ten server connections, Quartier's settings in `connect_query`), and the
race also shows that PostgreSQL saw no more than those ten connections.

Needs PostgreSQL on 127.0.0.1:5432, HAProxy (`apt-get install haproxy`), wrk and Python's
aiosmtpd (`apt-get install python3-aiosmtpd`). Settings (environment): CLUSTER_SCALE,
CLUSTER_RACERS, CLUSTER_SECONDS (seconds of load per measurement), CLUSTER_PORT (the load
balancer; the instances take the next three ports), BENCH_BINARY.
"""

import concurrent.futures
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("BENCH_DB", "quartier_cluster")
os.environ.setdefault("BENCH_SCALE", os.environ.get("CLUSTER_SCALE", "0.05"))
os.environ.setdefault("BENCH_RACERS", os.environ.get("CLUSTER_RACERS", "2000"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  the dataset, the race and the tokens are the benchmark's

ROOT = bench.ROOT
SECONDS = int(os.environ.get("CLUSTER_SECONDS", "10"))
LB_PORT = int(os.environ.get("CLUSTER_PORT", "18110"))
PORTS = [LB_PORT + 1, LB_PORT + 2, LB_PORT + 3]
METRICS_PORTS = [LB_PORT + 11, LB_PORT + 12, LB_PORT + 13]
PGBOUNCER = os.environ.get("CLUSTER_PGBOUNCER")
PGBOUNCER_PORT = LB_PORT + 20
PGBOUNCER_POOL = 10
problems = []


def log(text=""):
    print(text, flush=True)


def check(ok, what):
    log(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        problems.append(what)


def call(port, method, path, token=None, body=None, headers=None, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- the parts around the instances ----------------------------------------------------------

class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that notes every delivery's `webhook-id` and answers 204 at once."""
    received = []
    lock = threading.Lock()

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        with Receiver.lock:
            Receiver.received.append((self.headers.get("webhook-id"), json.loads(body or b"{}")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def python_with_aiosmtpd():
    for candidate in [sys.executable, "python3", "/usr/bin/python3"]:
        if subprocess.run([candidate, "-c", "import aiosmtpd"], capture_output=True).returncode == 0:
            return candidate
    sys.exit("Python's aiosmtpd is missing: apt-get install python3-aiosmtpd")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    def __init__(self, number, smtp_port):
        self.number = number
        self.port = PORTS[number]
        self.metrics_port = METRICS_PORTS[number]
        self.smtp_port = smtp_port
        self.process = None

    def start(self):
        env = bench.server_env(
            QUARTIER_BIND=f"127.0.0.1:{self.port}",
            QUARTIER_METRICS_BIND=f"127.0.0.1:{self.metrics_port}",
            QUARTIER_SMTP_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            QUARTIER_MAIL_FROM="Quartier <quartier@bench.example>",
            QUARTIER_WEBHOOK_ALLOW_LOOPBACK="true",
            QUARTIER_WEBHOOK_POLL_MS="200",
            QUARTIER_HORIZON_INTERVAL_SECS="3600",
            QUARTIER_OCCURRENCE_HORIZON_DAYS="500",
            QUARTIER_SHUTDOWN_TIMEOUT_SECS="20",
            QUARTIER_ANONYMOUS_SEARCHES="0",
            QUARTIER_WORKERS="2",
            # Every page made for every request: what's on measures the instances and the database.
            QUARTIER_PUBLIC_CACHE_TTL_MS="0",
        )
        if PGBOUNCER:
            env.update(
                DATABASE_URL=f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/{bench.DB}",
                QUARTIER_DATABASE_POOLER="transaction",
                QUARTIER_MIGRATION_DATABASE_URL=bench.DATABASE_URL,
            )
        self.process = subprocess.Popen([bench.BINARY, "serve"], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"instance {self.number + 1} stopped during start-up: {self.process.stderr.read()[-2000:]}")
            try:
                if call(self.port, "GET", "/health/ready", timeout=1)[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        sys.exit(f"instance {self.number + 1} did not get ready")

    def stop(self):
        """SIGTERM and wait: the instance answers what it has and takes nothing more."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                problems.append(f"instance {self.number + 1} did not stop within 40 s of SIGTERM")

    def requests_for(self, route):
        """Requests this instance answered on `route`, by its /metrics."""
        status, body = call(self.metrics_port, "GET", "/metrics")
        total = 0.0
        for line in body.decode().splitlines():
            if line.startswith("quartier_http_requests_total{") and f'route="{route}"' in line:
                total += float(line.rsplit(" ", 1)[1])
        return total


HAPROXY = """
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
    option http-keep-alive
    # A request an instance refused or dropped before answering (it was stopping) goes to
    # another: reads, and writes with an Idempotency-Key (as the sign-ups here).
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 503
frontend quartier
    http-request disable-l7-retry if !METH_GET !METH_HEAD !{ req.hdr(idempotency-key) -m found }
    bind 127.0.0.1:{lb}
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
    # A stopped instance refuses connections at once (retried elsewhere); the check only has
    # to take it out of the rotation soon, not at the first slow answer under load.
    timeout check 2s
    default-server inter 300ms fall 3 rise 2
{servers}
"""


def start_haproxy(work):
    servers = "\n".join(f"    server q{n + 1} 127.0.0.1:{port} check" for n, port in enumerate(PORTS))
    config = work / "haproxy.cfg"
    config.write_text(HAPROXY.replace("{lb}", str(LB_PORT)).replace("{servers}", servers))
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    check_run = subprocess.run([binary, "-c", "-f", str(config)], capture_output=True, text=True)
    if check_run.returncode != 0:
        sys.exit(f"HAProxy refuses its configuration: {check_run.stdout}{check_run.stderr}")
    process = subprocess.Popen([binary, "-db", "-f", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if call(LB_PORT, "GET", "/health/ready", timeout=1)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("HAProxy did not start")


def start_pgbouncer(work):
    """PgBouncer as deploy/pgbouncer configures it, on this machine's PostgreSQL."""
    config = (ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text()
    for old, new in [("host=db port=5432 dbname=quartier", f"host=127.0.0.1 port=5432 dbname={bench.DB}"),
                     ("quartier = host", f"{bench.DB} = host"),
                     ("listen_addr = 0.0.0.0", "listen_addr = 127.0.0.1"),
                     ("listen_port = 6432", f"listen_port = {PGBOUNCER_PORT}"),
                     ("/etc/pgbouncer/users.txt", str(work / "users.txt")),
                     (f"default_pool_size = {PGBOUNCER_POOL}", f"default_pool_size = {PGBOUNCER_POOL}")]:
        if old not in config:
            sys.exit(f"deploy/pgbouncer/pgbouncer.ini no longer has {old!r}")
        config = config.replace(old, new)
    config += f"unix_socket_dir =\nlogfile = {work / 'pgbouncer.log'}\n"
    (work / "pgbouncer.ini").write_text(config)
    shutil.copy(ROOT / "deploy/pgbouncer/users.txt", work / "users.txt")
    command = [PGBOUNCER, str(work / "pgbouncer.ini")]
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
        for name in ["pgbouncer.ini", "users.txt"]:
            shutil.chown(work / name, "postgres")
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process.poll() is None:
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(PGBOUNCER_PORT), "-q"]).returncode == 0:
            return process
        time.sleep(0.1)
    process.kill()
    logged = (work / "pgbouncer.log").read_text()[-2000:] if (work / "pgbouncer.log").exists() else ""
    sys.exit(f"PgBouncer did not start: {process.communicate()[1][-2000:]}{logged}")


def server_connections():
    """Connections PostgreSQL holds to the dataset's database, besides the one asking."""
    return int(bench.psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{bench.DB}' "
                          "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"))


def settle(what, sql, want=0, within=240):
    """Waits until `sql` answers `want`."""
    deadline = time.monotonic() + within
    value = None
    while time.monotonic() < deadline:
        value = int(bench.psql(sql) or 0)
        if value == want:
            return True
        time.sleep(0.2)
    problems.append(f"{what}: still {value} after {within} s")
    return False


# --- the checks ------------------------------------------------------------------------------

def race(instances, p):
    log(f"\n1. the sign-up race: {bench.RACERS} volunteers for {bench.RACE_SHIFTS} shifts of "
        f"{bench.RACE_CAPACITY} places, 64 at once, through the load balancer")
    before = [i.requests_for("/api/v1/shifts/{id}/signups") for i in instances]
    lines = bench.racer_lines()

    def one(line):
        path, token = line.split(" ")
        try:
            return call(LB_PORT, "POST", path, token=token)[0]
        except OSError:
            return 0

    most = [0]
    racing = threading.Event()

    def watch():
        while not racing.is_set():
            most[0] = max(most[0], server_connections())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        statuses = list(pool.map(one, lines))
    racing.set()
    watcher.join()
    outcome = bench.race_outcome()
    places = bench.RACE_SHIFTS * bench.RACE_CAPACITY
    overbooked = int(bench.psql(
        "SELECT count(*) FROM shifts s WHERE %s AND (s.confirmed_count > s.capacity OR "
        "(SELECT count(*) FROM signups g WHERE g.shift_id = s.id AND g.status = 'confirmed') > s.capacity)"
        % bench.race_shifts("s.id")))
    share = [i.requests_for("/api/v1/shifts/{id}/signups") - b for i, b in zip(instances, before)]
    log(f"  answers: {dict((s, statuses.count(s)) for s in sorted(set(statuses)))}; "
        f"sign-ups answered by each instance: {[int(s) for s in share]}")
    check(all(s > 0 for s in share), "every instance answered sign-ups")
    if PGBOUNCER:
        check(most[0] <= PGBOUNCER_POOL,
              f"PostgreSQL saw at most {most[0]} connections during the race, for three instances' "
              f"pools of 16 (PgBouncer's pool: {PGBOUNCER_POOL})")
    else:
        log(f"  PostgreSQL saw up to {most[0]} connections during the race")
    check(overbooked == 0, f"no shift overbooked ({overbooked} are)")
    check(outcome["confirmed"] == min(places, len(lines)) and outcome["confirmed_count_sum"] == outcome["confirmed"],
          f"{outcome['confirmed']} confirmed of {places} places, counted {outcome['confirmed_count_sum']}")
    check(outcome["total"] == len(lines), f"every racer has one sign-up ({outcome['total']} of {len(lines)})")
    check(statuses.count(201) == len(lines), f"every racer was answered 201 ({statuses.count(201)})")
    return outcome


def exactly_once(sink_dir, operator):
    log("\n2. webhooks, mails and the horizon: each done once, by whichever instance claims it")
    settle("outbox events waiting", "SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
    settle("webhook deliveries waiting", "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")
    settle("mails waiting", "SELECT count(*) FROM notifications WHERE state = 'queued' AND due_at <= now()")
    time.sleep(1)
    events = int(bench.psql(
        f"SELECT count(*) FROM outbox_events WHERE operator_id = '{operator}' AND kind LIKE 'signup.%' "
        f"AND payload LIKE '%{bench.SHIFT_PREFIX}%'"))
    ids = [webhook_id for webhook_id, _ in Receiver.received]
    race_deliveries = [b for _, b in Receiver.received if bench.SHIFT_PREFIX in json.dumps(b)]
    check(len(ids) == len(set(ids)), f"no webhook delivered twice ({len(ids)} received, {len(set(ids))} distinct)")
    check(len(race_deliveries) == events,
          f"every sign-up event delivered: {len(race_deliveries)} deliveries of {events} events")
    mails = [json.loads(f.read_text()) for f in sorted(Path(sink_dir).glob("*.json"))]
    message_ids = [dict((k.lower(), v) for k, v in m["headers"]).get("message-id") for m in mails]
    sent = int(bench.psql("SELECT count(*) FROM notifications WHERE state = 'sent'"))
    check(len(message_ids) == len(set(message_ids)), f"no mail sent twice ({len(message_ids)} received)")
    check(len(mails) == sent and sent > 0, f"every mail marked sent arrived once ({len(mails)} arrived, {sent} sent)")
    twice = int(bench.psql(
        "SELECT count(*) FROM (SELECT 1 FROM occurrences GROUP BY activity_id, original_start HAVING count(*) > 1) t"))
    short = int(bench.psql(
        "SELECT count(*) FROM activities a WHERE a.rrule IS NOT NULL AND a.status = 'published' AND "
        "coalesce(a.materialized_until, '-infinity') < now() + interval '499 days'"))
    check(twice == 0, f"no date made twice by the three horizon workers ({twice})")
    check(short == 0, f"every recurring activity reaches the horizon of 500 days ({short} do not)")


def rolling_restart(instances, p, work):
    log(f"\n3. a rolling restart under load: sign-ups, what's on and /me through the load balancer "
        f"while each instance in turn stops (SIGTERM) and starts again")
    # Shifts with room for every sign-up of the load, at the first centre.
    start = p["week"] + dt.timedelta(days=4, hours=9)
    bench.psql(
        "INSERT INTO shifts (id, centre_id, operator_id, title, starts_at, ends_at, capacity) "
        "SELECT ('00000000-0000-7000-b000-' || lpad(i::text, 12, '0'))::uuid, '%s', '%s', "
        "'Umzug ' || i, '%s'::timestamptz + i * interval '3 hours', "
        "'%s'::timestamptz + i * interval '3 hours' + interval '2 hours', 100000 "
        "FROM generate_series(0, 199) i ON CONFLICT (id) DO NOTHING"
        % (p["centre"], p["operator"], bench.iso(start), bench.iso(start)))
    whats_on = (f"/api/v1/occurrences?district_id={p['district']}&from={p['from']}&to={p['to']}&limit=20")
    volunteers = bench.psql(
        "SELECT id FROM users WHERE email LIKE 'freiwillig-%@bench.example' ORDER BY email LIMIT 2000").split()
    stop = threading.Event()
    acknowledged, answers, lock = [], {}, threading.Lock()

    def worker(n):
        k = 0
        while not stop.is_set():
            k += 1
            volunteer = volunteers[(n * 7919 + k) % len(volunteers)]
            token = bench.token_for(volunteer)
            kind = k % 3
            try:
                if kind == 0:
                    shift = f"00000000-0000-7000-b000-{(n * 31 + k) % 200:012d}"
                    key = str(uuid.uuid4())
                    status, body = call(LB_PORT, "POST", f"/api/v1/shifts/{shift}/signups", token=token,
                                        headers={"Idempotency-Key": key})
                    if status in (200, 201):
                        with lock:
                            acknowledged.append(json.loads(body)["id"])
                elif kind == 1:
                    status, _ = call(LB_PORT, "GET", whats_on)
                else:
                    status, _ = call(LB_PORT, "GET", "/api/v1/me", token=token)
            except OSError as error:
                status = f"connection: {type(error).__name__}"
            with lock:
                answers[status] = answers.get(status, 0) + 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    time.sleep(2)
    for instance in instances:
        stopped = time.monotonic()
        instance.stop()
        log(f"  instance {instance.number + 1} stopped in {time.monotonic() - stopped:.1f} s "
            f"(exit {instance.process.returncode})")
        instance.start()
        time.sleep(2)  # HAProxy sees it healthy again before the next one stops
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join()
    log(f"  answers: {answers}")
    errors = {k: v for k, v in answers.items() if not (isinstance(k, int) and k < 500)}
    check(not errors, f"no 5xx and no broken connection seen by the clients ({errors or 'none'})")
    missing = 0
    for chunk in range(0, len(acknowledged), 500):
        ids = ",".join(f"'{i}'" for i in acknowledged[chunk:chunk + 500])
        found = int(bench.psql(f"SELECT count(*) FROM signups WHERE id IN ({ids})"))
        missing += len(acknowledged[chunk:chunk + 500]) - found
    check(missing == 0 and acknowledged,
          f"every acknowledged sign-up is stored ({len(acknowledged)} acknowledged, {missing} missing)")


def throughput(instances, p, work):
    log(f"\n4. what's on, anonymous, made for every request: one instance beside three behind HAProxy "
        f"(64 connections, {SECONDS} s)")
    paths = work / "paths.lua"
    paths.write_text(bench.WRK_PATHS)
    whats_on = (f"/api/v1/occurrences?district_id={p['district']}&from={p['from']}&to={p['to']}&limit=20")
    file = work / "whats_on.txt"
    file.write_text(f"GET {whats_on}\n")
    figures = {}
    for label, port in [("one instance", PORTS[0]), ("three behind HAProxy", LB_PORT)]:
        out = subprocess.run(["wrk", "-t2", "-c64", f"-d{SECONDS}s", "--latency", "-s", str(paths),
                              f"http://127.0.0.1:{port}/", "--", str(file)],
                             capture_output=True, text=True, check=True).stdout
        figures[label] = bench.parse_wrk(out)
        f = figures[label]
        log(f"  {label:<22} {f['rps']:>8.1f} req/s  p50 {f['p50_ms']} ms  p99 {f['p99_ms']} ms  errors {f['errors']}")
        check(f["errors"] == 0, f"no errors from {label}")
    return figures


def main():
    for tool in ["wrk", "psql"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing")
    if not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()):
        sys.exit("HAProxy is missing: apt-get install haproxy")
    work = Path(tempfile.mkdtemp(prefix="quartier-cluster-"))
    log(f"{os.cpu_count()} cores; {dt.date.today()}; dataset at scale {bench.SCALE} in {bench.DB}")
    bench.seed()
    p = bench.prepare()
    bench.prepare_race(p)
    admin = bench.BENCH_ADMIN
    bench.psql("INSERT INTO users (id, email, display_name, password_hash, role, privacy_consent_at) VALUES "
               f"('{admin}', 'verwaltung@bench.example', 'Verwaltung', 'no login', 'admin', now()) "
               "ON CONFLICT (id) DO NOTHING")
    # Every recurring activity is due for the horizon, so that three workers start on it at once.
    bench.psql("UPDATE activities SET materialized_until = least(materialized_until, now() + interval '30 days') "
               "WHERE rrule IS NOT NULL")

    sink_dir = work / "mail"
    smtp_port = free_port()
    sink = subprocess.Popen([python_with_aiosmtpd(), str(ROOT / "tests/smtp/sink.py"), str(smtp_port),
                             str(sink_dir)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if sink.stdout.readline().strip() != "ready":
        sys.exit("the SMTP server did not start")
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()

    instances = [Instance(n, smtp_port) for n in range(3)]
    haproxy = pgbouncer = None
    try:
        if PGBOUNCER:
            pgbouncer = start_pgbouncer(work)
            log(f"through PgBouncer ({PGBOUNCER}) in transaction mode, {PGBOUNCER_POOL} server connections")
        # Started at once: their horizon workers meet on the same due activities.
        starting = [threading.Thread(target=i.start) for i in instances]
        for t in starting:
            t.start()
        for t in starting:
            t.join()
        haproxy = start_haproxy(work)
        status, body = call(LB_PORT, "POST", f"/api/v1/operators/{p['operator']}/webhooks",
                            token=bench.token_for(admin, role="admin"),
                            body={"url": f"http://127.0.0.1:{receiver.server_port}/hook",
                                  "events": ["signup.confirmed", "signup.waitlisted"]})
        if status != 201:
            sys.exit(f"the webhook subscription was refused: {status} {body[:300]!r}")
        race(instances, p)
        exactly_once(sink_dir, p["operator"])
        rolling_restart(instances, p, work)
        throughput(instances, p, work)
    finally:
        if haproxy:
            haproxy.terminate()
        for instance in instances:
            instance.stop()
        if pgbouncer:
            pgbouncer.terminate()
            pgbouncer.wait(timeout=10)
        sink.terminate()
        receiver.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    if problems:
        log("\nPROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1)
    log("\nall held")


if __name__ == "__main__":
    main()
