# Reserved in the migration chain so that work on separate parts of the app can land in any
# order; its operations are filled in by the change that needs them.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0008_allocation"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="audio_digest",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
        ),
    ]
