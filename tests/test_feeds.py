"""Machine-readable outputs: the Atom feed, papers.json, the sitemap and robots.txt."""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET

from samples import ATOM, make_paper

from papermirror.config import SiteConfig
from papermirror.content.paper import LinkedRepo, LinkedTotals
from papermirror.site import feeds
from papermirror.site.contexts import Links

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_atom_feed_and_papers_json(shipped, run_cli):
    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
    site = shipped / "site"
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "https://example.org/mirror/"
    assert feed.findtext(f"{ATOM}updated") == "2026-08-21T08:00:00Z"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/mirror/feed.xml"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Test mirror"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50  # site.feed_size default
    for entry in entries:
        assert entry.findtext(f"{ATOM}id").startswith("https://example.org/mirror/papers/")
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}updated")
    published = [e.findtext(f"{ATOM}published") for e in entries]
    assert published == sorted(published, reverse=True)
    index = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    assert index["count"] == len(list((shipped / "content/papers").glob("*/*.md"))) == sum(year["count"] for year in index["years"])
    files = [site / year["url"].removeprefix(index["base_url"]) for year in index["years"]]
    assert all(file.name.endswith(".json.gz") for file in files)
    years = [json.loads(gzip.decompress(file.read_bytes()).decode("utf-8")) for file in files]
    assert [year["year"] for year in years] == sorted((year["year"] for year in years), reverse=True)
    records = [paper for year in years for paper in year["papers"]]
    assert [year["count"] for year in years] == [len(year["papers"]) for year in years]
    assert {p["id"] for p in records} == {p.stem for p in (shipped / "content/papers").glob("*/*.md")}
    assert index["paper_url"].format(id=records[0]["id"]) == entries[0].findtext(f"{ATOM}id")
    assert all("abstract" not in p and "ai_summary" not in p for p in records)  # on the paper pages
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    assert [loc.text for loc in index.iter(f"{SITEMAP}loc")] == ["https://example.org/mirror/sitemap-1.xml.gz"]
    sitemap = ET.fromstring(gzip.decompress((site / "sitemap-1.xml.gz").read_bytes()))
    locs = {loc.text for loc in sitemap.iter(f"{SITEMAP}loc")}
    assert "https://example.org/mirror/papers/2512.16922/" in locs and "https://example.org/mirror/" in locs
    assert "Sitemap: https://example.org/mirror/sitemap.xml" in (site / "robots.txt").read_text()


