"""More ways in (site/ways.py, site/topicfeed.py): organization pages, the most upvoted papers of the newest week
and month, and an Atom feed per keyword and per organization; built through the real CLI and read back."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from samples import ATOM, make_paper, parse, snapshot_files, write_archive

from papermirror.config import SiteConfig
from papermirror.content.paperfile import write_paper
from papermirror.site.archive import build_archive
from papermirror.site.topicfeed import topic_feed
from papermirror.site.ways import FEED_MIN_PAPERS, FEED_SIZE, TOP_SHOWN, FeedContext


def build(mirror: Path, run_cli, *args: str) -> str:
    code, out, err = run_cli("build", "--no-index", *args, config=mirror / "mirror.yml")
    assert code == 0, err
    return out


def sitemaps(site: Path) -> str:
    """The text of every sitemap behind site/sitemap.xml (an index over gzipped sitemaps)."""
    files = sorted(site.glob("sitemap-*.xml.gz"))
    assert files and all(f"sitemap-{n}.xml.gz" in html(site / "sitemap.xml") for n in range(1, len(files) + 1))
    return "".join(gzip.decompress(file.read_bytes()).decode("utf-8") for file in files)


def html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def set_per_page(mirror: Path, per_page: int) -> None:
    text = html(mirror / "mirror.yml").replace("site:\n", f"site:\n  per_page: {per_page}\n")
    (mirror / "mirror.yml").write_text(text, encoding="utf-8")


# --- organizations ------------------------------------------------------------------------------------


def test_organizations_are_folded_and_their_slugs_stay_inside_their_folder(tmp_path):
    names = ["NVIDIA", "nvidia", "../../etc", "../../ETC", "清华大学", "清华大学", "北京大学", "北京大学", "a/b\\c", "a/b\\c", "A B C", "A B C", "Lone Lab"]
    papers = [make_paper(f"2503.{n:05d}", f"Paper {n}", organization=name) for n, name in enumerate(names, start=1)]
    archive = build_archive({p.id: p for p in papers} | {"2503.00099": make_paper("2503.00099", "No org")}, tmp_path)
    slugs = {name: org.slug for name, org in archive.organizations.items()}
    assert slugs["NVIDIA"] == "nvidia" and slugs["../../ETC"] == "etc"  # spellings folded; the capitals shown
    chinese = sorted(slugs[name] for name in ("清华大学", "北京大学"))  # no ASCII letter: a fallback, then its hash
    assert chinese[0] == "organization" and re.fullmatch(r"organization-[0-9a-f]{8}", chinese[1])
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs.values())
    assert len(set(slugs.values())) == len(slugs)  # "a/b\c" and "A B C" both fold to a-b-c: one keeps it, one is hashed
    assert sorted(slugs.values()).count("a-b-c") == 1 and any(s.startswith("a-b-c-") for s in slugs.values())
    assert "Lone Lab" not in archive.organizations and archive.single_organizations == 1
    assert archive.paper_organization["2503.00002"] == "NVIDIA" and "2503.00099" not in archive.paper_organization
    assert archive.organizations["NVIDIA"].paper_ids == ("2503.00002", "2503.00001")  # newest first (same day: by id)


def test_organization_pages_index_and_links(mirror, run_cli):
    set_per_page(mirror, 2)
    hostile = "Lab <script>alert(1)</script> & Co"
    papers = [make_paper(f"2503.{n:05d}", f"Paper {n}", daily=(f"2025-03-{10 + n:02d}",), organization=hostile)
              for n in range(1, 6)]
    papers += [make_paper("2503.00010", "Solo paper", daily=("2025-03-11",), organization="Solo Lab"),
               make_paper("2503.00011", "No org", daily=("2025-03-11",))]
    write_archive(mirror, papers)
    build(mirror, run_cli)
    site = mirror / "site"
    first, second = site / "organizations/lab-script-alert-1-script-co/index.html", site / "organizations/lab-script-alert-1-script-co/page/1/index.html"
    page = html(first)
    assert "<script>alert" not in page and "Organization: Lab &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "5 papers claimed by this organization" in page and 'href="/mirror/organizations/"' in page
    # the front page holds the newest (per_page to twice that), the older pages are numbered from the oldest
    assert [link for link in parse(first).links if "/papers/" in link] == [f"/mirror/papers/2503.0000{n}/" for n in (5, 4, 3)]
    assert "· Lab &lt;" not in page  # its items do not repeat the organization
    assert "/mirror/organizations/lab-script-alert-1-script-co/page/1/" in parse(first).links
    assert [link for link in parse(second).links if "/papers/" in link] == ["/mirror/papers/2503.00002/", "/mirror/papers/2503.00001/"]
    assert "Lab &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co, page 1" in html(second)
    assert "Papers claimed by this organization" in html(second)  # no count: the older pages stay put
    index = html(site / "organizations/index.html")
    assert '<a href="/mirror/organizations/lab-script-alert-1-script-co/">Lab &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</a> ' \
           '<span class="count">5 papers</span>' in index
    assert "1 organization with at least 2 papers" in index and "1 other has a single paper, named on that paper&#39;s page" in index and "Solo Lab" not in index
    paper = html(site / "papers/2503.00001/index.html")
    assert '<dd data-pagefind-filter="organization"><a href="/mirror/organizations/lab-script-alert-1-script-co/">Lab &lt;script&gt;' in paper
    assert '<dd data-pagefind-filter="organization">Solo Lab</dd>' in html(site / "papers/2503.00010/index.html")
    day = html(site / "archive/2025-03-11/index.html")  # listing items link the organization when it has a page
    assert '· <a href="/mirror/organizations/lab-script-alert-1-script-co/">Lab &lt;script&gt;' in day and "· Solo Lab" in day
    assert "https://example.org/mirror/organizations/lab-script-alert-1-script-co/page/1/" in sitemaps(site)
    assert '<a href="/mirror/organizations/">Papers by organization</a>' in html(site / "index.html")
    assert '<a href="/mirror/organizations/">organization</a>' in html(site / "keywords/index.html")


def test_every_page_names_an_organization_as_its_page_does(mirror, run_cli):
    """A paper whose organization was typed "university of science  and technology" listed it so, on its page and in
    every listing, linking to the page "University of Science and Technology" (the reader review): each spelling is
    shown as the organization's page shows it, its search filter value too."""
    spellings = ["University of Science and Technology"] * 2 + ["university of science  and technology"]
    write_archive(mirror, [make_paper(f"2503.0000{n}", f"Paper {n}", daily=(f"2025-03-1{n}",), organization=name)
                           for n, name in enumerate(spellings, start=1)])
    build(mirror, run_cli)
    site = mirror / "site"
    assert [p.parent.name for p in (site / "organizations").glob("*/index.html")] == ["university-of-science-and-technology"]
    link = '<a href="/mirror/organizations/university-of-science-and-technology/">University of Science and Technology</a>'
    for page in ("papers/2503.00003/index.html", "index.html", "archive/2025-03-13/index.html"):
        assert link in html(site / page) and "university of science" not in html(site / page), page
    assert f'<dd data-pagefind-filter="organization">{link}</dd>' in html(site / "papers/2503.00003/index.html")


