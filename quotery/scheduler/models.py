"""What the scheduler remembers between leaders: when each periodic task was last enqueued."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """The last enqueue of one periodic task (by its task path) and the result to watch.

    A scheduler that becomes the leader (or restarts) carries on from here: the task is next
    due one period after `enqueued_at`, and is skipped while `result_id` is still waiting or
    running, instead of being enqueued again at once.
    """

    name = models.CharField(max_length=255, unique=True)
    enqueued_at = models.DateTimeField()
    result_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.enqueued_at.isoformat()}"
