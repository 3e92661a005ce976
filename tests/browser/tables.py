"""Reading a table the way a person does: a row's cell texts."""

from __future__ import annotations

from typing import Any


def cells(row: Any) -> list[str]:
    """The row's cell texts, once the row is on the page (reading them does not wait)."""
    row.first.wait_for()
    return [text.strip() for text in row.get_by_role("cell").all_inner_texts()]
