"""The one record every stage passes along: `Paper`, and the rules for its id."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import urlsplit

from papermirror.errors import ContentError
from papermirror.files import PAPERS_DIR

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
"""The bidirectional embeddings, overrides and isolates, as a regex character range: text from the hub that
holds one unclosed reorders whatever follows it on a line (a page's listing line, a terminal line), so every
output drops them (site/mathtext.drop_control, search/terminal.printable). Right-to-left text needs none of them
to show right; the marks U+200E and U+200F, which embed nothing, stay."""
TERMINAL_CONTROLS = f"\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}"
"""What no line printed to a terminal may carry as it is, as a regex character range: C0 and C1 control characters
but tab and newline (an ESC clears the screen or sets the window's title), and the bidirectional controls
(build.shown writes them as escapes, search/terminal.printable drops them)."""
_INVISIBLE = re.compile(
    f"[\\s\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\ufdd0-\ufdef\ufffe\uffff"
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u206f\u2800\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]+"
)
"""Characters that show nothing: white space, controls, bidirectional controls, noncharacters, Unicode's default
ignorable code points (soft hyphen, zero-width and joiner characters, invisible operators, Hangul fillers,
variation selectors, tags) and the blank braille pattern U+2800."""


def has_visible_text(text: str) -> bool:
    """Tell whether `text` shows anything: a title of controls alone (a right-to-left override and a U+0001) is no
    title, and would leave an empty heading, link and feed title once the pages drop its controls."""
    return bool(_INVISIBLE.sub("", text))


NEW_ID = re.compile(r"[0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?")
"""arXiv ids since 2007: YYMM.NNNNN (kept as text: "2503.02130" is not a number). ASCII digits only:
`\\d` would take "２５０１.００００４" too."""
OLD_ARCHIVES = (
    "acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas cond-mat cs dg-ga "
    "funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th nlin nucl-ex nucl-th patt-sol physics plasm-ph "
    "q-alg q-bio quant-ph solv-int stat supr-con"
).split()
"""The archives of arXiv's ids before April 2007 (no other name ever had such ids)."""
OLD_ID = re.compile(rf"(?:{'|'.join(map(re.escape, OLD_ARCHIVES))})(?:\.[A-Z]{{2}})?/[0-9]{{2}}(?:0[1-9]|1[0-2])[0-9]{{3}}(?:v[0-9]+)?")
"""arXiv ids before 2007: archive[.SC]/YYMMNNN, e.g. hep-th/9901001 or math.GT/0309136 (a month 01-12)."""


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


def is_paper_relpath(relpath: str) -> bool:
    """Tell whether a path below content/ ("papers/2405/2405.15738.md") is where a paper's file lives: the file
    of a valid id, in its month's folder (not any .md: "papers/2405/reading-list.md" is the owner's)."""
    name = relpath.rpartition("/")[2]
    paper_id = name.removesuffix(".md").replace("_", "/", 1)
    return name.endswith(".md") and is_valid_id(paper_id) and content_relpath(paper_id).as_posix() == relpath


def paper_path(content_dir: Path, paper_id: str) -> Path:
    """Return the file of `paper_id` below `content_dir` (never outside it)."""
    return content_dir / content_relpath(paper_id)


def refuse_loose_papers(content_dir: Path) -> None:
    """Raise ContentError for a paper's file put straight into content/papers/ rather than its month's folder:
    no reader lists it (a file of one's own may sit there), so it was left out of the site without a word."""
    try:
        entries = list(os.scandir(content_dir / PAPERS_DIR))
    except OSError:
        return  # no papers folder: the listing says what is wrong with it
    for entry in sorted(entries, key=lambda entry: entry.name):
        paper_id = entry.name.removesuffix(".md").replace("_", "/", 1)
        if entry.name.endswith(".md") and is_valid_id(paper_id) and entry.is_file():
            raise ContentError(f"{entry.path}: a paper's file belongs in its month's folder, "
                               f"{paper_path(content_dir, paper_id)}; move it there")


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_DAY = dt.date(1991, 1, 1)
"""arXiv began in 1991: no paper, and no listing day, comes before."""


def implausible_day(day: dt.date) -> str | None:
    """Say why a paper's day cannot be right (before arXiv began, or after tomorrow, UTC), or None: a day of
    0001-01-01 or 9999-12-31 would stretch the trends page over thousands of months."""
    if day < FIRST_DAY:
        return f"before arXiv began ({FIRST_DAY})"
    if day > _day_after(int(time.time() // 86400)):  # asked for each day of each paper read: no clock read a call
        return "after tomorrow (UTC)"
    return None


@functools.lru_cache(maxsize=2)
def _day_after(days_since_epoch: int) -> dt.date:
    """The UTC day after the `days_since_epoch`-th since 1970-01-01."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=days_since_epoch + 1)


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


NOT_HTTP = "only http(s) links are kept"
"""`link_problem`'s answer for anything but an absolute http(s) link."""


def link_problem(value: object) -> str | None:
    """Why `value` cannot be a link of a page (None: it can): not an absolute http(s) link with a host (NOT_HTTP:
    javascript:, data:, a relative path, whitespace); a user name or password in it (published as sent, and
    `https://github.com@evil.example/` shows github.com to a reader but leads elsewhere); an invisible or control
    character (a browser drops it: the link followed would not be the one stored); a port that cannot be."""
    if not isinstance(value, str) or value != value.strip() or any(c in value for c in "\r\n\t \\"):
        return NOT_HTTP
    try:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return NOT_HTTP
    except ValueError:
        return NOT_HTTP
    try:
        port = parts.port
    except ValueError:  # above 65535, or not a number
        port = 0
    if port == 0:  # (0: no server listens there; browsers refuse it)
        return "a link with a port that cannot be is not kept"
    if "@" in parts.netloc:
        return "a link holding a user name or password is not kept"
    if any(unicodedata.category(char)[0] in "CZ" for char in value):
        return "a link holding invisible or control characters is not kept"
    return None


def is_http_url(value: object) -> bool:
    """Accept only absolute http(s) links with a host and nothing a reader would be misled by (`link_problem`)."""
    return link_problem(value) is None


REPO_NAME = r"(?![.-])(?!.*(?:--|\.\.))[A-Za-z0-9_.-]{1,96}(?<![.-])"
"""One part of a Hub repo id, by huggingface_hub's rule: letters, digits, - _ . (not first or last, never
doubled), at most 96; ASCII only."""
REPO_ID = re.compile(f"{REPO_NAME}/{REPO_NAME}")
"""A Hub repo id: owner/name. Nothing else can reach a link: no scheme, no '..', no '?', '#' or '%'."""
HUB_URL = "https://huggingface.co/"
LINKED_KINDS = ("model", "dataset", "space")
"""The kinds of Hub repos that link a paper, in the order they are stored and shown."""
LINKED_TOP = 8
"""Repos of each kind a paper keeps (the most liked); `linked_totals` counts them all."""
_KIND_PATHS = {"model": "", "dataset": "datasets/", "space": "spaces/"}
EMOJI_LENGTH = 16
"""The most characters a Space's emoji may have (a flag or a ZWJ sequence takes several)."""


def is_repo_id(value: object) -> bool:
    """Tell whether `value` is a Hub repo id (owner/name) that is safe to put in a huggingface.co link."""
    return isinstance(value, str) and bool(REPO_ID.fullmatch(value))


def is_emoji(value: object) -> bool:
    """Accept a short text of printable characters (and the zero-width joiner of emoji sequences), no space."""
    return (isinstance(value, str) and 0 < len(value) <= EMOJI_LENGTH and not any(c.isspace() for c in value)
            and all(c.isprintable() or c == "\u200d" for c in value))


class LinkedRepo(NamedTuple):
    """A model, dataset or Space on huggingface.co that links the paper (a tuple: JSON and pickle take it as is)."""

    kind: str
    """What it is: "model", "dataset" or "space" (LINKED_KINDS)."""
    id: str
    """The repo id, owner/name (checked by is_repo_id)."""
    likes: int | None = None
    """Likes on huggingface.co, as of the paper's details_refreshed."""
    downloads: int | None = None
    """Downloads (models and datasets; HF counts the last 30 days)."""
    emoji: str | None = None
    """A Space's emoji."""

    @property
    def url(self) -> str:
        """The repo's page: huggingface.co/<id>, /datasets/<id> or /spaces/<id>."""
        return f"{HUB_URL}{_KIND_PATHS[self.kind]}{self.id}"


class LinkedTotals(NamedTuple):
    """How many repos of each kind link the paper in all; `linked` holds only the top few of each."""

    models: int = 0
    datasets: int = 0
    spaces: int = 0

    def of(self, kind: str) -> int:
        """The total of one kind ("model", "dataset", "space")."""
        return self[LINKED_KINDS.index(kind)]


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
"""Fields a listing's refresh updates. Title, authors, published and abstract are written once; linked,
linked_totals and details_refreshed come from the paper's own object (fetch.merge.merge_details)."""


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
    linked: tuple[LinkedRepo, ...] = ()
    """The models, datasets and Spaces that link the paper on huggingface.co: the LINKED_TOP of each kind
    with the most likes, by kind (LINKED_KINDS), then likes, then id; as of `details_refreshed`."""
    linked_totals: LinkedTotals | None = None
    """How many of each kind link the paper in all (None: its details were never fetched)."""
    details_refreshed: str | None = None
    """When `linked` and `linked_totals` were measured (UTC, ISO 8601); None: details still missing."""
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
    def bibtex_url(self) -> str:
        """arXiv's own BibTeX entry of the paper (the id is an arXiv id: checked where the record is made)."""
        return f"https://arxiv.org/bibtex/{self.id}"

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.id}"

    def linked_of(self, kind: str) -> tuple[LinkedRepo, ...]:
        """The stored repos of one kind ("model", "dataset", "space"), most liked first."""
        return tuple(repo for repo in self.linked if repo.kind == kind)

    @property
    def linked_counts(self) -> tuple[tuple[str, int], ...]:
        """(kind, total) of each kind that links the paper, in LINKED_KINDS order: the listings' "3 models · 1 Space"."""
        totals = self.linked_totals or LinkedTotals()
        return tuple((kind, totals.of(kind)) for kind in LINKED_KINDS if totals.of(kind))


PAPER_FIELDS = tuple(f.name for f in dataclasses.fields(Paper))
TUPLE_FIELDS = ("authors", "daily", "ai_keywords", "queries")
"""Fields holding a list of text."""
INT_FIELDS = ("upvotes", "comments", "github_stars")
URL_FIELDS = ("github_repo", "project_page", "thumbnail")
