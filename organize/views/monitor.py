"""A running test's monitoring page; its panel is fetched again every few seconds by
static/organize/monitor.js, so the page refreshes itself without a reload."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from access.roles import Role, role_required, user_may
from config.security import methods_only
from listening.models import ListeningTest
from organize import charts
from organize.selectors import monitor_read

REFRESH_SECONDS = 10


def _context(test: ListeningTest, *, results: bool) -> dict:
    """results: the viewer, who reads progress only, sees neither the systems' means nor the
    money; half-widths and vote counts are progress."""
    data = monitor_read(test=test)
    if not results:
        data["money"] = None
        for row in data["precision"]:
            row["mean"] = None
    for cell in data["cells"]:
        cell["bar"] = charts.bar(cell["votes"], cell["target"])
    for row in data["precision"]:
        row["bar"] = charts.half_width_bar(row["half_width"], test.target_half_width)
    data["overall_bar"] = charts.bar(data["votes"], data["target"])
    data["spark"] = charts.spark(data["history"])
    return {"test": test, "m": data, "refresh": REFRESH_SECONDS}


@role_required(Role.VIEWER)
@methods_only("GET")
@never_cache
def monitor(request: HttpRequest, test_id: int) -> HttpResponse:
    test = get_object_or_404(ListeningTest, pk=test_id)
    template = (
        "organize/_monitor_panel.html" if request.GET.get("panel") else "organize/monitor.html"
    )
    results = user_may(user=request.user, role=Role.ANALYST)
    return render(request, template, _context(test, results=results))
