"""The files under deploy/ agree with each other and with the code: the systemd units run the
Procfile's commands, and the environment file lists every variable Quotery reads.

Exercises: deploy/Procfile, deploy/systemd/, deploy/quotery.env.example, config.env,
config.settings, gunicorn.conf.py
"""

from __future__ import annotations

import re

from tests.cluster import deploy_files


def test_deploy_files_agree_with_each_other_and_with_the_code() -> None:
    # The Procfile names every process, and each systemd unit runs the same command.
    commands = deploy_files.procfile_commands()
    assert set(commands) == {"release", "web", "worker", "scheduler"}
    assert commands["web"] == ["gunicorn", "--config", "gunicorn.conf.py"]
    units = deploy_files.unit_exec_starts()
    assert units == {
        "quotery-migrate.service": commands["release"],
        "quotery-scheduler.service": commands["scheduler"],
        "quotery-web.service": commands["web"],
        "quotery-worker.service": commands["worker"],
    }
    # The environment file lists every variable the code reads from the environment.
    values, optional = deploy_files.env_example()
    reading = re.compile(r"(?:env_\w+\(|environ\.get\(|getenv\(|environ\[)\s*\"([A-Z][A-Z0-9_]+)\"")
    sources = [deploy_files.ROOT / "gunicorn.conf.py", *deploy_files.ROOT.glob("config/**/*.py")]
    read = {name for path in sources for name in reading.findall(path.read_text())}
    # boto3 reads the keys itself, gunicorn its arguments, Django its settings module.
    read |= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GUNICORN_CMD_ARGS"}
    read.add("DJANGO_SETTINGS_MODULE")
    # bin/screenshots sets this one for its own settings module, never on a server.
    read.discard("QUOTERY_SCREENSHOT_DIR")
    assert read - set(values) - optional == set()
