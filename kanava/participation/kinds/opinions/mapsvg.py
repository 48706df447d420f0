"""The opinion map as an accessible SVG, drawn on the server from the stored result (no JavaScript).

Thousands of participants stay light: points are aggregated into small cells per group
(like Polis's visualisation draws its base clusters, not people), each cell a mark sized by
how many people it holds.  Groups differ by more than colour (WCAG 1.4.1): each has its own
mark shape and a letter label (A, B, C ...) at its centre, and a dashed hull around it.  The
SVG has ``role="img"``, a ``<title>`` and a ``<desc>``; the page next to it describes every
group in text, so the picture is never the only way to read the result.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT, PAD = 480, 360, 28
CELLS = 36  # cells across the map when aggregating points
# Okabe-Ito colours (distinguishable with colour blindness), dark enough for 3:1 against white.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#56B4E9", "#E69F00"]
SHAPES = ["circle", "square", "triangle", "diamond", "cross", "circle", "square"]
UNGROUPED = "#767676"


def letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"G{index + 1}"


def _mark(shape: str, x: float, y: float, r: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" fill="{colour}"/>'
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - r * 1.2:.1f} {x - r * 1.1:.1f},{y + r * 0.8:.1f} '
                f'{x + r * 1.1:.1f},{y + r * 0.8:.1f}" fill="{colour}"/>')
    if shape == "diamond":
        return (f'<polygon points="{x:.1f},{y - r * 1.2:.1f} {x + r * 1.2:.1f},{y:.1f} {x:.1f},{y + r * 1.2:.1f} '
                f'{x - r * 1.2:.1f},{y:.1f}" fill="{colour}"/>')
    if shape == "cross":
        w = max(r * 0.5, 1.0)
        return (f'<path d="M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}M{x + r:.1f},{y - r:.1f}L{x - r:.1f},'
                f'{y + r:.1f}" stroke="{colour}" stroke-width="{w:.1f}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (monotone chain)."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def group_styles(group_ids: list) -> dict:
    """{group id: {"letter", "colour", "shape"}} in the order the groups are listed."""
    return {gid: {"letter": letter(i), "colour": COLOURS[i % len(COLOURS)], "shape": SHAPES[i % len(SHAPES)]}
            for i, gid in enumerate(group_ids)}


def render(coordinates: dict, participants: dict, group_ids: list, *, you=None, id_prefix: str = "opinion-map",
           description: str = "") -> SafeString:
    """The map: ``coordinates`` {pid: (x, y)}, ``participants`` {pid: group id or None}, ``you`` a pid or None."""
    styles = group_styles(group_ids)
    points = [(str(pid), float(xy[0]), float(xy[1])) for pid, xy in coordinates.items()
              if xy is not None and all(math.isfinite(float(v)) for v in xy)]
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    title = escape(_("Opinion map"))
    desc = escape(description or _("Each mark is a small cluster of people who voted alike; larger marks hold "
                                   "more people. People close to each other voted similarly. Groups are "
                                   "labelled with letters and drawn with different shapes."))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="opinion-map" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-labelledby="{title_id} {desc_id}" width="100%" style="max-width:{WIDTH}px">'
            f'<title id="{title_id}">{title}</title><desc id="{desc_id}">{desc}</desc>'
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff" stroke="#999"/>')
    if not points:
        return mark_safe(head + "</svg>")
    xs, ys = [p[1] for p in points], [p[2] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (WIDTH - 2 * PAD) / ((x1 - x0) or 1.0)
    sy = (HEIGHT - 2 * PAD) / ((y1 - y0) or 1.0)

    def place(x, y):
        return PAD + (x - x0) * sx, HEIGHT - PAD - (y - y0) * sy

    cell_w, cell_h = (WIDTH - 2 * PAD) / CELLS, (HEIGHT - 2 * PAD) / CELLS
    cells: dict = defaultdict(lambda: [0, 0.0, 0.0])
    for pid, x, y in points:
        px, py = place(x, y)
        gid = participants.get(pid)
        key = (gid if gid in styles else None, int(px // cell_w), int(py // cell_h))
        cell = cells[key]
        cell[0] += 1
        cell[1] += px
        cell[2] += py
    parts = [head]
    by_group = defaultdict(list)
    for (gid, _cx, _cy), (n, tx, ty) in cells.items():
        by_group[gid].append((tx / n, ty / n, n))
    for gid in group_ids:
        hull = _hull([(x, y) for x, y, _n in by_group.get(gid, [])])
        if len(hull) >= 3:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in hull)
            parts.append(f'<polygon points="{path}" fill="{styles[gid]["colour"]}" fill-opacity="0.08" '
                         f'stroke="{styles[gid]["colour"]}" stroke-dasharray="4 3"/>')
    for gid, marks in by_group.items():
        style = styles.get(gid, {"colour": UNGROUPED, "shape": "circle"})
        parts.append(f'<g class="opinion-map__group" data-group="{"" if gid is None else gid}">')
        for x, y, n in marks:
            parts.append(_mark(style["shape"], x, y, min(2.0 + 1.6 * math.sqrt(n), 12.0), style["colour"]))
        parts.append("</g>")
    for gid in group_ids:
        marks = by_group.get(gid)
        if not marks:
            continue
        total = sum(n for *_xy, n in marks)
        cx = sum(x * n for x, _y, n in marks) / total
        cy = sum(y * n for _x, y, n in marks) / total
        # a white disc behind the letter, not a text stroke: PDF renderers ignore paint-order
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="15" fill="#fff" stroke="{styles[gid]["colour"]}" '
                     f'stroke-width="2"/><text x="{cx:.1f}" y="{cy + 7.5:.1f}" font-size="21" font-weight="bold" '
                     f'text-anchor="middle" fill="#000">{styles[gid]["letter"]}</text>')
    if you is not None and str(you) in coordinates:
        xy = coordinates[str(you)]
        px, py = place(float(xy[0]), float(xy[1]))
        label = escape(_("You"))  # outside the f-string, where makemessages finds it
        width = 9 * len(label) + 8
        parts.append(f'<g class="opinion-map__you"><circle cx="{px:.1f}" cy="{py:.1f}" r="9" fill="none" '
                     f'stroke="#000" stroke-width="3"/><rect x="{px + 9:.1f}" y="{py - 25:.1f}" width="{width}" '
                     f'height="19" rx="3" fill="#fff" stroke="#000" stroke-width="1"/><text x="{px + 13:.1f}" '
                     f'y="{py - 10:.1f}" font-size="14" font-weight="bold" fill="#000">{label}</text></g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
