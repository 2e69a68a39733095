"""`build.py search`: lunr.py over content/, with the index cached in .cache/ and rebuilt on change."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from archive import PAPERS, write_archive

from papermirror.config import load_config
from papermirror.content import read_papers
from papermirror.search import build_index, cache_path, load_index, run_search


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
    code, out, _ = run_cli("search", "--json", "quuxification", config=archive / "mirror.yml")
    assert (code, out) == (0, "")


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


def test_bad_limit_and_missing_content_are_messages(mirror, run_cli, capsys):
    code, _, err = run_cli("search", "mamba", config=mirror / "mirror.yml")
    assert code == 2 and "content/papers: no such folder" in err.replace(os.sep, "/")
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

    paper = PAPERS[2].replace(abstract=PAPERS[2].abstract + " Also zanzibarite.")
    write_archive(archive / "content", (paper,))
    _, out, err = run_cli("search", "zanzibarite", config=archive / "mirror.yml")
    assert "indexing" in err
    assert set(ids(out)) == {"2502.01234", "2405.14908"}


def test_corrupt_cache_is_rebuilt(archive, run_cli):
    run_cli("search", "mamba", config=archive / "mirror.yml")
    cache_path(load_config(archive / "mirror.yml")).write_bytes(b"{not json\n")
    code, out, err = run_cli("search", "mamba", config=archive / "mirror.yml")
    assert code == 0 and ids(out) == ["2312.00752"]
    assert "unreadable search cache" in err


@pytest.mark.parametrize("query", ["masked", "pretrain*", "mask~1", "+masked -vision", "title:scal* author:ge", "-mamba", "*mba"])
def test_cached_index_answers_like_a_fresh_one(archive, query):
    config = load_config(archive / "mirror.yml")
    fresh = run_search(build_index(read_papers(config.content_dir)), query)
    load_index(config)  # builds and writes the cache
    cached = run_search(load_index(config), query)  # reads it back
    assert [(hit.id, round(hit.score, 6)) for hit in cached] == [(hit.id, round(hit.score, 6)) for hit in fresh]
    assert fresh
