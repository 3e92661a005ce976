"""The rep's sharing pages (quotery.portal.views.rep): the share form, resend, revoke, the
quote page's share panel and conversation, the reply to the client, and who may do what
(SECURITY.md 21, 23)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import OutboxEmail
from quotery.portal.services.sharing import MESSAGE_MAX, share_revoke, share_send
from quotery.portal.tests.answer_helpers import written
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.links import share_url
from quotery.sharing.models import AuthorKind, ConversationMessage, PortalShare

pytestmark = pytest.mark.django_db


def share_path(quote: Quote) -> str:
    return reverse("sharing:share", args=[quote.pk])


def nothing_written(quote: Quote) -> bool:
    return not (
        PortalShare.objects.filter(quote=quote).exists()
        or QuoteEvent.objects.filter(quote=quote).exists()
        or OutboxEmail.objects.exists()
        or ConversationMessage.objects.filter(quote=quote).exists()
        or mail.outbox
    )


FORM = {
    "recipient_name": "Anna Berg",
    "recipient_email": "anna@example.com",
    "message": "Hello Anna,\nhere is our offer.",
}


def test_share_page_is_prefilled_from_the_quotes_contact(login, rep) -> None:
    # given a draft quote whose contact is Hank
    quote = make_quote(owner=rep)
    contact = quote.contact
    assert contact is not None

    # when the rep opens the share page
    response = login(rep).get(share_path(quote))

    # then the form offers the contact's name and email, and a message field
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{contact.name}"' in html and f'value="{contact.email}"' in html
    assert "Personal message" in html and ">Send</button>" in html


def test_share_page_of_a_quote_without_contact_starts_empty(login, rep) -> None:
    quote = make_quote(owner=rep)
    Quote.objects.filter(pk=quote.pk).update(contact=None)
    html = login(rep).get(share_path(quote)).content.decode()
    assert 'name="recipient_name"' in html
    assert re.search(r'name="recipient_name"[^>]*value=', html) is None


def test_sharing_sends_one_email_logs_the_share_and_redirects_with_a_message(
    login, rep, django_capture_on_commit_callbacks, settings
) -> None:
    # given a draft quote, and no local mailbox
    settings.MAILBOX_DIR = None
    quote = make_quote(owner=rep)
    http = login(rep)

    # when the rep sends the form
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(share_path(quote), FORM)

    # then they are back on the quote with a confirmation
    assert response.status_code == 302
    assert response["Location"] == reverse("quotes:detail", args=[quote.pk])
    page = http.get(response["Location"]).content.decode()
    assert "Shared with anna@example.com" in page
    assert "local mailbox" not in page
    # and the share, the event, the thread message and one email exist
    share = PortalShare.objects.get(quote=quote)
    assert (share.recipient_name, share.recipient_email, share.send_count) == (
        "Anna Berg",
        "anna@example.com",
        1,
    )
    assert list(QuoteEvent.objects.filter(quote=quote).values_list("kind", flat=True)) == [
        EventKind.QUOTE_SHARED,
        EventKind.MESSAGE_POSTED,
    ]
    assert OutboxEmail.objects.get().status == "sent"
    assert len(mail.outbox) == 1
    link = share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    assert link in mail.outbox[0].body


def test_success_message_points_to_the_local_mailbox_when_there_is_one(
    login, rep, settings, tmp_path
) -> None:
    settings.MAILBOX_DIR = tmp_path
    quote = make_quote(owner=rep)
    http = login(rep)
    response = http.post(share_path(quote), FORM, follow=True)
    html = response.content.decode()
    assert "Shared with anna@example.com." in html
    assert f'<a href="{reverse("mailbox:list")}">Open the local mailbox</a> to follow the link' in (
        html
    )


BAD_INPUT = [
    ({"recipient_name": ""}, "recipient_name", "Enter the client&#x27;s name."),
    ({"recipient_name": "Anna\r\nBcc: x@evil.test"}, "recipient_name", "one line"),
    ({"recipient_email": "not-an-email"}, "recipient_email", "like anna@example.com"),
    ({"recipient_email": "anna@example.com\r\nBcc: x@evil.test"}, "recipient_email", "like anna"),
    ({"recipient_email": ""}, "recipient_email", "Enter the client&#x27;s email address."),
    ({"message": "x" * (MESSAGE_MAX + 1)}, "message", f"at most {MESSAGE_MAX} characters"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD_INPUT)
def test_bad_input_is_explained_beside_its_field_and_nothing_is_sent_or_logged(
    login, rep, django_capture_on_commit_callbacks, change, field, words
) -> None:
    # given a draft quote
    quote = make_quote(owner=rep)
    data = {**FORM, **change}

    # when the rep sends the form with one bad field
    with django_capture_on_commit_callbacks(execute=True):
        response = login(rep).post(share_path(quote), data)

    # then the form comes back with the message beside the field and what was typed
    html = response.content.decode()
    assert response.status_code == 422
    assert words in html
    assert re.search(rf'id="id_{field}_error"|aria-invalid="true"[^>]*name="{field}"', html) or (
        f'name="{field}"' in html and "errorlist" in html
    )
    kept = "Hello Anna,\nhere is our offer." if field != "message" else "x" * 50
    assert kept in html
    # and nothing was written, logged or sent; the quote is still a draft
    assert nothing_written(quote)
    quote.refresh_from_db()
    assert quote.state == QuoteState.DRAFT and quote.revision_number == 0


def test_a_quote_that_cannot_be_shared_is_explained_and_nothing_is_sent(
    login, rep, django_capture_on_commit_callbacks
) -> None:
    # given an accepted quote
    quote = make_quote(owner=rep)
    Quote.objects.filter(pk=quote.pk).update(state=QuoteState.ACCEPTED)
    http = login(rep)

    # then the share page says why; the quote page, won, offers no Share at all (neither
    # live nor disabled)
    page = http.get(share_path(quote)).content.decode()
    assert "This quote is accepted, so it cannot be shared." in page
    detail = http.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    assert "share-unavailable" not in detail
    assert ">Share</" not in detail
    assert reverse("sharing:share", args=[quote.pk]) not in detail

    # and a post anyway is refused with the reason, writing nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(share_path(quote), FORM)
    assert response.status_code == 422
    assert "cannot be shared" in response.content.decode()
    assert nothing_written(quote)


def test_hostile_name_and_message_are_escaped_on_the_quote_page(login, rep) -> None:
    """SECURITY.md 21 on the rep's side: the share panel and the conversation."""
    quote = make_quote(owner=rep)
    share_send(
        quote=quote,
        user=rep,
        recipient_name='<script>alert("n")</script>',
        recipient_email="anna@example.com",
        message="<img src=x onerror=alert(1)>\nsecond line & more",
    )
    ConversationMessage.objects.create(
        company=quote.company,
        quote=quote,
        author_kind=AuthorKind.CLIENT,
        author_name="<b>Client</b>",
        author_email="anna@example.com",
        body="<script>alert(2)</script>\nThanks!",
    )
    html = login(rep).get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Client" not in html
    assert "&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;<br>second line &amp; more" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;<br>Thanks!" in html


