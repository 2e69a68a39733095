"""normalise: every recorded API shape 2024-2026 becomes a Paper; bad items are skipped, never a crash."""

from __future__ import annotations

import json
import logging

import pytest
from fakehub import FIXTURES, load_recorded_days

from papermirror.content.paper import paper_path
from papermirror.content.paperfile import (
    paper_to_text,
    read_paper,
    text_to_paper,
    write_paper,
)
from papermirror.fetch.normalise import normalise_item, unwrap

DAYS = load_recorded_days()


def find(day: str, paper_id: str) -> dict:
    return next(item for item in DAYS[day] if item["paper"]["id"] == paper_id)


@pytest.mark.parametrize("day", sorted(DAYS))
def test_every_recorded_item_normalises(day: str) -> None:
    papers = [normalise_item(item, listed_on=day) for item in DAYS[day]]
    assert len(papers) == len(DAYS[day]) and all(papers)
    for paper, item in zip(papers, DAYS[day]):
        assert paper.id == item["paper"]["id"] and isinstance(paper.id, str)
        assert day in paper.daily
        assert "\n" not in paper.title and paper.title == paper.title.strip()
        assert paper.upvotes == item["paper"]["upvotes"]


def test_titles_and_abstracts_are_unwrapped_but_otherwise_exact() -> None:
    item = find("2024-05-27", "2405.15738")
    paper = normalise_item(item, listed_on="2024-05-27")
    assert paper.title == "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models"
    assert paper.abstract.startswith("High-resolution Large Multimodal Models (LMMs) encounter the challenges of excessive")
    assert "\n" not in paper.abstract


def test_unwrap_keeps_paragraphs_and_everything_else() -> None:
    assert unwrap("a\n  b\n\n  c\nd") == "a b\n\nc d"
    assert unwrap("  $m^2$ \\$5 <think> 🚀  ") == "$m^2$ \\$5 <think> 🚀"
    assert unwrap("double  space") == "double  space"
    assert unwrap("a \t\n\t b\n   \n c \n") == "a b\n\nc"


def test_unwrap_of_long_runs_of_spaces_joins_the_lines_around_them() -> None:
    """A run of 200,000 spaces (no line break in it, or one at its end): the regular expression this replaced tried
    every space as a start and took minutes; benchmarks are for speed, this checks the result."""
    run = " " * 200_000
    assert unwrap(f"Intro.{run}End.") == f"Intro.{run}End."
    assert unwrap(f"Intro.{run}\n{run}End.\n x") == "Intro. End. x"


def test_dollar_backslash_and_html_survive_from_real_items() -> None:
    backslash = [i for i in DAYS["2026-03-10"] if i["paper"]["title"].startswith("\\$")]
    assert backslash, "fixture lost its backslash title"
    assert normalise_item(backslash[0]).title.startswith("\\$OneMillion-Bench")
    earn = [normalise_item(i) for i in DAYS["2025-02-18"] if "$1 Million" in i["paper"]["title"]]
    assert earn and "Earn $1 Million" in earn[0].title
    anchors = [normalise_item(i) for i in DAYS["2025-07-08"] if "</a>" in i["paper"]["summary"]]
    assert anchors and "</a>" in anchors[0].abstract
    triples = [normalise_item(i) for i in DAYS["2025-12-03"] if "<subject, object, predicate>" in i["paper"]["summary"]]
    assert triples and "<subject, object, predicate>" in triples[0].abstract


def test_hidden_authors_are_left_out_in_order() -> None:
    hidden = [(i, a) for i in DAYS["2024-06-17"] for a in i["paper"]["authors"] if a.get("hidden")]
    assert len(hidden) == 2
    for item, author in hidden:
        paper = normalise_item(item)
        shown = [a["name"] for a in item["paper"]["authors"] if not a.get("hidden")]
        assert list(paper.authors) == [" ".join(n.split()) for n in shown]
        assert author["name"] not in paper.authors


def test_fields_of_the_newer_schema_are_kept() -> None:
    item = next(i for i in DAYS["2025-07-08"] if i["paper"].get("githubStars"))
    paper = normalise_item(item, listed_on="2025-07-08")
    assert paper.github_repo == item["paper"]["githubRepo"]
    assert paper.github_stars == item["paper"]["githubStars"]
    assert paper.ai_summary and paper.ai_keywords
    assert paper.thumbnail and paper.thumbnail.startswith("https://")
    assert paper.comments == item["numComments"]


