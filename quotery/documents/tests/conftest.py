"""Each test starts with an empty file storage, so no test reads another's stored PDF."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def empty_storage(settings):  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
