"""The owner's Markdown notes on a paper, rendered to sanitised HTML.

Raw HTML in the notes is not trusted: the Markdown output goes through nh3 with a small allowlist,
only absolute http(s) links survive (a link whose address was dropped keeps its words), and headings are
moved so that the notes' top one is an h3, below the page's h1 and the "Notes" h2.
"""

from __future__ import annotations

import re

import nh3
from markupsafe import Markup

from papermirror.content.paper import is_http_url

ALLOWED_TAGS = frozenset(
    "p br hr em strong code pre blockquote ul ol li a h1 h2 h3 h4 h5 h6 table thead tbody tr th td del sup sub".split()
)
TOP_HEADING = 3
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
_ANCHOR = re.compile(r'<a((?:\s+[a-z]+="[^"]*")*)>(.*?)</a>', re.DOTALL)
"""An element `a` as nh3 writes it: every attribute value in double quotes (a quote in it escaped), no `a` inside."""


def _keep_http_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if is_http_url(value) else None
    return value


def render_notes(text: str) -> Markup:
    """Render the notes' Markdown; raw HTML is stripped, links are http(s) only."""
    if not text.strip():
        return Markup("")
    import markdown  # 7 ms to import: paid by a build that draws a paper with notes, not by every build

    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "title"}},
        attribute_filter=_keep_http_links,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
    )
    # an <a> whose address was dropped (javascript:, a relative link, <a name>) would still carry the rel nh3
    # adds, which HTML allows only beside an href: its words stay, without the element
    clean = _ANCHOR.sub(lambda m: m[0] if re.search(r'\shref="', m[1]) else m[2], clean)
    levels = [int(level) for _, level in _HEADING_TAG.findall(clean)]
    shift = TOP_HEADING - min(levels, default=TOP_HEADING)
    shifted = _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + shift)}>", clean)
    return Markup(shifted)
