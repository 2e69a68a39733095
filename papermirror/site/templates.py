"""Draw one page: the Jinja environment over layouts/, and the one context each template gets.

Autoescape is on for every template: text from the hub is text. The only HTML that reaches a
page unescaped is what this package builds itself (MathML from `mathtext`, sanitised notes).
"""

from __future__ import annotations

import gzip
import traceback
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from papermirror.config import SiteConfig
from papermirror.content.paper import Paper
from papermirror.errors import UserError
from papermirror.files import code_cache_folder
from papermirror.site import feeds
from papermirror.site.archive import Archive
from papermirror.site.cite import citation_meta, cite_attributes, short_authors
from papermirror.site.contexts import Links, Page, human_day, human_month
from papermirror.site.mathflat import flat_line, flat_text
from papermirror.site.mathtext import (
    drop_control,
    plain_text,
    render_excerpt,
    render_inline,
    render_paragraphs,
)
from papermirror.site.notes import render_notes
from papermirror.site.topicfeed import topic_feed

GZIP_LEVEL = 9
"""A built-in output named *.gz (papers/YYYY.json.gz) is gzipped at this level, with no time stamp in it, so
that the same content gives the same bytes."""
DESCRIPTION_CHARS = 160
"""A paper page's meta description: about what a search engine shows under a link."""
CITATION_LEFT_OUT = ("citation_date", "citation_abstract_html_url")
"""Citation tags a paper page leaves out: citation_date repeats citation_publication_date, and the abstract
page's URL is arXiv's (citation_arxiv_id names it); a tag per paper page is 10 MB at 100,000 papers."""
TEASER_CHARS = 140
"""A home listing's teaser: about one line; the abstract is on the paper's page only."""


def grouped(count: int, language: str = "en") -> str:
    """Write a count with its thousands grouped as the site's language reads them: 9877 -> "9,877" on an
    English site; on any other, from 10,000 on, with a narrow no-break space ("12 345", the SI way: no
    language reads it as a decimal mark, where "12,345" or "12.345" would mislead someone)."""
    if not isinstance(count, int):
        return str(count)
    if language.lower() == "en" or language.lower().startswith("en-"):
        return f"{count:,}"
    return f"{count:,}".replace(",", "\u202f") if abs(count) >= 10_000 else str(count)


def plural(count: int, singular: str, plural: str | None = None, language: str = "en") -> str:
    """Return the count with the word that agrees with it: (1, "paper") -> "1 paper", (2, "paper") -> "2 papers".

    `plural` is the irregular form (plural(3, "query", "queries")); the words may be a phrase whose verb
    agrees too (plural(n, "day is", "days are")). The count is written by `grouped`: "9,877 papers".
    """
    return f"{grouped(count, language)} {singular if count == 1 else plural or singular + 's'}"


def human_time(moment: str | None) -> str:
    """'2026-11-30T18:25:37Z' -> '30 November 2026, 18:25 UTC'."""
    if not moment:
        return "an unknown time"
    clock = moment[11:16]
    zone = " UTC" if moment.endswith("Z") else moment[19:].lstrip("0123456789.")
    return f"{human_day(moment[:10])}, {clock}{zone}"


def time_tag(day: str | None) -> Markup:
    """A <time> element for a day, or the word "undated"."""
    if not day:
        return Markup("undated")
    return Markup('<time datetime="%s">%s</time>') % (day, human_day(day))


def meta_tags(pairs: list[tuple[str, str]]) -> Markup:
    """<meta name="..." content="..."> lines for (name, content) pairs (one call for the ~25
    citation tags of a paper page, which a template loop drew at a tenth of the page's cost)."""
    return Markup("\n".join(f'<meta name="{escape(name)}" content="{escape(drop_control(value))}">' for name, value in pairs))


def description_of(paper: Paper, chars: int = DESCRIPTION_CHARS) -> str:
    """A plain one-line description for meta tags: the AI summary, else the abstract's start (its math as Unicode,
    as in a title: "α-Flow", where the delimiters alone dropped showed link previews "\\alpha-Flow")."""
    text = flat_line(paper.ai_summary or paper.abstract)
    if len(text) <= chars:
        return text
    return text[:chars].rsplit(" ", 1)[0] + " …"


