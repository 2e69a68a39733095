"""Small SVG charts drawn at build time: columns, lines, paired bars and a sparkline, as strings.

Why hand-written SVG and no plotting library: the charts are a few dozen rectangles and a polyline
each, and they must be plain markup that follows the page's theme (currentColor and the CSS variables
of layouts/static/style.css, through the classes below), readable without JavaScript, byte-identical
from one build to the next, and cheap: a chart is drawn from per-month figures, so its cost does not
grow with the number of papers (a 100,000-paper archive still has a few hundred months at most).
A plotting library would add a heavy dependency, fixed colours, and ids and numbers that vary.

Every number is written with at most one decimal (`number`), every text is escaped (markupsafe), and
every chart is an <svg role="img"> named by its <title> and <desc>; the page puts a table of the same
figures beside it. Classes: .chart (the svg), .grid, .axis, .bar, .bar-before, .bar-now, .line, .dot,
.label, .value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup
from markupsafe import escape as escape_markup

from papermirror.site.mathtext import drop_control

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 34
"""Margins of the plot area, in SVG units, for the axis labels."""
CHAR_WIDTH = 6.6
"""About how wide a character of the 11-unit label font is: labels closer than this would overlap."""


def escape(text: object) -> Markup:
    """Text for the SVG: escaped, and without the control characters no page may carry (a keyword is the hub's
    text, and the template writes the SVG as it is)."""
    return escape_markup(drop_control(str(text)))


def number(value: float) -> str:
    """Write a number with at most one decimal, the same way on every machine: 2.0 -> "2", 2.25 -> "2.2"."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def nice_top(value: float, ticks: int = 4) -> tuple[float, float]:
    """Return (top, step) of a y axis that reaches `value` in about `ticks` round steps (1, 2, 2.5 or 5 x 10^n); whole
    steps from a `value` of 1 on (a count of papers has no tick at 2.5)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10)
                if m * magnitude >= raw and (value < 1 or float(m * magnitude).is_integer()))
    if step < 1 and value >= 1:
        step = 1.0
    return math.ceil(value / step - 1e-9) * step, step


def open_svg(chart_id: str, title: str, description: str, width: int = WIDTH, height: int = HEIGHT,
             css: str = "chart") -> str:
    """The <svg> start tag, named for assistive technology by its <title> and <desc>."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
            f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>')


def y_axis(top: float, step: float, unit: str = "") -> list[str]:
    """Horizontal grid lines with their values, from 0 to `top`."""
    parts, plot = [], HEIGHT - TOP - BOTTOM
    for n in range(round(top / step) + 1):
        value = n * step
        y = HEIGHT - BOTTOM - plot * value / top
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{number(y)}" y2="{number(y)}"/>')
        parts.append(f'<text class="label" x="{LEFT - 6}" y="{number(y + 4)}" text-anchor="end" fill="currentColor">'
                     f'{escape(number(value) + unit)}</text>')
    return parts


def x_labels(labels: Sequence[str], centre: list[float]) -> list[str]:
    """The non-empty labels under their points, leaving out any that would overlap the one before."""
    parts, free_from = [], -math.inf
    for label, x in zip(labels, centre):
        half = len(label) * CHAR_WIDTH / 2
        if not label or x - half < free_from or x - half < 0 or x + half > WIDTH:
            continue
        parts.append(f'<text class="label" x="{number(x)}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                     f'fill="currentColor">{escape(label)}</text>')
        free_from = x + half + CHAR_WIDTH
    return parts


def slots(count: int) -> tuple[float, list[float]]:
    """The width of one of `count` evenly spaced slots of the plot and each slot's centre."""
    width = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return width, [LEFT + width * (n + 0.5) for n in range(count)]


def column_chart(chart_id: str, title: str, description: str, values: Sequence[float], labels: Sequence[str],
                 names: Sequence[str], unit: str = "") -> str:
    """Vertical bars, one per value (a month), each with a tooltip `names[n]: value`; `labels` under some."""
    top, step = nice_top(max(values, default=0))
    width, centre = slots(len(values))
    plot = HEIGHT - TOP - BOTTOM
    parts = [open_svg(chart_id, title, description), *y_axis(top, step, unit)]
    for value, x, name in zip(values, centre, names):
        height = plot * value / top
        parts.append(f'<rect class="bar" x="{number(x - width * 0.4)}" y="{number(HEIGHT - BOTTOM - height)}" '
                     f'width="{number(max(width * 0.8, 0.5))}" height="{number(height)}">'
                     f'<title>{escape(name)}: {escape(number(value) + unit)}</title></rect>')
    parts += x_labels(labels, centre)
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}"/>')
    return "".join(parts) + "</svg>"


