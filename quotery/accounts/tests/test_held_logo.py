"""A chosen logo carried by the settings page while it has errors: signed, bound to the
company, for a day."""

from __future__ import annotations

import datetime as dt

import time_machine

from quotery.accounts.branding import CleanLogo
from quotery.accounts.held_logo import logo_data_url, logo_held, logo_hold

LOGO = CleanLogo(content=b"\x89PNG\r\n\x1a\npixels", content_type="image/png", extension="png")


def test_a_held_logo_comes_back_as_it_was() -> None:
    value = logo_hold(company_id=7, logo=LOGO)
    assert logo_held(company_id=7, value=value) == LOGO


def test_another_company_an_edit_or_nothing_holds_no_logo() -> None:
    value = logo_hold(company_id=7, logo=LOGO)
    assert logo_held(company_id=8, value=value) is None
    assert logo_held(company_id=7, value=value[:-2] + "xx") is None
    assert logo_held(company_id=7, value="") is None
    assert logo_held(company_id=7, value="not even signed") is None


def test_a_held_logo_lasts_a_day() -> None:
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        value = logo_hold(company_id=7, logo=LOGO)
        clock.shift(dt.timedelta(hours=23, minutes=59))
        assert logo_held(company_id=7, value=value) == LOGO
        clock.shift(dt.timedelta(minutes=2))
        assert logo_held(company_id=7, value=value) is None


def test_the_preview_shows_it_as_a_data_url() -> None:
    assert logo_data_url(LOGO) == "data:image/png;base64,iVBORw0KGgpwaXhlbHM="