def test_an_organization_whose_name_has_no_letter_gets_a_safe_page(mirror, run_cli):
    write_archive(mirror, [make_paper(f"2503.0000{n}", f"P{n}", organization="../..") for n in (1, 2)]
                  + [make_paper(f"2503.0001{n}", f"Q{n}", organization="/") for n in (1, 2)])
    build(mirror, run_cli)
    folders = sorted(p.name for p in (mirror / "site/organizations").iterdir() if p.is_dir())
    assert folders[0] == "organization" and re.fullmatch(r"organization-[0-9a-f]{8}", folders[1]) and len(folders) == 2
    assert not (mirror / "etc").exists() and not (mirror.parent / "organizations").exists()


# --- most upvoted -------------------------------------------------------------------------------------


def test_top_page_counts_back_from_the_newest_day_not_the_clock(mirror, run_cli):
    papers = [make_paper("2503.00001", "Newest day", daily=("2025-03-31",), upvotes=5),
              make_paper("2503.00002", "Six days before", daily=("2025-03-25",), upvotes=50),
              make_paper("2503.00003", "Seven days before", daily=("2025-03-24",), upvotes=100),
              make_paper("2503.00004", "Thirty days before", daily=("2025-03-01",), upvotes=1000),
              make_paper("2503.00005", "No upvotes", daily=("2025-03-30",), upvotes=0),
              make_paper("2503.00006", "Twenty-nine days before", daily=("2025-03-02",), upvotes=7),
              make_paper("2503.00007", "Undated", daily=(), published=None, upvotes=5000)]
    write_archive(mirror, papers)
    build(mirror, run_cli)
    page = html(mirror / "site/top/index.html")
    week, month = page.split('<h2 id="top-week">')[1].split('<h2 id="top-month">')
    assert "This week: 25 March 2025 to 31 March 2025" in week and "This month: 2 March 2025 to 31 March 2025" in month
    order = re.compile(r'href="/mirror/papers/([0-9.]+)/"')
    assert order.findall(week) == ["2503.00002", "2503.00001"]
    assert order.findall(month) == ["2503.00003", "2503.00002", "2503.00006", "2503.00001"]
    assert "2 papers with upvotes, most upvoted first" in week
    assert '<time datetime="2025-03-31">31 March 2025</time>, the newest day in this archive (not today\'s date' in page
    assert '<a href="/mirror/top/">Most upvoted this week and this month</a>' in html(mirror / "site/index.html")


