"""The organizer's forms: a corpus upload, a system, a test set and a test's design."""

from __future__ import annotations

from django import forms

from enhancement.forms import IngestForm
from enhancement.models import Corpus, System, TestSet
from listening.models import ListeningTest
from listening.platforms.models import Recruitment


class CorpusUploadForm(IngestForm):
    """The admin's ingest form, for a zip upload only (no server path from here)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["source"]
        self.fields["upload"].required = True

    def clean(self):
        return forms.Form.clean(self)


class SystemForm(forms.ModelForm):
    class Meta:
        model = System
        fields = ["name", "kind", "model_file", "params", "description"]

    def clean_params(self) -> dict:
        return self.cleaned_data.get("params") or {}  # left empty: the kind's defaults


class TestSetForm(forms.ModelForm):
    corpora = forms.ModelMultipleChoiceField(
        queryset=Corpus.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )
    systems = forms.ModelMultipleChoiceField(
        queryset=System.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = TestSet
        fields = ["name", "corpora", "systems"]


DESIGN_FIELDS = [
    "name", "testset", "method", "reference_condition", "votes_per_stimulus",
    "target_half_width", "stimuli_per_session", "gold_per_session", "traps_per_session",
    "gold_tolerance", "condition_balanced", "session_timeout_minutes", "max_sessions_per_rater",
    "hearing_trials", "hearing_pass", "bandwidth_trials", "bandwidth_pass",
    "environment_trials", "environment_pass", "screen_variance_min", "screen_crowd_r_min",
    "screen_outliers", "allocation", "vote_budget", "min_votes_per_clip", "max_votes_per_clip",
    "consent_minutes", "consent_pay", "consent_researcher", "consent_contact", "consent_data_use",
]  # fmt: skip


class DesignForm(forms.ModelForm):
    """A test's design. The model refuses a change to a published test's design, naming the
    field, and to a draft's method, reference and test set once its stimuli are built."""

    platform = forms.ChoiceField(choices=Recruitment.Platform.choices, initial="open")

    class Meta:
        model = ListeningTest
        fields = DESIGN_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        recruitment = Recruitment.objects.filter(test_id=self.instance.pk).first()
        if recruitment:
            self.fields["platform"].initial = recruitment.platform
