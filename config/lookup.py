"""Finding a row by what a person typed on the command line: its name or its id."""

from __future__ import annotations

from django.db.models import Model, QuerySet


def by_id_or_name(queryset: QuerySet, key: str) -> Model | None:
    """The row named key, else the row whose id is key, else None.

    The name goes first: a person who names a test "2024" and types 2024 means that test, and
    names are what people choose and read; an id is still found whenever no name takes it."""
    found = queryset.filter(name=key).first()
    if found is None and key.isdigit():
        found = queryset.filter(pk=int(key)).first()
    return found
