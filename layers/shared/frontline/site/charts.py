"""Charts as static SVG, drawn in Python at render time: no script, no chart library.

Every chart is an image with a Japanese `<title>` and `<desc>` for screen readers
(`role="img"`, `aria-labelledby`). Colours come from the stylesheet (classes on the shapes,
`currentColor` for text), so the charts follow the light and dark themes; the site's CSP
forbids inline styles, so nothing here uses a `style` attribute. Each chart has a `viewBox`
and no fixed size: CSS scales it to its container.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SPARK_WIDTH = 300
SPARK_HEIGHT = 40
SPARK_PAD = 3

BAR_WIDTH = 320
BAR_LABEL = 112  # the label column
BAR_END = 284  # where the longest bar ends; its count is written after it
BAR_ROW = 30
BAR_THICK = 12
BAR_THIN = 4
LABEL_CHARS = 8


@dataclass(frozen=True)
class BarRow:
    label: str
    current: int
    previous: int


def _number(value: float) -> str:
    """Coordinates with at most two decimals and no trailing zeros: stable bytes."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


def _open(chart_id: str, view_box: str, css_class: str, title: str, desc: str) -> str:
    return (
        f'<svg class="chart {css_class}" viewBox="{view_box}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def sparkline(values: Sequence[int], *, chart_id: str, title: str, desc: str) -> Markup:
    """A line of daily counts, oldest day on the left, with the last day marked by a dot."""
    chart_id = str(escape(chart_id))
    parts = [
        _open(chart_id, f"0 0 {SPARK_WIDTH} {SPARK_HEIGHT}", "chart--spark", title, desc),
        f'<line class="chart__axis" x1="0" y1="{SPARK_HEIGHT - 1}" x2="{SPARK_WIDTH}" '
        f'y2="{SPARK_HEIGHT - 1}"/>',
    ]
    if values:
        top = max(max(values), 1)
        step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
        span = SPARK_HEIGHT - 2 * SPARK_PAD
        points = [
            (SPARK_PAD + i * step, SPARK_HEIGHT - SPARK_PAD - span * value / top)
            for i, value in enumerate(values)
        ]
        joined = " ".join(f"{_number(x)},{_number(y)}" for x, y in points)
        x, y = points[-1]
        parts.append(
            f'<polyline class="chart__line" points="{joined}" vector-effect="non-scaling-stroke"/>'
        )
        parts.append(f'<circle class="chart__dot" cx="{_number(x)}" cy="{_number(y)}" r="2.5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every piece of text in it is escaped


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(rows: Sequence[BarRow], *, chart_id: str, title: str, desc: str) -> Markup:
    """Horizontal bars: the current period thick, the previous period thin beneath it."""
    chart_id = str(escape(chart_id))
    height = max(len(rows), 1) * BAR_ROW + 4
    parts = [_open(chart_id, f"0 0 {BAR_WIDTH} {height}", "chart--bars", title, desc)]
    top = max((max(row.current, row.previous) for row in rows), default=1) or 1
    scale = (BAR_END - BAR_LABEL - 8) / top
    for i, row in enumerate(rows):
        y = i * BAR_ROW + 4
        current = max(row.current * scale, 1)
        previous = row.previous * scale
        parts.append(
            f'<text class="chart__label" x="{BAR_LABEL - 6}" y="{y + 12}" '
            f'text-anchor="end">{escape(_short(row.label))}</text>'
        )
        parts.append(
            f'<rect class="chart__bar" x="{BAR_LABEL}" y="{y + 2}" '
            f'width="{_number(current)}" height="{BAR_THICK}" rx="2"/>'
        )
        if previous:
            parts.append(
                f'<rect class="chart__bar chart__bar--previous" x="{BAR_LABEL}" '
                f'y="{y + 2 + BAR_THICK + 2}" width="{_number(previous)}" height="{BAR_THIN}"/>'
            )
        parts.append(
            f'<text class="chart__value" x="{_number(BAR_LABEL + current + 4)}" '
            f'y="{y + 12}">{row.current}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every piece of text in it is escaped
