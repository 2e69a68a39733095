"""`build.py search`: lunr.py over content/, with the index cached in .cache/ and rebuilt on change."""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from archive import PAPERS, write_archive
from lunr import lunr
from lunr.exceptions import BaseLunrException
from lunr.query import Clause, Query
from lunr.query_parser import QueryParser
from lunr.token_set import TokenSet

from papermirror.config import load_config
from papermirror.content.paper import Paper, content_relpath
from papermirror.content.paperfile import read_papers
from papermirror.search.cache import cache_path, cache_prefix, load_index, read_token_terms
from papermirror.search.query import expand, rank
from papermirror.search.store import build_index
from papermirror.search.terminal import run_search, trimmed_as_indexed
from papermirror.search.terms import FIELD_NAMES, FIELDS, folded, paper_document


def parse(query: str) -> Query:
    return QueryParser(query, Query(list(FIELD_NAMES))).parse()

ODD_TEXT = Paper(
    id="2501.00001",
    title="Über-große İstanbul\xa0ΣΑΣ models \u2014 pre-training\tvs.\nfine\u2010tuning (ViT-B/16); C++ & naïve ﬁts",
    authors=("Zoë O'Brien-Smith", "J.-P. Müller", "李 雷"),
    published="2025-01-01",
    abstract="x--y  ---  $\\alpha$-scaling, U.S.A., 3.14, e.g., \"quoted\" 'single' \u200bzero\u2028line\x0bvt\x0cff\r"
    "the THE a An -- \\$5 $m^2$ ... !!! pre*fix tri~ck ^boost +plus -minus field:value",
    ai_keywords=("masked image modeling", "x-ray"),
)
"""A paper whose text tries lunr's tokenizer: every separator, Unicode case folding, punctuation."""


@pytest.fixture(autouse=True)
def _forget_log_handlers():
    """build.main() points logging at this test's captured stderr; drop that handler afterwards."""
    yield
    logging.getLogger().handlers.clear()


@pytest.fixture
def archive(mirror: Path) -> Path:
    write_archive(mirror / "content")
    return mirror


def ids(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines()]


def index_contents(index) -> tuple:
    """Everything an index holds, as plain values."""
    postings = [(term, index.posting(term)) for term in index.terms]
    papers = [index.paper(number) for number in range(index.paper_count)]
    return postings, papers, index.zero_vectors


def test_plain_words_rank_the_best_match_first(archive, run_cli):
    code, out, err = run_cli("search", "masked", "autoencoders", config=archive / "mirror.yml")
    assert code == 0, err
    assert ids(out)[0] == "2111.06377"
    first = out.splitlines()[0]
    assert "2021-11-12" in first and "Masked Autoencoders Are Scalable Vision Learners" in first


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:mamba", ["2312.00752"]),
        ("author:hopper", ["2503.05678"]),
        ("keyword:tokenizer", ["2503.05678"]),
        ("+author:kaiming +title:masked", ["2111.06377"]),
        ("id:2405.14908", ["2405.14908"]),
    ],
)
def test_field_queries(archive, run_cli, query, expected):
    code, out, err = run_cli("search", query, config=archive / "mirror.yml")
    assert code == 0, err
    assert ids(out) == expected


def test_a_word_only_in_one_abstract(archive, run_cli):
    code, out, _ = run_cli("search", "zanzibarite", config=archive / "mirror.yml")
    assert code == 0
    assert ids(out) == ["2502.01234"]


def test_wildcards_and_required_and_prohibited_terms(archive, run_cli):
    config = archive / "mirror.yml"
    _, out, _ = run_cli("search", "title:pretrain*", config=config)
    assert set(ids(out)) == {"2405.14908", "2502.01234", "2503.05678"}
    _, out, _ = run_cli("search", "+title:pretrain* -title:scaling", config=config)
    assert ids(out) == ["2503.05678"]
    _, out, _ = run_cli("search", "+masked +image", config=config)
    assert set(ids(out)) == {"2111.06377", "2502.01234"}


def test_json_lines_and_limit(archive, run_cli):
    code, out, _ = run_cli("search", "--json", "--limit", "2", "pretraining", config=archive / "mirror.yml")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 2
    assert set(records[0]) == {"id", "date", "title", "score"}
    assert records[0]["score"] >= records[1]["score"] > 0


