"""The codebook as a page: in a lesson (:func:`show`) and as a standalone page an instructor prints
(:func:`html_page`, written to ``assignments/codebook.html`` by ``tools/codebook.py``)."""

from __future__ import annotations

import mistune

from course.content.codebook import markdown

_RENDER = mistune.create_markdown(escape=True)
STYLE = (
    "body{font:11pt/1.45 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111}"
    "h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #999}"
    "code{background:#f2f2f2;padding:0 .2em}li{margin:.3em 0}"
    "@media print{body{margin:0;max-width:none}h2{break-after:avoid}li{break-inside:avoid}}"
)


def html_page(audience: str = "instructor") -> str:
    """The whole codebook as one HTML page: no script, no remote resource, styled for print."""
    body = _RENDER(markdown(audience))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Codebook: official reactions ({audience}'s edition)</title><style>{STYLE}</style></head>"
        f"<body><main>\n{body}</main></body></html>\n"
    )


def show(audience: str = "student"):
    """The student's edition in a notebook."""
    from IPython.display import Markdown

    return Markdown(markdown(audience))
