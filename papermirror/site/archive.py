"""Arrange the papers the way the site shows them: newest first, by day, by month, by keyword.

Everything here is computed once from the whole set of papers, before any page is drawn.
A paper is filed under `paper.day`: its first Daily Papers day, else its arXiv day.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import heapq
import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from papermirror.content.paper import Paper, paper_path
from papermirror.errors import ContentError

KEYWORD_MIN_PAPERS = 2
"""A keyword gets its own page when at least this many papers carry it (most keywords are unique
to one paper; a page per such keyword would multiply the site's size for nothing) ..."""
KEYWORD_PAGE_SHARE = 1_000
"""... and, in a big archive, at least one paper in this many: 10 papers at 10,000, 100 at 100,000. So the keyword
pages' bytes per paper stay about level as the archive grows instead of adding a page for every pair of papers
(of 9,877 real papers, 5,566 keywords are shared by 2 papers or more, 1,245 by 5 or more, 477 by 10 or more; a
paper sits on 2.9, 1.8 or 1.3 keyword pages). A keyword without a page links to a search for it, which finds its
papers (and the others that name it)."""
ORGANIZATION_MIN_PAPERS = 2
"""An organization gets its own page when at least this many papers are claimed by it (as keywords)."""
SLUG_MAX = 60
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True, slots=True)
class Keyword:
    """One keyword, its spellings folded together, and the papers carrying it."""

    name: str
    """The form shown everywhere: the group's most common spelling ("LoRA", "masked image modeling")."""
    slug: str
    """Its safe URL segment ([a-z0-9-] only)."""
    paper_ids: tuple[str, ...]
    """Papers carrying it, newest first."""


@dataclass(frozen=True, slots=True)
class Archive:
    """The whole archive, grouped for the listings."""

    papers: dict[str, Paper]
    """Every paper by id."""
    newest: tuple[str, ...]
    """Every id, newest first (by day, then upvotes, then id)."""
    days: dict[str, tuple[str, ...]]
    """Papers of each day (YYYY-MM-DD), days in ascending order."""
    months: dict[str, tuple[str, ...]]
    """Papers of each month (YYYY-MM), months in ascending order."""
    keywords: dict[str, Keyword]
    """Keywords that have a page, by shown name, in the order of their folded names."""
    paper_keywords: dict[str, tuple[str, ...]]
    """Each paper's keywords by shown name, one per folded name, in the hub's order."""
    keyword_filters: frozenset[str]
    """Keywords (by shown name) that are search filters: those the settled papers would give a page (`settled`:
    as many of them as `keyword_min_papers` asks of an archive of the settled papers). Most have a page; a new one
    waits until the month turns, so that a day's snapshot does not change what the search index holds of the
    older papers (their pages' keywords become links the day a page is made, which the index does not read)."""
    keyword_min_papers: int
    """The fewest papers a keyword needs for a page of its own in this archive (`keyword_min_papers`)."""
    single_keywords: int
    """How many keywords belong to fewer than `keyword_min_papers` papers (and have no page)."""
    organizations: dict[str, Keyword]
    """Organizations that have a page (a name, a slug and their papers, as keywords), by shown name."""
    paper_organization: dict[str, str]
    """Each paper's organization by shown name (spellings folded as keywords), for papers that have one."""
    single_organizations: int
    """How many organizations claim fewer than ORGANIZATION_MIN_PAPERS papers (and have no page)."""
    updated: str | None
    """The newest `refreshed` (or `first_seen`) time in the archive: the site's "last updated"."""


def settled(papers: Iterable[Paper]) -> list[bool]:
    """Which papers are settled (a mask): those filed under a month before the newest paper's month; all of them
    while those are fewer than half the archive (a young one). What is drawn from the settled papers alone (the
    related papers' weights, the keywords' search filters and spellings) stays as it was while a month's days
    come in, and moves once, when the month turns: so a day's snapshot leaves the older papers' pages, and their
    search indexes, as they were."""
    days = [paper.day or "" for paper in papers]
    newest_month = max(days, default="")[:7]
    mask = [bool(day) and day[:7] < newest_month for day in days]
    return mask if sum(mask) * 2 >= len(mask) else [True] * len(mask)


_HYPHENS = re.compile("[-\u2010\u2011\u2012\u2013]")
"""A hyphen and its Unicode look-alikes (not the em dash): "vision-language models" is "vision language models"."""