def test_no_results_is_not_an_error(archive, run_cli):
    code, out, err = run_cli("search", "quuxification", config=archive / "mirror.yml")
    assert code == 0
    assert out == ""
    assert "no results" in err
    code, out, err = run_cli("search", "--json", "quuxification", config=archive / "mirror.yml")
    assert (code, out) == (0, "") and "no results" in err  # as README says: stdout stays clean, stderr says it


@pytest.mark.parametrize(
    ("query", "says"),
    [("venue:neurips", 'Unrecognized field "venue"'), ("title:", "Expected term"), ("mamba^high", "Boost must be numeric")],
)
def test_malformed_query_is_a_clear_message(archive, run_cli, query, says):
    code, out, err = run_cli("search", query, config=archive / "mirror.yml")
    assert code == 2
    assert out == ""
    message = err.splitlines()[-1]
    assert message.startswith(f"error: cannot parse the query {query!r}: ")
    assert says in message and "--help" in message
    assert "Traceback" not in err


def test_quotes_say_that_phrases_are_not_supported(archive, run_cli):
    code, out, err = run_cli("search", 'title:"masked image" modeling', config=archive / "mirror.yml")
    assert (code, out) == (2, "") and "Traceback" not in err
    assert "quotes are not supported" in err and "search '+title:masked +title:image modeling'" in err


def test_an_edit_distance_above_two_is_refused_before_lunr_builds_its_automaton(archive, run_cli):
    for query in ("vision~3", "title:mask~100 +vision"):
        code, out, err = run_cli("search", query, config=archive / "mirror.yml")
        assert (code, out) == (2, "") and "Traceback" not in err
        assert "at most ~2 edits a word" in err.splitlines()[-1]
    assert run_cli("search", "vison~2", config=archive / "mirror.yml")[0] == 0


@pytest.mark.parametrize("term", ["*x*x*x*y", "*x*", "x*x", "*xx*x*", "a*b*c", "*", "**", "*a**b*"])
def test_a_wildcard_matches_as_lunr_does_and_a_long_word_cannot_stall_it(term):
    """The words a wildcard term keeps are the ones lunr's automaton accepts, listed in lunr's order; also among
    words on which lunr's own intersection walks billions of paths (a keyword from the hub can be any length)."""
    short = sorted(["xxy", "xy", "x", "abc", "aabbcc", "acb", "ab", "bxxax", "xax", "yx", "xxxxxxxy"])
    clause = Clause(term=term)
    lunrs = TokenSet.from_list(short).intersect(TokenSet.from_clause(clause)).to_list()
    assert expand(SimpleNamespace(terms=short), clause) == lunrs
    assert sorted(lunrs) == [word for word in short if fnmatch.fnmatchcase(word, term)]
    words = sorted([*short, "x" * 3000, "x" * 2999 + "y", "xa" * 1500 + "b" + "c" * 1000])
    assert sorted(expand(SimpleNamespace(terms=words), clause)) == [word for word in words if fnmatch.fnmatchcase(word, term)]


def test_bad_limit_and_missing_content_are_messages(mirror, run_cli, capsys):
    # an empty content/ (a reset fork before its first snapshot) is an empty archive, as for the build
    code, out, err = run_cli("search", "mamba", config=mirror / "mirror.yml")
    assert (code, out, err.splitlines()[-1]) == (0, "", "no results")
    (mirror / "content").rmdir()
    code, _, err = run_cli("search", "mamba", config=mirror / "mirror.yml")
    assert code == 2 and "content: no such folder; run `python build.py snapshot` first" in err.replace(os.sep, "/")
    with pytest.raises(SystemExit) as exit_info:
        run_cli("search", "--limit", "0", "mamba", config=mirror / "mirror.yml")
    assert exit_info.value.code == 2
    assert "not a whole number of 1 or more" in capsys.readouterr().err