def test_top_page_shows_the_most_upvoted_few_and_says_of_how_many(mirror, run_cli):
    write_archive(mirror, [make_paper(f"2503.{n:05d}", f"P{n}", daily=("2025-03-14",), upvotes=n) for n in range(1, TOP_SHOWN + 6)])
    build(mirror, run_cli)
    page = html(mirror / "site/top/index.html")
    week = page.split('<h2 id="top-month">')[0]
    assert f"The {TOP_SHOWN} most upvoted of {TOP_SHOWN + 5} papers with upvotes" in week
    assert re.findall(r'href="/mirror/papers/([0-9.]+)/"', week)[:2] == [f"2503.{TOP_SHOWN + 5:05d}", f"2503.{TOP_SHOWN + 4:05d}"]
    assert len(re.findall(r'href="/mirror/papers/', week)) == TOP_SHOWN


def test_top_page_of_an_archive_without_dates(mirror, run_cli):
    write_archive(mirror, [make_paper("2503.00001", "Undated", daily=(), published=None)])
    build(mirror, run_cli)
    page = html(mirror / "site/top/index.html")
    assert "No paper has a date yet" in page and "<h2" not in page


# --- feeds --------------------------------------------------------------------------------------------


def feed_archive(mirror: Path) -> list:
    """FEED_MIN_PAPERS + 2 papers of one keyword and organization (hostile titles), and a keyword just below."""
    papers = [make_paper(f"2503.{n:05d}", f"<script>alert({n})</script> & $m^2$ \x07title {n}", daily=(f"2025-03-{n:02d}",),
                         ai_keywords=("Masked Image Modeling",), organization="Lab & <Co>", first_seen=f"2025-03-{n:02d}T08:00:00Z")
              for n in range(1, FEED_MIN_PAPERS + 3)]
    papers += [make_paper(f"2504.{n:05d}", f"Small {n}", daily=("2025-04-01",), ai_keywords=("small topic",))
               for n in range(1, FEED_MIN_PAPERS)]
    write_archive(mirror, papers)
    return papers


