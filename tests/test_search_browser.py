"""The browser search, end to end: the fixture archive is built (render + Pagefind), served over
loopback HTTP under a sub-path (as on GitHub Pages) and at a domain root, and driven in headless
Chromium. See tests/browser.py for the harness."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
import socket
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from archive import PAPERS, write_archive
from browser import build_fixture_site, chromium, serve

from papermirror.content.paper import Paper

ROOT = Path(__file__).resolve().parent.parent
SUB_PATH = "/mirror/"
RESULT_LINKS = ".search-result-link"
PAPERS_BY_ID = {paper.id: paper for paper in PAPERS}


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def site_url(tmp_path_factory, browser) -> str:
    """The fixture archive built for, and served under, http://127.0.0.1:<port>/mirror/."""
    site = build_fixture_site(tmp_path_factory.mktemp("subpath"), ROOT, f"http://127.0.0.1{SUB_PATH}", write_archive)
    with serve(site, SUB_PATH) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog opened: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert errors == [], f"the page raised: {errors}"


def result_hrefs(page) -> list[str]:
    return page.locator(RESULT_LINKS).evaluate_all("links => links.map(a => a.getAttribute('href'))")


def expect_searched(page) -> None:
    """Wait until the searches asked for have drawn their results (search.js marks the list busy meanwhile)."""
    from playwright.sync_api import expect

    expect(page.locator("#search-results")).not_to_have_attribute("aria-busy", "true")


def expect_first_result(page, paper_id: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(RESULT_LINKS).first).to_have_attribute("href", re.compile(rf"/papers/{re.escape(paper_id)}/$"))


def open_filter(page, name: str) -> None:
    """Open the filter panel and wait for the filter group `name` to be drawn in it."""
    page.locator("#search-filters > summary").click()
    legend = page.locator(".search-filter-group legend", has_text=name)
    try:
        legend.wait_for(timeout=10_000)
    except Exception:
        html = page.locator("#search").evaluate("element => element.outerHTML")
        pytest.fail(f"no {name!r} filter on the page; the interface holds: {html[:3000]}")


def search(page, site_url: str, words: str) -> None:
    page.goto(site_url + "search/")
    page.locator("#search-input").fill(words)


@contextmanager
def own_site_page(browser, folder: Path, write=write_archive, handler: type | None = None):
    """A site of its own (the archive `write` makes) built in `folder`, served by `handler`, and a fresh page;
    yield (page, the site's URL)."""
    site = build_fixture_site(folder, ROOT, f"http://127.0.0.1{SUB_PATH}", write)
    with serve(site, SUB_PATH, handler) as url:
        context = browser.new_context()
        try:
            yield context.new_page(), url
        finally:
            context.close()


def test_an_empty_archive_s_search_says_so_not_that_the_index_failed(tmp_path, browser):
    """A fork before its first snapshot: the page said "The search index could not be loaded", though the README
    promises an empty site whose search finds nothing (the fork review)."""
    from playwright.sync_api import expect

    with own_site_page(browser, tmp_path / "m", lambda content_dir: content_dir.mkdir(parents=True)) as (page, url):
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        asked: list[str] = []  # it asked for pagefind-entry.json, which an empty archive has not: a 404 in the console
        page.on("request", lambda request: asked.append(request.url) if "/pagefind/" in request.url else None)
        page.goto(url + "search/?q=speech")
        expect(page.locator("#search-status")).to_have_text(
            "The archive holds no papers yet, so a search finds nothing: they come with the first snapshot.")
        expect(page.locator("#search-failed")).to_be_hidden()
        expect(page.locator("#search-input")).to_be_visible()
        assert errors == [] and asked == []
        # a search page without the build's mark (opened before a deploy emptied the archive): the index stage's
        # empty list of indexes says the same
        search_page = tmp_path / "m" / "site" / "search" / "index.html"
        html = search_page.read_text(encoding="utf-8")
        assert " data-archive-empty " in html
        search_page.write_text(html.replace(" data-archive-empty ", " "), encoding="utf-8")
        page.goto(url + "search/?q=vision")
        expect(page.locator("#search-status")).to_have_text(
            "The archive holds no papers yet, so a search finds nothing: they come with the first snapshot.")
        assert errors == [] and any(address.split("?")[0].endswith("/pagefind/shards.json") for address in asked)


HYPHENATED = Paper(id="2412.11915", title="Video-Foley: Two-Stage Video-To-Sound Generation via Video-Audio Cues",
                   authors=("A. Author",), published="2024-12-21", daily=("2024-12-21",), upvotes=3,
                   abstract="We add sound to a silent video. A generation stage follows a detection stage.")
ON_TOPIC = Paper(id="2412.06016", title="Teaching Video Models Improves Video Generation", authors=("B. Author",),
                 published="2024-12-08", daily=("2024-12-08",), upvotes=3,
                 abstract="Video generation models generate a video from text. We study video generation and make "
                          "the generated video consistent.")
OTHERS = tuple(Paper(id=f"{year % 100}03.{10000 + n}", title=f"A study of topic {n}", authors=("C. Author",),
                     published=f"{year}-03-01", daily=(f"{year}-03-01",), abstract="Unrelated words about other things.")
               for n, year in enumerate((2024, 2024, 2023, 2023, 2022, 2022)))
"""Papers without the words: "video" and "generation" are rare words, as on a real archive; in a split build the
older papers are indexes of their own and the two papers above are in the newest (2024's last month)."""

EARLY_AND_WHOLE = """async (query) => {
    const bundle = document.getElementById("search").getAttribute("data-bundle-path");
    const shards = await (await fetch(bundle + "shards.json")).json();
    const api = await window.papermirrorShards.open(bundle, shards);
    let early = null;
    const found = await api.search(query, { filters: {}, sort: {} }, async (first) => { early = first.results; });
    const ids = async (results) => (await Promise.all(results.map((r) => r.data()))).map((d) => d.url.split("/").at(-2));
    return [shards.length, early && await ids(early), await ids(found.results)];
}"""
"""search-shards.js asked directly: (indexes, the early results of the newest index or null, the whole list)."""


@pytest.mark.parametrize("split", [False, True])
def test_hyphenated_title_words_do_not_outrank_the_topic(tmp_path, browser, split):
    """Pagefind adds a query word's weight once for each title word it matches: "Video-Foley: Video-To-Sound ..."
    matched video, videofoley and videotosound, and for "video generation" such titles led the real stream's
    results (a paper turning video into sound first, 3 of the first 3 off topic: benchmarks/search_relevance.py).
    The page counts each query word once in a title, in the whole list and in the newest index's first results
    shown before it; the paper about video generation, which says so in its title and abstract, comes first."""
    assert ranked_every_way(browser, tmp_path, split, (HYPHENATED, ON_TOPIC), "video generation") == [ON_TOPIC.id, HYPHENATED.id]


def ranked_every_way(browser, folder: Path, split: bool, papers: tuple[Paper, ...], query: str) -> list[str]:
    """The ids the search page lists for `query` over `papers` and OTHERS (in one index, or split by quarter), once
    the page, search-shards.js asked for the whole list and (split) the newest index's first results agree."""
    with split_indexes(split), own_site_page(browser, folder / "m",
                                             lambda content: write_archive(content, (*papers, *OTHERS))) as (page, url):
        page.goto(url + "search/?q=" + query.replace(" ", "+"))
        expect_searched(page)
        listed = [href.rstrip("/").rsplit("/", 1)[-1] for href in result_hrefs(page)]
        indexes, early, whole = page.evaluate(EARLY_AND_WHOLE, query)
    assert whole == listed and (indexes > 1) == split
    assert early == (listed if split else None), "the newest index's first results are ranked as the whole list"
    return listed


MANY_FORMS = Paper(id="2412.20001", title="Faster Sampling for Diffusion", authors=("D. Author",), published="2024-12-02",
                   daily=("2024-12-02",), abstract="A sampler that samples fewer steps: sampling with our samplers is "
                   "faster, and sampled images keep their quality. Samplers and sampling schedules are compared.")
THE_WORD = Paper(id="2412.20002", title="SAM for Medical Images", authors=("E. Author",), published="2024-12-02",
                 daily=("2024-12-02",), abstract="SAM segments natural images. We adapt SAM to scans: SAM with a "
                 "medical adapter, SAM prompted by boxes, and SAM fine-tuned on ten datasets.")


@pytest.mark.parametrize("split", [False, True])
def test_a_word_s_many_forms_do_not_outrank_the_word(tmp_path, browser, split):
    """Pagefind scores each word a query word begins on its own and adds them up, each saturating on its own: a
    paper saying sampling, samples and samplers outranked one saying SAM six times, for "SAM" (SAM's P@10 on the real
    stream 0.4, benchmarks/search_relevance.py). The page adds a query word's words up first, then saturates."""
    assert ranked_every_way(browser, tmp_path, split, (MANY_FORMS, THE_WORD), "SAM") == [THE_WORD.id, MANY_FORMS.id]


COUNT_FOUND = """async (queries) => {
    const bundle = document.getElementById("search").getAttribute("data-bundle-path");
    const shards = await (await fetch(bundle + "shards.json")).json();
    const api = await window.papermirrorShards.open(bundle, shards);
    const counts = {};
    for (const query of queries) counts[query] = (await api.search(query, { filters: {}, sort: {} })).results.length;
    return counts;
}"""
"""search-shards.js asked directly: how many papers each query finds."""


