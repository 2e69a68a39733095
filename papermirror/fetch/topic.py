"""Which papers belong to the mirror's topic: mirror.yml's listing.topic groups, include and exclude terms.

`Topic.from_listing(listing)` is built once per run; `topic.keeps(paper)` decides for a Daily Papers
paper, `topic.excludes(paper)` for a paper a search query returned (queries are trusted, only the
excludes apply), `topic.describe()` says the rule in words.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from papermirror.config import ListingConfig, TermGroupConfig
from papermirror.content.paper import Paper

FIELD_NAMES = {"title": "title", "keywords": "AI keywords", "abstract": "abstract", "summary": "AI summary"}
"""The parts of a paper a group can look in, as the rule's description names them."""
_JOINER = r"[-\s\u2010-\u2013]*"
"""What a hyphen or a space inside a term matches: hyphens (ASCII or typographic), spaces, or nothing."""


def term_matcher(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Compile flat `include`/`exclude` terms to one case-insensitive pattern matching where a word starts.

    'pretrain' also matches 'pretrained': these terms are prefixes, unlike the terms of a topic group.
    """
    terms = [t.strip() for t in terms if t.strip()]
    if not terms:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(t) for t in terms)})", re.IGNORECASE)


def paper_matches(paper: Paper, pattern: re.Pattern[str]) -> bool:
    """Tell whether the pattern occurs in the title, abstract or AI keywords."""
    return any(pattern.search(text) for text in (paper.title, paper.abstract, *paper.ai_keywords))


def group_term_pattern(term: str) -> str:
    """Return the regex of one group term (after a word start): whole words, `*` at the end for a prefix.

    A hyphen or space in the term also matches a hyphen, a space or nothing, so `pre-train*` matches
    "pretraining", "pre-trained" and "pre training"; `image` matches "image" but not "images".
    """
    prefix = term.endswith("*")
    words = re.split(r"[-\s\u2010-\u2013]+", term.rstrip("*").strip())
    body = _JOINER.join(re.escape(word) for word in words if word)
    return body + ("" if prefix else r"(?!\w)")


def group_matcher(terms: Iterable[str]) -> re.Pattern[str]:
    """Compile group terms to one case-insensitive pattern (see group_term_pattern)."""
    alternatives = "|".join(group_term_pattern(term) for term in terms)
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


def paper_fields(paper: Paper) -> dict[str, str]:
    """The text of each part of a paper a group can look in."""
    return {
        "title": paper.title,
        "keywords": " ; ".join(paper.ai_keywords),
        "abstract": paper.abstract,
        "summary": paper.ai_summary or "",
    }


@dataclass(frozen=True)
class TermGroup:
    """A named group of terms: it matches when its terms are mentioned often enough in one of its fields (mentions
    of different terms add up: "speech audio audio" is three mentions of [speech, audio])."""

    name: str
    terms: tuple[str, ...]
    """The terms as written in mirror.yml."""
    scope: tuple[tuple[str, int], ...]
    """(field, mentions needed) pairs: ("abstract", 2) needs two mentions in the abstract."""
    pattern: re.Pattern[str]
    unless: tuple[str, ...] = ()
    """Terms that cancel the group when one occurs in one of its fields."""
    unless_pattern: re.Pattern[str] | None = None

    @classmethod
    def from_config(cls, name: str, config: TermGroupConfig) -> TermGroup:
        """Compile one group of mirror.yml."""
        unless = group_matcher(config.unless) if config.unless else None
        scope = tuple(config.in_.items())
        return cls(name, tuple(config.terms), scope, group_matcher(config.terms), tuple(config.unless), unless)

    def matches(self, fields: Mapping[str, str]) -> bool:
        """Tell whether the group's terms are mentioned the needed times in one of the fields (and no `unless` term
        occurs there)."""
        if self.unless_pattern and any(self.unless_pattern.search(fields[field]) for field, _ in self.scope):
            return False
        for field, needed in self.scope:
            found = itertools.islice(self.pattern.finditer(fields[field]), needed)
            if sum(1 for _ in found) >= needed:
                return True
        return False

    def describe(self) -> str:
        """Say the group in words: 'vision': vision or image*, mentioned once in its title or twice in its abstract
        (mentions of different terms add up)."""
        terms = _either(self.terms) if len(self.terms) == 1 else "one of " + _either(self.terms)
        if all(needed == 1 for _, needed in self.scope):
            text = f"'{self.name}': {terms} in its " + _either([FIELD_NAMES[field] for field, _ in self.scope])
        else:
            terms = _either(self.terms)
            where = _either([f"{_times(needed)} in its {FIELD_NAMES[field]}" for field, needed in self.scope])
            added = " (mentions of different terms add up)" if len(self.terms) > 1 else ""
            text = f"'{self.name}': {terms}, mentioned {where}{added}"
        if not self.unless:
            return text
        return text + f" (unless {_either(self.unless) if len(self.unless) == 1 else 'one of ' + _either(self.unless)} is there too)"


def _either(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


@dataclass(frozen=True)
class Topic:
    """The topic rule of one mirror, compiled once from the validated listing config."""

    groups: tuple[TermGroup, ...] = ()
    """Every one must match for a daily paper to be kept (listing.topic.all)."""
    vetoes: tuple[TermGroup, ...] = ()
    """Any one that matches drops a paper, daily or from a query (listing.topic.none)."""
    include: re.Pattern[str] | None = None
    """The flat listing.include terms: when set, one must also start a word of the paper."""
    exclude: re.Pattern[str] | None = None
    """The flat listing.exclude terms: one starting a word drops a paper, daily or from a query."""
    include_terms: tuple[str, ...] = ()
    exclude_terms: tuple[str, ...] = ()

    @classmethod
    def from_listing(cls, listing: ListingConfig) -> Topic:
        """Compile mirror.yml's listing section."""
        return cls(
            groups=tuple(TermGroup.from_config(n, g) for n, g in listing.topic.all.items()),
            vetoes=tuple(TermGroup.from_config(n, g) for n, g in listing.topic.none.items()),
            include=term_matcher(listing.include),
            exclude=term_matcher(listing.exclude),
            include_terms=tuple(listing.include),
            exclude_terms=tuple(listing.exclude),
        )

    def keeps(self, paper: Paper) -> bool:
        """Tell whether a Daily Papers paper belongs to the topic."""
        if self.include is not None and not paper_matches(paper, self.include):
            return False
        fields = paper_fields(paper)
        return all(group.matches(fields) for group in self.groups) and not self._vetoed(paper, fields)

    def excludes(self, paper: Paper) -> bool:
        """Tell whether a paper, daily or from a query, is dropped by an exclude term or a `none` group."""
        return self._vetoed(paper, paper_fields(paper))

    def _vetoed(self, paper: Paper, fields: Mapping[str, str]) -> bool:
        if self.exclude is not None and paper_matches(paper, self.exclude):
            return True
        return any(group.matches(fields) for group in self.vetoes)

    def describe(self, daily: bool = True) -> str:
        """Say the rule in words, for people: the about page, the topic_eval benchmark. Without the Daily Papers
        feed (`daily` false) only the drops apply: the searches' papers are kept unless dropped."""
        flat = "one of {} starts a word of its title, abstract or AI keywords"
        kept = [f"it matches {group.describe()}" for group in self.groups]
        if self.include:
            kept.append(flat.format(_either(self.include_terms)))
        if not daily:
            text = "Every paper the searches find is kept" + (", unless dropped." if self.vetoes or self.exclude else ".")
        else:
            text = f"A Daily Papers paper is kept when {'; and '.join(kept)}." if kept else "Every Daily Papers paper is kept."
        drops = [f"it matches {group.describe()}" for group in self.vetoes]
        if self.exclude:
            drops.append(flat.format(_either(self.exclude_terms)))
        if drops:
            text += f" A paper, daily or from a query, is dropped when {'; or '.join(drops)}."
        return text
