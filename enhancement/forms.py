from __future__ import annotations

from django import forms

from enhancement.models import Corpus


class IngestForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="Corpus name; created if new")
    language = forms.CharField(max_length=16, help_text="BCP 47 code, e.g. en, de, zh")
    kind = forms.ChoiceField(choices=Corpus.Kind.choices, initial=Corpus.Kind.SPEECH)
    channel = forms.IntegerField(
        required=False, min_value=0, help_text="0-based channel of multi-channel files"
    )
    upload = forms.FileField(required=False, help_text="A zip of audio files (and metadata.csv)")
    source = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Or a folder or zip on the server, or s3://bucket/prefix",
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("upload")) == bool(data.get("source")):
            raise forms.ValidationError("Give either a zip upload or a source path, not both.")
        return data
