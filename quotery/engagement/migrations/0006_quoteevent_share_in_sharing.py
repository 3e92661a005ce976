"""QuoteEvent.share points at the share model in its new app (sharing 0001). State only: the
table, its column and its foreign key to portal_portalshare stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0005_fewer_indexes"),
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="quoteevent",
                    name="share",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sharing.portalshare",
                    ),
                ),
            ],
        ),
    ]
