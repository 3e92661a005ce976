"""SECURITY.md 25: production refuses a development or short SECRET_KEY (and fallback key).

Each case imports config.settings.production in a fresh interpreter with its own environment,
as gunicorn would at start.

Exercises: config.settings.production (no service or view)
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config.env import BASE_DIR

DEV_KEY = "quotery-local-demo-secret-key-change-me-0123456789"
GOOD_KEY = "Uo6QNi-85yOigeeY22AEbBEJBc55FSesalUDSeaK9P0TWsyezXoWL7i7abzFaTvmxkQ"
OTHER_GOOD_KEY = "AcRT3JKaJK5az7ehai-_k8dlL5ntYTeAD5Dt0DoM5AaDEExWuh-umlEGeoa2yDGirmM"
KEY_49 = "r1in4cy1hl9lktDxaw8OZd9IvF9oSK5tSDGZbV6hFxLhhUivX"
HOW = 'Make a new one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
MAKE_ONE = 'Make one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'


def start_production(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("environment", "refusal"),
    [
        pytest.param(
            {"SECRET_KEY": DEV_KEY},
            f"SECRET_KEY is the public development key. {HOW}",
            id="the-development-key",
        ),
        pytest.param(
            {"SECRET_KEY": "django-insecure-" + GOOD_KEY},
            f"SECRET_KEY is a development key (it starts with django-insecure-). {HOW}",
            id="a-django-insecure-key",
        ),
        pytest.param(
            {"SECRET_KEY": KEY_49},
            f"SECRET_KEY is 49 characters long; at least 50 are needed. {HOW}",
            id="a-49-character-key",
        ),
        pytest.param(
            {"SECRET_KEY": "abab" * 20},
            f"SECRET_KEY uses only 2 different characters; at least 5 are needed. {HOW}",
            id="a-repetitive-key",
        ),
        pytest.param(
            {"SECRET_KEY": GOOD_KEY, "SECRET_KEY_FALLBACKS": f"{OTHER_GOOD_KEY},{DEV_KEY}"},
            f"SECRET_KEY_FALLBACKS (key 2) is the public development key. {HOW}",
            id="the-development-key-as-a-fallback",
        ),
        pytest.param(
            {"SECRET_KEY": GOOD_KEY, "SECRET_KEY_FALLBACKS": KEY_49},
            f"SECRET_KEY_FALLBACKS (key 1) is 49 characters long; at least 50 are needed. {HOW}",
            id="a-short-fallback",
        ),
        pytest.param({}, f"SECRET_KEY must be set in production. {MAKE_ONE}", id="no-key"),
        pytest.param(
            {"SECRET_KEY": "   "},
            f"SECRET_KEY must be set in production. {MAKE_ONE}",
            id="a-blank-key",
        ),
    ],
)
def test_security_25_production_refuses_a_weak_secret_key(environment, refusal):
    started = start_production(**environment)

    assert started.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {refusal}\n" in started.stderr
    # the refusal names the variable, never the key
    assert KEY_49 not in started.stderr and "abab" * 20 not in started.stderr


def test_security_25_production_starts_with_strong_keys():
    started = start_production(SECRET_KEY=GOOD_KEY, SECRET_KEY_FALLBACKS=OTHER_GOOD_KEY)

    assert (started.returncode, started.stderr) == (0, "")