def test_organization_comes_from_the_paper_or_the_item() -> None:
    with_org = next(i for i in DAYS["2025-12-03"] if i["paper"].get("organization"))
    assert normalise_item(with_org).organization == with_org["paper"]["organization"]["fullname"]
    item = {"paper": {"id": "2501.00001", "title": "T"}, "organization": {"name": "acme"}}
    assert normalise_item(item).organization == "acme"


def test_oldest_schema_uses_media_url_as_thumbnail() -> None:
    item = DAYS["2024-05-27"][0]
    assert "thumbnail" not in item and "mediaUrl" in item
    assert normalise_item(item).thumbnail == item["mediaUrl"]


def test_day_without_submitted_by_normalises() -> None:
    assert all("submittedBy" not in i for i in DAYS["2025-03-14"])
    assert all(normalise_item(i, listed_on="2025-03-14") for i in DAYS["2025-03-14"])


def test_flat_search_shape_and_paper_endpoint_shape() -> None:
    flat = {"id": "2409.00001", "title": "Flat\n  shape", "thumbnailUrl": "https://x.org/t.png", "source": "hf"}
    paper = normalise_item(flat, query="q")
    assert (paper.id, paper.title, paper.thumbnail, paper.queries) == ("2409.00001", "Flat shape", "https://x.org/t.png", ("q",))
    for path in FIXTURES.glob("papers-*.json"):
        raw = json.loads(path.read_text())
        paper = normalise_item(raw)
        assert paper.id == raw["id"] and paper.abstract
    never_daily = normalise_item(json.loads((FIXTURES / "papers-2401.18030.scrubbed.json").read_text()))
    assert never_daily.daily == () and never_daily.published == "2024-03-04"
    assert "Fejér" in never_daily.abstract


