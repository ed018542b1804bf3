"""JSON for every API answer: a number JSON cannot hold (NaN, ±inf: a paired t with no spread,
a mean of no votes) is written as null instead of failing the whole answer."""

from __future__ import annotations

import math

import numpy as np
from rest_framework.renderers import JSONRenderer


def finite(data):
    """data with every non-finite float replaced by None, at any depth."""
    if isinstance(data, float | np.floating):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [finite(value) for value in data]
    return data


class FiniteJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(finite(data), accepted_media_type, renderer_context)
