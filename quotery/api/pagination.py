"""Cursor pagination (keyset): a page is the rows after the last one of the previous page,
found by an index, so page 400 costs what page 1 costs and rows added meanwhile neither
repeat nor go missing. The cursor is opaque to clients (base64url of the last row's keys)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from quotery.core.exceptions import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class BadParameter(ValidationFailed):
    """A query parameter the API cannot use; `parameter` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, field_errors={parameter: [message]})
        self.parameter = parameter


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    """The cursor after a row with these order values."""
    plain = [value.isoformat() if isinstance(value, dt.datetime) else value for value in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, fields: list[models.Field[Any, Any]]) -> list[Any]:
    """The order values a cursor holds, typed by `fields`; BadParameter if it is not one
    the API gave out."""
    refused = BadParameter(
        "cursor", "This cursor is not one the API gave out; start again without it."
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        raise refused from None
    if not isinstance(values, list) or len(values) != len(fields):
        raise refused
    decoded: list[Any] = []
    for field, value in zip(fields, values, strict=True):
        try:
            if isinstance(field, models.DateTimeField):
                parsed = dt.datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise ValueError(value)
                decoded.append(parsed)
            elif isinstance(field, models.IntegerField | models.AutoField):
                if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
                    raise ValueError(value)
                decoded.append(value)
            else:
                decoded.append(str(value))
        except (TypeError, ValueError):
            raise refused from None
    return decoded


def keyset_page[M: models.Model, T](
    rows: QuerySet[M, T], *, order: tuple[str, ...], cursor: str | None, limit: int
) -> Page[T]:
    """`limit` rows of `rows` in `order` (field names, "-" for descending, the last one
    unique, like "-created_at", "-id") after `cursor`; `next_cursor` is None on the last page.
    Rows may be model instances or `values()` dicts holding the order fields."""
    names = [name.lstrip("-") for name in order]
    fields = [rows.model._meta.get_field(name) for name in names]
    if cursor:
        values = decode_cursor(cursor, fields)  # type: ignore[arg-type]
        after = Q()
        for i, name in enumerate(order):
            op = "lt" if name.startswith("-") else "gt"
            step = Q(**{f"{names[i]}__{op}": values[i]})
            for earlier, value in zip(names[:i], values[:i], strict=True):
                step &= Q(**{earlier: value})
            after |= step
        # The first key's bound on its own (created_at <= x) lets the index start at the
        # cursor instead of reading and dropping every row before it.
        first = "lte" if order[0].startswith("-") else "gte"
        rows = rows.filter(Q(**{f"{names[0]}__{first}": values[0]}), after)
    found = list(rows.order_by(*order)[: limit + 1])
    items = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = items[-1]
        values = [last[n] if isinstance(last, dict) else getattr(last, n) for n in names]
        next_cursor = encode_cursor(values)
    return Page(items=items, next_cursor=next_cursor)