def chunk_study() -> tuple[list[list[str]], tuple[Paper, ...]]:
    """300 papers of 300 words drawn from zq0000 to zq2999 (their words, and the papers): an index of a dozen chunks."""
    rng = random.Random(1)
    words = [[f"zq{rng.randrange(3000):04d}" for _ in range(300)] for _ in range(300)]
    papers = tuple(Paper(id=f"2501.{10000 + n}", title=f"Chunk study {n}", authors=("F. Author",), published="2025-01-15",
                         daily=("2025-01-15",), abstract=" ".join(text)) for n, text in enumerate(words))
    return words, papers


def test_a_typed_word_finds_its_longer_forms_past_the_end_of_an_index_chunk(tmp_path, browser):
    """Pagefind 1.5.2 loads, for a typed word, only the chunk of the index where the word falls: "llm" missed the papers
    saying "LLMs" when a chunk ended at "llmb" (the second review). 300 papers of 300 words drawn from zq0000 to zq2999
    make an index of a dozen chunks, whose ends fall inside the 300 prefixes zq000 to zq299 (each begins 10 words,
    never more than two chunks' worth): each prefix finds every paper holding a word it begins."""
    words, papers = chunk_study()
    prefixes = [f"zq{n:03d}" for n in range(300)]
    expected = {prefix: sum(any(word.startswith(prefix) for word in text) for text in words) for prefix in prefixes}
    with own_site_page(browser, tmp_path / "m", lambda folder: write_archive(folder, papers)) as (page, url):
        chunks = len(list((tmp_path / "m" / "site" / "pagefind" / "index").glob("*.pf_index")))
        page.goto(url + "search/")
        page.wait_for_function("window.papermirrorShards")
        found = page.evaluate(COUNT_FOUND, prefixes)
    assert chunks >= 5, "the fixture should make an index of several chunks"
    assert {prefix: found[prefix] for prefix in prefixes if found[prefix] != expected[prefix]} == {}


def test_a_typed_word_s_chunks_are_fetched_in_one_round(tmp_path, browser):
    """The chunk where a typed word falls and the one where its longer forms end (the preload above) are fetched at
    once: the search's chunk after the preload's cost a round trip more. Each chunk is answered 0.5 s late here; "zq0"
    begins a third of the words of chunk_study's dozen chunks, so it falls in one chunk and its longer forms end in
    another."""
    from browser import _SubPathHandler

    asked: list[tuple[float, str]] = []

    class LateChunks(_SubPathHandler):
        def do_GET(self):
            if ".pf_index" in self.path:
                asked.append((time.monotonic(), self.path))
                time.sleep(0.5)
            return super().do_GET()

    _, papers = chunk_study()
    with own_site_page(browser, tmp_path / "m", lambda folder: write_archive(folder, papers), LateChunks) as (page, url):
        page.goto(url + "search/")
        page.wait_for_function("window.papermirrorShards")
        asked.clear()
        found = page.evaluate(COUNT_FOUND, ["zq0"])
    times = sorted(at for at, _ in asked)
    assert found["zq0"] > 0 and len({path for _, path in asked}) >= 2, (found, asked)
    assert times[-1] - times[0] < 0.4, f"chunks asked in more than one round: {asked}"


def test_typed_query_puts_the_right_paper_first(page, site_url):
    search(page, site_url, "masked autoencoders")
    expect_first_result(page, "2111.06377")
    first = page.locator(".search-result").first
    assert "Masked Autoencoders Are Scalable Vision Learners" in first.locator(RESULT_LINKS).inner_text()
    facts = first.locator(".search-result-meta").inner_text()
    assert facts.startswith("12 November 2021 · Kaiming He") and "120 upvotes" in facts  # dates as every page shows them
    assert first.locator(".search-result-excerpt mark").count() >= 1
    assert result_hrefs(page)[0] == f"{SUB_PATH}papers/2111.06377/"


LONG_ABSTRACT = " ".join(f"filler{n}" for n in range(60)) + " the quokka lattice " + " ".join(f"padding{n}" for n in range(60))


def test_the_excerpt_is_the_abstract_around_the_match_cut_with_an_ellipsis(tmp_path, browser):
    """The excerpt comes from the abstract alone (not the title, the authors or an "Abstract" heading glued on with
    periods), around the matched words, with "…" where the abstract was cut."""
    from playwright.sync_api import expect

    def long_abstract(content_dir: Path) -> None:
        write_archive(content_dir, (dataclasses.replace(PAPERS[0], abstract=LONG_ABSTRACT),))

    site = build_fixture_site(tmp_path / "long", ROOT, f"http://127.0.0.1{SUB_PATH}", long_abstract)
    with serve(site, SUB_PATH) as url:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(url + "search/?q=quokka")
            expect(page.locator(".search-result-excerpt mark")).to_have_text(["quokka"])
            excerpt = page.locator(".search-result-excerpt").first.inner_text()
        finally:
            context.close()
    assert excerpt.startswith("\u2026filler") and excerpt.endswith("\u2026") and "quokka lattice padding0" in excerpt
    assert " ".join(excerpt.strip("\u2026").split()) in LONG_ABSTRACT
    assert PAPERS[0].title not in excerpt and "Kaiming" not in excerpt and "Abstract" not in excerpt


def test_a_word_of_the_title_alone_shows_the_abstract_start(page, site_url):
    """A query that matches the title only still shows the abstract, from its start, not the title again."""
    search(page, site_url, "sequence modeling selective")
    expect_first_result(page, "2312.00752")
    excerpt = page.locator(".search-result-excerpt").first.inner_text()
    assert excerpt.split()[:3] == PAPERS_BY_ID["2312.00752"].abstract.split()[:3]


def test_one_upvote_is_singular(tmp_path, browser):
    from playwright.sync_api import expect

    def one_upvote(content_dir: Path) -> None:
        write_archive(content_dir, (dataclasses.replace(PAPERS[0], upvotes=1),))

    site = build_fixture_site(tmp_path / "one", ROOT, f"http://127.0.0.1{SUB_PATH}", one_upvote)
    with serve(site, SUB_PATH) as url:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(url + "search/?q=masked")
            expect(page.locator(".search-result-meta").first).to_contain_text("1 upvote")
            assert "1 upvotes" not in page.locator(".search-result-meta").first.inner_text()
        finally:
            context.close()


def test_every_keyword_chip_links_and_a_one_paper_keyword_finds_its_paper(page, site_url):
    """Keywords shared by two papers link to their page; the others to a search for the keyword, which finds the paper."""
    page.goto(site_url + "papers/2312.00752/")
    chips = page.locator(".chips li")
    assert chips.count() == 3 and page.locator(".chips li > a").count() == 3
    single = page.locator(".chips a", has_text="selective scan")
    assert single.get_attribute("href") == f"{SUB_PATH}search/?q=%22selective+scan%22"
    single.click()
    expect_first_result(page, "2312.00752")
    assert len(result_hrefs(page)) == 1


def test_a_keyword_link_drawn_in_the_browser_quotes_the_keyword_as_text(tmp_path, browser):
    """paper.js makes a pageless keyword's link from the chip's text: markup, quotes, `&` and `+` stay text in the
    query, the page gains no element, and the search it opens asks for exactly the keyword."""
    from urllib.parse import parse_qs, urlsplit

    from playwright.sync_api import expect

    odd = '<img src=x onerror=alert(1)> C++ & "quoted" \\\\ $x$'  # TeX's "\\" (a line break) is no command here: it stays; $x$ shows x

    def odd_keyword(content_dir: Path) -> None:
        write_archive(content_dir, (dataclasses.replace(PAPERS[1], ai_keywords=(odd, "selective scan")), *PAPERS[2:]))

    site = build_fixture_site(tmp_path / "odd", ROOT, f"http://127.0.0.1{SUB_PATH}", odd_keyword)
    with serve(site, SUB_PATH) as url:
        context = browser.new_context()
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        try:
            page.goto(url + "papers/2312.00752/")
            chip = page.locator(".chips li > a", has_text="C++")
            expect(chip).to_have_text('<img src=x onerror=alert(1)> C++ & "quoted" \\\\ x')
            href = chip.get_attribute("href")
            assert urlsplit(href).path == f"{SUB_PATH}search/"
            # its words, without its quotes: "&" and "\\" are words of symbols alone, which no phrase can hold
            asked = '<img src=x onerror=alert(1)> C++ & quoted \\\\ x'
            assert parse_qs(urlsplit(href).query) == {"q": [asked]}
            assert page.locator(".chips img").count() == 0
            chip.click()
            expect(page.locator("#search-input")).to_have_value(asked)
            assert dialogs == []
        finally:
            context.close()


def test_a_word_only_in_one_abstract_finds_that_paper_alone(page, site_url):
    search(page, site_url, "zanzibarite")
    expect_first_result(page, "2502.01234")
    assert len(result_hrefs(page)) == 1


