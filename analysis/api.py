from __future__ import annotations

import math

from django.shortcuts import get_object_or_404
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from analysis.selectors import votes_frame
from analysis.stats import mos_table
from listening.models import ListeningTest


def _clean(records: list[dict]) -> list[dict]:
    """JSON has no NaN: an interval that cannot be computed is null."""
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in records
    ]


@api_view(["GET"])
def test_mos(request: Request, test_id: int) -> Response:
    test = get_object_or_404(ListeningTest, pk=test_id)
    votes = votes_frame(test=test)
    return Response(
        {
            "test": test.name,
            "votes": len(votes),
            "simulated_votes": int(votes["simulated"].sum()),
            "by_system": _clean(mos_table(votes, "system").to_dict("records")),
            "by_system_language": _clean(
                mos_table(votes, ["system", "language"]).to_dict("records")
            ),
        }
    )
