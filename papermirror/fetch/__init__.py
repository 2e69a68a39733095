"""The fetch stage: the HF Papers API -> `Paper` records -> merged into content/ (`build.py snapshot`).

    hub        the one httpx client: paging, retries, the rate limit         -> Hub
    inorder    a few requests at once, answers handled in the order asked    -> fetch_in_order
    normalise  any year's API item -> a Paper, or None with a warning         -> normalise_item
    topic      the topic rule: groups of terms by field, vetoes, include/exclude  -> Topic
    merge      how a fresh record folds into the stored one                   -> merge_paper
    details    each paper's linked models, datasets and Spaces (/api/papers/{id}) -> fetch_details,
               run_details_backfill (`build.py details`)
    snapshot   a run: queries and days fetched, folded in, the ledger kept    -> run_snapshot, Summary
"""
