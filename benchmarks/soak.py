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
    writes: tuple[tuple[str, float], ...] = ()  # what the writer did meanwhile, and how long
    write_failures: tuple[str, ...] = ()


async def _link(page, path: str):
    """benchmarks.browser._link for Playwright's asynchronous interface."""
    nav = page.locator(NAV)
    for i in range(await nav.count()):
        if links_to(await nav.nth(i).get_attribute("href"), path):
            return nav.nth(i)
    raise no_link(path)


async def _sign_in(page, login: str, timeout_s: float) -> None:
    await page.get_by_label("Имя пользователя").fill(login)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await page.get_by_text("Вы вошли как").wait_for(timeout=timeout_s * 1000)
    await page.wait_for_selector(DONE, timeout=timeout_s * 1000)


async def _offered(page, order: list[str]) -> list[str]:
    """The pages of `order` this session's sidebar offers (a role sees only its own)."""
    nav = page.locator(NAV)
    hrefs = [await nav.nth(i).get_attribute("href") for i in range(await nav.count())]
    return [path for path in order if any(links_to(h, path) for h in hrefs)]


async def _walk(browser, url, order, rounds, think, timeout_s, times, failures, offset, login=None):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page = await context.new_page()
    await asyncio.sleep(offset)  # the sessions arrive within a few seconds, not in one instant
    await page.goto(f"{url}/", timeout=timeout_s * 1000)
    await page.wait_for_selector(DONE, timeout=timeout_s * 1000)
    if login is not None:
        await _sign_in(page, login, timeout_s)
        order = await _offered(page, order)
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
                if login is not None:  # a reload is a new session: sign in again
                    await _sign_in(page, login, timeout_s)
            await asyncio.sleep(think)
    await context.close()


async def _soak(url, sessions, rounds, think, timeout_s, logins=None):
    from playwright.async_api import async_playwright

    order = [path for path, _ in PAGES[1:]] + [""]
    if logins:
        order = [*order[:-1], "entries", "people", ""]
    times: list[float] = []
    failures: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        await asyncio.gather(
            *(
                _walk(
                    browser,
                    url,
                    order,
                    rounds,
                    think,
                    timeout_s,
                    times,
                    failures,
                    i * 0.25,
                    logins[i % len(logins)] if logins else None,
                )
                for i in range(sessions)
            )
        )
        await browser.close()
    return times, failures


PASSWORD = "пароль-для-замера"


def _people(database: Path, folder: Path) -> tuple[Path, list[str], dict]:
    """Accounts for a shared server: the methodologist, heads and observers of municipalities,
    curators with schools; their logins in the order sessions take them, and the curators'
    schools (for the writer)."""
    from radar.store import access, accounts, db
    from radar.store.accounts import Role

    store = accounts.Accounts(folder / "people.sqlite")
    with db.connect(database) as con:
        municipalities = [r[0] for r in con.execute(db.sql("access/municipality_ids")).fetchall()]
        curators = [r[0] for r in con.execute(db.sql("access/curator_ids")).fetchall()]
        schools = {}
        for curator in curators:
            mine = access.visible(con, access.Access(curators=frozenset({curator}))).schools
            if mine:
                schools[curator] = mine
            if len(schools) == 5:
                break
    logins = ["anna"]
    store.add_user("anna", "Методист Региона", PASSWORD, [Role("methodologist")])
    for i, m in enumerate(municipalities[:5]):
        store.add_user(f"head{i}", f"Руководитель {m}", PASSWORD, [Role("head", municipality_id=m)])
        store.add_user(
            f"obs{i}", f"Наблюдатель {m}", PASSWORD, [Role("observer", municipality_id=m)]
        )
        logins += [f"head{i}", f"obs{i}"]
    for i, curator in enumerate(schools):
        store.add_user(
            f"cur{i}", f"Куратор {curator}", PASSWORD, [Role("curator", curator_id=curator)]
        )
        logins.append(f"cur{i}")
    return store.path, logins, schools


