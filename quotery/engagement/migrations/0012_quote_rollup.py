"""One rollup row per quote (`QuoteRollup`) in place of one per quote and kind
(`QuoteEventSpan`): built from the events already stored, as quotery.engagement.rollups
keeps it from now on, in one INSERT ... SELECT; then the spans are dropped. Going back
builds the spans again from the events."""

import django.db.models.deletion
from django.db import migrations, models

# Frozen copies of quotery.engagement.rollups' columns and expressions: a migration must
# not change when the app's code does.
KINDS = {
    "quote_shared": "shared",
    "quote_viewed": "viewed",
    "pdf_downloaded": "downloaded",
    "quote_accepted": "accepted",
    "quote_declined": "declined",
}
ROLLUP_COLUMNS = ", ".join(
    [
        "company_id",
        "quote_id",
        "first_at",
        "last_at",
        *(f"{prefix}_{value}" for prefix in KINDS.values() for value in ("count", "first", "last")),
    ]
)
ROLLUP_VALUES = ", ".join(
    [
        "company_id",
        "quote_id",
        "MIN(occurred_at)",
        "MAX(occurred_at)",
        *(
            sql
            for kind in KINDS
            for sql in (
                f"SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END)",
                f"MIN(CASE WHEN kind = '{kind}' THEN occurred_at END)",
                f"MAX(CASE WHEN kind = '{kind}' THEN occurred_at END)",
            )
        ),
    ]
)
KIND_LIST = ", ".join(f"'{kind}'" for kind in KINDS)


def build_quote_rollups(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM engagement_quoterollup")
        cursor.execute(
            f"INSERT INTO engagement_quoterollup ({ROLLUP_COLUMNS}) "
            f"SELECT {ROLLUP_VALUES} FROM engagement_quoteevent "
            f"WHERE kind IN ({KIND_LIST}) GROUP BY company_id, quote_id"
        )
        # Plan the page for the new rows (SQLite: the daily refresh_planner_statistics).
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE engagement_quoterollup")


def build_spans(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO engagement_quoteeventspan "
            "(company_id, quote_id, kind, count, first_at, last_at) "
            "SELECT company_id, quote_id, kind, COUNT(*), MIN(occurred_at), MAX(occurred_at) "
            "FROM engagement_quoteevent GROUP BY company_id, quote_id, kind"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_company_ip_recording"),
        ("engagement", "0011_rollup_kinds_include_reminders"),
        ("quotes", "0004_delivery_note_shipping"),
    ]

    operations = [
        migrations.CreateModel(
            name="QuoteRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_at", models.DateTimeField()),
                ("last_at", models.DateTimeField()),
                ("shared_count", models.PositiveIntegerField(default=0)),
                ("shared_first", models.DateTimeField(blank=True, null=True)),
                ("shared_last", models.DateTimeField(blank=True, null=True)),
                ("viewed_count", models.PositiveIntegerField(default=0)),
                ("viewed_first", models.DateTimeField(blank=True, null=True)),
                ("viewed_last", models.DateTimeField(blank=True, null=True)),
                ("downloaded_count", models.PositiveIntegerField(default=0)),
                ("downloaded_first", models.DateTimeField(blank=True, null=True)),
                ("downloaded_last", models.DateTimeField(blank=True, null=True)),
                ("accepted_count", models.PositiveIntegerField(default=0)),
                ("accepted_first", models.DateTimeField(blank=True, null=True)),
                ("accepted_last", models.DateTimeField(blank=True, null=True)),
                ("declined_count", models.PositiveIntegerField(default=0)),
                ("declined_first", models.DateTimeField(blank=True, null=True)),
                ("declined_last", models.DateTimeField(blank=True, null=True)),
                (
                    "company",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
                (
                    "quote",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="quotes.quote",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["company", "last_at", "first_at"], name="quote_rollup_range"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("quote",), name="quote_rollup_quote")
                ],
            },
        ),
        migrations.RunPython(build_quote_rollups, build_spans),
        migrations.DeleteModel(name="QuoteEventSpan"),
    ]
