"""Tables with Russian headers for the identification lists, the risk clusters and the school
card, and their Excel workbooks and HTML."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from analytics import fmt, labels
from analytics import identification as idn
from analytics.settings import RULE_NAMES, Settings, SmallNumbers, settings_rows
from radar.handouts import html_report
from radar.handouts.excel import Sheet, workbook_bytes
from radar.views import profile

RULE_COLUMNS = {f"{rule}_fired": name for rule, name in RULE_NAMES.items()}
SHNOR_VALUES = (
    "bottom_years",
    "bottom_procedure",
    "fail_procedures",
    "fail_repeat_procedure",
    "vpr_gap",
    "ege_gap",
    "olympiad_share",
    "continuation_share",
)
SHNSU_VALUES = ("isbsh", "isbsh_quartile", "distance_km", "pupils")
PERCENT = labels.formats(SHNOR_VALUES)["percent"]
SCHOOL = labels.header("name")
MUNICIPALITY = labels.header("municipality")


def named(frame: pd.DataFrame, names: pd.DataFrame, headers=None) -> pd.DataFrame:
    """Add the school's name and municipality in front; every known column under its Russian
    header (`headers` gives a column another one here)."""
    out = names[["school_id", "name", "municipality"]].merge(frame, on="school_id", how="right")
    return labels.rename(out, headers)


def rule_table(
    ident: pd.DataFrame, names: pd.DataFrame, flag: str, settings: Settings | None = None
) -> pd.DataFrame:
    """Schools on one list (flag «shnor» or «shnsu») with every rule's flag and value; with
    the `settings` the lists were made by, the reasons name only this list's rules."""
    rows = ident[ident[flag]]
    shnor = flag == "shnor"
    if settings is not None:
        rules = idn.SHNOR_RULES if shnor else idn.SHNSU_RULES
        rows = rows.assign(reasons=idn.reasons(rows, settings, rules))
    rules = (
        ["bottom", "fail", "gap", "olympiad", "continuation"]
        if shnor
        else [
            "isbsh",
            "remote_small",
        ]
    )
    values = SHNOR_VALUES if shnor else SHNSU_VALUES
    columns = [f"{r}_fired" for r in rules] + list(values) + ["reasons"]
    table = rows[["school_id", *columns]].rename(columns=RULE_COLUMNS)
    return named(table, names).sort_values([MUNICIPALITY, SCHOOL]).reset_index(drop=True)


def changes_table(current: pd.DataFrame, previous: pd.DataFrame, names, flag: str):
    """Entered / left / stayed against the previous year."""
    changes = idn.compare_years(current, previous, flag)
    change = labels.header("change")
    return named(changes, names, {"status": change}).sort_values([change, MUNICIPALITY, SCHOOL])


def official_table(ident: pd.DataFrame, membership: pd.DataFrame, names, flag: str, year: int):
    programme = "ШНОР" if flag == "shnor" else "ШНСУ"
    compared = idn.compare_official(ident, membership, flag, programme, year)
    return named(compared, names).sort_values(
        [labels.header("official_status"), MUNICIPALITY, SCHOOL]
    )


