"""Shares, messages, acceptances and declines moved from the portal to this app without
touching the database: an existing database keeps every table and every row, its links keep
opening and it still verifies (sharing 0001, engagement 0006, portal 0004)."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState
from django.test import Client as HttpClient

from quotery.engagement.models import (
    CompanyEventRollup,
    EventRollup,
    QuoteEvent,
    QuoteRollup,
)
from quotery.engagement.rollups import rollup_mismatches
from quotery.quotes.models import QuoteState
from quotery.sharing.links import share_token
from quotery.sharing.models import Acceptance, ConversationMessage, Decline, PortalShare

# The database as it stood before the move: the portal still held the models.
BEFORE = [
    ("portal", "0003_acceptance_decline"),
    ("engagement", "0005_fewer_indexes"),
    ("sharing", None),
]
MOVED: dict[str, type[models.Model]] = {
    "portal_portalshare": PortalShare,
    "portal_conversationmessage": ConversationMessage,
    "portal_acceptance": Acceptance,
    "portal_decline": Decline,
}
# Tables the migrations write to by design: their own bookkeeping, and the moved models'
# content types (relabelled portal -> sharing, compared on their own below).
BOOKKEEPING = {"django_migrations", "django_content_type"}


def executor() -> MigrationExecutor:
    migrations = MigrationExecutor(connection)
    migrations.loader.build_graph()
    return migrations


def migrate(targets: list[tuple[str, str | None]]) -> None:
    executor().migrate(targets)


def migrate_to_latest() -> None:
    migrations = executor()
    migrations.migrate(migrations.loader.graph.leaf_nodes())


def latest_state() -> ProjectState:
    migrations = executor()
    return migrations.loader.project_state(migrations.loader.graph.leaf_nodes())


# Columns that migrations after the move add to the moved tables: (table, model, field).
# Today's code writes them, so the demo is seeded with them in place; they are set aside
# for the move and put back after it (their values as the seed wrote them).
ADDED_LATER = [("portal_acceptance", Acceptance, "deposit_percent"),
               ("portal_acceptance", Acceptance, "deposit_amount"),
               ("portal_acceptance", Acceptance, "configuration"),
               ("portal_acceptance", Acceptance, "configuration_hash"),
               ("portal_acceptance", Acceptance, "language"),
               ("portal_conversationmessage", ConversationMessage, "choices_summary"),
               ("portal_portalshare", PortalShare, "choices"),
               ("portal_portalshare", PortalShare, "choices_content_hash")]  # fmt: skip


def later_field(model: type[models.Model], name: str) -> models.Field:  # type: ignore[type-arg]
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def later_columns_add() -> None:
    with connection.schema_editor() as editor:
        for _table, model, name in ADDED_LATER:
            editor.add_field(model, later_field(model, name))


# Tables that migrations after the move create and today's code writes as it seeds (the
# Engagement page's rollups, kept with each event): made for the seed and dropped before the
# migrations make them again, which fill them from the events.
LATER_TABLES: list[type[models.Model]] = [EventRollup, CompanyEventRollup, QuoteRollup]


def later_tables(create: bool) -> None:
    with connection.schema_editor() as editor:
        for model in LATER_TABLES:
            (editor.create_model if create else editor.delete_model)(model)


def later_columns_take() -> dict[tuple[str, str], list[tuple[int, object]]]:
    """Drops the later columns and returns their values, by primary key."""
    values = {}
    for table, model, name in ADDED_LATER:
        values[table, name] = list(model._default_manager.values_list("pk", name))
    with connection.schema_editor() as editor:
        for _table, model, name in ADDED_LATER:
            editor.remove_field(model, later_field(model, name))
    return values


def later_columns_restore(values: dict[tuple[str, str], list[tuple[int, object]]]) -> None:
    for _table, model, name in ADDED_LATER:
        for pk, value in values[_table, name]:
            model._default_manager.filter(pk=pk).update(**{name: value})


def snapshot(skip: frozenset[str] = frozenset()) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of all its rows, read with plain SQL, without
    the columns named in `skip`."""
    tables: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            columns = sorted(
                connection.ops.quote_name(column.name)
                for column in connection.introspection.get_table_description(cursor, table)
                if f"{table}.{column.name}" not in skip
            )
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {connection.ops.quote_name(table)}"  # noqa: S608
            )
            rows = sorted(repr(row) for row in cursor.fetchall())
            tables[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return tables


def moved_content_types() -> set[tuple[int, str, str]]:
    return set(
        ContentType.objects.filter(
            model__in=["portalshare", "conversationmessage", "acceptance", "decline"]
        ).values_list("pk", "app_label", "model")
    )


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_of_a_demo_database_its_links_and_its_proofs() -> None:
    # given the demo data in a database as it stood before the move
    migrate(BEFORE)
    later_values = {}
    try:
        later_columns_add()
        later_tables(create=True)
        call_command("seed_demo", stdout=StringIO())
        later_tables(create=False)
        later_values = later_columns_take()
        before = snapshot()
        migrations_to_come = len(executor().migration_plan(executor().loader.graph.leaf_nodes()))
        types_before = moved_content_types()
        # (only the columns the move knows: the later ones are set aside)
        share = (
            PortalShare.objects.filter(revoked_at__isnull=True, quote__state=QuoteState.SENT)
            .only("key", "quote_id", "recipient_email")
            .first()
        )
        assert share is not None
        emailed = share_token(key=share.key, quote_id=share.quote_id, email=share.recipient_email)
    finally:
        # when it is migrated (also when a check above failed: later tests need the schema)
        migrate_to_latest()
        if later_values:
            later_columns_restore(later_values)

    # then every table holds exactly the rows it held, and the moved tables are not empty
    after = snapshot(frozenset(f"{table}.{name}" for table, _model, name in ADDED_LATER))
    # engagement 0007 (opens recorded before they are chained) follows the move: its table
    # is new, and empty
    rollups = {model._meta.db_table for model in LATER_TABLES}
    created = set(after) - set(before)
    assert {"engagement_pendingopen", *rollups} <= created
    # tables of later apps that hang off the moved ones (pending opens, reminders) are new and
    # empty
    assert {table: after.pop(table)[0] for table in created - rollups} == dict.fromkeys(
        created - rollups, 0
    )
    # and the rollups, built by their migration from the events, count exactly the events
    assert all(after.pop(table)[0] > 0 for table in rollups)
    assert rollup_mismatches() == []
    assert set(after) == set(before)
    assert {t: n for t, n in after.items() if t not in BOOKKEEPING} == {
        t: n for t, n in before.items() if t not in BOOKKEEPING
    }
    assert {table: after[table][0] for table in MOVED} == {
        "portal_portalshare": 24,
        "portal_conversationmessage": 34,
        "portal_acceptance": 6,
        "portal_decline": 4,
    }
    # (sharing 0001, portal 0004, engagement 0006 onwards, and what depends on them)
    assert after["django_migrations"][0] == before["django_migrations"][0] + migrations_to_come
    # and the models' content types moved with them, same rows, no new ones
    assert types_before == {(pk, "portal", model) for pk, _label, model in types_before}
    assert moved_content_types() == {(pk, "sharing", model) for pk, _label, model in types_before}
    assert after["django_content_type"][0] == before["django_content_type"][0]

    # and the new models read every row
    for table, model in MOVED.items():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608
            ids = [row[0] for row in cursor.fetchall()]
        assert list(model._default_manager.order_by("pk").values_list("pk", flat=True)) == ids
    # and the events' shares join through the moved model
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, share_id FROM {QuoteEvent._meta.db_table} "  # noqa: S608
            "WHERE share_id IS NOT NULL ORDER BY id"
        )
        event_shares = [tuple(row) for row in cursor.fetchall()]
    joined = QuoteEvent.objects.filter(share__isnull=False).select_related("share").order_by("pk")
    assert len(event_shares) > 0
    assert [(e.pk, e.share.pk if e.share else None) for e in joined] == event_shares

    # and a link emailed before the move opens the quote
    page = HttpClient().get(f"/p/{emailed}/")
    assert page.status_code == 200
    assert share.quote.number in page.content.decode()

    # and every quote still verifies, the open just recorded included
    out = StringIO()
    call_command("verify", stdout=out)
    assert out.getvalue().rstrip().endswith("All 30 quote(s) verified.")


@pytest.mark.django_db
def test_the_migration_state_has_the_models_in_sharing_and_their_tables_unchanged() -> None:
    # when the migrations' view of the models is built
    state = latest_state()

    # then the models live in sharing, on the portal's tables, and nothing is left in portal
    assert {
        name: model.options["db_table"]
        for (app, name), model in state.models.items()
        if app == "sharing"
    } == {
        "portalshare": "portal_portalshare",
        "conversationmessage": "portal_conversationmessage",
        "acceptance": "portal_acceptance",
        "decline": "portal_decline",
    }
    assert sorted(name for app, name in state.models if app == "portal") == ["ratelimitcounter"]
    # and other apps' foreign keys point at sharing
    event_share = state.models["engagement", "quoteevent"].fields["share"]
    assert event_share.remote_field.model == "sharing.portalshare"


@pytest.mark.django_db
def test_the_models_and_their_migrations_agree() -> None:
    # when makemigrations looks for changes, then it finds none (it exits 1 if it does)
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())
