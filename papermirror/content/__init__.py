"""content/: the archive of record, one Markdown file per paper plus the ledger.

    paper      the one record, `Paper`, and the rules for ids and links       -> Paper, paper_path, is_valid_id
    paperfile  a paper <-> its Markdown file (YAML front matter + abstract)   -> read_paper(s), write_paper
    yamlfile   safe YAML: no aliases, dates left as text, keys' lines for errors -> load_front_matter, brief
    ledger     content/ledger.yml: days and queries fetched, with counts      -> Ledger, read_ledger, write_ledger
    coverage   what the ledger says about the archive's coverage             -> summarise_status, ArchiveStatus
    cache      the parsed papers kept in .cache/ between builds               -> read_papers_cached
"""
