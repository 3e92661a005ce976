"""The client page's script writes amounts as the page's language does, the same as
`format_money` (static/js/quote-options.js, run with node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from quotery.core.money import format_money
from quotery.portal.presentation import _script_data

SCRIPT = Path(__file__).resolve().parents[3] / "static" / "js" / "quote-options.js"
CONTENT = {"currency": "EUR", "sections": []}


def script_money(amounts: list[str], currency: dict[str, object]) -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the client page's script")
    program = (
        f"const o = require({json.dumps(str(SCRIPT))});"
        f"const c = {json.dumps(currency)};"
        f"console.log(JSON.stringify({json.dumps(amounts)}.map((a) => o.formatMoney(a, c))));"
    )
    done = subprocess.run(  # noqa: S603 (a fixed command)
        [node, "-e", program], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_script_writes_money_as_the_server_does(language: str) -> None:
    amounts = ["0.00", "12.50", "1796.40", "1234567.89"]
    with translation.override(language):
        currency = _script_data({**CONTENT, "currency": "EUR"})["currency"]
        expected = [format_money(Decimal(amount), "EUR") for amount in amounts]
    assert script_money(amounts, currency) == expected
    if language == "de":
        assert expected[2] == "1.796,40 €"
