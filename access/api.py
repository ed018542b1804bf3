"""The shape the API's editable resources share."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import mixins, viewsets


class EditableViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update; rows are deleted in the admin, where Django shows what
    else would go with them."""

    lookup_value_regex = "[0-9]{1,18}"  # as config.urls.RowId: a longer id is not found


def row_filter(field_name: str, help_text: str) -> filters.NumberFilter:
    """A filter by a related row's id; an id past the database's integer range is refused
    (400) instead of overflowing the query."""
    return filters.NumberFilter(
        field_name=field_name, min_value=1, max_value=2**63 - 1, decimal_places=0,
        help_text=help_text, distinct=True,
    )  # fmt: skip
