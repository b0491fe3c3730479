"""The Excel export: sheets, headers, Russian number formats, safe text and awkward frames."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from radar.handouts.excel import Sheet, neutralise, workbook_bytes


def load(sheets: list[Sheet], **kwargs) -> openpyxl.Workbook:
    data = workbook_bytes(sheets, **kwargs)
    assert data[:2] == b"PK"  # an .xlsx is a zip archive
    return openpyxl.load_workbook(io.BytesIO(data))


def schools() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Школа": ["Лицей № 1", "СОШ № 2", "Горная СОШ"],
            "Год": [2024, 2025, 2025],
            "Обучающиеся": [900, 12_600, 60],
            "Средний балл": [26.04, 20.5, np.nan],
            "Доля «2»": [0.02, 0.105, 0.5],
            "Малая школа": [False, False, True],
            "Начало": pd.to_datetime(["2025-02-01", "2025-03-15", None]),
            "Отклонение (z)": [0.123, -1.5, 2.0],
        }
    )


def test_sheets_keep_their_order_and_the_title_is_set():
    frame = schools()
    book = load(
        [Sheet("Обзор", frame), Sheet("Школы", frame.head(1)), Sheet("Мероприятия", frame)],
        title="Школьный радар: выгрузка",
    )
    assert book.sheetnames == ["Обзор", "Школы", "Мероприятия"]
    assert book.properties.title == "Школьный радар: выгрузка"


def test_header_row_is_bold_filled_wrapped_frozen_and_filtered():
    frame = schools()
    sheet = load([Sheet("Школы", frame)])["Школы"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(frame.columns)
    for cell in sheet[1]:
        assert cell.font.bold
        assert cell.fill.fill_type == "solid"
        assert cell.alignment.wrap_text
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H4"
    assert sheet.max_row == 4
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGH"]
    assert all(8 <= width <= 60 for width in widths)


def test_values_and_russian_number_formats():
    sheet = load([Sheet("Школы", schools(), percent=("Доля «2»",), digits={"Отклонение (z)": 2})])[
        "Школы"
    ]
    school, year, pupils, score, share, small, start, z = sheet[4]

    assert school.value == "Горная СОШ"
    assert year.value == 2025 and year.number_format == "0"  # a year, never «2 025»
    assert pupils.value == 60 and pupils.number_format == "#,##0"
    assert sheet["C3"].value == 12_600
    assert sheet["D2"].value == pytest.approx(26.04) and sheet["D2"].number_format == "#,##0.0"
    assert sheet["E3"].value == pytest.approx(0.105) and sheet["E3"].number_format == "0.0%"
    assert share.value == 0.5 and share.number_format == "0.0%"
    assert sheet["H2"].value == pytest.approx(0.123) and sheet["H2"].number_format == "#,##0.00"
    assert sheet["F2"].value == "нет" and small.value == "да"
    assert sheet["G2"].value == datetime(2025, 2, 1)
    assert sheet["G2"].number_format == "DD.MM.YYYY"
    assert score.value is None and start.value is None  # NaN and NaT → empty cells
    assert z.value == 2.0


def test_missing_values_of_every_kind_give_empty_cells_and_numpy_becomes_python():
    frame = pd.DataFrame(
        {
            "Текст": ["а", None, pd.NA, np.nan],
            "Целое": pd.array([1, None, 3, 4], dtype="Int64"),
            "Смесь": [np.int64(7), np.float64(2.5), np.bool_(True), float("inf")],
            "Признак": pd.array([True, None, False, True], dtype="boolean"),
            "Дата": [date(2025, 2, 1), None, date(2025, 3, 31), pd.NaT],
        }
    )
    sheet = load([Sheet("Пропуски", frame)])["Пропуски"]
    assert [cell.value for cell in sheet["A"][1:]] == ["а", None, None, None]
    assert [cell.value for cell in sheet["B"][1:]] == [1, None, 3, 4]
    assert [cell.value for cell in sheet["C"][1:]] == [7, 2.5, "да", None]
    assert type(sheet["C2"].value) is int
    assert [cell.value for cell in sheet["D"][1:]] == ["да", None, "нет", "да"]
    assert sheet["E2"].value == datetime(2025, 2, 1) and sheet["E2"].number_format == "DD.MM.YYYY"
    assert sheet["E3"].value is None


def test_datetimes_with_time_keep_it_and_lose_the_time_zone():
    moments = pd.to_datetime(["2025-02-01 09:30", "2025-02-02 00:00"]).tz_localize("Europe/Moscow")
    sheet = load([Sheet("Журнал", pd.DataFrame({"Время": moments}))])["Журнал"]
    assert sheet["A2"].value == datetime(2025, 2, 1, 9, 30)
    assert sheet["A2"].number_format == "DD.MM.YYYY HH:MM"


def test_dangerous_text_is_neutralised_everywhere_but_numbers_are_not():
    frame = pd.DataFrame(
        {
            "=Заголовок": ["=1+2", "@SUM(A1)", "-5", "+7", "−3", "\tтаб", "\rвозврат", "Школа"],
            "Число": [-5, 3, 0, 1, 2, 3, 4, 5],
        }
    )
    sheet = load([Sheet("Опасное", frame, note="=ПРИМЕЧАНИЕ()")])["Опасное"]
    # XML reads a carriage return back as a line feed; the guard quote is what matters here.
    texts = [cell.value.replace("\n", "\r") for cell in sheet["A"][3:]]
    assert texts == [
        "'=1+2",
        "'@SUM(A1)",
        "'-5",
        "'+7",
        "'−3",
        "'\tтаб",
        "'\rвозврат",
        "Школа",
    ]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    assert sheet["A1"].value == "'=ПРИМЕЧАНИЕ()"
    assert sheet["A3"].value == "'=Заголовок"
    assert sheet["B4"].value == -5 and sheet["B4"].data_type == "n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+7", "'+7"),
        ("-5", "'-5"),
        ("−5", "'−5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Лицей № 1", "Лицей № 1"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (-0.5, -0.5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_note_goes_above_the_table():
    frame = schools()
    sheet = load([Sheet("Школы", frame, note="Данные за 2025 год")])["Школы"]
    assert sheet["A1"].value == "Данные за 2025 год" and sheet["A1"].font.bold
    assert all(cell.value is None for cell in sheet[2])
    assert [cell.value for cell in sheet[3]] == list(frame.columns)
    assert sheet["A4"].value == "Лицей № 1"
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:H6"


def test_sheet_titles_are_made_acceptable_to_excel():
    title = "Итоги [ОГЭ]: 2024/2025 * доли «2» по школам? \\ муниципалитетам"
    book = load(
        [
            Sheet(title, schools()),
            Sheet("Школы", schools()),
            Sheet("школы", schools()),
            Sheet("[]:*?/\\", schools()),
        ]
    )
    assert book.sheetnames == [
        "Итоги ОГЭ 20242025  доли «2» по",
        "Школы",
        "школы (2)",
        "Лист",
    ]
    for name in book.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_empty_frame_still_has_its_headers():
    frame = schools().iloc[0:0]
    sheet = load([Sheet("Пусто", frame)])["Пусто"]
    assert [cell.value for cell in sheet[1]] == list(frame.columns)
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:H1"


def test_control_characters_are_dropped_instead_of_breaking_the_file():
    frame = pd.DataFrame({"Текст": ["до\x00\x07после", "\x01=1+2"]})
    sheet = load([Sheet("Текст", frame)])["Текст"]
    assert [cell.value for cell in sheet["A"][1:]] == ["допосле", "'=1+2"]


def test_a_workbook_needs_a_sheet():
    with pytest.raises(ValueError):
        workbook_bytes([])


def test_module_does_not_import_streamlit():
    code = "import sys, radar.handouts.excel; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_colour_scales_on_chosen_columns():
    frame = pd.DataFrame(
        {"Результат": [1.0, 2.0, 3.0], "Доля «2»": [0.1, 0.2, 0.3], "Школа": list("abc")}
    )
    data = workbook_bytes(
        [Sheet("Школы", frame, scale=("Результат", "Доля «2»"), reverse=("Доля «2»",), note="н")]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Школы"]
    rules = {str(r.sqref): r.rules[0] for r in sheet.conditional_formatting}
    assert set(rules) == {"A4:A6", "B4:B6"}
    assert rules["A4:A6"].colorScale.color[0].rgb.endswith("F8696B")  # low is red
    assert rules["B4:B6"].colorScale.color[0].rgb.endswith("63BE7B")  # a low share of «2» is green
