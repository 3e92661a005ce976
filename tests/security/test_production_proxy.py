"""Production settings behind a proxy that terminates TLS: X-Forwarded-Proto is trusted only
when TRUSTED_PROXY_COUNT says a proxy is there (a client without one could send it itself).

Each case imports config.settings.production in a fresh interpreter with its own environment,
as gunicorn would at start, and looks at one request through the whole middleware.

Exercises: config.settings.production (SECURE_PROXY_SSL_HEADER), SecurityMiddleware's HSTS
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from config.env import BASE_DIR

GOOD_KEY = "Uo6QNi-85yOigeeY22AEbBEJBc55FSesalUDSeaK9P0TWsyezXoWL7i7abzFaTvmxkQ"

LOOK = """
import json
import django
django.setup()
from django.test import Client, RequestFactory

# As nginx passes them on: the Host the client asked for and the scheme it spoke.
proxied = {"HTTP_HOST": "quotes.example.com", "HTTP_X_FORWARDED_PROTO": "https"}
request = RequestFactory().get("/quotes/", **proxied)
page = Client(**proxied).get("/accounts/login/")
print(json.dumps({
    "secure": request.is_secure(),
    "url": request.build_absolute_uri(),
    "status": page.status_code,
    "hsts": page.get("Strict-Transport-Security"),
}))
"""


def request_through_production(trusted_proxy_count: str) -> dict[str, object]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "TRUSTED_PROXY_COUNT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=GOOD_KEY,
        BASE_URL="https://quotes.example.com",
        ALLOWED_HOSTS="quotes.example.com",
        TRUSTED_PROXY_COUNT=trusted_proxy_count,
    )
    looked = subprocess.run(  # noqa: S603 (our own interpreter on our own script)
        [sys.executable, "-c", LOOK],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert looked.returncode == 0, looked.stderr
    return dict(json.loads(looked.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("count", ["1", "2"])
def test_behind_a_trusted_proxy_its_https_makes_the_request_secure(count: str) -> None:
    seen = request_through_production(count)

    assert seen == {
        "secure": True,
        "url": "https://quotes.example.com/quotes/",
        "status": 200,
        "hsts": "max-age=31536000",
    }


def test_without_a_trusted_proxy_a_forwarded_proto_header_is_ignored() -> None:
    seen = request_through_production("0")

    assert seen == {
        "secure": False,
        "url": "http://quotes.example.com/quotes/",
        "status": 200,
        "hsts": None,
    }
