"""The settings as a Streamlit form, generated from their metadata in analytics.settings.

Each setting gets the widget its type, unit and allowed values call for (shares in per cent),
grouped under the headings of analytics.settings; the few whose options come from the data
(ЕГЭ subjects, monitoring indicators, ИСБШ weights per passport share, the trend cut points)
have a widget of their own here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import pandas as pd
import streamlit as st

from analytics import fmt
from analytics import trends as tr
from analytics.labels import PASSPORT_LABELS
from analytics.settings import (
    PERCENT,
    SettingInfo,
    Settings,
    describe,
    setting_fields,
    value_at,
)
from analytics.social_index import PASSPORT_ORIENTATION

COLUMNS = 3  # narrow widgets per row
REFRESH_NOTE = (
    "ИСБШ, модель ожидаемых результатов, кластеры рисков, мониторинг этапов, объективность ВПР "
    "и тренды рассчитываются для всей базы; они используются в её таблицах и на страницах "
    "«Динамика», «Мониторинг этапов», «Кластеры рисков», «Мои школы». Чтобы изменить их, "
    "сохраните набор настроек как действующий — база будет пересчитана."
)


@dataclass(frozen=True)
class FormData:
    """What the data offer for the settings whose options are not fixed."""

    ege_subjects: list[str]
    monitoring_options: dict[str, str] | None


def settings_form(
    base: Settings,
    prefix: str,
    ege_subjects: list[str],
    monitoring_options: dict[str, str] | None = None,
) -> Settings | None:
    """Draw the form filled from `base`; return the new settings when «Применить» is pressed.

    `prefix` goes into every widget key (`{prefix}_{path with _ for .}`), so choosing another
    preset gives fresh widgets filled from that preset. A value the settings refuse raises
    their Russian ValueError.
    """
    data = FormData(ege_subjects, monitoring_options)
    values: dict[str, Any] = {}
    with st.form(f"{prefix}_form", border=False):
        infos = setting_fields()
        for group, items in groupby([i for i in infos if not i.on_refresh], lambda i: i.group):
            _group(group, list(items), base, prefix, data, values)
        with st.expander("Параметры, которые применяются при пересчёте базы"):
            st.caption(REFRESH_NOTE)
            refreshed = [i for i in infos if i.on_refresh]
            for group, items in groupby(refreshed, lambda i: i.group):
                _group(group, list(items), base, prefix, data, values)
        submitted = st.form_submit_button("Применить", type="primary")
    if not submitted:
        return None
    return base.updated(_form_rules(values))


def _form_rules(values: dict[str, Any]) -> dict[str, Any]:
    """What the form settles itself: the years required never exceed the window, and an
    empty choice of procedures for resilience means the default ones."""
    values["years_required"] = min(values["years_required"], values["years_window"])
    if not values["resilient_exams"]:
        values["resilient_exams"] = describe("resilient_exams").default
    return values


def _group(
    title: str,
    items: list[SettingInfo],
    base: Settings,
    prefix: str,
    data: FormData,
    values: dict[str, Any],
) -> None:
    """A heading and the group's widgets: narrow ones side by side, wide ones on their own."""
    st.markdown(f"**{title}**")
    row: list[SettingInfo] = []

    def flush() -> None:
        for column, info in zip(st.columns(COLUMNS), row, strict=False):
            values[info.path] = _widget(info, value_at(base, info.path), _key(prefix, info), column)
        row.clear()

    for info in items:
        if info.path in CUSTOM or _is_wide(info):
            flush()
            key = _key(prefix, info)
            value = value_at(base, info.path)
            custom = CUSTOM.get(info.path)
            values[info.path] = (
                custom(info, value, key, data) if custom else _widget(info, value, key, st)
            )
        else:
            row.append(info)
            if len(row) == COLUMNS:
                flush()
    flush()


def _key(prefix: str, info: SettingInfo) -> str:
    return f"{prefix}_{info.path.replace('.', '_')}"


def _is_wide(info: SettingInfo) -> bool:
    """Lists of choices and long option names take the whole width."""
    return isinstance(info.default, tuple) or (
        info.choices is not None and max(len(n) for n in info.choices.values()) > 30
    )


def _label(info: SettingInfo) -> str:
    unit = info.unit if isinstance(info.unit, str) else ""
    return f"{info.description}, {unit}" if unit else info.description


def _help(info: SettingInfo) -> str:
    return " ".join(p for p in (info.help, f"Допустимо: {info.range_text()}.") if p)


def _widget(info: SettingInfo, value: Any, key: str, column) -> Any:
    """The widget for a setting by its type, unit and allowed values."""
    label, help_text = _label(info), _help(info)
    if isinstance(info.default, bool):
        return bool(column.checkbox(label, value, key=key, help=help_text))
    if isinstance(info.default, tuple):
        names = info.choices or {}
        chosen = column.multiselect(
            label,
            list(names),
            default=[v for v in value if v in names],
            format_func=names.get,
            placeholder="Выберите…",
            key=key,
            help=help_text,
        )
        return tuple(chosen)
    if info.choices is not None:
        options = list(info.choices)
        common = {
            "index": options.index(value),
            "format_func": info.choices.get,
            "key": key,
            "help": help_text,
        }
        if all(isinstance(o, str) for o in options):
            return column.radio(label, options, horizontal=not _is_wide(info), **common)
        return column.selectbox(label, options, **common)
    scale = 100 if info.unit == PERCENT else 1
    step = info.step or 1.0
    shown = round(value * scale, 9)
    low, high = info.min_value * scale, info.max_value * scale
    if isinstance(info.default, int) or (step == int(step) and shown == int(shown)):
        # Whole numbers need no decimal point: «10», not «10.00».
        number = column.number_input(
            label,
            math.ceil(low),
            int(high),
            round(shown),
            int(step),
            key=key,
            help=help_text,
        )
        return int(number) if isinstance(info.default, int) else float(number) / scale
    return _decimal(column, label, shown, low, high, _digits(step), key, help_text) / scale


