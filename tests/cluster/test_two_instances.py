"""Quotery as a cluster: two gunicorn instances behind nginx, a task worker and a scheduler
beside each, one PostgreSQL database, an S3 bucket (moto's server) and an SMTP server
(aiosmtpd), every process started from deploy/ (the Procfile's commands, the environment
file's variables, the nginx site with only its addresses substituted), so the example
configuration is one this test has run.

A rep signs in through nginx and shares a quote; the client follows the emailed link, has
its views counted by the beacon, downloads the PDF; then twenty clients accept at once,
spread over both instances, while instance b is stopped with SIGTERM mid-run. Exactly one
acceptance, one sealed PDF in the bucket (the same bytes from either instance), one email per
recipient, every counted view, `manage.py verify` clean, and no 5xx to any accept. A POST
that an instance took but never read goes to the other one; one scheduler leads at a time;
every process ends cleanly on SIGTERM.

Exercises: deploy/Procfile, deploy/quotery.env.example, deploy/nginx/quotery.conf,
deploy/systemd/, gunicorn.conf.py, config.settings.production,
quotery.portal.views.rep.share, quotery.portal.views.client.page,
quotery.portal.views.client.seen, quotery.portal.views.client.pdf,
quotery.portal.views.acceptance.accept, quotery.portal.views.acceptance.accepted_pdf_download,
quotery.documents.acceptance.accepted_pdf, quotery.engagement.management.commands.verify,
quotery.core.health, quotery.core.gunicorn_worker, quotery.scheduler.leadership,
quotery.scheduler.management.commands.run_worker
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from django.db import connection

from tests.cluster.cluster import Cluster, running_cluster
from tests.cluster.processes import CrashedInstance, wait_until
from tests.cluster.proxy import require_nginx
from tests.cluster.web import Answer, Browser, data_attribute, field_value

CLIENT_EMAIL = "anna@client.test"
VIEWS = 4  # views counted while both instances run (through nginx: spread over both)
# Pages opened before instance b stops, their beacons sent after, one a second until nginx
# tries b again (it leaves a failed instance alone for fail_timeout, 10 s).
LATE_PAGES = 14
ACCEPTS = 20
ACCEPTED_PREFIX = "documents/accepted/"


@pytest.mark.cluster
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The cluster shares one PostgreSQL database between processes: SQLite is for one "
    "machine (run with DATABASE_URL=postgres://..., as bin/test's PostgreSQL run does).",
)
def test_two_instances_behind_nginx_share_view_accept_while_one_stops(s3_server) -> None:
    require_nginx()
    started = time.monotonic()
    with running_cluster(os.environ["DATABASE_URL"], s3_server) as cluster:
        try:
            print(f"cluster up in {time.monotonic() - started:.1f} s")
            check_the_journey(cluster)
        except BaseException:
            print(cluster.processes.report())
            raise
    print(f"whole test {time.monotonic() - started:.1f} s")


def check_the_journey(cluster: Cluster) -> None:
    link = share_as_rep(cluster)
    client = Browser(cluster.base_url, tls=cluster.tls, agent="Mozilla/5.0 (Anna)")
    views = count_views(client, link)
    late_pages = [client.get(link) for _ in range(LATE_PAGES)]
    pdf = client.get(link + "pdf/")
    assert pdf.status == 200, pdf.status
    assert pdf.headers.get("Content-Type") == "application/pdf"
    assert pdf.body.startswith(b"%PDF")

    race = accept_twenty_while_b_stops(cluster, link)
    check_race_answers(cluster, race)
    views += confirm_views_while_b_is_down(cluster, client, late_pages)

    # instance b comes back with the same configuration
    cluster.start_instance("b")
    accepted_pdf = check_one_sealed_pdf(cluster, link)
    winner = f"signer{race.winner}@client.test"
    check_one_email_each(cluster, winner=winner, accepted_pdf=accepted_pdf)

    facts = cluster.facts()
    assert facts["state"] == "closed", facts
    assert [a["signer_email"] for a in facts["acceptances"]] == [winner], facts
    # Behind one trusted proxy the address is the one nginx saw, not the spoofed header.
    assert [a["ip"] for a in facts["acceptances"]] == ["127.0.0.1"], facts
    assert facts["accepted_events"] == 1, facts
    assert facts["delivery_notes"] == 1, facts
    assert facts["notifications"] == 1, facts
    assert facts["views"] == views, facts
    assert VIEWS + 1 <= views <= VIEWS + LATE_PAGES, views
    # the quote's PDF once, the accepted PDF three times (nginx, a, b): each one recorded
    assert facts["pdf_downloads"] == 4, facts
    assert all(status == "sent" for _, _, status in facts["outbox"]), facts

    verified = cluster.python("verify", "manage.py", "verify")
    print(verified)
    check_one_scheduler_leads(cluster, facts)
    stop_everything_with_sigterm(cluster)


def check_one_scheduler_leads(cluster: Cluster, facts: dict[str, object]) -> None:
    """Two schedulers run; one holds the lead (the advisory lock), so each periodic task was
    enqueued once. Stopped with SIGTERM, the leader lets go and the other takes over."""
    assert facts["scheduler_locks"] == 1, facts
    tasks = facts["tasks"]
    assert isinstance(tasks, dict)
    assert tasks["quotery.engagement.tasks.expire_due_quotes"] == 1, tasks  # every 600 s
    assert tasks["quotery.core.tasks.refresh_planner_statistics"] == 1, tasks  # daily
    leaders = [
        name
        for name in ("scheduler-a", "scheduler-b")
        if "Scheduler: leading" in cluster.processes.tail(name, lines=200)
    ]
    assert len(leaders) == 1, leaders
    follower = "scheduler-b" if leaders == ["scheduler-a"] else "scheduler-a"
    cluster.processes.terminate(leaders[0])
    assert cluster.processes.wait(leaders[0], timeout=40) == 0
    wait_until(
        lambda: "Scheduler: leading" in cluster.processes.tail(follower, lines=200),
        what=f"{follower} to take the lead",
        timeout=30,
    )
    assert cluster.facts()["scheduler_locks"] == 1


def stop_everything_with_sigterm(cluster: Cluster) -> None:
    """Each Quotery process ends on SIGTERM (what systemd and container runtimes send) with
    exit status 0, within the units' TimeoutStopSec."""
    names = [
        name
        for name in ("web-a", "web-b", "worker-a", "worker-b", "scheduler-a", "scheduler-b")
        if cluster.processes.running[name].process.poll() is None
    ]
    for name in names:
        cluster.processes.terminate(name)
    exits = {name: cluster.processes.wait(name, timeout=40) for name in names}
    assert exits == dict.fromkeys(names, 0), exits


