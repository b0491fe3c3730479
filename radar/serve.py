"""Start the dashboard: `python -m radar.serve [streamlit options]` (what `make run` does).

With a `pages/` folder next to app.py, Streamlit serves first visits in its legacy multipage
mode — a deep link then opens the page file alone, without app.py's navigation and filters —
until app.py has called `st.navigation` once. Starting Streamlit from here switches that mode
off before the first visit, so app.py's navigation is the only one from the start.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from radar.store import db

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    for leftover in db.remove_leftovers():
        print(f"Удалена копия базы, оставшаяся от прерванной записи: {leftover.name}")
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