def test_quote_page_lists_each_share_with_its_link_counts_and_the_thread_in_order(
    login, company, rep
) -> None:
    # given a quote shared twice with Anna, once with Bob whose link was then revoked
    company.time_zone = "America/New_York"
    company.save()
    quote = make_quote(owner=rep)
    anna = share_send(
        quote=quote,
        user=rep,
        recipient_name="Anna",
        recipient_email="anna@example.com",
        message="First",
    )
    anna = share_send(
        quote=quote,
        user=rep,
        recipient_name="Anna",
        recipient_email="anna@example.com",
        message="Second",
    )
    bob = share_send(quote=quote, user=rep, recipient_name="Bob", recipient_email="bob@example.com")
    share_revoke(share=bob, user=rep)

    # when the rep opens the quote
    html = login(rep).get(reverse("quotes:detail", args=[quote.pk])).content.decode()

    # then Anna's row has her live link, two sends, the time in the company's zone
    assert "Shared with" in html
    link = share_url(key=anna.key, quote_id=quote.pk, email="anna@example.com")
    assert f'value="{link}"' in html
    assert "Sent 2 times" in html
    assert re.search(r"last \d+ \w+ \d{4}, \d\d:\d\d E[SD]T", html)
    # Bob's row says revoked and offers no link, only a resend with a new link
    bob_link = share_url(key=bob.key, quote_id=quote.pk, email="bob@example.com")
    assert bob_link not in html
    assert "Revoked" in html and "Resend with a new link" in html
    assert reverse("sharing:revoke", args=[quote.pk, anna.pk]) in html
    assert reverse("sharing:revoke", args=[quote.pk, bob.pk]) not in html
    assert 'data-confirm="Revoke the link for anna@example.com?' in html
    # and the thread shows both messages in order
    assert html.index(">First<") < html.index(">Second<")


