# Reserved in the migration chain so that work on separate parts of the app can land in any
# order; filled by the organizer's preview: a preview rater's votes are never counted.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0006_toolkit_profile_and_one_open_session"),
    ]

    operations = [
        migrations.AddField(
            model_name="rater",
            name="preview",
            field=models.BooleanField(default=False),
        ),
    ]
