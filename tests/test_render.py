"""The build stage end to end: run `build.py build` on small hostile archives and on the shipped one,
then read the HTML and the files it wrote."""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import serve
from samples import (
    HOSTILE,
    PageParser,
    make_paper,
    parse,
    snapshot_files,
    write_archive,
)

from papermirror.content.paper import paper_path
from papermirror.content.paperfile import write_paper
from papermirror.site.cite import bibtex_entry
from papermirror.site.ways import FEED_MIN_PAPERS

# --- safety and text -------------------------------------------------------------------------------


def test_text_from_the_hub_stays_text(mirror, run_cli):
    write_archive(mirror, HOSTILE)
    code, out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 0, err
    assert "build: 4 papers" in out
    site = mirror / "site"
    page = site / "papers/2503.01234/index.html"
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<think>" not in html and "<b>tags" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;/a&gt; &lt;think&gt; 🤗" in html
    assert "Raw &lt;/a&gt; and &lt;subject, object, predicate&gt; triples." in html
    assert "Summary with &lt;b&gt;tags&lt;/b&gt;." in html
    assert "<msup><mi>m</mi><mn>2</mn></msup>" in html
    # the h1's text is the title, math aside, character for character
    assert parse(page).h1 == "<script>alert(1)</script> mass m2 and CoSTA* </a> <think> 🤗"
    # the search result's title (the heading's Pagefind meta): the math flattened to Unicode, the rest escaped
    assert [a["data-pagefind-meta"] for tag, a in parse(page).attrs if tag == "h1"] == [
        "title:<script>alert(1)</script> mass m² and CoSTA* </a> <think> 🤗"]
    assert 'data-pagefind-meta="title:&lt;script&gt;alert(1)&lt;/script&gt; mass m² and' in html
    for listing in (site / "index.html", site / "archive/2025-02-18/index.html", site / "keywords/masked-image-modeling/index.html"):
        text = listing.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_static_files_are_copied_byte_for_byte(mirror, run_cli):
    """They were read as UTF-8 text: a PNG stopped the build, and CRLF line ends became LF."""
    static = mirror / "layouts" / "static"
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff"
    (static / "logo.png").write_bytes(png)
    (static / "fonts").mkdir()
    (static / "fonts" / "notes.txt").write_bytes(b"one\r\ntwo\r\n")
    write_archive(mirror, HOSTILE)
    code, _, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 0, err
    assert (mirror / "site/static/logo.png").read_bytes() == png
    assert (mirror / "site/static/fonts/notes.txt").read_bytes() == b"one\r\ntwo\r\n"


def test_dollars_backslashes_and_old_ids(mirror, run_cli):
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    lancer = site / "papers/2502.12115/index.html"
    assert parse(lancer).h1 == "SWE-Lancer: Can Frontier LLMs Earn $1 Million from Real-World Freelance Software Engineering?"
    html = lancer.read_text(encoding="utf-8")
    assert "<math" not in html
    assert "from $50 bug fixes to $32,000 features; a_1 * b_2 and \\method survive." in html
    bench = site / "papers/2603.05870/index.html"
    assert parse(bench).h1 == "$OneMillion-Bench: a benchmark"
    assert "<title>$OneMillion-Bench: a benchmark · Test mirror</title>" in bench.read_text(encoding="utf-8")
    old = site / "papers/hep-th/9901001/index.html"
    assert parse(old).h1 == "An old-style id"
    assert 'href="/mirror/papers/hep-th/9901001/"' in (site / "index.html").read_text(encoding="utf-8")


def test_every_page_has_a_description_without_site_description_abstract_or_summary(mirror, run_cli):
    """An empty meta description is invalid HTML and an empty link preview: the home pages fall back to the
    site's title (mirror.yml here has no site.description), a paper with neither abstract nor AI summary to its
    title."""
    bare = make_paper("2503.09999", "A <bare> $x^2$ paper", abstract="", ai_summary=None)
    write_archive(mirror, [*HOSTILE, bare])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    described = {}
    for page in site.rglob("*.html"):
        metas = [a.get("content") for tag, a in parse(page).attrs if tag == "meta" and a.get("name") == "description"]
        described[page.relative_to(site).as_posix()] = metas
    assert all(len(metas) == 1 and metas[0].strip() for metas in described.values()), described
    assert described["index.html"] == ["Test mirror"]
    assert described["papers/2503.09999/index.html"] == ["A <bare> x² paper"]


