"""papermirror: a static, searchable mirror of the Hugging Face Papers listing for one topic.

The pipeline, one module per stage:
  hub (fetch) -> normalise -> content (write and read) -> render -> search (index)
`snapshot` runs the first three, `site` the last three.
"""

__version__ = "0.1.0"
USER_AGENT = f"papermirror/{__version__} (+https://github.com/papermirror/papermirror)"
