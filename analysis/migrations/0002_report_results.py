"""A build stores its ReportResults whole; the three partial fields go (a build made before
carries no results, so the page computes its results until the next build)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0001_report"),
    ]

    operations = [
        migrations.RemoveField(model_name="report", name="agreement"),
        migrations.RemoveField(model_name="report", name="clustered"),
        migrations.RemoveField(model_name="report", name="components"),
        migrations.AddField(
            model_name="report",
            name="results",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
