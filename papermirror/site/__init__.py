"""The build stage: content/ -> site/ through the Jinja layouts in layouts/ (`build.py build`).

    render      the pipeline: read, arrange, plan, draw what changed, drop what is stale -> build_site
    archive     papers arranged newest first, by day, month, keyword, organization -> Archive, build_archive
    pages       every output file and what it shows                        -> plan_pages
    contexts    a Page per output file and its typed context, site links   -> Page, Links, *Context
    buildcache  what the last build wrote, and which pages must be redrawn  -> BuildCache, fingerprint
    draw        draw pages in worker processes and write them               -> draw_site
    templates   the Jinja environment (autoescape on) and its filters       -> Renderer
    output      writes into site/, never outside it                        -> write_if_changed, output_file
    feeds       Atom, papers.json, sitemap, robots.txt
    ways        organization pages, the most upvoted, feeds per keyword and organization -> plan_ways
    topicfeed   the lean Atom feed of one keyword or organization       -> topic_feed
    about       the about page's topic and coverage figures
    mathflat    math as Unicode text, where no markup is drawn (titles, descriptions, feeds) -> flat_text
    textmode    TeX's text-mode commands outside math ("32.2\\%", "Fr\\'echet") as they print -> text_mode
    mathtext, cite, notes   TeX to MathML, citation tags (and the BibTeX static/paper.js draws from them), the owner's Markdown notes
"""
