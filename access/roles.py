"""The three roles, as Django groups, and the one question everything asks of them: may this
user act as that role? A role includes the ones below it (an organizer may do what an analyst
may, an analyst what a viewer may); a superuser is an organizer. Being staff alone grants none."""

from __future__ import annotations

from enum import IntEnum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


class Role(IntEnum):
    VIEWER = 1  # reads progress
    ANALYST = 2  # reads results and reports, builds reports
    ORGANIZER = 3  # everything, writes included

    @property
    def group(self) -> str:
        return self.name.lower()


# What each role may do in the admin, as model permissions given to its group: codenames per
# app, "*" for every permission of the app. Kept in code so a new model is covered on migrate.
ADMIN_PERMISSIONS: dict[Role, dict[str, list[str]]] = {
    Role.ORGANIZER: {"enhancement": ["*"], "listening": ["*"], "analysis": ["*"], "jobs": ["*"]},
    Role.ANALYST: {
        "enhancement": ["view_corpus", "view_system", "view_testset"],
        "listening": ["view_listeningtest"],
        "analysis": ["view_report"],
        "jobs": ["view_job"],
    },
    Role.VIEWER: {"listening": ["view_listeningtest"]},
}


def user_role(*, user) -> Role | None:
    """The highest role the user holds; None for anonymous users and users without one."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ORGANIZER
    cached = getattr(user, "_auricle_role", False)
    if cached is False:
        names = set(user.groups.values_list("name", flat=True))
        held = [role for role in Role if role.group in names]
        cached = max(held) if held else None
        user._auricle_role = cached  # one query per request, however many checks ask
    return cached


def user_may(*, user, role: Role) -> bool:
    held = user_role(user=user)
    return held is not None and held >= role


def role_required(role: Role):
    """A view decorator: anonymous users go to the login page, users below the role get 403."""

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_may(user=request.user, role=role):
                raise PermissionDenied(f"this page needs the {role.group} role")
            return view(request, *args, **kwargs)

        return checked

    return decorate
