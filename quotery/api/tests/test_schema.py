"""Schemathesis against /api/v1/openapi.json with a real key: for generated requests to
every operation (valid and invalid), no answer is a 5xx and every answer conforms to the
schema (status code, media type, headers, body).

Bounded to a few examples per operation, derandomized, so the run is short and repeatable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from quotery.api.keys import NewKey
from quotery.api.tests.world import World, build_world

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
# Fuzzing (valid and invalid data, EXAMPLES_PER_OPERATION each) and the schema's examples;
# the coverage phase's exhaustive boundary values take minutes, too long for every run.
schema.config.phases.coverage.enabled = False

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def world(company) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """The data, and the WSGI app kept from closing the test's connection after each
    answer (as Django's test client does): the test's transaction holds the data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield build_world(company)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_conforms_to_the_schema(case, world: World, make_key) -> None:  # type: ignore[no-untyped-def]
    key: NewKey = make_key("write", company=world.company)
    answer = case.call_and_validate(headers={"Authorization": f"Bearer {key.token}"}, checks=CHECKS)
    # Negative cases may leave the security scheme out on purpose; a sent key always works.
    if "Authorization" in answer.request.headers:
        assert answer.status_code != 401


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicated keys in {keys}"
    return dict(pairs)


def test_the_schema_is_openapi_3_1_with_problem_errors_and_idempotency_keys(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = json.loads(answer.content, object_pairs_hook=_no_duplicate_keys)
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["BearerKey"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (path, status)
            names = [parameter["name"] for parameter in operation.get("parameters", [])]
            assert ("Idempotency-Key" in names) == (method == "post"), (method, path)
