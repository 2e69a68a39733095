"""A split index searches like one index: the same archive built twice, as one Pagefind index and split
into six (papermirror/search/shards.py, with SHARD_ABOVE lowered), and the same searches run on
both in headless Chromium through the real search page (tests/browser.py).

What holds: the papers found (as a set, and how many), with and without filters, the filter counts, and
the order: the split page (layouts/static/search-shards.js) scores every result again with the whole
archive's figures, so its order is one index's order, up to papers whose one-index scores are equal
(Pagefind orders those arbitrarily), sorted searches included; a word that no index has words beginning
with falls back to the nearest word as one index does.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from archive import PAPERS, write_archive
from browser import build_fixture_site, chromium, serve

from papermirror.content.paper import Paper

ROOT = Path(__file__).resolve().parent.parent
SUB_PATH = "/mirror/"
SPLIT_AT = 8
"""SHARD_ABOVE for the split build: the archive's 26 papers become six indexes."""
INDEXES = 6
TOPICS = ("masked image pretraining", "diffusion transformer", "language model scaling", "video tokenizer")
MONTHS = ("2103", "2106", "2109", "2302", "2305", "2308", "2311", "2401", "2403", "2404", "2406", "2409", "2411",
          "2501", "2502", "2504", "2505", "2506", "2506", "2506", "2505")
"""The months of the generated papers, in the order of their numbers: three or more in every index (the newest
month, 2506, is one; the rest of its quarter another), so that every index holds every topic's words (a word
missing from an index finds other words there)."""
LATTICE = {5: "Lattice Pretraining. ", 10: "lattice lattice lattice ", 1: "lattice ", 13: "lattice ", 16: "lattice ",
           18: "lattice "}
"""'lattice' in a title (paper 5, of 2023), three times in the abstract of paper 10 (2024, the biggest
index), once in one abstract of each other index."""


def more_papers() -> tuple[Paper, ...]:
    """Papers spread over 2021-2025 that share words, keywords, organizations, code or not."""
    papers = []
    for number, month in enumerate(MONTHS):
        topic, other = TOPICS[number % 4], TOPICS[(number + 1) % 4]
        lattice = LATTICE.get(number, "")
        day = f"20{month[:2]}-{month[2:]}-{10 + number:02d}"
        papers.append(Paper(
            id=f"{month}.{20000 + number}", title=f"{'Lattice Pretraining' if number == 5 else 'Study'} {number}: {topic.title()}",
            authors=(f"Author {number}", "Grace Hopper"), published=day, daily=(day,), upvotes=10 * number + 5,
            abstract=f"We study {topic} with {other}. {lattice}Our pretraining recipe improves {topic} on a benchmark.",
            organization=("Meta", "CMU", None)[number % 3], ai_keywords=(topic, other.split()[0]),
            github_repo=f"https://github.com/lab/p{number}" if number % 2 else None))
    return tuple(papers)


