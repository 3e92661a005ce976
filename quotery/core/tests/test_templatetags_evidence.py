"""The evidence template tags: short reference and browser name, full value one click away."""

from __future__ import annotations

from django.template import Context, Template

HASH = "3f9ac21b77d0" + "e" * 52
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


def render(source: str, **context: object) -> str:
    return Template("{% load evidence %}" + source).render(Context(context))


def test_filters_give_the_short_reference_and_the_browser_name():
    assert render("{{ h|short_ref }}", h=HASH) == "3F9A·C21B·77D0"
    assert render("{{ ua|browser }}", ua=CHROME) == "Chrome on Windows"
    assert render("{{ ua|browser }}", ua="") == "Not recorded"


def test_the_full_hash_is_one_click_away_behind_a_named_disclosure():
    html = render("{% evidence_hash h 'content hash' %}", h=HASH)
    assert "3F9A·C21B·77D0" in html
    assert "<details" in html and "<summary>Full content hash</summary>" in html
    assert f'<code class="hash">{HASH}</code>' in html
    assert render("{% evidence_hash h %}", h="") == "Not recorded\n"


def test_the_raw_user_agent_is_one_click_away_and_escaped():
    html = render("{% evidence_browser ua %}", ua=CHROME)
    assert html.startswith('<span class="evidence">Chrome on Windows <details')
    assert CHROME in html
    hostile = render("{% evidence_browser ua %}", ua="<script>alert(1)</script>")
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile
    assert render("{% evidence_browser ua %}", ua="") == "Not recorded\n"
