"""Expand and score a parsed lunr query over a SearchIndex: lunr.Index.query, step for step.

Postings stand in for lunr's inverted index and field vectors. A field's score is the dot product
of the query vector with the paper's field vector, over the query vector's magnitude; the dot
product only needs the weights of the query's terms, which the postings hold, summed in term
`_index` order as lunr.Vector.dot sums them. Fields' scores are summed in the order lunr meets
the fields, so scores and ranking are bit-for-bit those of `lunr.Index.search`, but for one case: a required
common word (`+at`) that no paper's index holds, because the index leaves such words out, is left out of the
query too, where lunr requires a match of it and finds nothing (`+learning +at +scale`, what a phrase's hint
suggests). A common word the index holds all the same, as the stem of another word ("others" is indexed as
`other`, which is common), stays required, as in lunr.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter, mul

from lunr import get_default_builder
from lunr.query import Clause, Query, QueryPresence
from lunr.token import Token
from lunr.token_set import TokenSet
from lunr.utils import CompleteSet
from lunr.vector import Vector

from papermirror.search.store import Posting, SearchIndex
from papermirror.search.terms import FIELD_NAMES


def expand(index: SearchIndex, clause: Clause) -> list[str]:
    """Return the indexed terms a clause's term matches, listed as lunr's TokenSet intersection lists them.

    A plain word is one lookup. For wildcards and edit distances, lunr intersects the query's
    automaton with one of every indexed term; that automaton takes a second to build for 10,000
    papers. A regular expression for the query's automaton finds the matching terms first, and
    lunr's intersection over an automaton of those alone lists the same words in the same order
    (the words and the order come from walking the matching paths, which are all still there).
    """
    query_set = TokenSet.from_clause(clause)
    word = _plain_word(query_set)
    if word is not None:
        return [word] if index.find(word) is not None else []
    try:
        pattern = re.compile(_wildcard_regex(clause.term) if "*" in clause.term and not clause.edit_distance
                             else _automaton_regex(query_set), re.DOTALL)
    except (RecursionError, re.error):  # not a shape lunr makes today: let lunr look at every term
        candidates = index.terms
    else:
        candidates = [term for term in index.terms if pattern.fullmatch(term)]
    return intersect(TokenSet.from_list(candidates), query_set).to_list()


def intersect(words: TokenSet, query_set: TokenSet) -> TokenSet:
    """lunr's TokenSet.intersect, the same output built in the same order, without walking a path twice.

    lunr pushes one frame per path through both automata: a query's '*' may take any run of characters, so
    `*x*x*x*y` against a word of 3,000 x's and a y has billions of paths. A frame is (word node, query node,
    output node), and the output is a tree, so two frames alike would add the same edges again: each is
    walked once here.
    """
    output = TokenSet()
    stack, seen = [(words, query_set, output)], set()
    while stack:
        node, q_node, out = stack.pop()
        key = (id(node), id(q_node), id(out))
        if key in seen:
            continue
        seen.add(key)
        for q_edge, q_next in q_node.edges.items():
            for n_edge, n_next in node.edges.items():
                if n_edge == q_edge or q_edge == "*":
                    final = n_next.final and q_next.final
                    following = out.edges.get(n_edge)
                    if following is None:
                        following = out.edges[n_edge] = TokenSet()
                        following.final = final
                    else:
                        following.final = following.final or final
                    stack.append((n_next, q_next, following))
    return output


def _plain_word(token_set: TokenSet) -> str | None:
    """Return the word a TokenSet spells if it is one plain chain of characters, else None."""
    chars, node = [], token_set
    while node.edges:
        if node.final or len(node.edges) != 1:
            return None
        ((char, node),) = node.edges.items()
        if char == "*":
            return None
        chars.append(char)
    return "".join(chars) if node.final else None


def _wildcard_regex(term: str) -> str:
    """A regular expression for the words a wildcard term accepts ('*': any characters), in linear time.

    The automaton's own expression for `*x*x*y` nests `.*` in `.*` and backtracks without end on a long indexed
    word (38 s on one of 1,000 characters). Matching each part between two stars where it first occurs, and
    never trying it further on (an atomic group, as fnmatch does), accepts the same words: if any placement
    of the parts fits, the earliest one does.
    """
    head, *middle, tail = term.split("*")
    return re.escape(head) + "".join(f"(?>.*?{re.escape(part)})" for part in middle) + ".*" + re.escape(tail)


def _automaton_regex(node: TokenSet, path: frozenset[int] = frozenset()) -> str:
    """A regular expression for the words a query TokenSet accepts ('*' edges take any character).

    lunr builds trees, with one kind of loop: a '*' edge from a node to itself (`from_string`).
    """
    if node.id in path:
        raise RecursionError("a loop other than a '*' self-edge")
    path = path | {node.id}
    branches = [""] if node.final else []
    for char, child in node.edges.items():
        if child is not node:
            branches.append(("." if char == "*" else re.escape(char)) + _automaton_regex(child, path))
    loop = ".*" if node.edges.get("*") is node else ""
    return loop + ("(?:" + "|".join(branches) + ")" if branches else "(?!)")


@dataclass
class _Matches:
    """What the clauses of a query matched, as lunr.Index.query collects it."""

    query_vectors: dict[str, Vector] = field(default_factory=lambda: {name: Vector() for name in FIELD_NAMES})
    field_refs: dict[tuple[int, int], None] = field(default_factory=dict)
    """(field number, paper number) of every matching field, in the order lunr meets them."""
    required: dict[str, set[int]] = field(default_factory=dict)
    prohibited: dict[str, set[int]] = field(default_factory=dict)
    postings: dict[int, Posting] = field(default_factory=dict)
    """The posting of every term in a query vector, by lunr's `_index`."""
    collected: set[tuple[str, str]] = field(default_factory=set)
    """(term, field) pairs whose papers are already in field_refs."""


