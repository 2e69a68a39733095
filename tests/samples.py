"""Shared test data and helpers: papers with hostile text, writing them into a mirror, reading pages back."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from papermirror.content.paper import Paper
from papermirror.content.paperfile import write_paper

ATOM = "{http://www.w3.org/2005/Atom}"


def make_paper(paper_id: str, title: str, **fields) -> Paper:
    defaults = dict(
        authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
        published="2025-03-13",
        daily=("2025-03-14",),
        abstract="An abstract.",
        upvotes=7,
        comments=1,
        refreshed="2025-03-15T08:00:00Z",
        first_seen="2025-03-14T08:00:00Z",
    )
    return Paper(id=paper_id, title=title, **{**defaults, **fields})


HOSTILE = [
    make_paper("2502.12115", "SWE-Lancer: Can Frontier LLMs Earn $1 Million from Real-World Freelance Software Engineering?",
               abstract="Tasks range from \\$50 bug fixes to \\$32,000 features; a_1 * b_2 and \\method survive.",
               ai_keywords=("Masked Image Modeling", "benchmark")),
    make_paper("2503.01234", "<script>alert(1)</script> mass $m^2$ and CoSTA$\\ast$ </a> <think> 🤗",
               abstract="Raw </a> and <subject, object, predicate> triples.\n\nSecond paragraph with $\\alpha$.",
               ai_summary="Summary with <b>tags</b>.", ai_keywords=("masked  image modeling", "<img src=x>"),
               daily=("2025-02-18", "2025-03-14"), organization="Org <x>", github_repo="https://github.com/a/b",
               github_stars=12, project_page="https://example.com/p",
               notes="# Mine\n\n<script>alert(2)</script> [bad](javascript:alert(3)) [good](https://example.com/ok)"),
    make_paper("2603.05870", "\\$OneMillion-Bench: a benchmark", published="2026-03-09", daily=(), upvotes=None,
               comments=None, refreshed=None, abstract="Together, \\$OneMillion-Bench provides a testbed."),
    make_paper("hep-th/9901001", "An old-style id", published="1999-01-04", daily=(), upvotes=None, comments=None,
               refreshed=None, first_seen="2025-01-01T00:00:00Z"),
]


class PageParser(HTMLParser):
    """Collect links, the h1 text and attribute facts of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.h1 = ""
        self.in_h1 = False
        self.attrs: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.attrs.append((tag, attrs))
        for name in ("href", "src", "action"):
            if attrs.get(name):
                self.links.append(attrs[name])
        self.in_h1 = self.in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data):
        if self.in_h1:
            self.h1 += data


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def write_archive(mirror: Path, papers: list[Paper]) -> None:
    for paper in papers:
        write_paper(mirror / "content", paper)


def snapshot_files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}
