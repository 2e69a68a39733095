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
    format_stamp,
    is_http_url,
    is_valid_id,
    paper_path,
    parse_day,
    parse_stamp,
)
from papermirror.errors import ContentError
from papermirror.files import list_paper_files, write_text_atomic

NOTES_MARKER = "<!-- notes -->"
"""A line that ends the abstract; everything below it is the owner's notes."""
_ESCAPED_MARKER = re.compile(r"^(\\*)<!-- notes -->$", re.MULTILINE)
"""The marker line, or it behind backslashes: in an abstract, each is stored with one more backslash."""

DAY_FIELDS = ("published",)
"""Front-matter fields holding a day, YYYY-MM-DD (and every item of `daily`)."""
STAMP_FIELDS = ("first_seen", "refreshed")
"""Front-matter fields holding a UTC time, YYYY-MM-DDTHH:MM:SSZ."""

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


# --- YAML and front matter --------------------------------------------------------------------


class YamlLoader(LOADER):
    """The safe loader (the C one where present), except that dates stay text: readers check them, by line."""


YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_yaml(text: str, source: Path | str, first_line: int = 1, what: str = "YAML") -> tuple[object, yaml.Node | None]:
    """Parse one YAML document (starting on file line `first_line`); return its value and its node.

    The node's marks give each key's line (`key_lines`). Aliases are refused: a 337-byte file of
    nested aliases expands to gigabytes. Every error is a ContentError naming the file and line.
    """
    loader = YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        refuse_aliases(node, source, first_line)
        return loader.construct_document(node), node
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"{source}:{line}: bad YAML in {what}: {brief(problem, 200)}") from None
    except (ValueError, RecursionError) as exc:  # e.g. a number of more than 4300 digits
        raise ContentError(f"{source}:{first_line}: {what} holds a value YAML cannot read: {brief(exc)}") from None
    finally:
        loader.dispose()


def refuse_aliases(root: yaml.Node, source: Path | str, first_line: int) -> None:
    """Raise ContentError at the first node reached twice (a `*name` alias), naming the key that holds it."""
    seen: set[int] = set()
    stack = [(root, root.start_mark.line)]
    while stack:
        node, line = stack.pop()
        if id(node) in seen:
            raise ContentError(f"{source}:{line + first_line}: YAML aliases (&name, *name) are not allowed here; "
                               "write the value out")
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, line) for item in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend(((value, key.start_mark.line), (key, key.start_mark.line)))


def key_lines(node: yaml.Node | None, first_line: int) -> dict[object, int]:
    """Return the file line of each plain key of a mapping node ({} for anything else)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + first_line for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def load_front_matter(text: str, source: Path | str = "<text>") -> tuple[dict, dict[object, int], str]:
    """Split `---` YAML front matter from the body; return (meta, the line of each key, body).

    A file saved on Windows reads the same: a leading BOM is dropped and CRLF line ends become LF.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ContentError(f"{source}:1: does not start with a '---' front matter line")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise ContentError(f"{source}:1: front matter is never closed by a '---' line")
    meta, node = load_yaml(text[4 : end + 1], source, first_line=2, what="front matter")
    if not isinstance(meta, dict):
        raise ContentError(f"{source}:2: front matter must be a mapping of keys, not {type(meta).__name__}")
    return meta, key_lines(node, 2), text[end + 5 :]


def split_front_matter(text: str, source: Path | str = "<text>") -> tuple[dict, str]:
    """Split `---` YAML front matter from the body; the front matter must be a mapping."""
    meta, _, body = load_front_matter(text, source)
    return meta, body


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
    if not isinstance(values.get("title"), str) or not values["title"].strip():
        raise ContentError(f"{_at(source, lines, 'title')}: title: missing or empty")
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
    if name in INT_FIELDS:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ContentError(f"{where}: {name}: must be a whole number, not {brief(value)}")
        return value
    if not isinstance(value, str):
        raise ContentError(f"{where}: {name}: must be text, not {brief(value)}")
    if name in URL_FIELDS and not is_http_url(value):
        raise ContentError(f"{where}: {name}: only http(s) links are allowed, not {brief(value)}")
    if name in DAY_FIELDS and parse_day(value) is None:
        raise ContentError(f"{where}: {name}: not a day in the form YYYY-MM-DD: {brief(value)}")
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
            if parse_day(item) is None:
                raise ContentError(f"{where}: {name}: not a day in the form YYYY-MM-DD: {brief(item)}")
    return tuple(value)


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
