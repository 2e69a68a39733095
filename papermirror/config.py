"""Load and validate `mirror.yml`, the one file a fork edits."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Annotated, Literal, get_args, get_origin
from urllib.parse import quote, urlsplit, urlunsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from papermirror.content.paper import FIRST_DAY, TERMINAL_CONTROLS
from papermirror.content.yamlfile import RefuseRepeatedKeys, single_document, yaml_problem
from papermirror.errors import UserError

log = logging.getLogger("papermirror")

DEFAULT_CONFIG_NAME = "mirror.yml"
Count = Annotated[int, Field(strict=True)]
"""A whole number; `true` is not 1."""


class _ConfigLoader(RefuseRepeatedKeys, yaml.SafeLoader):
    """YAML's safe loader, but days stay text: pydantic checks them and names the key (PyYAML
    raises on 2024-13-01 with no key at all); and a key written twice in one mapping is an error
    (a second `site:` would silently replace the first)."""


_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class SiteConfig(_Strict):
    """What the generated site says about itself."""

    title: str = "papermirror"
    """Shown in the header, the feed and the browser tab."""
    description: str = ""
    """One sentence shown on the home page and in the feed."""
    base_url: str = "http://localhost:8000/"
    """Where the site is served; a GitHub Pages project site lives under a sub-path."""
    language: str = "en"
    """The `lang` of every page (a BCP 47 tag: "en", "pt-BR"); Pagefind stems the search index's words by it."""
    per_page: Annotated[Count, Field(ge=1, le=1000)] = 50
    """Papers on one page of the home listing."""
    feed_size: Annotated[Count, Field(ge=1, le=1000)] = 50
    """Newest papers in `feed.xml`."""

    @field_validator("title")
    @classmethod
    def _check_title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty: the header, the browser tab and the feed show it")
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _check_language_is_text(cls, value: object) -> object:
        if isinstance(value, bool):  # YAML 1.1 reads an unquoted no (Norwegian), yes, on or off as true/false
            raise ValueError(f"YAML read the tag as {str(value).lower()}: put it in quotes (language: \"no\" for Norwegian)")
        return value

    @field_validator("language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
            raise ValueError(f"{value!r} is not a language tag like en, de or pt-BR (BCP 47); the search "
                             "index stems words by it")
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        if any(not char.isprintable() or char in " \\" for char in value):
            raise ValueError("must not contain spaces, backslashes or control characters")
        try:
            parts = urlsplit(value)
            host, _port = parts.hostname, parts.port
        except ValueError as exc:
            raise ValueError(f"not a URL ({exc})") from None
        if not host:
            raise ValueError("must name a host, e.g. https://user.github.io/repo/")
        if "@" in parts.netloc:
            raise ValueError("must not hold a user name or password (user:password@host): every link, feed and "
                             "sitemap would publish it")
        if parts.query or parts.fragment or "?" in value or "#" in value:
            raise ValueError("must be a folder to serve the site from, without ?query or #fragment")
        if re.search(r"\.(html?|xml|php|aspx?)$", parts.path, re.IGNORECASE):
            raise ValueError(f"must be the folder the site is served from, not a page in it ({parts.path.rsplit('/', 1)[-1]})")
        if "//" in parts.path:
            # every link is base path + path: "//host" would be a link to another host
            raise ValueError("must not hold an empty path segment (//) after the host")
        if not parts.path.isascii():  # a sitemap's <loc> and every link need the path as a URL carries it
            value = urlunsplit(parts._replace(path=quote(parts.path, safe="/%:@!$&'()*+,;=-._~")))
        return value if value.endswith("/") else value + "/"

    @property
    def base_path(self) -> str:
        """The sub-path the site lives under, '/' at a domain root."""
        return urlsplit(self.base_url).path or "/"


TopicField = Literal["title", "keywords", "abstract", "summary"]
"""Where a term group looks: the title, the AI keywords, the abstract, HF's one-sentence AI summary."""
TOPIC_FIELDS: tuple[str, ...] = get_args(TopicField)
GROUP_OPTIONS = ("terms", "in", "unless")
"""A group's own keys: under `all:` or `none:`, one of them is a line indented one step too few, not a group."""


def _not_an_option(name: str) -> str:
    if name in GROUP_OPTIONS:
        raise ValueError(f"'{name}' is a group's option, not a group: indent it under the group it belongs to, "
                         "two spaces more than the group's name")
    return name


GROUP_PATTERN = r"^[\w][\w .-]*$"
GroupName = Annotated[str, Field(min_length=1, max_length=60, pattern=GROUP_PATTERN), AfterValidator(_not_an_option)]
"""A group's name, shown in the rule's description ("pre-training", "vision")."""


def without_control(text: str) -> str:
    """A term or query as written, refused when it holds a control character (a NUL, a tab, a right-to-left override,
    paper.TERMINAL_CONTROLS: nothing a paper's text matches, and a query would send it to the hub)."""
    control = re.search(f"[\t\n{TERMINAL_CONTROLS}]", text)
    if control:
        raise ValueError(f"{text!r} holds a control character ({control.group()!r}): remove it")
    return text


NO_CONTROL = AfterValidator(without_control)
"""Put after a term's, phrase's or query's length bounds (before them, pydantic says the bounds in other words)."""


def with_words(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The terms, each checked to hold a letter or a digit (a blank term or "*" would match nothing)."""
    for term in terms:
        if not any(char.isalnum() for char in term):
            raise ValueError(f"{term!r} has no letter or digit")
    return terms


class TermGroupConfig(_Strict):
    """One named group of listing.topic: it matches when its terms are mentioned often enough in one of its fields
    (mentions of different terms add up).

    Written as a mapping (`{terms: [...], in: {title: 1, abstract: 2}}`) or, to look everywhere
    once, as a bare list of terms.
    """

    terms: tuple[Annotated[str, Field(min_length=1, max_length=100), NO_CONTROL], ...] = Field(min_length=1)
    """Words or phrases, case-insensitive, each matching whole words from a word start: `image` is the
    word image, `image*` also images and imaging; a hyphen or space also matches a hyphen, a space or
    nothing (`pre-train*` ~ pretraining, pre-trained, pre training)."""
    in_: dict[TopicField, Annotated[Count, Field(ge=1, le=100)]] = Field(
        default={"title": 1, "keywords": 1, "abstract": 1}, alias="in"
    )
    """Where to look and how many mentions of the group's terms, together, make a match: `[title, keywords]`
    (once each) or `{title: 1, keywords: 1, abstract: 2}` (a passing mention in the abstract is not enough)."""
    unless: tuple[Annotated[str, Field(min_length=1, max_length=100), NO_CONTROL], ...] = ()
    """Terms that cancel the group: it does not match a paper where one of these occurs (once) in one
    of its fields, e.g. a `none` group of generation terms `unless: [pre-training]`."""

    @model_validator(mode="before")
    @classmethod
    def _bare_list_is_terms(cls, value: object) -> object:
        if value is None:  # its lines deleted or commented out (without_empty_keys leaves a group's None here)
            raise ValueError("this group is empty: give it its terms (an indented 'terms: [...]' line), or delete "
                             "the group's name too (a rule left without `all` groups keeps every daily paper)")
        return {"terms": value} if isinstance(value, (list, tuple)) else value

    @field_validator("terms", "unless")
    @classmethod
    def _check_terms(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        for term in with_words(terms):
            if "*" in term.rstrip("*") or term.endswith("**"):
                raise ValueError(f"{term!r}: a * may only end a term (a prefix: image* ~ images)")
        return tuple(term.strip() for term in terms)

    @field_validator("in_", mode="before")
    @classmethod
    def _check_scope(cls, value: object) -> object:
        if isinstance(value, str):
            raise ValueError(f"write a list, [{value[:40]}], or the mentions needed per place, {{{value[:40]}: 1}}")
        if isinstance(value, (list, tuple)):
            odd = next((name for name in value if not isinstance(name, str)), None)
            if odd is not None:  # [[title], abstract], [{title: 1}]: not a name (a traceback, unhashable)
                raise ValueError(f"{str(odd)[:40]} is not a place: name each of {', '.join(TOPIC_FIELDS)} as a word, "
                                 "[title, keywords], or the mentions needed per place, {title: 1, abstract: 3}")
            twice = next((name for number, name in enumerate(value) if name in value[:number]), None)
            if twice is not None:
                raise ValueError(f"{str(twice)[:40]!r} is given twice: name each place once, or write the mentions "
                                 f"needed there, {{{str(twice)[:40]}: 2}}")
            value = dict.fromkeys(value, 1)
        if isinstance(value, dict):
            if not value:
                raise ValueError(f"must name at least one of {', '.join(TOPIC_FIELDS)}")
            for name in value:
                if name not in TOPIC_FIELDS:
                    raise ValueError(f"{str(name)[:40]!r} is not one of {', '.join(TOPIC_FIELDS)}")
        return value


class TopicConfig(_Strict):
    """listing.topic: named groups of terms that decide which Daily Papers papers belong."""

    all: dict[GroupName, TermGroupConfig] = {}
    """Keep a daily paper only when every one of these groups matches (and `include`, if set)."""
    none: dict[GroupName, TermGroupConfig] = {}
    """Drop a paper, daily or from a query, when any one of these groups matches."""

    @field_validator("all", "none", mode="before")
    @classmethod
    def _groups_written(cls, groups: object) -> object:
        if groups is None or groups == {}:  # every group under it deleted or commented out (without_empty_keys
            # leaves it here), or written `{}`
            raise ValueError("no group under it: write one, or delete this line too (a rule left without `all` "
                             "groups keeps every daily paper)")
        return groups


class ListingConfig(_Strict):
    """Which papers of the Hugging Face Papers listing belong to this mirror."""

    queries: tuple[Annotated[str, Field(min_length=1, max_length=250), NO_CONTROL], ...] = ()
    """Topic searches sent to /api/papers/search (each returns at most `query_limit` papers)."""
    query_limit: Annotated[Count, Field(ge=1, le=120)] = 120
    """Papers asked for per query (HF allows at most 120)."""
    daily: Annotated[bool, Field(strict=True)] = True
    """Also walk the Daily Papers feed day by day."""
    include: tuple[Annotated[str, Field(min_length=1), NO_CONTROL], ...] = ()
    """Keep a daily paper when one of these terms starts a word of its title, abstract or keywords."""
    exclude: tuple[Annotated[str, Field(min_length=1), NO_CONTROL], ...] = ()
    """Drop a paper (daily or query) when one of these terms matches the same way."""
    topic: TopicConfig = TopicConfig()
    """Named term groups: a daily paper is kept when every `all` group matches and no `none` group does."""
    since: dt.date = dt.date(2024, 5, 1)
    """The first day a backfill of the Daily Papers feed walks back to."""
    refresh_days: Annotated[Count, Field(ge=0, le=366)] = 14
    """Recent days fetched again on every run, while upvotes and summaries settle."""
    details_budget: Annotated[Count, Field(ge=1, le=100_000)] = 225
    """Requests one `build.py details` run spends at most on papers' linked models, datasets and Spaces
    (225: half of the hub's 450 requests per 5 minutes)."""

    def rule_digest(self) -> str:
        """A short digest of what decides which papers are kept (`topic`, `include`, `exclude`): the ledger
        records it, so that the about page and `status` can tell figures counted under another rule. Of what is
        written, not of the defaults: a later version's new option, left at its default, is no new rule."""
        rule = {"topic": self.topic.model_dump(mode="json", by_alias=True, exclude_defaults=True),
                "include": self.include, "exclude": self.exclude}
        return hashlib.sha256(json.dumps(rule, sort_keys=True).encode()).hexdigest()[:12]

    @field_validator("topic", mode="before")
    @classmethod
    def _topic_written(cls, value: object) -> object:
        if value is None or value == {}:  # its lines deleted or commented out (without_empty_keys leaves it here)
            raise ValueError("empty: give it its groups (all:, none:), or delete this line too for no topic rule "
                             "(then every daily paper is kept, or those `include` keeps)")
        return value

    @model_validator(mode="after")
    def _something_to_fetch(self) -> ListingConfig:
        if not self.daily and not self.queries:
            raise ValueError("daily is false and there are no queries: nothing would ever be fetched; give "
                             "queries: [...], or set daily: true")
        return self

    @field_validator("include", "exclude")
    @classmethod
    def _check_flat_terms(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        for term in with_words(terms):
            if "*" in term:  # a topic group's image* is a prefix; these terms are prefixes already
                raise ValueError(f"{term!r}: leave out the *: these terms match where a word starts, so "
                                 f"{term.replace('*', '')!r} also matches the longer words")
        return terms

    @field_validator("queries")
    @classmethod
    def _check_queries(cls, queries: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for query in queries:
            if " ".join(query.split()).casefold() in seen:  # the hub answers the same: asked twice, listed twice
                raise ValueError(f"{query!r} is given twice; keep one")
            seen.add(" ".join(query.split()).casefold())
        return queries

    @field_validator("since", mode="before")
    @classmethod
    def _check_since(cls, value: object) -> object:
        if isinstance(value, dt.datetime):
            raise ValueError("must be a day (YYYY-MM-DD), not a time")
        if not isinstance(value, (str, dt.date)):  # a number would be read as seconds since 1970
            raise ValueError(f"{str(value)[:40]!r} is not a day in the form YYYY-MM-DD")
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value[:40]!r} is not a day in the form YYYY-MM-DD") from None
        if isinstance(value, dt.date) and value < FIRST_DAY:
            raise ValueError(f"{value} is before arXiv began ({FIRST_DAY})")
        return value


class Config(_Strict):
    """The validated `mirror.yml`, plus the folder it was read from."""

    site: SiteConfig = SiteConfig()
    listing: ListingConfig = ListingConfig()
    root: Path = Field(default=Path("."), exclude=True)
    """The folder holding mirror.yml; content/, layouts/ and site/ live beside it."""

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    def site_dir_name(self, site_dir: Path) -> str:
        """How a report names a folder the site is built into: "site/", or build --output's (serve's preview) in full."""
        return "site/" if site_dir.resolve() == self.site_dir.resolve() else f"{site_dir}/"


def missing_config(path: Path) -> str:
    """What to say of a config file that is not there: the mirror's own folder when the command ran below it."""
    where = path.absolute()
    above = next((folder for folder in where.parent.parents if (folder / path.name).is_file()), None)
    if above is not None:
        return (f"{where}: no such file; the mirror is in {above}: run the command there, or pass "
                f"--config {above / path.name}")
    return (f"{where}: no such file; run the command in the mirror's folder (the one holding {path.name}), or pass "
            "--config FILE (a new mirror starts from a copy of papermirror's mirror.yml)")


def load_config(path: Path) -> Config:
    """Read and validate `path`; raise UserError naming the file and key on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(missing_config(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    try:
        raw = single_document(_ConfigLoader(text), path)[0]  # aliases refused, as in content/
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        if isinstance(exc, yaml.reader.ReaderError):  # a character YAML refuses (a NUL): where, by its position
            line = text.count("\n", 0, exc.position)
        elif ("quoted scalar" in str(getattr(exc, "context", "")) and "end of stream" in problem
                and getattr(exc, "context_mark", None)):
            line, problem = exc.context_mark.line, "a quote opened on this line is never closed"
        elif line is not None and (opened := quote_run_on(text, line)) is not None:
            # a quote left open runs on to the next line holding one; YAML fails there, far from the mistake
            line, problem = opened, (f"a quote opened on this line is not closed on it (YAML read on to line "
                                     f"{line + 1}: {problem})")
        hint = next((f"; {fix}" for words, fix in YAML_FIXES if words in problem), "")
        raise UserError(f"{path}{'' if line is None else f':{line + 1}'}: not valid YAML: {problem}{hint}") from None
    except RecursionError:
        raise UserError(f"{path}: not valid YAML here: nested too deeply") from None
    except ValueError as exc:  # a value YAML reads but Python cannot hold: an integer of 5,000 digits
        raise UserError(f"{path}: not valid YAML here: {exc}") from None
    if raw is None:  # every key takes its default; said, as a file emptied by mistake widens the rule to everything
        log.warning("%s: empty: every key takes its default, so the topic rule keeps every Daily Papers paper "
                    "(copy mirror.yml from the papermirror repo for the default topic)", path)
        raw = {}
    if not isinstance(raw, dict):
        raise UserError(f"{path}: must be a mapping of keys (site:, listing:), not {type(raw).__name__}")
    if "root" in raw:
        raise UserError(f"{path}: root: unknown key")
    given = without_empty_keys(raw)
    try:
        return Config.model_validate({**given, "root": path.resolve().parent})
    except ValidationError as exc:
        raise UserError(_describe_errors(path, exc, key_lines(text), given)) from None


STRUCTURE_LINE = re.compile(r"\s*(#|- |[\w.-]+:(\s|$))")
"""A line of mirror.yml's own shape: a comment, a list item or a key. A quoted value taking such lines in was left
open; a value quoted over lines on purpose holds text."""


def quote_run_on(text: str, failed: int) -> int | None:
    """The line (from 0) where a quoted value begins that runs on to line `failed`, where YAML failed, taking in
    lines of the file's own shape (a quote left open takes in the next lines up to the next quote, and the text
    after that fails); None if none."""
    lines = text.splitlines()
    loader = _ConfigLoader(text)
    tokens = []
    try:
        while (token := loader.get_token()) is not None:
            tokens.append(token)
    except yaml.YAMLError:
        tokens += loader.tokens  # scanned, but held while a key could still follow: the one that matters, often
    finally:
        loader.dispose()
    found = None
    for token in tokens:
        first, last = token.start_mark.line, token.end_mark.line
        if (isinstance(token, yaml.ScalarToken) and token.style in ("'", '"') and first < last == failed
                and any(STRUCTURE_LINE.match(line) for line in lines[first + 1 : last + 1])):
            found = first
    return found


TOPIC_GROUPS = (("listing", "topic", "all"), ("listing", "topic", "none"))
"""Where listing.topic's groups are written: these and the groups under them are not left out when empty."""
TOPIC_KEY = ("listing", "topic")
"""listing.topic itself, not left out when empty either: an emptied rule would keep every daily paper."""


def without_empty_keys(raw: object, where: tuple = ()) -> object:
    """A key written with nothing after it (`site:` whose lines were deleted or commented out) is as if it
    were not written: it takes its default, as a missing key does. But not listing.topic, its `all:` or `none:`
    nor a group of theirs: left out, an emptied one would widen the rule (without `all` groups every daily paper is
    kept); ListingConfig, TopicConfig and TermGroupConfig name it."""
    if isinstance(raw, dict):
        return {key: without_empty_keys(value, (*where, key)) for key, value in raw.items()
                if value is not None or (*where, key) == TOPIC_KEY
                or (len(where) in (2, 3) and (*where, key)[:3] in TOPIC_GROUPS)}
    return raw


PLAIN_MESSAGES = {
    "tuple_type": "must be a list: '- item' lines, or [a, b]",
    "list_type": "must be a list: '- item' lines, or [a, b]",
    "dict_type": "must be a mapping: indented 'key: value' lines",
    "model_type": "must be a mapping: indented 'key: value' lines",
    "model_attributes_type": "must be a mapping: indented 'key: value' lines",
    "too_short": "needs at least one item",
    "string_type": "must be text: put it in quotes (YAML reads a number, yes or no, a date, or words with ': ' in "
                   "them, as something else)",
    "int_type": "must be a whole number, without quotes",
    "int_parsing": "must be a whole number, without quotes",
    "bool_type": "must be true or false, without quotes",
    "bool_parsing": "must be true or false, without quotes",
    "date_type": "must be a day, YYYY-MM-DD, without quotes",
    "date_parsing": "must be a day, YYYY-MM-DD, without quotes",
    "date_from_datetime_parsing": "must be a day, YYYY-MM-DD, without quotes",
    "missing": "must be given",
}
"""pydantic's words for a wrong kind of value, in YAML's, with what to write instead."""
BOUND_MESSAGES = {"greater_than_equal": "must be at least {ge}", "less_than_equal": "must be at most {le}",
                  "greater_than": "must be more than {gt}", "less_than": "must be less than {lt}",
                  "string_too_long": "must be at most {max_length} characters long",
                  "string_too_short": "must be at least {min_length} characters long"}
"""pydantic's words for a value out of its bounds ("Input should be greater than or equal to 1"), in a sentence."""
YAML_FIXES = (
    ("found character '\\t'", "indent with spaces: YAML does not take tabs"),
    ("a quote opened on this line is", "close it with the same quote, on this line"),
    ("mapping values are not allowed", "a value holding ': ' must be put in quotes"),
    ("cannot start any token", "a value beginning with @, ` or % must be put in quotes"),
    ("expected <block end>", "check this line's indentation against the lines above it"),
    ("could not find expected ':'", "a key needs ':' after it, or a value running over lines needs quotes"),
)
"""What to do about the YAML errors a hand-edited mirror.yml meets most."""


def key_lines(text: str) -> dict[str, int]:
    """The line of each key of a mapping and of the mappings inside it: {"listing.since": 12, ...}."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = prefix + str(key.value)
                lines[name] = key.start_mark.line + 1
                walk(value, name + ".")
        elif isinstance(node, yaml.SequenceNode):  # an item's line: "listing.queries.2"
            for number, item in enumerate(node.value):
                lines[f"{prefix}{number}"] = item.start_mark.line + 1
                walk(item, f"{prefix}{number}.")

    try:
        walk(yaml.compose(text, Loader=_ConfigLoader), "")
    except yaml.YAMLError:
        pass
    return lines


def place_name(given: object, loc: tuple) -> tuple[str, list[str]]:
    """Where an error is, as mirror.yml's reader sees it: keys joined by dots, a list's item by its place counted
    from 1 ("listing.queries, item 2"; pydantic counts from 0), a key YAML reads as no text as YAML writes it
    (`2024`, `true`, `null`: pydantic names true 1 and null "None"); and the keys, to find the line by."""
    parts, keys, node = [], [], given
    for part in (part for part in loc if part != "[key]"):
        if isinstance(part, int) and not isinstance(node, dict):  # (a group written as a list is read as its terms)
            parts.append(f", item {part + 1}")
            keys.append(str(part))
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            continue
        key = next((key for key in node if key == part or (key is None and part == "None")), part) \
            if isinstance(node, dict) else part
        name = key if isinstance(key, str) else yaml.safe_dump(key).splitlines()[0]
        parts.append(f"{'.' if parts else ''}{name}")
        keys.append(name)
        node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)", keys


def _describe_errors(path: Path, exc: ValidationError, lines: dict[str, int], given: object = None) -> str:
    messages = []
    errors = exc.errors()
    for error in errors:
        loc = [str(part) for part in error["loc"] if part != "[key]"]  # a dict key's own error: named by the key
        if error["type"] == "too_short" and any(other["loc"][: len(error["loc"])] == error["loc"] != other["loc"]
                                                for other in errors):
            continue  # a list whose items are all wrong is empty once they are left out: said by the items' errors
        key, keys = place_name(given, error["loc"])
        if error["type"] == "invalid_key":  # `1: x`
            message = "a key must be a name, not a number, a date, true, false or null (quote it if it is one)"
        elif error["type"] == "extra_forbidden":
            message = unknown_key_message(loc)
        elif error["type"] == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == GROUP_PATTERN:
            message = "a group's name must begin with a letter or digit and hold only letters, digits, spaces, '.', '-' and '_'"
        else:
            bounded = BOUND_MESSAGES.get(error["type"])
            message = (bounded.format(**error.get("ctx", {})) if bounded and error.get("ctx")
                       else PLAIN_MESSAGES.get(error["type"], error["msg"]).removeprefix("Value error, "))
        # the line of the key, else of the nearest key above it (an item of a list has none of its own)
        line = next((lines[".".join(keys[:end])] for end in range(len(keys), 0, -1) if ".".join(keys[:end]) in lines), None)
        messages.append(f"{path}:{line}: {key}: {message}" if line else f"{path}: {key}: {message}")
    return "\n".join(dict.fromkeys(messages))


SECTIONS = (("at the top level, not indented", Config), ("under site:", SiteConfig), ("under listing:", ListingConfig),
            ("under listing.topic:", TopicConfig), ("in a group of listing.topic's all: or none:", TermGroupConfig))
"""Where each kind of key is written: a key found in the wrong one is told where it belongs."""


def unknown_key_message(loc: list[str]) -> str:
    """"unknown key", with the keys that may be written there and the likeliest one meant (`titel`: title)."""
    model = _model_at(loc[:-1])
    if model is None:
        return "unknown key"
    keys = _keys_of(model)
    elsewhere = [home for home, section in SECTIONS if section is not model and loc[-1] in _keys_of(section)]
    if elsewhere:  # `since` at the top, `title` unindented under site:, `all` straight under listing:
        return f"unknown key here: {loc[-1]} belongs {elsewhere[0]} (the keys here: {', '.join(keys)})"
    close = difflib.get_close_matches(loc[-1], keys, n=1)
    meant = f"; did you mean {close[0]}?" if close else ""
    return f"unknown key{meant} (the keys here: {', '.join(keys)})"


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items() if name != "root"]


def _model_at(loc: list[str]) -> type[BaseModel] | None:
    """The model of the mapping at `loc` (["listing", "topic", "all", "vision"]: TermGroupConfig), if any."""
    model: type[BaseModel] = Config
    parts = iter(loc)
    for part in parts:
        field = next((f for name, f in model.model_fields.items() if (f.alias or name) == part), None)
        annotation = field.annotation if field else None
        if get_origin(annotation) is dict:  # a mapping of names (a topic's groups): the next part is a name
            annotation = get_args(annotation)[1]
            if next(parts, None) is None:
                return None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model