def test_index_is_cached_outside_site_and_rebuilt_only_on_change(archive, run_cli):
    config = load_config(archive / "mirror.yml")
    run_cli("search", "mamba", config=archive / "mirror.yml")
    cached = cache_path(config)
    assert cached.is_file() and archive / ".cache" in cached.parents
    assert not (archive / "site").exists()
    built_at = cached.stat().st_mtime_ns

    _, out, err = run_cli("search", "zanzibarite", config=archive / "mirror.yml")
    assert ids(out) == ["2502.01234"]
    assert "indexing" not in err and cached.stat().st_mtime_ns == built_at

    paper = PAPERS[2].replace(abstract=PAPERS[2].abstract + " Also zanzibarite, pretrainings.")
    write_archive(archive / "content", (paper,))
    _, out, err = run_cli("search", "zanzibarite", config=archive / "mirror.yml")
    assert "indexing" in err
    assert set(ids(out)) == {"2502.01234", "2405.14908"}
    # the rebuild took the terms of known tokens from the old cache, and indexed as from scratch
    assert read_token_terms(cached, cache_prefix())["pretrainings."] == "pretrain"
    assert index_contents(load_index(config)) == index_contents(build_index(read_papers(archive / "content")))


def test_an_index_another_code_made_is_made_again(archive, run_cli, monkeypatch):
    """Another tokeniser must index again; the cache said only the format, lunr's version and content/."""
    from papermirror.search import cache

    assert "indexing" in run_cli("search", "mamba", config=archive / "mirror.yml")[2]
    assert "indexing" not in run_cli("search", "mamba", config=archive / "mirror.yml")[2]
    monkeypatch.setattr(cache, "code_digest", lambda *parts: "another code")
    _, out, err = run_cli("search", "zanzibarite", config=archive / "mirror.yml")
    assert "indexing" in err and ids(out) == ["2502.01234"]
    assert "indexing" not in run_cli("search", "mamba", config=archive / "mirror.yml")[2]


def test_an_archive_without_ai_summaries_searches(mirror, run_cli):
    """No paper has an AI summary (as before 2025): the summary field is empty on every paper."""
    write_archive(mirror / "content", tuple(paper.replace(ai_summary=None) for paper in PAPERS))
    code, out, err = run_cli("search", "masked", "autoencoders", config=mirror / "mirror.yml")
    assert code == 0, err
    assert ids(out)[0] == "2111.06377" and "Traceback" not in err
    code, out, err = run_cli("search", "summary:masked", config=mirror / "mirror.yml")
    assert (code, out) == (0, "") and "no results" in err


@pytest.mark.parametrize("damage", [lambda data: b"{not json\n", lambda data: data[:-100]])
def test_corrupt_cache_is_rebuilt(archive, run_cli, damage):
    run_cli("search", "mamba", config=archive / "mirror.yml")
    cached = cache_path(load_config(archive / "mirror.yml"))
    cached.write_bytes(damage(cached.read_bytes()))
    code, out, err = run_cli("search", "mamba", config=archive / "mirror.yml")
    assert code == 0 and ids(out) == ["2312.00752"]
    assert "unreadable search cache" in err


def test_damage_inside_the_cache_found_while_searching_rebuilds_it(archive, run_cli):
    """Same size, same key, bytes flipped in the body (a bad disk block): the index is read a part at a time,
    so the damage shows only while searching; the search then indexes again instead of a traceback."""
    run_cli("search", "mamba", config=archive / "mirror.yml")
    cached = cache_path(load_config(archive / "mirror.yml"))
    data = cached.read_bytes()
    title = data.index(b"Mamba: Linear")  # read only for a result line: bytes no UTF-8 text can hold
    cached.write_bytes(data[:title] + b"\xff" * 13 + data[title + 13:])
    code, out, err = run_cli("search", "mamba", config=archive / "mirror.yml")
    assert code == 0 and ids(out) == ["2312.00752"] and "Traceback" not in err
    assert "damaged search cache, rebuilding it" in err


@pytest.mark.parametrize("part, bytes_", [(0, b"\xff\xff\xff\x7f"), (1, b"\xff" * 8)], ids=["paper number", "weight"])
def test_a_posting_damaged_on_disk_is_found_and_the_cache_rebuilt(archive, run_cli, part, bytes_):
    """A paper number past the last paper stopped the search with an IndexError traceback; a weight read as NaN
    would have scored silently wrong."""
    run_cli("search", "mamba", config=archive / "mirror.yml")
    config = load_config(archive / "mirror.yml")
    index = load_index(config)
    rows = [field * (len(index.terms) + 1) + index.find("mamba") for field in range(len(index.field_offsets))]
    field, row = next((field, row) for field, row in enumerate(rows) if index.starts[row + 1] > index.starts[row])
    at = index.body_start + index.field_offsets[field][part] + len(bytes_) * index.starts[row]  # its first entry there
    cached = cache_path(config)
    data = cached.read_bytes()
    cached.write_bytes(data[:at] + bytes_ + data[at + len(bytes_):])
    code, out, err = run_cli("search", "mamba", config=archive / "mirror.yml")
    assert code == 0 and ids(out) == ["2312.00752"] and "Traceback" not in err
    assert "damaged search cache, rebuilding it" in err and "holds a paper number or a weight no index has" in err


