from __future__ import annotations

from django.urls import path

from enhancement import views

app_name = "enhancement"

urlpatterns = [
    path("a/<str:token>", views.audio, name="audio"),
]