def share_as_rep(cluster: Cluster) -> str:
    """The rep signs in through nginx and shares the quote; returns the emailed link's path."""
    rep = Browser(cluster.base_url, tls=cluster.tls, agent="Mozilla/5.0 (Riley)")
    login = rep.get("/accounts/login/")
    assert login.status == 200, login.status
    signed_in = rep.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": field_value(login.text, "csrfmiddlewaretoken"),
            "username": cluster.rep_email,
            "password": cluster.password,
        },
    )
    assert signed_in.status == 302, (signed_in.status, signed_in.text[:2000])
    form = rep.get(f"/quotes/{cluster.quote_id}/share/")
    assert form.status == 200, form.status
    shared = rep.post(
        f"/quotes/{cluster.quote_id}/share/",
        {
            "csrfmiddlewaretoken": field_value(form.text, "csrfmiddlewaretoken"),
            "recipient_name": "Anna Client",
            "recipient_email": CLIENT_EMAIL,
            "message": "Here is the quote we discussed.",
        },
    )
    assert shared.status == 302, (shared.status, shared.text[:2000])
    email = cluster.inbox.wait_for(1, timeout=30)[0]
    assert parseaddr(str(email["To"]))[1] == CLIENT_EMAIL
    text = email.get_body(preferencelist=("plain",))
    assert text is not None
    # The link is built from BASE_URL, nginx's public address (SECURITY.md 6).
    match = re.search(re.escape(cluster.base_url) + r"(/p/[A-Za-z0-9_.:-]+/)", text.get_content())
    assert match, text.get_content()
    return match.group(1)


def count_views(client: Browser, link: str) -> int:
    """Opens the page VIEWS times; each page's beacon confirms its own open (a counted view)."""
    counted = 0
    for _ in range(VIEWS):
        page = client.get(link)
        assert page.status == 200, page.status
        assert send_beacon(client, page).status == 204
        counted += 1
    return counted


def send_beacon(client: Browser, page: Answer) -> Answer:
    """What the page's script posts once it has been visible: its own signed open token."""
    return client.post(
        data_attribute(page.text, "seen-url"),
        {"open": data_attribute(page.text, "open")},
        headers={"X-CSRFToken": data_attribute(page.text, "csrf")},
    )


