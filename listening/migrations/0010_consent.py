# Reserved in the migration chain so that work on separate parts of the app can land in any
# order; this one holds what the consent page tells a rater.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0009_audio_fetch"),
    ]

    operations = [
        migrations.AddField(
            model_name="listeningtest",
            name="consent_contact",
            field=models.CharField(
                blank=True, help_text="An email address raters may write to", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="listeningtest",
            name="consent_data_use",
            field=models.TextField(
                blank=True, help_text="How the answers are used and how long they are kept"
            ),
        ),
        migrations.AddField(
            model_name="listeningtest",
            name="consent_minutes",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="About how long one session takes; empty: estimated",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="listeningtest",
            name="consent_pay",
            field=models.CharField(
                blank=True,
                help_text="What a session pays, as raters see it (£1.50)",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="listeningtest",
            name="consent_researcher",
            field=models.CharField(
                blank=True, help_text="Who runs the study (person and institution)", max_length=200
            ),
        ),
    ]
