"""KeptValues: bounded, least recently used out first."""

from __future__ import annotations

from quotery.core.kept import KeptValues


def test_the_least_recently_used_value_goes_first_when_full() -> None:
    kept: KeptValues[str, int] = KeptValues(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recently used
    kept.put("c", 3)
    assert kept.get("b") is None
    assert (kept.get("a"), kept.get("c")) == (1, 3)


def test_put_returns_the_value_and_replaces_an_old_one() -> None:
    kept: KeptValues[str, int] = KeptValues(2)
    assert kept.put("a", 1) == 1
    kept.put("a", 5)
    assert kept.get("a") == 5
