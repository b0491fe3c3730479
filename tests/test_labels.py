"""One registry of labels: procedure names, the exams, the school kinds, the passport's shares
and the tables' column headers are defined once, in analytics/labels.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from analytics import labels

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    p for folder in ("analytics", "data", "radar", "pages") for p in (ROOT / folder).rglob("*.py")
] + [ROOT / "app.py"]
# Where frames are shown or exported: their headers come from the registry.
SHOWN = ("pages", "radar/handouts", "radar/views", "radar/ui")
ONCE = {"procedure_label", "SELECTIVE", "PASSPORT_LABELS", "EXAMS", "PROGRAMME_TYPES"}
HELPERS = {"table", "headers", "header", "formats"}


def tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_procedure_label_known_answers():
    assert labels.procedure_label("ОГЭ", "Математика", 9) == "ОГЭ, Математика, 9 кл."
    assert labels.procedure_label("ЕГЭ", "Русский язык", 11.0) == "ЕГЭ, Русский язык, 11 кл."
    assert labels.procedure_label(("ВПР", "Математика", 5)) == "ВПР, Математика, 5 кл."
    frame = pd.DataFrame({"exam": ["ВПР"], "subject": ["История"], "grade": [6]})
    assert labels.procedure_labels(frame) == ["ВПР, История, 6 кл."]


def test_the_pages_and_hand_outs_name_procedures_alike():
    from analytics import identification
    from radar.handouts import municipality_report

    assert identification.procedure_label is labels.procedure_label
    assert municipality_report.procedure_label is labels.procedure_label


def test_definitions_live_only_in_labels():
    found = []
    for path in SOURCES:
        if relative(path) == "analytics/labels.py":
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in ONCE:
                found.append(f"{relative(path)}: def {node.name}")
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            found += [
                f"{relative(path)}: {t.id} ="
                for t in targets
                if isinstance(t, ast.Name) and t.id in ONCE - {"EXAMS"}
            ]
    # analytics/settings.py turns the exams into the choices of its fields, from labels.EXAMS.
    assert found == []


def test_no_inline_procedure_names():
    offenders = []
    for path in SOURCES:
        if relative(path) == "analytics/labels.py":
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if text.endswith((" кл.", " класс")) and len(node.values) > 2:
                    offenders.append(f"{relative(path)}:{node.lineno}")
    assert offenders == []


def literal_keys(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant)]
    return []


def names_at_module_level(module: ast.AST) -> dict[str, ast.AST]:
    """Module-level constants (KEYS = (...), HEADERS = {...}) a call may pass by name."""
    out = {}
    for node in ast.iter_child_nodes(module):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node.value
    return out


def test_every_key_given_to_the_registry_is_in_it():
    used = {}
    for path in SOURCES:
        module = tree(path)
        constants = names_at_module_level(module)
        for node in ast.walk(module):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in HELPERS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "labels"
            ):
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Name) and arg.id in constants:
                    arg = constants[arg.id]
                for key in literal_keys(arg):
                    used.setdefault(key, relative(path))
    assert used, "the pages and hand-outs name their columns through analytics.labels"
    assert {k: where for k, where in used.items() if k not in labels.COLUMNS} == {}


def test_no_local_rename_of_a_registered_key():
    """A frame shown or exported is renamed through the registry, not a dict of its own."""
    local = []
    for path in SOURCES:
        if not relative(path).startswith(SHOWN):
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "rename":
                for keyword in node.keywords:
                    if keyword.arg == "columns" and isinstance(keyword.value, ast.Dict):
                        keys = set(literal_keys(keyword.value)) & set(labels.COLUMNS)
                        local += [f"{relative(path)}:{node.lineno} {k}" for k in sorted(keys)]
    assert local == []


def test_registry_helpers():
    frame = pd.DataFrame(
        {"school_id": ["S1"], "name": ["Лицей"], "share_fail": [0.1], "other": [1]}
    )
    assert list(labels.rename(frame).columns) == ["Код школы", "Школа", "Доля «2»", "other"]
    assert list(labels.table(frame, ["name", "school_id"], {"name": "ШНОР"}).columns) == [
        "ШНОР",
        "Код школы",
    ]
    assert labels.formats(["name", "share_fail", "result_index", "mk_p", "pupils"]) == {
        "digits": {"Доля «2»": 1, "Сводный результат": 2, "p (Манн — Кендалл)": 3},
        "percent": ("Доля «2»",),
    }
    with pytest.raises(KeyError):
        labels.table(frame, ["other"])
    kinds = {label.kind for label in labels.COLUMNS.values()}
    assert kinds <= {
        labels.TEXT,
        labels.COUNT,
        labels.SHARE,
        labels.SCORE,
        labels.INDEX,
        labels.P_VALUE,
        labels.YEAR,
        labels.FLAG,
    }


def test_the_base_tables_use_the_same_words():
    from analytics.settings import EXAMS
    from radar.store.spec import TABLES

    assert TABLES["exam_results"].column("exam").choices == labels.EXAMS
    assert tuple(EXAMS) == labels.EXAMS
    assert TABLES["schools"].column("programme_type").choices == labels.PROGRAMME_TYPES
    passport = {c.name: c.label for c in TABLES["social_passport"].columns}
    assert {k: passport[k] for k in labels.PASSPORT_LABELS} == labels.PASSPORT_LABELS
