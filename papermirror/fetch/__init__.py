"""The fetch stage: the HF Papers API -> `Paper` records -> merged into content/ (`build.py snapshot`).

    hub        the one httpx client: paging, retries, the rate limit         -> Hub
    normalise  any year's API item -> a Paper, or None with a warning         -> normalise_item
    topic      mirror.yml's include/exclude terms                             -> term_matcher, paper_matches
    merge      how a fresh record folds into the stored one                   -> merge_paper
    snapshot   a run: queries and days fetched, folded in, the ledger kept    -> run_snapshot, Summary
"""
