"""Validation explains every problem in Russian; loading is all or nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from radar.ingest.loader import Source, ValidationError, load_region, validate
from radar.store import db
from radar.store.refresh import refresh_derived


def errors(problems):
    return [p for p in problems if p.severity == "ошибка"]


def test_tiny_region_is_valid(frames):
    typed, problems = validate(frames)
    assert errors(problems) == []
    assert typed["schools"]["pupils"].dtype == "Int64"


def test_small_numbers_warn_but_do_not_block(frames):
    _, problems = validate(frames)
    warnings = [p for p in problems if p.severity == "предупреждение"]
    assert any("меньше 10" in p.message for p in warnings)


def test_small_numbers_warning_follows_the_active_settings(frames, tmp_path):
    from analytics.settings import Settings, SmallNumbers
    from radar.store.presets import save_preset

    path = tmp_path / "r.duckdb"
    load_region(frames, path)
    strict = Settings(small_numbers=SmallNumbers(hide_below=60, unreliable_below=100))
    save_preset("Строже к малым числам", strict, True, path)
    con = db.connect(path, read_only=True)
    try:
        _, problems = validate(frames, con)
    finally:
        con.close()
    warnings = [p.message for p in problems if p.severity == "предупреждение"]
    # Schools of 6 and 50 participants, two years each, are below 60.
    assert "строк с числом участников меньше 60: 4; такие показатели будут скрыты" in warnings


def test_problem_names_file_sheet_row_and_column(frames):
    results = frames["exam_results"].astype({"share_2": object})
    results.loc[1, "share_2"] = "1,7"
    results.attrs["source"] = Source("results.xlsx", "ОГЭ", first_row=2)
    frames["exam_results"] = results
    _, problems = validate(frames)
    found = [p for p in errors(problems) if p.column == "Доля «2»" and p.row == 3]
    assert {p.message.split(" ")[0] for p in found} == {"значение", "доли"}
    problem = found[0]
    assert problem.file == "results.xlsx" and problem.sheet == "ОГЭ"
    assert problem.message == "значение 1,7 больше допустимого 1"
    assert str(problem).startswith("Ошибка: results.xlsx, лист «ОГЭ», строка 3, столбец «Доля «2»»")


def test_text_with_decimal_commas_is_read_as_numbers(frames):
    frames["exam_results"]["mean_score"] = frames["exam_results"]["mean_score"].map(
        lambda v: f"{v:.1f}".replace(".", ",")
    )
    typed, problems = validate(frames)
    assert errors(problems) == []
    assert typed["exam_results"]["mean_score"].iloc[0] == 26.0


def test_percent_columns_are_recognised(frames):
    shares = [c for c in frames["social_passport"].columns if c.startswith("share_")]
    frames["social_passport"][shares] *= 100
    typed, problems = validate(frames)
    assert errors(problems) == []
    assert typed["social_passport"]["share_low_income"].max() == pytest.approx(0.45)
    assert typed["social_passport"]["share_single_parent"].max() == pytest.approx(0.2)
    assert any("в процентах" in p.message for p in problems)


def test_one_column_in_percent_among_fractions_is_refused_not_converted(frames):
    frames["social_passport"]["share_low_income"] *= 100
    _, problems = validate(frames)
    text = " ".join(str(p) for p in errors(problems))
    assert "в разных единицах" in text and "«Малоимущие семьи»" in text


def test_a_value_with_a_percent_sign_is_a_percent(frames):
    passport = frames["social_passport"].astype(object)
    passport.loc[0, "share_registered"] = "0,5%"
    frames["social_passport"] = passport
    typed, problems = validate(frames)
    assert errors(problems) == []
    assert typed["social_passport"]["share_registered"].iloc[0] == pytest.approx(0.005)
    assert typed["social_passport"]["share_single_parent"].iloc[0] == pytest.approx(0.1)


def test_infinity_and_overflowing_counts_are_problems_not_values(frames):
    results = frames["exam_results"].astype(object)
    results.loc[0, "mean_score"] = "inf"
    results.loc[1, "participants"] = "3000000000"
    frames["exam_results"] = results
    _, problems = validate(frames)
    found = {(p.column, p.kind) for p in errors(problems)}
    assert ("Средний балл", "не число") in found
    assert ("Участников", "значение слишком велико") in found


def test_academic_years_are_read_as_the_spring_year(frames):
    passport = frames["social_passport"].astype(object)
    passport["year"] = ["2023-2024"] * 3 + ["2024/25 уч. год"] * 3
    frames["social_passport"] = passport
    typed, problems = validate(frames)
    assert errors(problems) == []
    assert list(typed["social_passport"]["year"]) == [2024] * 3 + [2025] * 3
    assert any("весенний (2024)" in p.message for p in problems)
    passport["year"] = "2023-2025"
    _, problems = validate(frames)
    assert any(p.kind == "неверный учебный год" for p in errors(problems))


def test_exact_repeats_are_dropped_with_a_warning(frames):
    frames["exam_results"] = pd.concat([frames["exam_results"], frames["exam_results"].iloc[[0]]])
    typed, problems = validate(frames)
    assert errors(problems) == []
    assert len(typed["exam_results"]) == len(frames["exam_results"]) - 1
    assert any("повторяет" in p.message and p.row == 8 for p in problems)


def test_unrecognised_and_key_only_columns(frames):
    frames["exam_results"] = frames["exam_results"].rename(columns={"mean_score": "Средний бал"})
    typed, problems = validate(frames)
    warned = [p for p in problems if p.column == "Средний бал"]
    assert warned and "возможно, это «Средний балл»" in warned[0].message
    assert "mean_score" not in typed["exam_results"].attrs["carried"]
    frames["social_passport"] = frames["social_passport"][["school_id", "year"]]
    _, problems = validate(frames)
    assert any("только ключевые столбцы" in p.message for p in errors(problems))


def test_problems_are_counted_by_kind_beyond_the_listed_rows(frames, monkeypatch):
    from radar.ingest import loader

    monkeypatch.setattr(loader, "LISTED", 3)
    frames["exam_results"] = frames["exam_results"].assign(participants="много")
    _, problems = validate(frames)
    assert len(problems) == 3
    assert problems.errors == len(frames["exam_results"])
    group = next(g for g in problems.groups if g.kind == "не число")
    assert group.count == len(frames["exam_results"]) and group.rows[:2] == [2, 3]


@pytest.mark.parametrize(
    ("table", "change", "column", "fragment"),
    [
        (
            "schools",
            lambda df: df.assign(settlement_type=["город", "хутор", "село"]),
            "Тип поселения",
            "недопустимое значение «хутор»",
        ),
        (
            "schools",
            lambda df: df.assign(municipality_id=["M1", "M1", "M7"]),
            "Код муниципалитета",
            "нет в таблице «муниципалитеты»",
        ),
        (
            "schools",
            lambda df: df.drop(columns=["name"]),
            "Наименование школы",
            "нет обязательного столбца",
        ),
        (
            "schools",
            lambda df: df.assign(pupils=["900", "шестьсот", "60"]),
            "Число обучающихся",
            "не число",
        ),
        (
            "exam_results",
            lambda df: pd.concat([df, df.iloc[[0]].assign(mean_score=99.0)]),
            "Код школы, Год, Процедура, Предмет, Класс",
            "повтор строки",
        ),
        ("exam_results", lambda df: df.assign(grade=5), "Класс", "не проводится в 5 классе"),
        ("exam_results", lambda df: df.assign(share_5=0.9), "Доля «2»", "в сумме дают"),
        ("exam_results", lambda df: df.assign(participants=-3), "Участников", "меньше допустимого"),
        (
            "exam_results",
            lambda df: df.assign(school_id="S9"),
            "Код школы",
            "«S9» нет в таблице «школы»",
        ),
        (
            "programme_membership",
            lambda df: df.assign(partner_school_id="S3"),
            "Код школы-партнёра",
            "самой себе",
        ),
        (
            "roadmap_events",
            lambda df: df.assign(period_end=pd.Timestamp("2025-01-01").date()),
            "Окончание",
            "раньше начала",
        ),
        ("roadmap_events", lambda df: df.assign(period_start="32.13.2025"), "Начало", "не дата"),
    ],
)
def test_each_rule_gives_a_russian_error(frames, table, change, column, fragment):
    frames[table] = change(frames[table].reset_index(drop=True))
    _, problems = validate(frames)
    assert any(p.column == column and fragment in p.message for p in errors(problems)), [
        str(p) for p in problems
    ]


def test_region_loads_and_derived_tables_follow(frames, tmp_path):
    path = tmp_path / "r.duckdb"
    load_region(frames, path, after_load=refresh_derived)
    con = db.connect(path)
    counts = db.table_counts(con)
    assert counts["schools"] == 3 and counts["exam_results"] == 6
    assert counts["social_index"] == 6 and counts["school_year_results"] == 6
    best = con.execute(
        "select school_id from social_index where year = 2025 order by isbsh desc limit 1"
    ).fetchone()[0]
    assert best == "S1"


def test_failed_load_leaves_database_as_it_was(frames, tmp_path):
    path = tmp_path / "r.duckdb"
    load_region(frames, path)
    before = path.read_bytes()
    bad = {k: v.copy() for k, v in frames.items()}
    bad["exam_results"].loc[0, "share_2"] = 3.0
    with pytest.raises(ValidationError, match="Данные не загружены"):
        load_region(bad, path)

    def crash(_con):
        raise RuntimeError("сбой посреди загрузки")

    with pytest.raises(RuntimeError):
        load_region(frames, path, after_load=crash)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "r.duckdb"
    ]


def test_csv_folder_round_trip_gives_the_same_tables(frames, tmp_path):
    from radar.cli import main
    from radar.store.spec import TABLES

    first = tmp_path / "first.duckdb"
    # A name a spreadsheet would run as a formula is defused in the CSV and comes back as typed.
    frames = {**frames, "schools": frames["schools"].copy()}
    frames["schools"].loc[0, "name"] = '=HYPERLINK("http://example.org","школа")'
    load_region(frames, first)
    assert main(["--db", str(first), "export", str(tmp_path / "csv")]) == 0
    exported = (tmp_path / "csv" / "schools.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in exported
    second = tmp_path / "second.duckdb"
    assert main(["--db", str(second), "load", str(tmp_path / "csv")]) == 0
    a, b = db.connect(first), db.connect(second)
    for name in TABLES:
        pd.testing.assert_frame_equal(db.read_table(a, name), db.read_table(b, name), obj=name)
    assert db.table_counts(b)["social_index"] == 6


def test_cp1251_file_with_russian_headers_is_read(frames, tmp_path):
    from radar.ingest.files import read_csv_table
    from radar.store.spec import TABLES

    labels = {c.name: c.label for c in TABLES["schools"].columns}
    path = tmp_path / "schools.csv"
    frames["schools"].rename(columns=labels).to_csv(
        path, sep=";", decimal=",", index=False, encoding="cp1251"
    )
    name, frame, note = read_csv_table(path)
    assert name == "schools" and "Windows-1251" in note and "точка с запятой" in note
    typed, problems = validate({**frames, "schools": frame})
    assert errors(problems) == []
    assert typed["schools"]["distance_km"].tolist() == [1.0, 3.0, 45.0]
