"""Tables with Russian headers for the identification lists, and their Excel workbook."""

from __future__ import annotations

import pandas as pd

from analytics import fmt
from analytics import identification as idn
from analytics.settings import RULE_NAMES, Settings, SmallNumbers, settings_rows
from radar.handouts import html_report
from radar.handouts.excel import Sheet, workbook_bytes

RULE_COLUMNS = {f"{rule}_fired": name for rule, name in RULE_NAMES.items()}
VALUE_COLUMNS = {
    "bottom_years": "Лет в числе худших",
    "bottom_procedure": "Процедура (худшие)",
    "fail_procedures": "Процедур с долей «2» выше порога",
    "fail_repeat_procedure": "Доля «2» выше порога два года подряд",
    "vpr_gap": "Отставание ВПР, баллов",
    "ege_gap": "Отставание ЕГЭ, баллов",
    "olympiad_share": "Доля участников олимпиад",
    "continuation_share": "Доля продолживших обучение в 10 классе",
    "isbsh": "ИСБШ",
    "isbsh_quartile": "Квартиль ИСБШ",
    "distance_km": "До центра, км",
    "pupils": "Обучающихся",
    "adjusted_result": "Результат с учётом контекста",
    "adjusted_band": "Оценка с учётом контекста",
}
PERCENT = ("Доля участников олимпиад", "Доля продолживших обучение в 10 классе")


