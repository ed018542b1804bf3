"""A test's guided page, its design and the actions along its path."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from access.roles import Role, role_required
from config.security import methods_only
from jobs.models import Job
from listening.models import ListeningTest
from organize import forms, services
from organize.selectors import test_steps
from organize.views.home import _form_page


def _jobs(test: ListeningTest) -> list:
    """The latest background jobs on this test and its test set."""
    mine = Q(target_model="listening.listeningtest", target_id=test.pk)
    its_set = Q(target_model="enhancement.testset", target_id=test.testset_id)
    return list(Job.objects.filter(mine | its_set).order_by("-created_at")[:5])


@role_required(Role.ORGANIZER)
@methods_only("GET")
def guide(request: HttpRequest, test_id: int) -> HttpResponse:
    test = get_object_or_404(ListeningTest.objects.select_related("testset"), pk=test_id)
    context = {"test": test, "steps": test_steps(test=test), "jobs": _jobs(test)}
    return render(request, "organize/guide.html", context)


@role_required(Role.ORGANIZER)
@methods_only("GET", "POST")
def design(request: HttpRequest, test_id: int) -> HttpResponse:
    test = get_object_or_404(ListeningTest, pk=test_id)
    form = forms.DesignForm(request.POST or None, instance=test)
    if request.method == "POST" and form.is_valid():
        try:
            services.design_save(form=form, platform=form.cleaned_data["platform"])
        except services.Refused as exc:
            form.add_error("platform", str(exc))
        else:
            messages.success(request, "Design saved.")
            return redirect("organize:test", test_id=test.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, f"Design of {test.name}", status=status)


def _act(test: ListeningTest, action: str, user) -> str:
    """Do one of the guide's actions; returns what to tell the organizer."""
    if action == "generate":
        services.testset_generate(testset=test.testset, user=user)
        return "Generation of the test set started."
    if action == "metrics":
        services.testset_score(testset=test.testset, user=user)
        return "Objective metrics started."
    if action == "prepare":
        count = services.test_prepare(test=test, user=user)
        if count is None:
            return "Building the stimuli started: the test can be previewed when the job is done."
        return f"Stimuli built ({count} to rate): the test can be previewed."
    if action == "publish":
        services.test_publish(test=test, user=user)
        test.refresh_from_db()
        return f"Publishing: the test is {test.status}."
    if action in services.PLATFORM_VERB:
        services.test_move(test=test, action=action)
        return f"The test is {test.status}."
    raise services.Refused(f"unknown action {action!r}")


@role_required(Role.ORGANIZER)
@methods_only("POST")
def act(request: HttpRequest, test_id: int) -> HttpResponse:
    test = get_object_or_404(ListeningTest.objects.select_related("testset"), pk=test_id)
    try:
        messages.success(request, _act(test, request.POST.get("action", ""), request.user))
    except services.Refused as exc:
        messages.error(request, str(exc))
        context = {"test": test, "steps": test_steps(test=test), "jobs": _jobs(test)}
        return render(request, "organize/guide.html", context, status=409)
    return redirect("organize:test", test_id=test.pk)
