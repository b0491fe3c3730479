"""The analytical note (аналитическая справка) after a monitoring year, as a Word document.

Sections: purpose and sources; participants; results per indicator from the entry to the
final stage; positive dynamics by municipality, risk cluster and curator; schools that need
attention; conclusions; recommendations from the catalogue of support measures. Every
conclusion is a sentence made from the data and names the table it comes from, so the reader
can check it. The document is plain Word (python-docx): real headings (so Word's navigation
pane and the table of contents work), real tables with their header row repeated on every
page, the charts as pictures, A4 with page numbers. It stays editable in Word and LibreOffice.

`query` is a function like store.query (sql name and parameters → frame).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from analytics import fmt
from analytics import monitoring as mon
from radar.handouts import html_report
from radar.views import charts

Query = Callable[..., pd.DataFrame]
STAGES = (("entry", "входной"), ("intermediate", "промежуточный"), ("final", "итоговый"))
GROUPS = (
    ("municipality", "муниципалитетам", "Муниципалитет"),
    ("cluster", "кластерам рисков", "Кластер рисков"),
    ("curator", "кураторам", "Куратор"),
)
SHOWN_SCHOOLS = 60  # schools named in the attention table; the rest are counted


@dataclass
class _Numbered:
    """Tables and figures numbered in the order they appear."""

    tables: int = 0
    figures: int = 0
    findings: list[str] = field(default_factory=list)

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def figure(self) -> int:
        self.figures += 1
        return self.figures


def _value(value: object, unit: str, change: bool = False) -> str:
    """A mean over schools in the indicator's units: a share in per cent, anything else
    (marks, a mean number of risk factors) with two decimals."""
    return fmt.value_of_kind(value, "share" if unit == "доля" else "mark", change)


# Groups ranked in the conclusions have at least this many schools with final data.
RANKED_MIN = 3


def indicator_summary(changes: pd.DataFrame) -> dict:
    """One indicator's stages over the schools with data: means, and how many improved."""
    unit = changes["unit"].iloc[0]
    higher = bool(changes["higher_is_better"].iloc[0])
    known = changes.dropna(subset=["entry", "final"])
    change = known["final"] - known["entry"]
    improved = int((change > 0).sum() if higher else (change < 0).sum())
    return {
        "name": changes["indicator_name"].iloc[0],
        "unit": unit,
        "higher": higher,
        "schools": len(changes),
        "known": len(known),
        **{stage: changes[stage].mean() for stage, _ in STAGES},
        "change": change.mean() if len(known) else None,
        "improved": improved,
    }


