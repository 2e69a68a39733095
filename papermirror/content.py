"""Write and read content/: one Markdown file per paper (YAML front matter + abstract), and the ledger.

A paper file looks like this:

    ---
    id: '2503.02130'
    title: ...
    ...
    ---

    The abstract, exactly as the hub gave it (unwrapped).

    <!-- notes -->

    Your own Markdown notes, kept on every refresh.

Every write is atomic (temp file + rename) and happens only when the bytes change.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from papermirror.errors import UserError
from papermirror.paper import (
    INT_FIELDS,
    PAPER_FIELDS,
    TUPLE_FIELDS,
    URL_FIELDS,
    VOLATILE_FIELDS,
    Paper,
    content_relpath,
    is_http_url,
    is_valid_id,
)

NOTES_MARKER = "<!-- notes -->"
"""A line that ends the abstract; everything below it is the owner's notes."""
LEDGER_NAME = "ledger.yml"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class ContentError(UserError):
    """A content file that cannot be read; the message names the file (and line)."""


# --- front matter -------------------------------------------------------------------------------


def split_front_matter(text: str, source: Path | str = "<text>") -> tuple[dict, str]:
    """Split `---` YAML front matter from the body; the front matter must be a mapping."""
    if not text.startswith("---\n"):
        raise ContentError(f"{source}:1: does not start with a '---' front matter line")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise ContentError(f"{source}:1: front matter is never closed by a '---' line")
    try:
        meta = yaml.load(text[4 : end + 1], Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"{source}:{line}: bad YAML in front matter: {problem}") from None
    except ValueError as exc:  # PyYAML turns 2025-13-01 into a date and fails
        raise ContentError(f"{source}: front matter holds an impossible date: {exc}") from None
    if not isinstance(meta, dict):
        raise ContentError(f"{source}:2: front matter must be a mapping of keys, not {type(meta).__name__}")
    return meta, text[end + 5 :]


