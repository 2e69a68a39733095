"""The trends page and the keyword sparklines (site/trends.py): the right figures from a hand-made archive,
drawn as well-formed SVG; and a built site's trends page and related papers, end to end."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from samples import PageParser, make_paper

from papermirror.site import trends
from papermirror.site.archive import build_archive
from papermirror.site.contexts import Links

LINKS = Links("/mirror/")


def archive_of(papers):
    return build_archive({paper.id: paper for paper in papers}, Path("content"))


def test_month_range_and_axis_labels():
    assert trends.month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert trends.month_range("2025-03", "2025-03") == ["2025-03"]
    assert trends.axis_labels(["2024-12", "2025-01"]) == ["Dec 2024", "Jan 2025"]
    months = trends.month_range("2023-11", "2025-02")
    assert [label for label in trends.axis_labels(months) if label] == ["November 2023", "2024", "2025"]


def test_monthly_figures_count_every_month_even_empty_ones():
    archive = archive_of([
        make_paper("2501.00001", "a", daily=("2025-01-05",), upvotes=1),
        make_paper("2501.00002", "b", daily=("2025-01-06",), upvotes=10, github_repo="https://github.com/a/b"),
        make_paper("2501.00003", "c", daily=("2025-01-07",), upvotes=3),
        make_paper("2503.00001", "d", daily=("2025-03-01",), upvotes=None, github_repo="https://github.com/c/d"),
    ])
    months = trends.month_range("2025-01", "2025-03")
    papers, upvotes, code = trends.monthly_figures(archive, months)
    assert papers == [3, 0, 1]
    assert upvotes == [3.0, None, None]  # the median; a month without counts has none
    assert code == [100 / 3, None, 100.0]


def test_the_papers_table_has_every_month_its_chart_has_a_bar_for():
    """A month without papers is a bar of 0 in the chart; the table, what a screen reader reads, left it out."""
    archive = archive_of([make_paper("2501.00001", "a", daily=("2025-01-05",), upvotes=4),
                          make_paper("2503.00001", "b", daily=("2025-03-01",), upvotes=2)])
    papers, upvotes, _code = trends.month_charts(archive, trends.month_range("2025-01", "2025-03"))
    assert papers.rows == (("January 2025", "1"), ("February 2025", "0"), ("March 2025", "1"))
    assert len(re.findall(r'<rect class="bar"', papers.svg)) == len(papers.rows)
    assert [month for month, _ in upvotes.rows] == ["January 2025", "March 2025"]  # a line's gap is no row
    assert trends.papers_rows(["Jan", "Feb", "Mar", "Apr", "May"], [2, 0, 0, 0, 1]) == (
        ("Jan", "2"), ("Feb to Apr", "0"), ("May", "1"))  # months in a row without papers share one


def test_a_month_before_the_listing_named_code_has_no_code_share_unless_a_paper_links_code():
    """The listing named no code repository before March 2025: such a month's 0% is "not reported" (no value, a
    gap in the line), not 0%; from March 2025 on a month without code is 0%; an older month where a paper does
    link code (a later refresh, a hand edit) has its share."""
    archive = archive_of([
        make_paper("2111.00001", "a", daily=("2021-11-12",), github_repo="https://github.com/a/a"),
        make_paper("2405.00001", "b", daily=("2024-05-27",)),
        make_paper("2503.00001", "c", daily=("2025-03-01",), github_repo="https://github.com/a/b"),
        make_paper("2503.00002", "d", daily=("2025-03-02",)),
        make_paper("2506.00001", "e", daily=("2025-06-01",)),
    ])
    months = ["2021-11", "2024-05", "2025-03", "2025-06"]
    papers, _upvotes, code = trends.monthly_figures(archive, months)
    assert papers == [1, 1, 2, 1] and code == [100.0, None, 50.0, 0.0]
    chart = next(chart for chart in trends.month_charts(archive, months) if chart.id == "code")
    assert "(a month before March 2025 without a paper that links code has no value" in chart.lede
    assert chart.rows == (("November 2021", "100%"), ("March 2025", "50%"), ("June 2025", "0%"))
    assert chart.svg.count('class="dot"') == 3  # May 2024 has a paper but no value: no dot at 0%
    recent = archive_of([make_paper("2506.00001", "e", daily=("2025-06-01",))])
    assert trends.monthly_figures(recent, ["2025-06"])[2] == [0.0]  # the listing named code then: a real 0%
    assert "no value" not in next(c for c in trends.month_charts(recent, ["2025-06"]) if c.id == "code").lede


def rising_archive():
    """12 base months with one paper each ("steady" on all, "rising" on one), then 3 months of 2 papers."""
    papers = [make_paper(f"24{m:02d}.00001", f"base {m}", daily=(f"2024-{m:02d}-10",),
                         ai_keywords=("steady",) + (("rising",) if m == 1 else ())) for m in range(1, 13)]
    recent = [("steady", "rising", "new"), ("steady", "rising", "new"), ("steady", "rising", "new", "rare <b>"),
              ("steady", "rising", "rare <b>"), ("steady",), ("steady",)]
    for n, names in enumerate(recent):
        month = 1 + n // 2
        papers.append(make_paper(f"250{month}.0000{n}", f"recent {n}", daily=(f"2025-0{month}-1{n}",), ai_keywords=names))
    return archive_of(papers)


def test_rising_keywords_compare_shares_of_the_last_3_months_with_the_12_before():
    archive = rising_archive()
    months = trends.month_range("2024-01", "2025-03")
    rising = trends.rising_keywords(archive, months)
    assert [(name, before, now) for name, before, _, now, _ in rising] == [("new", 0, 3), ("rising", 1, 4), ("steady", 12, 6)]
    assert [round(share, 1) for *_, share in rising] == [50.0, 66.7, 100.0]
    assert rising[1][2] == 100 / 12
    chart = trends.rising_chart(archive, months, LINKS)
    assert chart.links == ("/mirror/keywords/new/", "/mirror/keywords/rising/", "/mirror/keywords/steady/")
    assert chart.rows[0] == ("new", "0", "0%", "3", "50%")
    ET.fromstring(chart.svg)


def test_too_short_an_archive_has_no_rising_chart_but_says_why():
    archive = archive_of([make_paper("2501.00001", "a", ai_keywords=("x",)), make_paper("2501.00002", "b", ai_keywords=("x",))])
    context = trends.trends_context(archive, LINKS, None)
    rising = [chart for chart in context.charts if chart.id == "rising"][0]
    assert rising.svg == "" and "Too few papers" in rising.note
    assert [chart.id for chart in context.charts] == ["papers-per-month", "rising", "upvotes", "code"]
    for chart in context.charts:
        if chart.svg:
            ET.fromstring(chart.svg)


def test_the_heading_counts_the_papers_the_charts_count():
    """A paper with no day at all is in no month: the heading ("N papers from ... to ...") leaves it out too."""
    undated = make_paper("2501.00003", "c", daily=(), published=None)
    context = trends.trends_context(archive_of([make_paper("2501.00001", "a"), make_paper("2501.00002", "b"), undated]), LINKS, None)
    assert context.total == 2


def test_an_empty_archive_has_no_charts():
    context = trends.trends_context(archive_of([]), LINKS, None)
    assert context.charts == () and context.first is None and context.total == 0
    assert trends.keyword_sparklines(archive_of([])) == {}


def test_keyword_sparklines_run_from_the_keywords_first_month_to_the_archives_last():
    archive = rising_archive()
    sparklines = trends.keyword_sparklines(archive)
    assert set(sparklines) == {"steady", "rising", "new", "rare <b>"}
    new = sparklines["new"]
    assert (new.first, new.last, new.months) == ("January 2025", "March 2025", (("January 2025", 2), ("February 2025", 1)))
    root = ET.fromstring(sparklines["rare <b>"].svg)
    assert "<b>" not in sparklines["rare <b>"].svg and root.get("role") == "img"
    assert len(ET.fromstring(sparklines["steady"].svg).find("{http://www.w3.org/2000/svg}polyline").get("points").split()) == 15


def test_a_built_site_has_related_papers_and_a_trends_page(shipped, run_cli):
    assert run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")[0] == 0
    site = shipped / "site"
    base = "/" + re.search(r'href="(/[^"]*)static/style.css', (site / "index.html").read_text()).group(1).strip("/")
    base = base.rstrip("/") + "/"
    pages = sorted(site.glob("papers/*/index.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        section = html.split('<section class="related"', 1)[1].split("</section>", 1)[0]
        parser = PageParser()
        parser.feed(section)
        own = base + "papers/" + page.parent.name + "/"
        assert len(parser.links) == 5 and own not in parser.links and len(set(parser.links)) == 5, page
        assert all(link.startswith(base + "papers/") and (site / link[len(base):] / "index.html").exists() for link in parser.links)
    trends_html = (site / "trends" / "index.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", trends_html, flags=re.S)
    assert len(svgs) >= 3 and all(ET.fromstring(svg).get("role") == "img" for svg in svgs)
    assert trends_html.count("<table>") == len(svgs)
    assert f'href="{base}trends/"' in (site / "index.html").read_text(encoding="utf-8")
    assert f'href="{base}trends/"' in (site / "archive" / "index.html").read_text(encoding="utf-8")
    keyword_page = sorted(site.glob("keywords/*/index.html"))[0].read_text(encoding="utf-8")
    assert 'class="sparkline"' in keyword_page