def _writer(database: Path, schools: dict, stop: threading.Event, done: list, failed: list):
    """While the readers read: a curator records a stage value every few seconds, and the
    methodologist imports a file of stage values every half minute."""
    from radar.ingest import entries
    from radar.ingest.importer import apply_import, plan_import, read_file
    from radar.store import accounts, db
    from radar.store.accounts import Role

    curator, mine = next(iter(schools.items()))
    person = accounts.User("cur0", "Куратор", (Role("curator", curator_id=curator),))
    methodologist = accounts.User("anna", "Методист", (Role("methodologist"),))
    turn = 0
    while not stop.wait(4.0):
        turn += 1
        started = time.perf_counter()
        try:
            with db.connect(database) as con:
                stored = con.execute(
                    "select indicator, value, year from monitoring_stages where school_id = $s "
                    "and stage = 'итоговый' and year = (select max(year) from monitoring_stages)",
                    {"s": mine[0]},
                ).df()
            seen = dict(zip(stored["indicator"], stored["value"], strict=True))
            year = int(stored["year"].iloc[0])
            if turn % 8:
                values = {**seen, "high_risks": float(turn % 5)}
                entries.record_stage(
                    person, mine[0], year, "итоговый", None, values, seen, path=database
                )
                done.append(("запись куратора", time.perf_counter() - started))
            else:
                rows = "\n".join(f"{s};{year};промежуточный;high_risks;{turn % 4}" for s in mine)
                text = "school_id;year;stage;indicator;value\n" + rows + "\n"
                plan = plan_import([read_file("monitoring_stages.csv", text.encode())], database)
                apply_import(plan, database, user=methodologist.login)
                done.append(("загрузка файла", time.perf_counter() - started))
        except Exception as exc:  # counted, and the soak goes on
            failed.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}")


def measure(
    database: Path,
    sessions: int = 20,
    rounds: int = 1,
    think: float = 1.0,
    timeout_s: float = 120,
    shared: bool = False,
) -> Soak:
    """`sessions` readers at once on the dashboard serving `database`; `shared`: the server
    requires sign-in, the sessions sign in with different roles, and a curator's entries and
    a methodologist's imports write to (a copy of) the database meanwhile."""
    import shutil
    import tempfile

    logins, writes, write_failures = None, [], []
    stop_writing = threading.Event()
    writer = None
    folder = tempfile.TemporaryDirectory()
    if shared:
        copy = Path(folder.name) / "radar.duckdb"
        shutil.copyfile(database, copy)
        database = copy
        people, logins, schools = _people(database, Path(folder.name))
        url, server = spawn(database, accounts_file=people)
        writer = threading.Thread(
            target=_writer,
            args=(database, schools, stop_writing, writes, write_failures),
            daemon=True,
        )
        writer.start()
    else:
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
        times, failures = asyncio.run(_soak(url, sessions, rounds, think, timeout_s, logins))
        busy = (_cpu_seconds(server.pid) - cpu_before) / (time.perf_counter() - wall_before)
    finally:
        stop.set()
        stop_writing.set()
        if writer is not None:
            writer.join(timeout=300)
        watcher.join()
        server.terminate()
        server.wait(timeout=30)
        folder.cleanup()
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
        tuple(writes),
        tuple(write_failures),
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
    written = []
    if result.writes or result.write_failures:
        for kind in sorted({k for k, _ in result.writes}):
            spent = [t for k, t in result.writes if k == kind]
            written.append(
                f"одновременно {kind}: {len(spent)}, медиана {s(statistics.median(spent))} с"
            )
        written.append(f"записи с ошибкой: {len(result.write_failures)}")
    mode = (
        "со входом разных ролей, пока куратор вносит значения и методист загружает файл"
        if result.writes or result.write_failures
        else "без входа"
    )
    return [
        f"\n{result.sessions} сеансов одновременно, {mode}, демо: {result.clicks} переходов, "
        f"не открылись за отведённое время: {result.failed}",
        f"страница: медиана {s(result.median)} с (цель {s(target)} с){mark}, "
        f"95-й процентиль {s(result.p95)} с, худшая {s(result.worst)} с",
        f"память сервера, наибольшая: {result.memory_mb:.0f} МБ; сервер занят "
        f"{result.server_busy * 100:.0f} % одного ядра (остальное — браузеры на той же машине)",
        *written,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Много сеансов одновременно в браузере")
    parser.add_argument("database", type=Path)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument(
        "--shared",
        action="store_true",
        help="сервер со входом: сеансы разных ролей, куратор и методист пишут одновременно",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    result = measure(args.database, args.sessions, args.rounds, args.think, shared=args.shared)
    print("\n".join(report(result)))
    for said in result.failures:
        print("  не открылась:", said)
    for said in result.write_failures:
        print("  запись не удалась:", said)
    print(f"замер занял {time.perf_counter() - started:.0f} с")


if __name__ == "__main__":
    main()