def test_search_works_when_the_cache_cannot_be_written(archive, run_cli):
    (archive / ".cache").write_text("not a folder", encoding="utf-8")
    code, out, err = run_cli("search", "mamba", config=archive / "mirror.yml")
    assert code == 0 and ids(out) == ["2312.00752"]
    assert "cannot write the search cache" in err and "Traceback" not in err


@pytest.mark.parametrize("query", ["masked", "pretrain*", "mask~1", "+masked -vision", "title:scal* author:ge", "-mamba", "*mba"])
def test_cached_index_answers_like_a_fresh_one(archive, query):
    config = load_config(archive / "mirror.yml")
    fresh = run_search(build_index(read_papers(config.content_dir)), query)
    load_index(config)  # builds and writes the cache
    cached = run_search(load_index(config), query)  # reads it back
    assert [(hit.id, round(hit.score, 6)) for hit in cached] == [(hit.id, round(hit.score, 6)) for hit in fresh]
    assert fresh


# --- the fast path gives what lunr.py itself gives ------------------------------------------------

BARE_PAPERS = (
    Paper(id="2401.00001", title="Masked Image Pretraining at Scale"),
    Paper(id="2401.00002", title="Vision Transformers Need Registers"),
    Paper(id="2312.00003", title="Mamba for vision: scaling state spaces"),
)
"""Papers with every optional field missing: only an id and a title, so four fields empty on all."""


def in_content_order(papers) -> dict[str, Paper]:
    """Papers by id, in the order content.read_papers reads them back."""
    return {paper.id: paper for paper in sorted(papers, key=lambda p: content_relpath(p.id))}


ARCHIVES = {
    "fixture": lambda: in_content_order((*PAPERS, ODD_TEXT)),
    "shipped": None,  # the shipped archive, made once a session (`shipped_content` in conftest.py): `papers_of`
    "no-summary": lambda: in_content_order(paper.replace(ai_summary=None) for paper in (*PAPERS, ODD_TEXT)),
    "one-paper": lambda: in_content_order(PAPERS[:1]),
    "bare": lambda: in_content_order(BARE_PAPERS),
}
"""Archives the fast path is checked on against lunr.py: "no-summary" has the `summary` field empty
on every paper (as every paper before 2025 has), "bare" four empty fields (issue 11)."""


@pytest.fixture(scope="module")
def papers_of(shipped_content):
    """The papers of one of ARCHIVES by name."""
    return lambda archive: read_papers(shipped_content) if archive == "shipped" else ARCHIVES[archive]()
QUERIES = [
    "masked", "masked autoencoders", "pretraining vision", "the", "zanzibarite",  # words, a stop word
    "title:vision", "author:he", "keyword:mask*", "id:2405.14908", "summary:pre*", "abstract:scaling",  # fields
    "pretrain*", "*former", "sc*ing", "*", "title:*a*",  # wildcards
    "vison~1", "mask~2", "t*r~1",  # edit distance
    "+masked +image", "+masked -vision", "-mamba", "-masked -vision", "+quuxification masked",  # presence
    "mamba^10 vision", "vision^0 masked", "+title:pretrain* -author:ge^3 data",  # boosts, mixed
    "quuxification", "naïve ﬁts", "istanbul", "o'brien", "c++", "x", "3.14",  # no result or odd text
]


@pytest.fixture(scope="module")
def reference_index(papers_of):
    """lunr.py's own index of an archive, built by lunr.py (once per module: it is slow)."""
    indexes = {}

    def get(archive: str):
        if archive not in indexes:
            documents = [paper_document(paper) for paper in papers_of(archive).values()]
            indexes[archive] = lunr(ref="id", fields=list(FIELDS), documents=documents)
        return indexes[archive]

    return get