def test_the_ai_summary_is_shown_but_not_searched(page, site_url):
    """The AI summary, Hugging Face's paraphrase of the abstract, is left out of the index (issue 15: 9% of it);
    a word only there finds nothing, and a word of the same paper's abstract finds it."""
    summary = PAPERS_BY_ID["2111.06377"].ai_summary
    assert "big" in summary.split() and not any("big" in (p.title + p.abstract + " ".join(p.ai_keywords)).lower().split()
                                                    for p in PAPERS)
    from playwright.sync_api import expect

    search(page, site_url, "big")
    # no page holds the word: Pagefind falls back to the longest word that begins it ("b", of 2503.05678's
    # "<b>"), which the summary's paper lacks; with the summary indexed, "big" found that paper alone
    expect(page.locator("#search-status")).to_contain_text("for “big”")
    assert not any("/2111.06377/" in href for href in result_hrefs(page))
    search(page, site_url, "autoencoders")
    expect_first_result(page, "2111.06377")
    # the result's day is drawn from the index's datetime ("day"), as the pages write it
    expect(page.locator(".search-result-meta").first).to_have_text(re.compile(r"^12 November 2021 · Kaiming He, "))


@pytest.mark.parametrize(("group", "value", "expected"), [
    ("Organization", "Analytical Engines", ["2502.01234"]),
    # 2111.06377 (MAE) has the keyword too, but says "pre-trains" only in its AI summary, which is not indexed
    ("Keyword", "masked image modeling", ["2502.01234"]),
])
def test_filter_narrows_the_results(page, site_url, group, value, expected):
    from playwright.sync_api import expect

    search(page, site_url, "pretraining")
    expect(page.locator(RESULT_LINKS)).not_to_have_count(0)
    assert len(result_hrefs(page)) >= 3
    open_filter(page, group)
    page.get_by_label(re.compile(value)).check()
    expect(page.locator(RESULT_LINKS)).to_have_count(len(expected))
    assert sorted(href.split("/")[-2] for href in result_hrefs(page)) == expected


def test_a_group_s_counts_leave_out_its_own_choice(page, site_url):
    """Years are alternatives: with 2025 ticked, 2024 showed (0), though ticking it too added its papers. Each
    group counts as if none of its own values were ticked; the other groups' choices still narrow it."""
    from playwright.sync_api import expect

    search(page, site_url, "pretraining")
    expect(page.locator(RESULT_LINKS)).not_to_have_count(0)
    open_filter(page, "Year")
    year = page.get_by_role("group", name="Year")

    def count(value: str):
        return year.locator("label", has=page.get_by_label(re.compile(value))).locator(".search-filter-n")

    before = {value: count(value).inner_text() for value in ("2024", "2025")}
    assert before["2024"] != "(0)" and before["2025"] != "(0)", before
    total = len(result_hrefs(page))
    year.get_by_label(re.compile("2025")).check()
    expect(page.locator("#search-status")).not_to_contain_text(f"{total} papers found")
    expect(count("2024")).to_have_text(before["2024"])
    expect(count("2025")).to_have_text(before["2025"])
    # a choice in another group narrows the year counts: Analytical Engines has one paper, of 2025
    open_filter_group = page.get_by_role("group", name="Organization")
    open_filter_group.get_by_label(re.compile("Analytical Engines")).check()
    expect(count("2024")).to_have_text("(0)")
    expect(count("2025")).to_have_text("(1)")


@pytest.mark.parametrize(("sort", "key"), [("Most upvoted", lambda p: p.upvotes), ("Newest first", lambda p: p.day)])
def test_sort_orders_the_results(page, site_url, sort, key):
    from playwright.sync_api import expect

    search(page, site_url, "pretraining")
    expect(page.locator(RESULT_LINKS)).not_to_have_count(0)
    found = [href.split("/")[-2] for href in result_hrefs(page)]
    expected = sorted(found, key=lambda paper_id: key(PAPERS_BY_ID[paper_id]), reverse=True)
    assert len(found) >= 3
    sort_box = page.get_by_label("Sort results")
    sort_box.focus()
    page.evaluate("() => { window.__samePage = true; }")
    sort_box.select_option(label=sort)
    # the unsorted list may already be in this order: waiting for the order could end before the sorted search
    # drew its results, so the test waits for the search to end (the change event starts it at once)
    expect_searched(page)
    assert [href.split("/")[-2] for href in result_hrefs(page)] == expected
    expect(page).to_have_url(re.compile(r"[?&]sort="))
    expect(page.locator("#search-input")).to_have_value("pretraining")
    expect(sort_box).to_be_focused()  # a keyboard user stays where they were
    assert page.evaluate("() => window.__samePage") is True  # sorted in place, not by loading the page again


def test_shareable_address_opens_with_results_and_follows_the_query(page, site_url):
    from playwright.sync_api import expect

    page.goto(site_url + "search/?q=masked+autoencoders")
    expect_first_result(page, "2111.06377")
    expect(page.locator("#search-input")).to_have_value("masked autoencoders")
    page.locator("#search-input").fill("mamba")
    expect_first_result(page, "2312.00752")
    expect(page).to_have_url(re.compile(r"/mirror/search/\?q=mamba$"))
    page.goto(site_url + "search/?q=pretraining&sort=upvotes:desc")
    expect_first_result(page, "2502.01234")  # 42 upvotes, then 7 and 3 (MAE says "pre-trains" in its summary only)
    expect(page.locator(RESULT_LINKS)).to_have_count(3)
    assert [href.split("/")[-2] for href in result_hrefs(page)] == ["2502.01234", "2405.14908", "2503.05678"]
    expect(page.get_by_label("Sort results")).to_have_value("upvotes:desc")


def test_header_search_box_on_a_paper_page_leads_to_results(page, site_url):
    page.goto(site_url + "papers/2405.14908/")
    page.get_by_role("searchbox", name="Search papers").fill("selective state spaces")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mirror/search/\?q=selective\+state\+spaces$"))
    expect_first_result(page, "2312.00752")


def test_math_title_is_found_and_shown_as_text(page, site_url):
    """A result's title is text: its math flattened to Unicode, not MathML's letters run together ("O(n2)")."""
    from playwright.sync_api import expect

    search(page, site_url, "sparsity")
    expect_first_result(page, "2502.01234")
    shown = "Scaling O(n²) Attention with ℒ₁ Sparsity for Masked Image Pretraining"
    assert page.locator(RESULT_LINKS).first.inner_text() == shown
    search(page, site_url, "2502.01234")  # the line that names a paper found by its id says the same
    expect(page.locator("#search-paper")).to_have_text(f"arXiv 2502.01234 in this archive: {shown}")


def test_script_in_a_title_stays_text(page, site_url):
    search(page, site_url, "tokenizers")
    expect_first_result(page, "2503.05678")
    title = page.locator(RESULT_LINKS).first.inner_text()
    assert title.startswith("<script>alert('xss')</script>")
    assert page.evaluate("() => document.querySelectorAll('#search script, #search img').length") == 0
    # the `page` fixture fails the test if an alert() dialog opened


