"""SECURITY.md 25: failed logins are limited per account and per address (10 failures, then a
15-minute pause, the defaults in config/settings/base.py); the user is told when to retry; the
Django admin's login is behind the same rule. SECURITY.md 24: none of it logs who or from where.

Exercises: quotery.accounts.login_throttle.AccountThrottle,
quotery.accounts.login_throttle.attempted_email, quotery.accounts.views.login_paused,
django.contrib.auth.views.LoginView, django.contrib.admin.sites.AdminSite.login,
django.contrib.admin.sites.AdminSite.index, quotery.quotes.views.quote_list
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import DEFAULT_PASSWORD
from quotery.accounts.models import User
from tests.security.test_portal_client import console_output

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/django-admin/login/"
WRONG = "not-the-password"
PAUSED_15 = "Sign-in is paused after too many failed attempts. Try again in 15 minutes."
FAILED = "That email and password do not match an account."


def sign_in(browser: HttpClient, email: str, password: str, **headers: Any) -> Any:
    return browser.post(LOGIN, {"username": email, "password": password}, **headers)


def is_logged_in(browser: HttpClient) -> bool:
    return "_auth_user_id" in browser.session


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    """The clock stands still unless the test moves it."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_security_25_forty_wrong_passwords_then_the_right_one_is_refused(rep, frozen):
    browser = HttpClient()

    # when somebody tries forty wrong passwords in a row
    statuses = [sign_in(browser, rep.email, WRONG).status_code for _ in range(40)]

    # then the first nine are told the password is wrong, and from the tenth on sign-in pauses
    assert statuses == [200] * 9 + [429] * 31

    # and the right password now changes nothing: paused, said so on the login page itself
    response = sign_in(browser, rep.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert PAUSED_15 in page
    assert FAILED not in page
    assert 'name="password"' in page and f'value="{rep.email}"' in page
    assert not is_logged_in(browser)
    assert browser.get(reverse("quotes:list")).status_code == 302


def test_security_25_the_owner_logs_in_once_the_pause_is_over(rep, frozen):
    # given an account paused by ten wrong passwords
    browser = HttpClient()
    for _ in range(10):
        sign_in(browser, rep.email, WRONG)

    # when its owner comes back 14 minutes later: one more minute to wait
    frozen.shift(dt.timedelta(minutes=14))
    early = sign_in(browser, rep.email, DEFAULT_PASSWORD)
    assert early.status_code == 429
    assert early["Retry-After"] == "60"
    assert "Try again in 1 minute." in early.content.decode()
    assert not is_logged_in(browser)

    # and once the 15 minutes have passed
    frozen.shift(dt.timedelta(minutes=1, seconds=1))
    response = sign_in(browser, rep.email, DEFAULT_PASSWORD)

    # then the right password logs in, and the account's failures are forgotten
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_logged_in(browser)
    assert not AccessAttempt.objects.filter(username=rep.email).exists()


def test_security_25_one_account_is_paused_whatever_the_address_or_the_email_case(
    rep, manager, frozen
):
    # given ten wrong passwords for one account, each from another address, the email in
    # upper case half of the time
    for n in range(10):
        email = rep.email.upper() if n % 2 else rep.email
        sign_in(HttpClient(REMOTE_ADDR=f"198.51.100.{n + 1}"), email, WRONG)

    # when the owner tries from an address never seen before
    fresh = HttpClient(REMOTE_ADDR="203.0.113.50")
    response = sign_in(fresh, rep.email, DEFAULT_PASSWORD)

    # then that account is paused, and only that account: a colleague logs in from there
    assert response.status_code == 429
    assert PAUSED_15 in response.content.decode()
    assert not is_logged_in(fresh)
    assert sign_in(fresh, manager.email, DEFAULT_PASSWORD).status_code == 302
    assert is_logged_in(fresh)


def test_security_25_one_address_trying_many_accounts_is_paused(rep, frozen):
    # given one address that tried a password on ten different accounts
    sprayer = HttpClient(REMOTE_ADDR="203.0.113.9")
    for n in range(10):
        sign_in(sprayer, f"someone{n}@example.test", "Summer2026!")

    # when a real account's right password comes from that address
    response = sign_in(sprayer, rep.email, DEFAULT_PASSWORD)

    # then the address is paused; the account itself is not, from anywhere else
    assert response.status_code == 429
    assert PAUSED_15 in response.content.decode()
    assert not is_logged_in(sprayer)
    elsewhere = HttpClient(REMOTE_ADDR="198.51.100.4")
    assert sign_in(elsewhere, rep.email, DEFAULT_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for"),
    [
        # no proxy configured: the header is the client's own invention
        (0, "203.0.113.9", "10.0.0.{n}"),
        # one proxy: it appends the real client; whatever the client put before is ignored
        (1, "10.0.0.1", "192.0.2.{n}, 203.0.113.9"),
    ],
)
def test_security_25_a_spoofed_x_forwarded_for_does_not_reset_the_count(
    rep, settings, frozen, proxies, remote_addr, forwarded_for
):
    settings.TRUSTED_PROXY_COUNT = proxies

    # given ten failures from one client, each claiming another address in X-Forwarded-For
    sprayer = HttpClient(REMOTE_ADDR=remote_addr)
    for n in range(10):
        spoofed = forwarded_for.format(n=n + 1)
        sign_in(sprayer, f"someone{n}@example.test", WRONG, HTTP_X_FORWARDED_FOR=spoofed)

    # when it claims yet another address
    response = sign_in(
        sprayer, rep.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR=forwarded_for.format(n=99)
    )

    # then it is still the same, paused, client
    assert response.status_code == 429
    assert not is_logged_in(sprayer)


def test_security_25_behind_a_trusted_proxy_each_client_is_counted_apart(rep, settings, frozen):
    # given one proxy in front of Quotery, and one client behind it that paused its address
    settings.TRUSTED_PROXY_COUNT = 1
    sprayer = HttpClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for n in range(10):
        sign_in(sprayer, f"someone{n}@example.test", WRONG)

    # when another client comes through the same proxy
    colleague = HttpClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    response = sign_in(colleague, rep.email, DEFAULT_PASSWORD)

    # then only the first client's address is paused, not the proxy's
    assert response.status_code == 302
    assert sign_in(sprayer, rep.email, DEFAULT_PASSWORD).status_code == 429


def test_security_25_a_successful_login_clears_the_account_not_the_address(rep, frozen):
    # given an address with five failures on other accounts and four on its own
    office = HttpClient(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        sign_in(office, f"someone{n}@example.test", WRONG)
    for _ in range(4):
        sign_in(office, rep.email, WRONG)

    # when the owner logs in there
    assert sign_in(office, rep.email, DEFAULT_PASSWORD).status_code == 302

    # then the account starts afresh: nine more failures from elsewhere do not pause it
    elsewhere = HttpClient(REMOTE_ADDR="198.51.100.4")
    assert [sign_in(elsewhere, rep.email, WRONG).status_code for _ in range(9)] == [200] * 9
    # but the address keeps its five failures on other accounts: five more pause it
    office.logout()
    statuses = [sign_in(office, f"other{n}@example.test", WRONG).status_code for n in range(5)]
    assert statuses == [200] * 4 + [429]


def test_security_25_the_django_admin_login_is_behind_the_same_rule(rep, frozen):
    # given a staff account, and ten wrong passwords on the Django admin's login
    User.objects.filter(pk=rep.pk).update(is_staff=True, is_superuser=True)
    browser = HttpClient()
    for _ in range(10):
        browser.post(ADMIN_LOGIN, {"username": rep.email, "password": WRONG})

    # when the right password comes, on the admin and on Quotery's own login page
    on_admin = browser.post(ADMIN_LOGIN, {"username": rep.email, "password": DEFAULT_PASSWORD})
    on_login = sign_in(HttpClient(REMOTE_ADDR="198.51.100.4"), rep.email, DEFAULT_PASSWORD)

    # then both are paused, with the same message
    assert on_admin.status_code == 429
    assert PAUSED_15 in on_admin.content.decode()
    assert on_login.status_code == 429
    assert not is_logged_in(browser)
    assert browser.get("/django-admin/").status_code == 302


def test_security_25_login_pauses_log_neither_the_email_nor_the_address(rep, frozen):
    # given a client at a recognisable address
    address = "198.51.100.23"
    browser = HttpClient(REMOTE_ADDR=address)

    # when it pauses an account, is refused, then logs in once the pause is over
    with console_output() as output:
        for _ in range(11):
            sign_in(browser, rep.email, WRONG)
        frozen.shift(dt.timedelta(minutes=16))
        assert sign_in(browser, rep.email, DEFAULT_PASSWORD).status_code == 302

    # then the log says that sign-in was paused, but not for whom or from where
    written = output.getvalue()
    assert "AXES: Locking out" in written
    for personal in (rep.email, rep.email.split("@")[0], address):
        assert personal not in written
    # and no table keeps the successful login either
    assert not AccessLog.objects.exists()


def test_security_25_nine_wrong_passwords_are_only_wrong_and_the_tenth_try_may_succeed(rep):
    browser = HttpClient()
    for _ in range(9):
        page = sign_in(browser, rep.email, WRONG).content.decode()
        assert FAILED in page
        assert "paused" not in page
    assert sign_in(browser, rep.email, DEFAULT_PASSWORD).status_code == 302
    assert is_logged_in(browser)
