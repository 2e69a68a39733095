"""Related papers (site/related.py): the most similar papers by TF-IDF cosine, deterministic and cached."""

from __future__ import annotations

import random
from collections import Counter
from itertools import pairwise

import numpy as np
from samples import make_paper

from papermirror.site import related, related_search, related_terms
from papermirror.site.related import related_papers

TOPICS = {
    "vision": "masked image modeling vision transformer pixels patches pretraining",
    "speech": "speech recognition audio waveform acoustic spectrogram phonemes",
    "proteins": "protein folding structure amino acids residues molecular",
}


def topic_papers(per_topic: int = 4) -> dict:
    """Papers in three topics that share no word across topics; within a topic each paper adds a word of its own
    and repeats the topic's words a different number of times, so that the scores differ."""
    papers = {}
    for t, (topic, words) in enumerate(TOPICS.items()):
        for n in range(per_topic):
            paper_id = f"2501.{t * 100 + n:05d}"
            abstract = " ".join([words] * (n + 1)) + f" unique{t}x{n}"
            papers[paper_id] = make_paper(paper_id, f"{topic} study {n}", abstract=abstract, authors=(f"Author {t}{n}",))
    return papers


def cosine_top(papers: dict, count: int) -> dict:
    """The top `count` by exact cosine over every pair, from the module's own weights (ties by id)."""
    ids = sorted(papers)
    terms = related_terms.term_keys([papers[i] for i in ids], [related_terms.text_digest(papers[i]) for i in ids], {})
    dense = related_terms.tfidf(terms).toarray().astype(np.float64)
    scores = dense @ dense.T
    best = {}
    for row, paper_id in enumerate(ids):
        order = sorted((n for n in range(len(ids)) if n != row and scores[row, n] > 1e-9), key=lambda n: (-scores[row, n], ids[n]))
        best[paper_id] = tuple(ids[n] for n in order[:count])
    return best


def test_the_neighbours_are_the_most_similar_papers_best_first():
    papers = topic_papers(per_topic=7)
    found = related_papers(papers)
    assert found == cosine_top(papers, related.COUNT)
    for paper_id, others in found.items():
        assert len(others) == 5
        assert paper_id not in others
        assert {papers[o].title.split()[0] for o in others} == {papers[paper_id].title.split()[0]}  # its own topic only


def test_a_paper_is_never_its_own_neighbour_even_with_a_twin():
    twin = make_paper("2501.00002", "Masked image modeling", abstract="masked image modeling at scale", authors=())
    papers = {p.id: p for p in [make_paper("2501.00001", "Masked image modeling", abstract="masked image modeling at scale",
                                           authors=()), twin, make_paper("2501.00003", "Image modeling", authors=())]}
    found = related_papers(papers)
    assert found["2501.00001"][0] == "2501.00002" and found["2501.00002"][0] == "2501.00001"
    assert all(paper_id not in others for paper_id, others in found.items())


def test_ties_are_broken_by_id_and_the_result_is_deterministic(tmp_path):
    same = {f"2501.{n:05d}": make_paper(f"2501.{n:05d}", "Masked image modeling" if n < 8 else "Protein folding",
                                        abstract="", authors=()) for n in range(16)}  # a word of every paper says nothing
    found = related_papers(same)
    assert found["2501.00000"] == ("2501.00001", "2501.00002", "2501.00003", "2501.00004", "2501.00005")
    assert found["2501.00003"] == ("2501.00000", "2501.00001", "2501.00002", "2501.00004", "2501.00005")
    papers = topic_papers()
    shuffled = dict(reversed(list(papers.items())))
    assert related_papers(papers) == related_papers(shuffled) == related_papers(papers, cache_dir=tmp_path)


def test_tiny_archives_have_fewer_related_papers():
    assert related_papers({}) == {}
    one = make_paper("2501.00001", "Masked image modeling", authors=())
    assert related_papers({one.id: one}) == {one.id: ()}
    papers = {p.id: p for p in [one, make_paper("2501.00002", "Masked image modeling at scale", authors=()),
                                make_paper("2501.00003", "Image galaxies at scale", authors=())]}
    found = related_papers(papers)  # "image" (and "abstract") are on every paper: they relate nothing
    assert found == {"2501.00001": ("2501.00002",), "2501.00002": ("2501.00001", "2501.00003"), "2501.00003": ("2501.00002",)}


def test_papers_sharing_no_word_and_empty_abstracts():
    papers = {p.id: p for p in [
        make_paper("2501.00001", "Masked image modeling", abstract="", authors=()),
        make_paper("2501.00002", "Masked image modeling for video", abstract="", authors=()),
        make_paper("2501.00003", "Protein folding", abstract="", authors=()),
        make_paper("2501.00004", "The of and", abstract="", authors=()),  # stop words only
    ]}
    found = related_papers(papers)
    assert found["2501.00001"] == ("2501.00002",)
    assert found["2501.00003"] == () and found["2501.00004"] == ()


