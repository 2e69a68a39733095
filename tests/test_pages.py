"""The plan of the site: what each page's context says (headings, titles, pagers, neighbours), built in Python."""

from __future__ import annotations

import pickle
from pathlib import Path

from samples import make_paper

from papermirror.config import ListingConfig, SiteConfig
from papermirror.content.ledger import Ledger
from papermirror.site.about import about_context
from papermirror.site.archive import build_archive
from papermirror.site.contexts import Link, MonthDay, Page
from papermirror.site.pages import HOME_PAGES, plan_pages

SITE = SiteConfig(title="Test mirror", description="A test mirror.", base_url="https://example.org/mirror/", per_page=2)


def plan(papers, site: SiteConfig = SITE) -> dict[str, Page]:
    """Plan the site of `papers`; return its pages by path."""
    archive = build_archive({paper.id: paper for paper in papers}, Path("content"))
    about = about_context(ListingConfig(), Ledger(), archive, archive.updated)
    return {page.path: page for page in plan_pages(archive, site, ["style.css"], about)}


def numbered(count: int, **fields) -> list:
    """`count` papers of 2025-01-01, with ids in newest-first order 2501.00000, 2501.00001, ..."""
    return [make_paper(f"2501.{n:05d}", f"Paper {n}", upvotes=count - n, daily=("2025-01-01",), **fields) for n in range(count)]


def pager_labels(page: Page) -> list[str]:
    return [link.label for link in page.context.pager.links]


def test_pager_on_the_first_page_of_many():
    pager = plan(numbered(23))["index.html"].context.pager  # 12 pages of 2
    assert [link.label for link in pager.links] == ["1", "2", "3", "…", "12"]
    assert [link.href for link in pager.links] == [None, "/mirror/page/2/", "/mirror/page/3/", None, "/mirror/page/12/"]
    assert [link.current for link in pager.links] == [True, False, False, False, False]
    assert [link.ellipsis for link in pager.links] == [False, False, False, True, False]
    assert pager.prev is None and pager.next == "/mirror/page/2/"


def test_pager_on_a_middle_page_and_on_the_last():
    pages = plan(numbered(23))
    middle = pages["page/6/index.html"].context.pager
    assert pager_labels(pages["page/6/index.html"]) == ["1", "…", "4", "5", "6", "7", "8", "…", "12"]
    assert [link.label for link in middle.links if link.current] == ["6"]
    assert middle.prev == "/mirror/page/5/" and middle.next == "/mirror/page/7/"
    last = pages["page/12/index.html"].context.pager
    assert pager_labels(pages["page/12/index.html"]) == ["1", "…", "10", "11", "12"]
    assert last.links[0].href == "/mirror/" and last.prev == "/mirror/page/11/" and last.next is None
    assert pages["page/2/index.html"].context.pager.prev == "/mirror/"  # page 1 has no page/1/


def test_keyword_pages_have_their_own_pager_and_headings():
    pages = plan(numbered(5, ai_keywords=("Shared Topic",)))  # 2 a page: the front holds 3, page 1 the 2 oldest
    front, oldest = pages["keywords/shared-topic/index.html"], pages["keywords/shared-topic/page/1/index.html"]
    assert "keywords/shared-topic/page/2/index.html" not in pages
    assert front.paper_ids == ("2501.00000", "2501.00001", "2501.00002") and oldest.paper_ids == ("2501.00003", "2501.00004")
    assert front.context.heading == "Keyword: Shared Topic" and front.context.total == 5
    assert oldest.context.heading == "Keyword: Shared Topic, page 1"
    assert oldest.context.title == "Keyword: Shared Topic, page 1 · Test mirror"
    assert oldest.context.total is None and oldest.context.kind == "keyword"  # no count: the older pages stay put
    assert oldest.context.pager.prev == "/mirror/keywords/shared-topic/" and oldest.context.pager.next is None
    assert front.context.pager.prev is None and front.context.pager.next == "/mirror/keywords/shared-topic/page/1/"
    assert [(link.label, link.href) for link in front.context.pager.links] == [("Newest", None), ("1", "/mirror/keywords/shared-topic/page/1/")]
    index = pages["keywords/index.html"].context
    assert index.keywords == (Link("/mirror/keywords/shared-topic/", "Shared Topic", 5),)


