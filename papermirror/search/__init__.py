"""Search: Pagefind's index for the browser, lunr.py's query language for the terminal.

    pagefind   site/ -> site/pagefind/ (split by arXiv months above 500 papers: shards) -> index_site
    shards     how an archive too big for one index is split             -> plan_shards
    indexed    what Pagefind read of each page, so an unchanged index is kept -> page digests

The terminal search (`build.py search`) scores bit-for-bit as lunr.py's `Index.search` (but for a required
common word, ignored: query.py), in six
modules: `terms` tokenizes and counts papers' terms as lunr's Builder does (FIELDS, paper_document,
count_terms); `weights` gives them lunr's BM25 field weights with numpy (weigh_terms); `store`
lays the index out as bytes and reads postings back on demand (SearchIndex, encode_index,
decode_index, build_index); `cache` keeps it in .cache/search/index.bin, rebuilt when content/
changes (load_index, cache_path); `query` expands and scores a parsed query (expand, rank); and
`terminal` is the front, a query string to ranked hits (Hit, run_search; re-exports load_index).
"""