def _digits(step: float) -> int:
    """Decimals a step needs: 0,1 → 1, 0,05 → 2.

    >>> _digits(0.1), _digits(0.05), _digits(0.5)
    (1, 2, 1)
    """
    text = f"{step:g}"
    return len(text.split(".")[1]) if "." in text else 0


def _decimal(column, label, value, low, high, digits, key, help_text) -> float:
    """A number with a decimal comma, as Russian users write it («0,30»); a point is also
    taken. A ValueError in Russian for what is not a number or out of range."""
    text = column.text_input(label, fmt.num(value, digits), key=key, help=help_text)
    cleaned = re.sub(r"[\s\u202f\u00a0]", "", text).replace(",", ".").replace(fmt.MINUS, "-")
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(f"«{label}»: введите число, например {fmt.num(value, digits)}") from None
    if not low <= number <= high:
        raise ValueError(
            f"«{label}»: допустимо от {fmt.num(low, digits)} до {fmt.num(high, digits)}"
        )
    return number


def _ege_subjects(info: SettingInfo, value: tuple[str, ...], key: str, data: FormData):
    return tuple(
        st.multiselect(
            info.description,
            sorted(set(data.ege_subjects) | set(value)),
            placeholder="Выберите…",
            default=list(value),
            help=info.help,
            key=key,
        )
    )


def _monitoring_indicators(info: SettingInfo, value: tuple[str, ...], key: str, data: FormData):
    options = data.monitoring_options
    if not options:  # nothing to choose from: the stored codes are not words for a user
        st.caption(f"{info.description}: в данных региона нет показателей мониторинга.")
        return value
    chosen = st.multiselect(
        info.description,
        list(options),
        placeholder="Выберите…",
        default=[i for i in value if i in options],
        format_func=options.get,
        key=key,
    )
    return tuple(chosen) or value


def _isbsh_weights(info: SettingInfo, value: dict[str, float], key: str, data: FormData):
    st.markdown(info.description + " (при равных весах — все по 1)")
    columns = st.columns(4)
    weights = {}
    shares = [c for c in PASSPORT_LABELS if c in PASSPORT_ORIENTATION]
    for i, column in enumerate(shares):
        weights[column] = columns[i % 4].number_input(
            PASSPORT_LABELS[column],
            float(info.min_value),
            float(info.max_value),
            float(value.get(column, 1.0)) if value else 1.0,
            float(info.step),
            key=f"{key}_{column}",
        )
    # Equal weights are stored as «none given», so presets stay readable.
    return {} if len(set(weights.values())) <= 1 else dict(weights)


def _trend_cuts(info: SettingInfo, value: dict, key: str, data: FormData):
    st.markdown(info.description + " (четыре порога по возрастанию)")
    edited = st.data_editor(
        pd.DataFrame(
            [
                {
                    "indicator": indicator,
                    "Показатель": cuts.label,
                    **{f"Уровень {i + 1}": v for i, v in enumerate(cuts.status)},
                    **{f"Изменение {i + 1}": v for i, v in enumerate(cuts.change)},
                }
                for indicator, cuts in tr.cuts_from(value).items()
            ]
        ),
        column_config={"indicator": None},
        disabled=["Показатель"],
        hide_index=True,
        key=key,
    )
    return _changed_cuts(edited)


def _changed_cuts(edited: pd.DataFrame) -> dict[str, dict[str, list[float]]]:
    """The cut points that differ from analytics.trends.DEFAULT_CUTS (kept short in presets)."""
    out = {}
    for row in edited.to_dict("records"):
        indicator = row["indicator"]
        status = [float(row[f"Уровень {i}"]) for i in range(1, 5)]
        change = [float(row[f"Изменение {i}"]) for i in range(1, 5)]
        if status != sorted(status) or change != sorted(change):
            raise ValueError(f"Пороги для «{row['Показатель']}» должны идти по возрастанию.")
        default = tr.DEFAULT_CUTS[indicator]
        given = {}
        if tuple(status) != default.status:
            given["status"] = status
        if tuple(change) != default.change:
            given["change"] = change
        if given:
            out[indicator] = given
    return out


# Settings whose options come from the data: path → widget(info, value, key, data).
CUSTOM: dict[str, Callable[[SettingInfo, Any, str, FormData], Any]] = {
    "ege_gap_subjects": _ege_subjects,
    "monitoring.indicators": _monitoring_indicators,
    "isbsh.weights": _isbsh_weights,
    "trends.cuts": _trend_cuts,
}
