"""Search: Pagefind's index for the browser, lunr.py's query language for the terminal.

    pagefind   site/ -> site/pagefind/, sharded by arXiv year for big archives -> index_site
    terminal   content/ -> .cache/search/, lunr.py's ranking, `build.py search` -> load_index, run_search
"""
