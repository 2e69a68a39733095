"""papermirror: a static, searchable mirror of the Hugging Face Papers listing for one topic.

The pipeline, one folder per stage, run in this order by build.py:

    fetch/    the hub's JSON API -> Paper records -> merged into content/   (`snapshot`)
    content/  the Paper record and its Markdown files, the ledger, the parsed-papers cache
    site/     content/ -> site/ through the Jinja layouts                   (`build`)
    search/   site/ -> Pagefind's browser index; content/ -> lunr terminal search (`build`, `search`)
    ops/      status, reset and the local preview server

Beside them: `config` (mirror.yml, validated once and passed explicitly), `errors` (every exception
a user may see) and `files` (atomic writes, listing content/, hashing the package's code).
"""

__version__ = "0.1.0"
USER_AGENT = f"papermirror/{__version__} (+https://github.com/papermirror/papermirror)"
