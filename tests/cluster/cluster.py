"""Quotery on "many machines", on one: a fresh PostgreSQL database, two gunicorn instances
with a task worker each, the scheduler, nginx in front, an S3 server (moto) and an SMTP server
(aiosmtpd), all configured from deploy/."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import ssl
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests import s3 as s3_test
from tests.cluster import deploy_files
from tests.cluster.processes import Processes, answers_200, wait_until
from tests.cluster.proxy import Proxy, start_nginx
from tests.network import SmtpInbox, free_port
from tests.s3 import S3Server

INSTANCES = ("a", "b")


@dataclass
class Cluster:
    base_url: str  # nginx, the public address (BASE_URL)
    tls: ssl.SSLContext  # trusts nginx's certificate
    ports: dict[str, int]  # instance name -> gunicorn port
    env: dict[str, str]  # what every process gets
    processes: Processes
    inbox: SmtpInbox
    s3: S3Server
    bucket: str
    nginx_log: Path
    quote_id: int
    rep_email: str
    password: str

    def instance_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def python(self, name: str, *args: str) -> str:
        """`python ARGS` with the deployment's environment, from the checkout (as the
        Procfile's commands run); its output."""
        return self.processes.run(name, [sys.executable, *args], self.env)

    def facts(self) -> dict[str, Any]:
        out = self.python("facts", "-m", "tests.cluster.facts", str(self.quote_id))
        facts: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return facts

    def bucket_keys(self, prefix: str) -> list[str]:
        return self.s3.keys(self.bucket, prefix)

    def bucket_bytes(self, key: str) -> bytes:
        body: bytes = self.s3.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def start_instance(self, name: str) -> None:
        web = deploy_files.procfile_commands()["web"]
        running = self.processes.start(f"web-{name}", self._command(web), self.instance_env(name))
        wait_until(
            answers_200(self.instance_url(name) + READY_PATH),
            what=f"instance {name} to answer {READY_PATH}",
            timeout=60,
            alive=running,
        )

    def instance_env(self, name: str) -> dict[str, str]:
        port = self.ports[name]
        return {**self.env, "PORT": str(port), "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"}

    @staticmethod
    def _command(argv: list[str]) -> list[str]:
        # The Procfile's `python` and `gunicorn` are the checkout's virtualenv's.
        program = shutil.which(argv[0], path=str(Path(sys.executable).parent))
        assert program, f"{argv[0]} is not in the virtualenv"
        return [program, *argv[1:]]


# What tells that an instance is up and ready to serve: the database, the migrations and
# the storage answer (quotery.core.health), as a load balancer would probe it.
READY_PATH = "/readyz"


@contextmanager
def running_cluster(database_url: str, s3: S3Server) -> Iterator[Cluster]:
    """Starts everything, yields the cluster, and stops everything again (each process by
    SIGTERM, then SIGKILL after 20 s), dropping the database."""
    with ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="quotery-cluster-"))
        work.chmod(0o755)  # nginx's workers (another user under root) write temp files here
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        (work / "logs").mkdir()
        processes = Processes(work / "logs")
        stack.callback(processes.stop_all)
        ports = {name: free_port() for name in INSTANCES}
        https_port = free_port()
        bucket = s3.new_bucket()
        stack.callback(s3.drop_bucket, bucket)
        env = deployment_env(
            database_url=fresh_database(stack, database_url),
            base_url=f"https://127.0.0.1:{https_port}",
            smtp_port=start_smtp(stack, inbox := SmtpInbox()),
            s3_endpoint=s3.endpoint_url,
            bucket=bucket,
            seal_dir=work / "seal",
        )
        commands = deploy_files.procfile_commands()
        processes.run("release", Cluster._command(commands["release"]), env)
        seeded = json.loads(
            processes.run("seed", [sys.executable, "-m", "tests.cluster.seed"], env)
            .strip()
            .splitlines()[-1]
        )
        proxy = start_nginx(
            processes,
            instances=[ports[name] for name in INSTANCES],
            work=work,
            env=env,
            https_port=https_port,
        )
        cluster = Cluster(
            base_url=proxy.base_url,
            tls=proxy.tls,
            ports=ports,
            env=env,
            processes=processes,
            inbox=inbox,
            s3=s3,
            bucket=bucket,
            nginx_log=proxy.log,
            quote_id=int(seeded["quote_id"]),
            rep_email=seeded["rep_email"],
            password=seeded["password"],
        )
        start_the_processes(cluster, proxy)
        yield cluster


def start_the_processes(cluster: Cluster, proxy: Proxy) -> None:
    """The Procfile's web, worker and scheduler for each instance (a machine each); then
    nginx answers."""
    commands = deploy_files.procfile_commands()
    for name in INSTANCES:
        cluster.start_instance(name)
        worker = Cluster._command(commands["worker"])
        cluster.processes.start(f"worker-{name}", worker, cluster.instance_env(name))
        scheduler = Cluster._command(commands["scheduler"])
        cluster.processes.start(f"scheduler-{name}", scheduler, cluster.instance_env(name))
    wait_until(
        answers_200(cluster.base_url + READY_PATH, cluster.tls),
        what="nginx to answer",
        timeout=20,
        alive=proxy.running,
    )


def deployment_env(
    *,
    database_url: str,
    base_url: str,
    smtp_port: int,
    s3_endpoint: str,
    bucket: str,
    seal_dir: Path,
) -> dict[str, str]:
    """deploy/quotery.env.example with this machine's addresses and fresh secrets."""
    values = deploy_files.deployment_environment(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "BASE_URL": base_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "SEAL_KEY_PATH": str(seal_dir / "seal-key.pem"),
            "SEAL_CERT_PATH": str(seal_dir / "seal-cert.pem"),
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_REGION_NAME": s3_test.REGION,
            "AWS_S3_ENDPOINT_URL": s3_endpoint,
            "AWS_ACCESS_KEY_ID": s3_test.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": s3_test.SECRET_KEY,
            "GUNICORN_CMD_ARGS": "",
        }
    )
    base = {name: os.environ[name] for name in ("HOME", "LANG", "TZ") if name in os.environ}
    base["PATH"] = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    return {**base, **values}


def fresh_database(stack: ExitStack, database_url: str) -> str:
    """A new, empty database on the test's PostgreSQL server, dropped at the end."""
    url = urlsplit(database_url)
    name = f"{url.path.strip('/') or 'quotery'}_two_instances_{os.getpid()}"
    admin = psycopg.connect(database_url, dbname="postgres", autocommit=True)
    stack.callback(admin.close)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    stack.callback(admin.execute, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return urlunsplit(url._replace(path=f"/{name}"))


def start_smtp(stack: ExitStack, inbox: SmtpInbox) -> int:
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    stack.callback(controller.stop)
    return port
