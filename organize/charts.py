"""Small inline SVG charts as plain numbers for the templates: no JavaScript, no library."""

from __future__ import annotations

BAR_WIDTH = 300
SPARK_WIDTH, SPARK_HEIGHT = 360, 60


def bar(value: float, total: float, *, width: int = BAR_WIDTH) -> dict:
    """A progress bar's filled width (capped at the bar) and the whole width."""
    share = 0.0 if total <= 0 else min(max(value / total, 0.0), 1.0)
    return {"width": width, "filled": round(share * width, 1)}


def half_width_bar(half: float | None, target: float, *, width: int = BAR_WIDTH) -> dict:
    """The half-width on a scale to three times the target, with the target's mark."""
    top = 3 * target
    shown = top if half is None else min(half, top)
    return {"width": width, "filled": round(shown / top * width, 1),
            "mark": round(target / top * width, 1)}  # fmt: skip


def spark(counts: list[int]) -> dict:
    """Columns of a count history, the tallest filling the height."""
    tallest = max(counts, default=0) or 1
    step = SPARK_WIDTH / max(len(counts), 1)
    columns = [
        {"x": round(i * step, 1), "width": round(step - 1, 1),
         "height": round(c / tallest * SPARK_HEIGHT, 1),
         "y": round(SPARK_HEIGHT - c / tallest * SPARK_HEIGHT, 1), "count": c}
        for i, c in enumerate(counts)
    ]  # fmt: skip
    return {"width": SPARK_WIDTH, "height": SPARK_HEIGHT, "columns": columns, "tallest": tallest}
