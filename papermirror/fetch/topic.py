"""Which papers belong to the mirror's topic: mirror.yml's include and exclude terms."""

from __future__ import annotations

import re
from collections.abc import Iterable

from papermirror.content.paper import Paper


def term_matcher(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Compile terms to one case-insensitive pattern matching where a word starts ('pretrain' ~ 'pretrained')."""
    terms = [t.strip() for t in terms if t.strip()]
    if not terms:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(t)}" for t in terms), re.IGNORECASE)


def paper_matches(paper: Paper, pattern: re.Pattern[str]) -> bool:
    """Tell whether the pattern occurs in the title, abstract or AI keywords."""
    return any(pattern.search(text) for text in (paper.title, paper.abstract, *paper.ai_keywords))
