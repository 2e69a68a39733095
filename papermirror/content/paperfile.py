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
"""

from __future__ import annotations

import datetime as dt
import re
import reprlib
from pathlib import Path

import yaml

from papermirror.content.paper import (
    INT_FIELDS,
    PAPER_FIELDS,
    TUPLE_FIELDS,
    URL_FIELDS,
    Paper,
    is_http_url,
    is_valid_id,
    paper_path,
)
from papermirror.errors import ContentError
from papermirror.files import list_paper_files, write_text_atomic

NOTES_MARKER = "<!-- notes -->"
"""A line that ends the abstract; everything below it is the owner's notes."""
_ESCAPED_MARKER = re.compile(r"^(\\*)<!-- notes -->$", re.MULTILINE)
"""The marker line, or it behind backslashes: in an abstract, each is stored with one more backslash."""

MESSAGE_WIDTH = 80
"""The most characters of a bad value an error message shows."""

_BRIEF = reprlib.Repr()
_BRIEF.maxlevel, _BRIEF.maxlist, _BRIEF.maxdict = 2, 4, 4
_BRIEF.maxstring = _BRIEF.maxother = MESSAGE_WIDTH

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def brief(value: object, width: int = MESSAGE_WIDTH) -> str:
    """Return a short repr of `value` for an error message: nested and long values are cut, never built whole."""
    text = _BRIEF.repr(value) if not isinstance(value, BaseException) else str(value)
    return text if len(text) <= width else text[: width - 3] + "..."


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
        meta = yaml.load(text[4 : end + 1], Loader=LOADER)
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
        meta, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
    return f"---\n{yaml_text}---\n{body}"


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
        meta[name] = list(value) if name in TUPLE_FIELDS else value
    body = f"\n{escape_markers(paper.abstract)}\n" if paper.abstract else ""
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



def read_paper(path: Path) -> Paper:
    """Read one paper file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from None
    return text_to_paper(text, path)



def read_papers(content_dir: Path) -> dict[str, Paper]:
    """Read the whole archive into memory, keyed by id; the file must sit where its id says."""
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
