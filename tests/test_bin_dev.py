"""The Quick start's first command (bin/dev) runs management commands by name: they exist."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

BIN_DEV = Path(__file__).resolve().parents[1] / "bin" / "dev"


def test_every_command_bin_dev_runs_exists() -> None:
    # given the commands bin/dev runs through manage.py
    named = set(re.findall(r"manage\.py\s+([a-z_]+)", BIN_DEV.read_text(encoding="utf-8")))
    assert {"migrate", "seed_demo", "collectstatic", "run_worker", "run_scheduler"} <= named

    # then each is a command of an installed app, the demo data's and the scheduler's from
    # their own apps
    commands = get_commands()
    assert sorted(named - set(commands)) == []
    assert commands["seed_demo"] == "quotery.demo"
    assert commands["seed_engagement"] == "quotery.demo"
    assert commands["run_scheduler"] == "quotery.scheduler"
    assert commands["run_worker"] == "quotery.scheduler"
