"""The Atom feed of one keyword or organization (`site.ways` plans them): its newest papers, lean.

A feed per keyword and organization is paid once per feed and once per entry, so each entry holds what the
Atom format requires and a feed reader shows (id, title, link, updated) and nothing else: the abstract is a
click away, on the paper's page. An entry's time is when the mirror first stored the paper (else its day), not
when its upvotes last moved, so a feed changes when a paper joins it, not with every refresh. Every link is the
site's own: `site.base_url` (http or https, checked by the config) and a path below it. ElementTree escapes the
text, and `feeds.sub_element` drops what XML cannot carry.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from papermirror.config import SiteConfig
from papermirror.content.paper import Paper
from papermirror.site.archive import EPOCH, stored_time
from papermirror.site.contexts import paper_page_path
from papermirror.site.feeds import ATOM_NS, sub_element
from papermirror.site.mathflat import flat_text
from papermirror.site.ways import FeedContext


def topic_feed(papers: list[Paper], site: SiteConfig, path: str, context: FeedContext) -> str:
    """Return the Atom feed at `path` (below site/) of `papers`, newest first, following the page `context.page`."""
    page_url = site.base_url + context.page.removesuffix("index.html")
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": site.language})
    feed.text = "\n"
    sub_element(feed, "id", page_url)
    sub_element(feed, "title", f"{context.title} · {site.title}")
    sub_element(feed, "updated", max((stored_time(paper) for paper in papers), default=EPOCH))
    sub_element(feed, "link", rel="self", type="application/atom+xml", href=site.base_url + path)
    sub_element(feed, "link", rel="alternate", type="text/html", href=page_url)
    sub_element(sub_element(feed, "author"), "name", site.title)
    for paper in papers:
        url = site.base_url + paper_page_path(paper.id).removesuffix("index.html")
        entry = sub_element(feed, "entry")
        sub_element(entry, "id", url)
        sub_element(entry, "title", flat_text(paper.title))  # type="text" is the default
        sub_element(entry, "link", href=url)
        sub_element(entry, "updated", stored_time(paper))
    for element in feed:
        element.tail = "\n"  # one element a line, an entry included: readable, and no indentation to pay for
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