def teaser_of(paper: Paper) -> str:
    """The one line a home listing shows under a title: the description, cut shorter."""
    return description_of(paper, TEASER_CHARS)


def _printable(value: object) -> object:
    """Every {{ value }}: text from the hub loses its control characters (HTML cannot carry a NUL or
    an ESC); Markup, which this package built, is left as it is."""
    return drop_control(value) if type(value) is str else value


def make_environment(layouts_dir: Path, site: SiteConfig, links: Links, asset_version: str,
                     cache_dir: Path | None = None) -> jinja2.Environment:
    """Return the Jinja environment: autoescape on, undefined names are errors, our filters.

    With `cache_dir`, compiled templates are kept there between builds, in a folder of this code's own: Jinja
    checks a template's source and its own version, not the options below, which change what a template compiles to.
    """
    bytecode_cache = None
    if cache_dir is not None:
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(code_cache_folder(cache_dir / "jinja")))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(layouts_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=bytecode_cache,
        finalize=_printable,
    )
    env.filters.update(
        math=render_inline,
        abstract=render_paragraphs,
        excerpt=render_excerpt,
        plain=plain_text,
        flat=flat_text,
        notes=render_notes,
        short_authors=short_authors,
        human_day=human_day,
        human_month=human_month,
        human_time=human_time,
        plural=lambda count, singular, many=None: plural(count, singular, many, site.language),
        number=lambda count: grouped(count, site.language),
        time_tag=time_tag,
        meta_tags=meta_tags,
    )
    env.globals.update(site=site, links=links, base=links.base, asset_version=asset_version)
    return env