@pytest.mark.parametrize(
    "item",
    [
        {"paper": {"title": "no id"}},
        {"paper": {"id": 2503.0213, "title": "id lost to a float"}},
        {"paper": {"id": "../../etc/passwd", "title": "path"}},
        {"paper": {"id": "2503.02130", "title": "   "}},
        {"paper": {"id": "2503.02130", "title": "\u202e\u0001 \u200b\ufeff"}},  # controls alone: no title on any page
        {"paper": {"id": "2503.02130", "title": "\u00ad\u200e\u3164\u2800\u2061\u034f\ufe0f\U000e0041"}},  # nor these
        {"paper": {"id": "2503.02130"}},
        "not an object",
        None,
    ],
)
def test_items_without_usable_id_or_title_are_skipped_with_a_warning(item: object, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert normalise_item(item) is None
    assert "skipped" in caplog.text


def test_names_keywords_and_organizations_that_show_nothing_are_dropped() -> None:
    """A soft hyphen, a Hangul filler or a blank braille pattern alone drew an empty link, heading or feed name."""
    blank = "\u00ad\u3164\u2800\U000e0020"
    paper = normalise_item({"paper": {
        "id": "2503.02130", "title": "T", "authors": [{"name": blank}, {"name": "Ada\u00ad"}], "ai_keywords": [blank, "k"],
    }, "organization": {"name": "org", "fullname": blank}})
    assert paper is not None and paper.authors == ("Ada\u00ad",) and paper.ai_keywords == ("k",)
    assert paper.organization == "org"  # its name, as for an organization without a full name


def test_wrong_types_and_unsafe_links_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    item = {
        "paper": {
            "id": "2503.02130",
            "title": "T",
            "authors": "not a list",
            "upvotes": "12",
            "githubRepo": "javascript:alert(1)",
            "projectPage": "data:text/html,x",
            "ai_keywords": ["a", "A", "a", 3, "  spaced   out "],
            "organization": "a string",
        },
        "thumbnail": "//cdn.example/x.png",
        "numComments": True,
    }
    with caplog.at_level(logging.WARNING):
        paper = normalise_item(item)
    assert paper.authors == () and paper.upvotes is None and paper.comments is None
    assert paper.github_repo is None and paper.project_page is None and paper.thumbnail is None
    assert paper.ai_keywords == ("a", "A", "spaced out")
    assert paper.organization is None
    assert "githubRepo" in caplog.text and "only http(s)" in caplog.text
    item["paper"]["githubRepo"] = "https://github.com@evil.example/a/b"
    with caplog.at_level(logging.WARNING):
        assert normalise_item(item).github_repo is None
    assert ("paper 2503.02130: dropped githubRepo 'https://github.com@evil.example/a/b': a link holding a user name "
            "or password is not kept") in caplog.text
    # each dropped field is named, as a bad link or date is
    for said in ("dropped authors 'not a list': not a list", "dropped upvotes '12': not a count",
                 "dropped numComments True: not a count", "dropped a keyword that is not text: 3",
                 "dropped organization 'a string': not an object"):
        assert f"paper 2503.02130: {said}" in caplog.text


def test_an_item_cannot_weigh_megabytes_on_every_page_it_is_listed_on(caplog: pytest.LogCaptureFixture) -> None:
    """A 2,000,000-character title made 14 files of 2 MB or more (home, day, keyword pages, feed); 5,000 keywords
    on two items made 5,001 keyword folders (the odd-data review). Texts are clipped, keywords capped, each said."""
    from papermirror.fetch.normalise import LONGEST_KEYWORD, MOST_CHARACTERS, MOST_KEYWORDS

    item = {"paper": {"id": "2608.10011", "title": "Huge " * 400_000, "summary": "a" * 2_000_000,
                      "ai_summary": "s" * 6_000, "authors": [{"name": "N" * 1_000}, {"name": "Ada"}],
                      "organization": {"fullname": "O" * 400},
                      "ai_keywords": ["k" * 201, *(f"kw{n}" for n in range(5_000))]}}
    with caplog.at_level(logging.WARNING):
        paper = normalise_item(item)
    assert len(paper.title) <= MOST_CHARACTERS["title"] and paper.title.startswith("Huge Huge")
    assert paper.title.endswith("…") and len(paper.abstract) == MOST_CHARACTERS["summary"]
    assert len(paper.ai_summary) == MOST_CHARACTERS["ai_summary"] and len(paper.authors[0]) == 300
    assert paper.authors[1] == "Ada" and len(paper.organization) == 300
    assert paper.ai_keywords == tuple(f"kw{n}" for n in range(MOST_KEYWORDS))
    for said in ("title of 1999999 characters clipped to 1000", "summary of 2000000 characters clipped to 10000",
                 f"dropped a keyword of 201 characters (at most {LONGEST_KEYWORD})", "5000 keywords; the first 100 kept"):
        assert f"paper 2608.10011: {said}" in caplog.text
    recorded = [normalise_item(item) for items in load_recorded_days().values() for item in items]
    assert max(len(paper.title) for paper in recorded) * 5 < MOST_CHARACTERS["title"], "far above any real title"
    assert max(len(paper.ai_keywords) for paper in recorded) * 2 < MOST_KEYWORDS


def test_a_paper_keeps_its_first_authors_up_to_a_bound(caplog: pytest.LogCaptureFixture) -> None:
    """20,000 authors made a paper page of 2.4 MB and a feed of 2.1 MB (the hostile-hub review): the first
    MOST_AUTHORS are kept, which is said; the recorded papers' longest list stays far below it."""
    from papermirror.fetch.normalise import MOST_AUTHORS

    item = {"paper": {"id": "2608.10012", "title": "Many hands",
                      "authors": [{"name": f"Author {n}", "hidden": n == 0} for n in range(20_001)]}}
    with caplog.at_level(logging.WARNING):
        paper = normalise_item(item)
    assert paper.authors == tuple(f"Author {n}" for n in range(1, MOST_AUTHORS + 1))  # the hidden one not counted
    assert f"paper 2608.10012: 20000 authors; the first {MOST_AUTHORS} kept" in caplog.text
    recorded = [normalise_item(item) for items in load_recorded_days().values() for item in items]
    assert max(len(paper.authors) for paper in recorded) * 4 < MOST_AUTHORS


def test_only_a_hidden_flag_of_true_hides_an_author(caplog: pytest.LogCaptureFixture) -> None:
    """"hidden": "false" (a flag of the wrong type) left Ada out without a word: a name was lost."""
    authors = [{"name": "Ada", "hidden": "false"}, {"name": "Alan", "hidden": 0}, {"name": "Grace", "hidden": True},
               {"name": "Edsger", "hidden": False}, {"name": "Barbara"}, "Donald"]
    with caplog.at_level(logging.WARNING):
        paper = normalise_item({"paper": {"id": "2611.00001", "title": "T", "authors": authors}})
    assert paper.authors == ("Ada", "Alan", "Edsger", "Barbara")
    assert "paper 2611.00001: author 'Ada' has a hidden flag that is not true or false ('false'): shown" in caplog.text
    assert "author 'Alan' has a hidden flag" in caplog.text and "Grace" not in caplog.text
    assert "dropped an author that is not an object: 'Donald'" in caplog.text


def test_lone_surrogates_become_replacement_characters_in_every_text_field() -> None:
    item = {
        "paper": {
            "id": "2501.00001",
            "title": "Title \ud800",
            "summary": "Abstract \udfff end.",
            "authors": [{"name": "Ada \udc00"}],
            "ai_summary": "Summary \ud800",
            "ai_keywords": ["keyword \ud800"],
            "organization": {"fullname": "Org \ud800"},
        }
    }
    paper = normalise_item(item)
    texts = (paper.title, paper.abstract, paper.ai_summary, paper.organization, *paper.authors, *paper.ai_keywords)
    assert all("\ufffd" in text for text in texts)
    assert paper.title == "Title \ufffd" and paper.abstract == "Abstract \ufffd end."
    assert normalise_item({"id": "2501.00001", "title": "\ud83d\ude80"}).title == "🚀"


NASTY = [
    "\ud800", "\udfff\ud800", "\r", "\r\n", "\n\r", "\x00", "\x0b", "\x0c", "\x1c", "\x1b[31m", "\x7f", "\x85",
    "\u2028", "\u2029", "\ufeff", "\ufffe", "<!-- notes -->", "\n<!-- notes -->\n", "\n\n<!-- notes -->\n\n",
    "\n\\<!-- notes -->\n", "\n\n\\\\<!-- notes -->", "---", "\n---\n", "\n\n---\n\n", "\t", "'\"", "\\",
]


@pytest.mark.parametrize("nasty", NASTY, ids=[repr(n) for n in NASTY])
def test_whatever_the_hub_sends_is_stored_and_read_back_unchanged(nasty: str, tmp_path) -> None:
    text = f"a{nasty}b"
    item = {
        "paper": {
            "id": "2501.00001",
            "title": f"Title {text}",
            "summary": f"{text}\n\n{nasty}\n\nlast {text}",
            "authors": [{"name": text}, {"name": "B"}],
            "ai_summary": text,
            "ai_keywords": [text],
            "organization": {"fullname": text},
            "publishedAt": "2025-01-02T00:00:00.000Z",
        },
    }
    paper = normalise_item(item, listed_on="2025-01-06", query="masked autoencoder")
    assert paper is not None
    assert text_to_paper(paper_to_text(paper)) == paper
    write_paper(tmp_path, paper)
    path = paper_path(tmp_path, paper.id)
    assert read_paper(path) == paper
    assert text_to_paper(path.read_bytes().decode("utf-8"), path) == paper  # as the build's cache reads it


@pytest.mark.parametrize(
    "key, value",
    [
        ("publishedAt", "2025-02-30"),
        ("publishedAt", "2025-13-45T00:00:00.000Z"),
        ("publishedAt", "0000-01-01"),
        ("publishedAt", "1990-12-31T00:00:00.000Z"),
        ("publishedAt", "2999-01-01T00:00:00.000Z"),
        ("publishedAt", "2025-W01-1"),
        ("publishedAt", "2025-01-02garbage"),
        ("publishedAt", 20250102),
        ("submittedOnDailyAt", "2025-13-01T10:00:00.000Z"),
        ("submittedOnDailyAt", "2025-02-29T10:00:00.000Z"),
    ],
)
def test_impossible_and_implausible_dates_are_dropped_with_a_warning(key: str, value: object, caplog: pytest.LogCaptureFixture) -> None:
    item = {"paper": {"id": "2501.00001", "title": "T", key: value}}
    with caplog.at_level(logging.WARNING):
        paper = normalise_item(item, listed_on="2025-01-06")
    assert paper is not None and paper.published is None and paper.daily == ("2025-01-06",)
    assert "paper 2501.00001" in caplog.text and key in caplog.text


def test_real_dates_up_to_tomorrow_are_kept() -> None:
    import datetime as dt

    tomorrow = (dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)).isoformat()
    item = {"paper": {"id": "2501.00001", "title": "T", "publishedAt": "2024-02-29T00:00:00.000Z",
                      "submittedOnDailyAt": f"{tomorrow}T01:00:00.000Z"}}
    paper = normalise_item(item)
    assert paper.published == "2024-02-29" and paper.daily == (tomorrow,)
    assert normalise_item({"id": "2501.00001", "title": "T", "publishedAt": "1991-08-14"}).published == "1991-08-14"


