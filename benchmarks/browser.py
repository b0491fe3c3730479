"""What a user feels, measured in headless Chromium: from a click in the sidebar to the page
being done (Streamlit's script has run and the browser has drawn what it sent), cold (the
page's first visit after the server starts) and warm (later visits); the first page after a
start; and the server's memory after every page with one and with several sessions.

Run by `make bench` (benchmarks/run.py) on the demo and on the large generated region.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from radar.serve import spawn

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
# (address path, what the sidebar calls it)
PAGES = [
    ("", "Обзор региона"),
    ("school_profile", "Профиль школы"),
    ("identification", "Идентификация"),
    ("context", "Контекст и результаты"),
    ("risk_clusters", "Кластеры рисков"),
    ("monitoring", "Мониторинг этапов"),
    ("dynamics", "Динамика"),
    ("my_schools", "Мои школы"),
    ("municipality", "Муниципалитет"),
    ("data", "Данные"),
    ("methodology", "Методика"),
]
DONE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)
# Resolves when the app's script has run after the click to page `target` and two frames
# have been drawn. When the page's run is short and the browser busy, React may draw
# «running» and «notRunning» in one go and the attribute never reads «running»; the page is
# then done once the address is the new page's (Streamlit changes it when the server starts
# the page), its content has changed and the script is not running.
WATCH = """(target) => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.radarDone = new Promise(resolve => {
    let ran = false, changed = false;
    const look = (records) => {
      for (const r of records) if (r.type === 'childList') changed = true;
      const state = app.getAttribute('data-test-script-state');
      if (state === 'running') ran = true;
      const there = location.pathname.replace(/\\/$/, '').endsWith('/' + target) ||
        (!target && location.pathname.replace(/\\/$/, '') === '');
      if (state === 'notRunning' && (ran || (changed && there))) {
        observer.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
      }
    };
    const observer = new MutationObserver(look);
    observer.observe(app, {attributes: true, childList: true, subtree: true});
  });
}"""


@dataclass(frozen=True)
class PageTime:
    page: str
    cold: float
    warm: float  # median of the warm visits


def _rss_mb(pid: int) -> float:
    """Resident memory of the server process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


NAV = '[data-testid="stSidebarNav"] a'


def links_to(href: str | None, path: str) -> bool:
    """Whether a sidebar link's address is the page at `path` ("" is the overview)."""
    last = (href or "").rstrip("/").rsplit("/", 1)[-1]
    return last == path or (not path and ":" in last)  # the overview: the bare address


def no_link(path: str) -> LookupError:
    return LookupError(f"В боковой панели нет ссылки на страницу «{path or 'обзор'}»")


def _link(page, path: str):
    """The sidebar's link to the page at `path`."""
    nav = page.locator(NAV)
    for i in range(nav.count()):
        if links_to(nav.nth(i).get_attribute("href"), path):
            return nav.nth(i)
    raise no_link(path)


def _click_to_done(page, path: str, timeout_ms: float) -> float:
    """Seconds from a click on the page's link in the sidebar to the page being done."""
    page.evaluate(WATCH, path)
    link = _link(page, path)
    started = page.evaluate("() => performance.now()")
    link.click()
    done = page.evaluate(
        "(ms) => Promise.race([window.radarDone, new Promise((_, fail) => "
        "setTimeout(() => fail(new Error('страница не открылась')), ms))])",
        timeout_ms,
    )
    return (done - started) / 1000


def _profile_from_list(page, timeout_ms: float) -> float:
    """Seconds from choosing the first school of the ШНОР list on «Идентификация» (its row's
    selection box) to its profile being done."""
    page.evaluate(WATCH, "identification")
    _link(page, "identification").click()
    page.evaluate("() => window.radarDone")
    grid = page.locator('[data-testid="stDataFrame"] >> visible=true').first
    grid.wait_for(timeout=timeout_ms)
    box = grid.bounding_box()
    started = page.evaluate("() => performance.now()")
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's selection box
    page.wait_for_url("**/school_profile**", timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)
    done = page.evaluate("() => performance.now()")
    return (done - started) / 1000


def measure(database: Path, repeat: int = 5, sessions: int = 5, timeout_s: float = 180, say=print):
    """Page times and memory for one database: (first page from the server's launch in s,
    [PageTime], memory MB after all pages with 1 session, with `sessions` sessions, the median
    seconds from choosing a school in a list to its profile). `say` is told each round as it
    ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        started = time.perf_counter()  # the first page counts from the server's launch
        url, server = spawn(database)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
            page.goto(f"{url}/", timeout=timeout_s * 1000)
            page.wait_for_selector(DONE, timeout=timeout_s * 1000)
            first = time.perf_counter() - started
            times: dict[str, list[float]] = {path: [] for path, _ in PAGES}
            order = [path for path, _ in PAGES[1:]] + [""]
            for round_ in range(repeat + 1):  # the first round is each page's cold visit
                for path in order:
                    times[path].append(_click_to_done(page, path, timeout_s * 1000))
                total = sum(times[path][-1] for path in order)
                said = f"{total:.1f}".replace(".", ",")
                say(f"… круг {round_ + 1} из {repeat + 1}: все страницы за {said} с")
            from_list = [_profile_from_list(page, timeout_s * 1000) for _ in range(repeat)]
            one_session = _rss_mb(server.pid)
            others = []
            for _ in range(sessions - 1):
                other = browser.new_page(viewport={"width": 1400, "height": 1000})
                other.goto(f"{url}/", timeout=timeout_s * 1000)
                other.wait_for_selector(DONE, timeout=timeout_s * 1000)
                for path in order:
                    _click_to_done(other, path, timeout_s * 1000)
                others.append(other)
            many_sessions = _rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        browser.close()
    rows = [
        PageTime(title, times[path][0], statistics.median(times[path][1:])) for path, title in PAGES
    ]
    return first, rows, one_session, many_sessions, statistics.median(from_list)
