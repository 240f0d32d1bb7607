"""Student content rendered for an instructor or a student, with nothing in it that can run.

The formgrader shows a submission inside the instructor's logged-in page, and feedback pages are opened by
students: a written answer with ``<img src=x onerror=...>``, or a cell output of type ``text/html`` or
``image/svg+xml`` with a script, would run there (in the formgrader, with the instructor's rights: it could
change grades through the formgrader's API). nbgrader's formgrade template renders markdown without
nbconvert's ``sanitize_html``, so this preprocessor cleans the notebook before any template sees it:

- every markdown cell is rendered to HTML here and cleaned with bleach (an allow-list of tags and attributes;
  links only over http, https or mailto; no script, style, iframe, form, event handler or SVG); images only
  inline (``data:image/png|jpeg|gif;base64``): a remote image would load when the page opens and tell its owner
  who opened it and when (issue 27, tracking); it is shown as a link instead, loaded by no one who does not click;
  the template then shows that HTML as it is;
- every output keeps only kinds that cannot run code: plain text, PNG/JPEG/GIF images, and cleaned HTML;
  JavaScript, SVG, widget views, LaTeX and anything unknown are dropped (a note says so when nothing is left).

Configured for every HTML page nbgrader makes from a notebook (``c.HTMLExporter.preprocessors`` in
``assignments/nbgrader_config.py``): the formgrader's submission view and the feedback.
"""

from __future__ import annotations

import re

import bleach
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode

TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
INLINE_IMAGE = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
LINK = re.compile(r"(https?:|mailto:)", re.IGNORECASE)


def _a(tag: str, name: str, value: str) -> bool:
    return name == "title" or (name == "href" and bool(LINK.match(value.strip())))


def _img(tag: str, name: str, value: str) -> bool:
    return name in ("alt", "title", "width", "height") or (
        name == "src" and bool(INLINE_IMAGE.fullmatch(value))
    )


ATTRIBUTES = {
    "*": ["title", "class", "align"],
    "a": _a,
    "img": _img,
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
}
#: ``data`` only for inline images (the attribute filters above allow it nowhere else).
PROTOCOLS = frozenset({"http", "https", "mailto", "data"})
REMOTE_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?\s*(https?:[^\"'\s>]+)[^>]*>", re.IGNORECASE)
#: Output kinds that cannot run code in a page, kept as they are.
SAFE_KINDS = ("text/plain", "image/png", "image/jpeg", "image/gif")
DROPPED_NOTE = "[output not shown: only text, images and cleaned HTML are shown here]"


def clean_html(html: str) -> str:
    """``html`` with only allowed tags, attributes and link protocols; everything else removed. A remote image
    becomes a link to it (``[image not loaded: <address>]``)."""
    html = REMOTE_IMAGE.sub(lambda m: f'<a href="{m.group(1)}">[image not loaded: {m.group(1)}]</a>', html)
    return bleach.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip=True, strip_comments=True
    )


def markdown_to_clean_html(source: str) -> str:
    """Render markdown (with nbconvert's renderer, as the templates do) and clean the result."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return clean_html(markdown2html_mistune(source))


def as_one_html_block(html: str) -> str:
    """``html`` as a single raw HTML block, which the template's second markdown pass leaves exactly as it is.

    The templates render a markdown cell's source with ``markdown2html``. Markdown passes an HTML block through
    untouched only up to a blank line; what follows is markdown again, and text that cleaning left behind (the
    inside of a removed ``<script>``) could become a link there. So the block opens with ``<div>`` and no line
    in it is blank (an empty comment stands in for a blank line; it shows nothing, also inside ``<pre>``).
    """
    lines = ["<!---->" if not line.strip() else line for line in html.strip().splitlines()]
    return "<div>\n" + "\n".join(lines) + "\n</div>"


def clean_output(output: NotebookNode) -> NotebookNode:
    """An output with only safe kinds of data (see the module's docstring)."""
    if "data" not in output:
        return output  # stream and error outputs are shown as escaped text
    data = {kind: value for kind, value in output.data.items() if kind in SAFE_KINDS}
    html = output.data.get("text/html")
    if html is not None:
        data["text/html"] = clean_html(html if isinstance(html, str) else "".join(html))
    elif "text/markdown" in output.data:
        markdown = output.data["text/markdown"]
        data["text/html"] = markdown_to_clean_html(
            markdown if isinstance(markdown, str) else "".join(markdown)
        )
    if set(data) <= {"text/plain"} and set(output.data) != set(data):  # only text is left of a richer output
        text = data.get("text/plain", "")
        data = {"text/plain": f"{text}\n{DROPPED_NOTE}" if text.strip() else DROPPED_NOTE}
    output.data = NotebookNode(data)
    return output


class SanitizeStudentHTML(Preprocessor):
    """Clean every markdown cell and every output before a notebook becomes an HTML page (see the module)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            cell.source = as_one_html_block(markdown_to_clean_html(source))
            cell.attachments = {}
        elif cell.cell_type == "code":
            cell.outputs = [clean_output(output) for output in cell.get("outputs", [])]
        return cell, resources
