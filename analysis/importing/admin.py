"""The admin's upload of P.808 toolkit results, beside the list of imported assignments."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from analysis.importing.errors import ImportRefused
from analysis.importing.models import ImportedAssignment
from analysis.importing.services import p808_import

UPLOAD_LIMIT = 50 * 1024 * 1024  # a Batch of thousands of assignments is a few MB


class ImportForm(forms.Form):
    batch = forms.FileField(help_text="The MTurk Batch results CSV")
    config = forms.FileField(help_text="The result_parser.cfg the toolkit analysed it with")
    method = forms.ChoiceField(choices=[(m, m.upper()) for m in ("acr", "dcr", "ccr", "p835")])
    name = forms.CharField(max_length=200, help_text="The new listening test's name")
    language = forms.CharField(max_length=16, initial="en", help_text="The clips' language")
    condition_pattern = forms.CharField(required=False, help_text="Overrides the config's")
    condition_keys = forms.CharField(required=False, help_text="Overrides the config's: k1,k2")

    def clean_batch(self):
        return _text(self.cleaned_data["batch"])

    def clean_config(self):
        return _text(self.cleaned_data["config"])


def _text(upload) -> str:
    if upload.size > UPLOAD_LIMIT:
        raise forms.ValidationError(f"{upload.name} is over {UPLOAD_LIMIT // 2**20} MB")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(f"{upload.name} is not UTF-8 text") from None


@admin.register(ImportedAssignment)
class ImportedAssignmentAdmin(admin.ModelAdmin):
    """Read-only: the rows an import wrote. The list's button uploads a new Batch."""

    list_display = ["test", "line", "assignment_id", "status", "work_seconds"]
    list_filter = ["test"]
    readonly_fields = [f.name for f in ImportedAssignment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="analysis_import_p808"), *super().get_urls()]

    def import_view(self, request):
        if not request.user.has_perm("listening.add_listeningtest"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                test = _import(form.cleaned_data)
            except ImportRefused as exc:
                problems = [exc.source, *map(str, exc.problems)]
            else:
                sessions = test.sessions.count()
                self.message_user(
                    request, f"Imported {test.name}: {sessions} assignments", messages.SUCCESS
                )
                return redirect(reverse("admin:listening_listeningtest_change", args=[test.pk]))
        context = {**self.admin_site.each_context(request), "form": form, "problems": problems}
        return TemplateResponse(request, "admin/analysis/import_p808.html", context)


def _import(data: dict):
    return p808_import(
        batch_text=data["batch"],
        config_text=data["config"],
        method=data["method"],
        name=data["name"],
        language=data["language"],
        condition_pattern=data["condition_pattern"] or None,
        condition_keys=data["condition_keys"] or None,
    )