@pytest.fixture(scope="module")
def cached_index(tmp_path_factory, papers_of):
    """The index `build.py search` uses for an archive, written to .cache/ and read back from it."""
    indexes = {}

    def get(archive: str):
        if archive not in indexes:
            folder = tmp_path_factory.mktemp(archive)
            (folder / "mirror.yml").write_text("site:\n  title: Test mirror\n", encoding="utf-8")
            write_archive(folder / "content", tuple(papers_of(archive).values()))
            config = load_config(folder / "mirror.yml")
            load_index(config)  # builds and caches
            indexes[archive] = load_index(config)  # reads the cache
        return indexes[archive]

    return get


@pytest.mark.parametrize("archive", ARCHIVES)
def test_index_holds_what_lunr_builder_makes(archive, reference_index, papers_of):
    """Every term's `_index`, postings and field-vector weight are those of lunr.py's Builder."""
    reference, index = reference_index(archive), build_index(papers_of(archive))
    assert index.terms == sorted(reference.inverted_index)
    ids = [index.paper(number)[0] for number in range(index.paper_count)]
    weights_seen = 0
    for term in index.terms:
        term_index, posting = index.posting(term)
        assert term_index == reference.inverted_index[term]["_index"], term
        for name, (numbers, weights) in zip(FIELD_NAMES, posting):
            refs = [ids[number] for number in numbers]
            assert refs == list(reference.inverted_index[term][name]), (term, name)
            for ref, weight in zip(refs, weights):
                elements = reference.field_vectors[f"{name}/{ref}"].elements
                assert dict(zip(elements[::2], elements[1::2]))[term_index] == weight, (term, name, ref)
            weights_seen += len(weights)
    assert weights_seen == sum(len(vector.elements) // 2 for vector in reference.field_vectors.values())
    zero = {f"{FIELD_NAMES[ref % len(FIELD_NAMES)]}/{ids[ref // len(FIELD_NAMES)]}" for ref in index.zero_vectors}
    assert zero == {ref for ref, vector in reference.field_vectors.items() if vector.elements and vector.magnitude == 0}


@pytest.mark.parametrize("archive", ARCHIVES)
@pytest.mark.parametrize("query", QUERIES)
def test_results_and_scores_are_lunr_index_search(archive, query, reference_index, cached_index):
    """The cached fast path ranks and scores exactly as lunr.py's Index.query, ties and all, of the query `folded`
    as the documents are ("naïve ﬁts" is "naive fits") and its terms trimmed as lunr indexes words ("c++" is c)."""
    hits = run_search(cached_index(archive), query)
    reference = reference_index(archive)
    parsed = trimmed_as_indexed(QueryParser(folded(query), reference.create_query()).parse())
    expected = [(result["ref"], result["score"]) for result in reference.query(parsed)]
    assert [(hit.id, hit.score) for hit in hits] == expected


def test_random_queries_match_lunr(reference_index, cached_index):
    """Queries strung together at random from indexed terms and query syntax (fields, presence, boosts,
    wildcards, edit distances, stray operators) give lunr.py's results, or the same error."""
    rng = random.Random(6)
    index, reference = cached_index("shipped"), reference_index("shipped")
    syntax = ["-", "+", ":", "^", "~", "\\", "title:", "author:", "keyword:", "id:", "^0", "~2", "the", "naïve"]

    def word() -> str:
        text = rng.choice(index.terms) if rng.random() < 0.6 else rng.choice(syntax)
        if rng.random() < 0.2 and len(text) > 2:
            text = text[: rng.randrange(len(text))] + "*"
        prefix = rng.choice(["", "", "", "+", "-", "title:", "+abstract:", "-keyword:"])
        return prefix + text + rng.choice(["", "", "", "", "^3", "~1"])

    def outcome(search, query: str):
        try:
            return search(query)
        except BaseLunrException as exc:
            return type(exc).__name__, str(exc)

    def without_required_common_words(query: str) -> str:  # the one place rank differs from lunr (query.py)
        return " ".join(word for word in query.split(" ") if not re.fullmatch(r"\+(\w+:)?the(\^\d+)?", word))

    required_common = 0
    for _ in range(200):
        query = " ".join(word() for _ in range(rng.randint(1, 4)))
        mine = outcome(lambda q: [(index.paper(n)[0], score) for n, score in rank(index, parse(q))], query)
        theirs = outcome(lambda q: [(result["ref"], result["score"]) for result in reference.search(q)],
                         without_required_common_words(query))
        assert mine == theirs, query
        required_common += query != without_required_common_words(query)
    assert required_common  # the case was met


def test_a_required_common_word_is_ignored_as_the_index_ignores_it(cached_index, reference_index):
    """`+learning +at +scale`, the hint for the phrase "learning at scale", found nothing: lunr requires a match of
    `at`, which no paper's index holds. A required common word is now left out, as an optional one is."""
    index = cached_index("shipped")
    hits = [(hit.id, hit.score) for hit in run_search(index, "+learning +at +scale")]
    assert hits and hits == [(hit.id, hit.score) for hit in run_search(index, "+learning +scale")]
    assert reference_index("shipped").search("+learning +at +scale") == []  # lunr's own answer, for the record
    assert run_search(index, "+the") == [] and run_search(index, "+The +vision") == run_search(index, "+vision")
    assert run_search(index, "+vision -the") == run_search(index, "+vision")
    assert run_search(index, "+the~1 +vision") != run_search(index, "+vision")  # a typo's reach is searched
    # a common word the index holds all the same, as another word's stem ("others" is indexed as `other`): as lunr
    reference = reference_index("shipped")
    for query in ("+other +model", "+have +model", "+be +model", "+us +model"):
        hits = [(hit.id, hit.score) for hit in run_search(index, query)]
        assert hits == [(result["ref"], result["score"]) for result in reference.search(query)], query
        assert len(hits) < len(run_search(index, "+model")), query


@pytest.mark.parametrize("pattern", ["pre*", "*ing", "m*d*", "*", "vison~1", "mask~2", "t*r~1", "ab~1", "x~1", "*a*e*"])
def test_wildcards_expand_to_lunrs_terms_in_lunrs_order(pattern, papers_of):
    """Matching terms come out as lunr's TokenSet over every term lists them (the order moves ties)."""
    index = build_index(papers_of("shipped"))
    term, _, distance = pattern.partition("~")
    clause = Clause(term=term, edit_distance=int(distance or 0))
    expected = TokenSet.from_list(index.terms).intersect(TokenSet.from_clause(clause)).to_list()
    assert expand(index, clause) == expected
    assert expected


def test_accents_and_their_decomposed_forms_are_one_word_as_in_the_browser(mirror, run_cli):
    """A title from macOS comes decomposed (NFD): `search 'génératif'` found only the papers that wrote it composed,
    and `modele` none, where the browser's search (Pagefind) finds all four (the odd-data review)."""
    import unicodedata

    from papermirror.content.paperfile import write_paper

    for number in range(4):
        title = f"Modèle génératif {number} ﬁts"
        write_paper(mirror / "content", Paper(id=f"2608.9000{number}", title=unicodedata.normalize(
            "NFD" if number % 2 else "NFC", title), abstract="Un modèle."))
    write_paper(mirror / "content", Paper(id="2608.90009", title="हिन्दी मॉडल", abstract="x"))
    write_paper(mirror / "content", Paper(id="2608.90008", title="Scenes", authors=("Matthias Nießner", "Łukasz Ø"),
                                          abstract="x"))
    for query in ("Niessner", "Nießner", "lukasz", "Łukasz", "author:o"):
        assert ids(run_cli("search", query, config=mirror / "mirror.yml")[1]) == ["2608.90008"], query
    every = {f"2608.9000{number}" for number in range(4)}
    for query in ("génératif", unicodedata.normalize("NFD", "génératif"), "generatif", "modele", "title:fits",
                  "GÉNÉRATIF", "ｇｅｎｅｒａｔｉｆ"):
        code, out, _ = run_cli("search", query, config=mirror / "mirror.yml")
        assert code == 0 and set(ids(out)) == every, (query, out)
    assert set(ids(run_cli("search", unicodedata.normalize("NFD", "हिन्दी"), config=mirror / "mirror.yml")[1])) == {
        "2608.90009"}  # the marks of other scripts are letters: kept, and composed as the index holds them
    out = run_cli("search", "generatif", config=mirror / "mirror.yml")[1]
    assert "Modèle génératif" in unicodedata.normalize("NFC", out)  # shown as stored, accents and all


def test_a_pasted_title_or_paper_link_is_searched_not_refused(archive, run_cli):
    """87 of 120 pasted titles were refused ('SAM 2: Segment ...': "Unrecognized field "2""), and so were
    arXiv:2405.15738 and the paper's arXiv link; 2405.15738v2 found nothing (the search review)."""
    papers = read_papers(archive / "content")
    paper = next(paper for paper in papers.values() if ": " in paper.title)
    code, out, err = run_cli("search", paper.title, config=archive / "mirror.yml")
    assert code == 0 and ids(out)[0] == paper.id, (paper.title, out, err)
    for link in (f"arXiv:{paper.id}", f"https://arxiv.org/abs/{paper.id}", f"https://arxiv.org/pdf/{paper.id}v2.pdf",
                 f"huggingface.co/papers/{paper.id}?utm=x", f"{paper.id}v3", paper.id):
        code, out, err = run_cli("search", link, config=archive / "mirror.yml")
        assert code == 0 and ids(out) == [paper.id], (link, out, err)
    code, out, _ = run_cli("search", "title:vision", config=archive / "mirror.yml")  # a field stays a field
    assert code == 0 and all("vision" in papers[found].title.lower() for found in ids(out))
    code, _, err = run_cli("search", "titel:vision", config=archive / "mirror.yml")
    assert code == 2 and 'Unrecognized field "titel"' in err  # a field is still a field, and a wrong one said
    # a field name in capitals: 'Unrecognized field "Title"' (the diff review); before its word it is the field
    code, out, err = run_cli("search", "Title:vision", config=archive / "mirror.yml")
    assert code == 0 and ids(out) and all("vision" in papers[found].title.lower() for found in ids(out)), err
    assert run_cli("search", "Title: vision", config=archive / "mirror.yml")[0] == 0  # before a space: a word
    first = paper.title.split()[0]  # a field, then a pasted title: its first word ends with the colon (the review)
    code, out, err = run_cli("search", f"title:{first} {' '.join(paper.title.split()[1:3])}", config=archive / "mirror.yml")
    assert first.endswith(":") and code == 0 and paper.id in ids(out), (first, out, err)



def test_punctuation_at_a_word_s_edges_is_left_out_as_the_index_leaves_it_out(archive, run_cli):
    """`vision?`, `(vision` and a pasted title ending in "?" found nothing: lunr indexes "Standard?" as standard, and
    searched for "standard?" (the user-mistakes review). A lone "?" is no word to search for."""
    config = archive / "mirror.yml"
    plain = run_cli("search", "vision", config=config)[1]
    assert ids(plain)
    for typed in ("vision?", "(vision", "Vision)", "vision,", "[vision];"):
        code, out, err = run_cli("search", typed, config=config)
        assert code == 0 and out == plain, (typed, err)
    code, out, err = run_cli("search", "+masked +vision?", config=config)
    assert code == 0 and out == run_cli("search", "+masked +vision", config=config)[1] and ids(out), err
    assert run_cli("search", "pretrain*", config=config)[1] == run_cli("search", "(pretrain*", config=config)[1]
    assert run_cli("search", "(*)", config=config)[1] != run_cli("search", "*", config=config)[1]  # no word: as typed
    code, out, err = run_cli("search", "?", config=config)
    assert code == 2 and not out and "no word to search for in '?'" in err


def test_control_characters_in_a_title_never_reach_the_terminal(mirror, run_cli):
    from papermirror.content.paperfile import write_paper

    write_paper(mirror / "content", Paper(id="2503.00001", title="Red \x1b[31mmasked\x1b[0m\x07 title\x9b2J\u202e",
                                          abstract="masked autoencoders"))
    code, out, _err = run_cli("search", "masked", config=mirror / "mirror.yml")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\x9b" not in out and "\u202e" not in out
    assert "Red [31mmasked[0m title2J" in out
    code, out, _err = run_cli("search", "--json", "masked", config=mirror / "mirror.yml")
    assert json.loads(out)["title"] == "Red [31mmasked[0m title2J"


def test_a_terminal_that_cannot_show_a_title_s_letters_gets_escapes_not_a_traceback(mirror):
    from papermirror.content.paperfile import write_paper

    write_paper(mirror / "content", Paper(id="2503.00001", title="Über-große 模型 masked", abstract="masked autoencoders"))
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve().parent.parent / "build.py"), "--config", str(mirror / "mirror.yml"), "search", "masked"],
                          capture_output=True, env=env, timeout=120, check=False)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert b"\\xdcber-gro\\xdfe \\u6a21\\u578b masked" in done.stdout
