"""The owner's Markdown notes on a paper, rendered to sanitised HTML.

Raw HTML in the notes is not trusted: the Markdown output goes through nh3 with a small allowlist,
only absolute http(s) links survive, and headings are pushed two levels down so that they sit below
the page's h1 and the "Notes" h2.
"""

from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup

from papermirror.content.paper import is_http_url

ALLOWED_TAGS = frozenset(
    "p br hr em strong code pre blockquote ul ol li a h1 h2 h3 h4 h5 h6 table thead tbody tr th td del sup sub".split()
)
HEADING_SHIFT = 2
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def _keep_http_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if is_http_url(value) else None
    return value


def render_notes(text: str) -> Markup:
    """Render the notes' Markdown; raw HTML is stripped, links are http(s) only."""
    if not text.strip():
        return Markup("")
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "title"}},
        attribute_filter=_keep_http_links,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
    )
    shifted = _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + HEADING_SHIFT)}>", clean)
    return Markup(shifted)