def check_atom(path: Path, self_href: str, page_href: str, entries: int) -> ET.Element:
    """Parse a feed and check what Atom requires of it and of each entry; return its root."""
    feed = ET.parse(path).getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == page_href and feed.findtext(f"{ATOM}title")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == self_href
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == page_href
    found = feed.findall(f"{ATOM}entry")
    assert len(found) == entries
    for entry in found:
        assert entry.findtext(f"{ATOM}id") == entry.find(f"{ATOM}link").get("href")
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}updated")
        assert entry.find(f"{ATOM}summary") is None and entry.find(f"{ATOM}content") is None  # lean: no abstract
    links = [el.get("href") for el in feed.iter(f"{ATOM}link")] + [el.text for el in feed.iter(f"{ATOM}id")]
    assert all(link.startswith(("https://", "http://")) for link in links)
    return feed


def test_keyword_and_organization_feeds_are_valid_lean_atom(mirror, run_cli):
    papers = feed_archive(mirror)
    build(mirror, run_cli)
    site = mirror / "site"
    base = "https://example.org/mirror/"
    feed = check_atom(site / "keywords/masked-image-modeling/feed.xml", base + "keywords/masked-image-modeling/feed.xml",
                      base + "keywords/masked-image-modeling/", FEED_SIZE)
    ids = [entry.findtext(f"{ATOM}id") for entry in feed.findall(f"{ATOM}entry")]
    assert ids == [f"{base}papers/{p.id}/" for p in reversed(papers[FEED_MIN_PAPERS + 2 - FEED_SIZE : FEED_MIN_PAPERS + 2])]
    newest = feed.find(f"{ATOM}entry")
    assert newest.findtext(f"{ATOM}title") == f"<script>alert({FEED_MIN_PAPERS + 2})</script> & m² title {FEED_MIN_PAPERS + 2}"
    assert feed.findtext(f"{ATOM}updated") == newest.findtext(f"{ATOM}updated") == f"2025-03-{FEED_MIN_PAPERS + 2:02d}T08:00:00Z"
    raw = html(site / "keywords/masked-image-modeling/feed.xml")
    assert "<script>" not in raw and "&lt;script&gt;" in raw and "\x07" not in raw
    org = check_atom(site / "organizations/lab-co/feed.xml", base + "organizations/lab-co/feed.xml", base + "organizations/lab-co/", FEED_SIZE)
    assert org.findtext(f"{ATOM}title") == "Organization: Lab & <Co> · Test mirror"
    for page, feed_url, of in (("keywords/masked-image-modeling/index.html", "/mirror/keywords/masked-image-modeling/feed.xml",
                                "this keyword"),
                               ("organizations/lab-co/index.html", "/mirror/organizations/lab-co/feed.xml", "this organization")):
        text = html(site / page)
        assert '<link rel="alternate" type="application/atom+xml" title="' in text and f'href="{feed_url}">' in text
        # named apart from the footer's "Atom feed" of the whole site (the accessibility review)
        assert f'<a href="{feed_url}">Atom feed of {of}</a>' in text
    assert (site / "keywords/small-topic/index.html").is_file() and not (site / "keywords/small-topic/feed.xml").exists()
    assert "application/atom+xml" not in html(site / "keywords/small-topic/index.html")
    sitemap = sitemaps(site)
    assert "/keywords/" in sitemap and "feed.xml" not in sitemap.replace(base + "feed.xml", "")


def test_feeds_at_a_domain_root(mirror, run_cli):
    feed_archive(mirror)
    build(mirror, run_cli, "--base-url", "http://papers.example.com")
    check_atom(mirror / "site/keywords/masked-image-modeling/feed.xml", "http://papers.example.com/keywords/masked-image-modeling/feed.xml",
               "http://papers.example.com/keywords/masked-image-modeling/", FEED_SIZE)
    assert 'href="/keywords/masked-image-modeling/feed.xml"' in html(mirror / "site/keywords/masked-image-modeling/index.html")