def test_a_link_with_spaces_around_it_is_kept_without_them(caplog: pytest.LogCaptureFixture) -> None:
    """HF's listing has a projectPage ' https://sites.google.com/view/...': a link all the same; a hidden scheme
    behind the spaces is still refused."""
    item = {"paper": {"id": "2503.02130", "title": "T", "projectPage": " https://sites.google.com/view/x \n",
                      "githubRepo": "  JavaScript:alert(1)"}}
    with caplog.at_level(logging.WARNING):
        paper = normalise_item(item)
    assert paper.project_page == "https://sites.google.com/view/x"
    assert paper.github_repo is None and "githubRepo" in caplog.text and "projectPage" not in caplog.text


def test_a_day_listing_files_a_paper_under_that_day_whatever_its_submittedondailyat(caplog: pytest.LogCaptureFixture) -> None:
    """One listing's submittedOnDailyAt of 1995 filed the paper under 1995 for good (days are merged as a union).
    On the 580 recorded days it is always the day listed; a search result has only it."""
    item = {"paper": {"id": "2611.00010", "title": "T", "submittedOnDailyAt": "1995-01-01T00:00:00.000Z"}}
    with caplog.at_level(logging.WARNING):
        assert normalise_item(item, listed_on="2026-12-02").daily == ("2026-12-02",)
    assert "submittedOnDailyAt 1995-01-01 is not the day it was listed on (2026-12-02)" in caplog.text
    assert normalise_item(item).daily == ("1995-01-01",)  # a search result: the only day it has