def test_quote_page_queries_do_not_grow_with_shares_and_messages(
    login, rep, django_assert_max_num_queries
) -> None:
    def shared(count: int) -> Quote:
        quote = make_quote(owner=rep)
        for i in range(count):
            share_send(
                quote=quote,
                user=rep,
                recipient_name=f"R{i}",
                recipient_email=f"r{i}@example.com",
                message=f"Message {i}",
            )
        return quote

    one, many = shared(1), shared(8)
    http = login(rep)
    url_one = reverse("quotes:detail", args=[one.pk])
    http.get(url_one)
    with CaptureQueriesContext(connection) as small:
        assert http.get(url_one).status_code == 200
    with django_assert_max_num_queries(len(small)):
        html = http.get(reverse("quotes:detail", args=[many.pk])).content.decode()
    assert "r7@example.com" in html and "Message 7" in html


def test_resend_sends_a_fresh_email_with_the_same_link(
    login, rep, django_capture_on_commit_callbacks
) -> None:
    # given a quote shared with Anna
    quote = make_quote(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        share = share_send(
            quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
        )
    link = share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)

    # when the rep presses Resend
    with django_capture_on_commit_callbacks(execute=True):
        response = login(rep).post(reverse("sharing:resend", args=[quote.pk, share.pk]))

    # then a second email with the same link went out and the resend is logged
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.send_count == 2 and share.key == share.key
    assert len(mail.outbox) == 2 and link in mail.outbox[1].body
    assert OutboxEmail.objects.count() == 2
    shared_events = QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_SHARED)
    assert [event.data["resend"] for event in shared_events] == [False, True]


def test_resending_a_revoked_share_gives_a_new_link(login, rep) -> None:
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )
    old_key = share.key
    share_revoke(share=share, user=rep)
    login(rep).post(reverse("sharing:resend", args=[quote.pk, share.pk]))
    share.refresh_from_db()
    assert not share.is_revoked and share.key != old_key and share.send_count == 2


def test_revoke_kills_the_link_and_logs_it(login, rep) -> None:
    # given a shared quote
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )

    # when the rep revokes it (twice: the second press changes nothing)
    http = login(rep)
    response = http.post(reverse("sharing:revoke", args=[quote.pk, share.pk]), follow=True)
    http.post(reverse("sharing:revoke", args=[quote.pk, share.pk]))

    # then the share is revoked once and the page says what happened
    share.refresh_from_db()
    assert share.is_revoked
    assert "no longer opens the quote" in response.content.decode()
    assert QuoteEvent.objects.filter(quote=quote, kind=EventKind.LINK_REVOKED).count() == 1


@pytest.mark.parametrize("name", ["resend", "revoke"])
def test_resend_and_revoke_refuse_get(login, rep, name) -> None:
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )
    response = login(rep).get(reverse(f"sharing:{name}", args=[quote.pk, share.pk]))
    assert response.status_code == 405
    share.refresh_from_db()
    assert share.send_count == 1 and not share.is_revoked


