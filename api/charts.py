"""Server-rendered SVG pictures of the cluster: the coverage chart and the closeness network.

The pictures need no JavaScript. Each has a <title> and <desc>, and the pages that show them
also print the same numbers as a table for screen readers.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

# Colours with at least 4.5:1 contrast against white, so text and bars stay readable.
REGION_COLOURS = ("#1f5fa8", "#a4301c", "#2b6e2f", "#6b3fa0", "#7a5a00")
TEXT = "#1a1a1a"
GAP = "#b00020"


def _text(x: float, y: float, content: str, **attributes: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attributes.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" fill="{TEXT}"{extra}>{escape(content)}</text>'


def coverage_svg(coverage: dict[str, Any], ui: dict[str, str]) -> str:
    """Draw one horizontal bar per innovation stage, split by the members' regions."""
    stages = coverage["stages"]
    regions = [region["iri"] for region in coverage["regions"]]
    region_labels = {region["iri"]: region["label"] for region in coverage["regions"]}
    most = max((len(stage["members"]) for stage in stages), default=0) or 1
    label_width, bar_width, row_height, top = 260, 360, 34, 40
    height = top + row_height * len(stages) + 30 + 22 * len(regions)
    width = label_width + bar_width + 80

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="cov-title cov-desc" '
        'font-family="system-ui, sans-serif" font-size="14">',
        f'<title id="cov-title">{escape(ui["coverage_chart_title"])}</title>',
        f'<desc id="cov-desc">{escape(_coverage_description(coverage, ui))}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        _text(0, 20, ui["coverage_chart_title"], font_weight="600", font_size="16"),
    ]
    for index, stage in enumerate(stages):
        y = top + index * row_height
        parts.append(_text(0, y + 18, f'{stage["order"]}. {stage["label"]}'))
        x = float(label_width)
        for region_index, region in enumerate(regions):
            count = sum(1 for m in stage["members"] if m["region"] == region)
            if not count:
                continue
            length = bar_width * count / most
            colour = REGION_COLOURS[region_index % len(REGION_COLOURS)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="20" fill="{colour}">'
                f"<title>{escape(region_labels[region])}: {count}</title></rect>"
            )
            x += length
        total = len(stage["members"])
        if total:
            parts.append(_text(x + 6, y + 19, str(total)))
        else:
            parts.append(_text(x, y + 19, ui["gap"], fill=GAP, font_weight="600"))
    legend_top = top + row_height * len(stages) + 16
    for region_index, region in enumerate(regions):
        y = legend_top + region_index * 22
        colour = REGION_COLOURS[region_index % len(REGION_COLOURS)]
        parts.append(f'<rect x="0" y="{y}" width="14" height="14" fill="{colour}"/>')
        parts.append(_text(20, y + 12, region_labels[region]))
    parts.append("</svg>")
    return "\n".join(parts)


def _coverage_description(coverage: dict[str, Any], ui: dict[str, str]) -> str:
    counts = [f'{stage["label"]}: {len(stage["members"])}' for stage in coverage["stages"]]
    return f'{ui["members_per_stage"]}: ' + "; ".join(counts)


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def closeness_svg(
    members: list[dict[str, str]], pairs: list[dict[str, Any]], measure: str, ui: dict[str, str]
) -> str:
    """Draw members on a circle and join each pair whose ``measure`` value is above zero.

    Line width and opacity grow with the value; pairs where the measure is not available
    (None) are not drawn.
    """
    edges = [
        (pair["a"]["iri"], pair["b"]["iri"], pair[measure]["value"])
        for pair in pairs
        if pair[measure] is not None and pair[measure]["value"]
    ]
    linked = sorted({iri for a, b, _ in edges for iri in (a, b)})
    names = {member["iri"]: member["name"] for member in members}
    size, radius = 760, 230
    centre = size / 2
    position = {
        iri: (
            centre + radius * math.cos(2 * math.pi * index / max(len(linked), 1) - math.pi / 2),
            centre + radius * math.sin(2 * math.pi * index / max(len(linked), 1) - math.pi / 2),
        )
        for index, iri in enumerate(linked)
    }
    title = f'{ui["network_title"]}: {ui["measure_" + measure]}'
    description = (
        f'{len(edges)} {ui["pairs_above_zero"]}; {len(linked)} {ui["members_linked"]}.'
        if edges
        else ui["no_pairs"]
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" '
        f'height="{size}" role="img" aria-labelledby="net-title net-desc" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="net-title">{escape(title)}</title>',
        f'<desc id="net-desc">{escape(description)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        _text(10, 22, title, font_weight="600", font_size="16"),
    ]
    for a, b, value in edges:
        (x1, y1), (x2, y2) = position[a], position[b]
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#1f5fa8" '
            f'stroke-width="{0.5 + 5 * value:.2f}" stroke-opacity="{0.25 + 0.6 * value:.2f}">'
            f"<title>{escape(names.get(a, a))} — {escape(names.get(b, b))}: {value:.2f}</title>"
            "</line>"
        )
    for iri in linked:
        x, y = position[iri]
        anchor = "start" if x >= centre else "end"
        dx = 10 if x >= centre else -10
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#a4301c"/>')
        parts.append(_text(x + dx, y + 4, _short(names.get(iri, iri)), text_anchor=anchor))
    if not edges:
        parts.append(_text(centre, centre, ui["no_pairs"], text_anchor="middle"))
    parts.append("</svg>")
    return "\n".join(parts)