@functools.cache
def left_out_of_the_index(term: str) -> bool:
    """Whether lunr's indexing pipeline (trimmer, stop words, stemmer) makes no term of `term`: a common word."""
    return not get_default_builder().pipeline.run([Token(term)])


def match_clauses(index: SearchIndex, query: Query) -> _Matches:
    """Expand each clause's term and collect the papers and fields it matches."""
    matches = _Matches()
    for clause in query.clauses:
        word = clause.term
        terms = index.pipeline.run_string(clause.term, {"fields": clause.fields}) if clause.use_pipeline else [clause.term]
        clause_matches: set[int] = set()
        ignored = False
        for term in terms:
            clause.term = term
            expanded = expand(index, clause)
            if not expanded and clause.presence == QueryPresence.REQUIRED:
                # `+at`: no paper's index holds it because the index leaves the common word out: ignored, as `at`
                # is (module docstring); `+other` stays required: "others" is indexed as `other`
                ignored = clause.use_pipeline and not clause.edit_distance and left_out_of_the_index(word)
                for name in clause.fields if not ignored else ():
                    matches.required[name] = CompleteSet()
                break
            for expanded_term in expanded:
                term_index, posting = index.posting(expanded_term)
                matches.postings[term_index] = posting
                for name in clause.fields:
                    clause_matches = _match_field(matches, clause, expanded_term, term_index, name, posting, clause_matches)
        if clause.presence == QueryPresence.REQUIRED and not ignored:
            for name in clause.fields:
                matches.required[name] = matches.required[name].intersection(clause_matches)
    return matches


def _match_field(matches: _Matches, clause: Clause, term: str, term_index: int, name: str,
                 posting: Posting, clause_matches: set[int]) -> set[int]:
    """One field of one expanded term of a clause; return the clause's matches so far."""
    field_number = FIELD_NAMES.index(name)
    papers = posting[field_number][0]
    if clause.presence == QueryPresence.REQUIRED:
        clause_matches = clause_matches.union(papers)
        matches.required.setdefault(name, CompleteSet())
    elif clause.presence == QueryPresence.PROHIBITED:
        matches.prohibited[name] = matches.prohibited.get(name, set()).union(papers)
        return clause_matches
    matches.query_vectors[name].upsert(term_index, clause.boost, lambda a, b: a + b)
    if (term, name) not in matches.collected:  # a dict keeps the place of a key met before, as lunr does
        matches.field_refs.update(zip(zip(repeat(field_number), papers), repeat(None)))
        matches.collected.add((term, name))
    return clause_matches


def field_scores(index: SearchIndex, matches: _Matches) -> list[dict[int, float]]:
    """For each field, the score (lunr.Vector.similarity) of every paper it matches."""
    scores = []
    for field_number, name in enumerate(FIELD_NAMES):
        vector, dots = matches.query_vectors[name], {}
        elements, magnitude = vector.elements, vector.magnitude
        for i in range(0, len(elements), 2):  # in `_index` order, as lunr.Vector.dot adds them up
            value = elements[i + 1]
            papers, weights = matches.postings[elements[i]][field_number]
            if not dots:  # 0 + x is x: the weights are never -0.0
                dots = dict(zip(papers, map(mul, repeat(value), weights)))
                continue
            for number, weight in zip(papers, weights):
                dots[number] = dots.get(number, 0) + value * weight
        zero = index.zero_vectors
        if magnitude == 0:
            scores.append(dict.fromkeys(dots, 0))
        elif not zero:
            scores.append({number: dot / magnitude for number, dot in dots.items()})
        else:
            scores.append({
                number: 0 if number * len(FIELD_NAMES) + field_number in zero else dot / magnitude
                for number, dot in dots.items()
            })
    return scores


def rank(index: SearchIndex, query: Query) -> list[tuple[int, float]]:
    """Run a parsed query as lunr.Index.query does; return (paper number, score), best first."""
    if not query.clauses:
        return []
    matches = match_clauses(index, query)
    required, prohibited = CompleteSet(), set()
    for name in FIELD_NAMES:
        if name in matches.required:
            required = required.intersection(matches.required[name])
        if name in matches.prohibited:
            prohibited = prohibited.union(matches.prohibited[name])
    if query.is_negated():
        # lunr scores every field of every paper then, against empty query vectors: 0 each.
        return [(number, 0) for number in range(index.paper_count) if number in required and number not in prohibited]
    scores, results = field_scores(index, matches), {}
    check_required = not isinstance(required, CompleteSet)
    for field_number, number in matches.field_refs:
        if (check_required and number not in required) or number in prohibited:
            continue
        score = scores[field_number][number]
        results[number] = results[number] + score if number in results else score
    return sorted(results.items(), key=itemgetter(1), reverse=True)
