"""The screenshot run (`bin/screenshots`): the demo on a throwaway database, media, mailbox
and seal under QUOTERY_SCREENSHOT_DIR, so nothing under var/ is read or changed."""

import os
from pathlib import Path

from config.env import database_config
from config.settings.base import *  # noqa: F403

SCRATCH = Path(os.environ["QUOTERY_SCREENSHOT_DIR"])

DEBUG = False
DATABASES = {"default": database_config(f"sqlite:///{SCRATCH / 'quotery.sqlite3'}")}
MEDIA_ROOT = SCRATCH / "media"
STATIC_ROOT = SCRATCH / "static"
MAILBOX_DIR = SCRATCH / "mailbox"
SEAL_KEY_PATH = str(SCRATCH / "seal" / "seal-key.pem")
SEAL_CERT_PATH = str(SCRATCH / "seal" / "seal-cert.pem")