def test_descriptions_teasers_and_feed_summaries_show_math_as_unicode(mirror, run_cli):
    """Link previews, the home page's teaser and the feed read "The \\alpha-Flow framework" (the delimiters dropped,
    the TeX kept) where the title and the page say "α-Flow" (a review of the built real stream: 14 paper pages)."""
    import xml.etree.ElementTree as ET

    from samples import ATOM

    flow = make_paper("2510.20771", "$\\alpha$-Flow", abstract="The $\\alpha$-Flow framework and $\\pi^3$ reconstruct 95\\% of it.",
                      ai_summary=None)
    write_archive(mirror, [flow])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    said = "The α-Flow framework and π³ reconstruct 95% of it."  # TeX's "\\%" outside $...$ too (textmode.py)
    metas = [a.get("content") for tag, a in parse(site / "papers/2510.20771/index.html").attrs
             if tag == "meta" and a.get("name") == "description"]
    assert metas == [said]
    assert f'<span class="teaser">{said}</span>' in (site / "index.html").read_text(encoding="utf-8")
    entry = ET.parse(site / "feed.xml").getroot().find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}summary") == said and entry.findtext(f"{ATOM}title") == "α-Flow"


def test_paper_page_metadata_and_search_hooks(mirror, run_cli):
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    page = parse(site / "papers/2503.01234/index.html")
    metas = [(a.get("name") or a.get("property"), a.get("content")) for tag, a in page.attrs if tag == "meta"]
    assert ("citation_title", "<script>alert(1)</script> mass m^2 and CoSTA\\ast </a> <think> 🤗") in metas
    assert [c for n, c in metas if n == "citation_authors"] == ["; ".join(HOSTILE[1].authors)]
    assert not [c for n, c in metas if n == "citation_author"]
    assert ("citation_publication_date", "2025/03/13") in metas
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2503.01234") in metas
    assert ("citation_arxiv_id", "2503.01234") in metas
    # no tag repeats another: previews read the title, the description and the canonical link, Scholar the
    # publication date
    assert not {"og:title", "og:type", "og:url", "og:description", "og:site_name", "citation_date"} & {name for name, _ in metas}
    title = "&lt;script&gt;alert(1)&lt;/script&gt; mass m² and CoSTA* &lt;/a&gt; &lt;think&gt; 🤗"  # the math as text
    assert f"<title>{title} · Test mirror</title>" in (site / "papers/2503.01234/index.html").read_text(encoding="utf-8")
    # the search index reads the title, the authors, the abstract and the keywords; not the AI summary
    bodies = [(t, a.get("class")) for t, a in page.attrs if "data-pagefind-body" in a]
    assert bodies == [("h1", None), ("div", "authors"), ("section", "abstract"), ("section", "ai")]
    assert [("data-pagefind-ignore" in a) for t, a in page.attrs if a.get("id") == "summary"] == [True]
    values = {(k, a[k]) for _t, a in page.attrs for k in a if k.startswith("data-pagefind-")}
    # a result's title is Pagefind's default, the page's first h1 (the paper's: the site's name is no heading)
    assert [t for t, _a in page.attrs if t == "h1"] == ["h1"] and ("data-pagefind-meta", "title") not in values
    assert {("data-pagefind-meta", "day[datetime]"),
            ("data-pagefind-meta", "authors:Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra"),
            ("data-pagefind-meta", "upvotes:7"), ("data-pagefind-filter", "year:2025"),
            ("data-pagefind-filter", "month:2025-02"), ("data-pagefind-filter", "keyword"),
            ("data-pagefind-filter", "organization"), ("data-pagefind-filter", "code:yes"),
            ("data-pagefind-sort", "date[datetime]"), ("data-pagefind-sort", "upvotes:7")} <= values
    bench = parse(site / "papers/2603.05870/index.html")
    bench_values = {(k, a[k]) for _t, a in bench.attrs for k in a if k.startswith("data-pagefind-")}
    assert ("data-pagefind-sort", "upvotes:0") in bench_values and ("data-pagefind-filter", "code:no") in bench_values
    for listing in ("index.html", "archive/index.html", "archive/2025-03-14/index.html", "keywords/index.html"):
        assert "data-pagefind-body" not in (site / listing).read_text(encoding="utf-8")
    search = (site / "search/index.html").read_text(encoding="utf-8")
    assert '<div id="search" ' in search and "Search needs JavaScript" in search
    assert '<form role="search" aria-label="Quick search" action="/mirror/search/"' in search  # named apart from the page's own
    assert '<input type="search" id="site-search" name="q" aria-label="Search papers"' in search
    assert not (site / "pagefind").exists()
    cited = (site / "papers/2502.12115/index.html").read_text(encoding="utf-8")  # its BibTeX is drawn by paper.js
    assert '<section id="cite"><h2>Cite</h2>\n<p><a href="https://arxiv.org/bibtex/2502.12115">' in cited
    assert '<meta name="citation_title" content="SWE-Lancer: Can Frontier LLMs Earn $1 Million from' in cited
    assert '<script src="/mirror/static/paper.js?v=' in cited and (site / "static/paper.js").is_file()
    assert bibtex_entry(HOSTILE[0]).startswith("@misc{lovelace2025swelancer,\ntitle={{SWE-Lancer: Can Frontier LLMs Earn \\$1 Million")