def test_a_feed_drops_what_xml_cannot_carry():
    site = SiteConfig(title="T \x00<&>", base_url="https://example.org/m/")
    paper = make_paper("2503.00001", "A \x1b[31m title \ufffe with ]]> and &amp;", first_seen=None, daily=("2025-03-14",))
    text = topic_feed([paper], site, "keywords/k/feed.xml", FeedContext("Keyword: <k>", "keywords/k/index.html"))
    feed = ET.fromstring(text)
    assert feed.findtext(f"{ATOM}title") == "Keyword: <k> · T <&>"
    assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}title") == "A [31m title  with ]]> and &amp;"
    assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}updated") == "2025-03-14T00:00:00Z"  # no first_seen: its day


# --- incremental builds -------------------------------------------------------------------------------


def changed_files(mirror: Path, run_cli, before: dict) -> tuple[list[str], str]:
    out = build(mirror, run_cli)
    after = snapshot_files(mirror / "site")
    return sorted(k for k in set(after) | set(before) if before.get(k) != after.get(k)), out


def test_incremental_builds_redraw_the_new_pages_when_their_inputs_change(mirror, run_cli):
    a = make_paper("2503.00001", "A", daily=("2025-03-10",), organization="Lab", upvotes=3)
    b = make_paper("2503.00002", "B", daily=("2025-03-11",), organization="Lab", upvotes=2)
    c = make_paper("2503.00003", "C", daily=("2025-03-12",), organization="Other", upvotes=1)
    topic = [make_paper(f"2502.{n:05d}", f"T{n}", daily=("2025-02-01",), ai_keywords=("topic",)) for n in range(1, FEED_MIN_PAPERS + 1)]
    write_archive(mirror, [a, b, c, *topic])
    build(mirror, run_cli)
    site = mirror / "site"
    assert not (site / "organizations/other").exists() and "/organizations/" not in html(site / "archive/2025-03-12/index.html")

    # a second paper of "Other": its page appears, and C's day page, whose paper did not change, links it
    write_paper(mirror / "content", make_paper("2503.00004", "D", daily=("2025-03-13",), organization="other", upvotes=40))
    changed, _out = changed_files(mirror, run_cli, snapshot_files(site))
    assert {"organizations/other/index.html", "organizations/index.html", "archive/2025-03-12/index.html",
            "papers/2503.00003/index.html", "top/index.html"} <= set(changed)
    assert 'href="/mirror/organizations/other/"' in html(site / "archive/2025-03-12/index.html")
    assert re.findall(r'papers/([0-9.]+)/', html(site / "top/index.html").split("top-month")[0])[0] == "2503.00004"
    assert "organizations/lab/index.html" not in changed and "keywords/topic/feed.xml" not in changed

    # "Lab" falls to one paper: its page goes, and B's pages stop linking it
    write_paper(mirror / "content", a.replace(organization=None))
    changed, out = changed_files(mirror, run_cli, snapshot_files(site))
    assert "organizations/lab/index.html" in changed and not (site / "organizations/lab").exists() and "1 removed" in out
    assert {"papers/2503.00002/index.html", "archive/2025-03-11/index.html", "organizations/index.html"} <= set(changed)
    assert "/organizations/lab/" not in html(site / "papers/2503.00002/index.html")

    # a newer paper of a keyword with a feed: the feed is written again, with it first
    write_paper(mirror / "content", make_paper("2502.00099", "Newest topic paper", daily=("2025-02-02",), ai_keywords=("topic",)))
    changed, _out = changed_files(mirror, run_cli, snapshot_files(site))
    assert "keywords/topic/feed.xml" in changed
    feed = ET.parse(site / "keywords/topic/feed.xml").getroot()
    assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}title") == "Newest topic paper"
    assert len(feed.findall(f"{ATOM}entry")) == min(FEED_SIZE, FEED_MIN_PAPERS + 1)

    # nothing changed: nothing is written
    changed, out = changed_files(mirror, run_cli, snapshot_files(site))
    assert changed == [] and " 0 written" in out
