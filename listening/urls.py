from __future__ import annotations

from django.urls import path

from listening import views

app_name = "listening"

urlpatterns = [
    path("t/<str:token>/", views.entry, name="entry"),
    path("s/<uuid:token>/", views.session_page, name="session"),
    path("s/<uuid:token>/vote/", views.vote, name="vote"),
    path("s/<uuid:token>/qualification/", views.qualification, name="qualification"),
    path("s/<uuid:token>/setup/", views.setup, name="setup"),
]