def test_a_paper_appears_in_full_on_its_own_page_only(mirror, run_cli):
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    abstract = "Raw &lt;/a&gt; and &lt;subject, object, predicate&gt; triples."
    holding = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if abstract in p.read_text(encoding="utf-8"))
    assert holding == ["papers/2503.01234/index.html"]
    # a listing line: title, first author, date (but on its day's page), upvotes, organization, a code badge
    line = "Ada Lovelace et al. · 18 February 2025 · 7 upvotes · Org &lt;x&gt; <small>code</small>"
    for listing in ("keywords/masked-image-modeling/index.html", "index.html"):
        assert line in (site / listing).read_text(encoding="utf-8"), listing
    assert "Ada Lovelace et al. · 7 upvotes · Org &lt;x&gt;" in (site / "archive/2025-02-18/index.html").read_text(encoding="utf-8")
    # the home pages add a one-line teaser: the AI summary, else the abstract's start, as plain text
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<span class="teaser">Summary with &lt;b&gt;tags&lt;/b&gt;.</span>' in home
    assert '<span class="teaser">Tasks range from $50 bug fixes' in home
    for listing in ("archive/2025-02-18/index.html", "archive/2025-02/index.html", "keywords/masked-image-modeling/index.html"):
        assert "teaser" not in (site / listing).read_text(encoding="utf-8")


def test_keywords_are_normalised_into_one_safe_page(mirror, run_cli):
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "keywords").rglob("index.html"))
    assert pages == ["keywords/index.html", "keywords/masked-image-modeling/index.html"]
    keyword_page = (site / "keywords/masked-image-modeling/index.html").read_text(encoding="utf-8")
    assert "Keyword: masked image modeling" in keyword_page
    assert "/mirror/papers/2502.12115/" in keyword_page and "/mirror/papers/2503.01234/" in keyword_page
    index = (site / "keywords/index.html").read_text(encoding="utf-8")
    assert '<a href="/mirror/keywords/masked-image-modeling/">masked image modeling</a> <span class="count">2 papers</span>' in index
    # a keyword of a single paper is listed on its page, escaped, without a page of its own (static/paper.js links
    # it to a search for it: tests/test_search_browser.py) and is no search filter: thousands of one-paper
    # keywords made the filter panel unusable at 10k papers
    assert '<li>&lt;img src=x&gt;</li>' in (site / "papers/2503.01234/index.html").read_text(encoding="utf-8")


