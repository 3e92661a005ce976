"""A task for the worker tests: it marks that it began, takes a moment, then leaves its effect
(a file) and returns."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import task


@task
def write_after_pause(*, path: str, seconds: float, text: str) -> str:
    Path(f"{path}.began").write_text("began")
    time.sleep(seconds)
    Path(path).write_text(text)
    return text
