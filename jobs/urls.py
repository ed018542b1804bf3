from __future__ import annotations

from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/<id:job_id>/", views.detail, name="detail"),
    path("jobs/<id:job_id>/status/", views.status, name="status"),
    path("jobs/<id:job_id>/cancel/", views.cancel, name="cancel"),
]
