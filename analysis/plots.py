"""Small inline SVG charts for the report: no plotting library, no files, prints in the PDF."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from django.utils.html import escape

WIDTH, HEIGHT, PAD = 320, 160, 28


def _frame(body: str, label: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}">{body}'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - 4}" y2="{HEIGHT - PAD}" '
        f'class="axis"/><line x1="{PAD}" y1="4" x2="{PAD}" y2="{HEIGHT - PAD}" class="axis"/>'
        "</svg>"
    )


def _tick(x: float, y: float, text: str, anchor: str = "middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def histogram_svg(values: Sequence[float], *, low: float, high: float, bins: int, label: str):
    """Bars of how many values fall in each of `bins` equal bins from low to high."""
    finite = [v for v in values if v is not None and not math.isnan(v)]
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    top = max(int(counts.max()) if len(counts) else 0, 1)
    span = (WIDTH - PAD - 8) / bins
    bars = "".join(
        f'<rect x="{PAD + i * span + 1:.1f}" y="{HEIGHT - PAD - c / top * (HEIGHT - PAD - 8):.1f}" '
        f'width="{span - 2:.1f}" height="{c / top * (HEIGHT - PAD - 8):.1f}" class="bar">'
        f"<title>{edges[i]:.2f}…{edges[i + 1]:.2f}: {c}</title></rect>"
        for i, c in enumerate(counts)
    )
    ticks = _tick(PAD, HEIGHT - 10, f"{low:g}") + _tick(WIDTH - 8, HEIGHT - 10, f"{high:g}")
    ticks += _tick(PAD - 4, 12, str(top), "end")
    return _frame(bars + ticks, label)


def scatter_svg(points: Sequence[tuple[float, float, str]], *, x_label: str, y_label: str):
    """One dot per (x, y, name); axes span the data."""
    points = [p for p in points if not (math.isnan(p[0]) or math.isnan(p[1]))]
    if not points:
        return ""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1

    def place(x: float, y: float) -> tuple[float, float]:
        px = PAD + 6 + (x - x0) / (x1 - x0) * (WIDTH - PAD - 20)
        py = HEIGHT - PAD - 6 - (y - y0) / (y1 - y0) * (HEIGHT - PAD - 16)
        return px, py

    dots = "".join(
        '<circle cx="{:.1f}" cy="{:.1f}" r="3" class="dot"><title>{}: {:.3g}, {:.3g}</title>'
        "</circle>".format(*place(x, y), escape(name), x, y)
        for x, y, name in points
    )
    ticks = _tick((WIDTH + PAD) / 2, HEIGHT - 6, x_label) + _tick(PAD - 4, 12, f"{y1:.2f}", "end")
    ticks += _tick(PAD - 4, HEIGHT - PAD, f"{y0:.2f}", "end") + _tick(
        4, HEIGHT / 2, y_label, "start"
    )
    return _frame(dots + ticks, f"{y_label} against {x_label}")


def intervals_svg(
    rows: Sequence[dict], *, group: str, label: str, low: float = 1.0, high: float = 5.0
) -> str:
    """Mean and 95% interval per row on a low…high axis (the method's scale: spec.low and
    spec.high; 1…5 unless told), a tick at each whole point, rows gathered under their `group`
    value (say, systems under each language); `label` names each row. A value beyond the axis
    is drawn at its end."""
    if not rows:
        return ""
    ordered = sorted(rows, key=lambda r: (str(r[group]), str(r[label])))
    line, left, right = 14, 150, WIDTH * 2 - 10
    parts, y, current = [], 6, None

    def x(value: float) -> float:
        return left + (min(max(value, low), high) - low) / (high - low) * (right - left)

    for row in ordered:
        if row[group] != current:
            current = row[group]
            y += line
            parts.append(f'<text x="4" y="{y}" class="group">{escape(current)}</text>')
        y += line
        parts.append(f'<text x="16" y="{y}">{escape(row[label])}</text>')
        mean, ci_low, ci_high = row.get("mos"), row.get("ci_low"), row.get("ci_high")
        if ci_low is not None and ci_high is not None:
            parts.append(
                f'<line x1="{x(ci_low):.1f}" x2="{x(ci_high):.1f}" y1="{y - 4}" y2="{y - 4}" '
                f'class="ci"/>'
            )
        if mean is not None:
            parts.append(
                f'<circle cx="{x(mean):.1f}" cy="{y - 4}" r="3" class="dot">'
                f"<title>{escape(current)} {escape(row[label])}: {mean:.2f}</title></circle>"
            )
    y += line
    for tick in np.arange(low, high + 0.5, 1.0):
        parts.append(_tick(x(tick), y, f"{tick:g}"))
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="8" y2="{y - 10}" class="grid"/>'
        )
    return (
        f'<svg class="chart wide" viewBox="0 0 {WIDTH * 2} {y + 4}" role="img" '
        f'aria-label="{escape(label)} means with 95% intervals per {escape(group)}">'
        f"{''.join(parts)}</svg>"
    )