def test_the_cache_gives_the_same_answer_as_a_fresh_run(tmp_path):
    papers = topic_papers(per_topic=6)
    older = dict(list(papers.items())[:-3])
    related_papers(older, cache_dir=tmp_path)
    assert (tmp_path / related_terms.CACHE_NAME).exists()
    assert related_papers(papers, cache_dir=tmp_path) == related_papers(papers)  # 3 new papers, 15 from the cache
    edited = {**papers, "2501.00000": papers["2501.00000"].replace(abstract="protein folding structure residues")}
    assert related_papers(edited, cache_dir=tmp_path) == related_papers(edited)
    assert related_papers(edited, cache_dir=tmp_path) == related_papers(edited, cache_dir=tmp_path)  # the result kept


def test_a_damaged_cache_is_only_a_slower_build(tmp_path):
    (tmp_path / related_terms.CACHE_NAME).write_bytes(b"not a pickle")
    papers = topic_papers()
    assert related_papers(papers, cache_dir=tmp_path) == related_papers(papers)


def test_words_are_folded_like_arxiv_sanity():
    assert related_terms.words_of("Schrödinger's Cat-like $\\alpha$ 3D x_1") == ["schrodinger", "cat", "like", "alpha", "x_1"]
    keys = related_terms.WordKeys()
    assert keys["the"] == 0 and keys["vision"] == related_terms.term_key("vision") != 0


def test_the_search_in_worker_processes_gives_the_same_answer(monkeypatch):
    papers = topic_papers(per_topic=7)
    alone = related_papers(papers)
    monkeypatch.setattr(related_search, "BLOCK", 4)
    monkeypatch.setattr(related_search, "PARALLEL_MIN_BLOCKS", 2)
    assert related_papers(papers, jobs=2) == alone


def test_the_vocabulary_keeps_the_most_frequent_terms_of_enough_papers(monkeypatch):
    papers = topic_papers(per_topic=7)
    ids = sorted(papers)
    terms = related_terms.term_keys([papers[i] for i in ids], [related_terms.text_digest(papers[i]) for i in ids], {})
    bounds = terms["indptr"].tolist()
    rows = [dict(zip(terms["keys"][a:b].tolist(), terms["counts"][a:b].tolist())) for a, b in pairwise(bounds)]
    df, total = Counter(key for row in rows for key in row), Counter()
    for row in rows:
        total.update(row)
    eligible = [key for key in df if 2 <= df[key] <= len(ids) / 2]
    monkeypatch.setattr(related_terms, "MAX_TERMS", 10)
    expected = sorted(sorted(eligible, key=lambda key: (-total[key], key))[:10])  # the most frequent, ties by key
    assert len(eligible) > 10 and len(df) > len(eligible)
    vocabulary, kept_df = related_terms.vocabulary(terms["keys"], terms["counts"], len(ids))
    column = related_terms.columns_of(terms["keys"], vocabulary)
    assert vocabulary.tolist() == expected and kept_df.tolist() == [df[key] for key in expected]
    assert {key: expected.index(key) for key in terms["keys"].tolist() if key in expected} == dict(
        zip(terms["keys"][column >= 0].tolist(), column[column >= 0].tolist()))
    assert (column[~np.isin(terms["keys"], expected)] == -1).all()


def test_tokenising_in_worker_processes_stores_the_same_bytes(tmp_path, monkeypatch):
    papers = topic_papers(per_topic=7)
    related_papers(papers, cache_dir=tmp_path / "alone")
    monkeypatch.setattr(related_terms, "PARALLEL_MIN_PAPERS", 4)
    monkeypatch.setattr(related_search, "BLOCK", 4)
    monkeypatch.setattr(related_search, "PARALLEL_MIN_BLOCKS", 2)
    related_papers(papers, cache_dir=tmp_path / "workers", jobs=2)
    stored = (tmp_path / "alone" / related_terms.CACHE_NAME).read_bytes()
    assert stored == (tmp_path / "workers" / related_terms.CACHE_NAME).read_bytes()
    assert related_terms.load_cache(tmp_path / "workers")["related"] == related_papers(papers)


def test_terms_and_neighbours_another_code_found_are_not_reused(tmp_path, monkeypatch):
    """A change of the tokeniser (a stop word more) kept the cached terms: 118 pages listed the old neighbours."""
    papers = topic_papers(per_topic=7)
    related_papers(papers, cache_dir=tmp_path)
    assert related_terms.load_cache(tmp_path)["related"] == related_papers(papers)
    monkeypatch.setattr(related_terms, "code_digest", lambda: "another code")
    assert related_terms.load_cache(tmp_path) == {}


def dated(papers: dict, day: str) -> dict:
    return {paper_id: paper.replace(daily=(day,)) for paper_id, paper in papers.items()}


def two_months(per_topic: int = 8) -> dict:
    """topic_papers filed under January 2025 but for the last two of each topic, filed under February."""
    papers = topic_papers(per_topic)
    return {paper_id: paper.replace(daily=("2025-02-03" if int(paper_id[-2:]) >= per_topic - 2 else "2025-01-10",))
            for paper_id, paper in papers.items()}


