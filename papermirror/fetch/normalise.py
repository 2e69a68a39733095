"""Turn one item of the HF Papers API into a `Paper`, whatever the year's schema looked like.

Handles the shapes seen 2024-2026 (see tests/fixtures/hf-api/SOURCE.md):
- daily/search items `{paper: {...}, title, summary, thumbnail, numComments, ...}`;
- the flat `/api/papers/{id}` object and the pre-October-2024 search shape `{id, title, thumbnailUrl}`;
- fields that come and go: every field but id and title may be missing or of the wrong type.

`normalise_details` takes the linked models, datasets and Spaces (and their totals) from a paper's own
object, `/api/papers/{id}`, which the listings do not carry.
"""

from __future__ import annotations

import logging
import re

from papermirror.content.paper import (
    LINKED_KINDS,
    LINKED_TOP,
    LinkedRepo,
    LinkedTotals,
    Paper,
    has_visible_text,
    implausible_day,
    is_emoji,
    is_repo_id,
    is_valid_id,
    link_problem,
    parse_day,
)
from papermirror.content.paperfile import brief

log = logging.getLogger(__name__)

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SURROGATE = re.compile("[\ud800-\udfff]")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?")
DETAIL_KEYS = {"model": ("linkedModels", "numTotalModels"), "dataset": ("linkedDatasets", "numTotalDatasets"),
               "space": ("linkedSpaces", "numTotalSpaces")}
"""Where a paper object lists each kind of linked repo, and how many there are in all."""
_VERSION = re.compile(r"v[0-9]+$")
"""An arXiv version at the end of an id (2501.00001v2)."""
MOST_CHARACTERS = {"title": 1_000, "summary": 10_000, "ai_summary": 5_000, "author": 300, "organization": 300}
"""The longest text of each field an item may bring (clipped beyond, with a warning): one item must not weigh
megabytes on every page it is listed on (its title is on the home page, its day, month, keyword and organization
pages and the feeds). The 580 recorded days' longest: a title of 175 characters, an abstract of 1,923 (arXiv's
limit), an AI summary of 1,606, an author's name of 55, an organization's of 79."""
MOST_AUTHORS = 3000
"""The most authors a paper keeps (the first ones): each is on its page and in the feed, so 20,000 made a page of
2.4 MB and a feed of 2.1 MB. The recorded most: 664; arXiv's largest collaborations list about 5,000, none on HF."""
MOST_KEYWORDS = 100
"""The most AI keywords a paper keeps (the first ones; each has a page, so 5,000 made 5,000 folders of one item).
The recorded most: 44."""
LONGEST_KEYWORD = 200
"""A keyword longer than this is dropped (the recorded longest: 73 characters)."""


