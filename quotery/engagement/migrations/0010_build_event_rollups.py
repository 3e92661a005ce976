"""Builds the event rollups from the events already stored, as quotery.engagement.rollups
keeps them from now on: per quote, kind and UTC hour; per company, kind and UTC hour; per
quote and kind. One INSERT ... SELECT per table."""

from django.db import migrations

# Frozen copies of quotery.engagement.rollups' expressions: a migration must not change
# when the app's code does.
HOUR_SQL = {
    "postgresql": "date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    "sqlite": "strftime('%Y-%m-%d %H:00:00', occurred_at)",
}
BUILDS = {
    "engagement_eventrollup": (
        "company_id, quote_id, kind, hour, count, first_at",
        "company_id, quote_id, kind, {hour}",
        "COUNT(*), MIN(occurred_at)",
    ),
    "engagement_companyeventrollup": (
        "company_id, kind, hour, count",
        "company_id, kind, {hour}",
        "COUNT(*)",
    ),
    "engagement_quoteeventspan": (
        "company_id, quote_id, kind, count, first_at, last_at",
        "company_id, quote_id, kind",
        "COUNT(*), MIN(occurred_at), MAX(occurred_at)",
    ),
}


def build_rollups(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, (columns, keys, values) in BUILDS.items():
            keys = keys.format(hour=HOUR_SQL[connection.vendor])
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                f"SELECT {keys}, {values} FROM engagement_quoteevent GROUP BY {keys}"
            )
            if connection.vendor == "postgresql":  # plan the page's queries for the new rows
                cursor.execute(f"ANALYZE {table}")


def drop_rollups(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        for table in BUILDS:
            cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [("engagement", "0009_event_rollups")]

    operations = [migrations.RunPython(build_rollups, drop_rollups)]
