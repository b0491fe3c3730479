"""Files in another layout: a saved mapping turns them into the tables the loader checks.

A mapping (JSON, kept in data/mappings/ or saved by the user) names the source files, which rows
to keep, how they join, and for each column of a table either a source column, a constant, a
percentage (text such as «62.2%» or 62.2, turned into a share) or a sum of percentages. Values in
the source marked as missing (NA, SUPP …) become empty. The result goes through the same checks
as any region's files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from radar.files import FileProblem, detect_encoding, detect_separator, header_map
from radar.loader import Source
from radar.spec import LOAD_ORDER, TABLES

MAPPINGS = Path(__file__).resolve().parent.parent / "data" / "mappings"
ROW = "__file_row__"

# Common header variants for the columns a region's file must have (lower case).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "school_id": ("urn", "код оо", "код образовательной организации", "id школы", "инн"),
    "name": ("schname", "наименование", "название", "наименование оо", "school name"),
    "municipality_id": ("lea", "la", "код муниципалитета", "мо", "код мо", "октмо"),
    "year": ("год", "учебный год", "year"),
    "participants": ("tpup", "участников", "количество участников", "число участников"),
    "mean_score": ("att8scr", "средний балл", "ср. балл", "средний первичный балл"),
    "pupils": ("nor", "численность", "количество обучающихся", "контингент"),
    "share_low_income": ("pnumfsmever", "малоимущие", "доля малоимущих"),
    "share_non_native": ("pnumeal", "неродной русский", "русский не родной"),
}


@dataclass(frozen=True)
class Mapping:
    name: str
    spec: dict

    @classmethod
    def load(cls, path: Path | str) -> Mapping:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data.get("name", Path(path).stem), data)

    def save(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.spec, ensure_ascii=False, indent=2), encoding="utf-8")


def propose(table: str, headers: list[str]) -> dict[str, str]:
    """For each column of `table`, the header that most likely holds it (codes, Russian names
    and common variants, any case); columns without a likely header are left out."""
    found = {v: k for k, v in header_map(TABLES[table], headers).items()}
    lowered = {h.strip().lower(): h for h in headers}
    for column in TABLES[table].names:
        if column in found:
            continue
        for variant in SYNONYMS.get(column, ()):
            if variant in lowered:
                found[column] = lowered[variant]
                break
    return found


def _read_source(folder: Path, file: str, missing: list[str]) -> pd.DataFrame:
    path = folder / file
    if not path.exists():
        raise FileProblem(f"{file}: файл не найден в папке {folder}")
    raw = path.read_bytes()
    encoding = detect_encoding(raw)
    text = raw.decode(encoding)
    frame = pd.read_csv(
        path, sep=detect_separator(text), encoding=encoding, dtype=str, keep_default_na=False
    )
    frame.columns = [c.strip() for c in frame.columns]
    return frame.replace({m: None for m in missing})


def _percent(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.replace("%", "", regex=False).str.replace(",", ".")
    return pd.to_numeric(text, errors="coerce") / 100


def _column(frame: pd.DataFrame, rule) -> pd.Series:
    if isinstance(rule, str):
        if rule not in frame.columns:
            raise FileProblem(f"в файле нет столбца «{rule}», указанного в сопоставлении")
        return frame[rule]
    if "const" in rule:
        return pd.Series(str(rule["const"]), index=frame.index, dtype=object)
    if "percent" in rule:
        return _percent(frame[rule["percent"]])
    if "percent_sum" in rule:
        parts = [_percent(frame[c]) for c in rule["percent_sum"]]
        total = parts[0]
        for part in parts[1:]:
            total = total.add(part, fill_value=0)
        # Rounded percentages of parts can add up to a little over 100 %.
        return total.clip(upper=1.0).where(pd.concat(parts, axis=1).notna().any(axis=1))
    raise FileProblem(f"непонятное правило сопоставления: {rule}")


def apply_mapping(mapping: Mapping, folder: Path | str) -> dict[str, pd.DataFrame]:
    """The tables described by `mapping`, built from the files in `folder`, ready for checks."""
    folder = Path(folder)
    spec = mapping.spec
    missing = list(spec.get("missing", [""]))
    sources = {}
    for key, source in spec["sources"].items():
        frame = _read_source(folder, source["file"], missing)
        frame[ROW] = frame.index + 2  # the file's own row: header is row 1
        for column, allowed in source.get("keep", {}).items():
            frame = frame[frame[column].isin(allowed)]
        sources[key] = frame.reset_index(drop=True)
    frames: dict[str, pd.DataFrame] = {}
    for table in LOAD_ORDER:
        rule = spec["tables"].get(table)
        if rule is None:
            continue
        base = sources[rule["from"]]
        for other, on in rule.get("join", {}).items():
            base = base.merge(
                sources[other].drop(columns=ROW), on=on, how="inner", suffixes=("", f"_{other}")
            )
        for column in rule.get("require", []):
            base = base[base[column].notna()]
        base = base.reset_index(drop=True)
        out = pd.DataFrame({c: _column(base, r) for c, r in rule["columns"].items()})
        out = out.astype(object).where(out.notna(), None)
        out.attrs["source"] = Source(
            spec["sources"][rule["from"]]["file"], "", rows=tuple(int(r) for r in base[ROW])
        )
        frames[table] = out
    return frames


def saved_mappings() -> dict[str, Path]:
    """Saved mappings (data/mappings/*.json) by their Russian name."""
    found = {}
    for path in sorted(MAPPINGS.glob("*.json")):
        try:
            found[Mapping.load(path).name] = path
        except (ValueError, OSError):
            continue
    return found


def apply_to_uploads(mapping: Mapping, uploads: dict[str, bytes]) -> dict[str, pd.DataFrame]:
    """apply_mapping on uploaded files (name → content) instead of a folder."""
    import tempfile

    needed = {s["file"] for s in mapping.spec["sources"].values()}
    missing = sorted(needed - set(uploads))
    if missing:
        raise FileProblem(
            "для сопоставления «" + mapping.name + "» не хватает файлов: " + ", ".join(missing)
        )
    with tempfile.TemporaryDirectory() as tmp:
        for name in needed:
            (Path(tmp) / name).write_bytes(uploads[name])
        return apply_mapping(mapping, tmp)


def from_choices(
    name: str,
    table: str,
    file_name: str,
    columns: dict[str, str],
    constants: dict[str, str],
    missing: tuple[str, ...] = ("",),
) -> Mapping:
    """A one-file mapping from what the user picked: a header per column, or a constant."""
    rules: dict[str, object] = {c: h for c, h in columns.items() if h}
    rules.update({c: {"const": v} for c, v in constants.items() if str(v).strip()})
    spec = {
        "name": name,
        "missing": list(missing),
        "sources": {"file": {"file": file_name}},
        "tables": {table: {"from": "file", "columns": rules}},
    }
    return Mapping(name, spec)


def slug(name: str) -> str:
    """A file name for a mapping's Russian name."""
    kept = "".join(ch if ch.isalnum() else "_" for ch in name.strip().lower())
    return "_".join(part for part in kept.split("_") if part) or "сопоставление"
