"""Mail benchmark: how fast Quartier's senders hand reminders to a local SMTP server, and how
many reminders a day of the benchmark town makes.

Uses the `seed-bench` dataset in its own database (seeded here when missing), a real SMTP
server (tests/smtp/sink.py, on aiosmtpd), and one or more API instances sending. Each round
queues BENCH_MAILS reminders, due now, for real confirmed sign-ups, and times until the queue
is empty. A reminder is the full path: claim, the check in SQL that it still holds, the
sign-up's shift and place, the template, SMTP.

    bash bench/mail.sh                                  # scale 1, 5 000 mails, 1 and 2 instances
    BENCH_SCALE=0.02 BENCH_MAILS=500 bash bench/mail.sh # a quick check
"""

import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BINARY = os.environ.get("BENCH_BINARY", "target/release/quartier")
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
DB = os.environ.get("BENCH_DB", "quartier_bench")
MAILS = int(os.environ.get("BENCH_MAILS", "5000"))
INSTANCES = [int(n) for n in os.environ.get("BENCH_INSTANCES", "1 2").split()]
SENDERS = [int(n) for n in os.environ.get("BENCH_SENDERS", "4 16").split()]
PORT = int(os.environ.get("BENCH_PORT", "18095"))
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "18025"))
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"


def log(text):
    print(text, flush=True)


def psql(sql, database=DB):
    out = subprocess.run(
        ["psql", f"postgres://postgres@127.0.0.1:5432/{database}", "-v", "ON_ERROR_STOP=1",
         "-qAtX", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.strip()


def env(**extra):
    values = dict(os.environ)
    values.update(DATABASE_URL=DATABASE_URL, QUARTIER_LOG="warn",
                  QUARTIER_JWT_SECRET="a benchmark secret that is long enough to use")
    values.update(extra)
    return values


def dataset():
    marker = f"scale {SCALE} seed {SEED} day {dt.date.today()}"
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'", "postgres") == "1"
    if exists:
        try:
            if psql("SELECT comment FROM bench_meta") == marker:
                log(f"dataset: reusing {DB} ({marker})")
                subprocess.run([BINARY, "migrate"], env=env(), check=True, capture_output=True)
                return
        except RuntimeError:
            pass
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", "postgres")
    started = time.monotonic()
    subprocess.run([BINARY, "seed-bench", "--scale", str(SCALE), "--seed", str(SEED)],
                   env=env(), check=True, capture_output=True)
    psql("VACUUM (ANALYZE)")
    psql(f"CREATE TABLE bench_meta (comment text); INSERT INTO bench_meta VALUES ('{marker}')")
    log(f"dataset: seeded {DB} in {time.monotonic() - started:.0f} s")


def reminder_backlog():
    """Reminders due per day over the next 30 days: confirmed sign-ups starting the day after."""
    rows = psql(
        "SELECT count(*) FROM generate_series(0, 29) d "
        "LEFT JOIN signups s ON s.status = 'confirmed' AND s.user_id IS NOT NULL "
        " AND s.starts_at >= date_trunc('day', now()) + (d + 1) * interval '1 day' "
        " AND s.starts_at < date_trunc('day', now()) + (d + 2) * interval '1 day' "
        "GROUP BY d ORDER BY d")
    per_day = [int(n) for n in rows.split()]
    return max(per_day), statistics.median(per_day)


class Server:
    def __init__(self, port, senders):
        self.process = subprocess.Popen(
            [BINARY, "serve", "--no-migrate"],
            env=env(QUARTIER_BIND=f"127.0.0.1:{port}",
                    QUARTIER_SMTP_URL=f"smtp://127.0.0.1:{SMTP_PORT}",
                    QUARTIER_MAIL_FROM="Quartier <quartier@bench.example>",
                    QUARTIER_MAIL_POLL_MS="50", QUARTIER_MAIL_SENDERS=str(senders)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        sys.exit("the server did not get ready")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def smtp_sink(directory):
    python = shutil.which("python3")
    for candidate in [os.environ.get("QUARTIER_TEST_PYTHON"), python, "/usr/bin/python3"]:
        if candidate and subprocess.run([candidate, "-c", "import aiosmtpd"],
                                        capture_output=True).returncode == 0:
            python = candidate
            break
    sink = subprocess.Popen([python, "tests/smtp/sink.py", str(SMTP_PORT), directory,
                             "--count-only"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if sink.stdout.readline().strip() != "ready":
        sys.exit("the SMTP server did not start")
    return sink


def queue_reminders(round_id):
    psql(
        "INSERT INTO notifications (id, user_id, kind, operator_id, details, dedup_key) "
        "SELECT gen_random_uuid(), s.user_id, 'shift_reminder', sh.operator_id, "
        "       json_build_object('signup_id', s.id, 'shift_id', s.shift_id, "
        "                         'starts_at', s.starts_at, 'ends_at', s.ends_at)::text, "
        f"      'bench:{round_id}:' || s.id "
        "  FROM signups s JOIN shifts sh ON sh.id = s.shift_id "
        " WHERE s.status = 'confirmed' AND s.user_id IS NOT NULL AND s.starts_at > now() "
        f" ORDER BY s.id LIMIT {MAILS}")


def main():
    dataset()
    peak, median = reminder_backlog()
    log(f"reminders due per day over the next 30 days: busiest {peak}, median {median:.0f}")
    directory = tempfile.mkdtemp(prefix="quartier-bench-mail-")
    sink = smtp_sink(directory)
    try:
        for senders in SENDERS:
            for instances in INSTANCES:
                round_id = f"{instances}x{senders}-{time.time_ns()}"
                servers = [Server(PORT + i, senders) for i in range(instances)]
                try:
                    before = len(os.listdir(directory))
                    started = time.monotonic()
                    queue_reminders(round_id)
                    pending = f"dedup_key LIKE 'bench:{round_id}:%' AND state = 'queued'"
                    while int(psql(f"SELECT count(*) FROM notifications WHERE {pending}")) > 0:
                        time.sleep(0.05)
                    seconds = time.monotonic() - started
                    sent = int(psql("SELECT count(*) FROM notifications WHERE "
                                    f"dedup_key LIKE 'bench:{round_id}:%' AND state = 'sent'"))
                    received = len(os.listdir(directory)) - before
                    log(f"{instances} instance(s) x {senders} senders: {sent} reminders in "
                        f"{seconds:.1f} s = {sent / seconds:.0f} mails/s "
                        f"(the SMTP server received {received}); "
                        f"a busiest day's {peak} would take {peak / (sent / seconds):.0f} s")
                finally:
                    for server in servers:
                        server.stop()
                psql(f"DELETE FROM notifications WHERE dedup_key LIKE 'bench:{round_id}:%'")
    finally:
        sink.terminate()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