def test_an_id_with_an_arxiv_version_is_the_paper_without_it(caplog: pytest.LogCaptureFixture) -> None:
    """'2612.00014v2' was stored as a paper of its own beside '2612.00014'."""
    with caplog.at_level(logging.WARNING):
        assert normalise_item({"paper": {"id": "2612.00014v2", "title": "T"}}).id == "2612.00014"
        assert normalise_item({"paper": {"id": "hep-th/9901001v3", "title": "T"}}).id == "hep-th/9901001"
    assert "listed with an arXiv version; kept as 2612.00014" in caplog.text


@pytest.mark.parametrize("paper_id", ["a/0000000", "evil/9901001", "hep-th/9913001", "hep-th/9900001"])
def test_an_old_style_id_needs_a_real_archive_and_month(paper_id: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert normalise_item({"paper": {"id": paper_id, "title": "T"}}) is None
    assert "not a usable arXiv id" in caplog.text


def test_names_and_keywords_that_show_nothing_are_dropped() -> None:
    """'' or '  ' as an author gave an empty <name> in the feed and ';   ' in the citation tag."""
    paper = normalise_item({"paper": {"id": "2503.02130", "title": "T",
                                      "authors": [{"name": ""}, {"name": "  "}, {"name": "\u202e"}, {"name": "Ada Lovelace"}],
                                      "ai_keywords": ["\u0001", "LoRA", "\u200b"],
                                      "organization": {"fullname": "\u202e", "name": "Meta"}}})
    assert paper.authors == ("Ada Lovelace",) and paper.ai_keywords == ("LoRA",) and paper.organization == "Meta"