def join_front_matter(meta: dict, body: str) -> str:
    """Return `---`, YAML of `meta` in the given key order, `---`, then `body`."""
    yaml_text = yaml.dump(
        meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
    return f"---\n{yaml_text}---\n{body}"


# --- one paper <-> one file ---------------------------------------------------------------------


def paper_to_text(paper: Paper) -> str:
    """Serialise a paper; `text_to_paper` of the result gives back an equal Paper."""
    if NOTES_MARKER in paper.abstract.splitlines():
        raise ValueError(f"paper {paper.id}: abstract holds the notes marker line {NOTES_MARKER!r}")
    meta: dict = {}
    for name in PAPER_FIELDS:
        if name in ("abstract", "notes"):
            continue
        value = getattr(paper, name)
        if value is None or value == ():
            continue
        meta[name] = list(value) if name in TUPLE_FIELDS else value
    body = f"\n{paper.abstract}\n" if paper.abstract else ""
    if paper.notes:
        body += f"\n{NOTES_MARKER}\n\n{paper.notes}\n"
    return join_front_matter(meta, body)


def text_to_paper(text: str, source: Path | str = "<text>") -> Paper:
    """Parse a paper file; raise ContentError naming `source` and the key on bad content."""
    meta, body = split_front_matter(text, source)
    unknown = sorted(set(meta) - set(PAPER_FIELDS) - {"abstract", "notes"})
    if unknown:
        raise ContentError(f"{source}: unknown key(s) in front matter: {', '.join(map(str, unknown))}")
    values = {name: _check_field(name, meta[name], source) for name in meta}
    if not is_valid_id(values.get("id")):
        raise ContentError(f"{source}: id: missing or not an arXiv id (got {meta.get('id')!r})")
    if not isinstance(values.get("title"), str) or not values["title"].strip():
        raise ContentError(f"{source}: title: missing or empty")
    abstract, notes = _split_notes(body)
    return Paper(**values, abstract=abstract, notes=notes)


def _split_notes(body: str) -> tuple[str, str]:
    lines = body.split("\n")
    if NOTES_MARKER in lines:
        at = lines.index(NOTES_MARKER)
        return "\n".join(lines[:at]).strip("\n"), "\n".join(lines[at + 1 :]).strip("\n")
    return body.strip("\n"), ""


def _check_field(name: str, value: object, source: Path | str) -> object:
    """Validate one front-matter value and convert it to the Paper's type."""
    if value is None:
        return None if name not in TUPLE_FIELDS else ()
    if isinstance(value, dt.datetime):
        value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    if name in TUPLE_FIELDS:
        if not isinstance(value, list):
            raise ContentError(f"{source}: {name}: must be a list")
        items = [item.isoformat() if isinstance(item, dt.date) else item for item in value]
        if not all(isinstance(item, str) for item in items):
            raise ContentError(f"{source}: {name}: every item must be text")
        return tuple(items)
    if name in INT_FIELDS:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ContentError(f"{source}: {name}: must be a whole number, not {value!r}")
        return value
    if not isinstance(value, str):
        raise ContentError(f"{source}: {name}: must be text, not {value!r}")
    if name in URL_FIELDS and not is_http_url(value):
        raise ContentError(f"{source}: {name}: only http(s) links are allowed, not {value!r}")
    return value


def paper_path(content_dir: Path, paper_id: str) -> Path:
    """Return the file of `paper_id` below `content_dir` (never outside it)."""
    return content_dir / content_relpath(paper_id)


def read_paper(path: Path) -> Paper:
    """Read one paper file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from None
    return text_to_paper(text, path)


def iter_paper_files(content_dir: Path) -> Iterator[Path]:
    """Yield every paper file below content/papers in a stable order."""
    yield from sorted((content_dir / "papers").glob("*/*.md"))


def read_papers(content_dir: Path) -> dict[str, Paper]:
    """Read the whole archive into memory, keyed by id; the file must sit where its id says."""
    papers: dict[str, Paper] = {}
    for path in iter_paper_files(content_dir):
        paper = read_paper(path)
        expected = paper_path(content_dir, paper.id)
        if expected.resolve() != path.resolve():
            raise ContentError(f"{path}: id {paper.id!r} belongs in {expected}")
        papers[paper.id] = paper
    return papers


def write_text_atomic(path: Path, text: str) -> bool:
    """Write `text` to `path` through a temp file + rename, only if the bytes differ; tell if written."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write `data` to `path` through a temp file + rename, only if the bytes differ; tell if written.

    `durable` also fsyncs the file before the rename (content/ is the archive of record; the site
    can be rebuilt, so render skips it).
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; pages and content are meant to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def remove_stale_temp_files(content_dir: Path) -> int:
    """Delete temp files a killed run left behind (only ours: `.<name>.<random>.tmp`); count them."""
    stale = [*content_dir.glob(".*.tmp"), *content_dir.glob("papers/*/.*.tmp")]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def write_paper(content_dir: Path, paper: Paper) -> bool:
    """Write one paper file atomically if its bytes change; tell whether it was written."""
    return write_text_atomic(paper_path(content_dir, paper.id), paper_to_text(paper))


# --- merge rules --------------------------------------------------------------------------------


def merge_paper(stored: Paper | None, fresh: Paper, now: str) -> Paper:
    """Fold a freshly fetched record into the stored one.

    - A new paper is stored as fetched, with first_seen = refreshed = now.
    - Title, authors, published and abstract are written once and then belong to the file, so a
      hand fix survives; notes are never touched.
    - Volatile fields take the fresh value when the hub sent one and keep the stored one when it
      did not (older API shapes lack fields); days and queries are unions.
    - `refreshed` moves to `now` only when a volatile field changed, so a re-run changes no byte.
    """
    if stored is None:
        return fresh.replace(first_seen=now, refreshed=now)
    changes: dict[str, object] = {}
    for name in VOLATILE_FIELDS:
        old, new = getattr(stored, name), getattr(fresh, name)
        if name in ("daily", "queries"):
            new = tuple(sorted(set(old) | set(new)))
        elif new is None or new == ():
            new = old
        if new != old:
            changes[name] = new
    if not stored.published and fresh.published:
        changes["published"] = fresh.published
    if not stored.authors and fresh.authors:
        changes["authors"] = fresh.authors
    if not stored.abstract and fresh.abstract:
        changes["abstract"] = fresh.abstract
    if not changes:
        return stored
    return stored.replace(**changes, refreshed=now, first_seen=stored.first_seen or now)


# --- the ledger ---------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What has been fetched: each Daily Papers day and each query, with counts.

    `fetched` is when the entry last changed, so a run that finds nothing new writes no byte.
    """

    days: dict[str, dict] = field(default_factory=dict)
    queries: dict[str, dict] = field(default_factory=dict)

    def record_day(self, day: str, listed: int, kept: int, now: str) -> None:
        self._record(self.days, day, {"listed": listed, "kept": kept}, now)

    def record_query(self, query: str, listed: int, kept: int, now: str) -> None:
        self._record(self.queries, query, {"listed": listed, "kept": kept}, now)

    @staticmethod
    def _record(table: dict[str, dict], key: str, counts: dict, now: str) -> None:
        old = table.get(key)
        if old is not None and {k: old.get(k) for k in counts} == counts:
            return
        table[key] = {**counts, "fetched": now}

    def to_text(self) -> str:
        header = (
            "# Written by `python build.py snapshot`: every Daily Papers day and query fetched.\n"
            "# listed = papers the hub returned, kept = papers stored for this topic,\n"
            "# fetched = when these counts were last seen to change. A day missing here was never fetched.\n"
        )
        meta = {"days": dict(sorted(self.days.items())), "queries": dict(sorted(self.queries.items()))}
        return header + yaml.dump(meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)


def read_ledger(content_dir: Path) -> Ledger:
    """Read content/ledger.yml (an empty ledger when there is none)."""
    path = content_dir / LEDGER_NAME
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except FileNotFoundError:
        return Ledger()
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise ContentError(f"{path}: cannot read the ledger: {exc}") from None
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k, {}), dict) for k in ("days", "queries")):
        raise ContentError(f"{path}: the ledger must map days: and queries: to tables")
    days = {(k.isoformat() if isinstance(k, dt.date) else str(k)): v for k, v in raw.get("days", {}).items()}
    return Ledger(days=days, queries={str(k): v for k, v in raw.get("queries", {}).items()})


def write_ledger(content_dir: Path, ledger: Ledger) -> bool:
    """Write content/ledger.yml atomically if it changed."""
    return write_text_atomic(content_dir / LEDGER_NAME, ledger.to_text())