def test_keyword_pages_numbered_from_the_oldest_stay_put_as_papers_come():
    def keyword_pages(count: int) -> dict[str, Page]:
        papers = [make_paper(f"2501.{n:05d}", f"Paper {n}", daily=(f"2025-01-{1 + n // 10:02d}",), ai_keywords=("Topic",))
                  for n in range(count)]
        return {path: page for path, page in plan(papers).items() if path.startswith("keywords/topic/") and path.endswith(".html")}
    def changed(old: dict[str, Page], new: dict[str, Page]) -> list[str]:
        return sorted(path.removeprefix("keywords/topic/") for path in new if new[path] != old.get(path))
    before, after, grown = keyword_pages(30), keyword_pages(31), keyword_pages(32)  # a new paper on top, twice; 2 a page
    assert len(before) == len(after) == 15 and len(grown) == 16  # the front (2 to 3 papers) and pages 1-14 (then 15)
    assert changed(before, after) == ["index.html"]
    # the front's 4 papers: its oldest 2 become page 15, and the top pages' pagers show one more page
    assert changed(after, grown) == ["index.html", "page/12/index.html", "page/13/index.html", "page/14/index.html", "page/15/index.html"]
    assert grown["keywords/topic/page/15/index.html"].paper_ids == after["keywords/topic/index.html"].paper_ids[1:]
    middle = grown["keywords/topic/page/6/index.html"].context.pager
    assert [link.label for link in middle.links] == ["Newest", "…", "8", "7", "6", "5", "4", "…", "1"]
    assert [link.label for link in middle.links if link.current] == ["6"]
    assert middle.prev == "/mirror/keywords/topic/page/7/" and middle.next == "/mirror/keywords/topic/page/5/"
    top = grown["keywords/topic/page/15/index.html"].context.pager
    assert [link.label for link in top.links] == ["Newest", "15", "14", "13", "…", "1"] and top.prev == "/mirror/keywords/topic/"
    shown = [paper_id for page in grown.values() for paper_id in page.paper_ids]
    assert sorted(shown) == [f"2501.{n:05d}" for n in range(32)]  # every paper on exactly one page


def test_home_pages_hold_the_newest_papers_and_point_to_the_archive_for_the_rest():
    pages = plan(numbered(HOME_PAGES * 2 + 5))  # 2 a page: 5 papers more than the home pages hold
    assert f"page/{HOME_PAGES}/index.html" in pages and f"page/{HOME_PAGES + 1}/index.html" not in pages
    first, last = pages["index.html"].context, pages[f"page/{HOME_PAGES}/index.html"]
    assert first.total == HOME_PAGES * 2 + 5 and first.older == Link("/mirror/archive/", "the archive", 5)
    assert last.paper_ids[-1] == f"2501.{HOME_PAGES * 2 - 1:05d}" and last.context.pager.next is None
    assert plan(numbered(5))["index.html"].context.older is None


def test_undated_papers_are_listed_on_the_archive_index():
    papers = [make_paper("2501.00001", "Dated"), make_paper("2501.00002", "Undated", daily=(), published=None)]
    index = plan(papers)["archive/index.html"]
    assert index.paper_ids == ("2501.00002",) and index.context.undated == 1


def test_a_listing_of_one_page_has_no_pager():
    home = plan(numbered(2))["index.html"].context
    assert home.pager is None and home.total == 2


def test_home_headings_titles_and_lede():
    pages = plan(numbered(5))
    first, second = pages["index.html"].context, pages["page/2/index.html"].context
    assert (first.heading, first.title, first.lede) == ("Test mirror", "Test mirror: newest papers", "A test mirror.")
    assert first.updated == "2025-03-15T08:00:00Z"
    assert (second.heading, second.title, second.lede) == ("Newest papers, page 2 of 3", "Newest papers, page 2 of 3 · Test mirror", "")
    assert second.updated is None  # only page 1 says when: the others stay put between snapshots


