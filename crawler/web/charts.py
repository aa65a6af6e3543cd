"""Small inline SVG charts drawn on the server: no JavaScript, nothing loaded from anywhere.

Each function returns markup safe to put in a template (every text is escaped here).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def bar_sparkline(points: Sequence[tuple[str, int]], width: int = 140, height: int = 28) -> Markup:
    """One bar per (label, count), scaled to the largest; each bar's tooltip says its label and count."""
    if not points:
        return Markup("")
    top = max(n for _, n in points) or 1
    step = width / len(points)
    bars = [f'<line class="base" x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}"/>']
    for i, (label, n) in enumerate(points):
        h = max(1.0, (height - 2) * n / top) if n else 0.0
        bars.append(
            f'<rect x="{i * step:.1f}" y="{height - h:.1f}" width="{max(step - 1, 1):.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {n}</title></rect>"
        )
    total = sum(n for _, n in points)
    label = escape(f"{total} articles in {len(points)} days, most {top} a day")
    return Markup(
        f'<svg class="spark" role="img" aria-label="{label}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(bars)}</svg>'
    )


def runs_chart(
    labels: Sequence[str], new_articles: Sequence[int], coverage: Sequence[float | None],
    width: int = 720, height: int = 160,
) -> Markup:
    """New articles per run as bars and field coverage (0..1) as a line, oldest run on the left."""
    if not labels:
        return Markup("")
    pad = 24
    inner_h = height - 2 * pad
    step = (width - 2 * pad) / len(labels)
    top = max(new_articles) or 1
    parts = [
        f'<line class="axis" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>',
        f'<text x="2" y="{pad - 8}">new (max {top})</text>',
        f'<text class="cov" x="{width - pad}" y="{pad - 8}" text-anchor="end">coverage 0–100%</text>',
    ]
    points = []
    for i, (label, n, share) in enumerate(zip(labels, new_articles, coverage, strict=True)):
        x = pad + i * step
        h = inner_h * n / top
        parts.append(
            f'<rect class="new" x="{x + 1:.1f}" y="{height - pad - h:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{h:.1f}"><title>{escape(label)}: {n} new</title></rect>'
        )
        if share is not None:
            cy = height - pad - inner_h * share
            points.append(f"{x + step / 2:.1f},{cy:.1f}")
            parts.append(
                f'<circle class="cov" cx="{x + step / 2:.1f}" cy="{cy:.1f}" r="3">'
                f"<title>{escape(label)}: coverage {share:.0%}</title></circle>"
            )
    if len(points) > 1:
        parts.insert(1, f'<polyline class="cov" points="{" ".join(points)}"/>')
    return Markup(
        f'<svg class="runs-chart" role="img" aria-label="new articles and coverage per run" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )
