"""Arranging the papers: newest first, by day and month, keywords folded into pages with safe slugs."""

from __future__ import annotations

import hashlib

import pytest
from samples import make_paper, parse, write_archive

from papermirror.content.paperfile import write_paper
from papermirror.errors import ContentError
from papermirror.site import archive as archive_module
from papermirror.site.archive import (
    assign_slugs,
    build_archive,
    keyword_min_papers,
    normalise_keyword,
    settled,
    singular,
    slugify,
)

CASED = [
    make_paper("2503.00001", "A", ai_keywords=("LoRA", "FID", "Causal Attention")),
    make_paper("2503.00002", "B", ai_keywords=("lora", "fid", "causal attention", "Dynamic Tanh (DyT)")),
    make_paper("2503.00003", "C", ai_keywords=("LoRA", "INT4", "Dynamic Tanh (DyT)")),
    make_paper("2503.00004", "D", ai_keywords=("int4",)),
]
"""Spellings of one keyword: LoRA on two papers, lora on one; the other pairs are ties."""


def test_papers_are_filed_by_first_daily_day_else_arxiv_day(tmp_path):
    papers = {p.id: p for p in [
        make_paper("2503.00001", "Listed twice", daily=("2025-03-14", "2025-02-18"), upvotes=1),
        make_paper("2503.00002", "Same day, more upvotes", daily=("2025-03-14",), upvotes=9),
        make_paper("2503.00003", "Never listed", published="2025-03-02", daily=()),
        make_paper("2503.00004", "Undated", published=None, daily=()),
    ]}
    archive = build_archive(papers, tmp_path)
    assert archive.newest == ("2503.00002", "2503.00001", "2503.00003", "2503.00004")
    assert archive.days == {"2025-03-02": ("2503.00003",), "2025-03-14": ("2503.00002", "2503.00001")}
    assert archive.months == {"2025-03": ("2503.00002", "2503.00001", "2503.00003")}
    assert archive.updated == "2025-03-15T08:00:00Z"


def test_keywords_fold_case_and_spacing_and_need_two_papers(tmp_path):
    papers = {p.id: p for p in [
        make_paper("2503.00001", "A", ai_keywords=("Masked  Image Modeling", "only here")),
        make_paper("2503.00002", "B", ai_keywords=("masked image modeling", "MASKED IMAGE MODELING")),
        make_paper("2503.00003", "C", ai_keywords=("masked image modeling",)),
    ]}
    archive = build_archive(papers, tmp_path)
    assert list(archive.keywords) == ["masked image modeling"]
    assert archive.keywords["masked image modeling"].slug == "masked-image-modeling"
    assert archive.paper_keywords["2503.00002"] == ("masked image modeling",)
    assert archive.single_keywords == 1
    assert normalise_keyword("Ｖｉｔ\u00a0L") == "vit l"
    # a hyphen is a space: "vision-language models" (228 papers of the recorded stream) = "vision language models" (25)
    assert normalise_keyword("Vision-Language  Models") == normalise_keyword("vision language\u2011models") == "vision language model"
    assert normalise_keyword("vision--language models") == "vision language model" and normalise_keyword("-") == ""
    # a plural, and an acronym in closing parentheses: "large language models" was on five pages of its own
    spellings = ("large language models", "Large Language Models (LLMs)", "large language model", "Large-Language-Model")
    assert {normalise_keyword(spelling) for spelling in spellings} == {"large language model"}
    assert normalise_keyword("LLMs") == normalise_keyword("LLM (Large Language Model)") == "llm"
    for kept in ("cross-entropy loss", "text corpus", "data analysis", "GPUs", "(SFT)", "Vision (2D) models"):
        assert normalise_keyword(kept) == {"cross-entropy loss": "cross entropy loss", "GPUs": "gpus", "(SFT)": "(sft)",
                                           "Vision (2D) models": "vision (2d) model"}.get(kept, kept.lower())


def test_plurals_and_acronyms_share_one_page_whose_address_nothing_but_the_keyword_moves(tmp_path):
    """"Vision Foundation Models (VFMs)", "vision foundation model" and "vision foundation models" had a page each, a
    part of the list on each. One page now, at the folded keyword's address, which neither the spellings of new
    papers nor a refresh of a paper's keywords moves."""
    def paper(paper_id, keyword, first_seen):
        return make_paper(paper_id, "T", ai_keywords=(keyword,), first_seen=first_seen)

    papers = {p.id: p for p in [
        paper("2503.00001", "Vision Foundation Models (VFMs)", "2025-03-01T08:00:00Z"),
        paper("2503.00002", "vision foundation model", "2025-03-02T08:00:00Z"),
        paper("2503.00003", "vision foundation model", "2025-03-03T08:00:00Z"),
    ]}
    archive = build_archive(papers, tmp_path)
    assert [(k.name, k.slug, len(k.paper_ids)) for k in archive.keywords.values()] == [
        ("vision foundation model", "vision-foundation-model", 3)]
    for number in range(4, 9):  # the plural, newer, becomes the most common spelling: the address stays
        papers[f"2503.0000{number}"] = paper(f"2503.0000{number}", "vision foundation models", f"2025-03-0{number}T08:00:00Z")
    papers["2503.00001"] = paper("2503.00001", "Vision-Foundation-Models", None)  # refreshed, and without first_seen
    archive = build_archive(papers, tmp_path)
    assert [(k.name, k.slug, len(k.paper_ids)) for k in archive.keywords.values()] == [
        ("vision foundation models", "vision-foundation-model", 8)]
    assert archive.paper_keywords["2503.00001"] == ("vision foundation models",)


@pytest.mark.parametrize(("plural", "one"), [
    ("models", "model"), ("llms", "llm"), ("studies", "study"), ("trajectories", "trajectory"), ("patches", "patch"),
    ("approaches", "approach"), ("meshes", "mesh"), ("boxes", "box"), ("losses", "loss"), ("processes", "process"),
    ("responses", "response"), ("objectives", "objective"), ("caches", "cache"), ("biases", "bias"), ("axes", "axis"),
    ("hypotheses", "hypothesis"), ("metrics", "metric"), ("sizes", "size"), ("vits", "vit"),
])
def test_a_keyword_s_last_word_is_made_singular(plural, one):
    assert singular(plural) == one and singular(one) == one  # a singular stays as it is


@pytest.mark.parametrize("word", ["loss", "corpus", "analysis", "dynamics", "robotics", "physics", "series", "bias", "lens",
                                  "vit", "chaos", "news"])
def test_a_word_that_is_no_plural_stays(word):
    assert singular(word) == word


def test_a_name_ending_in_of_and_a_plural_keeps_it():
    assert normalise_keyword("Mixture-of-Experts (MoE)") == normalise_keyword("mixture of experts") == "mixture of experts"
    assert normalise_keyword("ablation studies") == "ablation study" and normalise_keyword("KV caches") == "kv cache"


def test_slugs_are_ascii_bounded_and_unique():
    assert slugify("<img src=x> Ünïcode / ViT-L!") == "img-src-x-unicode-vit-l"
    assert slugify("日本語") == "" and len(slugify("x" * 200)) == 60
    slugs = assign_slugs(["c++", "c##", "日本語"])
    assert slugs["c##"] == "c" and slugs["c++"].startswith("c-") and slugs["日本語"] == "keyword"
    assert len(set(slugs.values())) == 3


def test_a_name_from_the_hub_cannot_take_another_name_s_page():
    """"/" clashes with ".." on "keyword" and gets "keyword-<digest>"; a keyword spelled as that slug must not share it."""
    digest = hashlib.sha1(b"/").hexdigest()
    names = ["..", "/", *(f"keyword {digest[:size]}" for size in (8, 12, 16, 40)), f"keyword {digest} 2"]
    slugs = assign_slugs(names)
    assert len(set(slugs.values())) == len(names)
    assert slugs[f"keyword {digest[:8]}"] == f"keyword-{digest[:8]}" and slugs[".."] == "keyword"  # plain slugs stay put
    assert slugs["/"] == f"keyword-{digest}-3"
    assert assign_slugs(reversed(names)) == slugs  # the order names come in changes nothing


@pytest.mark.parametrize("kind", ["keyword", "organization"])
def test_a_name_that_gets_its_page_later_never_takes_an_older_page_s_address(tmp_path, kind):
    """"masked image (modeling) mim" sorts before "masked image modeling mim" and slugs the same: when it reaches
    two papers, the older page keeps its address (and its feed's id), whichever name comes first in order."""
    def paper(paper_id, name, day, first_seen):
        names = {"ai_keywords": (name,)} if kind == "keyword" else {"organization": name}
        return make_paper(paper_id, "T", daily=(day,), first_seen=first_seen, **names)

    papers = {p.id: p for p in [
        paper("2503.00001", "masked image modeling mim", "2025-03-14", "2025-03-14T08:00:00Z"),
        paper("2503.00002", "masked image modeling mim", "2025-03-15", "2025-03-15T08:00:00Z"),
        paper("2503.00003", "masked image (modeling) mim", "2025-03-13", "2025-03-13T08:00:00Z"),
    ]}
    pages = lambda archive: archive.keywords if kind == "keyword" else archive.organizations  # noqa: E731
    before = pages(build_archive(papers, tmp_path))
    assert [(name, page.slug) for name, page in before.items()] == [("masked image modeling mim", "masked-image-modeling-mim")]
    papers["2503.00004"] = paper("2503.00004", "masked image (modeling) mim", "2025-03-16", "2025-03-16T08:00:00Z")
    after = pages(build_archive(papers, tmp_path))
    assert after["masked image modeling mim"].slug == "masked-image-modeling-mim"
    assert after["masked image (modeling) mim"].slug.startswith("masked-image-modeling-mim-")
    # the same two names, the other way round in time: the older page is the spaced one's, and it keeps it
    for paper_id, name in [("2503.00001", "masked image (modeling) mim"), ("2503.00002", "masked image (modeling) mim"),
                           ("2503.00003", "masked image modeling mim"), ("2503.00004", "masked image modeling mim")]:
        papers[paper_id] = paper(paper_id, name, papers[paper_id].day, papers[paper_id].first_seen)
    swapped = pages(build_archive(papers, tmp_path))
    assert swapped["masked image (modeling) mim"].slug == "masked-image-modeling-mim"
    assert swapped["masked image modeling mim"].slug.startswith("masked-image-modeling-mim-")


@pytest.mark.parametrize(("field", "value"), [("published", "2025-02-30"), ("daily", ("2025-13-01",)),
                                              ("refreshed", "yesterday")])
def test_impossible_dates_are_refused_naming_the_file(tmp_path, field, value):
    paper = make_paper("2503.00001", "Bad", **{field: value})
    with pytest.raises(ContentError, match=r"2503\.00001\.md: (published|daily|refreshed): not a"):
        build_archive({paper.id: paper}, tmp_path)


def test_keywords_are_shown_in_their_most_common_spelling(tmp_path):
    archive = build_archive({p.id: p for p in CASED}, tmp_path)
    # "LoRA" is on more papers; a tie goes to fewer Title-Case words, then to the spelling that sorts first.
    assert list(archive.keywords) == ["causal attention", "Dynamic Tanh (DyT)", "FID", "INT4", "LoRA"]  # "(DyT)" and a plural are folded, not shown
    assert [k.slug for k in archive.keywords.values()] == ["causal-attention", "dynamic-tanh", "fid", "int4", "lora"]
    assert archive.keywords["LoRA"].name == "LoRA" and archive.keywords["LoRA"].paper_ids == ("2503.00003", "2503.00002",
                                                                                               "2503.00001")
    assert archive.paper_keywords["2503.00002"] == ("LoRA", "FID", "causal attention", "Dynamic Tanh (DyT)")
    reordered = build_archive({p.id: p for p in reversed(CASED)}, tmp_path)
    assert reordered.keywords == archive.keywords and reordered.paper_keywords == archive.paper_keywords


def test_pages_show_the_spelling_and_follow_it_when_it_changes(mirror, run_cli):
    write_archive(mirror, CASED)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    page = (site / "papers/2503.00002/index.html").read_text(encoding="utf-8")
    assert '<li data-pagefind-filter="keyword"><a href="/mirror/keywords/lora/">LoRA</a>' in page and ">lora<" not in page
    assert ">Dynamic Tanh (DyT)</a>" in page and ">FID</a>" in page
    assert parse(site / "keywords/lora/index.html").h1.strip() == "Keyword: LoRA"
    assert ">LoRA</a>" in (site / "keywords/index.html").read_text(encoding="utf-8")
    for number in ("2503.00005", "2503.00006"):  # now "lora" is on three papers, "LoRA" on two
        write_paper(mirror / "content", make_paper(number, "E", ai_keywords=("lora",)))
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    unchanged = (site / "papers/2503.00001/index.html").read_text(encoding="utf-8")  # its file did not change
    assert '<li data-pagefind-filter="keyword"><a href="/mirror/keywords/lora/">lora</a>' in unchanged and ">LoRA<" not in unchanged
    assert parse(site / "keywords/lora/index.html").h1.strip() == "Keyword: lora"


def test_a_big_archive_gives_pages_to_keywords_of_one_paper_in_a_thousand():
    assert [keyword_min_papers(n) for n in (0, 220, 2_000, 2_001, 9_877, 10_007, 100_000)] == [2, 2, 2, 3, 10, 11, 100]


def test_keywords_below_the_archive_s_threshold_have_no_page(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "KEYWORD_PAGE_SHARE", 1)  # 3 papers: a keyword needs all 3 for a page
    papers = {p.id: p for p in [
        make_paper("2503.00001", "A", ai_keywords=("everywhere", "twice")),
        make_paper("2503.00002", "B", ai_keywords=("everywhere", "twice")),
        make_paper("2503.00003", "C", ai_keywords=("Everywhere", "once")),
    ]}
    archive = build_archive(papers, tmp_path)
    assert archive.keyword_min_papers == 3 and list(archive.keywords) == ["everywhere"]
    assert archive.single_keywords == 2 and archive.paper_keywords["2503.00001"] == ("everywhere", "twice")


def test_the_settled_papers_are_those_before_the_newest_month_unless_they_are_under_half():
    months = [make_paper(f"25{m:02d}.0000{n}", "P", daily=(f"2025-{m:02d}-0{n + 1}",)) for m in (1, 2, 3) for n in range(2)]
    undated = make_paper("2503.00009", "Undated", daily=(), published=None)
    assert settled(months) == [True, True, True, True, False, False]
    assert settled([*months, undated]) == [True, True, True, True, False, False, False]  # no day: not settled
    assert settled(months[2:]) == [True, True, False, False]  # 2 of 4 settled: half, still the rule ...
    assert settled(months[3:]) == [True] * 3  # ... 1 of 3: a young archive, every paper counts


def test_keyword_filters_and_spellings_come_from_the_settled_papers(tmp_path):
    """A day's new papers give a keyword a page at once, but make it a search filter, or respell it, only when
    the month turns: what the search index holds of the older papers stays as it was until then."""
    papers = {p.id: p for p in [
        make_paper("2501.00001", "Old A", daily=("2025-01-10",), ai_keywords=("LoRA", "pair of old", "one old")),
        make_paper("2501.00002", "Old B", daily=("2025-01-11",), ai_keywords=("pair of old",)),
        make_paper("2502.00001", "Old C", daily=("2025-02-10",), ai_keywords=("other",)),
        make_paper("2503.00001", "New A", daily=("2025-03-10",), ai_keywords=("lora", "one old")),
        make_paper("2503.00002", "New B", daily=("2025-03-11",), ai_keywords=("lora", "new pair")),
        make_paper("2503.00003", "New C", daily=("2025-03-12",), ai_keywords=("new pair",)),
    ]}
    archive = build_archive(papers, tmp_path)
    assert set(archive.keywords) == {"LoRA", "pair of old", "one old", "new pair"}  # pages: every paper counts
    assert archive.keyword_filters == {"pair of old"}  # filters: the 3 settled papers only
    assert archive.paper_keywords["2503.00002"] == ("LoRA", "new pair")  # lora on 2 new papers, LoRA on the settled one
    turned = {**papers, "2504.00001": make_paper("2504.00001", "April", daily=("2025-04-01",))}
    archive = build_archive(turned, tmp_path)
    assert archive.keyword_filters == {"pair of old", "lora", "one old", "new pair"}  # "other": one paper
    assert archive.paper_keywords["2501.00001"][0] == "lora"  # respelled when the month turned: lora on 2 of 3
