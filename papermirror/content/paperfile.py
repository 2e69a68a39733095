"""The Markdown format of a paper file: YAML front matter + the abstract + the owner's notes.

A paper file looks like this:

    ---
    id: '2503.02130'
    title: ...
    ...
    ---

    The abstract, exactly as the hub gave it (unwrapped).

    <!-- notes -->

    Your own Markdown notes, kept on every refresh.

An abstract line that is exactly the notes marker (an abstract about HTML comments may hold one) is
stored as `\\<!-- notes -->` and read back without the backslash; a line that already had
backslashes before the marker gets one more. So every abstract round-trips and nothing is lost.

`paper_to_text` and `text_to_paper` are each other's inverse; writes go through `content.files`.
The YAML helpers are in `content.yamlfile` (DUMPER, key_lines, load_yaml and split_front_matter, which
lived here, can still be imported from here).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from papermirror.content.paper import (
    INT_FIELDS,
    LINKED_KINDS,
    NOT_HTTP,
    PAPER_FIELDS,
    TUPLE_FIELDS,
    URL_FIELDS,
    LinkedRepo,
    LinkedTotals,
    Paper,
    format_stamp,
    has_visible_text,
    implausible_day,
    is_emoji,
    is_repo_id,
    is_valid_id,
    link_problem,
    paper_path,
    parse_day,
    parse_stamp,
    refuse_loose_papers,
)
from papermirror.content.yamlfile import DUMPER as DUMPER
from papermirror.content.yamlfile import brief, join_front_matter, load_front_matter
from papermirror.content.yamlfile import key_lines as key_lines
from papermirror.content.yamlfile import load_yaml as load_yaml
from papermirror.content.yamlfile import split_front_matter as split_front_matter
from papermirror.errors import ContentError
from papermirror.files import list_paper_files, write_text_atomic

log = logging.getLogger(__name__)

NOTES_MARKER = "<!-- notes -->"
"""A line that ends the abstract; everything below it is the owner's notes."""
_ESCAPED_MARKER = re.compile(r"^(\\*)<!-- notes -->$", re.MULTILINE)
"""The marker line, or it behind backslashes: in an abstract, each is stored with one more backslash."""

DAY_FIELDS = ("published",)
"""Front-matter fields holding a day, YYYY-MM-DD (and every item of `daily`)."""
STAMP_FIELDS = ("first_seen", "refreshed", "details_refreshed")
"""Front-matter fields holding a UTC time, YYYY-MM-DDTHH:MM:SSZ."""

# --- one paper <-> one file ---------------------------------------------------------------------


def paper_to_text(paper: Paper) -> str:
    """Serialise a paper; `text_to_paper` of the result gives back an equal Paper."""
    meta: dict = {}
    for name in PAPER_FIELDS:
        if name in ("abstract", "notes"):
            continue
        value = getattr(paper, name)
        if value is None or value == ():
            continue
        meta[name] = field_value(name, value)
    body = f"\n{escape_markers(paper.abstract)}\n" if paper.abstract else ""
    if paper.notes:
        body += f"\n{NOTES_MARKER}\n\n{paper.notes}\n"
    return join_front_matter(meta, body)


def field_value(name: str, value: object) -> object:
    """A field as the front matter (and the per-year JSON) holds it: a list for a tuple, a mapping (in the record's key order,
    without empty keys) for a linked repo and for the totals."""
    if name == "linked":
        return [{key: part for key, part in repo._asdict().items() if part is not None} for repo in value]
    if name == "linked_totals":
        return value._asdict()
    return list(value) if name in TUPLE_FIELDS else value


