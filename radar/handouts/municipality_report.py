"""The municipality's meeting report: the schools that need attention and why, and the offline
HTML hand-out (key figures, roadmap, the procedures the user picks over the years against the
region, the 5×5 grid, every school's figures).

`query` is a function like `store.query` (sql file name and parameters → frame), so the report
is built the same way on the page and in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics import fmt, labels
from analytics import trends as tr
from analytics.labels import procedure_label
from radar.handouts import excel, html_report
from radar.views import charts

Query = Callable[..., pd.DataFrame]
Procedure = tuple[str, str, int]

# The procedures a municipal meeting usually looks at first, where the region has them.
USUAL = (("ОГЭ", "Математика", 9), ("ОГЭ", "Русский язык", 9))


@dataclass(frozen=True)
class Meeting:
    """What a municipality's hand-out is about: whose data, which municipality and year, the
    procedures to show over the years, the smallest number of participants shown, and the
    date against which roadmap events are overdue."""

    query: Query
    municipality: str
    name: str
    year: int
    procedures: tuple[Procedure, ...]
    min_participants: int
    as_of: date

    def rows(self, sql: str, **params) -> pd.DataFrame:
        """An sql file's rows for this municipality and year."""
        return self.query(sql, year=self.year, municipality=self.municipality, **params)

    def histories(self) -> dict[Procedure, pd.DataFrame]:
        return procedure_history(
            self.query, self.municipality, list(self.procedures), self.min_participants
        )


def procedures(query: Query) -> list[Procedure]:
    """The region's procedures with results, the most common first within each exam."""
    found = query("pages/dynamics/dynamics_procedures")
    return [
        (e, s, int(g))
        for e, s, g in zip(found["exam"], found["subject"], found["grade"], strict=True)
    ]


def default_procedures(available: list[Procedure]) -> list[Procedure]:
    """ОГЭ mathematics and Russian where the region has them, otherwise its first two.

    >>> default_procedures([("ВПР", "Математика", 4), ("ОГЭ", "Математика", 9)])
    [('ОГЭ', 'Математика', 9)]
    >>> default_procedures([("ОГЭ", "Attainment 8", 9)])
    [('ОГЭ', 'Attainment 8', 9)]
    """
    usual = [p for p in USUAL if p in available]
    return usual or available[:2]


def procedure_history(
    query: Query, municipality: str, chosen: list[Procedure], min_participants: int
) -> dict[Procedure, pd.DataFrame]:
    """Each chosen procedure over the years: the municipality against the region (rows with
    fewer than `min_participants` left out); procedures without results are skipped."""
    found = {}
    for procedure in chosen:
        exam, subject, grade = procedure
        history = query(
            "pages/dynamics/dynamics_region",
            exam=exam,
            subject=subject,
            grade=grade,
            municipality=municipality,
            min_participants=min_participants,
        )
        if len(history):
            found[procedure] = history
    return found


HISTORY_COLUMNS = (
    "year",
    "municipality_mean",
    "region_mean",
    "municipality_share_fail",
    "region_share_fail",
    "schools",
)
# Against the municipality's figures the region's are named alike.
HISTORY_HEADERS = {"region_mean": "Средний балл: регион", "schools": "Школ региона"}


def history_table(histories: dict[Procedure, pd.DataFrame]) -> pd.DataFrame:
    """The histories as one table with Russian headers, for the workbook."""
    columns = labels.headers(HISTORY_COLUMNS, HISTORY_HEADERS)
    parts = [
        labels.table(h, HISTORY_COLUMNS, HISTORY_HEADERS).assign(Процедура=procedure_label(p))
        for p, h in histories.items()
    ]
    if not parts:
        return pd.DataFrame(columns=["Процедура", *columns.values()])
    table = pd.concat(parts, ignore_index=True)
    return table[["Процедура", *columns.values()]]


def attention_reasons(attention: pd.DataFrame) -> pd.DataFrame:
    """The schools that need attention with their reasons in Russian, one line each."""
    reasons = []
    for r in attention.itertuples(index=False):
        falling = isinstance(r.colour, str) and r.colour in ("R", "O")
        hits = (
            ("ШНОР", r.shnor),
            (f"{tr.COLOURS[r.colour][0]}: {r.label}" if falling else "", falling),
            ("нет положительной динамики", r.stage_status == "нет положительной динамики"),
            ("признаки необъективности ВПР", r.signs > 0),
            ("раннее предупреждение", r.early_warning),
        )
        reasons.append("; ".join(why for why, hit in hits if hit))
    return pd.DataFrame(
        {labels.header("name"): attention["name"].tolist(), labels.header("reason"): reasons}
    )


# A printed hand-out stays readable: longer tables are cut, the workbook has them whole.
PRINTED_ROWS = 300


# Share columns of the municipality_schools rows, shown as per cent in every hand-out.
SCHOOL_SHARES = ("Доля «2»",)


def _printable(title: str, frame: pd.DataFrame, percent: tuple[str, ...] = ()) -> excel.Sheet:
    """A table for the HTML and PDF: at most PRINTED_ROWS rows, and a note when cut."""
    if len(frame) <= PRINTED_ROWS:
        return excel.Sheet(title, frame, percent=percent)
    note = (
        f"Показаны первые {fmt.integer(PRINTED_ROWS)} из {fmt.integer(len(frame))}; "
        "полный список — в раздаточном материале Excel."
    )
    return excel.Sheet(title, frame.head(PRINTED_ROWS), percent=percent, note=note)


def report_pdf(meeting: Meeting) -> bytes:
    """The hand-out on A4 paper (landscape: the schools table is wide)."""
    with html_report.printing():  # one Chromium draws the charts and prints the page
        return html_report.pdf_from_html(report_html(meeting, printed=True))