def test_a_fork_s_paper_layout_written_for_an_earlier_release_still_draws_its_keywords(mirror, run_cli):
    """Forks edit layouts/: `keywords_of` keeps giving (name, address) pairs, the address None without a page."""
    template = mirror / "layouts/paper.html"
    html = template.read_text(encoding="utf-8")
    loop = re.search(r"\{%- for name, href in keywords -%\}\n(.*?)\n\{%- endfor -%\}", html, re.S)
    assert loop, "paper.html no longer loops over keywords_of's pairs"
    earlier = ('<li>{% if href %}<a href="{{ href }}" data-pagefind-filter="keyword">{{ name }}</a>'
               '{% else %}<span class="chip">{{ name }}</span>{% endif %}</li>')
    template.write_text(html.replace(loop.group(1), earlier), encoding="utf-8")
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    page = (mirror / "site/papers/2503.01234/index.html").read_text(encoding="utf-8")
    assert '<a href="/mirror/keywords/masked-image-modeling/" data-pagefind-filter="keyword">' in page
    assert '<span class="chip">&lt;img src=x&gt;</span>' in page


def test_archive_pages_and_neighbours(mirror, run_cli):
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    days = sorted(p.parent.name for p in (site / "archive").glob("*-*-*/index.html"))
    assert days == ["1999-01-04", "2025-02-18", "2025-03-14", "2026-03-09"]
    months = sorted(p.parent.name for p in (site / "archive").glob("????-??/index.html"))
    assert months == ["1999-01", "2025-02", "2025-03", "2026-03"]
    march = parse(site / "archive/2025-03/index.html")
    assert "/mirror/archive/2025-02/" in march.links and "/mirror/archive/2026-03/" in march.links  # skips empty months
    march_html = (site / "archive/2025-03/index.html").read_text(encoding="utf-8")  # its days, each with its top papers
    assert '<h2><a href="/mirror/archive/2025-03-14/">14 March 2025</a> <span class="count">(1 paper)</span></h2>' in march_html
    assert "/mirror/papers/2502.12115/" in march.links and "7 upvotes" in march_html
    day = parse(site / "archive/2025-03-14/index.html")
    assert "/mirror/archive/2025-02-18/" in day.links and "/mirror/archive/2026-03-09/" in day.links
    index = (site / "archive/index.html").read_text(encoding="utf-8")
    assert '<a href="/mirror/archive/2025-03/">March 2025</a> <span class="count">1 paper</span>' in index
    # a paper listed again on a later day is filed under its first: its page links that day only (it linked the later
    # day too, whose page does not list it: a review of the real stream, 4 papers)
    relisted = parse(site / "papers/2503.01234/index.html")
    assert "/mirror/papers/2503.01234/" not in day.links and "/mirror/papers/2503.01234/" in parse(site / "archive/2025-02-18/index.html").links
    assert "/mirror/archive/2025-02-18/" in relisted.links and "/mirror/archive/2025-03-14/" not in relisted.links
    assert '<time datetime="2025-03-14">14 March 2025</time>' in (site / "papers/2503.01234/index.html").read_text(encoding="utf-8")


# --- links under a sub-path and at a domain root -----------------------------------------------------


def crawl(start: str) -> tuple[set[str], list[str]]:
    """Fetch every internal page reachable from `start`; return (pages seen, broken links)."""
    seen, broken, queue = set(), [], [start]
    host = start.split("/mirror/")[0]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url) as response:
                body = response.read().decode("utf-8")
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            broken.append(f"{url}: {exc.code}")
            continue
        if "html" not in kind:
            continue
        parser = PageParser()
        parser.feed(body)
        for link in parser.links:
            if link.startswith("/"):
                queue.append(host + link.split("#")[0].split("?")[0])
            else:
                assert link.startswith(("https://", "http://", "#")), f"{url}: relative link {link!r}"
    return seen, broken


