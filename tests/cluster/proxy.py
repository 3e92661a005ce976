"""nginx in front of the cluster: deploy/nginx/quotery.conf rendered for this machine, run in
the foreground with a self-signed certificate for 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import ssl
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cluster import deploy_files
from tests.cluster.processes import Processes, Running
from tests.network import free_port


@dataclass
class Proxy:
    base_url: str  # https://127.0.0.1:<port>
    tls: ssl.SSLContext  # trusts the proxy's certificate
    log: Path  # the access log in the site's `quotery` format
    running: Running


def start_nginx(
    processes: Processes,
    *,
    instances: list[int],
    work: Path,
    env: dict[str, str],
    https_port: int | None = None,
) -> Proxy:
    """nginx with the site from deploy/ in front of `instances` (ports on 127.0.0.1), checked
    with `nginx -t` and started in the foreground. `work` must be readable by nginx's worker
    user (another user when run as root)."""
    nginx = nginx_binary()
    assert nginx, "no nginx"
    https_port = https_port or free_port()
    certificate, key = self_signed_certificate(work / "tls")
    run_dir, log_dir = work / "nginx", work / "nginx-logs"
    run_dir.mkdir(mode=0o755)
    log_dir.mkdir()
    site = run_dir / "quotery.conf"
    site.write_text(
        deploy_files.render_nginx_site(
            instances=instances,
            https_port=https_port,
            http_port=free_port(),
            certificate=certificate,
            key=key,
            log_dir=log_dir,
        )
    )
    main = run_dir / "nginx.conf"
    main.write_text(deploy_files.nginx_main_config(site=site, run_dir=run_dir))
    argv = [nginx, "-p", str(run_dir), "-e", str(run_dir / "main-error.log"), "-c", str(main)]
    processes.run("nginx-test", [*argv, "-t"], env, timeout=20)
    return Proxy(
        base_url=f"https://127.0.0.1:{https_port}",
        tls=ssl.create_default_context(cafile=str(certificate)),
        log=log_dir / "quotery.log",
        running=processes.start("nginx", argv, env),
    )


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (valid from yesterday to tomorrow, by this clock)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "false", "0"}


def require_nginx() -> None:
    if nginx_binary() is None:
        message = (
            "No nginx for the cluster test. On Debian: apt-get install nginx (bin/test "
            "installs it itself when run as root)."
        )
        if in_ci():
            pytest.fail(message + " CI may not skip this test.")
        pytest.skip(message)