def report_html(meeting: Meeting, printed: bool = False) -> str:
    """The whole HTML hand-out for one municipality and year; `printed`: laid out for A4
    paper, as report_pdf prints it."""
    name, year = meeting.name, meeting.year
    card = meeting.rows("pages/municipality/municipality_card").iloc[0]
    roadmap = meeting.rows("pages/municipality/municipality_roadmap", as_of=meeting.as_of)
    done = int((roadmap["status"] == "выполнено").sum())
    overdue = int(roadmap["overdue"].sum())
    figures = [
        ("Школ", fmt.integer(card["schools"])),
        ("ШНОР", fmt.integer(card["shnor"])),
        ("ШНСУ", fmt.integer(card["shnsu"])),
        ("Сводный результат", fmt.num(card["result_index"], 2)),
        ("Доля «2»", fmt.pct(card["share_fail"])),
        ("Положительная динамика", fmt.pct(card["positive_share"])),
    ]
    plots = []
    if len(roadmap):
        figures += [
            ("Дорожная карта", f"{fmt.integer(done)} из {fmt.integer(len(roadmap))}"),
            ("Просрочено", fmt.integer(overdue)),
        ]
        plots.append(("Дорожная карта", charts.roadmap_bars(roadmap)))
    for procedure, history in meeting.histories().items():
        plots.append(
            (
                f"{procedure_label(procedure)}: муниципалитет и регион по годам",
                charts.region_band(history, True),
            )
        )
    grid = meeting.rows("pages/dynamics/status_grid", indicator="result_index")
    plots.append(
        (
            "Школы по уровню и изменению сводного результата",
            charts.status_grid(grid, tr.STATUS_LEVELS, tr.CHANGE_LEVELS, tr.GRID),
        )
    )
    attention = attention_reasons(meeting.rows("pages/municipality/municipality_attention"))
    schools = meeting.rows("pages/municipality/municipality_schools")
    return html_report.report_html(
        name,
        f"{year} год. Подготовлено «Школьным радаром».",
        [(label, value) for label, value in figures if value != fmt.DASH],  # not in the data
        plots,
        [
            _printable("Школы, которым нужно внимание", attention),
            _printable("Все школы муниципалитета", schools, SCHOOL_SHARES),
        ],
        html_report.print_setup(meeting.query, landscape=True, today=meeting.as_of)
        if printed
        else None,
    )


ROADMAP_COLUMNS = (
    "level",
    "title",
    "period_start",
    "period_end",
    "responsible",
    "status",
    "school",
    "overdue",
)
ROADMAP_HEADERS = {"status": "Статус"}  # of an event, not the verdict on a school


def workbook_bytes(meeting: Meeting) -> bytes:
    """The Excel hand-out: summary, every school (colour scales on the results), the lists and
    their change, the chosen procedures over the years, the schools that need attention, the
    roadmap."""
    name, year = meeting.name, meeting.year
    card = meeting.rows("pages/municipality/municipality_card").iloc[0]
    roadmap = meeting.rows("pages/municipality/municipality_roadmap", as_of=meeting.as_of)

    def percent(share) -> float | None:
        return None if pd.isna(share) else round(float(share) * 100, 1)

    def count(value) -> int | None:
        # A row of numbers comes as floats: a count is written whole, «21», never «21,00».
        return None if pd.isna(value) else int(value)

    summary = pd.DataFrame(
        [
            ("Школ", count(card["schools"])),
            ("ШНОР", count(card["shnor"])),
            ("ШНОР в прошлом году", count(card["shnor_prev"])),
            ("ШНСУ", count(card["shnsu"])),
            ("ШНСУ в прошлом году", count(card["shnsu_prev"])),
            ("Сводный результат (z)", card["result_index"]),
            ("Доля «2», %", percent(card["share_fail"])),
            ("Доля «2» по региону, %", percent(card["region_share_fail"])),
            ("Положительная динамика, %", percent(card["positive_share"])),
            ("Положительная динамика по региону, %", percent(card["region_positive_share"])),
            ("Мероприятий дорожной карты", len(roadmap)),
            ("Выполнено", int((roadmap["status"] == "выполнено").sum())),
            ("Просрочено", int(roadmap["overdue"].sum())),
        ],
        columns=["Показатель", "Значение"],
        dtype=object,  # counts stay whole numbers beside the decimals
    )
    history = history_table(meeting.histories())
    attention = attention_reasons(meeting.rows("pages/municipality/municipality_attention"))
    sheets = [
        excel.Sheet("Сводка", summary, digits={"Значение": 2}, note=f"{name}, {year} год"),
        excel.Sheet(
            "Школы",
            meeting.rows("pages/municipality/municipality_schools"),
            percent=SCHOOL_SHARES,
            digits={"Сводный результат": 2, "С учётом контекста": 2, "Наклон в год": 2},
            scale=("Сводный результат", "Доля «2»", "С учётом контекста"),
            reverse=("Доля «2»",),
        ),
        excel.Sheet(
            "Списки ШНОР и ШНСУ",
            meeting.rows("pages/municipality/municipality_lists"),
            note=f"Школы в списках в {year} или {year - 1} году",
        ),
        excel.Sheet(
            "Результаты по годам",
            history,
            percent=("Доля «2»: муниципалитет", "Доля «2»: регион"),
            digits={"Средний балл: муниципалитет": 1, "Средний балл: регион": 1},
            note="Выбранные процедуры: муниципалитет против региона",
        ),
        excel.Sheet("Школы для внимания", attention),
        excel.Sheet("Дорожная карта", labels.table(roadmap, ROADMAP_COLUMNS, ROADMAP_HEADERS)),
    ]
    return excel.workbook_bytes(sheets, f"{name}, {year}")