def test_keyboard_only_search_and_open_a_result(page, site_url):
    page.goto(site_url + "search/")
    for _ in range(30):
        if page.evaluate("() => document.activeElement.id === 'search-input'"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the search box")
    page.keyboard.type("zanzibarite")
    expect_first_result(page, "2502.01234")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('search-result-link')"):
            break
    else:
        pytest.fail("Tab never reached a search result")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mirror/papers/2502\.01234/$"))


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_search_page_has_no_axe_violations(browser, site_url, color_scheme):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(color_scheme=color_scheme)
    page = context.new_page()
    try:
        page.goto(site_url + "search/?q=pretraining")
        page.locator(RESULT_LINKS).first.wait_for()
        open_filter(page, "Year")
        results = Axe().run(page)
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
        assert violations == []
    finally:
        context.close()


def test_dark_mode_colours_are_dark(browser, site_url):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(site_url + "search/?q=pretraining")
        page.locator(RESULT_LINKS).first.wait_for()
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        text = page.locator(".search-result-excerpt").first.evaluate("e => getComputedStyle(e).color")
        assert luminance(background) < 0.2 < luminance(text)
    finally:
        context.close()


def luminance(css_color: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_without_javascript_the_page_says_so_and_papers_still_read(browser, site_url):
    """The header's box leads to the search page, which says that search needs JavaScript and links every way to
    browse the papers without it."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_url + "papers/2312.00752/")
        assert "Mamba" in page.locator("h1").inner_text()
        assert "content-based reasoning" in page.locator("main").inner_text()
        page.get_by_role("searchbox", name="Search papers").fill("mamba")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/mirror/search/\?q=mamba$"))
        assert page.get_by_text("Search needs JavaScript").is_visible()
        assert page.locator("#search").is_hidden()
        hrefs = page.locator("#search-nojs a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert {f"{SUB_PATH}archive/", f"{SUB_PATH}keywords/", SUB_PATH} <= set(hrefs)
    finally:
        context.close()


def test_the_two_search_forms_have_distinct_names(page, site_url):
    page.goto(site_url + "search/")
    names = page.locator("[role=search]").evaluate_all("forms => forms.map(f => f.getAttribute('aria-label'))")
    assert len(names) == 2 and None not in names and len(set(names)) == 2


def test_search_works_at_a_domain_root(tmp_path, browser):
    site = build_fixture_site(tmp_path / "root", ROOT, "http://127.0.0.1/", write_archive)
    with serve(site, "/") as url:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(url + "search/?q=mamba")
            expect_first_result(page, "2312.00752")
            assert result_hrefs(page)[0] == "/papers/2312.00752/"
        finally:
            context.close()


@contextmanager
def split_indexes(split: bool) -> Iterator[None]:
    """With `split`, builds inside split this small archive into several Pagefind indexes (the newest month, the rest of
    its quarter, each older year), as a big one is."""
    from papermirror.search import pagefind as index

    with pytest.MonkeyPatch.context() as patch:
        if split:
            patch.setattr(index, "SHARD_ABOVE", 2)
            patch.setattr(index, "ONE_INDEX_UP_TO", 1)
        yield


@pytest.fixture(scope="module")
def sharded_site_url(tmp_path_factory, browser) -> str:
    """The fixture archive indexed as a big one (split_indexes: five indexes), served under /mirror/."""
    with split_indexes(True):
        site = build_fixture_site(tmp_path_factory.mktemp("sharded"), ROOT, f"http://127.0.0.1{SUB_PATH}", write_archive)
    assert len(json.loads((site / "pagefind/shards.json").read_text(encoding="utf-8"))) == 5
    with serve(site, SUB_PATH) as url:
        yield url


def test_one_search_covers_every_year_of_a_sharded_index(page, sharded_site_url):
    search(page, sharded_site_url, "masked autoencoders")  # a 2021 paper: in a merged, older index
    expect_first_result(page, "2111.06377")
    search(page, sharded_site_url, "zanzibarite")  # a 2025 paper: in the index of its quarter's months before the newest
    expect_first_result(page, "2502.01234")
    assert len(result_hrefs(page)) == 1


def test_filter_spans_the_indexes_of_a_sharded_index(page, sharded_site_url):
    from playwright.sync_api import expect

    search(page, sharded_site_url, "pretraining")
    expect(page.locator(RESULT_LINKS)).not_to_have_count(0)
    open_filter(page, "Organization")
    page.get_by_label(re.compile("Analytical Engines")).check()
    expect(page.locator(RESULT_LINKS)).to_have_count(1)
    expect_first_result(page, "2502.01234")


def test_a_filter_in_the_address_opens_filtered_and_ticked(page, site_url):
    from playwright.sync_api import expect

    page.goto(site_url + "search/?q=pretraining&organization=Analytical+Engines")
    expect(page.locator(RESULT_LINKS)).to_have_count(1)
    expect_first_result(page, "2502.01234")
    expect(page.get_by_label(re.compile("Analytical Engines"))).to_be_checked()
    page.get_by_label(re.compile("Analytical Engines")).uncheck()
    expect(page.locator(RESULT_LINKS)).not_to_have_count(1)
    expect(page).to_have_url(re.compile(r"/mirror/search/\?q=pretraining$"))


def test_a_filter_value_the_index_lacks_is_shown_ticked_and_can_be_unticked(page, site_url):
    """An old shared address (keyword filters change when the month turns) names a value no paper has now."""
    from playwright.sync_api import expect

    page.goto(site_url + "search/?q=pretraining&keyword=no+such+keyword")
    expect(page.locator("#search-status")).to_contain_text("No papers found")
    if not page.locator("#search-filters").evaluate("details => details.open"):
        page.locator("#search-filters > summary").click()
    gone = page.get_by_role("group", name="Keyword").get_by_label(re.compile("no such keyword"))
    expect(gone).to_be_checked()
    gone.uncheck()
    expect(page).to_have_url(re.compile(r"/mirror/search/\?q=pretraining$"))
    expect(page.locator(RESULT_LINKS).first).to_be_visible()


def test_filters_alone_list_every_matching_paper(page, site_url):
    """No words, one year ticked: every paper of that year, which is how one browses by filter."""
    from playwright.sync_api import expect

    page.goto(site_url + "search/")
    open_filter(page, "Year")
    page.get_by_role("group", name="Year").get_by_label(re.compile("2021")).check()
    expect(page.locator(RESULT_LINKS)).to_have_count(1)
    expect_first_result(page, "2111.06377")
    expect(page).to_have_url(re.compile(r"/mirror/search/\?year=2021$"))
    expect(page.locator("#search-status")).to_contain_text("1 paper found")


def test_no_results_says_so(page, site_url):
    from playwright.sync_api import expect

    search(page, site_url, "qwxzyv")
    expect(page.locator("#search-status")).to_contain_text("No papers found for \u201cqwxzyv\u201d")
    expect(page.locator(RESULT_LINKS)).to_have_count(0)


def test_a_missing_index_says_so_instead_of_failing_silently(browser, tmp_path):
    """A site whose pagefind/ is gone (a failed deploy): the page says search is unavailable and links the archive."""
    from playwright.sync_api import expect

    site = build_fixture_site(tmp_path / "broken", ROOT, f"http://127.0.0.1{SUB_PATH}", write_archive)
    shutil.rmtree(site / "pagefind")
    with serve(site, SUB_PATH) as url:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(url + "search/?q=mamba")
            expect(page.locator("#search-failed")).to_be_visible()
            expect(page.locator("#search")).to_be_hidden()
            assert page.locator("#search-failed a").first.get_attribute("href") == f"{SUB_PATH}archive/"
        finally:
            context.close()


MANY = 23


def many_papers(content_dir: Path) -> None:
    """MANY papers that all hold the word 'lattice', one a day."""
    template = PAPERS[0]
    papers = tuple(
        dataclasses.replace(template, id=f"2401.{10000 + n}", title=f"Lattice study number {n}",
                            published=f"2024-01-{n + 1:02d}", daily=(f"2024-01-{n + 1:02d}",), upvotes=n,
                            abstract=f"A lattice paper, number {n} of {MANY}.")
        for n in range(MANY))
    write_archive(content_dir, papers)


def test_more_results_come_ten_at_a_time_and_take_the_focus(tmp_path, browser):
    from playwright.sync_api import expect

    site = build_fixture_site(tmp_path / "many", ROOT, f"http://127.0.0.1{SUB_PATH}", many_papers)
    with serve(site, SUB_PATH) as url, lattice_by_upvotes(browser, url) as page:
        expect(page.locator("#search-status")).to_contain_text(f"{MANY} papers found")
        more = page.locator("#search-more")
        expect(more).to_have_text(f"Show 10 more of {MANY - 10} remaining")
        more.click()
        expect(page.locator(RESULT_LINKS)).to_have_count(20)
        expect(page.locator(RESULT_LINKS).nth(10)).to_be_focused()
        expect(more).to_have_text(f"Show {MANY - 20} more")
        more.click()
        expect(page.locator(RESULT_LINKS)).to_have_count(MANY)
        expect(more).to_be_hidden()
        upvotes = [int(href.split(".")[-1].rstrip("/")) - 10000 for href in result_hrefs(page)]
        assert upvotes == sorted(upvotes, reverse=True) == list(range(MANY - 1, -1, -1))


@contextmanager
def lattice_by_upvotes(browser, url: str):
    """A page of its own showing the first ten results of 'lattice', most upvoted first."""
    from playwright.sync_api import expect

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url + "search/?q=lattice&sort=upvotes:desc")
        expect(page.locator(RESULT_LINKS)).to_have_count(10)
        yield page
    finally:
        context.close()


def test_a_double_click_on_more_shows_each_result_once(tmp_path, browser):
    """A sorted search over several indexes merges its next results as they are asked for, which loads their
    data: a second click during that load must not ask for the same results again (nor skip others)."""
    from playwright.sync_api import expect

    from papermirror.search import pagefind as index

    def spread(content_dir: Path) -> None:  # MANY papers over four years: four indexes
        write_archive(content_dir, tuple(
            dataclasses.replace(PAPERS[0], id=f"2{1 + n % 4}01.{10000 + n}", title=f"Lattice study number {n}",
                                published=f"202{1 + n % 4}-01-{n + 1:02d}", daily=(f"202{1 + n % 4}-01-{n + 1:02d}",),
                                upvotes=n, abstract=f"A lattice paper, number {n}.") for n in range(MANY)))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "SHARD_ABOVE", 2)
        patch.setattr(index, "ONE_INDEX_UP_TO", 1)
        site = build_fixture_site(tmp_path / "spread", ROOT, f"http://127.0.0.1{SUB_PATH}", spread)
    assert len(json.loads((site / "pagefind/shards.json").read_text(encoding="utf-8"))) >= 4
    with serve(site, SUB_PATH) as url, lattice_by_upvotes(browser, url) as page:
        page.route("**/fragment/**", lambda route: (time.sleep(0.2), route.continue_()))
        page.locator("#search-more").dblclick()
        expect(page.locator(RESULT_LINKS)).to_have_count(20)
        page.locator("#search-more").click()
        expect(page.locator("#search-more")).to_be_hidden()
        hrefs = result_hrefs(page)
        assert len(hrefs) == len(set(hrefs)) == MANY


def test_common_words_are_left_out_of_a_query_with_other_words(page, site_url):
    """'the' is on no page of the tokenizer paper: Pagefind alone (all words must match) would find
    nothing; the page drops such words when the query has others, as lunr.py does in the terminal."""
    search(page, site_url, "the tokenizers")
    expect_first_result(page, "2503.05678")
    assert len(result_hrefs(page)) == 1


def rebuild(root: Path, sharded: bool) -> None:
    """Build the mirror at `root` again (as build_fixture_site did), split into indexes or not."""
    import build

    with split_indexes(sharded):
        assert build.main(["--config", str(root / "mirror.yml"), "--quiet", "build",
                           "--base-url", f"http://127.0.0.1{SUB_PATH}"]) == 0


@pytest.mark.parametrize("sharded", [False, True], ids=["one index", "an older index of several"])
def test_a_page_opened_before_the_index_changed_says_so_and_reloads(page, tmp_path, sharded):
    """The daily run deploys a new index and removes the old one's files; a search page opened before then
    asks again when a search finds nothing (and after found ones, at most every 15 s), says the archive was
    updated, and loads itself again with the search in its address. In an archive of several indexes a change
    to an older one alone is seen too (shards.json names each index by its hashes); a server error on the
    way is no change."""
    from playwright.sync_api import expect

    from papermirror.content.paperfile import write_paper

    root = tmp_path / "mirror"
    with split_indexes(sharded):
        build_fixture_site(root, ROOT, f"http://127.0.0.1{SUB_PATH}", write_archive)
    assert len(json.loads((root / "site/pagefind/shards.json").read_text(encoding="utf-8"))) == (5 if sharded else 1)
    stale, status = page.locator("#search-stale"), page.locator("#search-status")
    with serve(root / "site", SUB_PATH) as url:
        page.goto(url + "search/?q=masked")
        expect_first_result(page, "2111.06377")
        page.locator("#search-input").fill("quokka")
        expect(status).to_contain_text("No papers found for “quokka”. Try other")
        expect(page.locator(RESULT_LINKS)).to_have_count(0)
        expect(stale).to_be_hidden()  # nothing found, the index asked again: the same, so nothing to say
        # the oldest paper's upvotes change: when split, only its own, older index is made again, with the same
        # pages and words (shards.json's figures), so only the index's hashes tell
        mae = PAPERS_BY_ID["2111.06377"]
        write_paper(root / "content", dataclasses.replace(mae, upvotes=1120))
        rebuild(root, sharded)
        # a server error while the page asks is "cannot tell", not "changed": only that papers may be missing
        page.route("**/pagefind-entry.json?ts=*", lambda route: route.fulfill(status=503, body="busy"))
        page.locator("#search-input").fill("quokkas")
        expect(status).to_contain_text("No papers found for “quokkas”, but the search index could not be reached")
        page.wait_for_timeout(300)
        expect(stale).to_be_hidden()
        page.unroute("**/pagefind-entry.json?ts=*")
        page.locator("#search-input").fill("quokkaz")
        expect(stale).to_be_visible()
        expect(stale).to_contain_text("The archive was updated since this page was opened")
        expect(status).to_have_text("No papers found for “quokkaz” in the index this page was opened with.")
        with page.expect_navigation():
            page.get_by_role("button", name="Reload the page").click()
        expect(page).to_have_url(re.compile(r"/mirror/search/\?q=quokkaz$"))
        expect(stale).to_be_hidden()
        page.locator("#search-input").fill("masked autoencoders")
        expect_first_result(page, "2111.06377")
        expect(page.locator(".search-result-meta").first).to_contain_text("1,120 upvotes")  # grouped as the pages group counts


def test_after_a_deploy_that_merges_the_indexes_the_reloaded_page_does_not_use_a_cached_list(page, tmp_path):
    """GitHub Pages lets browsers keep a file 10 minutes: the list of indexes (shards.json) is revalidated
    when the page opens, so a page loaded again after the archive went from several indexes to one uses the
    one, not the cached list of folders the deploy removed."""
    from browser import _SubPathHandler
    from playwright.sync_api import expect

    class Cached(_SubPathHandler):
        def end_headers(self) -> None:
            self.send_header("Cache-Control", "max-age=600")
            super().end_headers()

    root = tmp_path / "mirror"
    with split_indexes(True):
        build_fixture_site(root, ROOT, f"http://127.0.0.1{SUB_PATH}", write_archive)
    with serve(root / "site", SUB_PATH, Cached) as url:
        page.goto(url + "search/?q=masked")
        expect_first_result(page, "2111.06377")
        shutil.rmtree(root / "site/pagefind")
        rebuild(root, sharded=False)  # one index now: the year folders are gone
        assert len(json.loads((root / "site/pagefind/shards.json").read_text(encoding="utf-8"))) == 1
        page.locator("#search-input").fill("quokka")
        expect(page.locator("#search-stale")).to_be_visible()
        with page.expect_navigation():
            page.get_by_role("button", name="Reload the page").click()
        expect(page).to_have_url(re.compile(r"/mirror/search/\?q=quokka$"))
        page.locator("#search-input").fill("masked autoencoders")
        expect_first_result(page, "2111.06377")
        expect(page.locator("#search-failed")).to_be_hidden()
        expect(page.locator("#search-stale")).to_be_hidden()


SYMBOLS = dataclasses.replace(PAPERS[0], id="2604.12012", title="TIPSv2: iBOT++ Distillation with S^2 Crops",
                              abstract="We train iBOT++ on S^2 crops of images.", ai_keywords=("iBOT++", "S^2"),
                              daily=("2026-04-14",), published="2026-04-13")
"""A paper whose keywords (and title) hold symbols, which Pagefind's index drops from words but its search kept."""


LATTICES = tuple(dataclasses.replace(PAPERS[1], id=f"2605.{10000 + n}", title=f"Lattice Study {n}", ai_keywords=(),
                                    abstract=f"Lattice number {n} of a long list.", daily=(f"2026-05-{n % 28 + 1:02d}",),
                                    published=f"2026-05-{n % 28 + 1:02d}", upvotes=n) for n in range(25))
"""Enough papers with one word in common for three screens of results."""

PROPERTY_NAMES = ("constructor", "toString", "__proto__")
PROTOTYPES = tuple(dataclasses.replace(PAPERS[2], id=f"2604.{20000 + n}", title=f"Prototype __proto__ Study {n}",
                                      ai_keywords=PROPERTY_NAMES, abstract="A study of a prototype.",
                                      daily=("2026-04-20",), published="2026-04-19") for n in range(2))
"""Two papers (enough for a keyword page, so a keyword filter) whose keywords are names of a JavaScript object's
own properties."""


@pytest.fixture(scope="module")
def symbols_url(tmp_path_factory, browser) -> Iterator[str]:
    def write(content_dir: Path) -> None:
        write_archive(content_dir)
        write_archive(content_dir, (SYMBOLS, *LATTICES, *PROTOTYPES))

    site = build_fixture_site(tmp_path_factory.mktemp("symbols"), ROOT, f"http://127.0.0.1{SUB_PATH}", write)
    with serve(site, SUB_PATH) as url:
        yield url


@pytest.mark.parametrize(("keyword", "asked"), [
    ("Knights \\& Knaves (K\\&K) logic puzzles", "Knights & Knaves (K&K) logic puzzles"),
    ('"Did You Know..." entries', '"Did You Know... entries"'),
    ('Schr\\"odinger Bridge Matching', '"Schrödinger Bridge Matching"'),
    ("PixArt-$\\alpha$", '"PixArt-α"'),
    ("\\textsc{Kwai} \\& $\\tau$-bench", "Kwai & τ-bench"),
])
def test_a_keyword_chip_of_the_stream_finds_its_paper(tmp_path, browser, keyword, asked):
    """Keywords of the recorded stream: the phrase with "\\&" found nothing, not even its paper; the quoted ones said
    quotes make a phrase only around the whole query, though the page, not the reader, had quoted them. A chip shows
    a keyword as TeX prints it (textmode.py, mathflat.py), and its search asks for what the chip shows."""
    from playwright.sync_api import expect

    def write(content_dir: Path) -> None:
        write_archive(content_dir, (dataclasses.replace(PAPERS[1], ai_keywords=(keyword,)), *PAPERS[2:]))

    with own_site_page(browser, tmp_path / "m", write) as (page, url):
        page.goto(url + "papers/2312.00752/")
        page.locator("#keywords a").first.click()
        expect(page.locator("#search-input")).to_have_value(asked)
        expect_first_result(page, "2312.00752")
        shown = f"the phrase \u201c{asked[1:-1]}\u201d" if asked.startswith('"') else f"\u201c{asked}\u201d"
        expect(page.locator("#search-status")).to_have_text(f"1 paper found for {shown}")


def test_a_keyword_with_symbols_finds_its_paper_from_its_chip_and_typed(page, symbols_url):
    """The chip of 'iBOT++' (no keyword page: one paper) led to a search for "iBOT++" that found nothing, and a
    typed S^2 found other papers: the index holds ibot and s2."""
    from playwright.sync_api import expect

    page.goto(symbols_url + "papers/2604.12012/")
    page.locator("#keywords a", has_text="iBOT++").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=%22iBOT%2B%2B%22$"))
    expect_first_result(page, "2604.12012")
    for typed in ("S^2", '"S^2"', "iBOT++"):
        search(page, symbols_url, typed)
        expect_first_result(page, "2604.12012")
        shown = f"the phrase \u201c{typed[1:-1]}\u201d" if typed.startswith('"') else f"\u201c{typed}\u201d"
        expect(page.locator("#search-status")).to_contain_text(f"found for {shown}")


@pytest.mark.parametrize("typed", ["2604.12012", "arXiv:2604.12012", "https://arxiv.org/abs/2604.12012v2",
                                   "https://huggingface.co/papers/2604.12012", "https://arxiv.org/pdf/2604.12012.pdf",
                                   # without a scheme, with a query or a fragment (the search review)
                                   "arxiv.org/abs/2604.12012", "https://huggingface.co/papers/2604.12012?utm=x",
                                   "https://arxiv.org/abs/2604.12012#S2"])
def test_an_arxiv_id_or_address_leads_to_the_paper(page, symbols_url, typed):
    """The index holds no ids: a pasted id found unrelated papers (its digits among other words)."""
    from playwright.sync_api import expect

    search(page, symbols_url, typed)
    line = page.locator("#search-paper")
    expect(line).to_be_visible()
    expect(line.locator("a")).to_have_attribute("href", f"{SUB_PATH}papers/2604.12012/")
    expect(line).to_contain_text("arXiv 2604.12012 in this archive: TIPSv2: iBOT++ Distillation with S^2 Crops")
    # the live status line, which a screen reader says, no longer says "No papers found" above the paper's link
    expect(page.locator("#search-status")).to_have_text(
        "The paper 2604.12012 is in this archive: its link is below. No other paper mentions it.")


@pytest.mark.parametrize("typed", ["4299.00001", "4299"])
def test_a_number_no_word_begins_with_finds_nothing(page, site_url, typed):
    """Pagefind stood "42" in for it, a scrap matched in no word of any page but in a page's upvotes (42), so a
    2026 id listed the papers of the 26th of a month or with 26 upvotes, under "No paper has a word beginning"."""
    from playwright.sync_api import expect

    search(page, site_url, typed)
    expect(page.locator("#search-status")).to_contain_text(f"No papers found for \u201c{typed}\u201d")
    expect(page.locator(RESULT_LINKS)).to_have_count(0)
    search(page, site_url, f"{typed} selective")  # the scrap is left out of a longer query, as one of letters is
    expect_first_result(page, "2312.00752")
    expect(page.locator(RESULT_LINKS)).to_have_count(1)


def test_a_number_finds_the_papers_whose_text_holds_it_not_their_dates_or_upvotes(tmp_path, browser):
    """Pagefind matches a page's metadata too: "2025" listed the papers of that year above the one that mentions
    it, and "42" the paper with 42 upvotes (the reader review). The page searches the text."""
    from playwright.sync_api import expect

    def write(content_dir: Path) -> None:
        mamba = dataclasses.replace(PAPERS[1], abstract=PAPERS[1].abstract + " Trained for 42 epochs in 2025.")
        write_archive(content_dir, (PAPERS[0], mamba, *PAPERS[2:]))

    with own_site_page(browser, tmp_path / "m", write) as (page, url):
        for typed in ("42", "2025"):
            search(page, url, typed)
            expect_first_result(page, "2312.00752")
            expect(page.locator(RESULT_LINKS)).to_have_count(1)  # not 2502.01234 (42 upvotes, filed in 2025)
            expect(page.locator("#search-status")).to_have_text(f"1 paper found for \u201c{typed}\u201d")


def test_an_arxiv_id_the_archive_lacks_shows_no_paper_line(page, symbols_url):
    from playwright.sync_api import expect

    search(page, symbols_url, "2604.99999")
    expect(page.locator("#search-status")).not_to_be_empty()
    expect(page.locator("#search-paper")).to_be_hidden()
    search(page, symbols_url, "2604.12012")
    expect(page.locator("#search-paper")).to_be_visible()
    page.locator("#search-input").fill("masked")
    expect(page.locator("#search-paper")).to_be_hidden()


@pytest.mark.parametrize(("typed", "noted"), [("masked -language", True), ("title:mamba", True), ("+masked", True),
                                              ("self-supervised", False), ("masked autoencoders", False)])
def test_terminal_syntax_typed_here_is_said_not_to_work(page, site_url, typed, noted):
    """'vision -clip' found CLIP papers first without a word: the minus was dropped as punctuation."""
    from playwright.sync_api import expect

    search(page, site_url, typed)
    status = page.locator("#search-status")
    expect(status).to_contain_text(f"\u201c{typed}\u201d")
    assert ("-word, +word and field: are not understood" in status.inner_text()) is noted


@pytest.mark.parametrize(("typed", "noted"), [("masked OR vision", True), ("NOT masked", True), ("masked AND", True),
                                              ("masked or vision", False), ("ORBIT masked", False)])
def test_operators_typed_in_capitals_are_said_to_be_words(page, site_url, typed, noted):
    """"CLIP OR DINO" found the papers holding both words and "CLIP NOT DINO" papers about DINO, without a word (the
    search review)."""
    from playwright.sync_api import expect

    search(page, site_url, typed)
    status = page.locator("#search-status")
    expect(status).to_contain_text(f"\u201c{typed}\u201d")
    assert ("AND, OR and NOT are words here, not operators" in status.inner_text()) is noted


def test_opening_the_filters_keeps_the_results_shown_and_counts_them(page, symbols_url):
    """Opening the filter panel searched again to count, and drew the list anew: the results shown with "Show
    more" were gone (and a click on "more" meanwhile was lost). Now the list stays and the counts follow it."""
    from playwright.sync_api import expect

    page.goto(symbols_url + "search/?q=lattice")
    links = page.locator(RESULT_LINKS)
    expect(links).to_have_count(10)
    page.locator("#search-more").click()
    expect(links).to_have_count(20)
    shown = result_hrefs(page)
    found = int(re.match(r"([\d,]+) papers found", page.locator("#search-status").inner_text()).group(1).replace(",", ""))
    open_filter(page, "Year")
    year_counts = page.get_by_role("group", name="Year").locator(".search-filter-n")
    page.wait_for_function("""(found) => {
        const counts = [...document.querySelectorAll('.search-filter-group')].find(g => g.querySelector('legend').textContent === 'Year');
        return counts && [...counts.querySelectorAll('.search-filter-n')].reduce((sum, n) => sum + Number(n.textContent.replace(/\\D/g, '')), 0) === found;
    }""", arg=found)
    assert year_counts.count() >= 1
    page.wait_for_timeout(500)  # a search run again by the panel would have redrawn the list by now
    assert result_hrefs(page) == shown


def test_keywords_named_like_an_object_s_properties_are_counted_as_any_other(page, symbols_url):
    """The filter panel counted a keyword "constructor" as "(function Object() { [native code] }2)", left
    "__proto__" out, and '__proto__' typed found papers while saying that no paper has a word beginning with it."""
    page.goto(symbols_url + "search/?q=prototype")
    open_filter(page, "Keyword")

    def counts() -> dict[str, str]:
        return dict(page.locator(".search-filter-value input[name=keyword]").evaluate_all(
            "boxes => boxes.map(box => [box.value, box.parentElement.querySelector('.search-filter-n').textContent])"))

    page.wait_for_function("document.querySelectorAll('.search-filter-value input[name=keyword]').length >= 3")
    assert {name: counts().get(name) for name in PROPERTY_NAMES} == dict.fromkeys(PROPERTY_NAMES, "(2)"), counts()
    page.locator("#search-input").fill("lattice")  # no paper of these: every count (0), none a function's text
    page.wait_for_function("""() => [...document.querySelectorAll('.search-filter-value')]
        .filter(label => label.querySelector('input[name=keyword]') && label.textContent.includes('constructor'))
        .every(label => label.textContent.trim().endsWith('(0)'))""")
    assert all("function" not in count for count in counts().values()), counts()
    found, status = hrefs_for(page, symbols_url, "__proto__")
    assert len(found) == 2 and "No paper has" not in status, status


def test_a_link_s_bidirectional_controls_are_dropped_from_the_query(page, site_url):
    """A shared link whose ?q= began with U+202E showed the status line backwards, and its reversed text (a
    "This archive is moved to ..." read the right way round) as the page's."""
    from playwright.sync_api import expect

    page.goto(site_url + "search/?q=%E2%80%AEdeksam%E2%81%A6&keyword=%E2%80%AEmasked%20image%20modeling")
    status = page.locator("#search-status")
    expect(status).to_contain_text("found for \u201cdeksam\u201d with the chosen filters")
    assert page.locator("#search-input").input_value() == "deksam"
    assert page.evaluate("new URLSearchParams(location.search).get('keyword')") == "masked image modeling"
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", status.inner_text())


@pytest.mark.parametrize(("lang", "expected"), [("en", ["9,877", "123,456", "999"]), ("en-GB", ["9,877", "123,456", "999"]),
                                               ("de", ["9877", "123\u202f456", "999"])])
def test_the_search_page_groups_counts_as_the_pages_do(page, lang, expected):
    """search.js's `grouped` (the status line, "more of N remaining", the filter counts) against templates.grouped."""
    from papermirror.site.templates import grouped

    script = (ROOT / "layouts" / "static" / "search.js").read_text(encoding="utf-8")
    start = script.index("  const LANGUAGE = ")
    end = script.index("\n  }\n", script.index("function grouped(")) + 4
    page.set_content(f'<html lang="{lang}"><body></body></html>')
    got = page.evaluate(f"() => {{ {script[start:end]}; return [9877, 123456, 999].map(grouped); }}")
    assert got == expected == [grouped(n, lang) for n in (9877, 123456, 999)]


def test_clearing_the_words_shows_every_paper_s_counts_again(page, symbols_url):
    """With the panel open, emptying the search box left the last search's counts beside no results."""
    from playwright.sync_api import expect

    year_sum = """() => [...[...document.querySelectorAll('.search-filter-group')].find(g => g.querySelector('legend').textContent === 'Year')
        .querySelectorAll('.search-filter-n')].reduce((sum, n) => sum + Number(n.textContent.replace(/\\D/g, '')), 0)"""
    page.goto(symbols_url + "search/")
    open_filter(page, "Year")
    every = page.evaluate(f"({year_sum})()")
    page.locator("#search-input").fill("lattice")
    expect(page.locator("#search-status")).to_contain_text("papers found")
    found = int(re.match(r"([\d,]+) papers found", page.locator("#search-status").inner_text()).group(1).replace(",", ""))
    assert 0 < found < every
    page.wait_for_function(f"({year_sum})() === {found}")
    page.locator("#search-input").fill("")
    page.wait_for_function(f"({year_sum})() === {every}")
    expect(page.locator(RESULT_LINKS)).to_have_count(0)


def test_back_from_a_result_shown_after_show_more_finds_it_again(page, symbols_url):
    """Back from the 15th result (after "Show more") searched again and showed the first ten only."""
    from playwright.sync_api import expect

    page.goto(symbols_url + "search/?q=lattice")
    links = page.locator(RESULT_LINKS)
    expect(links).to_have_count(10)
    page.locator("#search-more").click()
    expect(links).to_have_count(20)
    fifteenth = links.nth(14)
    href = fifteenth.get_attribute("href")
    fifteenth.scroll_into_view_if_needed()
    fifteenth.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/search/\?q=lattice$"))
    expect(links).to_have_count(20)
    expect(links.nth(14)).to_have_attribute("href", href)
    expect(links.nth(14)).to_be_in_viewport()
    # a new search starts at ten again
    page.locator("#search-input").fill("lattice study")
    expect(page.locator("#search-status")).to_contain_text("\u201clattice study\u201d")
    expect(links).to_have_count(10)


def test_back_from_one_of_the_first_ten_results_finds_it_again(page, symbols_url):
    """Back from the 9th result (no "Show more") came back at the top: the browser restored the scroll before
    the results were drawn, and the page kept its place only after "Show more"."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(symbols_url + "search/?q=lattice")
    links = page.locator(RESULT_LINKS)
    expect(links).to_have_count(10)
    ninth = links.nth(8)
    href = ninth.get_attribute("href")
    ninth.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0
    ninth.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/search/\?q=lattice$"))
    expect(links).to_have_count(10)
    expect(links.nth(8)).to_be_in_viewport()


def hrefs_for(page, site_url: str, words: str) -> tuple[list[str], str]:
    """The results of a shared address searching `words`, and the status line that says them."""
    from urllib.parse import quote

    from playwright.sync_api import expect

    page.goto(site_url + "search/?q=" + quote(words))
    status = page.locator("#search-status")
    expect(status).to_contain_text(re.compile(r"found|No papers"))
    return result_hrefs(page), status.inner_text()


def test_quotes_make_a_phrase_only_around_the_whole_query_and_the_page_says_so(page, site_url):
    """'masked "image modeling" pretraining' searched exactly the words without quotes, unsaid; '"vision" "masked"'
    was sent as one phrase 'vision" "masked' and found nothing; curly quotes made no phrase."""
    phrase, status = hrefs_for(page, site_url, '"masked autoencoders"')
    assert phrase and "Quotes make a phrase" not in status
    assert hrefs_for(page, site_url, "\u201cmasked autoencoders\u201d")[0] == phrase  # typographic quotes, the same
    words, _ = hrefs_for(page, site_url, "masked image modeling")
    part, status = hrefs_for(page, site_url, 'masked "image modeling"')
    assert part == words and "Quotes make a phrase only around the whole query" in status
    two, status = hrefs_for(page, site_url, '"masked" "autoencoders"')
    assert two == hrefs_for(page, site_url, "masked autoencoders")[0] and two and "Quotes make a phrase" in status
    # a field: prefix is left out, so the quotes hold the whole of what is searched: a phrase, and no such note
    prefixed, status = hrefs_for(page, site_url, 'title:"masked autoencoders"')
    assert prefixed == phrase and "Quotes make a phrase" not in status


def test_a_field_prefix_is_left_out_of_the_search(page, site_url):
    """'author:xie' was searched as the word 'authorxie', which Pagefind matched to 'a': nearly every paper."""
    plain, _ = hrefs_for(page, site_url, "masked")
    prefixed, status = hrefs_for(page, site_url, "title:masked")
    assert prefixed == plain and plain and "field: are not understood" in status


def test_long_words_wrap_on_a_phone_instead_of_widening_the_page(tmp_path, browser):
    """A paper page with an address in its abstract was 455 px wide on a 390 px phone (with an author's name of 86
    letters, 662 px); a search for a word of it, or a long query echoed in the status line, 514 to 2,974 px. A long
    formula (a real abstract's, 2411.19477, its backslashes lost on the hub's side) made it 656 px: on the paper page
    it scrolls in its own box, which the keyboard can reach (axe: scrollable-region-focusable), and a formula that fits
    gets no tab stop; in a listing's link it is cut at the column's edge."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    address = "https://github.com/" + "averyveryverylongorganisationname/" + "areallyquitelongrepositoryname" * 2
    long_query = "zz" + "q" * 298
    formula = "$P(final output is incorrect) le (1 - p_{gen})^N + lceil log_2 N rceil e^{-2 K (p_{comp} - 0.5)^2}.$"
    # a keyword's and an organization's heading, index link, fact and filter label, 416 to 3,399 px (the browser review)
    keyword, organization = "MaskedAutoencoderPretraining" * 3, "KoreaAdvancedInstituteOfScience" * 3

    def with_an_address(content_dir: Path) -> None:
        paper = dataclasses.replace(PAPERS[0], title=PAPERS[0].title + f" {formula}",
                                    abstract=PAPERS[0].abstract + f" Code: {address}. Bound: {formula}",
                                    authors=(*PAPERS[0].authors, "Averyveryverylongauthornamewithoutanyspaces" * 2))
        named = [dataclasses.replace(one, ai_keywords=(*one.ai_keywords, keyword), organization=organization)
                 for one in (paper, PAPERS[1])]
        write_archive(content_dir, (*named, *PAPERS[2:]))

    site = build_fixture_site(tmp_path / "wide", ROOT, f"http://127.0.0.1{SUB_PATH}", with_an_address)
    with serve(site, SUB_PATH) as url:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        wide = "() => document.documentElement.scrollWidth"
        try:
            for path in (f"papers/{PAPERS[0].id}/", ""):
                page.goto(url + path)
                assert page.locator("math").count() >= (2 if path else 1), path  # the formula is drawn
                assert page.evaluate(wide) <= 390, path
            page.goto(url + f"papers/{PAPERS[0].id}/")
            scrolling = ("() => [...document.querySelectorAll('main math')].map(m => [m.closest('h1, #abstract, a').tagName, "
                         "m.classList.contains('wide'), m.tabIndex])")
            # the title's and the abstract's scroll; a formula in a link (other papers' titles) is cut, never a tab stop
            found = page.evaluate(scrolling)
            assert found[:2] == [["H1", True, 0], ["DIV", True, 0]] and all(f == ["A", False, -1] for f in found[2:])
            assert [v["id"] for v in Axe().run(page).response["violations"]] == []
            page.set_viewport_size({"width": 1280, "height": 800})  # there it fits: no scroll box, no tab stop
            page.wait_for_function("() => !document.querySelector('#abstract math.wide')")
            assert page.evaluate(scrolling)[1] == ["DIV", False, -1], page.evaluate(scrolling)
            page.set_viewport_size({"width": 390, "height": 844})
            page.emulate_media(media="print")  # paper scrolls nothing: the formulas are printed whole
            assert page.evaluate("() => [...document.querySelectorAll('h1 math, #abstract math')]"
                                 ".map(m => getComputedStyle(m).overflowX)") == ["visible", "visible"]
            page.emulate_media(media="screen")
            plain = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
            try:  # without JavaScript a formula is drawn whole (the page widens), never cut past reading
                bare = plain.new_page()
                bare.goto(url + f"papers/{PAPERS[0].id}/")
                clipped = "() => [...document.querySelectorAll('h1 math, #abstract math')].map(m => getComputedStyle(m).overflowX)"
                assert bare.evaluate(clipped) == ["visible", "visible"]
            finally:
                plain.close()
            page.goto(url + "search/?q=areallyquitelongrepositoryname")
            expect(page.locator(".search-result-excerpt mark").first).to_be_visible()
            assert page.evaluate(wide) <= 390
            page.goto(url + "search/?q=" + long_query)
            expect(page.locator("#search-status")).to_contain_text("No papers found")
            assert page.evaluate(wide) <= 390
            for path in (f"keywords/{keyword.lower()}/", "keywords/", f"organizations/{organization.lower()}/",
                         "organizations/"):
                page.goto(url + path)
                assert page.evaluate(wide) <= 390, path
            page.goto(url + "search/?keyword=" + keyword)  # a filter in the address opens the panel
            expect(page.locator(".search-filter-value").first).to_be_visible()
            assert page.evaluate(wide) <= 390
        finally:
            context.close()


def test_nothing_found_while_the_index_cannot_be_reached_says_so(page, site_url):
    """Pagefind skips a part of the index it cannot load: offline, a search read as "No papers found" as if the
    archive held none."""
    from playwright.sync_api import expect

    page.goto(site_url + "search/?q=masked")
    expect(page.locator(RESULT_LINKS).first).to_be_visible()
    page.route("**/pagefind/**", lambda route: route.abort())  # the connection drops
    page.locator("#search-input").fill("\ua66e\ua66e\ua66e")
    expect(page.locator("#search-status")).to_contain_text("the search index could not be reached")
    page.unroute("**/pagefind/**")
    page.locator("#search-input").fill("zanzibarite")
    expect_first_result(page, "2502.01234")
    expect(page.locator("#search-status")).not_to_contain_text("could not be reached")


CHUNKS = "**/index/*.pf_index"
"""Pagefind's index chunks, of the one index or of each of several."""
PART_MISSING = "A part of the search index could not be loaded"


@pytest.mark.parametrize("sharded", [False, True], ids=["one index", "several indexes"])
def test_an_index_chunk_the_server_fails_once_is_fetched_again(page, site_url, sharded_site_url, sharded):
    """Pagefind skips a chunk it cannot load, for as long as the page is open: one failed request made a search
    find fewer papers, or none, and every later search too, without a word. A chunk is now asked for again.
    (Playwright's routing turns the HTTP cache off: each page asks the server for every chunk it needs.)"""
    url = sharded_site_url if sharded else site_url
    expected, status = hrefs_for(page, url, "masked image")
    assert expected and PART_MISSING not in status
    asked: Counter[str] = Counter()

    def fail_first(route):
        asked[route.request.url] += 1
        if asked[route.request.url] == 1:
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    page.route(CHUNKS, fail_first)
    found, status = hrefs_for(page, url, "masked image")
    assert found == expected and PART_MISSING not in status, status
    assert asked and set(asked.values()) == {2}, asked


def test_an_index_chunk_whose_connection_drops_half_way_is_fetched_again(tmp_path, browser):
    """A chunk answered 200 whose connection dropped half-way through its body was neither asked again nor said:
    Pagefind failed on reading it and skipped it ("No papers found"), as on a failed request (a review)."""
    from browser import _SubPathHandler

    cut: Counter[str] = Counter()

    class CutFirstChunks(_SubPathHandler):
        def do_GET(self):
            path = self.translate_path(self.path.split("?")[0])
            if not path.endswith(".pf_index") or cut[path]:
                return super().do_GET()
            cut[path] += 1
            data = Path(path).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    site = build_fixture_site(tmp_path, ROOT, f"http://127.0.0.1{SUB_PATH}", write_archive)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        with serve(site, SUB_PATH) as url:
            expected, _ = hrefs_for(page, url, "masked image")
        cut.clear()
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.route(CHUNKS, lambda route: route.continue_())  # Playwright's routing turns the HTTP cache off
        with serve(site, SUB_PATH, CutFirstChunks) as url:
            found, status = hrefs_for(page, url, "masked image")
        assert cut and found == expected and PART_MISSING not in status, status
    finally:
        context.close()


@pytest.mark.parametrize("sharded", [False, True], ids=["one index", "several indexes"])
def test_an_index_chunk_that_cannot_be_loaded_is_said_until_the_page_is_loaded_again(page, site_url, sharded_site_url, sharded):
    """While the rest of the index is reachable, a chunk that fails every try left papers out of the results,
    read as all there is ("No papers found")."""
    from playwright.sync_api import expect

    url = sharded_site_url if sharded else site_url
    expected, _ = hrefs_for(page, url, "masked image")
    tries: Counter[str] = Counter()
    page.route(CHUNKS, lambda route: (tries.update([route.request.url]), route.fulfill(status=500, body="down")))
    found, status = hrefs_for(page, url, "masked image")
    assert len(found) < len(expected) and PART_MISSING in status, status
    assert "No paper has a word" not in status  # the words were not missing, their chunk was
    assert tries and set(tries.values()) == {3}, tries  # each chunk tried three times
    page.unroute(CHUNKS)
    page.locator("#search-input").fill("zanzibarite")  # a chunk skipped stays skipped: still said
    expect(page.locator("#search-status")).to_contain_text(PART_MISSING)
    found, status = hrefs_for(page, url, "masked image")  # loaded again
    assert found == expected and PART_MISSING not in status, status


@pytest.mark.parametrize("sharded", [False, True], ids=["one index", "several indexes"])
def test_a_word_no_paper_has_is_said_and_never_matched_by_a_scrap_of_it(page, site_url, sharded_site_url, sharded):
    """Pagefind matches a word no indexed word begins with to the longest word that begins it, down to one
    letter: 'axyzzy' found every paper with the word 'a', 'masked axyzzy' the masked papers that have an 'a'.
    Now a scrap of the word is not taken (the word matches nothing, and the page says so), while most of it is,
    with the word that stood in named: 'mambaz' finds the Mamba paper."""
    url = sharded_site_url if sharded else site_url
    found, status = hrefs_for(page, url, "axyzzy")
    assert not found and status.startswith("No papers found for \u201caxyzzy\u201d")
    masked, _ = hrefs_for(page, url, "masked")
    found, status = hrefs_for(page, url, "masked axyzzy")
    assert masked and found == masked
    assert status.endswith("(No paper has a word beginning with \u201caxyzzy\u201d.)"), status
    found, status = hrefs_for(page, url, "Mambaz")
    assert [href.rstrip("/").rsplit("/", 1)[-1] for href in found] == ["2312.00752"]
    assert status.endswith("(No paper has a word beginning with \u201cmambaz\u201d: these have \u201cmamba\u201d.)"), status
    found, status = hrefs_for(page, url, "mamba")
    assert "No paper has" not in status and len(found) == 1


class SlowScripts:
    """A handler (for `serve`) that holds the answers whose path holds one of `slow` for `seconds`."""

    @staticmethod
    def handler(slow: tuple[str, ...], seconds: float, refused: tuple[str, ...] = ()) -> type:
        from browser import _SubPathHandler

        class Slow(_SubPathHandler):
            def do_GET(self) -> None:
                if any(part in self.path for part in refused):
                    self.send_error(404)
                    return
                if any(part in self.path for part in slow):
                    time.sleep(seconds)
                super().do_GET()

        return Slow


def test_a_search_page_whose_script_is_slow_says_it_is_loading_not_that_javascript_is_off(browser, tmp_path):
    """On a slow connection the page said "Search needs JavaScript, which is off or blocked" for seconds."""
    from playwright.sync_api import expect

    with own_site_page(browser, tmp_path / "m", handler=SlowScripts.handler(("static/search.js",), 2.0)) as (page, url):
        page.goto(url + "search/?q=mamba", wait_until="commit")
        expect(page.locator("#search-loading")).to_have_text("Loading the search\u2026", timeout=1500)
        assert page.locator("#search-nojs").is_hidden()
        expect_first_result(page, "2312.00752")
        expect(page.locator("#search-loading")).to_be_hidden()
        expect(page.locator("#search-nojs")).to_be_hidden()


def test_a_search_page_whose_script_cannot_be_loaded_says_search_needs_it(browser, tmp_path):
    from playwright.sync_api import expect

    with own_site_page(browser, tmp_path / "m", handler=SlowScripts.handler((), 0, refused=("static/search.js",))) as (page, url):
        page.goto(url + "search/?q=mamba")
        expect(page.get_by_text("Search needs JavaScript")).to_be_visible()
        assert page.locator("#search-loading").is_hidden() and page.locator("#search").is_hidden()


def test_a_slow_search_says_it_is_searching(browser, tmp_path):
    """The status line kept the last search's count (and its results) for seconds while the next one ran."""
    from playwright.sync_api import expect

    with own_site_page(browser, tmp_path / "m", handler=SlowScripts.handler(("pagefind/",), 1.5)) as (page, url):
        page.goto(url + "search/")
        page.evaluate("""() => { const list = document.getElementById("search-results");
            new MutationObserver(() => { if (!list.hasAttribute("aria-busy") && window.__undimmed === undefined)
                window.__undimmed = getComputedStyle(list).opacity; }).observe(list, {attributes: true}); }""")
        page.locator("#search-input").fill("mamba")
        expect(page.locator("#search-status")).to_have_text("Searching\u2026", timeout=1400)
        expect(page.locator("#search-results")).to_have_attribute("aria-busy", "true")
        # each of Pagefind's files in turn (script, entry, wasm, index, fragment) is held 1.5 s
        expect(page.locator("#search-status")).to_contain_text("found for \u201cmamba\u201d", timeout=30_000)
        expect_first_result(page, "2312.00752")
        # dimmed while it ran (style.css), the list is at full strength at once when it is done: a fade back drew the
        # first results too faint for 150 ms (an axe run caught them at 390 px)
        page.wait_for_function("window.__undimmed !== undefined")
        assert page.evaluate("window.__undimmed") == "1"


def test_on_a_phone_a_ticked_filter_shows_its_count_in_sight(browser, site_url):
    """The open panel is taller than a phone's screen, the status line below it: ticking a filter far down the panel
    changed nothing one could see. The panel's heading stays in sight and says how many papers the filters leave."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        search(page, site_url, "pretraining")
        expect(page.locator(RESULT_LINKS)).not_to_have_count(0)
        open_filter(page, "Organization")
        heading = page.locator("#search-filters > summary")
        expect(heading).to_contain_text(re.compile(r"\u00b7 \d+ papers? found"))
        option = page.get_by_label(re.compile("Analytical Engines"))
        option.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, 400)")  # deep in the panel
        option.check()
        expect(page.locator(RESULT_LINKS)).to_have_count(1)
        expect(heading).to_contain_text("(1 chosen) \u00b7 1 paper found")
        box, view = heading.bounding_box(), page.viewport_size
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= view["height"], box
    finally:
        context.close()
