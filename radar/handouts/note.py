"""The analytical note (аналитическая справка) after a monitoring stage, as Word or PDF.

A note is written after the entry, the intermediate or the final stage of a year (the final
one is the year's note), for the region or one municipality. Sections: purpose and sources;
participants; results per indicator from the entry stage to the note's stage; positive
dynamics by municipality, risk cluster and curator (as of the intermediate or final stage;
after the entry stage, the high risks the schools start from); schools that need attention;
conclusions; recommendations from the catalogue of support measures. Every conclusion is a
sentence made from the data and names the table it comes from, so the reader can check it.

The content is built once as a list of blocks (headings, paragraphs, lists, numbered tables
and figures) and written two ways. Word (python-docx): real headings (Word's navigation pane
and the table of contents work), real tables with their header row repeated on every page,
charts as pictures, A4 with page numbers; it stays editable in Word and LibreOffice. PDF: the
same blocks through the print pipeline of every hand-out (html_report), A4 portrait.

`query` is a function like store.query (sql name and parameters → frame).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from analytics import fmt
from analytics import monitoring as mon
from analytics.settings import Monitoring
from radar.handouts import file_stem, html_report
from radar.views import charts

Query = Callable[..., pd.DataFrame]
# Each stage a note can follow: its name, its genitive («по итогам входного этапа»), its
# dative («изменение к итоговому») and its column's header.
STAGE_WORDS = {
    "entry": ("входной", "входного", "входному", "Входной этап"),
    "intermediate": ("промежуточный", "промежуточного", "промежуточному", "Промежуточный этап"),
    "final": ("итоговый", "итогового", "итоговому", "Итоговый этап"),
}
GROUPS = (
    ("municipality", "муниципалитетам", "Муниципалитет"),
    ("cluster", "кластерам рисков", "Кластер рисков"),
    ("curator", "кураторам", "Куратор"),
)
SHOWN_SCHOOLS = 60  # schools named in the attention table; the rest are counted


# The blocks a note is made of, written to Word or to HTML for print.
@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    numbered: bool


@dataclass(frozen=True)
class Table:
    number: int
    caption: str
    frame: pd.DataFrame  # cells already written for people


@dataclass(frozen=True)
class Figure:
    number: int
    caption: str
    figure: go.Figure


@dataclass
class _Writer:
    """The blocks in order, tables and figures numbered as they come, and the findings."""

    blocks: list = field(default_factory=list)
    tables: int = 0
    figures: int = 0
    findings: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 1) -> None:
        self.blocks.append(Heading(text, level))

    def text(self, text: str) -> None:
        self.blocks.append(Text(text))

    def items(self, items: list[str], numbered: bool) -> None:
        self.blocks.append(Items(tuple(items), numbered))

    def table(self, caption: str, frame: pd.DataFrame) -> int:
        self.tables += 1
        self.blocks.append(Table(self.tables, caption, frame))
        return self.tables

    def figure(self, caption: str, figure: go.Figure) -> int:
        self.figures += 1
        self.blocks.append(Figure(self.figures, caption, figure))
        return self.figures


def _value(value: object, unit: str, change: bool = False) -> str:
    """A mean over schools in the indicator's units: a share in per cent, anything else
    (marks, a mean number of risk factors) with two decimals."""
    return fmt.value_of_kind(value, "share" if unit == "доля" else "mark", change)


# Groups ranked in the conclusions have at least this many schools with data at the stage.
RANKED_MIN = 3


def indicator_summary(changes: pd.DataFrame, stage: str = "final") -> dict:
    """One indicator's stages over the schools with data at the entry and at `stage`: means,
    the mean change from the entry and how many schools improved."""
    unit = changes["unit"].iloc[0]
    higher = bool(changes["higher_is_better"].iloc[0])
    known = changes.dropna(subset=["entry", stage])
    change = known[stage] - known["entry"]
    improved = int((change > 0).sum() if higher else (change < 0).sum())
    return {
        "name": changes["indicator_name"].iloc[0],
        "unit": unit,
        "higher": higher,
        "schools": len(changes),
        "known": len(known),
        **{key: changes[key].mean() for key in STAGE_WORDS},
        "change": change.mean() if len(known) and stage != "entry" else None,
        "improved": improved,
    }


@dataclass
class Note:
    """An analytical note: its title, the line under it, how it goes on paper, its blocks."""

    title: str
    subtitle: str
    setup: html_report.PrintSetup
    blocks: list

    def docx(self) -> bytes:
        return _docx(self)

    def html(self, printed: bool = False) -> str:
        return _html(self, printed)

    def pdf(self) -> bytes:
        """A4 portrait through the print pipeline of every hand-out."""
        with html_report.printing():  # one Chromium draws the charts and prints the page
            return html_report.pdf_from_html(self.html(printed=True))


def analytical_note(
    query: Query,
    year: int,
    stage: str = "final",
    municipality: str | None = None,
    municipality_name: str | None = None,
    settings: Monitoring | None = None,
    today: date | None = None,
) -> Note:
    """The note after `stage` of `year`'s monitoring, for the region or one municipality.
    Positive dynamics are judged with `settings` (the page's), or as stored by the last
    refresh when they are not given; as of the intermediate stage, with `settings` or the
    defaults."""
    if stage not in STAGE_WORDS:
        raise ValueError(f"неизвестный этап мониторинга «{stage}»; есть: {', '.join(STAGE_WORDS)}")
    setup = html_report.print_setup(query, today=today)
    where = municipality_name or setup.region
    schools = query("pages/monitoring/monitoring_schools", year=year, municipality=municipality)
    indicators = query("pages/monitoring/monitoring_indicator_list")
    changes_all = query(
        "pages/monitoring/monitoring_changes_all", year=year, municipality=municipality
    )
    _, genitive, dative, _ = STAGE_WORDS[stage]
    if stage == "final":
        title = f"Аналитическая справка по итогам мониторинга {year} года"
    else:
        title = f"Аналитическая справка по итогам {genitive} этапа мониторинга {year} года"
    subtitle = (
        f"{where}. Этап мониторинга: {STAGE_WORDS[stage][0]}. "
        f"Подготовлена «Школьным радаром» {setup.printed_on:%d.%m.%Y}."
    )
    if stage != "entry" and (settings is not None or stage != "final"):
        judged_again = mon.progress_at(changes_all, stage, settings)
        schools = schools.drop(columns=["positive", "status", "reason"]).merge(
            judged_again[["school_id", "positive", "status", "reason"]], on="school_id", how="left"
        )
    out = _Writer()

    out.heading("1. Цель и источники")
    if stage == "entry":
        purpose = (
            "Цель — описать, с какими результатами и факторами риска школы с низкими "
            "образовательными результатами и школы, функционирующие в неблагоприятных "
            "социальных условиях, начинают год по данным входного этапа мониторинга, и "
            "определить, каким школам поддержка нужна в первую очередь."
        )
    else:
        purpose = (
            "Цель — оценить, как изменились результаты школ с низкими образовательными "
            "результатами и школ, функционирующих в неблагоприятных социальных условиях, от "
            f"входного к {dative} этапу мониторинга, и определить, каким школам нужна поддержка."
        )
    out.text(
        f"{purpose} Источник данных: {setup.source}. Показатели мониторинга: "
        + ", ".join(f"«{n}»" for n in indicators["name"])
        + "."
    )

    out.heading("2. Участники")
    if stage == "entry":
        with_entry = changes_all.dropna(subset=["entry"])["school_id"].unique()
        judged = schools["school_id"].isin(with_entry)
        with_label = "С данными входного этапа"
    else:
        judged = schools["positive"].notna()
        with_label = "С итоговыми данными" if stage == "final" else f"С данными {genitive} этапа"
    participants = pd.DataFrame(
        [
            ("Школ в мониторинге", fmt.integer(len(schools))),
            (with_label, fmt.integer(int(judged.sum()))),
            (f"Без данных {genitive} этапа", fmt.integer(int((~judged).sum()))),
            ("Муниципалитетов", fmt.integer(schools["municipality"].nunique())),
            (
                "Кураторов",
                fmt.integer(schools.loc[schools["curator"] != "не назначен", "curator"].nunique()),
            ),
        ],
        columns=["Показатель", "Значение"],
    )
    t_participants = out.table("Участники мониторинга", participants)
    if schools.empty:
        out.text("В мониторинге этого года нет школ: справка не содержит результатов.")
        return Note(title, subtitle, setup, out.blocks)
    out.findings.append(
        f"В мониторинге {fmt.integer(len(schools))} "
        f"{fmt.plural(len(schools), ('школа', 'школы', 'школ'))}; данные {genitive} этапа есть у "
        f"{fmt.integer(int(judged.sum()))} (табл. {t_participants})."
    )

    _results(out, query, indicators, year, stage, municipality)
    if stage == "entry":
        attention = _starting_risks(out, schools)
    else:
        attention = _dynamics(out, schools, judged, year, stage)

    out.heading("6. Выводы")
    out.items(out.findings, numbered=True)

    out.heading("7. Рекомендации")
    _recommendations(out, query, year, schools, attention)
    return Note(title, subtitle, setup, out.blocks)


def _results(out: _Writer, query: Query, indicators, year: int, stage: str, municipality) -> None:
    """3. Each indicator's mean at every stage up to the note's, and its change."""
    dative = STAGE_WORDS[stage][2]
    keys = list(STAGE_WORDS)[: list(STAGE_WORDS).index(stage) + 1]
    if stage == "entry":
        out.heading("3. Результаты по показателям на входном этапе")
    else:
        out.heading(f"3. Результаты по показателям от входного к {dative} этапу")
    rows = []
    for indicator in indicators["indicator"]:
        changes = query(
            "pages/monitoring/monitoring_changes_year",
            year=year,
            indicator=indicator,
            municipality=municipality,
        )
        if not changes.empty:
            rows.append(indicator_summary(changes, stage))
    columns = ["Показатель", "Школ с данными", *(STAGE_WORDS[k][3] for k in keys)]
    if stage != "entry":
        columns += [f"Изменение к {dative}", "Доля школ с улучшением"]
    results = pd.DataFrame(
        [
            (
                r["name"],
                fmt.integer(r["known"]),
                *(_value(r[k], r["unit"]) for k in keys),
                *(
                    ()
                    if stage == "entry"
                    else (
                        _value(r["change"], r["unit"], change=True),
                        fmt.pct(r["improved"] / r["known"]) if r["known"] else fmt.DASH,
                    )
                ),
            )
            for r in rows
        ],
        columns=columns,
    )
    number = out.table("Средние значения показателей по этапам (школы с данными)", results)
    for r in rows:
        if not r["known"]:
            continue
        if stage == "entry":
            out.findings.append(
                f"«{r['name']}» на входном этапе: в среднем {_value(r['entry'], r['unit'])} "
                f"({fmt.integer(r['known'])} {fmt.plural(r['known'], ('школа', 'школы', 'школ'))}"
                f" с данными) (табл. {number})."
            )
            continue
        if r["change"] is None or pd.isna(r["change"]):
            continue
        better = (r["change"] > 0) == r["higher"] and r["change"] != 0
        direction = "улучшилось" if better else "не улучшилось" if r["change"] else "не изменилось"
        out.findings.append(
            f"«{r['name']}»: среднее {direction} — с {_value(r['entry'], r['unit'])} до "
            f"{_value(r[stage], r['unit'])}; улучшение у {fmt.pct(r['improved'] / r['known'])} "
            f"школ с данными (табл. {number})."
        )


def _dynamics(out: _Writer, schools, judged, year: int, stage: str) -> pd.DataFrame:
    """4. Positive dynamics by group as of the stage; 5. the schools without it. Returns
    the schools that need attention."""
    _, genitive, dative, _ = STAGE_WORDS[stage]
    out.heading("4. Положительная динамика")
    share = schools.loc[judged, "positive"].astype(bool).mean() if judged.any() else None
    out.text(
        f"Положительная динамика — от входного к {dative} этапу улучшилась заданная доля "
        "показателей и уменьшилось число факторов высокого риска (если они были). Доля школ "
        f"с положительной динамикой: {fmt.pct(share)} (среди школ с данными {genitive} этапа)."
    )
    progress = schools[["school_id", "positive"]].assign(year=year)
    for column, plural, header in GROUPS:
        shares = mon.positive_shares(progress, schools[["school_id", column]], column)
        if shares.empty:
            continue
        out.heading(f"Положительная динамика по {plural}", level=2)
        frame = pd.DataFrame(
            {
                header: shares[column],
                "Школ": shares["schools"].map(fmt.integer),
                f"С данными {genitive} этапа": shares["judged"].map(fmt.integer),
                "С положительной динамикой": shares["positive"].map(fmt.integer),
                "Доля": shares["share_positive"].map(fmt.pct),
            }
        )
        number = out.table(f"Доля школ с положительной динамикой по {plural}", frame)
        ranked = shares[shares["judged"] >= RANKED_MIN].dropna(subset=["share_positive"])
        if len(ranked) >= 2:
            best, worst = ranked.iloc[0], ranked.iloc[-1]
            out.findings.append(
                f"По {plural} (где данные {genitive} этапа есть не меньше чем у {RANKED_MIN} "
                f"школ): выше всего доля школ с положительной динамикой — «{best[column]}» "
                f"({fmt.pct(best['share_positive'])}), ниже всего — «{worst[column]}» "
                f"({fmt.pct(worst['share_positive'])}) (табл. {number})."
            )
        if column == "municipality" and len(shares) > 1:
            out.figure(
                f"Доля школ с положительной динамикой по {plural}",
                charts.share_bars(shares, column),
            )

    out.heading("5. Школы, которым нужно внимание")
    attention = schools[(schools["positive"] == False) | ~judged]  # noqa: E712 - nullable
    attention = attention.sort_values(["municipality", "name"])
    missing = mon.NO_STAGE[stage]
    out.text(
        f"Школы без положительной динамики и школы без данных {genitive} этапа: "
        f"{fmt.integer(len(attention))}."
    )
    if len(attention):
        shown = attention.head(SHOWN_SCHOOLS)
        frame = pd.DataFrame(
            {
                "Школа": shown["name"],
                "Муниципалитет": shown["municipality"],
                "Куратор": shown["curator"],
                "Оценка": shown["status"].fillna(missing),
                "Почему": shown["reason"].fillna(fmt.DASH),
            }
        )
        caption = "Школы без положительной динамики"
        if len(attention) > SHOWN_SCHOOLS:
            caption += f" (первые {SHOWN_SCHOOLS} из {fmt.integer(len(attention))})"
        number = out.table(caption, frame)
        out.findings.append(
            f"Внимания требуют {fmt.integer(len(attention))} "
            f"{fmt.plural(len(attention), ('школа', 'школы', 'школ'))}: без положительной "
            f"динамики {fmt.integer(int((attention['positive'] == False).sum()))}, без "  # noqa: E712
            f"данных {genitive} этапа {fmt.integer(int((~judged).sum()))} (табл. {number})."
        )
    return attention


def _starting_risks(out: _Writer, schools) -> pd.DataFrame:
    """After the entry stage: 4. the high risks the schools start from, by municipality;
    5. the schools with any, most first. Returns those schools."""
    out.heading("4. Факторы высокого риска на входном этапе")
    risks = schools["high_risks_entry"]
    out.text(
        "Положительная динамика оценивается с промежуточного этапа. На входном этапе видно, "
        "сколько факторов высокого риска у каждой школы: школы с ними — первые кандидаты на "
        f"поддержку. Школ с факторами высокого риска: {fmt.integer(int((risks > 0).sum()))} "
        f"из {fmt.integer(len(schools))}."
    )
    by = (
        schools.assign(risky=risks > 0)
        .groupby("municipality", as_index=False)
        .agg(
            schools=("school_id", "size"), risky=("risky", "sum"), mean=("high_risks_entry", "mean")
        )
        .sort_values(["mean", "municipality"], ascending=[False, True])
    )
    frame = pd.DataFrame(
        {
            "Муниципалитет": by["municipality"],
            "Школ": by["schools"].map(fmt.integer),
            "С факторами высокого риска": by["risky"].map(fmt.integer),
            "Факторов в среднем на школу": by["mean"].map(lambda v: fmt.num(v, 1)),
        }
    )
    number = out.table("Факторы высокого риска на входном этапе по муниципалитетам", frame)
    ranked = by[by["schools"] >= RANKED_MIN].dropna(subset=["mean"])
    if len(ranked) >= 2:
        out.findings.append(
            "Больше всего факторов высокого риска в среднем на школу — в муниципалитете "
            f"«{ranked.iloc[0]['municipality']}» ({fmt.num(ranked.iloc[0]['mean'], 1)}), меньше "
            f"всего — в «{ranked.iloc[-1]['municipality']}» ({fmt.num(ranked.iloc[-1]['mean'], 1)})"
            f" (табл. {number})."
        )

    out.heading("5. Школы, которым нужно внимание")
    attention = schools[risks > 0].sort_values(
        ["high_risks_entry", "municipality", "name"], ascending=[False, True, True]
    )
    out.text(f"Школы с факторами высокого риска на входном этапе: {fmt.integer(len(attention))}.")
    if len(attention):
        shown = attention.head(SHOWN_SCHOOLS)
        frame = pd.DataFrame(
            {
                "Школа": shown["name"],
                "Муниципалитет": shown["municipality"],
                "Куратор": shown["curator"],
                "Кластер рисков": shown["cluster"],
                "Факторов высокого риска": shown["high_risks_entry"].map(fmt.integer),
            }
        )
        caption = "Школы с факторами высокого риска (больше всего — первыми)"
        if len(attention) > SHOWN_SCHOOLS:
            caption += f" (первые {SHOWN_SCHOOLS} из {fmt.integer(len(attention))})"
        number = out.table(caption, frame)
        out.findings.append(
            f"С факторами высокого риска начинают год {fmt.integer(len(attention))} "
            f"{fmt.plural(len(attention), ('школа', 'школы', 'школ'))} (табл. {number})."
        )
    return attention


def _recommendations(out: _Writer, query: Query, year: int, schools, attention) -> None:
    """7. Measures of the catalogue for the risk factors of the attention schools' clusters,
    those touching more of these schools first."""
    measures = query("pages/risk_clusters/risk_measures", year=year)
    clusters = schools.loc[schools["school_id"].isin(attention["school_id"]), "cluster"]
    per_cluster = (
        clusters[clusters.str[:1].str.isdigit().fillna(False)].str.split(".").str[0].value_counts()
    )
    chosen = measures[measures["cluster_id"].astype(str).isin(per_cluster.index)]
    chosen = chosen.assign(
        schools=chosen["cluster_id"].astype(str).map(per_cluster).fillna(0).astype(int)
    ).drop_duplicates(["measure", "cluster_id"])
    if chosen.empty:
        out.text(
            "Меры поддержки подбираются по кластерам рисков школ, которым нужно внимание; для "
            "этих школ в каталоге мер нет подходящих (или школы не отнесены к кластерам)."
        )
        return
    counted = (
        chosen.groupby(["measure", "description", "level"], as_index=False)
        .agg(
            factors=("factor_name", lambda f: ", ".join(sorted(set(f)))),
            schools=("schools", "sum"),
        )
        .sort_values(["schools", "measure"], ascending=[False, True])
    )
    out.text(
        "Меры из каталога мер поддержки по факторам риска, которые выделяют кластеры школ, "
        "требующих внимания; первыми — те, что касаются большего числа этих школ:"
    )
    out.items(
        [
            f"{row.measure} (уровень: {row.level}; школ, которым нужно внимание: "
            f"{fmt.integer(row.schools)}). {row.description}. Факторы: {row.factors}."
            for row in counted.itertuples(index=False)
        ],
        numbered=False,
    )


def note_docx(
    query: Query,
    year: int,
    municipality: str | None = None,
    municipality_name: str | None = None,
    today: date | None = None,
    stage: str = "final",
    settings: Monitoring | None = None,
) -> bytes:
    """The note as a Word document (see analytical_note)."""
    return analytical_note(
        query, year, stage, municipality, municipality_name, settings, today
    ).docx()


def note_pdf(
    query: Query,
    year: int,
    municipality: str | None = None,
    municipality_name: str | None = None,
    today: date | None = None,
    stage: str = "final",
    settings: Monitoring | None = None,
) -> bytes:
    """The note as an A4 PDF (see analytical_note)."""
    return analytical_note(
        query, year, stage, municipality, municipality_name, settings, today
    ).pdf()


def file_stem_of(year: int, stage: str, municipality_name: str | None = None) -> str:
    """The note's file name: «Справка_мониторинг_2025», «…_промежуточный_2025» after a stage
    other than the final one, with the municipality's name when it is for one.

    >>> file_stem_of(2025, "intermediate", "г. Тарумск")
    'Справка_мониторинг_г_Тарумск_промежуточный_2025'
    """
    stage_name = None if stage == "final" else STAGE_WORDS[stage][0]
    return file_stem("Справка_мониторинг", municipality_name, stage_name, year)


# Word.


def _heading_row(table) -> None:
    """The first row repeats at the top of every page the table runs onto."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _docx_table(doc, block: Table) -> None:
    frame = block.frame
    doc.add_paragraph(f"Таблица {block.number}. {block.caption}", style="Caption")
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = str(header)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _heading_row(table)
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = (
                fmt.DASH
                if value is None or (isinstance(value, float) and value != value)
                else str(value)
            )
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    doc.add_paragraph()


def _table_of_contents(doc) -> None:
    """A table of contents field; Word fills it on opening (it is told to update fields),
    LibreOffice with Сервис → Обновить."""
    paragraph = doc.add_paragraph()
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "Оглавление появится после обновления полей (F9)."
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, text, end):
        run._r.append(element)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _page_numbers(section, footer: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.text = f"{footer} · Страница "
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.text = text
        run._r.append(element)
    for run in paragraph.runs:
        run.font.size = Pt(8)


def _a4(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(18)


def _docx(note: Note) -> bytes:
    doc = Document()
    _a4(doc)
    _page_numbers(doc.sections[0], note.setup.footer)
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(12)
    doc.add_heading(note.title, level=0)
    doc.add_paragraph(note.subtitle)
    _table_of_contents(doc)
    figures = [b for b in note.blocks if isinstance(b, Figure)]
    # Every chart of the note drawn by one Chromium run.
    images = dict(
        zip(
            (b.number for b in figures),
            html_report.chart_images([b.figure for b in figures]),
            strict=True,
        )
    )
    for block in note.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Text):
            doc.add_paragraph(block.text)
        elif isinstance(block, Items):
            style = "List Number" if block.numbered else "List Bullet"
            for item in block.items:
                doc.add_paragraph(item, style=style)
        elif isinstance(block, Table):
            _docx_table(doc, block)
        else:
            doc.add_picture(io.BytesIO(images[block.number]), width=Cm(16))
            doc.add_paragraph(f"Рисунок {block.number}. {block.caption}", style="Caption")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# HTML, for the PDF.

NOTE_STYLE = """
body { font-family: 'Times New Roman', 'Liberation Serif', serif; max-width: 60rem; }
p { line-height: 1.4; margin: 0.3rem 0 0.5rem; text-align: justify; }
.table-caption, .figure-caption { font-style: italic; color: #333; margin: 0.6rem 0 0.2rem; }
.table-caption { break-after: avoid; } .contents { margin-bottom: 1rem; }
h3 { font-size: 1.05rem; break-after: avoid; }
"""
PRINT_NOTE_STYLE = "body { max-width: none; font-size: 11pt; } h3 { font-size: 11pt; }"


def _html(note: Note, printed: bool) -> str:
    """The note as one HTML page; `printed`: laid out for A4 (charts as SVG when a Printer
    is open, as in every printed hand-out)."""
    setup = note.setup
    style = html_report.STYLE + NOTE_STYLE
    if printed:
        style += html_report.PRINT_STYLE + PRINT_NOTE_STYLE + setup.page_css()
    contents = "".join(
        f"<li>{html.escape(b.text)}</li>"
        for b in note.blocks
        if isinstance(b, Heading) and b.level == 1
    )
    parts = [
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>",
        f"<title>{html.escape(note.title)}</title><style>{style}</style></head><body>",
        f"<h1>{html.escape(note.title)}</h1>",
        f"<div class='caption'>{html.escape(note.subtitle)}</div>",
        f"<div class='contents'><b>Содержание</b><ul>{contents}</ul></div>",
    ]
    first_chart = True
    for block in note.blocks:
        if isinstance(block, Heading):
            tag = "h2" if block.level == 1 else "h3"
            parts.append(f"<{tag}>{html.escape(block.text)}</{tag}>")
        elif isinstance(block, Text):
            parts.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Items):
            tag = "ol" if block.numbered else "ul"
            items = "".join(f"<li>{html.escape(i)}</li>" for i in block.items)
            parts.append(f"<{tag}>{items}</{tag}>")
        elif isinstance(block, Table):
            parts.append(
                f"<div class='table-caption'>Таблица {block.number}. "
                f"{html.escape(block.caption)}</div>"
                f"<div class='table-wrap'>{html_report.table_html(block.frame)}</div>"
            )
        else:
            caption = (
                f"<div class='figure-caption'>Рисунок {block.number}. "
                f"{html.escape(block.caption)}</div>"
            )
            chart = _chart(block.figure, setup, printed, first_chart)
            parts.append(f"<div class='block'>{chart}{caption}</div>")
            first_chart = False
    parts.append("</body></html>")
    return "".join(parts)


def _chart(figure: go.Figure, setup: html_report.PrintSetup, printed: bool, first: bool) -> str:
    if printed and html_report.Printer.current is not None:
        return html_report.Printer.current.svg(html_report.printed_figure(figure, setup))
    config = dict(html_report.CHART_CONFIG)
    if printed:
        config |= {"staticPlot": True, "displayModeBar": False}
    library = html_report.plotly_library() if first and not printed else ""
    return library + pio.to_html(
        html_report.printed_figure(figure, setup) if printed else figure,
        include_plotlyjs=False,  # the library once, before the first chart: works offline
        full_html=False,
        config=config,
    )
