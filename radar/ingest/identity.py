"""Which stored school (and municipality) a file's row is about, when the file does not use
the region's codes.

A ФИС ОКО export names a school by its login (edu…), an open-data file by its ОГРН or by its
full name, and both name the municipality in words. Before the checks, every school code of
the files that is not a stored code is looked up:
1. by an identifier: the file's login, ОГРН or ИНН (in their own columns, or as the code
   itself) against the stored ones;
2. when the files allow it (a saved format or a mapping that says `identify`), by the
   school's name and municipality, compared after normalisation: case, ё, quotes,
   punctuation, the organisational form (МБОУ, «муниципальное бюджетное общеобразовательное
   учреждение» …) and the long forms of «СОШ», «ООШ», «НОШ» do not matter.
A school found once takes the stored code in every table of the files (and keeps its stored
name); one found more than once, or two of the file's schools found as one, is an error that
names them; the rest are new schools. Municipalities named in words are found by name alike.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from analytics import fmt
from radar.ingest.loader import Problem, source_of
from radar.store import db
from radar.store.spec import TABLES

IDENTIFIERS = {"fis_login": "по логину ФИС ОКО", "ogrn": "по ОГРН", "inn": "по ИНН"}
BY_NAME = "по названию и муниципалитету"

# Long forms → the abbreviation everyone writes (compared after lower-casing and ё → е).
_LONG_FORMS = (
    (r"средн\w* общеобразовательн\w* школ\w*", "сош"),
    (r"основн\w* общеобразовательн\w* школ\w*", "оош"),
    (r"начальн\w* общеобразовательн\w* школ\w*", "нош"),
    (r"с углубленн\w* изучени\w* (отдельн\w* )?предмет\w*", "с уиоп"),
    (
        r"(муниципальн\w*|государственн\w*|частн\w*)( (бюджетн\w*|казенн\w*|автономн\w*))?"
        r" (обще)?образовательн\w* учреждени\w*",
        "",
    ),
    (
        r"(муниципальн\w*|государственн\w*)( (бюджетн\w*|казенн\w*|автономн\w*))?"
        r" (обще)?образовательн\w* организаци\w*",
        "",
    ),
)
# Organisational forms: a file may write them or not.
_FORMS = {
    "мбоу",
    "маоу",
    "мкоу",
    "моу",
    "мбо",
    "гбоу",
    "гаоу",
    "гкоу",
    "гоу",
    "чоу",
    "ноу",
    "ано",
    "оу",
    "мобу",
    "моау",
    "мбнои",
    "фгбоу",
}
# Words that say what kind of municipality it is, not which.
_MUNICIPAL_WORDS = {
    "г",
    "город",
    "городской",
    "округ",
    "го",
    "муниципальный",
    "муниципальное",
    "район",
    "мо",
    "мр",
    "образование",
    "городского",
    "округа",
    "района",
}


def _words(text: pd.Series) -> pd.Series:
    plain = text.astype("string").str.lower().str.replace("ё", "е", regex=False)
    return plain.str.replace(r"[^\w]+", " ", regex=True).str.strip()


def school_key(names: pd.Series) -> pd.Series:
    """A school's name reduced for comparison.

    >>> school_key(pd.Series([
    ...     "МБОУ «СОШ № 5» г. Нальчик",
    ...     'Муниципальное бюджетное общеобразовательное учреждение "Средняя '
    ...     'общеобразовательная школа №5" г.Нальчик',
    ... ])).tolist()
    ['сош 5 г нальчик', 'сош 5 г нальчик']
    """
    text = _words(names)
    for pattern, short in _LONG_FORMS:
        text = text.str.replace(pattern, short, regex=True)
    return text.map(
        lambda t: " ".join(w for w in t.split() if w not in _FORMS) if isinstance(t, str) else t
    )


def municipality_key(names: pd.Series) -> pd.Series:
    """A municipality's name reduced for comparison.

    >>> municipality_key(pd.Series(["Городской округ Нальчик", "г. Нальчик", "Баксанский район",
    ...                             "Баксанский муниципальный район"])).tolist()
    ['нальчик', 'нальчик', 'баксанский', 'баксанский']
    """
    return _words(names).map(
        lambda t: (
            " ".join(w for w in t.split() if w not in _MUNICIPAL_WORDS) if isinstance(t, str) else t
        )
    )


def identifier(values: pd.Series) -> pd.Series:
    """Codes as text, the way a spreadsheet may have turned them into numbers undone
    («1027700000000.0» → «1027700000000»).

    >>> identifier(pd.Series([" edu123 ", 1027700000000.0, None])).tolist()
    ['edu123', '1027700000000', <NA>]
    """
    text = values.map(lambda v: format(v, ".0f") if isinstance(v, float) and v.is_integer() else v)
    text = text.astype("string").str.strip().str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.where(text != "")


# Words naming a kind of place in a school's name («г.», «с.», «пос.»).
_PLACE_WORDS = {
    "г",
    "город",
    "с",
    "село",
    "п",
    "пос",
    "поселок",
    "пгт",
    "аул",
    "ст",
    "станица",
    "д",
}


def _without_place(keys: pd.Series, municipalities: pd.Series, places: pd.DataFrame) -> pd.Series:
    """School keys without the words of a place: the kind of place and the name of the
    school's municipality, in any case ending.

    >>> places = pd.DataFrame({"municipality_id": ["M1", "M2"],
    ...                        "name": ["г. Тарумск", "Бабаюртский район"]})
    >>> keys = pd.Series(["сош 1 г тарумск", "хаджалская сош бабаюртского района"])
    >>> _without_place(keys, pd.Series(["M1", "M2"]), places).tolist()
    ['сош 1', 'хаджалская сош']
    """
    names = (
        dict(
            zip(
                places["municipality_id"].astype(str), municipality_key(places["name"]), strict=True
            )
        )
        if len(places)
        else {}
    )

    def strip(key, municipality):
        if not isinstance(key, str):
            return key
        own = set(str(names.get(municipality) or "").split())
        # «Бабаюртского района», «Хивского района»: the name without its last three letters.
        stems = {w[: max(4, len(w) - 3)] for w in own if len(w) >= 5}

        def place(word: str) -> bool:
            return (
                word in _PLACE_WORDS
                or word in _MUNICIPAL_WORDS
                or word in own
                or any(word.startswith(stem) for stem in stems)
            )

        return " ".join(w for w in key.split() if not place(w)) or key

    return pd.Series(
        [strip(k, m) for k, m in zip(keys, municipalities, strict=True)], index=keys.index
    )


@dataclass
class Identity:
    """How the files' schools and municipalities were found among the stored ones."""

    found: dict[str, int] = field(default_factory=dict)  # way → schools found that way
    new: list[str] = field(default_factory=list)  # new schools, by name
    ambiguous: list[str] = field(default_factory=list)  # what could not be told apart
    municipalities: int = 0  # municipalities found by name
    new_municipalities: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report, in Russian, for the page and the CLI."""
        out = []
        if self.found:
            ways = ", ".join(f"{way} — {fmt.integer(n)}" for way, n in self.found.items())
            out.append(f"Школы файлов найдены в базе {ways}; их коды и названия в базе сохранены.")
        if self.municipalities:
            out.append(
                f"Муниципалитеты найдены в базе по названию: {fmt.integer(self.municipalities)}."
            )
        if self.new_municipalities:
            out.append(
                f"Новых муниципалитетов: {fmt.integer(len(self.new_municipalities))} — "
                + _listed(self.new_municipalities)
            )
        if self.new:
            out.append(
                "Не найдены в базе и будут добавлены как новые школы: "
                f"{fmt.integer(len(self.new))} — " + _listed(self.new)
            )
        if self.ambiguous:
            out.append(
                f"Не удалось однозначно определить школ: {fmt.integer(len(self.ambiguous))} — "
                + _listed(self.ambiguous)
            )
        return out

    def __bool__(self) -> bool:
        return bool(self.found or self.new or self.ambiguous or self.municipalities)


def _listed(names: list[str], shown: int = 10) -> str:
    text = "; ".join(f"«{n}»" for n in names[:shown])
    return text + (f" и ещё {fmt.integer(len(names) - shown)}" if len(names) > shown else "") + "."


def _stored(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    try:
        return db.read_table(con, table)
    except duckdb.Error:
        return pd.DataFrame()


def _remap(frames: dict[str, pd.DataFrame], column: str, mapping: dict[str, str]) -> None:
    if not mapping:
        return
    for name, frame in frames.items():
        if column in frame.columns:
            codes = identifier(frame[column])
            attrs = dict(frame.attrs)
            frame = frame.copy()
            frame[column] = codes.map(mapping).fillna(frame[column]).astype(object)
            frame.attrs.update(attrs)
            frames[name] = frame


def _municipalities(
    frames: dict[str, pd.DataFrame], stored: pd.DataFrame, identity: Identity
) -> None:
    """Municipalities named in words (the ids of a ФИС ОКО file are names) → stored codes."""
    if stored.empty:
        return
    given = [identifier(f["municipality_id"]) for f in frames.values() if "municipality_id" in f]
    if not given:
        return
    incoming = pd.concat(given, ignore_index=True).dropna().drop_duplicates()
    unknown = incoming[~incoming.isin(stored["municipality_id"].astype(str))]
    if unknown.empty:
        return
    named = frames.get("municipalities")
    names = pd.Series(unknown.to_numpy(), index=unknown.to_numpy())
    if named is not None and "name" in named:
        given = dict(zip(identifier(named["municipality_id"]), named["name"], strict=False))
        names = names.map(lambda code: given.get(code) or code)
    keys = municipality_key(stored["name"])
    single = keys[~keys.duplicated(keep=False)]
    by_key = dict(zip(single, stored.loc[single.index, "municipality_id"], strict=True))
    found = {
        code: by_key[key]
        for code, key in zip(names.index, municipality_key(names), strict=True)
        if key in by_key
    }
    _remap(frames, "municipality_id", found)
    if named is not None and found:
        stored_names = dict(zip(stored["municipality_id"], stored["name"], strict=True))
        frame = frames["municipalities"]
        matched = frame["municipality_id"].isin(list(found.values()))
        frame.loc[matched, "name"] = frame.loc[matched, "municipality_id"].map(stored_names)
        # Two spellings of one municipality («г. Тестоград», «Тестоград») are one row now.
        first = ~frame["municipality_id"].duplicated().to_numpy()
        src = source_of(frame, TABLES["municipalities"])
        kept = frame[first].reset_index(drop=True)
        kept.attrs.update(frame.attrs)
        kept.attrs["source"] = dataclasses.replace(
            src, rows=tuple(src.row(int(i)) for i in np.flatnonzero(first))
        )
        frames["municipalities"] = kept
    identity.municipalities = len(set(found.values()))
    identity.new_municipalities = [str(names[c]) for c in names.index if c not in found]


def resolve(
    frames: dict[str, pd.DataFrame],
    con: duckdb.DuckDBPyConnection,
    by_name: bool = False,
) -> tuple[dict[str, pd.DataFrame], Identity, list[Problem]]:
    """The frames with every school (and, `by_name`, municipality) the database has under
    another code given its stored code; the report; and a problem per school that matches
    more than one stored school."""
    frames = dict(frames)
    identity = Identity()
    stored = _stored(con, "schools")
    if stored.empty:
        return frames, identity, []
    places = _stored(con, "municipalities") if by_name else pd.DataFrame()
    if by_name:
        _municipalities(frames, places, identity)
    codes = [identifier(f["school_id"]) for f in frames.values() if "school_id" in f]
    if not codes:
        return frames, identity, []
    incoming = pd.concat(codes, ignore_index=True).dropna().drop_duplicates()
    stored_codes = stored["school_id"].astype(str)
    unknown = incoming[~incoming.isin(stored_codes)]
    if unknown.empty:
        return frames, identity, []

    # What the files say about each unknown school: its row in the schools table, if any.
    schools = frames.get("schools")
    about = pd.DataFrame({"code": unknown.to_numpy()})
    if schools is not None:
        own = schools.assign(code=identifier(schools["school_id"])).drop_duplicates("code")
        about = about.merge(own.drop(columns="school_id"), on="code", how="left")

    pairs = []  # (code, stored school_id, way)
    for column, way in IDENTIFIERS.items():
        if column not in stored:
            continue
        known = pd.DataFrame(
            {"value": identifier(stored[column]), "school_id": stored["school_id"]}
        ).dropna()
        probes = [about["code"]]
        if column in about:
            probes.append(identifier(about[column]))
        for probe in probes:
            hit = pd.DataFrame({"code": about["code"], "value": probe}).dropna()
            hit = hit.merge(known, on="value")
            pairs += [(c, s, way) for c, s in zip(hit["code"], hit["school_id"], strict=True)]
    can_name = by_name and "name" in about and "municipality_id" in about
    if can_name:
        known = stored.assign(
            key=school_key(stored["name"]), m=stored["municipality_id"].astype(str)
        )
        probe = about.assign(key=school_key(about["name"]), m=identifier(about["municipality_id"]))
        by_words = probe[["code", "key", "m"]].dropna().merge(known, on=["key", "m"])
        # Failing that, without the place: «СОШ № 1» is «МБОУ «СОШ № 1» г. Тарумск».
        known = known.assign(key=_without_place(known["key"], known["m"], places))
        rest = probe[~probe["code"].isin(by_words["code"])]
        rest = rest.assign(key=_without_place(rest["key"], rest["m"], places))
        by_place = rest[["code", "key", "m"]].dropna().merge(known, on=["key", "m"])
        found = pd.concat([by_words, by_place], ignore_index=True)
        name_pairs = list(zip(found["code"], found["school_id"], strict=True))
    else:
        name_pairs = []

    stored_names = dict(zip(stored["school_id"], stored["name"], strict=True))
    matched: dict[str, tuple[str, str]] = {}
    doubtful: dict[str, list[str]] = {}
    ids = pd.DataFrame(pairs, columns=["code", "school_id", "way"]).drop_duplicates(
        ["code", "school_id"]
    )
    named = {}
    for code, school in name_pairs:
        named.setdefault(code, set()).add(school)
    # Each code's hits at once: a file of thousands of schools is not scanned per school.
    by_code = {code: hits for code, hits in ids.groupby("code", sort=False)}
    nothing = ids.iloc[0:0]
    for code in about["code"]:
        hits = by_code.get(code, nothing)
        candidates = list(dict.fromkeys(hits["school_id"]))
        if len(candidates) > 1 and code in named:  # branches share their parent's ОГРН
            candidates = [c for c in candidates if c in named[code]] or candidates
        if len(candidates) == 1:
            matched[code] = (candidates[0], hits["way"].iloc[0])
        elif not candidates and len(named.get(code, ())) == 1:
            matched[code] = (next(iter(named[code])), BY_NAME)
        elif candidates or named.get(code):
            doubtful[code] = sorted(candidates or named[code])
    # Two of the file's schools found as one stored school: neither is taken for it.
    targets = pd.Series({c: s for c, (s, _) in matched.items()}, dtype=object)
    for code in targets[targets.duplicated(keep=False)].index:
        doubtful[code] = [matched.pop(code)[0]]

    names = dict(zip(about["code"], about.get("name", about["code"]), strict=True))
    problems = []
    for code, candidates in doubtful.items():
        listed = ", ".join(f"{c} «{stored_names.get(c, '')}»" for c in candidates)
        label = f"{names.get(code) or code} ({code})"
        identity.ambiguous.append(label)
        message = (
            f"школа {label} подходит к нескольким школам базы или к той же, что другая школа "
            f"файла: {listed}; укажите в файле код школы"
        )
        problems.append(_problem(frames, code, message))
    for _school, way in matched.values():
        identity.found[way] = identity.found.get(way, 0) + 1
    identity.found = dict(sorted(identity.found.items(), key=lambda kv: -kv[1]))
    if schools is not None:
        identity.new = [
            str(names.get(c) or c) for c in about["code"] if c not in matched and c not in doubtful
        ]
    _remap(frames, "school_id", {c: s for c, (s, _) in matched.items()})
    if schools is not None and matched and "name" in schools:
        frame = frames["schools"]
        hit = frame["school_id"].isin([s for s, _ in matched.values()])
        frame.loc[hit, "name"] = frame.loc[hit, "school_id"].map(stored_names)
    return frames, identity, problems


def _problem(frames: dict[str, pd.DataFrame], code: str, message: str) -> Problem:
    """The error about a school that could not be told apart, at its first row in the files
    (the schools table's, if it has one)."""
    order = ["schools", *(n for n in frames if n != "schools")]
    for name in order:
        frame = frames.get(name)
        if frame is None or "school_id" not in frame:
            continue
        where = (identifier(frame["school_id"]) == code).fillna(False).to_numpy()
        if where.any():
            src = source_of(frame, TABLES[name])
            column = TABLES[name].column("school_id").label
            row = src.row(int(where.argmax()))
            return Problem(
                "ошибка",
                name,
                src.file,
                src.sheet,
                row,
                column,
                message,
                "школа подходит к нескольким школам базы",
            )
    return Problem(
        "ошибка", "", "", "", None, "", message, "школа подходит к нескольким школам базы"
    )