def test_previous_and_next_periods_skip_empty_days_and_months():
    papers = [make_paper(f"2501.0000{n}", f"Paper {n}", daily=(day,))
              for n, day in enumerate(["2024-11-20", "2025-01-01", "2025-01-05", "2025-03-01"])]
    pages = plan(papers)
    day = pages["archive/2025-01-05/index.html"].context
    assert day.prev == Link("/mirror/archive/2025-01-01/", "1 January 2025")
    assert day.next == Link("/mirror/archive/2025-03-01/", "1 March 2025")
    assert (day.heading, day.title) == ("Papers of 5 January 2025", "Papers of 5 January 2025 · Test mirror")
    assert day.month == Link("/mirror/archive/2025-01/", "January 2025") and day.pager is None
    assert pages["archive/2024-11-20/index.html"].context.prev is None
    assert pages["archive/2025-03-01/index.html"].context.next is None
    month = pages["archive/2025-01/index.html"].context
    assert month.prev == Link("/mirror/archive/2024-11/", "November 2024")
    assert month.next == Link("/mirror/archive/2025-03/", "March 2025")
    assert (month.heading, month.title, month.total) == ("January 2025", "January 2025 · Test mirror", 2)
    assert month.days == (MonthDay(Link("/mirror/archive/2025-01-05/", "5 January 2025", 1), ("2501.00002",)),
                          MonthDay(Link("/mirror/archive/2025-01-01/", "1 January 2025", 1), ("2501.00001",)))
    assert pages["archive/2025-01/index.html"].paper_ids == ("2501.00002", "2501.00001")


def test_a_month_page_lists_its_days_with_their_most_upvoted_papers():
    votes = {"2501.00001": 3, "2501.00002": 9, "2501.00003": None, "2501.00004": 3, "2501.00005": None}
    papers = [make_paper(paper_id, paper_id, daily=("2025-01-02",), upvotes=up) for paper_id, up in votes.items()]
    papers.append(make_paper("2501.00006", "quiet day", daily=("2025-01-01",), upvotes=None))
    pages = plan(papers)
    month = pages["archive/2025-01/index.html"]
    two, one = month.context.days
    listed = pages["archive/2025-01-02/index.html"].paper_ids  # the day's page lists them all
    tie = next(paper_id for paper_id in listed if votes[paper_id] == 3)  # of two with 3 upvotes, the one listed first
    assert len(listed) == 5 and two.link == Link("/mirror/archive/2025-01-02/", "2 January 2025", 5)
    assert two.top == ("2501.00002", tie)
    assert one.link.count == 1 and one.top == ()  # no upvotes: nothing to call the most upvoted
    assert month.paper_ids == ("2501.00002", tie) and month.context.total == 6


def test_archive_index_groups_months_by_year_newest_first():
    papers = [make_paper("2501.00001", "A", daily=("2024-11-20",)), make_paper("2501.00002", "B", daily=("2025-01-01",)),
              make_paper("2501.00003", "C", daily=("2025-01-02",)), make_paper("2501.00004", "D", daily=(), published=None)]
    index = plan(papers)["archive/index.html"].context
    assert index.years == (("2025", (Link("/mirror/archive/2025-01/", "January 2025", 2),)),
                           ("2024", (Link("/mirror/archive/2024-11/", "November 2024", 1),)))
    assert (index.total, index.undated) == (4, 1)


def test_contexts_hash_the_same_every_time_and_survive_pickling():
    first, again = plan(numbered(5, ai_keywords=("x", "y"))), plan(numbered(5, ai_keywords=("x", "y")))
    assert [page.context_text() for page in first.values()] == [page.context_text() for page in again.values()]
    home = first["index.html"]
    assert home.context_text().startswith("ListingContext(kind='home', heading='Test mirror',")
    assert first["papers/2501.00000/index.html"].context_text() == ""
    assert plan(numbered(5), SITE.model_copy(update={"title": "Other"}))["index.html"].context_text() != home.context_text()
    for page in first.values():
        assert pickle.loads(pickle.dumps(page)) == page
