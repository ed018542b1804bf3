# Vote allocation settings of a test: fixed quota or adaptive to the target half-width.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0007_preview"),
    ]

    operations = [
        migrations.AddField(
            model_name="listeningtest",
            name="allocation",
            field=models.CharField(
                choices=[
                    ("fixed", "fixed: every clip collects its votes per stimulus"),
                    ("adaptive", "adaptive: votes go to the systems furthest from the target"),
                ],
                default="fixed",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="listeningtest",
            name="max_votes_per_clip",
            field=models.PositiveSmallIntegerField(
                default=20,
                help_text="Adaptive: the most votes one clip may collect",
                validators=[django.core.validators.MinValueValidator(1)],
            ),
        ),
        migrations.AddField(
            model_name="listeningtest",
            name="min_votes_per_clip",
            field=models.PositiveSmallIntegerField(
                default=3,
                help_text="Adaptive: votes every clip collects, whatever its system",
                validators=[django.core.validators.MinValueValidator(1)],
            ),
        ),
        migrations.AddField(
            model_name="listeningtest",
            name="vote_budget",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Adaptive: rating votes in all; the test is complete when they are spent",
                null=True,
                validators=[django.core.validators.MinValueValidator(1)],
            ),
        ),
    ]
