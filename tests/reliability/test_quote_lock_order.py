"""Every service that changes a quote takes the quote's row lock (quotery.quotes.locks) before
it writes or locks anything else, and only that quote's: so two of them never wait on each
other in a circle. PostgreSQL only: SQLite admits one writer at a time and takes no row
locks.

Exercises: quotery.quotes.locks.quote_lock, quotery.quotes.services.quotes.quote_update,
quotery.quotes.services.quotes.quote_cancel, quotery.portal.services.sharing.share_send,
quotery.portal.services.sharing.share_revoke,
quotery.portal.services.sharing.portal_open_record,
quotery.portal.services.sharing.portal_view_confirm,
quotery.portal.services.sharing.portal_pdf_download_record,
quotery.portal.services.acceptance.quote_accept,
quotery.portal.services.answers.quote_request_changes,
quotery.portal.services.answers.quote_decline,
quotery.portal.services.answers.client_message_post,
quotery.portal.services.answers.rep_message_post, quotery.billing.services.payment_status_set,
quotery.engagement.chain.head_re_sign
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from quotery.accounts.models import Company, User
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.engagement.chain import head_re_sign
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.services.answers import (
    client_message_post,
    quote_decline,
    quote_request_changes,
    rep_message_post,
)
from quotery.portal.services.sharing import (
    portal_open_record,
    portal_pdf_download_record,
    portal_view_confirm,
    share_revoke,
    share_send,
)
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    Shared,
    event_kinds,
    latest_revision_hash,
    share_quote,
)
from quotery.portal.view_confirmation import view_token_for
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import Quote
from quotery.quotes.services.quotes import quote_cancel, quote_update
from quotery.quotes.tests.conftest import quote_input
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL concern"
)

# The quote row lock as quotery.quotes.locks writes it (alone, or with the chain head).
QUOTE_ROW_LOCK = re.compile(r"^SELECT [\w, ]+ FROM quotes_quote WHERE id = (\d+) FOR UPDATE$")
ANY_LOCK = re.compile(r"\bFOR (UPDATE|NO KEY UPDATE|SHARE|KEY SHARE)\b")
WRITE = re.compile(r"^(INSERT|UPDATE|DELETE)\b")
BOOKKEEPING = re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


def locks_and_writes(queries: CaptureQueriesContext) -> list[str]:
    """What each statement that locks or writes did, in order: "quote <id>" for the quote
    row lock, else the statement's start."""
    steps = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if BOOKKEEPING.match(sql):
            continue
        if match := QUOTE_ROW_LOCK.match(sql):
            steps.append(f"quote {match[1]}")
        elif ANY_LOCK.search(sql) or WRITE.match(sql):
            steps.append(sql[:60])
    return steps


Act = Callable[[], object]


def update(shared: Shared, rep: User, finance: User) -> Act:
    quote = Quote.objects.select_related("client").get(pk=shared.quote.pk)
    return lambda: quote_update(quote=quote, data=quote_input(quote.client), user=rep)


def share_again(shared: Shared, rep: User, finance: User) -> Act:
    quote = Quote.objects.get(pk=shared.quote.pk)
    return lambda: share_send(
        quote=quote, user=rep, recipient_name="Ben", recipient_email="ben@client.test"
    )


