"""bin/screenshots works on a throwaway copy of the demo: its settings put the database,
media, mailbox and seal under the temporary folder, never under var/, and the pages it
shoots are the ones the README links.

Exercises: config.settings.screenshots (in a fresh interpreter: it needs its folder)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "database": str(settings.DATABASES["default"]["NAME"]),
    "engine": settings.DATABASES["default"]["ENGINE"],
    "paths": [str(settings.MEDIA_ROOT), str(settings.STATIC_ROOT), str(settings.MAILBOX_DIR),
              settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH],
    "debug": settings.DEBUG,
}))
"""


def test_the_screenshot_settings_keep_everything_in_the_temporary_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.screenshots",
        "QUOTERY_SCREENSHOT_DIR": str(tmp_path),
    }
    probe = "import django; django.setup()\n" + PROBE
    answer = subprocess.run(  # noqa: S603 (our interpreter, our code)
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    facts = json.loads(answer.stdout.strip().splitlines()[-1])
    assert facts["engine"] == "django.db.backends.sqlite3"
    assert facts["database"] == str(tmp_path / "quotery.sqlite3")
    assert all(path.startswith(str(tmp_path)) for path in facts["paths"]), facts["paths"]
    assert facts["debug"] is False


def test_the_readme_links_every_screenshot_the_command_takes() -> None:
    driver = (ROOT / "bin" / "lib" / "screenshots.py").read_text(encoding="utf-8")
    names = set(re.findall(r'out / f"([a-z-]+)-\{width\}\.png"', driver))
    assert names == {"client-page", "accepted-page", "accepted-pdf", "start-page", "engagement"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in names:
        for width in (375, 1280):
            assert f"(docs/screenshots/{name}-{width}.png)" in readme, (name, width)
            assert (ROOT / "docs" / "screenshots" / f"{name}-{width}.png").is_file()