def confirm_views_while_b_is_down(cluster: Cluster, client: Browser, pages: list[Answer]) -> int:
    """With instance b gone, something on its port takes a POST and dies before reading it
    (as a crashed instance's queue is reset). nginx had sent the POST, so only
    `non_idempotent` lets it go to instance a instead of answering 502. Every beacon counts.
    Returns how many beacons were sent."""
    assert all(page.status == 200 for page in pages)
    crashed = CrashedInstance(cluster.ports["b"])
    answers = []
    try:
        # Round robin sends one of any two to b, unless b failed within the last 10 s (a
        # connection refused at the end of the race): then nginx waits before it tries again.
        for page in pages:
            answers.append(send_beacon(client, page).status)
            if crashed.peeked:
                break
            time.sleep(1)
    finally:
        crashed.close()
    assert answers == [204] * len(answers), answers
    assert crashed.peeked == b"POST ", (crashed.peeked, answers)
    a, b = cluster.ports["a"], cluster.ports["b"]
    retry = re.compile(
        rf'"POST (?:/p/)?\[redacted\] HTTP/1\.1" 204 .* upstream=127\.0\.0\.1:{b}, '
        rf"127\.0\.0\.1:{a} upstream_status=502, 204"
    )
    # nginx writes a request's log line as it finishes it, just after the answer went out.
    wait_until(
        lambda: bool(retry.search(cluster.nginx_log.read_text())),
        what="nginx to log the retried beacon",
        timeout=10,
    )
    assert len(retry.findall(cluster.nginx_log.read_text())) == 1
    return len(answers)


@dataclass
class Race:
    answers: list[Answer | BaseException]
    finished: list[float]
    stopped_at: float
    winner: int


def accept_twenty_while_b_stops(cluster: Cluster, link: str) -> Race:
    """Twenty clients open the accept form, then press Accept at once; when the first answer
    arrives, instance b gets SIGTERM (a graceful stop, as systemd sends it)."""
    page = Browser(cluster.base_url, tls=cluster.tls, agent="Mozilla/5.0 (Anna)").get(link)
    accept_form = re.search(r'href="(/p/[^"]+/accept/\?r=[0-9a-f]{64})"', page.text)
    assert accept_form, "the page links to the accept form"
    accept_path = accept_form.group(1).split("?")[0]
    browsers = [
        Browser(cluster.base_url, tls=cluster.tls, agent=f"ParallelClient/{n}")
        for n in range(ACCEPTS)
    ]
    forms = [browser.get(accept_form.group(1)) for browser in browsers]
    assert [form.status for form in forms] == [200] * ACCEPTS
    barrier = threading.Barrier(ACCEPTS, timeout=60)
    first_answer = threading.Event()
    answers: list[Answer | BaseException] = [RuntimeError("no answer")] * ACCEPTS
    finished = [0.0] * ACCEPTS

    def press_accept(n: int) -> None:
        data = {
            "csrfmiddlewaretoken": field_value(forms[n].text, "csrfmiddlewaretoken"),
            "revision_hash": field_value(forms[n].text, "revision_hash"),
            "signer_name": f"Signer {n}",
            "signer_email": f"signer{n}@client.test",
            "consent": "on",
        }
        try:
            barrier.wait()
            # A client cannot choose its address: nginx appends the one it saw.
            spoofed = {"X-Forwarded-For": f"203.0.113.{n + 1}"}
            answers[n] = browsers[n].post(accept_path, data, headers=spoofed)
        except BaseException as error:  # reported with the others
            answers[n] = error
        finished[n] = time.monotonic()
        first_answer.set()

    threads = [threading.Thread(target=press_accept, args=(n,)) for n in range(ACCEPTS)]
    for thread in threads:
        thread.start()
    assert first_answer.wait(timeout=60), "no accept was answered"
    stopped_at = time.monotonic()
    cluster.processes.terminate("web-b")
    for thread in threads:
        thread.join(timeout=90)
    winners = [n for n, a in enumerate(answers) if isinstance(a, Answer) and a.status == 302]
    assert len(winners) == 1, [getattr(a, "status", a) for a in answers]
    return Race(answers, finished, stopped_at, winners[0])