# SECURITY.md 23: foreign ids, other quotes' shares, other reps' quotes, read-only roles.


@pytest.fixture
def foreign(db):  # type: ignore[no-untyped-def]
    """A shared quote of another company."""
    other_rep = member(CompanyFactory(), Role.REP)
    quote = make_quote(owner=other_rep)
    share = share_send(
        quote=quote, user=other_rep, recipient_name="Eve", recipient_email="eve@example.com"
    )
    return quote, share


def untouched(share: PortalShare) -> bool:
    share.refresh_from_db()
    return share.send_count == 1 and not share.is_revoked and OutboxEmail.objects.count() == 1


def test_security_23_share_of_a_foreign_quote_is_404(login, manager, foreign) -> None:
    quote, share = foreign
    http = login(manager)
    assert http.get(share_path(quote)).status_code == 404
    assert http.post(share_path(quote), FORM).status_code == 404
    assert PortalShare.objects.filter(quote=quote).count() == 1 and untouched(share)


@pytest.mark.parametrize("name", ["resend", "revoke"])
def test_security_23_resend_and_revoke_of_a_foreign_share_are_404(
    login, manager, foreign, name
) -> None:
    quote, share = foreign
    # given the manager's own shared quote
    own = make_quote(owner=manager)
    own_share = share_send(
        quote=own, user=manager, recipient_name="Anna", recipient_email="anna@example.com"
    )
    http = login(manager)
    # a foreign quote with its share, and the foreign share under the manager's own quote
    assert http.post(reverse(f"sharing:{name}", args=[quote.pk, share.pk])).status_code == 404
    assert http.post(reverse(f"sharing:{name}", args=[own.pk, share.pk])).status_code == 404
    # and the manager's own share under the foreign quote
    assert http.post(reverse(f"sharing:{name}", args=[quote.pk, own_share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.send_count == 1 and not share.is_revoked
    own_share.refresh_from_db()
    assert own_share.send_count == 1 and not own_share.is_revoked


@pytest.mark.parametrize("name", ["resend", "revoke"])
def test_security_23_a_share_of_another_quote_of_the_same_company_is_404(login, rep, name) -> None:
    first, second = make_quote(owner=rep), make_quote(owner=rep)
    share = share_send(
        quote=first, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )
    response = login(rep).post(reverse(f"sharing:{name}", args=[second.pk, share.pk]))
    assert response.status_code == 404
    share.refresh_from_db()
    assert share.send_count == 1 and not share.is_revoked


def test_security_23_a_rep_cannot_share_another_reps_quote(login, company, rep) -> None:
    colleague = member(company, Role.REP)
    quote = make_quote(owner=colleague)
    http = login(rep)
    assert http.get(share_path(quote)).status_code == 404
    assert http.post(share_path(quote), FORM).status_code == 404
    assert not PortalShare.objects.exists()


@pytest.mark.parametrize("name", ["share", "resend", "revoke"])
def test_finance_cannot_share_resend_or_revoke(login, company, manager, finance, name) -> None:
    # given a shared quote that finance can see (accepted)
    quote = make_quote(owner=manager)
    share = share_send(
        quote=quote, user=manager, recipient_name="Anna", recipient_email="anna@example.com"
    )
    Quote.objects.filter(pk=quote.pk).update(state=QuoteState.ACCEPTED)
    http = login(finance)
    if name == "share":
        url = share_path(quote)
        assert http.get(url).status_code == 404
    else:
        url = reverse(f"sharing:{name}", args=[quote.pk, share.pk])
    assert http.post(url, FORM).status_code == 404
    assert untouched(share)
    # and the quote page shows finance no share actions
    detail = http.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    assert ">Share<" not in detail and ">Revoke<" not in detail and ">Resend<" not in detail


def test_anonymous_visitors_are_sent_to_log_in(client, rep) -> None:
    quote = make_quote(owner=rep)
    response = client.post(share_path(quote), FORM)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not PortalShare.objects.exists()


def test_manager_and_admin_can_share_any_quote_of_the_company(
    login, company, rep, manager, admin_user
) -> None:
    for user in (manager, admin_user):
        quote = make_quote(owner=rep)
        response = login(user).post(share_path(quote), FORM)
        assert response.status_code == 302
        assert PortalShare.objects.filter(quote=quote, created_by=user).exists()


def test_resend_of_a_quote_that_can_no_longer_be_shared_is_explained_and_sends_nothing(
    login, rep, django_capture_on_commit_callbacks
) -> None:
    # given a shared quote that the client has since accepted
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )
    Quote.objects.filter(pk=quote.pk).update(state=QuoteState.ACCEPTED)
    events = QuoteEvent.objects.count()

    # when a stale page's Resend is pressed
    with django_capture_on_commit_callbacks(execute=True):
        response = login(rep).post(
            reverse("sharing:resend", args=[quote.pk, share.pk]), follow=True
        )

    # then the reason is shown and nothing was sent or logged
    assert "cannot be shared" in response.content.decode()
    share.refresh_from_db()
    assert share.send_count == 1 and OutboxEmail.objects.count() == 1
    assert QuoteEvent.objects.count() == events and mail.outbox == []


def test_share_panel_links_to_the_client_preview(login, rep) -> None:
    quote = make_quote(owner=rep)
    share_send(quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com")
    html = login(rep).get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    assert f'<a href="{reverse("portal:preview", args=[quote.pk])}"' in html
    assert "Preview as client" in html


# ---------------------------------------------------------------------------------------
# The rep's reply


def reply_url(quote) -> str:  # type: ignore[no-untyped-def]
    return reverse("sharing:reply", args=[quote.pk])


def test_the_quote_page_offers_a_reply_when_a_link_is_live(login, rep):
    shared = share_quote(rep)
    http = login(rep)
    html = http.get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()
    assert '<label for="id_reply_body">Reply to the client</label>' in html
    assert f'action="{reply_url(shared.quote)}"' in html
    share_revoke(share=shared.share, user=rep)
    html = http.get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()
    assert 'id="id_reply_body"' not in html


def test_the_rep_replies_from_the_quote_page(login, rep):
    shared = share_quote(rep)
    response = login(rep).post(reply_url(shared.quote), {"body": "Yes, installation included."})
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("quotes:detail", args=[shared.quote.pk]) + "#conversation"
    )
    note = ConversationMessage.objects.get(body="Yes, installation included.")
    assert note.author_user == rep


def test_an_empty_reply_is_422_and_writes_nothing(login, rep):
    shared = share_quote(rep)
    before = written()
    response = login(rep).post(reply_url(shared.quote), {"body": ""})
    assert response.status_code == 422
    assert "Write your message first." in response.content.decode()
    assert written() == before


def test_a_reply_with_no_live_link_says_so(login, rep):
    shared = share_quote(rep)
    share_revoke(share=shared.share, user=rep)
    before = written()
    response = login(rep).post(reply_url(shared.quote), {"body": "Hello?"})
    assert response.status_code == 422
    assert "share it first" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("who", ["other company", "other rep", "finance"])
def test_security_23_the_reply_finds_only_quotes_the_member_may_edit(
    login, rep, company, other_company, who
):
    shared = share_quote(rep)
    stranger = {
        "other company": lambda: member(other_company, Role.ADMIN),
        "other rep": lambda: member(company, Role.REP),
        "finance": lambda: member(company, Role.FINANCE),
    }[who]()
    before = written()
    response = login(stranger).post(reply_url(shared.quote), {"body": "Hi"})
    assert response.status_code == 404
    assert written() == before


def test_the_reply_needs_a_login(rep):
    shared = share_quote(rep)
    response = HttpClient().post(reply_url(shared.quote), {"body": "Hi"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not ConversationMessage.objects.filter(body="Hi").exists()
