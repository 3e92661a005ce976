"""The servers the portal load benchmark runs against (gunicorn, optionally nginx in front
of two gunicorn instances), its databases, and the CPU time their processes use.
Used by benchmarks/portal_load.py."""

# Every subprocess here runs a fixed command of this machine (gunicorn, nginx).
# ruff: noqa: S603

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.network import free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SETTINGS = "benchmarks.bench_settings"
NGINX = "/usr/sbin/nginx"

# How long gunicorn may take to answer its first request (longer on a busy machine).
STARTUP_SECONDS = 60

DATABASES = {"sqlite": "", "postgres": "postgres://postgres@127.0.0.1:5432/quotery_bench"}


def environment(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        PYTHONPATH=str(ROOT),
        DEBUG="0",
        WEB_CONCURRENCY="2",
    )
    env.pop("DATABASE_URL", None)
    env.pop("BENCH_DATABASE_URL", None)
    if DATABASES[database]:
        env["BENCH_DATABASE_URL"] = DATABASES[database]
    return env


def reset_database(database: str) -> None:
    if database == "sqlite":
        db = ROOT / "var" / "bench" / "portal.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS quotery_bench WITH (FORCE)")
        admin.execute("CREATE DATABASE quotery_bench")


def start_gunicorn(
    port: int, log: Path, workers: int, database: str, *, public_port: int | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn on `port`; behind the proxy on `public_port` when given (which then sets
    X-Forwarded-For, and the app trusts one proxy)."""
    env = environment(database)
    env["BASE_URL"] = f"http://127.0.0.1:{public_port or port}"
    env["PORT"] = str(port)
    if public_port:
        env["TRUSTED_PROXY_COUNT"] = "1"
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            str(log),
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start; see {log}")


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def server_cpu_ticks(sessions: list[int], database: str) -> int:
    """CPU ticks used so far by the app server's processes (their sessions: gunicorn, and
    nginx in front of it) and, on PostgreSQL, by the server processes of the benchmark
    database's connections."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[3]) in sessions:  # field 6: session id
                total += int(stat[11]) + int(stat[12])
    if database == "postgres":
        import psycopg

        with psycopg.connect(DATABASES[database]) as db:
            rows = db.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = 'quotery_bench' "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
        total += sum(_ticks(row[0]) for row in rows)
    return total


NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream app {{
    server 127.0.0.1:{first};
    server 127.0.0.1:{second};
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://app;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


def start_nginx(port: int, upstreams: list[int], folder: Path) -> subprocess.Popen[bytes]:
    """Debian's nginx in the foreground on `port`, spreading requests over `upstreams`,
    with its configuration, pid file, logs and buffers in `folder`."""
    folder.chmod(0o755)  # nginx's workers drop root and still need their buffers
    conf = folder / "nginx.conf"
    first, second = upstreams
    conf.write_text(NGINX_CONF.format(dir=folder, first=first, second=second, port=port))
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"nginx did not start; see {folder}/error.log")


def start_servers(
    database: str, args: argparse.Namespace, port: int
) -> list[subprocess.Popen[bytes]]:
    """gunicorn on `port` (its --workers), or with --proxy: nginx on `port` in front of two
    gunicorn instances sharing --workers between them."""
    log = ROOT / "var" / "bench" / f"gunicorn-{database}.log"
    log.unlink(missing_ok=True)
    if not args.proxy:
        return [start_gunicorn(port, log, args.workers, database)]
    upstreams = [free_port(), free_port()]
    each = max(1, args.workers // 2)
    servers = [
        start_gunicorn(upstream, log, each, database, public_port=port) for upstream in upstreams
    ]
    servers.append(start_nginx(port, upstreams, Path(tempfile.mkdtemp(prefix="bench-nginx-"))))
    return servers


def run_python(database: str, script: str, *args: str, **env: str) -> list[str]:
    """Runs `script` (python -c, `args` after it) in the benchmark's environment on
    `database`, with the variables `env` added; returns the words it printed."""
    return subprocess.run(
        [PYTHON, "-c", script, *args],
        cwd=ROOT,
        env={**environment(database), **env},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()


def seed_database(database: str, script: str, *args: str, **env: str) -> list[str]:
    """A fresh, migrated `database` seeded by `script` (see run_python); returns the words
    the script printed."""
    reset_database(database)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**environment(database), **env},
        check=True,
    )
    return run_python(database, script, *args, **env)


def measure_each[T](
    args: argparse.Namespace, measure: Callable[[str, argparse.Namespace], T]
) -> dict[str, T]:
    """`measure(database, args)` for each database --database names, in turn, then the load
    average the runs leave behind (printed, to read the figures by)."""
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    measured = {database: measure(database, args) for database in databases}
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")
    return measured


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """The options every wrk benchmark here takes: how long, how many connections and
    workers, which databases."""
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
