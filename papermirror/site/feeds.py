"""Machine-readable outputs: the Atom feed, papers.json, sitemap.xml and robots.txt.

XML is built with ElementTree so it is always well-formed; text is stripped of the control
characters XML 1.0 forbids. Nothing here reads the clock: every time comes from the content.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from papermirror.config import SiteConfig
from papermirror.content.paper import PAPER_FIELDS, Paper
from papermirror.content.paperfile import field_value
from papermirror.site.archive import EPOCH, stored_time
from papermirror.site.contexts import Links
from papermirror.site.mathflat import flat_text
from papermirror.site.mathtext import drop_control

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XML_INVALID = re.compile("[\ufffe\uffff]")
"""The characters XML 1.0 cannot carry that drop_control leaves (it takes the C0 controls)."""


def xml_text(value: str) -> str:
    """Drop characters that XML 1.0 cannot carry, and those no page carries (mathtext.drop_control)."""
    return _XML_INVALID.sub("", drop_control(value))


def sub_element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append <tag attrs>text</tag> to `parent`, without the characters XML cannot carry (`xml_text`)."""
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _xml(root: ET.Element, indent: bool = True) -> str:
    if indent:
        ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def atom_feed(papers: list[Paper], site: SiteConfig, links: Links, updated: str | None,
              keywords: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """Return an Atom 1.0 feed of `papers` (the newest stored first: archive.newest_stored)."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": site.language})
    sub_element(feed, "id", site.base_url)
    sub_element(feed, "title", site.title)
    if site.description:
        sub_element(feed, "subtitle", site.description)
    sub_element(feed, "updated", updated or EPOCH)
    sub_element(feed, "link", rel="self", type="application/atom+xml", href=site.base_url + "feed.xml")
    sub_element(feed, "link", rel="alternate", type="text/html", href=site.base_url)
    sub_element(sub_element(feed, "author"), "name", site.title)
    sub_element(feed, "generator", "papermirror")
    for paper in papers:
        url = site.base_url + links.paper(paper.id).removeprefix(links.base)
        entry = sub_element(feed, "entry")
        sub_element(entry, "id", url)
        sub_element(entry, "title", flat_text(paper.title), type="text")
        sub_element(entry, "link", rel="alternate", type="text/html", href=url)
        sub_element(entry, "link", rel="related", type="text/html", href=paper.arxiv_url)
        if paper.day:
            sub_element(entry, "published", f"{paper.day}T00:00:00Z")
        sub_element(entry, "updated", stored_time(paper))  # not the refresh: the entry holds no upvotes
        for name in paper.authors or (site.title,):
            sub_element(sub_element(entry, "author"), "name", name)
        for keyword in (keywords or {}).get(paper.id, paper.ai_keywords):  # as the pages spell them
            sub_element(entry, "category", term=keyword)
        summary = paper.ai_summary or paper.abstract
        if summary:
            sub_element(entry, "summary", flat_text(summary), type="text")
    return _xml(feed)


DATA_LEFT_OUT = ("abstract", "ai_summary", "notes", "thumbnail", "queries", "first_seen")
"""Fields papers/YYYY.json.gz leaves out: the texts are on each paper's page (at 100,000 papers they would
weigh a quarter of a gigabyte here), the rest is bookkeeping of the mirror; content/ holds them all."""


def paper_record(paper: Paper) -> str:
    """One paper as a line of JSON: its fields in the record's order, without the long texts and without
    the fields it does not have (None or empty), as in its content file."""
    record = {"id": paper.id, "day": paper.day}
    for name in PAPER_FIELDS:
        value = getattr(paper, name)
        if name not in DATA_LEFT_OUT and name != "id" and value is not None and value != ():
            record[name] = field_value(name, value)  # a linked repo as {kind, id, likes, ...}, as in the file
    return json.dumps(without_control(record), ensure_ascii=False, separators=(",", ":"))


def without_control(value: object) -> object:
    """A record with the control characters no output may carry dropped from its texts (`drop_control`): json.dumps
    writes C0 ones as escapes, and DEL, C1 and the bidirectional controls as they are."""
    if isinstance(value, str):
        return drop_control(value)
    if isinstance(value, dict):
        return {key: without_control(part) for key, part in value.items()}
    if isinstance(value, list):
        return [without_control(part) for part in value]
    return value


def _json_object(head: dict, name: str, lines: list[str]) -> str:
    """A JSON object of `head`'s keys, one a line, then `name`: a list of `lines`, one item a line."""
    head_lines = "".join(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n" for key, value in head.items())
    return "{\n" + head_lines + f" {json.dumps(name)}: [\n" + ",\n".join(lines) + ("\n" if lines else "") + " ]\n}\n"


def papers_json(papers: list[Paper], site: SiteConfig, year: str, updated: str | None) -> str:
    """Return the papers of one year (papers/YYYY.json.gz, gzipped when written): one paper a line, newest
    first, stable key order."""
    head = {"title": site.title, "base_url": site.base_url, "year": year, "updated": updated, "count": len(papers)}
    return _json_object(head, "papers", [paper_record(paper) for paper in papers])


def papers_json_index(years: tuple[tuple[str, int], ...], site: SiteConfig, updated: str | None) -> str:
    """Return papers.json: the archive's figures and where each year's papers are (papers/YYYY.json.gz)."""
    head = {"title": site.title, "base_url": site.base_url, "updated": updated, "count": sum(n for _, n in years),
            "paper_url": site.base_url + "papers/{id}/", "fields_left_out": list(DATA_LEFT_OUT)}
    lines = [json.dumps({"year": year, "count": count, "url": f"{site.base_url}papers/{year}.json.gz"}) for year, count in years]
    return _json_object(head, "years", lines)


def sitemap(entries: list[list], site: SiteConfig, links: Links) -> str:
    """Return a sitemap of [output path, lastmod or None] entries."""
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    urlset.text = "\n"
    for path, lastmod in entries:
        url = sub_element(urlset, "url")
        url.tail = "\n"  # one URL a line, no indentation: a line per paper and listing
        sub_element(url, "loc", site.base_url + links.to(path).removeprefix(links.base))
        if lastmod:
            sub_element(url, "lastmod", lastmod)
    return _xml(urlset, indent=False)


def sitemap_index(names: list[str], site: SiteConfig) -> str:
    """Return a sitemap index pointing at the sitemap files `names`."""
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for name in names:
        sub_element(sub_element(index, "sitemap"), "loc", site.base_url + name)
    return _xml(index)


def robots_txt(site: SiteConfig) -> str:
    """Allow everything and point at the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.base_url}sitemap.xml\n"

