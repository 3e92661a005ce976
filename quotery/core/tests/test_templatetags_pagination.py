from __future__ import annotations

from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory

TEMPLATE = Template('{% load pagination %}{% pagination page request "quotes" %}')


def render(url: str, page_number: int) -> str:
    page = Paginator(list(range(60)), 25).get_page(page_number)
    return TEMPLATE.render(Context({"page": page, "request": RequestFactory().get(url)}))


def test_links_keep_the_filters_and_replace_the_page() -> None:
    html = render("/quotes/?state=sent&q=Glo%26bex&page=2", 2)
    assert 'href="?state=sent&amp;q=Glo%26bex&amp;page=1" rel="prev"' in html
    assert 'href="?state=sent&amp;q=Glo%26bex&amp;page=3" rel="next"' in html
    assert "Page 2 of 3 · 60 quotes" in html


def test_first_page_without_filters() -> None:
    html = render("/quotes/", 1)
    assert 'rel="prev"' not in html
    assert 'href="?page=2" rel="next"' in html


def test_a_single_page_shows_no_navigation() -> None:
    page = Paginator(list(range(3)), 25).get_page(1)
    html = TEMPLATE.render(Context({"page": page, "request": RequestFactory().get("/")}))
    assert "pagination" not in html
