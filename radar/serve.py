"""Start the dashboard: `python -m radar.serve [streamlit options]` (what `make run` does).

With a `pages/` folder next to app.py, Streamlit serves first visits in its legacy multipage
mode — a deep link then opens the page file alone, without app.py's navigation and filters —
until app.py has called `st.navigation` once. Starting Streamlit from here switches that mode
off before the first visit, so app.py's navigation is the only one from the start.

The server prints PDFs through one headless Chromium kept open (html_report.keep_printer);
it is started here, beside Streamlit, so the first PDF a user asks for does not wait for it.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from radar.handouts import html_report
from radar.store import db

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    for leftover in db.remove_leftovers():
        print(f"Удалена копия базы, оставшаяся от прерванной записи: {leftover.name}")
    if html_report.chromium_path():
        threading.Thread(target=_start_printer, name="printer", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


def _start_printer() -> None:
    try:
        html_report.keep_printer()
    except (RuntimeError, OSError) as exc:  # a PDF will try again, and say why if it fails
        print(f"Chromium для PDF не запущен заранее: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
