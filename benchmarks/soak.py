"""Many users at once, measured in headless Chromium on loopback: `sessions` browser sessions
open the dashboard together and each walks through every page `rounds` times, pausing
`think` seconds between clicks as a reader does; every click is timed from the click in the
sidebar to the page being done (as benchmarks.browser times one session). Bounded in time:
a page that is not done in `timeout_s` counts as a failure and the walk goes on.

Run by `make bench` (benchmarks/run.py) on the demo; alone:
`python -m benchmarks.soak radar.duckdb --sessions 20`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.browser import (
    CHROMIUM,
    DONE,
    FLAGS,
    NAV,
    PAGES,
    WATCH,
    _rss_mb,
    links_to,
    no_link,
)
from radar.serve import spawn


@dataclass(frozen=True)
class Soak:
    sessions: int
    clicks: int
    failed: int
    failures: tuple[str, ...]  # page and reason of each failure
    median: float
    p95: float
    worst: float
    memory_mb: float  # the server's largest resident memory during the soak
    server_busy: float  # the server's CPU seconds per second of the soak (1 = one core)


async def _link(page, path: str):
    """benchmarks.browser._link for Playwright's asynchronous interface."""
    nav = page.locator(NAV)
    for i in range(await nav.count()):
        if links_to(await nav.nth(i).get_attribute("href"), path):
            return nav.nth(i)
    raise no_link(path)


async def _walk(browser, url, order, rounds, think, timeout_s, times, failures, offset):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page = await context.new_page()
    await asyncio.sleep(offset)  # the sessions arrive within a few seconds, not in one instant
    await page.goto(f"{url}/", timeout=timeout_s * 1000)
    await page.wait_for_selector(DONE, timeout=timeout_s * 1000)
    for _ in range(rounds):
        for path in order:
            try:
                await page.evaluate(WATCH, path)
                link = await _link(page, path)
                started = await page.evaluate("() => performance.now()")
                await link.click()
                done = await page.evaluate(
                    "(ms) => Promise.race([window.radarDone, new Promise((_, fail) => "
                    "setTimeout(() => fail(new Error('не открылась')), ms))])",
                    timeout_s * 1000,
                )
                times.append((done - started) / 1000)
            except Exception as exc:  # a page not done in time is counted, not fatal
                state = await page.evaluate(
                    "() => [location.pathname, document.querySelector('[data-testid=\"stApp\"]')"
                    ".getAttribute('data-test-script-state'), document.querySelectorAll("
                    "'[data-testid=\"stException\"]').length]"
                )
                failures.append(f"{path or 'обзор'}: {str(exc).splitlines()[0][:80]} {state}")
                await page.goto(f"{url}/", timeout=timeout_s * 1000)
                await page.wait_for_selector(DONE, timeout=timeout_s * 1000)
            await asyncio.sleep(think)
    await context.close()


async def _soak(url, sessions, rounds, think, timeout_s):
    from playwright.async_api import async_playwright

    order = [path for path, _ in PAGES[1:]] + [""]
    times: list[float] = []
    failures: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        await asyncio.gather(
            *(
                _walk(browser, url, order, rounds, think, timeout_s, times, failures, i * 0.25)
                for i in range(sessions)
            )
        )
        await browser.close()
    return times, failures


def measure(
    database: Path,
    sessions: int = 20,
    rounds: int = 1,
    think: float = 1.0,
    timeout_s: float = 120,
) -> Soak:
    """`sessions` readers at once on the dashboard serving `database`."""
    url, server = spawn(database)
    peak = [0.0]
    stop = threading.Event()

    def watch_memory() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mb(server.pid))
            stop.wait(0.5)

    watcher = threading.Thread(target=watch_memory, daemon=True)
    watcher.start()
    cpu_before, wall_before = _cpu_seconds(server.pid), time.perf_counter()
    try:
        times, failures = asyncio.run(_soak(url, sessions, rounds, think, timeout_s))
        busy = (_cpu_seconds(server.pid) - cpu_before) / (time.perf_counter() - wall_before)
    finally:
        stop.set()
        watcher.join()
        server.terminate()
        server.wait(timeout=30)
    ordered = sorted(times) or [float("nan")]
    return Soak(
        sessions,
        len(times) + len(failures),
        len(failures),
        tuple(failures),
        statistics.median(ordered),
        ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        ordered[-1],
        peak[0],
        busy,
    )


def _cpu_seconds(pid: int) -> float:
    """CPU time the process has used (user and system), from Linux /proc."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(result: Soak, target: float = 3.0) -> list[str]:
    """The soak's lines for `make bench`, in Russian."""

    def s(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    mark = "" if result.median <= target else "  ПРЕВЫШЕНО"
    return [
        f"\n{result.sessions} сеансов одновременно, демо: {result.clicks} переходов, "
        f"не открылись за отведённое время: {result.failed}",
        f"страница: медиана {s(result.median)} с (цель {s(target)} с){mark}, "
        f"95-й процентиль {s(result.p95)} с, худшая {s(result.worst)} с",
        f"память сервера, наибольшая: {result.memory_mb:.0f} МБ; сервер занят "
        f"{result.server_busy * 100:.0f} % одного ядра (остальное — браузеры на той же машине)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Много сеансов одновременно в браузере")
    parser.add_argument("database", type=Path)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--think", type=float, default=1.0)
    args = parser.parse_args()
    started = time.perf_counter()
    result = measure(args.database, args.sessions, args.rounds, args.think)
    print("\n".join(report(result)))
    for said in result.failures:
        print("  не открылась:", said)
    print(f"замер занял {time.perf_counter() - started:.0f} с")


if __name__ == "__main__":
    main()
