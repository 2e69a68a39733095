"""Turn one item of the HF Papers API into a `Paper`, whatever the year's schema looked like.

Handles the shapes seen 2024-2026 (see tests/fixtures/hf-api/SOURCE.md):
- daily/search items `{paper: {...}, title, summary, thumbnail, numComments, ...}`;
- the flat `/api/papers/{id}` object and the pre-October-2024 search shape `{id, title, thumbnailUrl}`;
- fields that come and go: every field but id and title may be missing or of the wrong type.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from papermirror.content.paper import Paper, is_http_url, is_valid_id, parse_day
from papermirror.content.paperfile import brief

log = logging.getLogger(__name__)

_WRAP = re.compile(r"[ \t]*\n[ \t]*")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SURROGATE = re.compile("[\ud800-\udfff]")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?")
FIRST_DAY = dt.date(1991, 1, 1)
"""No paper is older than arXiv (August 1991): an earlier day is a broken record."""


def unwrap(text: str) -> str:
    """Undo the hub's hard wrapping ("\\n  "): join lines, keep blank-line paragraph breaks, change nothing else."""
    paragraphs = _PARAGRAPH.split(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return "\n\n".join(_WRAP.sub(" ", p) for p in paragraphs if p.strip())


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
    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title:
        log.warning("skipped paper %s: it has no title", paper_id)
        return None
    days = {d for d in (listed_on, _day(paper.get("submittedOnDailyAt"), paper_id, "submittedOnDailyAt")) if d}
    return Paper(
        id=paper_id,
        title=unwrap(title),
        authors=_authors(paper.get("authors")),
        published=_day(paper.get("publishedAt"), paper_id, "publishedAt"),
        abstract=unwrap(_text(paper.get("summary")) or _text(item.get("summary")) or ""),
        daily=tuple(sorted(days)),
        upvotes=_count(paper.get("upvotes")),
        comments=_count(item.get("numComments", paper.get("numComments"))),
        github_repo=_url(paper.get("githubRepo"), paper_id, "githubRepo"),
        github_stars=_count(paper.get("githubStars")),
        project_page=_url(paper.get("projectPage"), paper_id, "projectPage"),
        organization=_organization(paper.get("organization")) or _organization(item.get("organization")),
        ai_summary=unwrap(_text(paper.get("ai_summary"))) or None,
        ai_keywords=_keywords(paper.get("ai_keywords")),
        thumbnail=_url(
            item.get("thumbnail") or item.get("mediaUrl") or item.get("thumbnailUrl"), paper_id, "thumbnail"
        ),
        queries=(query,) if query else (),
    )


def clean_text(text: str) -> str:
    """Replace lone surrogates (JSON's "\\ud800", which no file can hold) by U+FFFD; join split pairs."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _text(value: object) -> str:
    return clean_text(value).strip() if isinstance(value, str) else ""


def _day(value: object, paper_id: str, key: str) -> str | None:
    """Return the YYYY-MM-DD of an ISO time stamp if it is a real and plausible day, else None (with a warning)."""
    if value is None or value == "":
        return None
    day = parse_day(value[:10]) if isinstance(value, str) and _STAMP.fullmatch(value) else None
    if day is None:
        log.warning("paper %s: dropped %s %s: not a real date", paper_id, key, brief(value))
        return None
    tomorrow = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)
    if not FIRST_DAY <= day <= tomorrow:
        log.warning("paper %s: dropped %s %s: before %s or after tomorrow", paper_id, key, brief(value), FIRST_DAY.year)
        return None
    return day.isoformat()


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _url(value: object, paper_id: str, key: str) -> str | None:
    if value in (None, ""):
        return None
    if is_http_url(value) and not _SURROGATE.search(value):
        return value
    log.warning("paper %s: dropped %s %s: only http(s) links are kept", paper_id, key, brief(value))
    return None


def _authors(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = []
    for author in value:
        if isinstance(author, dict) and not author.get("hidden") and _text(author.get("name")):
            names.append(unwrap(_text(author["name"])))
    return tuple(names)


def _organization(value: object) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("fullname")) or _text(value.get("name")) or None
    return None


def _keywords(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    seen: dict[str, None] = {}
    for keyword in value:
        if isinstance(keyword, str) and keyword.strip():
            seen.setdefault(" ".join(clean_text(keyword).split()), None)
    return tuple(seen)