def text_to_paper(text: str, source: Path | str = "<text>") -> Paper:
    """Parse a paper file; raise ContentError naming `source`, the line and the key on bad content."""
    meta, lines, body = load_front_matter(text, source)
    unknown = [key for key in meta if key not in PAPER_FIELDS or key in ("abstract", "notes")]
    if unknown:
        hint = "; the abstract and notes go below the front matter" if {"abstract", "notes"} & set(unknown) else ""
        names = ", ".join(brief(key) if not isinstance(key, str) else key for key in unknown)
        raise ContentError(f"{_at(source, lines, unknown[0])}: unknown key(s) in front matter: {names}{hint}")
    values = {name: _check_field(name, meta[name], _at(source, lines, name)) for name in meta}
    if not is_valid_id(values.get("id")):
        raise ContentError(f"{_at(source, lines, 'id')}: id: missing or not an arXiv id (got {brief(meta.get('id'))})")
    if not isinstance(values.get("title"), str) or not has_visible_text(values["title"]):
        raise ContentError(f"{_at(source, lines, 'title')}: title: missing or empty (or only control characters)")
    abstract, notes = _split_notes(body)
    return Paper(**values, abstract=abstract, notes=notes)


def _at(source: Path | str, lines: dict[object, int], key: str) -> str:
    """Return 'file:line' of a key, or just 'file' when the key is missing (it has no line)."""
    return f"{source}:{lines[key]}" if key in lines else str(source)


def _split_notes(body: str) -> tuple[str, str]:
    lines = body.split("\n")
    if NOTES_MARKER in lines:
        at = lines.index(NOTES_MARKER)
        abstract, notes = "\n".join(lines[:at]).strip("\n"), "\n".join(lines[at + 1 :]).strip("\n")
    else:
        abstract, notes = body.strip("\n"), ""
    return unescape_markers(abstract), notes


def escape_markers(abstract: str) -> str:
    """Give every notes-marker line of an abstract (with any backslashes before it) one more backslash."""
    return _ESCAPED_MARKER.sub(lambda m: "\\" + m.group(0), abstract)


def unescape_markers(abstract: str) -> str:
    """Undo `escape_markers`: take one backslash off each escaped notes-marker line."""
    return _ESCAPED_MARKER.sub(lambda m: m.group(0)[1:] if m.group(1) else m.group(0), abstract)


def _check_field(name: str, value: object, where: str) -> object:
    """Validate one front-matter value and convert it to the Paper's type; `where` is 'file:line'."""
    if value is None:
        return None if name not in TUPLE_FIELDS else ()
    if name in TUPLE_FIELDS:
        return _check_list(name, value, where)
    if name == "linked":
        return _check_linked(value, where)
    if name == "linked_totals":
        return _check_totals(value, where)
    if name in INT_FIELDS:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ContentError(f"{where}: {name}: must be a whole number of 0 or more, not {brief(value)}")
        return value
    if not isinstance(value, str):
        raise ContentError(f"{where}: {name}: must be text, not {brief(value)}")
    problem = link_problem(value) if name in URL_FIELDS else None
    if problem == NOT_HTTP:
        raise ContentError(f"{where}: {name}: only http(s) links are allowed, not {brief(value)}")
    if problem:  # stored by an earlier version, which kept such links: left out, not a file that stops every run
        log.warning("%s: %s: %s: %s; left out of the site and the search (delete the line to end this warning)",
                    where, name, brief(value), problem)
        return None
    if name in DAY_FIELDS:
        _check_day(name, value, where)
    if name in STAMP_FIELDS:
        when = parse_stamp(value)
        if when is None:
            raise ContentError(f"{where}: {name}: not a time in the form YYYY-MM-DDTHH:MM:SSZ: {brief(value)}")
        return format_stamp(when)
    return value