_LAST_PARENTHESES = re.compile(r"\s*\([^()]*\)$")
"""What a keyword ends with in parentheses, its acronym mostly: "Large Language Models (LLMs)"."""
_NOT_PLURAL = ("ss", "us", "is", "ics")
"""The endings of a last word whose "s" is not a plural's: loss, corpus, analysis, dynamics."""
_ES_PLURAL = ("sses", "shes", "ches", "xes")
"""The endings of a plural that adds "es": losses, meshes, patches, boxes."""
SINGULAR = {
    **dict.fromkeys(("series", "species", "news", "bias", "alias", "canvas", "atlas", "lens", "chaos", "ethos"), None),
    "caches": "cache", "axes": "axis", "biases": "bias", "aliases": "alias", "lenses": "lens", "hypotheses": "hypothesis",
    "analyses": "analysis", "metrics": "metric", "rubrics": "rubric", "heuristics": "heuristic",
    "characteristics": "characteristic",
}
"""Words the endings' rules get wrong (the recorded stream's keywords): singular as they are (None), or the singular."""


def singular(word: str) -> str:
    """The singular of a keyword's last word, by its ending (models, LLMs, studies, patches, losses), for grouping
    and for the page's address: an English word's, read well enough for keywords."""
    if word in SINGULAR:
        return SINGULAR[word] or word
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_NOT_PLURAL):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-2] if word.endswith(_ES_PLURAL) else word[:-1]


@functools.lru_cache(maxsize=None)
def normalise_name(name: str) -> str:
    """Fold case, Unicode form, spacing and hyphens: an organization's name, and the start of a keyword's."""
    return " ".join(_HYPHENS.sub(" ", unicodedata.normalize("NFKC", name).lower()).split())


@functools.lru_cache(maxsize=None)
def normalise_keyword(keyword: str) -> str:
    """Fold case, Unicode form, spacing, hyphens, a closing parenthesis and a plural so that variants of one keyword
    are one keyword. Of the recorded stream's 43,638 keywords, 320 are spelt in ways that differ by hyphens alone
    ("vision-language models" on 228 papers, "vision language models" on 25), and 1,279 keywords more are one
    another's plural or add an acronym ("large language models" on 1,011 papers in all, spelt "Large Language Models
    (LLMs)" or "large language model" on some: each spelling had a page of its own, a part of the list). The last
    word is made singular (`singular`), unless it follows "of" ("mixture of experts"). The folded keyword is also
    what a keyword page's address is made of, so that nothing but the keyword moves it: "vision-language-model"."""
    folded = normalise_name(keyword)
    words = (_LAST_PARENTHESES.sub("", folded) or folded).split()
    if words and (len(words) < 2 or words[-2] != "of"):  # "mixture of experts" is a name, not a plural
        words[-1] = singular(words[-1])
    return " ".join(words)


def shown_names(spellings: dict[str, dict[str, int]]) -> dict[str, str]:
    """Pick each folded keyword's shown name: the spelling on the most papers. A tie goes to the one with
    the fewest Title-Case words (HF writes keywords in lower case: "causal attention", not "Causal
    Attention"), then to the one that sorts first (capitals before small letters: "INT4", not "int4")."""
    def rank(counts: dict[str, int], spelling: str) -> tuple[int, int, str]:
        return -counts[spelling], sum(word.istitle() for word in spelling.split()), spelling

    return {key: next(iter(counts)) if len(counts) == 1 else min(counts, key=lambda spelling: rank(counts, spelling))
            for key, counts in spellings.items()}


def count_into(counts: dict[str, dict[str, int]], key: str, spellings: set[str]) -> None:
    """Count each of `spellings` once more for `key` (plain dicts: a Counter a keyword cost most of the time)."""
    found = counts.get(key)
    if found is None:
        counts[key] = dict.fromkeys(spellings, 1)
        return
    for spelling in spellings:
        found[spelling] = found.get(spelling, 0) + 1


@functools.lru_cache(maxsize=None)
def keyword_text(keyword: str) -> str:
    """A keyword as pages show it: its math and TeX's text-mode commands as Unicode ("PixArt-$\\alpha$" is
    "PixArt-α", "Fr\\'echet Inception Distance" "Fréchet Inception Distance"), its spaces single."""
    if "$" not in keyword and "\\" not in keyword and "``" not in keyword:  # nearly every keyword: no TeX
        return single_spaced(keyword)
    from papermirror.site.mathflat import flat_line  # latex2mathml: a build with nothing to draw does not load it

    return flat_line(keyword)


def single_spaced(name: str) -> str:
    """A name with its runs of spaces and line breaks made one space (an organization's, as pages show it)."""
    return " ".join(name.split())


