"""The shape the API's editable resources share."""

from __future__ import annotations

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

    lookup_value_regex = "[0-9]+"