def test_xml_outputs_drop_control_characters_and_stay_well_formed():
    site = SiteConfig(title="T\x00itle", base_url="https://example.org/m/")
    paper = make_paper("2503.00001", "Bell\x07 and <tags> & \x1b[31mred", ai_keywords=("a\x0bb",))
    text = feeds.atom_feed([paper], site, Links("/m/"), "2025-03-15T08:00:00Z")
    root = ET.fromstring(text)
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Bell and <tags> & [31mred"
    assert root.findtext(f"{ATOM}title") == "Title"
    assert entry.find(f"{ATOM}category").get("term") == "ab"
    # a title's math as the search shows it, not its TeX (the accessibility review: "O(n^2)", "\\alpha")
    paper = make_paper("2503.00002", "Cost $O(n^2)$ and $\\alpha$-blending")
    entry = ET.fromstring(feeds.atom_feed([paper], site, Links("/m/"), None)).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Cost O(n²) and α-blending"


def test_papers_json_is_one_paper_a_line_without_the_texts():
    site = SiteConfig(base_url="https://example.org/m/")
    papers = [make_paper("2503.00001", "One", ai_summary="Long text.",
                         linked=(LinkedRepo("model", "lab/m", likes=3, downloads=9), LinkedRepo("space", "lab/s", emoji="🤗")),
                         linked_totals=LinkedTotals(models=4, datasets=0, spaces=1)),
              make_paper("hep-th/9901001", "Old", daily=(), upvotes=None)]
    text = feeds.papers_json(papers, site, "2025", "2025-03-15T08:00:00Z")
    assert len([line for line in text.splitlines() if line.startswith('{"id"')]) == 2
    data = json.loads(text)
    assert (data["year"], data["count"], data["updated"]) == ("2025", 2, "2025-03-15T08:00:00Z")
    first, old = data["papers"]
    assert first["authors"] == list(papers[0].authors) and first["day"] == papers[0].day
    assert not {"abstract", "ai_summary", "thumbnail", "notes"} & set(first)
    assert "upvotes" not in old and "daily" not in old  # what a paper does not have is left out, as in content/
    # the details named as in the content file, not as bare arrays
    assert first["linked"] == [{"kind": "model", "id": "lab/m", "likes": 3, "downloads": 9}, {"kind": "space", "id": "lab/s", "emoji": "🤗"}]
    assert first["linked_totals"] == {"models": 4, "datasets": 0, "spaces": 1}
    index = json.loads(feeds.papers_json_index((("2025", 1), ("undated", 1)), site, None))
    assert index["count"] == 2 and index["paper_url"].format(id="hep-th/9901001") == "https://example.org/m/papers/hep-th/9901001/"
    assert index["years"][1] == {"year": "undated", "count": 1, "url": "https://example.org/m/papers/undated.json.gz"}
    # no control character, raw (DEL, C1, bidirectional) or escaped (C0), in any text of a record
    odd = make_paper("2503.00002", "Ti\u202etle\x1b[31m\x7f\x85\x9b", authors=("A\u2066b\x00",), ai_keywords=("k\x9bw",),
                     organization="Org\u202e\x07")
    record = feeds.paper_record(odd)
    assert json.loads(record)["title"] == "Title[31m" and json.loads(record)["authors"] == ["Ab"]
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\\u00[01]", record), record


def test_sitemap_lists_one_url_a_line():
    site = SiteConfig(base_url="https://example.org/m/")
    text = feeds.sitemap([["index.html", None], ["papers/2503.00001/index.html", "2025-03-15"]], site, Links("/m/"))
    assert text.splitlines()[2:] == ["<url><loc>https://example.org/m/</loc></url>",
                                     "<url><loc>https://example.org/m/papers/2503.00001/</loc><lastmod>2025-03-15</lastmod></url>",
                                     "</urlset>"]
    assert ET.fromstring(text).tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"


def test_sitemap_index_and_robots():
    site = SiteConfig(base_url="https://example.org/m/")
    index = ET.fromstring(feeds.sitemap_index(["sitemap-1.xml.gz", "sitemap-2.xml.gz"], site))
    locs = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == ["https://example.org/m/sitemap-1.xml.gz", "https://example.org/m/sitemap-2.xml.gz"]
    assert feeds.robots_txt(site) == "User-agent: *\nAllow: /\n\nSitemap: https://example.org/m/sitemap.xml\n"


def test_the_feed_spells_keywords_as_the_pages_do(mirror, run_cli):
    from samples import write_archive

    write_archive(mirror, [make_paper("2503.00001", "One", ai_keywords=("lora",)),
                           make_paper("2503.00002", "Two", ai_keywords=("LoRA",)),
                           make_paper("2503.00003", "Three", ai_keywords=("LoRA",))])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    feed = ET.parse(mirror / "site" / "feed.xml").getroot()
    terms = {entry.findtext(f"{ATOM}id").rsplit("/", 2)[-2]: [c.get("term") for c in entry.findall(f"{ATOM}category")]
             for entry in feed.findall(f"{ATOM}entry")}
    assert terms == {"2503.00001": ["LoRA"], "2503.00002": ["LoRA"], "2503.00003": ["LoRA"]}
    assert ">LoRA<" in (mirror / "site" / "papers" / "2503.00001" / "index.html").read_text(encoding="utf-8")


def test_a_big_site_s_urls_are_split_over_sitemaps(mirror, run_cli, monkeypatch):
    from samples import HOSTILE, write_archive

    from papermirror.site import pages

    monkeypatch.setattr(pages, "SITEMAP_MAX_URLS", 10)
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    index = ET.parse(site / "sitemap.xml").getroot()
    names = [loc.text.removeprefix("https://example.org/mirror/") for loc in index.iter(f"{SITEMAP}loc")]
    assert len(names) >= 2 and all(name.startswith("sitemap-") and name.endswith(".xml.gz") for name in names)
    urls = [ET.fromstring(gzip.decompress((site / name).read_bytes())) for name in names]
    locs = [loc.text for urlset in urls for loc in urlset.iter(f"{SITEMAP}loc")]
    assert all(len(list(urlset.iter(f"{SITEMAP}url"))) <= 10 for urlset in urls)
    assert "https://example.org/mirror/papers/2503.01234/" in locs and len(locs) == len(set(locs))


def test_feeds_list_the_papers_stored_last_and_a_refresh_moves_no_entry(mirror, run_cli):
    """A paper new to the mirror but filed under an older day (found by a query, listed on a past day of the refresh
    window, fetched after an outage) reached no feed: they listed the newest days. And an entry's `updated` moved
    with every refresh of the upvotes, which the entry does not even hold."""
    from samples import write_archive

    text = (mirror / "mirror.yml").read_text(encoding="utf-8")
    (mirror / "mirror.yml").write_text(text.replace("site:\n", "site:\n  feed_size: 3\n"), encoding="utf-8")
    papers = [make_paper(f"2503.000{n:02d}", f"Day paper {n}", daily=(f"2025-03-{n + 1:02d}",), ai_keywords=("LoRA",),
                         first_seen=f"2025-03-{n + 1:02d}T08:00:00Z", refreshed="2025-03-20T08:00:00Z") for n in range(12)]
    late = make_paper("2409.00001", "Found late", daily=("2024-09-02",), ai_keywords=("LoRA",),
                      first_seen="2025-03-19T08:00:00Z", refreshed="2025-03-20T08:00:00Z")
    write_archive(mirror, [*papers, late])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0

    def entries(path: str) -> list[tuple[str, str]]:
        feed = ET.parse(mirror / "site" / path).getroot()
        return [(entry.findtext(f"{ATOM}id").rsplit("/", 2)[-2], entry.findtext(f"{ATOM}updated"))
                for entry in feed.findall(f"{ATOM}entry")]

    expected = [("2409.00001", "2025-03-19T08:00:00Z"), ("2503.00011", "2025-03-12T08:00:00Z"),
                ("2503.00010", "2025-03-11T08:00:00Z")]
    assert entries("feed.xml") == expected
    assert entries("keywords/lora/feed.xml")[:3] == expected and len(entries("keywords/lora/feed.xml")) == 10
    write_archive(mirror, [late.replace(upvotes=99, refreshed="2025-03-21T08:00:00Z")])  # the next day's refresh
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    assert entries("feed.xml") == expected and entries("keywords/lora/feed.xml")[:3] == expected