def test_every_internal_link_works_under_a_sub_path(shipped, run_cli):
    for n in range(FEED_MIN_PAPERS):  # a keyword with a feed: no keyword of the shipped archive has that many papers
        write_paper(shipped / "content", make_paper(f"2503.{90000 + n}", f"A vision encoder, part {n}", ai_keywords=("Vision Encoder",)))
    assert run_cli("build", "--base-url", "http://127.0.0.1/mirror", config=shipped / "mirror.yml")[0] == 0
    with serve(shipped / "site", "/mirror/") as url:
        seen, broken = crawl(url)
    assert broken == []
    reachable = {p for p in (shipped / "site").rglob("*.html") if p.name != "404.html"}
    assert len([u for u in seen if u.endswith("/")]) == len(reachable)  # every page is linked from somewhere
    assert any(u.endswith("/mirror/papers/2512.16922/") for u in seen)
    assert any(u.endswith("/mirror/archive/2025-03-26/") for u in seen)
    assert any(u.endswith("/mirror/page/2/") for u in seen)
    assert any(u.endswith("/mirror/organizations/") for u in seen) and any(u.endswith("/mirror/top/") for u in seen)
    assert any(u.endswith("/mirror/organizations/ai-at-meta/") for u in seen)
    feeds = [u for u in seen if u.endswith("/feed.xml") and "/keywords/" in u]  # from each page's <link rel="alternate">
    assert len(feeds) == len(list((shipped / "site/keywords").glob("*/feed.xml"))) > 0


def test_base_url_at_a_domain_root(shipped, run_cli):
    assert run_cli("build", "--no-index", "--base-url", "https://papers.example.com", config=shipped / "mirror.yml")[0] == 0
    site = shipped / "site"
    for page in (site / "index.html", site / "404.html", site / "papers/2512.16922/index.html"):
        links = [link for link in parse(page).links if not link.startswith(("http", "#"))]
        assert links and all(link.startswith("/") and not link.startswith("/mirror/") for link in links)
    assert '<link rel="canonical" href="https://papers.example.com/papers/2512.16922/">' in (
        site / "papers/2512.16922/index.html").read_text(encoding="utf-8")


def test_404_links_are_absolute(mirror, run_cli):
    write_archive(mirror, HOSTILE[:1])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    links = parse(mirror / "site/404.html").links
    assert "/mirror/archive/" in links and "/mirror/static/style.css?v=" in " ".join(links)
    assert all(link.startswith(("/mirror/", "https://", "#main")) for link in links)


def test_bad_base_url_is_a_user_error(mirror, run_cli):
    code, _out, err = run_cli("build", "--no-index", "--base-url", "ftp://x/", config=mirror / "mirror.yml")
    assert code == 2 and "--base-url 'ftp://x/'" in err and "Traceback" not in err


# --- determinism and incremental builds ---------------------------------------------------------------


def test_build_is_deterministic(shipped, run_cli, tmp_path):
    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
    first = {k: v[0] for k, v in snapshot_files(shipped / "site").items()}
    other = tmp_path / "again"
    other.mkdir()
    for name in ("mirror.yml", "content", "layouts"):
        (shutil.copytree if (shipped / name).is_dir() else shutil.copy)(shipped / name, other / name)
    assert run_cli("build", "--no-index", "--jobs", "1", config=other / "mirror.yml")[0] == 0
    second = {k: v[0] for k, v in snapshot_files(other / "site").items()}
    assert first.keys() == second.keys() and len(first) > 100
    assert [k for k in first if first[k] != second[k]] == []


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nid: '2503.00003'\ntitle: [unclosed\n---\n", ":4: bad YAML in front matter"),
        ("---\ntitle: No id\n---\n", ": id: missing or not an arXiv id"),
    ],
)
def test_bad_content_stops_the_build_and_leaves_site_untouched(mirror, run_cli, text, expected):
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    write_paper(mirror / "content", HOSTILE[0].replace(upvotes=500))  # a real change waiting to be built
    before = snapshot_files(mirror / "site")
    bad = paper_path(mirror / "content", "2503.00003")
    bad.write_text(text, encoding="utf-8")
    code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code != 0
    assert f"{bad}{expected}" in err and "Traceback" not in err
    assert snapshot_files(mirror / "site") == before


def test_bad_day_in_content_names_the_file(mirror, run_cli):
    write_archive(mirror, [make_paper("2503.00001", "Bad day", published="2025-13-45", daily=())])
    code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 2 and "2503.00001.md:9: published: not a day" in err
    assert not (mirror / "site").exists()


def test_template_error_names_file_and_line(mirror, run_cli):
    write_archive(mirror, HOSTILE[:1])
    (mirror / "layouts/month.html").write_text("{% extends 'base.html' %}\n{% block content %}\n{% if %}\n{% endblock %}\n")
    code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 2 and f"{mirror / 'layouts/month.html'}:3:" in err and "Traceback" not in err
    assert not (mirror / "site").exists()