def check_race_answers(cluster: Cluster, race: Race) -> None:
    problems = [a for a in race.answers if not isinstance(a, Answer)]
    assert not problems, problems
    statuses = sorted(a.status for a in race.answers if isinstance(a, Answer))
    # one acceptance; every other client gets the friendly page; no 5xx, no 429
    assert statuses == [200] * (ACCEPTS - 1) + [302], statuses
    for answer in race.answers:
        if isinstance(answer, Answer) and answer.status == 200:
            assert "This quote has already been accepted." in answer.text
    after_stop = sum(1 for t in race.finished if t > race.stopped_at)
    print(f"{after_stop} of {ACCEPTS} accepts were answered after instance b got SIGTERM")
    assert after_stop >= 1, "the stop came after the run, not during it"
    # instance b finished what it had read, then exited cleanly
    assert cluster.processes.wait("web-b", timeout=45) == 0, cluster.processes.tail("web-b")
    check_nginx_log(cluster)


def check_nginx_log(cluster: Cluster) -> None:
    """Both instances were sent accepts (as nginx logged them); no link, no address, no
    email in the log (SECURITY.md 7, 24)."""
    # The accepts: POSTs under /p/ (logged redacted) answered 302 or 200; beacons get 204.
    accept_line = re.compile(r'"POST (?:/p/)?\[redacted\] HTTP/1\.1" (?:302|200) .*')
    wait_until(
        lambda: len(accept_line.findall(cluster.nginx_log.read_text())) >= ACCEPTS,
        what="nginx to log every accept",
        timeout=10,
    )
    log = cluster.nginx_log.read_text()
    accepts = accept_line.findall(log)
    assert len(accepts) == ACCEPTS, log
    tried = Counter(
        port
        for line in accepts
        for port in re.findall(r"127\.0\.0\.1:(\d+)", line.split("upstream=", 1)[1])
    )
    print(f"accepts sent to each instance's port, as nginx logged them: {dict(tried)}")
    assert {str(cluster.ports["a"]), str(cluster.ports["b"])} <= set(tried), log
    # b answered what it had taken in before it stopped (its last word in each line)
    answered = Counter(re.findall(r"127\.0\.0\.1:(\d+) upstream_status=", "\n".join(accepts)))
    assert str(cluster.ports["b"]) in answered, log
    retried = [line for line in accepts if re.search(r"upstream=\S+, ", line)]
    print(f"{len(retried)} accepts were retried on the other instance:\n" + "\n".join(retried))
    assert "/p/" not in log.replace("/p/[redacted]", ""), log
    assert "203.0.113." not in log and "@" not in log, log


def check_one_sealed_pdf(cluster: Cluster, link: str) -> bytes:
    """One sealed PDF in the bucket; the same bytes through nginx and from each instance."""
    downloads = {}
    for name, base, tls in [
        ("nginx", cluster.base_url, cluster.tls),
        ("a", cluster.instance_url("a"), None),
        ("b", cluster.instance_url("b"), None),
    ]:
        answer = Browser(base, tls=tls, agent="Mozilla/5.0 (Anna)").get(link + "accepted-pdf/")
        assert answer.status == 200, (name, answer.status, answer.text[:500])
        downloads[name] = answer.body
    assert downloads["nginx"] == downloads["a"] == downloads["b"]
    keys = cluster.bucket_keys(ACCEPTED_PREFIX)
    assert len(keys) == 1, keys
    stored = cluster.bucket_bytes(keys[0])
    assert stored == downloads["a"]
    facts = cluster.facts()
    assert [a["pdf_name"] for a in facts["acceptances"]] == keys
    assert [a["pdf_sha256"] for a in facts["acceptances"]] == [hashlib.sha256(stored).hexdigest()]
    return stored


def check_one_email_each(cluster: Cluster, *, winner: str, accepted_pdf: bytes) -> None:
    """The share, then one acceptance email to the rep and one to the client who won."""
    wait_until(lambda: len(cluster.inbox.messages) >= 3, what="the acceptance emails", timeout=60)
    time.sleep(2)  # a duplicate sent by the other worker would arrive within this
    recipients = Counter(parseaddr(str(m["To"]))[1] for m in cluster.inbox.messages)
    assert recipients == Counter({CLIENT_EMAIL: 1, cluster.rep_email: 1, winner: 1}), recipients
    confirmation = next(m for m in cluster.inbox.messages if parseaddr(str(m["To"]))[1] == winner)
    attached = [
        part.get_content()
        for part in confirmation.iter_attachments()
        if isinstance(part, EmailMessage) and part.get_content_type() == "application/pdf"
    ]
    assert attached == [accepted_pdf]
