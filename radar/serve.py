"""Start the dashboard: `python -m radar.serve [streamlit options]` (what `make run` does).

With a `pages/` folder next to app.py, Streamlit serves first visits in its legacy multipage
mode — a deep link then opens the page file alone, without app.py's navigation and filters —
until app.py has called `st.navigation` once. Starting Streamlit from here switches that mode
off before the first visit, so app.py's navigation is the only one from the start.

The server prints PDFs through one headless Chromium kept open (html_report.keep_printer);
it is started here, beside Streamlit, so the first PDF a user asks for does not wait for it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
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
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


# Seconds after the start when one-off work of later pages is done ahead of them: by then the
# first page has been served, and doing it earlier would hold the interpreter while it is.
WARM_AFTER = 12


def _warm_up() -> None:
    """Streamlit compiles its table of emoji (about a second) the first time a page shows a
    message in Russian (st.info, st.warning…): compile it here, not on a user's click."""
    time.sleep(WARM_AFTER)
    import streamlit.emojis  # noqa: F401 - importing it is the work


def _start_printer() -> None:
    try:
        html_report.keep_printer()
    except (RuntimeError, OSError) as exc:  # a PDF will try again, and say why if it fails
        print(f"Chromium для PDF не запущен заранее: {exc}", file=sys.stderr)


def spawn(database: Path, timeout: float = 60) -> tuple[str, subprocess.Popen]:
    """The dashboard in a background process on a free port of 127.0.0.1 against `database`,
    as `make run` starts it, for the browser tests and benchmarks: its address and process,
    once it answers; a Russian error with Streamlit's own words if it does not start."""
    import tempfile

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radar.serve",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=APP.parent,
        env={**os.environ, "RADAR_DB": str(database)},
        stdout=subprocess.DEVNULL,
        stderr=log,  # a file: a pipe nobody reads would stop a long-running server
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            return url, process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    log.seek(0)
    said = log.read().decode(errors="replace")[-2000:]
    raise RuntimeError(f"Панель не запустилась: {said}")


if __name__ == "__main__":
    main()
