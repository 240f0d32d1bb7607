"""The class report as a page (:func:`page`) or in a notebook (:func:`show`): agreement per variable with its
interval, the statements the class split on, each coder against the reference and the class, and two plots drawn as
inline SVG (codes by statement × coder; alpha per variable with its interval). No script, no remote resource.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from course.content.classreport import ClassReport
from course.views.display import cell_styles_to_sheet
from course.views.display import show as styled

#: Okabe-Ito: distinguishable with the common colour-vision deficiencies; never the only cue (legends, tables).
CODE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
MISSING_COLOUR = "#ffffff"
STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;color:#111}"
    "h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #999}h3{font-size:1.05rem}"
    "table{border-collapse:collapse;margin:.5rem 0}th,td{padding:2px 8px;border-bottom:1px solid #ddd}"
    ".problems li{color:#8a1c00}figure{margin:1rem 0}figcaption{font-size:13px;color:#333}"
)


def alpha_svg(report: ClassReport, width: int = 520) -> str:
    """Alpha per variable: a dot and its bootstrap interval on a -0.2 … 1 axis, with 0.667 and 0.8 marked
    (Krippendorff's lowest bound for tentative conclusions, and his customary one)."""
    lo_axis, hi_axis = -0.2, 1.0
    left, right, row_h = 110, 20, 34
    names = list(report.variables)
    height = 40 + row_h * len(names)

    def x(value: float) -> float:
        value = min(max(value, lo_axis), hi_axis)
        return left + (value - lo_axis) / (hi_axis - lo_axis) * (width - left - right)

    parts = [
        f'<svg role="img" aria-labelledby="alpha-title" width="{width}" height="{height}" '
        f'style="font:12px sans-serif"><title id="alpha-title">Krippendorff\'s alpha per variable, with a 95% '
        f"bootstrap interval</title>"
    ]
    for mark, label in ((0.0, "0"), (0.667, ".667"), (0.8, ".8"), (1.0, "1")):
        parts.append(
            f'<line x1="{x(mark):.1f}" x2="{x(mark):.1f}" y1="8" y2="{height - 22}" stroke="#999" '
            f'stroke-dasharray="{"" if mark in (0.0, 1.0) else "3,3"}"/>'
            f'<text x="{x(mark):.1f}" y="{height - 8}" text-anchor="middle">{label}</text>'
        )
    for row, name in enumerate(names):
        a = report.variables[name].alpha
        y = 22 + row * row_h
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{html.escape(name)}</text>')
        if np.isnan(a.value):
            parts.append(f'<text x="{left}" y="{y + 4}">undefined (one code only)</text>')
            continue
        if not np.isnan(a.low):
            parts.append(
                f'<line x1="{x(a.low):.1f}" x2="{x(a.high):.1f}" y1="{y}" y2="{y}" stroke="#0072B2" '
                'stroke-width="3"/>'
            )
        parts.append(
            f'<circle cx="{x(a.value):.1f}" cy="{y}" r="5" fill="#0072B2"><title>{name}: alpha '
            f"{a.value:.3f} ({a.low:.3f} to {a.high:.3f})</title></circle>"
            f'<text x="{x(a.value):.1f}" y="{y - 8}" text-anchor="middle">{a.value:.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def codes_svg(report: ClassReport, variable: str, width: int = 900) -> str:
    """Codes by statement (columns) × coder (rows, most in line with the class first): one colour per code, a
    white cell where a coder left a statement uncoded, the reference code on a row of its own at the top."""
    part = report.variables[variable]
    order = np.argsort(-part.coders["vs_majority"].fillna(-1).to_numpy(), kind="stable")
    coders = len(order)
    cols = len(report.statements)
    left, top = 150, 20
    cell_w = max(8.0, min(48.0, (width - left - 10) / max(cols, 1)))
    cell_h = 14.0 if coders <= 40 else max(2.0, 560.0 / coders)
    label_h = 7 * min(32, max((len(sid) for sid in report.statements), default=0)) * 0.65 + 20  # turned 40°
    legend_h = 24
    height = int(top + cell_h * (coders + 2) + label_h + legend_h)
    title = f"Codes for {variable}: statements across, coders down, the reference on top"
    parts = [
        f'<svg role="img" aria-labelledby="codes-{variable}" width="{int(left + cell_w * cols + 150)}" '
        f'height="{height}" style="font:11px sans-serif"><title id="codes-{variable}">{html.escape(title)}'
        "</title>"
    ]
    reference = part.statements["reference"].tolist()
    for col in range(cols):
        code = reference[col]
        if code:
            colour = CODE_COLOURS[part.labels.index(code) % len(CODE_COLOURS)]
            parts.append(
                f'<rect x="{left + col * cell_w:.1f}" y="{top}" width="{cell_w - 1:.1f}" '
                f'height="{cell_h - 1:.1f}" fill="{colour}"><title>reference: {html.escape(code)}'
                "</title></rect>"
            )
    parts.append(f'<text x="{left - 6}" y="{top + cell_h - 3:.1f}" text-anchor="end">reference</text>')
    y0 = top + cell_h * 1.5
    # One group per coder carries what the row's cells share (place, outline), so that a class of hundreds
    # stays a page a browser opens at once: each cell then says only where it is, its size and its code.
    size = f'width="{cell_w - 1:.1f}" height="{max(cell_h - (1 if cell_h > 4 else 0), 1):.1f}"'
    outline = f'stroke="#ccc" stroke-width="{0.5 if cell_h > 4 else 0}"'
    for row, i in enumerate(order):
        y = y0 + row * cell_h
        if coders <= 40:
            parts.append(
                f'<text x="{left - 6}" y="{y + cell_h - 3:.1f}" text-anchor="end">'
                f"{html.escape(report.coders[i])}</text>"
            )
        parts.append(f'<g transform="translate(0 {y:.1f})" {outline}>')
        for col in range(cols):
            value = part.matrix[i, col]
            colour = MISSING_COLOUR if np.isnan(value) else CODE_COLOURS[int(value) % len(CODE_COLOURS)]
            label = "not coded" if np.isnan(value) else part.labels[int(value)]
            tip = f"{report.coders[i]}, {report.statements[col]}: {label}" if coders <= 40 else label
            parts.append(
                f'<rect x="{left + col * cell_w:.1f}" {size} fill="{colour}"><title>{html.escape(tip)}</title></rect>'
            )
        parts.append("</g>")
    if coders > 40:
        parts.append(f'<text x="{left - 6}" y="{y0 + 12}" text-anchor="end">{coders} coders</text>')
    bottom = y0 + coders * cell_h + 14
    for col, sid in enumerate(report.statements):  # statement ids, turned
        cx = left + col * cell_w + cell_w / 2
        parts.append(
            f'<text transform="translate({cx:.1f},{bottom:.1f}) rotate(40)">{html.escape(sid[:32])}</text>'
        )
    lx, ly = 10, height - 10
    for k, code in enumerate(part.labels):
        colour = CODE_COLOURS[k % len(CODE_COLOURS)]
        parts.append(
            f'<rect x="{lx}" y="{ly - 10}" width="11" height="11" fill="{colour}"/>'
            f'<text x="{lx + 15}" y="{ly}">{html.escape(code)}</text>'
        )
        lx += 24 + 7 * len(code)
    parts.append("</svg>")
    return "".join(parts)


HEADINGS = {
    "match_others": "matches the others' majority",
    "decisions": "codes judged",
    "to_neighbour": "differences to a neighbouring code",
    "differences_on_scales": "differences on stance and commitment",
    "majority_share": "majority's share",
    "vs_reference": "agrees with the reference",
    "vs_majority": "agrees with the class majority",
    "mean_kappa": "mean kappa with the others",
}


def _fmt(frame: pd.DataFrame, share_columns=(), kappa_columns=()) -> pd.DataFrame:
    """Shares as percentages, kappas to two places, readable headings, no row numbers."""
    frame = frame.copy().reset_index(drop=True)
    for column in share_columns:
        frame[column] = [("" if pd.isna(v) else f"{v:.0%}") for v in frame[column]]
    for column in kappa_columns:
        frame[column] = [("" if pd.isna(v) else f"{v:.2f}") for v in frame[column]]
    return frame.rename(columns=HEADINGS)


def body(report: ClassReport, title: str = "Class coding report", level: int = 1) -> str:
    """The report as an HTML fragment (a notebook shows it; :func:`page` wraps it). ``level`` is the title's heading
    level; sections are one below (a lesson passes 3, under its own headings)."""
    h1, h2 = f"h{level}", f"h{level + 1}"
    out = [
        f"<{h1}>{html.escape(title)}</{h1}>",
        f"<p>{len(report.coders)} coders, {len(report.statements)} statements. Alpha measures how far the coders "
        "agree beyond chance (1: perfectly; 0: as if by chance). Krippendorff's guide: rely on a variable at 0.8 "
        "or above, draw tentative conclusions from 0.667, and treat anything lower as a codebook to revise. "
        "With few statements the interval is wide: read it before the number.</p>",
    ]
    if report.problems:
        out.append(
            f'<{h2}>Files with problems ({len(report.problems)})</{h2}><ul class="problems">'
            + "".join(f"<li>{html.escape(p)}</li>" for p in report.problems)
            + "</ul>"
        )
    if not report.coders:
        out.append("<p>No coding file could be counted.</p>")
        return "\n".join(out)
    summary = pd.DataFrame(
        [
            {
                "variable": name,
                "level": part.alpha.level,
                "alpha": part.alpha.value,
                "95% interval": ""
                if np.isnan(part.alpha.low)
                else f"{part.alpha.low:.2f} to {part.alpha.high:.2f}",
                "coders": part.alpha.coders,
                "statements": part.alpha.units,
                "pairable codes": part.alpha.pairable,
            }
            for name, part in report.variables.items()
        ]
    )
    out += [
        f"<{h2}>Agreement per variable</{h2}>",
        styled(
            _fmt(summary, kappa_columns=["alpha"]),
            caption="Krippendorff's alpha, with a bootstrap interval over statements",
        ).to_html(),
        f"<figure>{alpha_svg(report)}<figcaption>Alpha per variable: the dot is the class's alpha, the bar its "
        "95% interval; dashed lines at 0.667 and 0.8.</figcaption></figure>",
    ]
    flagged = (
        report.coders_summary[report.coders_summary["flag"] != ""]
        if report.coders_summary is not None
        else []
    )
    out.append(f"<{h2}>Coders to look at</{h2}>")
    if len(flagged):
        out.append(
            styled(
                _fmt(flagged, share_columns=["match_others"]),
                caption="Coders far from the class (a prompt to look at their file and talk, not a verdict)",
            ).to_html()
        )
    else:
        out.append("<p>No coder stands far from the rest.</p>")
    for name, part in report.variables.items():
        out.append(f"<{h2}>{html.escape(name.capitalize())}</{h2}>")
        split = part.statements.sort_values(["majority_share", "statement"]).drop(columns=["split_rank"])
        out.append(
            styled(
                _fmt(split, share_columns=["majority_share"]),
                caption=f"{name}: statements, the most split first",
            ).to_html()
        )
        out.append(
            f"<figure>{codes_svg(report, name)}<figcaption>Each row a coder (most in line with the class "
            "at the top), each column a statement.</figcaption></figure>"
        )
        if part.confusion is not None:
            out.append(
                styled(
                    part.confusion,
                    caption=f"{name}: reference code (rows) against the codes given (columns), every coder",
                ).to_html()
            )
        coders = part.coders.sort_values(["vs_majority", "coder"], ascending=[True, True])
        out.append(
            styled(
                _fmt(coders, share_columns=["vs_reference", "vs_majority"], kappa_columns=["mean_kappa"]),
                caption=f"{name}: each coder against the reference, the class majority, and (mean "
                "Cohen's kappa) every other coder",
            ).to_html()
        )
    return "\n".join(out)


def page(report: ClassReport, title: str = "Class coding report") -> str:
    """A standalone HTML page (no script, no remote resource); the tables' cell styles in its style sheet, once."""
    content, cells = cell_styles_to_sheet(body(report, title))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}{cells}</style></head><body><main>\n"
        f"{content}\n</main></body></html>\n"
    )


def show(report: ClassReport, title: str = "Class coding report"):
    from IPython.display import HTML

    return HTML(body(report, title))