def test_a_template_that_is_not_utf8_names_its_file_and_line(mirror, run_cli):
    """A byte of another encoding in a template printed a traceback (the user-mistakes review)."""
    write_archive(mirror, HOSTILE[:1])
    macros = mirror / "layouts/_macros.html"
    macros.write_bytes(macros.read_bytes() + b"<p>caf\xe9</p>\n")
    line = macros.read_bytes().count(b"\n")
    code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 2 and "Traceback" not in err
    assert f"error: {macros}:{line}: not UTF-8 (byte 0xe9); save it as UTF-8" in err
    assert not (mirror / "site").exists()


def test_an_error_while_drawing_names_the_template_line(mirror, run_cli):
    """A template that compiles but fails on a page (here a division by zero) named the page, not the line."""
    write_archive(mirror, HOSTILE[:1])
    paper = mirror / "layouts/paper.html"
    lines = paper.read_text(encoding="utf-8").splitlines()
    at = next(number for number, line in enumerate(lines) if "{% block content %}" in line) + 1
    lines.insert(at, "{{ 1 / 0 }}")
    paper.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 2 and "Traceback" not in err
    assert f"cannot draw it (ZeroDivisionError: division by zero, at {paper}:{at + 1})" in err


def pages_holding(site: Path, characters: str) -> list[str]:
    """The HTML and XML files of `site` holding any of `characters` (a regular expression's class)."""
    found = re.compile(characters)
    return [p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.suffix in (".html", ".xml") and found.search(p.read_text(encoding="utf-8"))]


def test_no_page_carries_a_raw_control_character(mirror, run_cli):
    write_archive(mirror, [make_paper("2503.00001", "Nul\x00 and \x1b[31mred\x1b[0m $x^\x07$\ufffe\uffff", authors=("Bell\x07 Author",),
                                      abstract="Esc\x1b here.\n\nC1\x85 there $y\x0c$.", ai_keywords=("k\x01w", "k\x01w"),
                                      organization="Org\x7f"),
                           make_paper("2503.00002", "Second", ai_keywords=("k\x01w",), organization="Org\x7f")])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    assert pages_holding(mirror / "site", "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]") == []  # HTML forbids them all
    page = (mirror / "site/papers/2503.00001/index.html").read_text(encoding="utf-8")
    assert "Nul and [31mred[0m" in page and "Bell Author" in page


def test_a_right_to_left_override_in_hub_text_reorders_nothing_around_it(mirror, run_cli):
    """An unclosed U+202E in a title showed the authors, upvotes and links after it backwards on every listing."""
    write_archive(mirror, [make_paper("2503.00001", "kw paper \u202e reversed tail", authors=("Ada \u2067Lovelace",),
                                      organization="Org\u202d"),
                           make_paper("2503.00002", "\u05e9\u05dc\u05d5\u05dd: a Hebrew title \u200f mark")])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    assert pages_holding(mirror / "site", "[\u202a-\u202e\u2066-\u2069]") == []
    home = (mirror / "site/index.html").read_text(encoding="utf-8")
    assert "kw paper  reversed tail" in home and "\u05e9\u05dc\u05d5\u05dd: a Hebrew title \u200f mark" in home


def test_a_keyword_below_a_big_archive_s_threshold_links_to_a_search(mirror, run_cli, monkeypatch):
    from papermirror.site import archive

    monkeypatch.setattr(archive, "KEYWORD_PAGE_SHARE", 1)  # as if each keyword needed every paper of the archive
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    assert sorted(p.relative_to(site).as_posix() for p in (site / "keywords").rglob("index.html")) == ["keywords/index.html"]
    paper = (site / "papers/2503.01234/index.html").read_text(encoding="utf-8")
    assert '<li>masked image modeling</li>' in paper
    assert 'data-pagefind-filter="keyword"' not in paper
    index = (site / "keywords/index.html").read_text(encoding="utf-8")
    assert f"0 keywords shared by at least {len(HOSTILE)} papers; 3 more appear on fewer papers and are listed on their pages" in index
