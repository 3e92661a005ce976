"""The example configuration under deploy/, read and rendered the way an operator would use it.

The cluster test starts its processes from these files, so what deploy/ documents is what the
test runs: the Procfile's commands, the environment file's variables and the nginx site with
only its addresses, certificate and log paths substituted.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
PROCFILE = DEPLOY / "Procfile"
ENV_EXAMPLE = DEPLOY / "quotery.env.example"
NGINX_SITE = DEPLOY / "nginx" / "quotery.conf"
SYSTEMD = DEPLOY / "systemd"

# Where the systemd units expect the checkout and its virtualenv.
UNIT_CHECKOUT = "/srv/quotery"

_ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def procfile_commands() -> dict[str, list[str]]:
    """{process type: argv} from deploy/Procfile."""
    commands: dict[str, list[str]] = {}
    for line in PROCFILE.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match:
            commands[match.group(1)] = shlex.split(match.group(2))
    return commands


def env_example() -> tuple[dict[str, str], set[str]]:
    """The environment file: the values it sets, and the names it lists commented out."""
    values: dict[str, str] = {}
    optional: set[str] = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = _ASSIGNMENT.match(line.strip())
        if not match:
            continue
        commented, name, value = match.groups()
        if commented:
            optional.add(name)
        else:
            values[name] = value.strip().strip('"')
    return values, optional


def deployment_environment(overrides: dict[str, str]) -> dict[str, str]:
    """The environment file's values with this machine's addresses and secrets in place.

    Only variables the file lists may be set: a variable the test needs and the file does
    not name would be one an operator does not know about."""
    values, optional = env_example()
    unknown = sorted(set(overrides) - set(values) - optional)
    assert not unknown, f"deploy/quotery.env.example does not list {unknown}"
    return {**values, **overrides}


def unit_exec_starts() -> dict[str, list[str]]:
    """{unit file name: ExecStart argv, the checkout's path taken off} from deploy/systemd/."""
    starts: dict[str, list[str]] = {}
    for unit in sorted(SYSTEMD.glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                argv = shlex.split(line.removeprefix("ExecStart="))
                program = argv[0].removeprefix(f"{UNIT_CHECKOUT}/.venv/bin/")
                starts[unit.name] = [program, *argv[1:]]
    return starts


def _replace(text: str, old: str, new: str, count: int) -> str:
    found = text.count(old)
    assert found == count, f"deploy/nginx/quotery.conf: expected {count} x {old!r}, found {found}"
    return text.replace(old, new)


def render_nginx_site(
    *,
    instances: list[int],
    https_port: int,
    http_port: int,
    certificate: Path,
    key: Path,
    log_dir: Path,
) -> str:
    """deploy/nginx/quotery.conf for this machine: the instances on 127.0.0.1, the listening
    ports, a certificate and the log folder. Nothing else changes."""
    text = NGINX_SITE.read_text()
    example_servers = re.findall(r"^\s*server (10\.0\.1\.\d+:8000) ", text, flags=re.M)
    assert len(example_servers) >= 2, "the upstream lists at least two instances"
    assert len(instances) == len(example_servers)
    for example, port in zip(example_servers, instances, strict=True):
        text = _replace(text, f"server {example} ", f"server 127.0.0.1:{port} ", 1)
    text = _replace(text, "listen 80;", f"listen 127.0.0.1:{http_port};", 1)
    text = _replace(text, "listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;", 1)
    text = _replace(text, "/etc/ssl/quotery/fullchain.pem", str(certificate), 1)
    text = _replace(text, "/etc/ssl/quotery/privkey.pem", str(key), 1)
    return _replace(text, "/var/log/nginx/", f"{log_dir}/", 4)


def nginx_main_config(*, site: Path, run_dir: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, for one nginx in the
    foreground, in a folder of its own."""
    temp = {name: run_dir / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    return "\n".join(
        [
            "daemon off;",
            "worker_processes 1;",
            f"pid {run_dir / 'nginx.pid'};",
            f"error_log {run_dir / 'main-error.log'} warn;",
            "events { worker_connections 256; }",
            "http {",
            "    access_log off;",
            f"    client_body_temp_path {temp['body']};",
            f"    proxy_temp_path {temp['proxy']};",
            f"    fastcgi_temp_path {temp['fastcgi']};",
            f"    uwsgi_temp_path {temp['uwsgi']};",
            f"    scgi_temp_path {temp['scgi']};",
            f"    include {site};",
            "}",
            "",
        ]
    )
