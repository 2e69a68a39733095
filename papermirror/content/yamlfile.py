"""YAML for content/: the safe loader with dates kept as text, no aliases, each key's line; front matter.

One reader and one writer for every YAML file the tool keeps (paper files' front matter, the ledger):
`load_yaml` parses one document and refuses aliases, `key_lines` gives each key's line for error
messages, `load_front_matter`/`join_front_matter` split and write `---` front matter, and `brief`
shortens a bad value for a message.
"""

from __future__ import annotations

import reprlib
from pathlib import Path

import yaml

from papermirror.errors import ContentError

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


def refuse_repeated_keys(node: yaml.MappingNode) -> None:
    """Raise a YAML error at a key written twice in one mapping: YAML keeps the last one without a word, so a
    second `title:` line would silently win, and the next write of the file would drop the first."""
    seen: set[tuple[str, str]] = set()
    for key, _value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
            if (key.tag, key.value) in seen:
                raise yaml.constructor.ConstructorError(None, None, f"the key {key.value!r} is written twice", key.start_mark)
            seen.add((key.tag, key.value))


class RefuseRepeatedKeys:
    """A loader mixin: a key written twice in one mapping is an error (refuse_repeated_keys)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        refuse_repeated_keys(node)
        return super().construct_mapping(node, deep)  # type: ignore[misc]


class YamlLoader(RefuseRepeatedKeys, LOADER):
    """The safe loader (the C one where present), except that dates stay text: readers check them, by line;
    and a key written twice in one mapping is an error."""


YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_yaml(text: str, source: Path | str, first_line: int = 1, what: str = "YAML") -> tuple[object, yaml.Node | None]:
    """Parse one YAML document (starting on file line `first_line`); return its value and its node.

    The node's marks give each key's line (`key_lines`). Aliases are refused: a 337-byte file of
    nested aliases expands to gigabytes. Every error is a ContentError naming the file and line.
    """
    try:
        return single_document(YamlLoader(text), source, first_line)
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        raise ContentError(f"{source}:{(line or 0) + first_line}: bad YAML in {what}: {brief(problem, 200)}") from None
    except (ValueError, RecursionError) as exc:  # e.g. a number of more than 4300 digits
        raise ContentError(f"{source}:{first_line}: {what} holds a value YAML cannot read: {brief(exc)}") from None


def single_document(loader: yaml.SafeLoader, source: Path | str, first_line: int = 1) -> tuple[object, yaml.Node | None]:
    """The value and node of the one document `loader` reads, aliases refused (ContentError, see refuse_aliases);
    YAML's own errors are left to the caller, which words them for its file."""
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        refuse_aliases(node, source, first_line)
        return loader.construct_document(node), node
    finally:
        loader.dispose()


def yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """Where (the line from 0, None when PyYAML does not say) and what a YAML error is."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]  # not PyYAML's '  in "<string>"'
    return (mark.line if mark is not None else None), problem


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
