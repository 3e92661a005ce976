"""Settings for a worker process started by a test: the test settings with the database
queue (the tests themselves run tasks at once)."""

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
