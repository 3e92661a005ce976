"""Shares, conversation messages, acceptances and declines move from the portal to this app.

A state-only move: the tables the portal created (portal_portalshare, portal_conversationmessage,
portal_acceptance, portal_decline) stay as they are, with their rows, indexes, constraints and
sequences; the models here name them in `db_table`. The models' content types are relabelled
too (portal -> sharing), so their permission rows keep pointing at them and no new ones are
made. Then engagement points QuoteEvent.share here (engagement 0006) and the portal forgets
the models (portal 0004), both state-only as well.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ["portalshare", "conversationmessage", "acceptance", "decline"]


def relabel(apps, schema_editor, *, source, target):
    """The moved models' content types, relabelled from `source` to `target` where `target`
    has none of its own yet. A fresh database has none at all: post_migrate makes them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(
        ContentType.objects.using(db)
        .filter(app_label=target, model__in=MOVED)
        .values_list("model", flat=True)
    )
    ContentType.objects.using(db).filter(app_label=source, model__in=MOVED).exclude(
        model__in=taken
    ).update(app_label=target)


def to_sharing(apps, schema_editor):
    relabel(apps, schema_editor, source="portal", target="sharing")


def to_portal(apps, schema_editor):
    relabel(apps, schema_editor, source="sharing", target="portal")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_company_ip_recording"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0003_acceptance_decline"),
        ("quotes", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="PortalShare",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("recipient_name", models.CharField(max_length=200)),
                        ("recipient_email", models.EmailField(max_length=254)),
                        ("key", models.CharField(max_length=32, unique=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_sent_at", models.DateTimeField(blank=True, null=True)),
                        ("send_count", models.PositiveIntegerField(default=0)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("last_viewed_revision", models.PositiveIntegerField(default=0)),
                        (
                            "company",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.company",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "quote",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="shares",
                                to="quotes.quote",
                            ),
                        ),
                        (
                            "revoked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "portal_portalshare",
                        "ordering": ["created_at", "pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("quote", "recipient_email"),
                                name="share_quote_recipient_unique",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ConversationMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "author_kind",
                            models.CharField(
                                choices=[("client", "Client"), ("rep", "Rep")], max_length=10
                            ),
                        ),
                        ("author_name", models.CharField(max_length=200)),
                        ("author_email", models.EmailField(blank=True, max_length=254)),
                        ("body", models.TextField(max_length=5000)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "author_user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "company",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.company",
                            ),
                        ),
                        (
                            "quote",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="quotes.quote",
                            ),
                        ),
                        (
                            "share",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="messages",
                                to="sharing.portalshare",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "portal_conversationmessage",
                        "ordering": ["created_at", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["quote", "created_at"],
                                name="portal_conv_quote_i_bb58d5_idx",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Acceptance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("link_key", models.CharField(max_length=32)),
                        ("revision_number", models.PositiveIntegerField()),
                        ("content_hash", models.CharField(max_length=64)),
                        ("signer_name", models.CharField(max_length=200)),
                        ("signer_email", models.EmailField(max_length=254)),
                        ("consent_text", models.TextField()),
                        ("consent_version", models.CharField(max_length=20)),
                        ("accepted_at", models.DateTimeField()),
                        ("ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("user_agent", models.CharField(blank=True, max_length=500)),
                        ("total", models.CharField(max_length=40)),
                        ("currency", models.CharField(max_length=3)),
                        ("prev_hash", models.CharField(max_length=64)),
                        ("signature_hash", models.CharField(max_length=64, unique=True)),
                        ("event_sequence", models.PositiveIntegerField()),
                        ("pdf_name", models.CharField(blank=True, max_length=200)),
                        ("pdf_sha256", models.CharField(blank=True, max_length=64)),
                        (
                            "company",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.company",
                            ),
                        ),
                        (
                            "quote",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="acceptance",
                                to="quotes.quote",
                            ),
                        ),
                        (
                            "revision",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="quotes.quoterevision",
                            ),
                        ),
                        (
                            "share",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="sharing.portalshare",
                            ),
                        ),
                    ],
                    options={"db_table": "portal_acceptance"},
                ),
                migrations.CreateModel(
                    name="Decline",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("price", "Price"),
                                    ("timing", "Timing"),
                                    ("other_supplier", "Chose another supplier"),
                                    ("not_needed", "No longer needed"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("detail", models.TextField(blank=True, max_length=2000)),
                        ("revision_number", models.PositiveIntegerField()),
                        ("declined_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "company",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.company",
                            ),
                        ),
                        (
                            "quote",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="decline",
                                to="quotes.quote",
                            ),
                        ),
                        (
                            "share",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="sharing.portalshare",
                            ),
                        ),
                    ],
                    options={"db_table": "portal_decline"},
                ),
            ],
        ),
        migrations.RunPython(to_sharing, to_portal),
    ]
