"""The one record every stage passes along: `Paper`, and the rules for its id."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

NEW_ID = re.compile(r"[0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?")
"""arXiv ids since 2007: YYMM.NNNNN (kept as text: "2503.02130" is not a number). ASCII digits only:
`\\d` would take "２５０１.００００４" too."""
OLD_ID = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/[0-9]{7}(?:v[0-9]+)?")
"""arXiv ids before 2007: archive[.SC]/YYMMNNN, e.g. hep-th/9901001 or math.GT/0309136."""


def is_valid_id(paper_id: object) -> bool:
    """Tell whether `paper_id` is an arXiv id we can safely turn into a path."""
    if not isinstance(paper_id, str):
        return False
    if NEW_ID.fullmatch(paper_id):
        # Since 2015 (1501) the number has five digits: "2503.0213" is a mangled "2503.02130".
        return paper_id[:4] < "1501" or len(paper_id.split(".")[1].split("v")[0]) == 5
    return bool(OLD_ID.fullmatch(paper_id))


def id_month(paper_id: str) -> str:
    """Return the YYMM an arXiv id was issued in (the content shard)."""
    digits = paper_id.split("/")[-1]
    return digits[:4]


def content_relpath(paper_id: str) -> PurePosixPath:
    """Return where a paper lives below content/: papers/<YYMM>/<id>.md (old ids: '/' -> '_')."""
    if not is_valid_id(paper_id):
        raise ValueError(f"not an arXiv id: {paper_id!r}")
    return PurePosixPath("papers", id_month(paper_id), paper_id.replace("/", "_") + ".md")


def paper_path(content_dir: Path, paper_id: str) -> Path:
    """Return the file of `paper_id` below `content_dir` (never outside it)."""
    return content_dir / content_relpath(paper_id)


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: object) -> dt.date | None:
    """Return the date of a 'YYYY-MM-DD' text that is a real calendar day, else None (2025-02-30, 0000-01-01)."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_stamp(value: object) -> dt.datetime | None:
    """Return the UTC time of an ISO 8601 stamp ('2025-03-14T08:00:00Z'; no zone means UTC), else None."""
    if not isinstance(value, str) or not _DAY.match(value):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.timezone.utc) if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def format_stamp(when: dt.datetime) -> str:
    """Write a UTC time as the archive does: '2025-03-14T08:00:00Z'."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_http_url(value: object) -> bool:
    """Accept only absolute http(s) links with a host: no javascript:, data: or relative paths."""
    if not isinstance(value, str) or value != value.strip() or any(c in value for c in "\r\n\t \\"):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


VOLATILE_FIELDS = (
    "daily",
    "upvotes",
    "comments",
    "github_repo",
    "github_stars",
    "project_page",
    "organization",
    "ai_summary",
    "ai_keywords",
    "thumbnail",
    "queries",
)
"""Fields a refresh updates. The others (title, authors, published, abstract) are written once."""


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper of the listing, as stored in content/papers/<YYMM>/<id>.md."""

    id: str
    """arXiv id, always a string."""
    title: str
    """Title, unwrapped but otherwise exactly as the hub gave it (TeX and all)."""
    authors: tuple[str, ...] = ()
    """Author names in order, hidden authors left out."""
    published: str | None = None
    """arXiv publication day, YYYY-MM-DD."""
    abstract: str = ""
    """The abstract, unwrapped; paragraphs separated by a blank line."""
    daily: tuple[str, ...] = ()
    """Every Daily Papers day (YYYY-MM-DD) the paper was listed on, sorted."""
    upvotes: int | None = None
    """Upvotes on huggingface.co, as of `refreshed`."""
    comments: int | None = None
    """Comments on huggingface.co, as of `refreshed`."""
    github_repo: str | None = None
    """Code repository (http(s) only)."""
    github_stars: int | None = None
    """Stars of `github_repo`, as of `refreshed`."""
    project_page: str | None = None
    """Project page (http(s) only)."""
    organization: str | None = None
    """Organization the paper is claimed by on huggingface.co."""
    ai_summary: str | None = None
    """HF's one-sentence AI summary."""
    ai_keywords: tuple[str, ...] = ()
    """HF's AI-extracted keywords, in the hub's order."""
    thumbnail: str | None = None
    """Social thumbnail image (http(s) only)."""
    queries: tuple[str, ...] = ()
    """The mirror.yml queries whose results held this paper, sorted."""
    first_seen: str | None = None
    """When the mirror first stored this paper (UTC, ISO 8601)."""
    refreshed: str | None = None
    """When a refresh last changed this paper's figures (UTC, ISO 8601)."""
    notes: str = ""
    """The owner's own Markdown notes, never touched by a refresh."""

    def replace(self, **changes: object) -> Paper:
        """Return a copy with `changes` applied."""
        return dataclasses.replace(self, **changes)

    @property
    def day(self) -> str | None:
        """The day this paper is filed under: its first Daily Papers day, else its arXiv day."""
        return self.daily[0] if self.daily else self.published

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.id}"

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.id}"


PAPER_FIELDS = tuple(f.name for f in dataclasses.fields(Paper))
TUPLE_FIELDS = ("authors", "daily", "ai_keywords", "queries")
INT_FIELDS = ("upvotes", "comments", "github_stars")
URL_FIELDS = ("github_repo", "project_page", "thumbnail")