class Renderer:
    """Draws pages of one archive with one environment; a worker process holds one of these."""

    def __init__(self, layouts_dir: Path, archive: Archive, site: SiteConfig, links: Links, asset_version: str,
                 cache_dir: Path | None = None) -> None:
        self.layouts_dir = layouts_dir
        self.archive = archive
        self.site = site
        self.links = links
        self.env = make_environment(layouts_dir, site, links, asset_version, cache_dir)
        self.items: dict[tuple, Markup] = {}
        self.templates: dict[str, jinja2.Template] = {}

    def template(self, name: str) -> jinja2.Template:
        """The compiled template `name` (looked up once: Jinja's own lookup costs as much as a small item)."""
        if name not in self.templates:
            self.templates[name] = self.env.get_template(name)
        return self.templates[name]

    def keyword_links(self, paper_id: str) -> list[tuple[str, str | None]]:
        """The paper's keywords with the URL of their page (None when the keyword has no page)."""
        pages = self.archive.keywords
        return [(n, self.links.keyword(pages[n].slug) if n in pages else None) for n in self.archive.paper_keywords[paper_id]]

    def is_keyword_filter(self, name: str) -> bool:
        """Whether the keyword (by shown name) is a search filter (`Archive.keyword_filters`)."""
        return name in self.archive.keyword_filters

    def organization_name(self, paper: Paper) -> str | None:
        """The paper's organization as its page and the other papers name it (spellings folded: "university of
        science and technology  of china" is "University of Science and Technology of China"), None without one."""
        return self.archive.paper_organization.get(paper.id, paper.organization)

    def organization_link(self, paper_id: str) -> str | None:
        """The URL of the page of the paper's organization (None: it has none, or no page)."""
        org = self.archive.organizations.get(self.archive.paper_organization.get(paper_id, ""))
        return self.links.organization(org.slug) if org else None

    def item(self, paper: Paper, kind: str) -> Markup:
        """Draw one paper of a listing of `kind` ("home", "day", "keyword", "organization", "month") with
        _item.html, once per process: it appears on several listings."""
        key = (paper.id, kind)
        if key not in self.items:
            context = {"paper": paper, "kind": kind, "teaser": teaser_of(paper) if kind == "home" else "",
                       "org_href": self.organization_link(paper.id), "org_name": self.organization_name(paper)}
            self.items[key] = Markup(self.template("_item.html").render(context))
        return self.items[key]

    def context(self, page: Page) -> dict:
        """Build the one context a template gets."""
        papers = [self.archive.papers[paper_id] for paper_id in page.paper_ids]
        context = {
            "page": page.context,
            # the footer's "updated" time, on the few pages whose context has one (see plan_pages)
            "updated": getattr(page.context, "updated", None),
            "papers": papers,
            "keywords_of": self.keyword_links,
            "is_keyword_filter": self.is_keyword_filter,
            "item": self.item,
            "url": self.links.to(page.path),
            "canonical": self.site.base_url + page.path.removesuffix("index.html"),
        }
        if page.template == "paper.html":
            paper = papers[0]
            context |= {
                "paper": paper,
                # a paper with no abstract nor AI summary is described by its title (an empty meta is invalid)
                "description": description_of(paper) or flat_line(paper.title) or paper.id,
                "cite_attributes": cite_attributes(paper),
                "citation": [pair for pair in citation_meta(paper) if pair[0] not in CITATION_LEFT_OUT],
                "authors_short": short_authors(paper.authors),
                "has_code": bool(paper.github_repo),
                "org_href": self.organization_link(paper.id),
                "org_name": self.organization_name(paper),
            }
        return context

    def render(self, page: Page) -> bytes:
        """Return the bytes of one output file (gzipped when its name ends in .gz)."""
        if page.template == "@static":  # copied byte for byte: an image, a font, CRLF line ends
            return (self.layouts_dir / page.context.source).read_bytes()
        if page.template.startswith("@"):
            data = self.render_builtin(page).encode("utf-8")
            return gzip.compress(data, GZIP_LEVEL, mtime=0) if page.path.endswith(".gz") else data
        try:
            html = self.template(page.template).render(self.context(page))
        except jinja2.TemplateError as exc:
            raise UserError(describe_template_error(exc, self.layouts_dir, page)) from None
        return html.encode("utf-8")

    def render_builtin(self, page: Page) -> str:
        papers = [self.archive.papers[paper_id] for paper_id in page.paper_ids]
        context = page.context
        if page.template == "@atom":
            return feeds.atom_feed(papers, self.site, self.links, context.updated, self.archive.paper_keywords)
        if page.template == "@topic-atom":
            return topic_feed(papers, self.site, page.path, context)
        if page.template == "@json":
            return feeds.papers_json(papers, self.site, context.year, context.updated)
        if page.template == "@json-index":
            return feeds.papers_json_index(context.years, self.site, context.updated)
        if page.template == "@sitemap":
            return feeds.sitemap(context.entries, self.site, self.links)
        if page.template == "@sitemap-index":
            return feeds.sitemap_index(context.sitemaps, self.site)
        if page.template == "@robots":
            return feeds.robots_txt(self.site)
        raise ValueError(f"no built-in writer {page.template!r}")


def check_templates(env: jinja2.Environment, layouts_dir: Path, names: set[str]) -> None:
    """Compile every template, and find every one a page needs, before anything is written."""
    if not layouts_dir.is_dir():
        raise UserError(f"{layouts_dir}: no layouts folder; copy layouts/ from the papermirror repo")
    for name in sorted(names | set(env.list_templates(filter_func=lambda n: n.endswith(".html")))):
        try:
            env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            raise UserError(f"{layouts_dir / name}: template not found (needed: {exc.name}); copy it from the papermirror repo") from None
        except jinja2.TemplateSyntaxError as exc:
            raise UserError(f"{exc.filename or layouts_dir / name}:{exc.lineno}: {exc.message}") from None
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            raise UserError(f"{layouts_dir / name}:{line}: not UTF-8 (byte 0x{exc.object[exc.start]:02x}); "
                            "save it as UTF-8") from None


def describe_template_error(exc: jinja2.TemplateError, layouts_dir: Path, page: Page) -> str:
    """Name the template file and line that failed, and the page being drawn."""
    where = str(layouts_dir / page.template)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml")):
            where = f"{frame.filename}:{frame.lineno}"
            break
    return f"{where}: {exc.message or type(exc).__name__} (while drawing site/{page.path})"

