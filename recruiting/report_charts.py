"""Geometry of the hiring reports' charts, drawn as inline SVG by the templates (``admin/recruiting/reports/``):
no JavaScript (the CSP allows no inline script) and no Django here.  Coordinates are SVG user units; the
templates scale the picture to the page's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Layer:
    """One bar of a row, drawn from the axis: ``value`` in the chart's unit, ``kind`` its CSS class suffix."""

    value: float
    kind: str
    title: str = ""


@dataclass(frozen=True)
class BarRow:
    """A row of a horizontal bar chart: its ``label``, bars drawn back to front, and a ``note`` after the bars."""

    label: str
    layers: Sequence[Layer] = field(default_factory=tuple)
    note: str = ""


def hbar_chart(
    rows: Sequence[BarRow],
    *,
    width: int = 720,
    label_width: int = 130,
    note_width: int = 260,
    row_height: int = 28,
    scale_max: float | None = None,
) -> dict:
    """Horizontal bars, one row per ``rows`` item; every layer of a row starts at the axis, so a shorter layer
    drawn after a longer one reads as "part of" it.  ``scale_max`` (default: the largest value) maps to the full
    bar width.  Returns the SVG size and, per row, the label / note positions and each layer's rectangle."""
    top, gap = 4, 6
    plot = width - label_width - note_width
    peak = scale_max if scale_max else max((layer.value for row in rows for layer in row.layers), default=0)
    peak = peak or 1
    out = []
    for i, row in enumerate(rows):
        y = top + i * row_height
        bar_h = row_height - gap
        layers = []
        for layer in row.layers:
            w = round(plot * max(min(layer.value / peak, 1.0), 0.0), 1)
            layers.append(
                {
                    "x": label_width,
                    "y": y,
                    "w": w,
                    "h": bar_h,
                    "kind": layer.kind,
                    "title": layer.title or f"{row.label}: {layer.value:g}",
                }
            )
        out.append(
            {
                "label": row.label,
                "note": row.note,
                "y": y,
                "text_y": round(y + bar_h / 2 + 4, 1),
                "layers": layers,
            }
        )
    return {
        "width": width,
        "height": top * 2 + len(rows) * row_height,
        "rows": out,
        "label_x": label_width - 8,
        "note_x": label_width + plot + 8,
        "axis_x": label_width,
        "axis_top": top,
        "axis_bottom": top + len(rows) * row_height - gap,
    }


def paired_histogram(
    first: Sequence[tuple[float, float, int]],
    second: Sequence[tuple[float, float, int]],
    *,
    width: int = 640,
    height: int = 200,
) -> dict:
    """Two histograms over the same bins (``[(low, high, count), …]``, e.g. hired and rejected), side by side
    in each bin.  Each series is scaled to its own total (share of its candidates), so a small hired group and
    a large rejected one compare by shape.  Raises ``ValueError`` when the bins differ."""
    if [(lo, hi) for lo, hi, _ in first] != [(lo, hi) for lo, hi, _ in second]:
        raise ValueError("the two histograms need the same bins")
    top, bottom, left, right = 16, 24, 34, 8
    plot_h = height - top - bottom
    totals = [sum(c for _, _, c in first) or 1, sum(c for _, _, c in second) or 1]
    shares = [[c / totals[0] for _, _, c in first], [c / totals[1] for _, _, c in second]]
    peak = max([*shares[0], *shares[1], 0.0]) or 1.0
    slot = (width - left - right) / max(len(first), 1)
    bar_w = max(slot / 2 - 3, 1)
    bins = []
    for i, (low, high, _) in enumerate(first):
        x0 = left + i * slot + 2
        bars = []
        for k, kind in enumerate(("first", "second")):
            share = shares[k][i]
            h = round(plot_h * share / peak, 1)
            count = (first if k == 0 else second)[i][2]
            bars.append(
                {
                    "x": round(x0 + k * (bar_w + 1), 1),
                    "y": round(top + plot_h - h, 1),
                    "w": round(bar_w, 1),
                    "h": h,
                    "kind": kind,
                    "count": count,
                    "share": f"{share:.0%}",
                }
            )
        bins.append(
            {"low": f"{low:.0f}", "high": f"{high:.0f}", "x": round(left + i * slot, 1), "bars": bars}
        )
    ticks = [{"y": round(top + plot_h - plot_h * f, 1), "label": f"{peak * f:.0%}"} for f in (0.0, 0.5, 1.0)]
    return {
        "width": width,
        "height": height,
        "bins": bins,
        "baseline": top + plot_h,
        "left": left,
        "right": width - right,
        "axis_y": height - 6,
        "ticks": ticks,
    }
