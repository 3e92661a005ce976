"""The nginx site in deploy/ keeps portal links and people out of its access log, and tells
the instances who the client is and how it connected: Debian's nginx runs the file (only its
addresses, certificate and log folder substituted) in front of a small upstream that shows
what it received.

Exercises: deploy/nginx/quotery.conf
"""

from __future__ import annotations

import http.client
import http.server
import json
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.processes import Processes, wait_until
from tests.cluster.proxy import Proxy, require_nginx, start_nginx
from tests.network import free_port


class EchoHeaders(http.server.BaseHTTPRequestHandler):
    """An instance's stand-in: answers 200 with the forwarding headers it received."""

    def do_GET(self) -> None:
        body = json.dumps(
            {
                name: self.headers.get(name, "")
                for name in ("Host", "X-Forwarded-For", "X-Forwarded-Proto")
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    require_nginx()
    work = Path(tempfile.mkdtemp(prefix="quotery-nginx-"))
    work.chmod(0o755)  # nginx's workers (another user under root) write temp files here
    (work / "logs").mkdir()
    processes = Processes(work / "logs")
    upstreams = [http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), EchoHeaders)]
    upstreams.append(http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), EchoHeaders))
    for upstream in upstreams:
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
    env = {"PATH": "/usr/sbin:/usr/bin:/bin"}
    try:
        started = start_nginx(
            processes, instances=[u.server_address[1] for u in upstreams], work=work, env=env
        )
        wait_until(
            lambda: get(started, "/healthz")[0] == 200,
            what="nginx to answer",
            timeout=20,
            alive=started.running,
        )
        yield started
    finally:
        processes.stop_all()
        for upstream in upstreams:
            upstream.shutdown()
            upstream.server_close()
        shutil.rmtree(work, ignore_errors=True)


def get(proxy: Proxy, target: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET `target` exactly as written (no normalising of slashes or escapes)."""
    port = int(proxy.base_url.rsplit(":", 1)[1])
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=proxy.tls, timeout=10)
    try:
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        connection.close()


def test_security_7_and_24_nginx_logs_no_portal_link_no_address_no_email(proxy: Proxy) -> None:
    # given a token, and the ways a link can be written or cut short
    token = secrets.token_urlsafe(32)
    escaped = f"%{ord(token[0]):02X}{token[1:]}"
    secret_targets = [
        f"/p/{token}/",
        f"/p/{token}/accept/?r={'a' * 64}",
        f"/p//{token}/",
        f"/P/{token}/",
        f"/%70/{token}/",
        f"/p%2F{token}/",
        f"/p%252F{escaped}/",
        f"/p/preview/{token}/",
        f"/quotes/?next={token}",
        f"/p/{token[:30]}",
    ]
    plain_targets = ["/p/preview/12/", "/quotes/12/"]
    # when a client asks for each, naming itself, an email and the link in its headers
    for target in secret_targets + plain_targets:
        status, _ = get(
            proxy,
            target,
            headers={
                "X-Forwarded-For": "198.51.100.7",
                "User-Agent": "Mail preview for anna@client.test",
                "Referer": f"https://mail.example/?link=/p/{token}/",
            },
        )
        assert status == 200, target
    wait_until(
        # (the start-up's readiness probes are in the log too: they are not counted)
        lambda: (
            len([line for line in proxy.log.read_text().splitlines() if "/healthz" not in line])
            >= len(secret_targets + plain_targets)
        ),
        what="nginx's access log",
        timeout=10,
    )
    log = proxy.log.read_text()
    # then no piece of the token, no address of the client's and no email is in the log
    pieces = {token[i : i + 8] for i in range(len(token) - 7)}
    assert not [piece for piece in pieces if piece in log], log
    assert "198.51.100.7" not in log and "@" not in log, log
    assert log.count('"GET [redacted] HTTP/1.1" 200') + log.count(
        '"GET /p/[redacted] HTTP/1.1" 200'
    ) == len(secret_targets), log
    # and what holds no link is logged as it was
    for target in plain_targets:
        assert f'"GET {target} HTTP/1.1" 200' in log, log


def test_security_8_nginx_appends_the_address_it_saw_and_sets_the_scheme(proxy: Proxy) -> None:
    # given a client that claims an address and a scheme of its own
    status, body = get(
        proxy,
        "/quotes/",
        headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "http"},
    )
    # then the instance gets the claimed address first and nginx's view last (the one that
    # TRUSTED_PROXY_COUNT=1 reads), and the scheme nginx itself spoke
    assert status == 200
    seen = json.loads(body)
    assert seen["X-Forwarded-For"] == "198.51.100.7, 127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "https"
    assert seen["Host"] == "127.0.0.1"
