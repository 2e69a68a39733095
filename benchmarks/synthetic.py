"""Synthetic archives for benchmarks: content/ folders of N realistic-looking papers.

    from benchmarks.synthetic import make_mirror, touch_papers
    papers = make_mirror(folder, 10_000)          # mirror.yml + layouts/ + content/ with 10k papers
    touch_papers(folder / "content", papers, 0.01) # a daily refresh: 1% of papers get new figures

Field sizes follow the real HF Papers data: 10-30 authors, 150-300-word abstracts (about one in
three with some TeX) whose words follow Zipf's law like real ones (see _vocabulary), 5-12 AI keywords drawn from a long-tailed vocabulary (a few very common,
most used once), a Daily Papers day for most papers with about 25 papers a day.
Generation is seeded, so the same N gives the same archive.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from papermirror.content.paper import Paper, paper_path
from papermirror.content.paperfile import paper_to_text

REPO = Path(__file__).resolve().parent.parent
WORDS = (
    "model models training data learning visual vision language image images video representation representations "
    "pre-training large-scale scaling transformer attention masked self-supervised contrastive diffusion generation "
    "benchmark evaluation performance tasks downstream features encoder decoder multimodal alignment reasoning "
    "efficient robust zero-shot fine-tuning dataset tokens patches objective loss semantic dense segmentation "
    "detection retrieval captioning understanding spatial temporal hierarchical multi-scale resolution compute "
    "parameters architecture layers methods approach framework results state-of-the-art improves shows propose"
).split()
TEX = (r"$m^2$", r"$\alpha$", r"$O(n^2)$", r"$\times 4$", r"$\mathcal{L}_{\text{MIM}}$", r"$x_{t-1}$",
       r"$\sqrt{d}$", r"$\ast$", r"$10^{6}$", r"$\frac{1}{2}$", r"$\geq 90\%$")
FIRST = "Wei Li Ming Xin Yu Anna Maria David Sarah Kai Jun Hao Lena Omar Priya Ivan Chen Sofia Lucas Aiko".split()
LAST = "Zhang Wang Liu Chen Smith Müller Garcia Kim Tanaka Rossi Singh Novak Haddad Silva Ito Dubois Park Yang".split()
COMMON_KEYWORDS = 400
"""The shared keyword vocabulary; Zipf-distributed, so a few appear on thousands of papers."""


FUNCTION_WORDS = ("the of and to a in for we that is on with as by our this are from an be which can it at or "
                  "these both such than while into across".split())
"""The commonest words of real abstracts, at the top of the word ranks (in the recorded HF data "the"
is in 97% of abstracts and "and" in 99.6%)."""
VOCABULARY_SIZE = 60_000


def _vocabulary() -> tuple[list[str], list[float]]:
    """Words by rank and their cumulative Zipf weights (frequency ~ 1/rank).

    Real abstracts follow Zipf's law: a few words are on nearly every paper, most are rare (the 261
    recorded abstracts in ../shared/fixtures use 6,628 distinct words, half of them once; "masked"
    is in 1.5% of them, "vision" 8%, "model(s)" 60-80%). So: the function words first, the AI words
    of WORDS spread over ranks 30 to 3,000 (on about 40% down to 1% of papers), and made-up words
    (consonant-vowel syllables, never a real query word) for the long tail.
    """
    rng = random.Random(12345)
    tail: list[str] = []
    seen = set(FUNCTION_WORDS) | set(WORDS)
    while len(tail) < VOCABULARY_SIZE:
        word = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            tail.append(word)
    ranked = list(FUNCTION_WORDS) + tail
    for position, word in enumerate(WORDS):
        ranked.insert(int(30 * 100 ** (position / len(WORDS))) + position, word)
    ranked = ranked[:VOCABULARY_SIZE]
    total, cumulative = 0.0, []
    for rank in range(1, len(ranked) + 1):
        total += 1 / rank
        cumulative.append(total)
    return ranked, cumulative


VOCABULARY, CUMULATIVE = _vocabulary()


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=count))


def _sentence_block(rng: random.Random, words: int, tex: bool) -> str:
    text = _words(rng, words).capitalize()
    if tex:
        spots = text.split(" ")
        for _ in range(rng.randint(1, 4)):
            spots.insert(rng.randrange(len(spots)), rng.choice(TEX))
        text = " ".join(spots)
    return text.replace(" results ", " results. The ").replace(" approach ", " approach, and ") + "."


def _keywords(rng: random.Random, serial: int) -> tuple[str, ...]:
    names = []
    for _ in range(rng.randint(5, 12)):
        if rng.random() < 0.45:
            rank = min(int(rng.paretovariate(1.1)), COMMON_KEYWORDS)
            names.append(f"{WORDS[rank % len(WORDS)]} {WORDS[(rank * 7) % len(WORDS)]}" if rank > 20 else WORDS[rank].title())
        else:
            names.append(f"{_words(rng, rng.randint(2, 3))} {serial}-{len(names)}")
    return tuple(names)


def make_paper(rng: random.Random, serial: int, day: dt.date) -> Paper:
    """Return one synthetic paper listed on `day`."""
    month = day.strftime("%y%m")
    tex = rng.random() < 0.33
    abstract_words = rng.randint(150, 300)
    abstract = _sentence_block(rng, abstract_words // 2, tex) + " " + _sentence_block(rng, abstract_words - abstract_words // 2, False)
    if rng.random() < 0.1:
        abstract += "\n\n" + _sentence_block(rng, 40, False)
    title = _words(rng, rng.randint(6, 14)).title() + (f" with {rng.choice(TEX)}" if rng.random() < 0.08 else "")
    stamp = f"{day.isoformat()}T08:{serial % 60:02d}:00Z"
    has_code = rng.random() < 0.4
    return Paper(
        id=f"{month}.{serial % 100000:05d}",
        title=title,
        authors=tuple(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(10, 30))),
        published=(day - dt.timedelta(days=rng.randint(0, 3))).isoformat(),
        abstract=abstract,
        daily=(day.isoformat(),) if rng.random() < 0.85 else (),
        upvotes=rng.randint(0, 300),
        comments=rng.randint(0, 12),
        github_repo=f"https://github.com/lab{serial % 97}/repo{serial}" if has_code else None,
        github_stars=rng.randint(0, 5000) if has_code else None,
        project_page=f"https://lab{serial % 53}.example.org/p{serial}" if rng.random() < 0.3 else None,
        organization=f"Lab {serial % 61}" if rng.random() < 0.3 else None,
        ai_summary=_sentence_block(rng, rng.randint(25, 45), False),
        ai_keywords=_keywords(rng, serial),
        thumbnail=f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{month}.{serial % 100000:05d}.png",
        first_seen=stamp,
        refreshed=stamp,
    )


def write_papers(content_dir: Path, papers: list[Paper]) -> None:
    """Write paper files directly (no fsync: this is throwaway benchmark data)."""
    for paper in papers:
        path = paper_path(content_dir, paper.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(paper_to_text(paper), encoding="utf-8")


FIRST_DAY = dt.date(2023, 1, 2)
LAST_DAY = dt.date(2026, 8, 21)
"""Synthetic days run from FIRST_DAY; an archive too big to end by LAST_DAY (the recorded stream's last day, past
on every machine) starts earlier instead, since a build refuses a paper of a day after tomorrow."""


def generate_papers(count: int, seed: int = 0, per_day: int = 25) -> list[Paper]:
    """Return `count` synthetic papers, about `per_day` per day, starting FIRST_DAY (or earlier: LAST_DAY)."""
    rng = random.Random(seed)
    start = min(FIRST_DAY, LAST_DAY - dt.timedelta(days=(count - 1) // per_day))
    papers = []
    for serial in range(count):
        day = start + dt.timedelta(days=serial // per_day)
        papers.append(make_paper(rng, 10000 + serial, day))
    return papers


def make_mirror(folder: Path, count: int, seed: int = 0, base_url: str = "https://user.github.io/repo/") -> list[Paper]:
    """Create folder/mirror.yml, folder/layouts (the repo's) and folder/content with `count` papers."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mirror.yml").write_text(f"site:\n  title: Synthetic mirror\n  base_url: {base_url}\n", encoding="utf-8")
    shutil.copytree(REPO / "layouts", folder / "layouts", dirs_exist_ok=True)
    papers = generate_papers(count, seed)
    write_papers(folder / "content", papers)
    return papers


def touch_papers(content_dir: Path, papers: list[Paper], fraction: float, seed: int = 1) -> list[Paper]:
    """Give `fraction` of the papers new upvotes and a new refresh time, like a daily snapshot; return them."""
    rng = random.Random(seed)
    chosen = rng.sample(papers, max(1, int(len(papers) * fraction)))
    changed = [p.replace(upvotes=(p.upvotes or 0) + rng.randint(1, 20), refreshed="2030-01-01T07:00:00Z") for p in chosen]
    write_papers(content_dir, changed)
    return changed