def group_keywords(ordered: list[Paper], names_of: Callable[[Paper], Iterable[str]] = lambda paper: paper.ai_keywords,
                   settled_ids: set[str] | None = None, fold: Callable[[str], str] = normalise_keyword,
                   spell: Callable[[str], str] = keyword_text,
                   ) -> tuple[dict[str, list[str]], dict[str, tuple[str, ...]], dict[str, str]]:
    """Fold the papers' keywords (or other names, `names_of`), as `spell` shows them: (papers of each folded name,
    each paper's folded names, each shown name). Two spellings that show alike are one keyword ("Fr\\'echet" and
    "Fréchet"). With `settled_ids`, a name carried by a settled paper is spelled as the settled papers spell it
    (`settled`), so that a day's new papers do not respell it on every older page."""
    by_keyword: dict[str, list[str]] = defaultdict(list)
    paper_keys: dict[str, tuple[str, ...]] = {}
    spellings: dict[str, dict[str, int]] = {}
    settled_spellings: dict[str, dict[str, int]] = {}
    for paper in ordered:
        folded: dict[str, set[str]] = {}
        for keyword in names_of(paper):
            shown = spell(keyword)
            key = fold(shown)
            if key:
                folded.setdefault(key, set()).add(shown)
        paper_keys[paper.id] = tuple(folded)
        settled = settled_ids is not None and paper.id in settled_ids
        for key, seen in folded.items():
            by_keyword[key].append(paper.id)
            count_into(spellings, key, seen)
            if settled:
                count_into(settled_spellings, key, seen)
    return by_keyword, paper_keys, shown_names(spellings) | shown_names(settled_spellings)


def slugify(name: str) -> str:
    """Return an ASCII slug of letters, digits and '-' (maybe empty). Accents go; a Greek letter is spelt out as a
    word of its own ("PixArt-α" is pixart-alpha, "μP" mu-p), as its TeX ("PixArt-$\\alpha$") was slugged when
    keywords were grouped as typed."""
    spelt = "".join(map(_spelt, unicodedata.normalize("NFKD", name)))
    ascii_name = spelt.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:SLUG_MAX].strip("-")


def _spelt(char: str) -> str:
    if char.isascii():
        return char
    name = unicodedata.name(char, "")
    return f" {name.split()[-1]} " if name.startswith("GREEK") and " LETTER " in name else char


