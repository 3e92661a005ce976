"""The portal forgets the models that moved to the sharing app (sharing 0001), once nothing
points at them any more (engagement 0006). State only: their tables and rows stay, now the
sharing app's."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_acceptance_decline"),
        ("sharing", "0001_initial"),
        ("engagement", "0006_quoteevent_share_in_sharing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="Acceptance"),
                migrations.DeleteModel(name="Decline"),
                migrations.DeleteModel(name="ConversationMessage"),
                migrations.DeleteModel(name="PortalShare"),
            ],
        ),
    ]