def cancel(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: quote_cancel(quote=Quote.objects.get(pk=shared.quote.pk), user=rep)


def revoke(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: share_revoke(share=shared.share, user=rep)


def open_page(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: portal_open_record(share=shared.share, meta=CLIENT_META)


def confirm_view(shared: Shared, rep: User, finance: User) -> Act:
    opened = portal_open_record(share=shared.share, meta=CLIENT_META)
    token = view_token_for(share=shared.share, open_sequence=opened.sequence)
    return lambda: portal_view_confirm(share=shared.share, view_token=token, meta=CLIENT_META)


def download(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: portal_pdf_download_record(share=shared.share, meta=CLIENT_META)


def accept(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: quote_accept(
        share=shared.share,
        signer_name="Anna Client",
        signer_email="anna@client.test",
        consent=True,
        revision_hash=latest_revision_hash(shared.quote),
        request_meta=CLIENT_META,
    )


def request_changes(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: quote_request_changes(
        share=shared.share, message="Fewer desks, please.", request_meta=CLIENT_META
    )


def decline(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: quote_decline(
        share=shared.share, reason="price", detail="", request_meta=CLIENT_META
    )


def client_writes(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: client_message_post(
        share=shared.share, body="When can you deliver?", request_meta=CLIENT_META
    )


def rep_writes(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: rep_message_post(quote=shared.quote, user=rep, body="Next week.")


def set_paid(shared: Shared, rep: User, finance: User) -> Act:
    Company.objects.filter(pk=shared.quote.company_id).update(finance_gate=True)
    accept(shared, rep, finance)()
    payment = Payment.objects.get(quote_id=shared.quote.pk)
    return lambda: payment_status_set(payment=payment, status=PaymentStatus.PAID, user=finance)


def re_sign_head(shared: Shared, rep: User, finance: User) -> Act:
    return lambda: head_re_sign(shared.quote.pk)


SERVICES = [
    update,
    share_again,
    cancel,
    revoke,
    open_page,
    confirm_view,
    download,
    accept,
    request_changes,
    decline,
    client_writes,
    rep_writes,
    set_paid,
    re_sign_head,
]


@pytest.mark.django_db
@pytest.mark.parametrize("service", SERVICES, ids=[s.__name__ for s in SERVICES])
def test_a_service_that_changes_a_quote_locks_its_row_before_anything_else(
    rep, finance, service
) -> None:  # type: ignore[no-untyped-def]
    # given a quote shared with a client (and a second quote of the same owner)
    shared = share_quote(rep, products=[None], quantities=[Decimal(2)])
    share_quote(rep, email="ben@client.test")
    act = service(shared, rep, finance)

    # when the service runs
    with CaptureQueriesContext(connection) as queries:
        act()

    # then the first thing it locks or writes is the quote's row, and no other quote's
    steps = locks_and_writes(queries)
    assert steps[0] == f"quote {shared.quote.pk}", steps
    assert {step for step in steps if step.startswith("quote ")} == {f"quote {shared.quote.pk}"}


def wait_until_someone_waits_for_a_lock() -> None:
    """Returns once another connection to this database waits for a lock."""
    for _ in range(600):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("nobody waited for a lock")


@pytest.mark.django_db(transaction=True)
def test_revoking_a_link_while_its_page_confirms_a_view_does_not_deadlock(rep) -> None:  # type: ignore[no-untyped-def]
    # given a shared quote, and a beacon's transaction that has taken the quote's row lock
    # and is about to record the viewed revision on the share (as portal_view_confirm does)
    shared = share_quote(rep)
    locked, proceed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def beacon() -> None:
        try:
            with transaction.atomic():
                quote_lock(shared.quote.pk)
                locked.set()
                proceed.wait(timeout=60)
                PortalShare.objects.filter(pk=shared.share.pk).update(last_viewed_revision=1)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def revoke_link() -> None:
        try:
            locked.wait(timeout=60)
            share_revoke(share=shared.share, user=rep)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    # when the rep revokes the link meanwhile
    threads = [threading.Thread(target=beacon), threading.Thread(target=revoke_link)]
    for thread in threads:
        thread.start()
    locked.wait(timeout=60)
    wait_until_someone_waits_for_a_lock()
    proceed.set()
    for thread in threads:
        thread.join(timeout=60)

    # then both finish: the view is recorded, then the link is revoked and logged
    assert errors == []
    share = PortalShare.objects.get(pk=shared.share.pk)
    assert (share.last_viewed_revision, share.revoked_at is not None) == (1, True)
    assert event_kinds(shared.quote.pk)[-1] == "link_revoked"
