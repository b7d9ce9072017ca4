"""Load benchmark: gunicorn on 127.0.0.1 with the demo data, locust headless, bounded in time.

    .venv/bin/python benchmarks/bench_load.py [--users 20] [--seconds 30] [--workers 2] [--reuse]

Builds a SQLite database under var/bench/ the way `make demo` does (migrate, load_reference, load_rainfall,
load_demo, the runoff model fitted and activated), issues the demo operator's report so that there is one to
download, issues a bearer token per demo role, starts gunicorn with DEBUG off (farmadvice/gunicorn_conf.py)
and a task worker (`db_worker`, which refreshes the committee's cached figures), and runs four phases of
benchmarks/locustfile.py:

1. capacity of the floor: only `GET /api/v1/health` (django-ninja's smallest answer), no think time;
2. capacity of the farm detail: only `GET /api/v1/farms/{code}` as the agent, no think time;
3. the mixed day: agents writing records and reading farms, operators downloading reports, the committee
   reading compliance and loads, the health check beside them, with think times of 50-200 ms (a stress
   test: 20 users at that pace ask far more than the district's staff and farmers do);
4. the working day: the same mix at a person's pace (think times of 2-8 s) with --people users.

Phases 1 and 2 saturate the workers with the same number of users, so their throughputs compare capacity
(the goal: farm detail at least half the floor's). Phase 3 gives per-endpoint p50/p95/p99 and failures.
The load generator runs on the same machine as the server: its own CPU use is part of what is measured.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "bench"
YEAR = 2025
OPERATOR_FARMS = ("CM-CQ-0001",)  # the demo operator's first farm (load_demo prints the logins)
PHASES = (
    ("capacity: floor", ["HealthUser"], "0"),
    ("capacity: farm detail", ["FarmDetailUser"], "0"),
    ("mixed day", ["AgentUser", "OperatorUser", "CommitteeUser", "HealthUser"], "1"),
    ("working day", ["AgentUser", "OperatorUser", "CommitteeUser", "HealthUser"], "human"),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


TOKEN_SCRIPT = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from farmadvice.accounts.services import token_issue
users = get_user_model().objects
tokens = {role: token_issue(user=users.get(username=role), name="bench")[1]
          for role in ("agent", "operator", "committee", "admin")}
tokens["agent_towns"] = list(users.get(username="agent").profile.towns.values_list("code", flat=True))
print(json.dumps(tokens))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (1: one request at a time)"
    )
    parser.add_argument("--people", type=int, default=100, help="users of the working-day phase")
    parser.add_argument("--reuse", action="store_true", help="keep an existing var/bench database")
    args = parser.parse_args()

    VAR.mkdir(parents=True, exist_ok=True)
    database = VAR / "bench.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "farmadvice.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AXES_ENABLED": "0",
    }
    env["MEDIA_ROOT"] = str(VAR / "media")
    env["CACHE_URL"] = f"filecache://{VAR / 'cache'}"
    if not (args.reuse and database.exists()):
        database.unlink(missing_ok=True)
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "load_reference", "--verbosity", "0")
        manage(env, "load_rainfall")
        manage(env, "load_demo")
        manage(
            env,
            "fit_runoff_model",
            "--target",
            "both",
            "--activate",
            "--unless-active",
            "--user",
            "committee",
        )
        for code in OPERATOR_FARMS:
            manage(
                env,
                "advisory_report",
                code,
                "--year",
                str(YEAR),
                "--user",
                "agent",
                "-o",
                str(VAR / f"{code}.pdf"),
            )
    tokens = (
        subprocess.run(
            [sys.executable, "-c", TOKEN_SCRIPT],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    token_file = VAR / "tokens.json"
    token_file.write_text(tokens, encoding="utf-8")

    port = free_port()
    env["DEBUG"] = "0"
    env.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    env["SECURE_SSL_REDIRECT"] = "0"
    # The production configuration (farmadvice/gunicorn_conf.py: gthread workers, preloaded and frozen),
    # with the workers and threads asked for here.
    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-c",
            "python:farmadvice.gunicorn_conf",
            "farmadvice.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    # The task worker `make run` starts too: it refreshes the committee's figures after changes.
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "-v", "0"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        results = []
        for title, users, think in PHASES:
            prefix = VAR / f"locust-{len(results)}"
            human = think == "human"
            # The working day: --people users arriving over ~10 s, measured once all have arrived (each
            # user's start-up reads its farm list), for twice the phase time.
            pace = (
                ["-u", str(args.people), "-r", str(max(1, args.people // 10)), "--reset-stats"]
                if human
                else []
            )
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "benchmarks" / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(args.users),
                    "-r",
                    str(args.spawn_rate),
                    *pace,
                    "-t",
                    f"{args.seconds * (2 if human else 1)}s",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    *users,
                ],
                cwd=ROOT,
                env={**env, "BENCH_TOKENS": str(token_file), "BENCH_THINK": think, "BENCH_YEAR": str(YEAR)},
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            results.append((title, prefix.with_name(prefix.name + "_stats.csv")))
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        worker.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        worker.wait(timeout=30)
    print(
        f"users={args.users} workers={args.workers} threads={args.threads} seconds={args.seconds} per phase;"
        f" load average before: "
        f"{os.getloadavg()[0]:.2f}"
    )
    capacity = {title: report(title, path) for title, path in results}
    floor = capacity["capacity: floor"].get("/api/v1/health")
    detail = capacity["capacity: farm detail"].get("/api/v1/farms/{code}")
    if floor and detail:
        print(f"\nfarm-detail / floor capacity: {detail:.1f} / {floor:.1f} req/s = {detail / floor:.2f}")


def report(title: str, stats: Path) -> dict[str, float]:
    """Print one phase's per-endpoint figures; return its throughput (req/s) per endpoint name."""
    rows = list(csv.DictReader(stats.open(encoding="utf-8")))
    print(f"\n== {title}")
    print(f"{'endpoint':55} {'reqs':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>7}")
    rates = {}
    for row in rows:
        name = f"{row['Type']} {row['Name']}".strip()
        rates[row["Name"]] = float(row["Requests/s"])
        print(
            f"{name:55} {row['Request Count']:>6} {row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} "
            f"{row['99%']:>6} {float(row['Requests/s']):>7.1f}"
        )
    return rates


if __name__ == "__main__":
    main()
