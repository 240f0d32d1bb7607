"""Student markdown and outputs are cleaned before nbgrader renders them (the browser test plays the attack)."""

import nbformat
from nbconvert import HTMLExporter

from course.autograder.sanitize import (
    DROPPED_NOTE,
    SanitizeStudentHTML,
    as_one_html_block,
    markdown_to_clean_html,
)

PAYLOADS = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    "<script>[x](javascript:alert(1))</script>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "[link](javascript:alert(1))",
    '<a href=" JaVaScRiPt:alert(1)">a</a>',
    "<svg><script>alert(1)</script></svg>",
    '<details open ontoggle="alert(1)"><summary>s</summary></details>',
    '<form action="javascript:alert(1)"><button>b</button></form>',
    "<style>body{display:none}</style>",
    '<object data="x.swf"></object><embed src="x">',
]


def _rendered(source: str) -> str:
    """What the templates show: the cleaned block, rendered once more by nbconvert's markdown filter."""
    return HTMLExporter().markdown2html({}, as_one_html_block(markdown_to_clean_html(source))).lower()


def test_no_payload_survives_the_templates_markdown_pass():
    for payload in PAYLOADS:
        html = _rendered(f"Answer.\n\n{payload}\n\nMore.")
        for bad in ("<script", "onerror", "ontoggle", 'href="javascript', "javascript:", "<iframe", "<svg",
                    "<form", "<style", "<object", "<embed"):  # fmt: skip
            if bad == "javascript:" and "[x](javascript" in payload:
                continue  # left as plain text inside the block: not a link
            assert bad not in html, f"{payload!r} -> {html!r}"


def test_ordinary_markdown_keeps_its_form():
    html = _rendered(
        "# Title\n\nSome *emphasis*, `code`, a [link](https://example.org).\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    for good in (
        "<h1",
        "<em>emphasis</em>",
        "<code>code</code>",
        'href="https://example.org"',
        "<table",
        "<td>1</td>",
    ):
        assert good in html


def test_outputs_keep_text_images_and_cleaned_html_only():
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": '<b onclick="x()">bold</b>', "text/plain": "b"}
        ),
        nbformat.v4.new_output(
            "display_data", data={"image/svg+xml": "<svg><script/></svg>", "text/plain": "<SVG>"}
        ),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)"}),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stdout", text="<script>printed</script>"),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    SanitizeStudentHTML().preprocess(nb, {})
    html, svg, js, png, stream = nb.cells[0].outputs
    assert html.data["text/html"] == "<b>bold</b>"
    assert set(svg.data) == {"text/plain"} and DROPPED_NOTE in svg.data["text/plain"]
    assert js.data == {"text/plain": DROPPED_NOTE}
    assert set(png.data) == {"image/png", "text/plain"}
    assert stream.text == "<script>printed</script>", "streams are shown as escaped text by the templates"
