"""The start of the organizer's path: corpora, systems and test sets, then a test's design."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from access.roles import Role, role_required
from config.security import methods_only
from enhancement.models import Corpus, System, TestSet
from listening.models import ListeningTest
from organize import forms, services


@role_required(Role.ORGANIZER)
@methods_only("GET")
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "corpora": Corpus.objects.order_by("name"),
        "systems": System.objects.order_by("name"),
        "testsets": TestSet.objects.order_by("-created_at"),
        "tests": ListeningTest.objects.order_by("-created_at"),
    }
    return render(request, "organize/home.html", context)


def _form_page(request, form, title: str, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "title": title}
    return render(request, "organize/form.html", context, status=status)


@role_required(Role.ORGANIZER)
@methods_only("GET", "POST")
def corpus_add(request: HttpRequest) -> HttpResponse:
    form = forms.CorpusUploadForm(request.POST or None, request.FILES or None)
    title = "Upload a corpus"
    if request.method != "POST":
        return _form_page(request, form, title)
    if not form.is_valid():
        return _form_page(request, form, title, status=400)
    try:
        done = services.corpus_upload(data=form.cleaned_data, user=request.user)
    except services.Refused as exc:
        form.add_error("upload", str(exc))
        return _form_page(request, form, title, status=400)
    done.refresh_from_db()
    if done.status == "failed":  # run at once (an eager Celery) and refused
        form.add_error("upload", done.message)
        return _form_page(request, form, title, status=400)
    messages.success(request, f"Ingest of {done.params['name']!r}: {done.status}. {done.message}")
    return redirect("organize:home")


@role_required(Role.ORGANIZER)
@methods_only("GET", "POST")
def system_add(request: HttpRequest) -> HttpResponse:
    form = forms.SystemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        system = form.save()
        messages.success(request, f"System {system.name!r} added.")
        return redirect("organize:home")
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, "Add a system", status=status)


@role_required(Role.ORGANIZER)
@methods_only("GET", "POST")
def testset_add(request: HttpRequest) -> HttpResponse:
    form = forms.TestSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        testset = services.testset_create(
            name=data["name"], corpora=data["corpora"], systems=data["systems"], user=request.user
        )
        testset.refresh_from_db()
        messages.success(request, f"Test set {testset.name!r}: generation {testset.status}.")
        return redirect("organize:home")
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, "Make a test set", status=status)


@role_required(Role.ORGANIZER)
@methods_only("GET", "POST")
def test_add(request: HttpRequest) -> HttpResponse:
    form = forms.DesignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            test = services.design_save(form=form, platform=form.cleaned_data["platform"])
        except services.Refused as exc:
            form.add_error("platform", str(exc))
        else:
            return redirect("organize:test", test_id=test.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, "Design a test", status=status)
