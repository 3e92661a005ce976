"""The client page on a 375 px phone and at 1280 px: no number or email broken mid-word,
help text clear of its field, one banner after a change request, the rep called by name,
links in the brand that read on their background; and on the rep's side the branding
preview that is the client page's own header, a settings error that keeps the chosen logo,
and the Share dialog's Portal Share step on a phone.

Exercises: quotery.portal.views.client.page, quotery.portal.views.answers.changes,
quotery.accounts.views.company_settings, quotery.portal.templatetags.portal_rep.share_actions
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Company, Role, User
from quotery.accounts.tests.images import png_bytes
from quotery.portal.tests.portal_fixtures import Shared, client_message, share_quote
from tests.browser.accessibility import serious_violations
from tests.browser.overflow import text_overflows, wrapped
from tests.browser.test_quote_editor import log_in
from tests.browser.test_start_page import WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REP_EMAIL = "maximilian.oberhausen-wetherington@hafenblick-architekten.example"

# Where the text of an email link moves to a new line: the characters on either side.
EMAIL_BREAKS_JS = """
(link) => {
  const chars = [];
  const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i += 1) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      chars.push([node.data[i], Math.round(range.getBoundingClientRect().top)]);
    }
  }
  const breaks = [];
  for (let i = 1; i < chars.length; i += 1) {
    if (chars[i][1] > chars[i - 1][1]) breaks.push(chars[i - 1][0] + chars[i][0]);
  }
  return breaks;
}
"""

# Each visible link's colour against the first opaque background behind it (WCAG ratio).
LINK_CONTRAST_JS = """
() => {
  const rgb = (value) => value.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((c) => {
      c /= 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const colour = rgb(getComputedStyle(el).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("main a")]
    .filter((a) => a.getClientRects().length && !a.closest("[hidden]"))
    .filter((a) => !a.matches(".button-link:not(.button-link--secondary)"))
    .map((a) => {
      const [l1, l2] = [luminance(rgb(getComputedStyle(a).color)), luminance(background(a))];
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      return [a.textContent.trim().slice(0, 30), Math.round(ratio * 100) / 100];
    });
}
"""


def long_names_quote(brand_colour: str = "#ffd400") -> tuple[User, Shared]:
    company = CompanyFactory(name="Hafenblick Architekten GmbH & Co. KG", brand_colour=brand_colour)
    rep = member(company, Role.REP, email=REP_EMAIL, full_name="Maximilian Oberhausen")
    shared = share_quote(rep, sections=2, lines_per_section=3, quantities=["1234567", "3", "12"])
    client_message(shared, "Could the desks come in oak?")
    return rep, shared


def phone_or_desktop(browser: Any, live_server: Any, width: int) -> Any:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    return context


def open_client_page(browser: Any, live_server: Any, width: int) -> tuple[Any, Any]:
    """A context at `width` and its page on a long-named company's client page."""
    _, shared = long_names_quote()
    context = phone_or_desktop(browser, live_server, width)
    page = context.new_page()
    page.goto(shared.url)
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_client_page_keeps_numbers_and_emails_whole_and_fits(  # type: ignore[no-untyped-def]
    browser, live_server, width
) -> None:
    context, page = open_client_page(browser, live_server, width)
    page.get_by_role("heading", name="Office fit-out").wait_for()

    # amounts, quantities and dates stay on one line; the address breaks only after its
    # @, before a dot or after a hyphen
    assert wrapped(page, "main .num, main time, .action-bar__total strong") == []
    email = page.locator("a.email")
    for pair in email.evaluate(EMAIL_BREAKS_JS):
        assert pair[0] in "@-" or pair[1] == ".", f"{REP_EMAIL} broke inside a word: {pair}"

    # help text sits below its field, clear of it
    field = page.get_by_label("Write a message").bounding_box()
    help_text = page.locator("#client-reply-help").bounding_box()
    assert help_text["y"] >= field["y"] + field["height"]

    # links in the pale brand colour still read on their backgrounds
    for text, ratio in page.evaluate(LINK_CONTRAST_JS):
        assert ratio >= 4.5, f"link {text!r} reads at {ratio}:1"

    assert text_overflows(page) == []
    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_one_banner_after_a_change_request_naming_the_rep(  # type: ignore[no-untyped-def]
    browser, live_server, width
) -> None:
    context, page = open_client_page(browser, live_server, width)
    page.get_by_role("navigation", name="Answer this quote").get_by_role(
        "link", name="Request changes"
    ).click()
    page.get_by_text("Tell Maximilian Oberhausen what you would like changed.").wait_for()
    page.get_by_label("What would you like changed?").fill("Oak desks, please.")
    page.get_by_role("button", name="Send").click()

    page.get_by_text("Your request for changes was sent.").wait_for()
    banners = page.locator("main .notice")
    assert banners.count() == 1
    assert "Maximilian Oberhausen will update the quote" in banners.inner_text()
    assert text_overflows(page) == []
    assert serious_violations(page) == []
    context.close()


def admin_of(company: Company) -> User:
    return member(company, Role.ADMIN, email="ada@hafenblick.test", full_name="Ada Admin")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_branding_preview_is_the_client_pages_header(  # type: ignore[no-untyped-def]
    browser, live_server, width
) -> None:
    _, shared = long_names_quote(brand_colour="#0b7a3e")
    admin = admin_of(shared.quote.company)
    context = phone_or_desktop(browser, live_server, width)
    page = context.new_page()
    page.goto(shared.url)
    # colours, weight, display, and the font size relative to the page's own root size
    # (the client page reads larger on a wide screen, the rep's pages do not)
    style = (
        "e => { const s = getComputedStyle(e); const root = "
        "parseFloat(getComputedStyle(document.documentElement).fontSize); return "
        "[s.backgroundColor, s.color, s.fontWeight, parseFloat(s.fontSize) / root, s.display] }"
    )
    client_header = page.locator(".portal-header").evaluate(style)
    client_name = page.locator(".portal-company").evaluate(style)
    client_label = page.locator(".portal-header__label").inner_text()

    log_in(page, admin.email)
    page.goto("/accounts/settings/")
    preview = page.locator("#branding-preview")
    assert preview.locator(".portal-header").evaluate(style) == client_header
    assert preview.locator(".portal-company").evaluate(style) == client_name
    assert preview.locator(".portal-company").inner_text() == "Hafenblick Architekten GmbH & Co. KG"
    assert client_label == preview.locator(".portal-header__label").inner_text().replace(
        "Q-2026-0001", shared.quote.number
    )

    # typing another colour follows at once, with dark text on a pale colour and links
    # darkened to read
    page.get_by_label("Brand colour").fill("#ffd400")
    header = preview.locator(".portal-header").evaluate(style)
    assert header[:2] == ["rgb(255, 212, 0)", "rgb(0, 0, 0)"]
    link = preview.locator("[data-preview='link']").evaluate("e => getComputedStyle(e).color")
    assert link == "rgb(129, 107, 0)"  # #816b00, as branding.link_colour computes it
    assert text_overflows(page) == []
    assert serious_violations(page) == []
    context.close()


def test_a_settings_error_keeps_the_chosen_logo(page, live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, shared = long_names_quote(brand_colour="#0b7a3e")
    admin = admin_of(shared.quote.company)
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes(size=(120, 40), colour="#0b7a3e"))
    log_in(page, admin.email)
    page.goto("/accounts/settings/")

    # given a chosen logo and a mistyped colour
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_label("Brand colour").fill("green")
    page.get_by_role("button", name="Save settings").click()

    # then nothing is saved, the logo is kept and shown in the preview
    page.get_by_text("Nothing was saved").wait_for()
    page.get_by_text("The logo you chose is kept").wait_for()
    preview_logo = page.locator("#branding-preview img.portal-logo")
    assert preview_logo.is_visible()
    assert (preview_logo.get_attribute("src") or "").startswith("data:image/png;base64,")

    # when the colour is fixed and the page saved, without choosing the file again
    page.get_by_label("Brand colour").fill("#0b7a3e")
    page.get_by_role("button", name="Save settings").click()

    # then the logo is the company's, and the client sees it in the header
    page.get_by_text("Settings saved.").wait_for()
    assert page.get_by_role("img", name="Current logo of Hafenblick Architekten GmbH & Co. KG")
    page.goto(shared.url)
    header_logo = page.locator(".portal-header img.portal-logo")
    assert header_logo.is_visible()
    assert header_logo.evaluate("e => e.naturalWidth") == 120


def test_the_share_dialog_keeps_its_portal_share_step_on_a_phone(  # type: ignore[no-untyped-def]
    browser, live_server
) -> None:
    company = CompanyFactory(name="Northwind Office Supply")
    rep = member(company, Role.REP, email="riley@northwind.test", full_name="Riley Rep")
    shared = share_quote(rep)
    context = phone_or_desktop(browser, live_server, 375)
    page = context.new_page()
    log_in(page, rep.email)
    page.goto(f"/quotes/{shared.quote.pk}/")

    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Share {shared.quote.number}")
    # first the choice, with Portal Share and what it does
    portal_share = dialog.get_by_role("button", name="Portal Share")
    assert portal_share.is_visible()
    assert dialog.get_by_text("A branded email with a secure link").is_visible()
    assert dialog.get_by_label("Client email").is_hidden()
    portal_share.click()
    # then the Portal Share form
    dialog.get_by_role("heading", name="Portal Share").wait_for()
    assert dialog.get_by_label("Client email").is_visible()
    assert dialog.get_by_role("button", name="Send").is_visible()
    assert text_overflows(page) == []
    assert serious_violations(page) == []
    context.close()