def assign_slugs(names: Iterable[str], empty: str = "keyword", since: Callable[[str], object] | None = None) -> dict[str, str]:
    """Give every name a unique slug (`empty` for a name without a letter or digit of ASCII); on a clash the
    name that has had its page longest (`since`, else the first name in order) keeps the plain one, the others
    get a digest of the name after it, so a spelling that gets a page later never takes an older page's address
    (nor its feed's id). Names come from the hub, so a digest may be taken already, by another name's plain slug
    ("keyword 42099b4a") or digest: then it grows until it is free."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for name in sorted(names):
        by_slug[slugify(name) or empty].append(name)
    if since:  # asked of clashing names only: a big archive has thousands of names, and few clash
        for clashing in by_slug.values():
            if len(clashing) > 1:
                clashing.sort(key=lambda name: (since(name), name))
    slugs = {clashing[0]: slug for slug, clashing in by_slug.items()}
    taken = set(by_slug)
    for slug, clashing in by_slug.items():
        for name in clashing[1:]:
            digest = hashlib.sha1(name.encode()).hexdigest()
            candidates = (f"{slug}-{digest[:size]}" for size in (8, 12, 16, 40))
            extra = (f"{slug}-{digest}-{count}" for count in itertools.count(2))
            slugs[name] = next(candidate for candidate in itertools.chain(candidates, extra) if candidate not in taken)
            taken.add(slugs[name])
    return slugs


def page_since(papers: dict[str, Paper], ids: Iterable[str], least: int) -> tuple:
    """When a group of papers (a keyword's, an organization's) got its page: the stored time (`stored_time`,
    then day and id) of its `least`-th paper, the one that gave it the fewest papers a page needs."""
    stored = sorted((stored_time(paper), paper.day or "", paper.id) for paper in map(papers.__getitem__, ids))
    return stored[min(least, len(stored)) - 1]


def check_dates(paper: Paper, content_dir: Path) -> None:
    """Refuse a paper whose days or times are malformed, naming its file."""
    for name, value in [("published", paper.published), *(("daily", day) for day in paper.daily)]:
        if value is not None and not _is_day(value):
            raise ContentError(f"{paper_path(content_dir, paper.id)}: {name}: not a day in the form YYYY-MM-DD: {value!r}")
    for name in ("first_seen", "refreshed"):
        value = getattr(paper, name)
        if value is not None and not _TIME.fullmatch(value):
            raise ContentError(f"{paper_path(content_dir, paper.id)}: {name}: not a UTC time like 2025-03-14T08:00:00Z: {value!r}")


def _is_day(value: str) -> bool:
    try:
        return bool(_DAY.fullmatch(value)) and dt.date.fromisoformat(value) is not None
    except ValueError:
        return False


def newest_first_key(paper: Paper) -> tuple:
    """Sort key putting the newest day first, then the most upvoted, then the highest id."""
    return (paper.day or "", paper.upvotes or 0, paper.id)


EPOCH = "1970-01-01T00:00:00Z"


def stored_time(paper: Paper) -> str:
    """When the mirror first stored the paper (else its day at midnight), as an RFC 3339 time: what a feed entry
    is dated by, a time that a refresh of the upvotes does not move."""
    return paper.first_seen or (f"{paper.day}T00:00:00Z" if paper.day else EPOCH)


def newest_stored(papers: Iterable[Paper], count: int) -> list[Paper]:
    """The `count` papers the mirror stored last (`stored_time`; the same time: newest_first_key), newest first:
    what a feed lists. By filing day instead, a paper new to the mirror but filed under an older day (found by a
    query, or listed on a past day of the refresh window, or after an outage) reached no feed at all."""
    return heapq.nlargest(count, papers, key=lambda paper: (stored_time(paper), newest_first_key(paper)))


def group_organizations(ordered: list[Paper]) -> tuple[dict[str, Keyword], dict[str, str], int]:
    """Fold the papers' organizations as keywords: (those with a page by shown name, each paper's shown name,
    how many have no page). A name from the hub becomes a slug of [a-z0-9-] only, so it stays inside site/."""
    by_key, paper_keys, shown = group_keywords(ordered, lambda paper: (paper.organization,) if paper.organization else (),
                                               fold=normalise_name, spell=single_spaced)  # "Meta AIs" is not a plural
    shared = {key: ids for key, ids in by_key.items() if len(ids) >= ORGANIZATION_MIN_PAPERS}
    by_id = {paper.id: paper for paper in ordered}
    slugs = assign_slugs(shared, empty="organization",
                         since=lambda key: page_since(by_id, shared[key], ORGANIZATION_MIN_PAPERS))
    pages = {shown[key]: Keyword(shown[key], slugs[key], tuple(shared[key])) for key in sorted(shared)}
    return pages, {paper_id: shown[keys[0]] for paper_id, keys in paper_keys.items() if keys}, len(by_key) - len(shared)


def keyword_min_papers(papers: int) -> int:
    """The fewest papers a keyword needs for a page of its own in an archive of `papers` papers."""
    return max(KEYWORD_MIN_PAPERS, -(-papers // KEYWORD_PAGE_SHARE))


def build_archive(papers: dict[str, Paper], content_dir: Path) -> Archive:
    """Check every paper's dates and group the papers for the site."""
    for paper in papers.values():
        check_dates(paper, content_dir)
    ordered = sorted(papers.values(), key=newest_first_key, reverse=True)
    newest = tuple(p.id for p in ordered)
    days: dict[str, list[str]] = defaultdict(list)
    months: dict[str, list[str]] = defaultdict(list)
    for paper in ordered:
        if paper.day:
            days[paper.day].append(paper.id)
            months[paper.day[:7]].append(paper.id)
    settled_ids = {paper.id for paper, done in zip(ordered, settled(ordered)) if done}
    by_keyword, paper_keys, shown = group_keywords(ordered, settled_ids=settled_ids)
    least = keyword_min_papers(len(papers))
    shared = {key: ids for key, ids in by_keyword.items() if len(ids) >= least}
    least_settled = keyword_min_papers(len(settled_ids))
    filters = frozenset(shown[key] for key, ids in by_keyword.items() if sum(i in settled_ids for i in ids) >= least_settled)
    # from the folded names, a clash won by the older page: a new spelling never moves a page
    slugs = assign_slugs(shared, since=lambda key: page_since(papers, shared[key], least))
    keywords = {shown[key]: Keyword(shown[key], slugs[key], tuple(shared[key])) for key in sorted(shared)}
    paper_keywords = {paper_id: tuple(shown[key] for key in keys) for paper_id, keys in paper_keys.items()}
    organizations, paper_organization, single_organizations = group_organizations(ordered)
    times = [t for p in papers.values() for t in (p.refreshed, p.first_seen) if t]
    return Archive(
        papers=papers,
        newest=newest,
        days={day: tuple(days[day]) for day in sorted(days)},
        months={month: tuple(months[month]) for month in sorted(months)},
        keywords=keywords,
        paper_keywords=paper_keywords,
        keyword_filters=filters,
        keyword_min_papers=least,
        single_keywords=len(by_keyword) - len(shared),
        organizations=organizations,
        paper_organization=paper_organization,
        single_organizations=single_organizations,
        updated=max(times, default=None),
    )
