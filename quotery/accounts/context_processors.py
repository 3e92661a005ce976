from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def membership(request: HttpRequest) -> dict[str, Any]:
    member = getattr(request, "membership", None)
    return {"membership": member, "company": member.company if member else None}