def _heading_row(table) -> None:
    """The first row repeats at the top of every page the table runs onto."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _add_table(doc, numbers: _Numbered, caption: str, frame: pd.DataFrame) -> int:
    number = numbers.table()
    doc.add_paragraph(f"Таблица {number}. {caption}", style="Caption")
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
    return number


def _add_figure(doc, numbers: _Numbered, caption: str, image: bytes) -> int:
    number = numbers.figure()
    doc.add_picture(io.BytesIO(image), width=Cm(16))
    doc.add_paragraph(f"Рисунок {number}. {caption}", style="Caption")
    return number


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


def note_docx(
    query: Query,
    year: int,
    municipality: str | None = None,
    municipality_name: str | None = None,
    today: date | None = None,
) -> bytes:
    """The note for the monitoring of `year`, for the region or one municipality."""
    setup = html_report.print_setup(query, today=today)
    where = municipality_name or setup.region
    schools = query("pages/monitoring/monitoring_schools", year=year, municipality=municipality)
    indicators = query("pages/monitoring/monitoring_indicator_list")
    doc = Document()
    _a4(doc)
    _page_numbers(doc.sections[0], setup.footer)
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(12)
    doc.add_heading(f"Аналитическая справка по итогам мониторинга {year} года", level=0)
    doc.add_paragraph(f"{where}. Подготовлена «Школьным радаром» {setup.printed_on:%d.%m.%Y}.")
    _table_of_contents(doc)
    numbers = _Numbered()

    doc.add_heading("1. Цель и источники", level=1)
    doc.add_paragraph(
        "Цель — оценить, как изменились результаты школ с низкими образовательными "
        "результатами и школ, функционирующих в неблагоприятных социальных условиях, от "
        "входного к итоговому этапу мониторинга, и определить, каким школам нужна поддержка. "
        f"Источник данных: {setup.source}. Показатели мониторинга: "
        + ", ".join(f"«{n}»" for n in indicators["name"])
        + "."
    )

    doc.add_heading("2. Участники", level=1)
    judged = schools["positive"].notna()
    participants = pd.DataFrame(
        [
            ("Школ в мониторинге", fmt.integer(len(schools))),
            ("С итоговыми данными", fmt.integer(int(judged.sum()))),
            ("Без итоговых данных", fmt.integer(int((~judged).sum()))),
            ("Муниципалитетов", fmt.integer(schools["municipality"].nunique())),
            (
                "Кураторов",
                fmt.integer(schools.loc[schools["curator"] != "не назначен", "curator"].nunique()),
            ),
        ],
        columns=["Показатель", "Значение"],
    )
    t_participants = _add_table(doc, numbers, "Участники мониторинга", participants)
    if schools.empty:
        doc.add_paragraph("В мониторинге этого года нет школ: справка не содержит результатов.")
        return _saved(doc)
    numbers.findings.append(
        f"В мониторинге {fmt.integer(len(schools))} "
        f"{fmt.plural(len(schools), ('школа', 'школы', 'школ'))}; итоговые данные есть у "
        f"{fmt.integer(int(judged.sum()))} (табл. {t_participants})."
    )

    doc.add_heading("3. Результаты по показателям от входного к итоговому этапу", level=1)
    rows = []
    for indicator in indicators["indicator"]:
        changes = query(
            "pages/monitoring/monitoring_changes_year",
            year=year,
            indicator=indicator,
            municipality=municipality,
        )
        if changes.empty:
            continue
        rows.append(indicator_summary(changes))
    results = pd.DataFrame(
        [
            (
                r["name"],
                fmt.integer(r["known"]),
                *(_value(r[stage], r["unit"]) for stage, _ in STAGES),
                _value(r["change"], r["unit"], change=True),
                fmt.pct(r["improved"] / r["known"]) if r["known"] else fmt.DASH,
            )
            for r in rows
        ],
        columns=[
            "Показатель",
            "Школ с данными",
            "Входной этап",
            "Промежуточный этап",
            "Итоговый этап",
            "Изменение к итоговому",
            "Доля школ с улучшением",
        ],
    )
    t_results = _add_table(
        doc, numbers, "Средние значения показателей по этапам (школы с данными)", results
    )
    for r in rows:
        if not r["known"] or r["change"] is None or pd.isna(r["change"]):
            continue
        better = (r["change"] > 0) == r["higher"] and r["change"] != 0
        direction = "улучшилось" if better else "не улучшилось" if r["change"] else "не изменилось"
        numbers.findings.append(
            f"«{r['name']}»: среднее {direction} — с {_value(r['entry'], r['unit'])} до "
            f"{_value(r['final'], r['unit'])}; улучшение у {fmt.pct(r['improved'] / r['known'])} "
            f"школ с данными (табл. {t_results})."
        )

    doc.add_heading("4. Положительная динамика", level=1)
    share = schools.loc[judged, "positive"].astype(bool).mean() if judged.any() else None
    doc.add_paragraph(
        "Положительная динамика — от входного к итоговому этапу улучшилась заданная доля "
        "показателей и уменьшилось число факторов высокого риска (если они были). Доля школ "
        f"с положительной динамикой: {fmt.pct(share)} (среди школ с итоговыми данными)."
    )
    progress = schools[["school_id", "positive"]].assign(year=year)
    figures = []
    for column, plural, header in GROUPS:
        shares = mon.positive_shares(progress, schools[["school_id", column]], column)
        if shares.empty:
            continue
        doc.add_heading(f"Положительная динамика по {plural}", level=2)
        frame = pd.DataFrame(
            {
                header: shares[column],
                "Школ": shares["schools"].map(fmt.integer),
                "С итоговыми данными": shares["judged"].map(fmt.integer),
                "С положительной динамикой": shares["positive"].map(fmt.integer),
                "Доля": shares["share_positive"].map(fmt.pct),
            }
        )
        number = _add_table(doc, numbers, f"Доля школ с положительной динамикой по {plural}", frame)
        ranked = shares[shares["judged"] >= RANKED_MIN].dropna(subset=["share_positive"])
        if len(ranked) >= 2:
            best, worst = ranked.iloc[0], ranked.iloc[-1]
            numbers.findings.append(
                f"По {plural} (где итоговые данные есть не меньше чем у {RANKED_MIN} школ): "
                f"выше всего доля школ с положительной динамикой — «{best[column]}» "
                f"({fmt.pct(best['share_positive'])}), ниже всего — «{worst[column]}» "
                f"({fmt.pct(worst['share_positive'])}) (табл. {number})."
            )
        if column == "municipality" and len(shares) > 1:
            figures.append(
                (
                    f"Доля школ с положительной динамикой по {plural}",
                    charts.share_bars(shares, column),
                )
            )
    if figures:
        for (caption, _), image in zip(
            figures, html_report.chart_images([f for _, f in figures]), strict=True
        ):
            _add_figure(doc, numbers, caption, image)

    doc.add_heading("5. Школы, которым нужно внимание", level=1)
    attention = schools[(schools["positive"] == False) | ~judged]  # noqa: E712 - nullable
    attention = attention.sort_values(["municipality", "name"])
    doc.add_paragraph(
        "Школы без положительной динамики и школы без итоговых данных: "
        f"{fmt.integer(len(attention))}."
    )
    if len(attention):
        shown = attention.head(SHOWN_SCHOOLS)
        frame = pd.DataFrame(
            {
                "Школа": shown["name"],
                "Муниципалитет": shown["municipality"],
                "Куратор": shown["curator"],
                "Оценка": shown["status"].fillna("нет итоговых данных"),
                "Почему": shown["reason"].fillna(fmt.DASH),
            }
        )
        caption = "Школы без положительной динамики"
        if len(attention) > SHOWN_SCHOOLS:
            caption += f" (первые {SHOWN_SCHOOLS} из {fmt.integer(len(attention))})"
        number = _add_table(doc, numbers, caption, frame)
        numbers.findings.append(
            f"Внимания требуют {fmt.integer(len(attention))} "
            f"{fmt.plural(len(attention), ('школа', 'школы', 'школ'))}: без положительной "
            f"динамики {fmt.integer(int((attention['positive'] == False).sum()))}, без "  # noqa: E712
            f"итоговых данных {fmt.integer(int((~judged).sum()))} (табл. {number})."
        )

    doc.add_heading("6. Выводы", level=1)
    for finding in numbers.findings:
        doc.add_paragraph(finding, style="List Number")

    doc.add_heading("7. Рекомендации", level=1)
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
        doc.add_paragraph(
            "Меры поддержки подбираются по кластерам рисков школ, которым нужно внимание; для "
            "этих школ в каталоге мер нет подходящих (или школы не отнесены к кластерам)."
        )
    else:
        counted = (
            chosen.groupby(["measure", "description", "level"], as_index=False)
            .agg(
                factors=("factor_name", lambda f: ", ".join(sorted(set(f)))),
                schools=("schools", "sum"),
            )
            .sort_values(["schools", "measure"], ascending=[False, True])
        )
        doc.add_paragraph(
            "Меры из каталога мер поддержки по факторам риска, которые выделяют кластеры школ, "
            "требующих внимания; первыми — те, что касаются большего числа этих школ:"
        )
        for row in counted.itertuples(index=False):
            doc.add_paragraph(
                f"{row.measure} (уровень: {row.level}; школ, которым нужно внимание: "
                f"{fmt.integer(row.schools)}). {row.description}. Факторы: {row.factors}.",
                style="List Bullet",
            )
    return _saved(doc)


def _saved(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