def test_the_terms_are_weighed_by_the_papers_of_the_months_before_the_newest():
    papers = [make_paper(f"2501.0000{n}", "t", daily=(day,)) for n, day in
              enumerate(["2025-01-02", "2025-01-20", "2025-01-30", "2025-02-01", "2025-02-02"])]
    undated = make_paper("2501.00009", "t", daily=(), published=None)
    assert related.reference_papers(papers).tolist() == [True, True, True, False, False]
    assert related.reference_papers([*papers, undated]).tolist() == [True, True, True, False, False, False]  # undated: the newest
    assert related.reference_papers(papers[2:]).tolist() == [True, True, True]  # 1 of 3: a young archive, all of them
    assert related.reference_papers(papers[:2]).tolist() == [True, True]  # one month: all of them


def test_a_new_day_searches_again_only_the_papers_it_may_move(tmp_path, caplog):
    papers = two_months()
    related_papers(papers, cache_dir=tmp_path)
    fresh = {f"2502.{n:05d}": make_paper(f"2502.{n:05d}", f"vision study new {n}", daily=("2025-02-04",), authors=(f"New {n}",),
                                          abstract=papers["2501.00003"].abstract) for n in range(2)}
    edited = {"2501.00007": papers["2501.00007"].replace(abstract=f"{TOPICS['vision']} patches patches unique0x77")}
    today = {**papers, **fresh, **edited}
    with caplog.at_level("DEBUG", logger="papermirror.site.related_update"):
        incremental = related_papers(today, cache_dir=tmp_path)
    assert incremental == related_papers(today)  # the same as from scratch
    assert "related: 10 of 26 papers searched" in caplog.text  # vision's 8 and the 2 new: speech and proteins kept theirs
    assert any(set(fresh) & set(incremental[paper_id]) for paper_id in papers)  # old papers do list new ones
    assert {paper_id: incremental[paper_id] for paper_id in papers if paper_id >= "2501.00100"} == \
           {paper_id: related_papers(papers)[paper_id] for paper_id in papers if paper_id >= "2501.00100"}


def test_a_new_month_or_an_older_paper_edited_searches_everything_again(tmp_path, caplog):
    papers = two_months()
    related_papers(papers, cache_dir=tmp_path)
    march = {**papers, "2503.00001": make_paper("2503.00001", "speech study new", daily=("2025-03-01",), abstract=TOPICS["speech"])}
    january_edit = {**papers, "2501.00100": papers["2501.00100"].replace(abstract=TOPICS["proteins"])}
    for archive in (march, january_edit):
        related_papers(papers, cache_dir=tmp_path)
        caplog.clear()
        with caplog.at_level("DEBUG", logger="papermirror.site.related_update"):
            assert related_papers(archive, cache_dir=tmp_path) == related_papers(archive)
        assert f"related: {len(archive)} of {len(archive)} papers searched" in caplog.text


def test_a_paper_refiled_into_a_new_month_with_the_same_text_moves_the_weights(tmp_path, caplog):
    """No text changes, but one paper's day moves into March: February's papers now weigh the terms, so the
    cached answer must not be reused whole (a review found 65 stale lists after such a move)."""
    papers = two_months()
    related_papers(papers, cache_dir=tmp_path)
    moved_id = max(papers)
    moved = {**papers, moved_id: papers[moved_id].replace(daily=("2025-03-02",))}
    assert related.reference_papers(list(moved.values())).tolist() != related.reference_papers(list(papers.values())).tolist()
    fresh = related_papers(moved)
    caplog.clear()
    with caplog.at_level("DEBUG", logger="papermirror.site.related_update"):
        assert related_papers(moved, cache_dir=tmp_path) == fresh
    assert f"related: {len(moved)} of {len(moved)} papers searched" in caplog.text


def test_day_after_day_the_update_is_the_search_from_scratch(tmp_path, monkeypatch, caplog):
    # short postings and few candidates, so that new papers push older ones out of postings and into candidates
    monkeypatch.setattr(related_search, "POSTINGS", 6)
    monkeypatch.setattr(related_search, "CANDIDATES", 5)
    monkeypatch.setattr(related_search, "QUERY_TERMS", 8)
    rng = random.Random(5)
    words = [f"w{n}" for n in range(60)]
    def paper(paper_id: str, day: str):
        text = " ".join(rng.choices(words, weights=[1 / (n + 1) for n in range(60)], k=30))
        return make_paper(paper_id, f"t {paper_id}", abstract=text, authors=(), daily=(day,))
    papers = {p.id: p for p in [paper(f"2501.{n:05d}", f"2025-01-{1 + n % 28:02d}") for n in range(120)]
              + [paper(f"2502.{n:05d}", "2025-02-01") for n in range(10)]}
    related_papers(papers, cache_dir=tmp_path)
    searched = []
    for day in range(2, 8):
        papers |= {p.id: p for p in [paper(f"2502.{day:02d}{n:03d}", f"2025-02-{day:02d}") for n in range(3)]}
        caplog.clear()
        with caplog.at_level("DEBUG", logger="papermirror.site.related_update"):
            assert related_papers(papers, cache_dir=tmp_path) == related_papers(papers)
        searched.append(int(caplog.text.split("related: ")[1].split(" of ")[0]))
    assert all(3 <= count < len(papers) for count in searched), searched  # more than the new ones, fewer than all
