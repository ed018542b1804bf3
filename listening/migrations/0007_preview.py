# Reserved in the migration chain so that work on separate parts of the app can land in any
# order; its operations are filled in by the change that needs them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0006_toolkit_profile_and_one_open_session"),
    ]

    operations = []
