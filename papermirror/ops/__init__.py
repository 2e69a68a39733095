"""Operating a mirror: its health, starting a new topic, a local preview.

    status  `build.py status`: papers, last snapshot, days missing, queries -> collect_status, format_status
    reset   `build.py reset`: empty content/ for a new topic                -> plan_reset, reset_archive
    serve   `build.py serve`: serve site/ under its sub-path, rebuild on change -> make_server
"""
