# MNRU anchors degrade the clean reference (P.810) unless a system asks for the input.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enhancement", "0007_audio_link"),
    ]

    operations = [
        migrations.AddField(
            model_name="system",
            name="anchor_source",
            field=models.CharField(
                choices=[
                    ("reference", "the clean reference (P.810)"),
                    ("input", "the noisy input"),
                ],
                default="reference",
                help_text="MNRU anchors: what the modulated noise degrades",
                max_length=10,
            ),
        ),
    ]