def settings_table(settings: Settings, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Every setting with its Russian description, value (with the unit) and group, for the
    workbook (analytics.settings.settings_rows); `names`: the monitoring indicators' names."""
    return pd.DataFrame(settings_rows(settings, names))[["Параметр", "Значение", "Группа"]]


def identification_workbook(
    ident: pd.DataFrame,
    previous: pd.DataFrame,
    membership: pd.DataFrame,
    names: pd.DataFrame,
    settings: Settings,
    year: int,
    scope_label: str,
    indicator_names: dict[str, str] | None = None,
    setup: html_report.PrintSetup | None = None,
) -> bytes:
    """ШНОР and ШНСУ lists with the rules, changes, the official comparison and the settings
    (`indicator_names`: the region's monitoring indicators by code, for the settings), each
    list numbered under a title naming it, the year, the region and the criteria, ready to
    print on A4 (`setup` gives the region and the footer)."""
    region = f"{setup.region}, " if setup else ""
    where = f"{region}{scope_label}"

    def title(name: str, rules: str) -> str:
        return (
            f"Список {name} на {year} год. {where}. Критерии: {rules}. Все настройки — на листе "
            "«Настройки». Расчёт «Школьного радара»."
        )

    shnor_rules = f"сработало не меньше {settings.shnor_min_rules} из правил: " + ", ".join(
        RULE_NAMES[r] for r in settings.shnor_rules
    )
    chosen = [r for r in idn.SHNSU_RULES if r != "remote_small" or settings.shnsu_remote_small]
    shnsu_rules = "сработало правило «" + "» или «".join(RULE_NAMES[r] for r in chosen) + "»"
    sheets = [
        Sheet(
            "ШНОР",
            rule_table(ident, names, "shnor", settings),
            percent=PERCENT,
            note=title("ШНОР", shnor_rules),
            numbered=True,
        ),
        Sheet(
            "ШНСУ",
            rule_table(ident, names, "shnsu", settings),
            note=title("ШНСУ", shnsu_rules),
            numbered=True,
        ),
        Sheet(
            "Изменения ШНОР",
            changes_table(ident, previous, names, "shnor"),
            note=f"ШНОР {year} года в сравнении с {year - 1} годом. {where}",
            numbered=True,
        ),
        Sheet(
            "Изменения ШНСУ",
            changes_table(ident, previous, names, "shnsu"),
            note=f"ШНСУ {year} года в сравнении с {year - 1} годом. {where}",
            numbered=True,
        ),
        Sheet(
            "Официальные списки",
            pd.concat(
                [
                    official_table(ident, membership, names, "shnor", year).assign(Список="ШНОР"),
                    official_table(ident, membership, names, "shnsu", year).assign(Список="ШНСУ"),
                ],
                ignore_index=True,
            ),
            note=f"Расчётные списки в сравнении с загруженными официальными. {where}",
            numbered=True,
        ),
        Sheet(
            "Настройки",
            settings_table(settings, indicator_names),
            note="Критерии, по которым составлены списки",
        ),
    ]
    return workbook_bytes(
        sheets, title=f"ШНОР и ШНСУ, {year}", footer=setup.footer if setup else None
    )


def lists_pdf(
    ident: pd.DataFrame,
    names: pd.DataFrame,
    settings: Settings,
    year: int,
    scope_label: str,
    setup: html_report.PrintSetup,
) -> bytes:
    """The ШНОР and ШНСУ lists on A4 to attach to an order: numbered, each school with the
    rules of its list that fired, under a title with the criteria."""
    reasons = labels.header("reasons")
    tables = []
    for flag, name in (("shnor", "ШНОР"), ("shnsu", "ШНСУ")):
        table = rule_table(ident, names, flag, settings)
        shown = table[[labels.header("school_id"), SCHOOL, MUNICIPALITY, reasons]]
        tables.append(Sheet(f"Список {name} на {year} год", shown, numbered=True))
    criteria = (
        f"ШНОР — сработало не меньше {settings.shnor_min_rules} из правил: "
        + ", ".join(RULE_NAMES[r] for r in settings.shnor_rules)
        + ". Все критерии — в выгрузке Excel, лист «Настройки»."
    )
    text = html_report.report_html(
        f"Списки ШНОР и ШНСУ на {year} год",
        f"{setup.region}, {scope_label}. {criteria}",
        [
            ("ШНОР", fmt.integer(int(ident["shnor"].sum()))),
            ("ШНСУ", fmt.integer(int(ident["shnsu"].sum()))),
        ],
        [],
        tables,
        dataclasses.replace(setup, landscape=False),
    )
    return html_report.pdf_from_html(text)


def cluster_cards(
    members: pd.DataFrame, centres: pd.DataFrame, measures: pd.DataFrame
) -> pd.DataFrame:
    """One row per cluster: name, size, share of ШНОР, mean results, typical risks, measures."""
    rows = []
    for (cluster, name), part in members.groupby(["cluster_id", "cluster_name"], sort=True):
        defining = centres[(centres["cluster_id"] == cluster) & centres["defining"]]
        defining = defining.sort_values("z", ascending=False)
        chosen = measures[measures["cluster_id"] == cluster]["measure"].drop_duplicates()
        rows.append(
            {
                "Кластер": int(cluster),
                "Название": name,
                "Школ": len(part),
                "Доля ШНОР": float(part["shnor"].mean()),
                "Сводный результат": float(part["result_index"].mean()),
                "ИСБШ": float(part["isbsh"].mean()),
                "Характерные риски": "; ".join(
                    f"{r.short_name} (средний уровень {r.mean_level:.1f})".replace(".", ",")
                    for r in defining.itertuples(index=False)
                )
                or "—",
                "Меры поддержки": "; ".join(chosen) or "—",
                "Школы": "; ".join(part.sort_values("name")["name"]),
            }
        )
    return pd.DataFrame(rows)


def cluster_workbook(
    members: pd.DataFrame,
    cards: pd.DataFrame,
    measures: pd.DataFrame,
    quality: pd.DataFrame,
    year: int,
    scope_label: str,
) -> bytes:
    """Cluster membership, the cards, the measures and the choice of k as an Excel workbook."""
    membership = labels.table(
        members,
        [
            "school_id",
            "name",
            "municipality",
            "cluster_id",
            "cluster_name",
            "distance",
            "shnor",
            "shnsu",
            "result_index",
            "isbsh",
        ],
    )
    support = labels.table(
        measures, ["cluster_id", "factor_name", "measure", "description", "level", "source"]
    )
    choice = labels.table(quality, ["k", "silhouette", "chosen"])
    note = f"Кластеры рисковых профилей «500+», {scope_label}"
    sheets = [
        Sheet(
            "Карточки кластеров",
            cards,
            percent=("Доля ШНОР",),
            digits={"Сводный результат": 2},
            note=note,
        ),
        Sheet(
            "Состав кластеров",
            membership,
            digits={"Расстояние до центра": 2, "Сводный результат": 2},
            note=note,
        ),
        Sheet("Меры поддержки", support, note="Меры из каталога по факторам, выделяющим кластер"),
        Sheet(
            "Выбор числа кластеров", choice, digits={"Силуэт": 3}, note="Средний силуэт k-средних"
        ),
    ]
    return workbook_bytes(sheets, title=f"Кластеры рисков, {year}")


def card_summary(card: pd.Series) -> pd.DataFrame:
    """The card's key figures as a two-column table."""
    return pd.DataFrame(
        [
            ("Школа", card["name"]),
            ("Код", card["school_id"]),
            ("Муниципалитет", card["municipality"]),
            ("Тип поселения", card["settlement_type"]),
            ("Вид школы", card["programme_type"]),
            ("Обучающихся", card["pupils"]),
            ("ИСБШ", card["isbsh"]),
            ("Сводный результат (z)", card["result_index"]),
        ],
        columns=["Показатель", "Значение"],
    ).astype({"Значение": object})


def card_sheets(
    card: pd.Series,
    year: int,
    results: pd.DataFrame,
    rules: pd.DataFrame | None,
    trends: pd.DataFrame,
    stages: pd.DataFrame | None,
    signs: pd.DataFrame | None,
    programmes: pd.DataFrame,
    cohorts: pd.DataFrame | None = None,
) -> list[Sheet]:
    """The card's sheets from the profile's section tables (radar.views.profile), which carry
    their Russian headers already: what the page shows, one sheet each."""

    def sheet(title: str, frame: pd.DataFrame, keys) -> Sheet:
        return Sheet(title, frame, **labels.formats(keys, _HEADERS.get(title)))

    sheets = [
        Sheet("Карточка", card_summary(card), note=f"{card['name']}, {year} год"),
        sheet("Результаты", results, profile.YEAR_COLUMNS),
    ]
    if rules is not None:
        sheets.append(Sheet("Правила идентификации", rules))
    if len(trends):
        sheets.append(Sheet("Динамика", trends))  # figures as text, each in its own units
    if stages is not None and len(stages):
        sheets.append(Sheet("Мониторинг этапов", stages))
    if signs is not None and len(signs):
        sheets.append(Sheet("Объективность ВПР", signs))
    if cohorts is not None and len(cohorts):
        sheets.append(sheet("Прирост когорт", cohorts, profile.COHORT_COLUMNS))
    if len(programmes):
        sheets.append(Sheet("Программы", programmes))
    return sheets


_HEADERS: dict[str, dict[str, str]] = {}


def school_card_sheets(
    card: pd.Series,
    year: int,
    procedures: pd.DataFrame,
    rules: pd.DataFrame | None,
    trends: pd.DataFrame,
    stages: pd.DataFrame,
    signs: pd.DataFrame,
    programmes: pd.DataFrame,
    hide_below: int = SmallNumbers.hide_below,
) -> list[Sheet]:
    """The school card for a visit from the profile's frames as read (sql/pages/school_profile/):
    key figures and every table of the profile, one sheet each, shaped by the same functions
    as the page's sections. Figures from fewer than `hide_below` participants are left empty,
    as on the page."""
    return card_sheets(
        card,
        year,
        profile.year_results_table(procedures, hide_below),
        rules,
        profile.trends_table(trends),
        profile.stages_table(stages),
        profile.objectivity_table(signs),
        profile.programmes_table(programmes),
    )


@dataclass(frozen=True)
class SchoolCard:
    card: pd.Series
    year: int
    sheets: list[Sheet]
    charts: list[tuple[str, object]]  # the trend charts, for the HTML and PDF

    def workbook(self) -> bytes:
        return school_card_workbook(self.card, self.sheets)

    query: profile.Query | None = None  # for the footer of the printed card

    def html(self, printed: bool = False) -> str:
        setup = (
            html_report.print_setup(self.query, chart_columns=2) if printed and self.query else None
        )
        return school_card_html(self.card, self.year, self.sheets, self.charts, setup)

    def pdf(self) -> bytes:
        """The card on A4 portrait paper."""
        with html_report.printing():  # one Chromium draws the charts and prints the page
            return html_report.pdf_from_html(self.html(printed=True))


def school_card(
    query: profile.Query,
    school_id: str,
    year: int,
    settings: Settings,
    trends: profile.Trends | None = None,
) -> SchoolCard | None:
    """The school card built from the profile's sections, as the page shows them (`trends`:
    the page's trends section, not computed twice); None for an unknown school."""
    card = profile.school_card(query, school_id, year)
    if card is None:
        return None
    trends = trends or profile.trends(query, school_id, year)
    stages = profile.stages(query, school_id, year)
    signs = profile.objectivity(query, school_id, year)
    sheets = card_sheets(
        card,
        year,
        profile.year_results(query, school_id, year, settings.small_numbers.hide_below),
        profile.identification(query, school_id, year, settings).rules,
        profile.trends_table(trends.frame),
        stages.table if stages else None,
        signs.table if signs else None,
        profile.programmes(query, school_id, year).table,
        profile.cohorts(query, school_id, year, settings.small_numbers.hide_below).table,
    )
    return SchoolCard(card, year, sheets, trends.charts, query)


def school_card_workbook(card: pd.Series, sheets: list[Sheet]) -> bytes:
    """The school card's sheets (school_card_sheets) as an Excel workbook."""
    return workbook_bytes(sheets, title=f"Карточка школы: {card['name']}")


def school_card_html(
    card: pd.Series,
    year: int,
    sheets: list[Sheet],
    charts: list[tuple[str, object]],
    printed: html_report.PrintSetup | None = None,
) -> str:
    """The school card as a self-contained HTML page: the card's figures, the profile's trend
    charts and every table of the workbook."""
    summary = sheets[0].frame
    figures = [
        (str(label), fmt.num(value, 2) if isinstance(value, float) else str(value))
        for label, value in zip(summary["Показатель"], summary["Значение"], strict=True)
        if label not in ("Школа",)
    ]
    return html_report.report_html(
        f"Карточка школы: {card['name']}",
        f"{year} год. Подготовлено «Школьным радаром».",
        figures,
        charts,
        sheets[1:],
        printed,
    )
