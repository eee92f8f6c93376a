#!/usr/bin/env python3
"""A read replica: a primary and a streaming replica of it, made here with the installed
PostgreSQL (initdb, pg_basebackup, a port each, in a temporary directory), and a Quartier
instance with `QUARTIER_READ_DATABASE_URL` on the replica. Shows, and exits with 1 when one
fails:

  1. anonymous reads of public pages are answered from the replica (its transaction count
     grows, the primary's hardly), and what's on with and without the replica;
  2. a write is read back at once by the one who wrote it (the primary), and by anonymous
     readers as soon as the replica has replayed it;
  3. a replica that lags (its replay paused) is passed over: anonymous readers get the
     primary's answer, and the replica is used again once it has caught up;
  4. a replica that stops: public reads go on from the primary, with no 5xx once the
     instance has noticed (requests that were reading from it at the moment it stopped are
     counted and shown).

    bash bench/replica.sh                 # scale 0.05
    REPLICA_SCALE=1 bash bench/replica.sh

Runs PostgreSQL as the `postgres` user when started as root. Needs wrk.
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  tokens, wrk and the benchmark's dataset

SCALE = os.environ.get("REPLICA_SCALE", "0.05")
SECONDS = int(os.environ.get("REPLICA_SECONDS", "8"))
PRIMARY_PORT = int(os.environ.get("REPLICA_PORT", "18131"))
REPLICA_PORT = PRIMARY_PORT + 1
API_PORT = PRIMARY_PORT + 2
DB = "quartier_replica"
problems = []


def log(text=""):
    print(text, flush=True)


def check(ok, what):
    log(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        problems.append(what)


def binaries():
    versions = sorted((int(p.name), p / "bin") for p in Path("/usr/lib/postgresql").iterdir()
                      if (p / "bin/pg_ctl").exists())
    return versions[-1][1]


BIN = Path(os.environ.get("PG_BIN") or binaries())
AS_POSTGRES = os.geteuid() == 0


def pg(*args, **kw):
    command = [str(BIN / args[0]), *args[1:]]
    if AS_POSTGRES:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kw)


def sql(port, query, database=DB):
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
                          "-tAqc", query], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return out.stdout.strip()


def call(method, path, token=None, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=30)
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
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def commits(port):
    return int(sql(port, f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{DB}'", "postgres"))


def metric(name):
    status, _, body = call("GET", "/metrics", token=TOKEN)
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


TOKEN = "a metrics token for the replica check"


class Api:
    def __init__(self, with_replica):
        env = bench.server_env(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}",
            QUARTIER_BIND=f"127.0.0.1:{API_PORT}",
            QUARTIER_METRICS_TOKEN=TOKEN,
            QUARTIER_PUBLIC_CACHE_TTL_MS="0",
            QUARTIER_ANONYMOUS_SEARCHES="0",
        )
        if with_replica:
            env["QUARTIER_READ_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}"
        self.process = subprocess.Popen([bench.BINARY, "serve"], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                if call("GET", "/health/ready")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        sys.exit("the API did not get ready")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def wait_for(what, predicate, within=10.0):
    started = time.monotonic()
    while time.monotonic() - started < within:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def whats_on_figures(work, path):
    paths = work / "paths.lua"
    paths.write_text(bench.WRK_PATHS)
    file = work / "whats_on.txt"
    file.write_text(f"GET {path}\n")
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{SECONDS}s", "--latency", "-s", str(paths),
                          f"http://127.0.0.1:{API_PORT}/", "--", str(file)],
                         capture_output=True, text=True, check=True).stdout
    return bench.parse_wrk(out)


def main():
    work = Path(tempfile.mkdtemp(prefix="quartier-replica-"))
    primary, replica = work / "primary", work / "replica"
    if AS_POSTGRES:
        shutil.chown(work, "postgres")
    api = None
    try:
        log(f"PostgreSQL from {BIN}: a primary on {PRIMARY_PORT}, its streaming replica on {REPLICA_PORT}")
        pg("initdb", "-D", str(primary), "-A", "trust", "-U", "postgres", "--no-sync")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(f"port = {PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n"
                       "wal_level = replica\nmax_wal_senders = 4\nfsync = off\n")
        pg("pg_ctl", "-D", str(primary), "-l", str(work / "primary.log"), "-w", "start")
        seeded = subprocess.run([bench.BINARY, "seed-bench", "--scale", SCALE, "--seed", "1"],
                                env=bench.server_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}"),
                                capture_output=True, text=True)
        if seeded.returncode != 0:
            sys.exit(f"seed-bench failed: {seeded.stderr}")
        sql(PRIMARY_PORT, "VACUUM ANALYZE")
        pg("pg_basebackup", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", "-D", str(replica),
           "-R", "-X", "stream", "-c", "fast")
        with open(replica / "postgresql.conf", "a") as conf:
            conf.write(f"port = {REPLICA_PORT}\n")
        pg("pg_ctl", "-D", str(replica), "-l", str(work / "replica.log"), "-w", "start")
        check(sql(REPLICA_PORT, "SELECT pg_is_in_recovery()") == "t", "the replica streams from the primary")

        bench.DATABASE_URL = f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}"
        district = sql(PRIMARY_PORT, "SELECT d.id FROM districts d WHERE d.parent_id IS NULL AND EXISTS "
                                     "(SELECT 1 FROM districts c WHERE c.parent_id = d.id) ORDER BY d.name LIMIT 1")
        monday = bench.berlin_next_monday()
        frm, to = bench.iso(monday), bench.iso(monday + bench.dt.timedelta(days=7))
        whats_on = f"/api/v1/occurrences?district_id={district}&from={frm}&to={to}&limit=20"
        centre = sql(PRIMARY_PORT, "SELECT id FROM centres ORDER BY name LIMIT 1")
        admin = "00000000-0000-7000-a000-0000000000ad"
        sql(PRIMARY_PORT, "INSERT INTO users (id, email, display_name, password_hash, role, privacy_consent_at) "
                          f"VALUES ('{admin}', 'verwaltung@bench.example', 'Verwaltung', 'no login', 'admin', now())")
        admin_token = bench.token_for(admin, role="admin")

        log("\n1. anonymous public reads from the replica; what's on without and with it (32 connections)")
        api = Api(with_replica=False)
        alone = whats_on_figures(work, whats_on)
        api.stop()
        api = Api(with_replica=True)
        # The first comparison only notes where the primary stands; the next one decides.
        warm = wait_for("the replica in use", lambda: call("GET", whats_on)[0] == 200
                        and metric("quartier_read_replica_in_use") == 1.0)
        check(warm is not None, f"the replica is taken into use (after {warm and round(warm * 1000)} ms)")
        time.sleep(1.5)
        before = (commits(PRIMARY_PORT), commits(REPLICA_PORT))
        shared = whats_on_figures(work, whats_on)
        time.sleep(1.5)  # the statistics reach pg_stat_database within a second
        after = (commits(PRIMARY_PORT), commits(REPLICA_PORT))
        for label, f in [("primary alone", alone), ("with the replica", shared)]:
            log(f"  {label:<18} {f['rps']:>8.1f} req/s  p50 {f['p50_ms']} ms  p99 {f['p99_ms']} ms  errors {f['errors']}")
        on_primary, on_replica = after[0] - before[0], after[1] - before[1]
        log(f"  transactions meanwhile: primary {on_primary}, replica {on_replica}")
        check(on_replica >= shared["requests"] * 0.5 and on_replica > 5 * on_primary,
              "the replica answered the anonymous reads")
        check(shared["errors"] == 0, "no errors with the replica")
        check(metric("quartier_read_replica_in_use") == 1.0, "/metrics says the replica is in use")

        log("\n2. a write, read back by its writer at once and by everyone once the replica has it")
        path = f"/api/v1/centres/{centre}"

        def rename(name):
            status, _, body = call("PATCH", path, token=admin_token, body={"name": name},
                                   headers={"If-Match": "*"})
            if status != 200:
                sys.exit(f"renaming the centre answered {status}: {body[:300]!r}")

        def anonymous_name():
            return json.loads(call("GET", path)[2])["name"]

        rename("Stadtteilzentrum Nord")
        writer = json.loads(call("GET", path, token=admin_token)[2])["name"]
        check(writer == "Stadtteilzentrum Nord", "the writer reads her change at once")
        delay = wait_for("anonymous", lambda: anonymous_name() == "Stadtteilzentrum Nord")
        check(delay is not None, f"anonymous readers see it after {delay and round(delay * 1000)} ms")

        log("\n3. a lagging replica (replay paused) is passed over, and used again when it caught up")
        sql(REPLICA_PORT, "SELECT pg_wal_replay_pause()")
        rename("Stadtteilzentrum Nord-Ost")
        # Two comparisons (0.5 s apart) find the replica behind.
        fallback = wait_for("fallback", lambda: anonymous_name() == "Stadtteilzentrum Nord-Ost", within=5)
        check(fallback is not None, f"while it lags, anonymous readers get the primary's answer "
                                    f"(after {fallback and round(fallback * 1000)} ms)")
        check(metric("quartier_read_replica_in_use") == 0.0, "/metrics says the replica is passed over")
        behind = metric("quartier_read_replica_behind_bytes")
        log(f"  the replica is {behind and int(behind)} bytes of WAL behind")
        sql(REPLICA_PORT, "SELECT pg_wal_replay_resume()")
        back = wait_for("back", lambda: (anonymous_name(), metric("quartier_read_replica_in_use")) ==
                        ("Stadtteilzentrum Nord-Ost", 1.0), within=5)
        check(back is not None, f"caught up, the replica is used again (after {back and round(back * 1000)} ms)")

        log("\n4. the replica stops under load")
        answers, stop, lock = {}, threading.Event(), threading.Lock()
        late = {}

        def reader():
            while not stop.is_set():
                try:
                    status = call("GET", whats_on)[0]
                except OSError as error:
                    status = type(error).__name__
                with lock:
                    answers[status] = answers.get(status, 0) + 1
                    if stopped_at[0] and time.monotonic() - stopped_at[0] > 1.5:
                        late[status] = late.get(status, 0) + 1

        stopped_at = [None]
        threads = [threading.Thread(target=reader) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        pg("pg_ctl", "-D", str(replica), "-m", "fast", "-w", "stop")
        stopped_at[0] = time.monotonic()
        time.sleep(4)
        stop.set()
        for t in threads:
            t.join()
        log(f"  answers: {answers}; more than 1.5 s after the stop: {late}")
        check(set(late) == {200}, "once the instance noticed, every public read is answered by the primary")
        check(metric("quartier_read_replica_in_use") == 0.0, "/metrics says the replica is passed over")
        failed = sum(v for k, v in answers.items() if k != 200)
        log(f"  {failed} reads failed: those whose statement ran on the replica as it stopped "
            f"(503 with Retry-After; a load balancer retries them)")
    finally:
        if api:
            api.stop()
        for data in [replica, primary]:
            if (data / "postmaster.pid").exists():
                try:
                    pg("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
                except subprocess.CalledProcessError:
                    pass
        shutil.rmtree(work, ignore_errors=True)
    if problems:
        log("\nPROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1)
    log("\nall held")


if __name__ == "__main__":
    main()
