"""Every model is in the admin, and its list, add and change pages render for an organizer."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

APPS = {"enhancement", "listening"}


def test_every_model_of_the_apps_is_registered():
    models = [m for name in APPS for m in apps.get_app_config(name).get_models()]
    assert models
    assert [m.__name__ for m in models if m not in admin.site._registry] == []


def test_list_add_and_change_pages_render(admin_client, live_test):
    from listening import services
    from listening.models import Rater

    person = services.rater_get_or_create(
        platform=Rater.Platform.PANEL, external_id="a", language="en"
    )
    services.session_start(test=live_test, rater=person)
    for model in admin.site._registry:
        if model._meta.app_label not in APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        assert (
            admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
        ), info
        page = admin_client.get(reverse("admin:{}_{}_add".format(*info)))
        # Records only the platform writes (its calls, bonuses, entries) have no add page.
        addable = admin.site._registry[model].has_add_permission(page.wsgi_request)
        assert page.status_code == (200 if addable else 403), info
        first = model.objects.first()
        if first is not None:
            page = admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            assert page.status_code == 200, info


def test_the_system_form_describes_every_kind_under_the_field(admin_client):
    from enhancement.systems.kinds import DESCRIPTIONS

    page = admin_client.get(reverse("admin:enhancement_system_add")).content.decode()
    assert "<b>auricle_sfi</b>: Auricle&#x27;s own SFI mask network" in page
    assert all(f"<b>{kind}</b>" in page for kind in DESCRIPTIONS)
