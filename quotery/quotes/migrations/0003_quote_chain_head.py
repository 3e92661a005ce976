"""The head of each quote's event chain on the quote row (SECURITY.md 28), filled in for the
events already recorded: the last event's sequence and hash, signed with the SECRET_KEY in
force when the migration runs. A chain already cut short before this migration cannot be
told apart from a complete one; from here on, deleting events from the end is named by
`manage.py verify`."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils.crypto import salted_hmac

# As quotery.engagement.chain signs a head; written out here so that this migration keeps
# doing what it did when the code around it changes.
HEAD_SALT = "quotery.engagement.chain.head"
BATCH = 1000


def head_signature(quote_id, length, last_hash):
    value = f"{quote_id}:{length}:{last_hash}"
    return salted_hmac(HEAD_SALT, value, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def fill_heads(apps, schema_editor):
    Quote = apps.get_model("quotes", "Quote")
    QuoteEvent = apps.get_model("engagement", "QuoteEvent")
    db = schema_editor.connection.alias
    last_sequence = (
        QuoteEvent.objects.using(db)
        .filter(quote_id=OuterRef("quote_id"))
        .order_by("-sequence")
        .values("sequence")[:1]
    )
    heads = (
        QuoteEvent.objects.using(db)
        .filter(sequence=Subquery(last_sequence))
        .values_list("quote_id", "sequence", "hash")
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for quote_id, sequence, last_hash in heads:
        batch.append(
            Quote(
                pk=quote_id,
                chain_length=sequence,
                chain_hash=last_hash,
                chain_signature=head_signature(quote_id, sequence, last_hash),
            )
        )
        if len(batch) >= BATCH:
            Quote.objects.using(db).bulk_update(
                batch, ["chain_length", "chain_hash", "chain_signature"]
            )
            batch = []
    if batch:
        Quote.objects.using(db).bulk_update(batch, ["chain_length", "chain_hash", "chain_signature"])


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0002_delivery_note_cancel_and_quote_line"),
        ("engagement", "0005_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="quote",
            name="chain_length",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="quote",
            name="chain_hash",
            field=models.CharField(
                default="0000000000000000000000000000000000000000000000000000000000000000",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="quote",
            name="chain_signature",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(fill_heads, migrations.RunPython.noop, elidable=False),
    ]
