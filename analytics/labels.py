"""Every Russian word the pages show about data: labels of indicators, kinds and statuses."""

APP_TITLE = "Школьный радар"
ALL_MUNICIPALITIES = "Все муниципалитеты"

PASSPORT_LABELS = {
    "share_parents_higher_ed": "Оба родителя с высшим образованием",
    "share_single_parent": "Неполные семьи",
    "share_low_income": "Малоимущие семьи",
    "share_large_family": "Многодетные семьи",
    "share_registered": "На учёте (ВШУ, ПДН)",
    "share_non_native": "Русский язык не родной",
    "share_disabled": "Обучающиеся с ОВЗ",
    "share_difficult_situation": "В трудной жизненной ситуации",
}

SERIES_LABELS = {"school": "Школа", "municipality": "Муниципалитет", "region": "Регион"}

MEASURES = {
    "mean_score": "Средний балл",
    "mean_mark": "Средняя отметка",
    "share_fail": "Доля «2» (ниже минимума)",
}

STATUS_LABELS = {
    "shnor_shnsu": "ШНОР и ШНСУ",
    "shnor": "ШНОР",
    "shnsu": "ШНСУ",
    "other": "Прочие школы",
}

RESULT_INDEX = "Сводный результат (z)"
ISBSH = "ИСБШ (0–100)"

# Context indicators that may be added to the risk levels when clustering (higher is worse).
CONTEXT_FEATURES = {
    "isbsh_risk": "ИСБШ (неблагополучие)",
    "result_risk": "Сводный результат (отставание)",
    "share_fail": "Доля «2»",
}


def procedure_label(exam: str, subject: str, grade: int) -> str:
    return f"{exam}, {subject}, {int(grade)} класс"
