"""The Excel template a region fills in: a sheet per table with Russian headers, lists of
allowed values, an example row, and an instructions sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from radar.store.spec import LOAD_ORDER, TABLES, Column

INSTRUCTIONS = "Инструкция"
KIND_NAMES = {
    "str": "текст",
    "int": "целое число",
    "float": "число",
    "share": "доля: 0–1 или проценты 0–100",
    "bool": "да / нет",
    "date": "дата ДД.ММ.ГГГГ",
}
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
ROWS_WITH_LISTS = 5000


def example(column: Column) -> object:
    """A plausible value for the example row."""
    if column.choices:
        return column.choices[0]
    if column.name == "year":
        return 2025
    if column.name == "school_id":
        return "S0001"
    if column.name == "municipality_id":
        return "M01"
    return {
        "str": "пример",
        "int": int(column.min) if column.min is not None and column.min > 0 else 10,
        "float": 1.5 if column.min is None else max(column.min, 1.5),
        "share": 0.25,
        "bool": "нет",
        "date": "01.02.2025",
    }[column.kind]


REGION_TABLES = tuple(t for t in LOAD_ORDER if t != "demo_truth")  # demo_truth: demo only


def template_bytes(tables: tuple[str, ...] = REGION_TABLES) -> bytes:
    """The template workbook for the given tables (all a region holds by default)."""
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS
    guide.append(["Как заполнить шаблон «Школьного радара»"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in (
        "Каждый лист — одна таблица. Первая строка — заголовки, их не меняйте; вторая — пример, "
        "замените её своими данными. Лишние листы можно удалить.",
        "Доли можно писать в долях (0,25) или в процентах (25). Десятичный разделитель — "
        "запятая или точка. Даты — ДД.ММ.ГГГГ.",
        "В столбцах со списком выберите значение из списка. Обязательные столбцы отмечены *.",
        "Строка с тем же ключом (например, школа, год, процедура) заменит строку в базе; "
        "остальные данные сохранятся. Перед записью «Школьный радар» покажет, что изменится, "
        "и перечислит все ошибки с листом, строкой и столбцом.",
        "",
    ):
        guide.append([line])
    guide.append(["Лист", "Ключ строки", "Содержание"])
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for name in tables:
        table = TABLES[name]
        key = ", ".join(table.column(k).label for k in table.key)
        guide.append([table.label, key, f"код таблицы: {table.name}"])
    guide.column_dimensions["A"].width = 48
    guide.column_dimensions["B"].width = 60
    guide.column_dimensions["C"].width = 36
    for name in tables:
        _sheet(book, TABLES[name])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, table) -> None:
    sheet = book.create_sheet(table.label[:31])
    for i, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=i, value=column.label + (" *" if column.required else ""))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        hint = KIND_NAMES[column.kind]
        if column.min is not None:
            hint += f"; не меньше {column.min:g}".replace(".", ",")
        if column.max is not None:
            hint += f"; не больше {column.max:g}".replace(".", ",")
        if column.choices:
            hint += "; одно из: " + ", ".join(map(str, column.choices))
        cell.comment = Comment(hint, "Школьный радар")
        sheet.cell(row=2, column=i, value=example(column))
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.label) + 4))
        if column.choices or column.kind == "bool":
            values = column.choices or ("да", "нет")
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(map(str, values)) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="Недопустимое значение",
                error="Выберите значение из списка",
            )
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{ROWS_WITH_LISTS}")
    sheet.freeze_panes = "A2"