def write_both(content_dir: Path) -> None:
    write_archive(content_dir)
    write_archive(content_dir, more_papers())


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def sites(tmp_path_factory, browser):
    """(one index's URL, split index's URL), both served under /mirror/."""
    from papermirror.search import pagefind as index

    one = build_fixture_site(tmp_path_factory.mktemp("one"), ROOT, f"http://127.0.0.1{SUB_PATH}", write_both)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "SHARD_ABOVE", SPLIT_AT)
        patch.setattr(index, "ONE_INDEX_UP_TO", SPLIT_AT // 2)  # split small archives too
        split = build_fixture_site(tmp_path_factory.mktemp("split"), ROOT, f"http://127.0.0.1{SUB_PATH}", write_both)
    assert len(json.loads((one / "pagefind/shards.json").read_text(encoding="utf-8"))) == 1
    assert len(json.loads((split / "pagefind/shards.json").read_text(encoding="utf-8"))) == INDEXES
    with serve(one, SUB_PATH) as one_url, serve(split, SUB_PATH) as split_url:
        yield one_url, split_url


COUNTS_FOLLOW_THE_SEARCH = """() => {
    const found = document.getElementById("search-status").textContent.match(/^([\\d,]+) papers? found/);
    const year = [...document.querySelectorAll(".search-filter-group")].find(g => g.querySelector("legend").textContent === "Year");
    if (!found || !year) return false;
    // a group counts as if none of its own values were ticked: then the ticked years hold the papers found
    const labels = [...year.querySelectorAll("label")];
    const ticked = labels.filter(l => l.querySelector("input").checked);
    const counts = (ticked.length ? ticked : labels).map(l => Number(l.querySelector(".search-filter-n").textContent.replace(/\\D/g, "")));
    return counts.reduce((sum, n) => sum + n, 0) === Number(found[1].replace(/,/g, ""));
}"""
"""True once the filter panel counts the papers found (each paper has one year; of the ticked years, when some
are ticked), not the whole archive."""


def found(browser, url: str, address: str, filters: bool = False) -> tuple[list[str], str, str]:
    """Open search/?<address>; return every result's id in order (showing more until all are shown),
    the status line and, with `filters`, the text of the filter panel (values and counts)."""
    context = browser.new_context()
    try:
        return found_on(context.new_page(), url, address, filters)
    finally:
        context.close()


def found_on(page, url: str, address: str, filters: bool = False) -> tuple[list[str], str, str]:
    """`found`, in an open page."""
    from playwright.sync_api import expect

    page.set_default_timeout(15_000)
    page.goto(url + "search/?" + address)
    if filters and not page.locator("#search-filters").evaluate("details => details.open"):
        page.locator("#search-filters > summary").click()
    # (expect's own time limit, 5 s, is not the page's: a loaded CI machine took longer to search every index)
    expect(page.locator("#search-status")).to_contain_text("found", timeout=15_000)
    links = page.locator(".search-result-link")
    while page.locator("#search-more").is_visible():
        shown = links.count()
        page.locator("#search-more").click()
        expect(links).not_to_have_count(shown)
    panel = ""
    if filters:
        page.wait_for_function(COUNTS_FOLLOW_THE_SEARCH)
        for button in page.locator(".search-filter-all").all():
            button.click()
        panel = page.locator("#search-filter-groups").inner_text()
    ids = [href.rstrip("/").rsplit("/", 1)[-1] for href in links.evaluate_all("a => a.map(x => x.getAttribute('href'))")]
    return ids, page.locator("#search-status").inner_text(), panel


@pytest.mark.parametrize("address", [
    "q=pretraining",
    "q=diffusion+transformer",
    "q=grace+hopper",
    "q=pretraining&keyword=video+tokenizer",
    "q=pretraining&year=2024&year=2023",
    "q=scaling&code=yes&organization=Meta&organization=CMU",
    "year=2024",
    "keyword=masked+image+pretraining&code=no",
    "q=%22masked+image+pretraining%22",
])
def test_a_split_index_finds_the_same_papers(browser, sites, address):
    one_url, split_url = sites
    one, one_status, _ = found(browser, one_url, address)
    split, split_status, _ = found(browser, split_url, address)
    assert len(one) >= 2, f"{address}: the fixture should find several papers, found {one}"
    assert sorted(split) == sorted(one) and len(split) == len(one)
    assert split_status == one_status


@pytest.mark.parametrize("address", ["q=pretraining", "q=pretraining&code=yes", "year=2025"])
def test_a_split_index_counts_filter_values_the_same(browser, sites, address):
    one_url, split_url = sites
    one_panel = found(browser, one_url, address, filters=True)[2]
    assert "Year" in one_panel and "Keyword" in one_panel
    assert found(browser, split_url, address, filters=True)[2] == one_panel


def test_a_split_index_orders_papers_whose_scores_are_far_apart_the_same(browser, sites):
    """'lattice' is in one title (and that abstract), three times in one abstract and once in four others,
    each in another index of the split build: the first two are far ahead of the rest."""
    one_url, split_url = sites
    one = found(browser, one_url, "q=lattice")[0]
    assert one[:2] == ["2308.20005", "2406.20010"] and len(one) == 6
    split = found(browser, split_url, "q=lattice")[0]
    assert split[:2] == one[:2] and sorted(split) == sorted(one)


def test_the_fixture_is_split_along_the_calendar():
    """The split build's indexes, newest first: what the tests above search across."""
    from papermirror.search.shards import group_months, month_of

    counts: dict[str, int] = {}
    for paper in PAPERS + more_papers():
        month = month_of(Path("papers") / paper.id / "index.html")
        counts[month] = counts.get(month, 0) + 1
    assert [name for name, _months in group_months(counts, SPLIT_AT)] == ["2025-06", "2025-q2", "2025", "2024", "2023", "2021"]


ONE_INDEX_SCORES = """async (query) => {
    const bundle = document.getElementById("search").getAttribute("data-bundle-path");
    const shards = await (await fetch(bundle + "shards.json")).json();
    const api = await window.papermirrorShards.open(bundle, shards);
    const found = await api.search(query, { filters: {}, sort: {} });
    return Promise.all(found.results.map(async (r) => [(await r.data()).url, r.score]));
}"""
"""The scores the page ranks a search in the one-index build by, by result URL: Pagefind's figures, with the page's
two departures (search-shards.js), which the split build must rank by too."""


def one_index_scores(browser, url: str, query: str) -> dict[str, float]:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(url + "search/")
        pairs = page.evaluate(ONE_INDEX_SCORES, query)
    finally:
        context.close()
    return {address.rstrip("/").rsplit("/", 1)[-1]: score for address, score in pairs}


@pytest.mark.parametrize("query", ["pretraining", "diffusion transformer", "grace hopper", "study lattice",
                                   "language model scaling", "mod", "masked autoencod", "zanzib", "hopper zanzib",
                                   "la", "pre", "la sc"])
def test_a_split_index_ranks_as_one_index(browser, sites, query):
    """Down the split page's list, the one-index scores never rise: the same order but for equal scores
    (the archive's papers are alike, so many are equal). 'mod' and 'masked autoencod' match words that only
    begin with them; 'zanzib' one paper's word; 'hopper zanzib' nothing (no paper has both), while an index
    without 'zanzib...' would answer for 'hopper' alone; 'la' and 'pre' begin words spread unevenly over the
    indexes (language, lattice; pretraining, pre-trained...), which Pagefind counts once for the typed word."""
    one_url, split_url = sites
    address = "q=" + query.replace(" ", "+")
    one, split = found(browser, one_url, address)[0], found(browser, split_url, address)[0]
    scores = one_index_scores(browser, one_url, query)
    assert sorted(scores) == sorted(one) and sorted(split) == sorted(one)
    along = [scores[paper] for paper in split]
    assert all(later <= earlier * (1 + 1e-6) for earlier, later in pairwise(along)), list(zip(split, along))
    assert (len(along) == 0) == (query == "hopper zanzib")


@pytest.mark.parametrize("address, newer, older", [
    ("q=masked+image+pretraining", "2305.20004", "2103.20000"),  # papers 0 and 4: title words in another order
    ("q=transformer+language+hopper", "2506.20017", "2404.20009"),  # papers 9 and 17: title and authors matched
])
def test_papers_of_equal_scores_come_in_the_same_order_every_time(browser, sites, address, newer, older):
    """Two papers of the fixture that hold the same words, in two indexes, score alike. Pagefind lists the words a
    title matched, and the fields a page matched in, in no fixed order, and the page added their idfs and scores up
    in that order: the sums differed in their last digit from one search to the next, and the two papers swapped
    places in one search in four or five. Each search now gives the same list, equal scores ordered as merged, the
    newer index first."""
    lists = {tuple(found(browser, sites[1], address)[0]) for _ in range(8)}
    assert len(lists) == 1, lists
    (listed,) = lists
    assert listed.index(newer) < listed.index(older)


def test_a_quoted_phrase_is_ranked_as_its_words_are(browser, sites):
    """Pagefind scores every page that holds a phrase alike (1.0), so a quoted search came in no order of relevance,
    the newest index's papers first (the reader review: '"diffusion transformer"' listed 101 papers of 2026, then
    2025's): it is ranked as its words are, searched as words, in one index as in several; the status names it as a
    phrase, without nesting its quotes in its own."""
    for url in sites:
        phrase, status, _ = found(browser, url, "q=%22masked+image+pretraining%22")
        words = found(browser, url, "q=masked+image+pretraining")[0]
        assert len(phrase) >= 3 and phrase == [paper for paper in words if paper in phrase], (phrase, words)
        assert status.startswith(f"{len(phrase)} papers found for the phrase \u201cmasked image pretraining\u201d")
    # a phrase with a stop word is ranked by its words as the query unquoted searches them, "with" left out (searched
    # with it, Pagefind's scores were not what search-shards.js rebuilds: each index ranked its own, the newest first)
    context = browser.new_context()
    try:
        page = context.new_page()
        said: list[str] = []
        page.on("console", lambda message: said.append(message.text))
        for url in sites:
            phrase = found_on(page, url, "q=%22with+masked+image+pretraining%22")[0]
            words = found_on(page, url, "q=with+masked+image+pretraining")[0]
            assert len(phrase) >= 2 and phrase == [paper for paper in words if paper in phrase], (phrase, words)
        assert not [text for text in said if "not made as search-shards.js expects" in text], said
    finally:
        context.close()


@pytest.mark.parametrize("address", ["q=pretraining&sort=upvotes:desc", "q=pretraining&sort=date:desc",
                                     "sort=date:desc&year=2024&year=2025", "q=scaling&sort=upvotes:desc&code=yes"])
def test_a_split_index_sorts_as_one_index(browser, sites, address):
    """... and says nothing in the console: a sorted search made the scores of a search by relevance too, and warned
    on every one of them that Pagefind's were not as expected (the browser review)."""
    one_url, split_url = sites
    one, one_status, _ = found(browser, one_url, address)
    assert len(one) >= 3
    context = browser.new_context()
    try:
        page = context.new_page()
        said: list[str] = []
        page.on("console", lambda message: said.append(f"{message.type}: {message.text}"))
        assert found_on(page, split_url, address)[:2] == (one, one_status)
        assert not [text for text in said if text.startswith(("warning", "error"))], said
    finally:
        context.close()


COUNT_SEARCHES = """() => {
    window.__searches = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
        if (message && message.method === "search") window.__searches.push(message.instanceId);
        return post.call(this, message, ...rest);
    };
}"""
"""Records every search the page asks of an index (search-shards.js's workers), by the index's instance."""


def test_a_query_found_in_every_index_asks_each_index_once(browser, sites):
    """Both words of 'diffusion transformer' begin words of every index's results, so the page knows which words
    each index matched without searching each word alone there; and the newest index, whose results are shown
    first, is not searched again for the whole list."""
    ids, status, asked = searched(browser, sites[1], "q=diffusion+transformer")
    assert len(ids) >= 5 and "found" in status
    assert sorted(asked) == [f"shard{index}" for index in range(INDEXES)], asked


def test_a_quoted_phrase_asks_each_index_for_the_phrase_and_its_words_once(browser, sites):
    """Ranking a phrase costs one search of its words an index: the newest index's, made to order the first results
    shown, is reused for the whole list (it was asked again: the reader review's "9 searches against 4")."""
    ids, status, asked = searched(browser, sites[1], "q=%22diffusion+transformer%22")
    assert len(ids) >= 3 and "the phrase" in status
    assert sorted(asked) == sorted(f"shard{index}" for index in range(INDEXES) for _ in range(2)), asked


def searched(browser, url: str, address: str) -> tuple[list[str], str, list[str]]:
    """`found`'s ids and status, and every search the page asked of an index (COUNT_SEARCHES), by the index."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(f"({COUNT_SEARCHES})()")
    try:
        ids, status, _ = found_on(page, url, address)
        return ids, status, page.evaluate("() => window.__searches")
    finally:
        context.close()
