"""SECURITY.md 5's content security policy on the rep's side: the rep's pages send a strict CSP
without inline script and may not be framed (SECURE_CSP in config/settings/base.py, through
Django's CSP and X-Frame-Options middleware), and the login page has no inline script.

Exercises: django.contrib.auth.views.LoginView, quotery.quotes.views.quote_list
"""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_rep_pages_send_a_csp_without_inline_script(rep, login) -> None:
    # given a logged-in rep
    client = login(rep)

    # when they open the quote list
    response = client.get("/quotes/")

    # then the page forbids inline and third-party script and framing
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_login_page_has_no_inline_script(client) -> None:
    response = client.get("/accounts/login/")
    body = response.content.decode()
    assert "<script>" not in body
    assert "<script src=" in body
