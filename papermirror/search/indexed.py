"""What Pagefind reads of a page, as a digest, so that a page rewritten for another reason keeps its index.

A paper page is rewritten when anything on it changes, and much of what changes from day to day is
not in the search index: its related papers, which move whenever papers are added, on pages of every
year. The index stage compares a digest of what Pagefind reads instead of modification times, so
such a page does not send its whole index back through Pagefind.

What Pagefind reads, taken conservatively: the `<html>` tag (its lang picks the index); the page's
`<title>` and first `<h1>` (a result's title when no element is data-pagefind-meta="title"); every
data-pagefind-body element, without its data-pagefind-ignore elements; and in full (start tag,
content and end tag) every element with another data-pagefind- attribute (meta, filter, sort...),
ignored or not, since a value may come from its text. An element ends at the end tag that balances
it; a page without a body element is digested whole, and an element whose end is not found takes
the rest of the page: either can only cause an index to be rebuilt, never to be kept wrongly.
Links are left out (Pagefind indexes no href, unless a tag's own data-pagefind- value names it, `url[href]`,
and a link around words changes none of them): a paper's organization or keyword that gets its own page
turns the name on an older paper's page into a link, which changes nothing Pagefind reads, and would
otherwise send that paper's whole index back through Pagefind on most days.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

PAGEFIND_TAG = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*?\sdata-pagefind-([\w-]+)[^>]*>")
IGNORED = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*\sdata-pagefind-ignore\b[^>]*>")
HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
DEFAULT_TITLE = (re.compile(r"<title\b[^>]*>.*?</title\s*>", re.IGNORECASE | re.DOTALL),
                 re.compile(r"<h1\b[^>]*>.*?</h1\s*>", re.IGNORECASE | re.DOTALL))
"""Where Pagefind takes a result's title when no element names it (data-pagefind-meta="title"): the page's
first h1, wherever it is, else its <title>; both are digested, conservatively."""
START_TAG = re.compile(r"<[a-zA-Z][^>]*>")
HREF = re.compile(r"""\shref\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
PLAIN_LINK = re.compile(r"</?a\s*>", re.IGNORECASE)
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
"""Elements that have no content and no end tag."""


@lru_cache(maxsize=64)
def tags_named(name: str) -> re.Pattern[str]:
    """Start and end tags of elements called `name`."""
    return re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*>", re.IGNORECASE)


def element_end(html: str, start: int, name: str) -> int | None:
    """Where the element `name` whose start tag is at `start` ends (just past its end tag), or None."""
    depth = 0
    for tag in tags_named(name).finditer(html, start):
        if tag.group(0).endswith("/>") and not tag.group(1):
            continue
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    return None


def without_ignored(body: str) -> str:
    """`body` without its data-pagefind-ignore elements (an element whose end is not found is kept)."""
    pieces, position = [], 0
    while (ignored := IGNORED.search(body, position)) is not None:
        end = element_end(body, ignored.start(), ignored.group(1))
        if end is None:
            pieces.append(body[position:ignored.end()])
            position = ignored.end()
            continue
        pieces.append(body[position:ignored.start()])
        position = end
    return "".join(pieces) + body[position:]


def indexed_text(html: str) -> str:
    """What Pagefind reads of the page `html` (see the module docstring), or the whole page."""
    parts, bodies = [], 0
    for tag in PAGEFIND_TAG.finditer(html):
        attributes, name = tag.group(0), tag.group(1)
        if not re.search(r"\sdata-pagefind-(?!ignore\b)", attributes):
            continue  # ignored, and nothing else: its parts with values are found on their own
        end = tag.end() if name.lower() in VOID else element_end(html, tag.start(), name) or len(html)
        if re.search(r"\sdata-pagefind-body\b", attributes):
            bodies += 1
            parts.append(without_ignored(html[tag.start():end]))
        if re.search(r"\sdata-pagefind-(?!body\b|ignore\b)", attributes):
            parts.append(html[tag.start():end])
    if not bodies:
        return html
    opening = HTML_TAG.search(html)
    titles = [found.group(0) if (found := pattern.search(html)) else "" for pattern in DEFAULT_TITLE]
    return without_links("\n".join([opening.group(0) if opening else "", *titles, *parts]))


def without_links(html: str) -> str:
    """`html` without the href attributes Pagefind does not read (those of every tag that names none), and
    without the plain `<a>` tags that are left (a link around words changes none of them)."""
    stripped = START_TAG.sub(lambda tag: tag.group(0) if "[href]" in tag.group(0) else HREF.sub("", tag.group(0)), html)
    return PLAIN_LINK.sub("", stripped)


def page_digest(page: Path) -> str:
    """The digest of what Pagefind reads of `page` ('' when it cannot be read: never equal to a digest)."""
    try:
        html = page.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return hashlib.blake2b(indexed_text(html).encode("utf-8"), digest_size=8).hexdigest()