def _check_list(name: str, value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ContentError(f"{where}: {name}: must be a list")
    if not all(isinstance(item, str) for item in value):
        raise ContentError(f"{where}: {name}: every item must be text")
    if name == "daily":
        for item in value:
            _check_day(name, item, where)
        # oldest first, once each, as a snapshot writes them: a paper is filed under its first day (Paper.day),
        # which a hand edit listing a later day first would otherwise move
        return tuple(sorted(set(value)))
    return tuple(value)


def _check_day(name: str, value: str, where: str) -> None:
    day = parse_day(value)
    if day is None:
        raise ContentError(f"{where}: {name}: not a day in the form YYYY-MM-DD: {brief(value)}")
    problem = implausible_day(day)
    if problem:
        raise ContentError(f"{where}: {name}: {value} is {problem}")


def _check_linked(value: object, where: str) -> tuple[LinkedRepo, ...]:
    """Validate `linked`: a list of {kind, id, likes, downloads, emoji} with a safe repo id."""
    if not isinstance(value, list):
        raise ContentError(f"{where}: linked: must be a list of {{kind, id, likes, downloads, emoji}}")
    repos = []
    for item in value:
        if not isinstance(item, dict) or set(item) - set(LinkedRepo._fields):
            raise ContentError(f"{where}: linked: each item is a mapping of kind, id, likes, downloads, emoji: {brief(item)}")
        if item.get("kind") not in LINKED_KINDS:
            raise ContentError(f"{where}: linked: kind must be one of {', '.join(LINKED_KINDS)}, not {brief(item.get('kind'))}")
        if not is_repo_id(item.get("id")):
            raise ContentError(f"{where}: linked: id must be a Hub repo id owner/name, not {brief(item.get('id'))}")
        for key in ("likes", "downloads"):
            _check_count(f"linked: {key}", item.get(key), where)
        if item.get("emoji") is not None and not is_emoji(item["emoji"]):
            raise ContentError(f"{where}: linked: emoji must be a few printable characters, not {brief(item['emoji'])}")
        repos.append(LinkedRepo(**item))
    return tuple(repos)


def _check_totals(value: object, where: str) -> LinkedTotals:
    """Validate `linked_totals`: {models, datasets, spaces}, whole numbers (a missing one is 0)."""
    if not isinstance(value, dict) or set(value) - set(LinkedTotals._fields):
        raise ContentError(f"{where}: linked_totals: must be a mapping of models, datasets, spaces, not {brief(value)}")
    for key, count in value.items():
        _check_count(f"linked_totals: {key}", count, where)
    return LinkedTotals(**{key: count or 0 for key, count in value.items()})


def _check_count(name: str, value: object, where: str) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ContentError(f"{where}: {name}: must be a whole number of 0 or more, not {brief(value)}")


def read_paper(path: Path) -> Paper:
    """Read one paper file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from None
    return text_to_paper(decode_utf8(data, path), path)


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode a content file (no newline translation, as the build's cache reads it); name the line of bad bytes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ContentError(f"{path}:1: the file is UTF-16; save it as UTF-8") from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(f"{path}:{line}: not UTF-8 (byte {data[exc.start]:#04x}); save the file as UTF-8") from None



def read_papers(content_dir: Path) -> dict[str, Paper]:
    """Read the whole archive into memory, keyed by id; the file must sit where its id says."""
    refuse_loose_papers(content_dir)
    papers: dict[str, Paper] = {}
    for path in (content_dir / relpath for relpath in list_paper_files(content_dir)):
        paper = read_paper(path)
        expected = paper_path(content_dir, paper.id)
        if expected.resolve() != path.resolve():
            raise ContentError(f"{path}: id {paper.id!r} belongs in {expected}")
        papers[paper.id] = paper
    return papers


def write_paper(content_dir: Path, paper: Paper) -> bool:
    """Write one paper file atomically if its bytes change; tell whether it was written."""
    return write_text_atomic(paper_path(content_dir, paper.id), paper_to_text(paper))


def write_merged(content_dir: Path, stored: Paper | None, merged: Paper, remerge: Callable[[Paper], Paper]) -> Paper:
    """Write `merged`, made by a run from `stored` (the paper as its file read when the run began), and return what
    was written. A run takes minutes; if the file was edited meanwhile (notes added, a title fixed), the fresh data
    is folded into the file as it is now (`remerge`) instead, so the edit is kept. A file that no longer reads
    (saved half-way) raises ContentError: the caller leaves it as it is."""
    if stored is not None:
        path = paper_path(content_dir, merged.id)
        current = read_paper(path) if path.exists() else None
        if current is not None and current != stored:
            merged = remerge(current)
    write_paper(content_dir, merged)
    return merged