def unwrap(text: str) -> str:
    """Undo the hub's hard wrapping ("\\n  "): join lines, keep blank-line paragraph breaks, change nothing else."""
    paragraphs = _PARAGRAPH.split(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return "\n\n".join(join_lines(p) for p in paragraphs if p.strip())


def join_lines(paragraph: str) -> str:
    """Join a paragraph's lines with one space each, dropping the spaces and tabs around each line break.

    (A regular expression such as `[ \\t]*\\n[ \\t]*` does the same, but tries every space of a long run of
    spaces as a start: an abstract holding 100,000 spaces in a row held a snapshot for 27 s. This is linear.)"""
    lines = paragraph.split("\n")
    if len(lines) == 1:
        return paragraph
    return " ".join([lines[0].rstrip(" \t"), *(line.strip(" \t") for line in lines[1:-1]), lines[-1].lstrip(" \t")])


def normalise_item(item: object, listed_on: str | None = None, query: str | None = None) -> Paper | None:
    """Build a Paper from one API item; return None (with a warning) when it has no usable id or title."""
    if not isinstance(item, dict):
        log.warning("skipped an item that is not an object: %s", brief(item))
        return None
    paper = item["paper"] if isinstance(item.get("paper"), dict) else item
    paper_id = paper.get("id")
    if not is_valid_id(paper_id):
        log.warning("skipped an item whose id is not a usable arXiv id: %s", brief(paper_id))
        return None
    unversioned = _VERSION.sub("", paper_id)
    if unversioned != paper_id:  # HF names a paper without its arXiv version: one paper, one file
        log.warning("paper %s: listed with an arXiv version; kept as %s", paper_id, unversioned)
        paper_id = unversioned
    title = _clipped(_text(paper.get("title")) or _text(item.get("title")), paper_id, "title")
    if not title:
        log.warning("skipped paper %s: it has no title", paper_id)
        return None
    submitted = _day(paper.get("submittedOnDailyAt"), paper_id, "submittedOnDailyAt")
    if listed_on and submitted and submitted != listed_on:  # every recorded day's items say their own day
        log.warning("paper %s: submittedOnDailyAt %s is not the day it was listed on (%s): filed under %s",
                    paper_id, submitted, listed_on, listed_on)
    days = {listed_on} if listed_on else {submitted} if submitted else set()
    return Paper(
        id=paper_id,
        title=unwrap(title),
        authors=_authors(paper.get("authors"), paper_id),
        published=_day(paper.get("publishedAt"), paper_id, "publishedAt"),
        abstract=unwrap(_clipped(_text(paper.get("summary")) or _text(item.get("summary")), paper_id, "summary")),
        daily=tuple(sorted(days)),
        upvotes=_count(paper.get("upvotes"), paper_id, "upvotes"),
        comments=_count(item.get("numComments", paper.get("numComments")), paper_id, "numComments"),
        github_repo=_url(paper.get("githubRepo"), paper_id, "githubRepo"),
        github_stars=_count(paper.get("githubStars"), paper_id, "githubStars"),
        project_page=_url(paper.get("projectPage"), paper_id, "projectPage"),
        organization=_organization(paper.get("organization"), paper_id) or _organization(item.get("organization"), paper_id),
        ai_summary=unwrap(_clipped(_text(paper.get("ai_summary")), paper_id, "ai_summary")) or None,
        ai_keywords=_keywords(paper.get("ai_keywords"), paper_id),
        thumbnail=_url(
            item.get("thumbnail") or item.get("mediaUrl") or item.get("thumbnailUrl"), paper_id, "thumbnail"
        ),
        queries=(query,) if query else (),
    )


def normalise_details(answer: object, paper_id: str, kept: tuple[LinkedRepo, ...] = (),
                      kept_totals: LinkedTotals = LinkedTotals()) -> tuple[tuple[LinkedRepo, ...], LinkedTotals] | None:
    """Take the top LINKED_TOP linked repos of each kind, by likes, and the totals from `/api/papers/{id}`; a kind the
    object leaves out keeps the paper's stored repos and total of that kind (`kept`, `kept_totals`), with a warning:
    read as none, a kind the hub stopped sending wiped every paper's repos of that kind.

    Return None (with a warning) for an answer that is not this paper's object, lists no kind at all, or
    lists a kind as anything but a list (the stored details are then kept, not wiped). A repo whose id is
    not a safe owner/name is dropped with a warning; a repo listed twice (ids on huggingface.co ignore
    case) counts once.
    """
    if not isinstance(answer, dict) or answer.get("id", paper_id) != paper_id:
        log.warning("paper %s: its details are not this paper's object: %s", paper_id, brief(answer))
        return None
    if not any(key in answer for keys in DETAIL_KEYS.values() for key in keys):
        log.warning("paper %s: its object lists no linked models, datasets or Spaces", paper_id)
        return None
    odd = [key for key, _total in DETAIL_KEYS.values() if key in answer and not isinstance(answer[key], list)]
    if odd:
        log.warning("paper %s: its object's %s is not a list: %s; its details are kept as they were",
                    paper_id, odd[0], brief(answer[odd[0]]))
        return None
    linked: list[LinkedRepo] = []
    totals = []
    for kind in LINKED_KINDS:
        items_key, total_key = DETAIL_KEYS[kind]
        if items_key not in answer:
            log.warning("paper %s: its object has no %s; its %ss are kept as they were", paper_id, items_key, kind)
            linked += [repo for repo in kept if repo.kind == kind]
            totals.append(kept_totals.of(kind))
            continue
        repos: dict[str, LinkedRepo] = {}
        listed: set[object] = set()  # every item the hub listed, once a repo (an item without a text id: once each)
        for number, item in enumerate(answer.get(items_key, [])):
            repo_id = item.get("id") if isinstance(item, dict) else None
            listed.add(repo_id.lower() if isinstance(repo_id, str) else number)
            repo = _linked_repo(item, kind, paper_id)
            if repo and (repo.id.lower() not in repos or _rank(repo) < _rank(repos[repo.id.lower()])):
                repos[repo.id.lower()] = repo
        linked += sorted(repos.values(), key=_rank)[:LINKED_TOP]
        totals.append(max(_count(answer.get(total_key), paper_id, total_key) or 0, len(listed)))
    return tuple(linked), LinkedTotals(*totals)


def _rank(repo: LinkedRepo) -> tuple:
    """Most liked first, then by id (case-insensitively, then exactly): the order linked repos are kept in."""
    return -(repo.likes or 0), repo.id.lower(), repo.id


def _linked_repo(item: object, kind: str, paper_id: str) -> LinkedRepo | None:
    """One linked repo, or None (with a warning) when its id cannot safely become a huggingface.co link."""
    repo_id = item.get("id") if isinstance(item, dict) else None
    if not is_repo_id(repo_id):
        log.warning("paper %s: dropped a linked %s whose id is not owner/name: %s", paper_id, kind, brief(repo_id))
        return None
    emoji = _text(item.get("emoji")) if kind == "space" else ""
    return LinkedRepo(
        kind=kind,
        id=repo_id,
        likes=_count(item.get("likes"), paper_id, f"the likes of {kind} {repo_id}"),
        downloads=_count(item.get("downloads"), paper_id, f"the downloads of {kind} {repo_id}") if kind != "space" else None,
        emoji=emoji if is_emoji(emoji) else None,
    )


def clean_text(text: str) -> str:
    """Replace lone surrogates (JSON's "\\ud800", which no file can hold) by U+FFFD; join split pairs."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _clipped(text: str, paper_id: str, key: str) -> str:
    """`text` cut to MOST_CHARACTERS[key] (with "…" and a warning naming the paper and field)."""
    most = MOST_CHARACTERS[key]
    if len(text) <= most:
        return text
    log.warning("paper %s: %s of %d characters clipped to %d", paper_id, key, len(text), most)
    return text[: most - 1].rstrip() + "…"


def _text(value: object) -> str:
    """A text field, stripped; "" for none, and for one that shows nothing (controls alone: `has_visible_text`)."""
    text = clean_text(value).strip() if isinstance(value, str) else ""
    return text if has_visible_text(text) else ""


def _day(value: object, paper_id: str, key: str) -> str | None:
    """Return the YYYY-MM-DD of an ISO time stamp if it is a real and plausible day, else None (with a warning)."""
    if value is None or value == "":
        return None
    day = parse_day(value[:10]) if isinstance(value, str) and _STAMP.fullmatch(value) else None
    if day is None:
        log.warning("paper %s: dropped %s %s: not a real date", paper_id, key, brief(value))
        return None
    problem = implausible_day(day)
    if problem:
        log.warning("paper %s: dropped %s %s: %s", paper_id, key, brief(value), problem)
        return None
    return day.isoformat()


def _count(value: object, paper_id: str, key: str) -> int | None:
    """A count (a whole number, 0 or more); None for none, and for anything else (with a warning: "12" is not 12)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if value is not None:
        log.warning("paper %s: dropped %s %s: not a count (a whole number, 0 or more)", paper_id, key, brief(value))
    return None


def _url(value: object, paper_id: str, key: str) -> str | None:
    if isinstance(value, str):
        value = value.strip()  # ' https://...': a link pasted with a space around it is still that link
    if value in (None, ""):
        return None
    problem = link_problem(value)
    if problem is None:
        return value
    log.warning("paper %s: dropped %s %s: %s", paper_id, key, brief(value), problem)
    return None


def _listed(value: object, paper_id: str, key: str) -> list:
    """A list field's items; none for a missing field, and for one that is not a list (with a warning)."""
    if isinstance(value, list):
        return value
    if value is not None:
        log.warning("paper %s: dropped %s %s: not a list", paper_id, key, brief(value))
    return []


def _authors(value: object, paper_id: str) -> tuple[str, ...]:
    """The names of the authors the hub shows: those it flags `hidden: true` are left out, as on its page. Only
    true hides one: a flag of another type ("false", 0) cannot be read, and losing a name is worse than showing one."""
    names = []
    for author in _listed(value, paper_id, "authors"):
        if not isinstance(author, dict):
            log.warning("paper %s: dropped an author that is not an object: %s", paper_id, brief(author))
            continue
        hidden, name = author.get("hidden"), _clipped(_text(author.get("name")), paper_id, "author")
        if hidden is True or not name:
            continue
        if hidden is not None and hidden is not False:  # not `in (None, False)`: 0 == False
            log.warning("paper %s: author %s has a hidden flag that is not true or false (%s): shown",
                        paper_id, brief(name), brief(hidden))
        names.append(unwrap(name))
    if len(names) > MOST_AUTHORS:
        log.warning("paper %s: %d authors; the first %d kept", paper_id, len(names), MOST_AUTHORS)
    return tuple(names[:MOST_AUTHORS])


def _organization(value: object, paper_id: str) -> str | None:
    if isinstance(value, dict):
        name = _text(value.get("fullname")) or _text(value.get("name"))
        return _clipped(name, paper_id, "organization") or None
    if value is not None:
        log.warning("paper %s: dropped organization %s: not an object", paper_id, brief(value))
    return None


def _keywords(value: object, paper_id: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for keyword in _listed(value, paper_id, "ai_keywords"):
        if isinstance(keyword, str) and len(keyword) > LONGEST_KEYWORD:
            log.warning("paper %s: dropped a keyword of %d characters (at most %d): %s", paper_id, len(keyword),
                        LONGEST_KEYWORD, brief(keyword))
        elif isinstance(keyword, str) and has_visible_text(keyword):
            seen.setdefault(" ".join(clean_text(keyword).split()), None)
        elif not isinstance(keyword, str):
            log.warning("paper %s: dropped a keyword that is not text: %s", paper_id, brief(keyword))
    if len(seen) > MOST_KEYWORDS:
        log.warning("paper %s: %d keywords; the first %d kept", paper_id, len(seen), MOST_KEYWORDS)
    return tuple(seen)[:MOST_KEYWORDS]