def line_chart(chart_id: str, title: str, description: str, values: Sequence[float | None], labels: Sequence[str],
               names: Sequence[str], unit: str = "", top: float | None = None) -> str:
    """A line through the values (a gap where a value is None), a dot with a tooltip on each point."""
    known = [value for value in values if value is not None]
    top, step = nice_top(top if top is not None else max(known, default=0))
    _width, centre = slots(len(values))
    plot = HEIGHT - TOP - BOTTOM
    points = [None if value is None else (x, HEIGHT - BOTTOM - plot * value / top) for value, x in zip(values, centre)]
    parts = [open_svg(chart_id, title, description), *y_axis(top, step, unit)]
    run: list[str] = []
    for point in [*points, None]:
        if point is not None:
            run.append(f"{number(point[0])},{number(point[1])}")
        elif run:
            parts.append(f'<polyline class="line" fill="none" stroke="currentColor" points="{" ".join(run)}"/>')
            run = []
    for point, value, name in zip(points, values, names):
        if point is not None:
            parts.append(f'<circle class="dot" cx="{number(point[0])}" cy="{number(point[1])}" r="2.5">'
                         f'<title>{escape(name)}: {escape(number(value) + unit)}</title></circle>')
    parts += x_labels(labels, centre)
    return "".join(parts) + "</svg>"


def paired_bars(chart_id: str, title: str, description: str, rows: Sequence[tuple[str, float, float]],
                legend: tuple[str, str], unit: str = "") -> str:
    """Horizontal bars in pairs: for each (label, before, now), the label, then a bar for each value."""
    row_height, head = 44, 28
    height = head + row_height * len(rows) + 4
    top = max([value for _label, *values in rows for value in values], default=0) or 1
    scale = (WIDTH - 70) / top
    parts = [open_svg(chart_id, title, description, height=height)]
    for n, (css, text) in enumerate(zip(("bar-before", "bar-now"), legend)):
        x = n * 240
        parts.append(f'<rect class="{css}" x="{x}" y="6" width="12" height="12"/>'
                     f'<text class="label" x="{x + 18}" y="16" fill="currentColor">{escape(text)}</text>')
    for n, (label, before, now) in enumerate(rows):
        y = head + row_height * n
        parts.append(f'<text class="label" x="0" y="{y + 11}" fill="currentColor">{escape(label)}</text>')
        for offset, css, value in ((15, "bar-before", before), (29, "bar-now", now)):
            parts.append(f'<rect class="{css}" x="0" y="{y + offset}" width="{number(max(value * scale, 0.5))}" height="11"/>'
                         f'<text class="value" x="{number(value * scale + 4)}" y="{y + offset + 10}" '
                         f'fill="currentColor">{escape(number(value) + unit)}</text>')
    return "".join(parts) + "</svg>"


def sparkline(chart_id: str, title: str, description: str, values: Sequence[float], width: int = 160, height: int = 32) -> str:
    """A small line of the values with no axes, its highest point marked; `title`/`description` say what it shows."""
    top = max(values, default=0) or 1
    step = (width - 4) / max(len(values) - 1, 1)
    points = [(2 + step * n, height - 2 - (height - 4) * value / top) for n, value in enumerate(values)]
    parts = [open_svg(chart_id, title, description, width, height, css="sparkline")]
    if len(points) == 1:
        points.append((width - 2, points[0][1]))
    parts.append(f'<polyline class="line" fill="none" stroke="currentColor" '
                 f'points="{" ".join(f"{number(x)},{number(y)}" for x, y in points)}"/>')
    if values:
        peak = max(range(len(values)), key=lambda n: (values[n], n))
        parts.append(f'<circle class="dot" cx="{number(points[peak][0])}" cy="{number(points[peak][1])}" r="2.5"/>')
    return "".join(parts) + "</svg>"