def named(frame: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """Add the school's name and municipality in front."""
    out = names[["school_id", "name", "municipality"]].merge(frame, on="school_id", how="right")
    return out.rename(
        columns={"school_id": "Код школы", "name": "Школа", "municipality": "Муниципалитет"}
    )


def rule_table(ident: pd.DataFrame, names: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Schools on one list (flag «shnor» or «shnsu») with every rule's flag and value."""
    rows = ident[ident[flag]]
    shnor = flag == "shnor"
    rules = (
        ["bottom", "fail", "gap", "olympiad", "continuation"]
        if shnor
        else [
            "isbsh",
            "remote_small",
        ]
    )
    values = (
        [
            "bottom_years",
            "bottom_procedure",
            "fail_procedures",
            "fail_repeat_procedure",
            "vpr_gap",
            "ege_gap",
            "olympiad_share",
            "continuation_share",
        ]
        if shnor
        else ["isbsh", "isbsh_quartile", "distance_km", "pupils"]
    )
    columns = [f"{r}_fired" for r in rules] + values + ["reasons"]
    table = rows[["school_id", *columns]].rename(
        columns={**RULE_COLUMNS, **VALUE_COLUMNS, "reasons": "Сработавшие правила"}
    )
    return named(table, names).sort_values(["Муниципалитет", "Школа"]).reset_index(drop=True)


def changes_table(current: pd.DataFrame, previous: pd.DataFrame, names, flag: str):
    """Entered / left / stayed against the previous year."""
    changes = idn.compare_years(current, previous, flag).rename(columns={"status": "Изменение"})
    return named(changes, names).sort_values(["Изменение", "Муниципалитет", "Школа"])


def official_table(ident: pd.DataFrame, membership: pd.DataFrame, names, flag: str, year: int):
    programme = "ШНОР" if flag == "shnor" else "ШНСУ"
    compared = idn.compare_official(ident, membership, flag, programme, year).rename(
        columns={"official_status": "Сравнение с официальным списком"}
    )
    return named(compared, names).sort_values(
        ["Сравнение с официальным списком", "Муниципалитет", "Школа"]
    )


def settings_table(settings: Settings) -> pd.DataFrame:
    """Every setting with its Russian description, value (with the unit) and group, for the
    workbook (analytics.settings.settings_rows)."""
    return pd.DataFrame(settings_rows(settings))[["Параметр", "Значение", "Группа"]]


def identification_workbook(
    ident: pd.DataFrame,
    previous: pd.DataFrame,
    membership: pd.DataFrame,
    names: pd.DataFrame,
    settings: Settings,
    year: int,
    scope_label: str,
) -> bytes:
    """ШНОР and ШНСУ lists with the rules, changes, the official comparison and the settings."""
    note = f"{scope_label}. Расчёт «Школьного радара»."
    sheets = [
        Sheet("ШНОР", rule_table(ident, names, "shnor"), percent=PERCENT, note=f"ШНОР: {note}"),
        Sheet("ШНСУ", rule_table(ident, names, "shnsu"), note=f"ШНСУ: {note}"),
        Sheet(
            "Изменения ШНОР",
            changes_table(ident, previous, names, "shnor"),
            note=f"ШНОР {year} года в сравнении с {year - 1} годом",
        ),
        Sheet(
            "Изменения ШНСУ",
            changes_table(ident, previous, names, "shnsu"),
            note=f"ШНСУ {year} года в сравнении с {year - 1} годом",
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
            note="Расчётные списки в сравнении с загруженными официальными",
        ),
        Sheet("Настройки", settings_table(settings), note="Критерии, по которым составлены списки"),
    ]
    return workbook_bytes(sheets, title=f"ШНОР и ШНСУ, {year}")


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
    membership = members.rename(
        columns={
            "school_id": "Код школы",
            "name": "Школа",
            "municipality": "Муниципалитет",
            "cluster_id": "Кластер",
            "cluster_name": "Название кластера",
            "distance": "Расстояние до центра",
            "shnor": "ШНОР",
            "shnsu": "ШНСУ",
            "result_index": "Сводный результат",
            "isbsh": "ИСБШ",
        }
    )[
        [
            "Код школы",
            "Школа",
            "Муниципалитет",
            "Кластер",
            "Название кластера",
            "Расстояние до центра",
            "ШНОР",
            "ШНСУ",
            "Сводный результат",
            "ИСБШ",
        ]
    ]
    support = measures.rename(
        columns={
            "cluster_id": "Кластер",
            "factor_name": "Фактор риска",
            "measure": "Мера",
            "description": "Содержание",
            "level": "Уровень",
            "source": "Источник",
        }
    )[["Кластер", "Фактор риска", "Мера", "Содержание", "Уровень", "Источник"]]
    choice = quality.rename(
        columns={"k": "Число кластеров", "silhouette": "Силуэт", "chosen": "Выбрано"}
    )[["Число кластеров", "Силуэт", "Выбрано"]]
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
) -> bytes:
    """The school card for a visit: key figures and every table of the profile, one sheet each.

    Figures from fewer than `hide_below` participants are left empty, as on the page."""
    procedures = procedures.copy()
    small = procedures["participants"] < hide_below
    procedures.loc[small, ["mean_score", "share_fail"]] = float("nan")
    summary = pd.DataFrame(
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
    labels = {
        "indicator": "Показатель",
        "last_value": "Значение",
        "change_last": "К прошлому году",
        "slope": "Наклон в год",
        "label": "Уровень и изменение",
    }
    sheets = [
        Sheet("Карточка", summary, note=f"{card['name']}, {year} год"),
        Sheet(
            "Результаты",
            procedures.rename(
                columns={
                    "exam": "Процедура",
                    "subject": "Предмет",
                    "grade": "Класс",
                    "participants": "Участников",
                    "mean_score": "Средний балл",
                    "region_mean": "Средний балл по региону",
                    "share_fail": "Доля «2»",
                }
            )[
                [
                    "Процедура",
                    "Предмет",
                    "Класс",
                    "Участников",
                    "Средний балл",
                    "Средний балл по региону",
                    "Доля «2»",
                ]
            ],
            percent=("Доля «2»",),
        ),
    ]
    if rules is not None:
        sheets.append(Sheet("Правила идентификации", rules))
    if len(trends):
        sheets.append(
            Sheet(
                "Динамика",
                trends.rename(columns=labels)[list(labels.values())],
                digits={"Значение": 2, "К прошлому году": 2, "Наклон в год": 2},
            )
        )
    if len(stages):
        sheets.append(Sheet("Мониторинг этапов", stages))
    if len(signs):
        sheets.append(Sheet("Объективность ВПР", signs))
    if len(programmes):
        sheets.append(Sheet("Программы", programmes))
    return sheets


def school_card_workbook(card: pd.Series, sheets: list[Sheet]) -> bytes:
    """The school card's sheets (school_card_sheets) as an Excel workbook."""
    return workbook_bytes(sheets, title=f"Карточка школы: {card['name']}")


def school_card_html(
    card: pd.Series, year: int, sheets: list[Sheet], charts: list[tuple[str, object]]
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
    )
