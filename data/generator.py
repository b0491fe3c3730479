"""A deterministic generator of the fictional demo region «Республика Тарум»."""

from __future__ import annotations

import calendar
import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit, ndtr, ndtri

from analytics import grouping

VERSION = "7"
REGION = "Республика Тарум"
YEARS = tuple(range(2019, 2026))
PROGRAMME_YEARS = tuple(range(2021, 2026))
CATALOG = Path(__file__).with_name("roadmap_catalog.csv")
BOUNDARIES = Path(__file__).with_name("mark_boundaries.csv")

CAPITAL = "г. Тарумск"
TOWNS = [
    "г. Каменогорск",
    "г. Приозёрск",
    "г. Нефтекаменск",
    "г. Сулакогорск",
    "г. Дагорск",
    "г. Южносулакск",
    "г. Берёзовогорск",
    "г. Солнцегорск",
    "г. Каспиегорск",
    "г. Ветрогорск",
]
DISTRICTS = [
    "Алатауский",
    "Карасуйский",
    "Тереклинский",
    "Сулакский",
    "Бегентинский",
    "Кахибский",
    "Курминский",
    "Шуринский",
    "Аргунский",
    "Теркский",
    "Манасский",
    "Гунибский",
    "Хунзахский",
    "Ахтынский",
    "Рутульский",
    "Цунтинский",
    "Ботлихский",
    "Чародинский",
    "Левашинский",
    "Кизилюртский",
    "Бабаюртский",
    "Тляратинский",
    "Акушинский",
    "Агульский",
    "Хивский",
    "Табасаранский",
    "Лакский",
    "Кулинский",
    "Цумадинский",
    "Сергокалинский",
    "Карабудахский",
    "Новолакский",
    "Казбековский",
    "Дахадаевский",
    "Унцукульский",
    "Гергебильский",
    "Кайтагский",
    "Докузпаринский",
    "Магарамкентский",
    "Буйнакский",
]
VILLAGE_ROOTS = [
    "Верхнеаул",
    "Нижнеаул",
    "Кара",
    "Ак",
    "Сары",
    "Тау",
    "Кизил",
    "Чиркей",
    "Гуни",
    "Ахты",
    "Мехельт",
    "Цовкр",
    "Хосрех",
    "Кумух",
    "Уркарах",
    "Гапшим",
    "Мекег",
    "Хаджал",
    "Урма",
    "Кубач",
    "Харбук",
    "Шангод",
    "Тлох",
    "Анди",
    "Гагатл",
    "Ботлих",
    "Тинди",
    "Кванад",
    "Хуштад",
    "Чох",
    "Согратл",
    "Ругудж",
    "Кегер",
    "Обох",
    "Салта",
    "Гергеб",
    "Аймаки",
    "Уллубий",
    "Кака",
    "Зубут",
    "Дылым",
    "Алмак",
    "Инчха",
    "Чирката",
    "Гимры",
    "Унцукуль",
    "Хариколо",
    "Ирганай",
]
VILLAGE_SUFFIXES = ["инская", "ская", "овская", "инская"]
SURNAMES = [
    "Абдуллаев",
    "Магомедов",
    "Алиев",
    "Гасанов",
    "Исаев",
    "Омаров",
    "Рамазанов",
    "Сулейманов",
    "Иванов",
    "Петров",
    "Кузнецов",
    "Смирнов",
    "Васильев",
    "Павлов",
    "Семёнов",
    "Гаджиев",
    "Курбанов",
    "Юсупов",
    "Шамилов",
    "Ибрагимов",
    "Мусаев",
    "Бабаев",
    "Нуриев",
    "Керимов",
]
FIRST_F = [
    "Патимат",
    "Марина",
    "Заира",
    "Светлана",
    "Аминат",
    "Ольга",
    "Саида",
    "Елена",
    "Мадина",
    "Ирина",
]
FIRST_M = ["Магомед", "Алексей", "Руслан", "Сергей", "Шамиль", "Андрей", "Расул", "Николай"]
PATRONYMIC_F = [
    "Магомедовна",
    "Ивановна",
    "Алиевна",
    "Петровна",
    "Гасановна",
    "Сергеевна",
    "Омаровна",
]
PATRONYMIC_M = ["Магомедович", "Иванович", "Алиевич", "Петрович", "Гасанович", "Сергеевич"]

# (exam, subject, grade, max primary score or None for the 0–100 scale, difficulty offset,
#  share of the cohort taking it)
PROCEDURES = [
    ("ВПР", "Русский язык", 4, 38, 0.0, 0.93),
    ("ВПР", "Математика", 4, 20, 0.1, 0.94),
    ("ВПР", "Окружающий мир", 4, 32, 0.2, 0.93),
    *[
        p
        for g in (5, 6, 7, 8)
        for p in (
            ("ВПР", "Русский язык", g, 45 + g, -0.1, 0.91),
            ("ВПР", "Математика", g, 20, -0.05 * g + 0.1, 0.91),
            ("ВПР", "Биология", g, 22 + g, 0.1, 0.45),
        )
    ],
    ("ОГЭ", "Русский язык", 9, 33, 0.05, 0.97),
    ("ОГЭ", "Математика", 9, 31, -0.1, 0.97),
    ("ОГЭ", "Обществознание", 9, 37, -0.2, 0.55),
    ("ОГЭ", "Биология", 9, 48, -0.2, 0.3),
    ("ЕГЭ", "Русский язык", 11, None, 0.0, 1.0),
    ("ЕГЭ", "Математика (профильная)", 11, None, -0.3, 0.45),
    ("ЕГЭ", "Обществознание", 11, None, -0.35, 0.5),
    ("ЕГЭ", "Биология", 11, None, -0.35, 0.2),
]
EGE_MINIMUM = {
    "Русский язык": 24,
    "Математика (профильная)": 27,
    "Обществознание": 42,
    "Биология": 36,
}
# Ability cut points (pupil SD units) between marks 2|3, 3|4, 4|5.
MARK_CUTS = np.array([-1.25, -0.15, 0.95])

# The demo's own ВПР (its maximum primary scores above are the demo's, not today's federal
# ones): the primary scores that earn «3», «4» and «5», valid from the first year. The pupils'
# primary scores are planted for these procedures in DISTRIBUTION_YEARS (the main subjects and
# grades only, to keep the table and the demo build small); data/mark_boundaries.csv adds the
# federal boundaries found for later years.
DEMO_BOUNDARIES = {
    ("ВПР", "Русский язык", 4): (14, 24, 33),
    ("ВПР", "Математика", 4): (6, 10, 14),
    ("ВПР", "Русский язык", 5): (18, 29, 40),
    ("ВПР", "Математика", 5): (7, 11, 15),
}
DISTRIBUTION_YEARS = (2023, 2024, 2025)
# Bunching: a pupil one or two points below a boundary is pushed to it (or one above) with
# this chance at a school planted with it.
BUNCHING_PUSH = 0.75

RISK_FACTORS = {
    1: "низкий уровень оснащения школы",
    2: "дефицит педагогических кадров",
    3: "недостаточная предметная и методическая компетентность педагогических работников",
    4: "риски низкой адаптивности учебного и воспитательного процесса",
    5: "несформированность внутришкольной системы повышения квалификации",
    6: "высокая доля обучающихся с рисками учебной неуспешности",
    7: "низкое качество преодоления языковых и культурных барьеров",
    8: "пониженный уровень качества школьной образовательной и воспитательной среды",
    9: "низкий уровень дисциплины в классе",
    10: "низкий уровень вовлечённости родителей",
}
FACTOR_9_FROM_2023 = "высокая доля обучающихся с ограниченными возможностями здоровья"
FACTOR_11 = "низкая учебная мотивация обучающихся"
ARCHETYPES = {
    "staff": ("Кадровый дефицит", (2, 3, 5)),
    "language": ("Языковой и культурный барьер", (7, 10, 8)),
    "failure": ("Учебная неуспешность и низкая мотивация", (6, 11, 4)),
    "equipment": ("Оснащение и удалённость", (1, 2, 8)),
    "disability": ("ОВЗ и дисциплина", (9, 8, 4)),
    "multiple": ("Много рисков", ()),
}
INDICATORS = [
    ("rus_mean_mark", "Средняя отметка по русскому языку", "балл", True),
    ("math_mean_mark", "Средняя отметка по математике", "балл", True),
    ("rus_share_2", "Доля «2» по русскому языку", "доля", False),
    ("math_share_2", "Доля «2» по математике", "доля", False),
    ("high_risks", "Число факторов высокого риска", "шт.", False),
]

TABLE_ORDER = (
    "municipalities",
    "schools",
    "exam_results",
    "procedure_thresholds",
    "mark_boundaries",
    "score_distributions",
    "official_objectivity_markers",
    "term_marks",
    "social_passport",
    "staff",
    "olympiads_continuation",
    "risk_factors",
    "risk_profiles",
    "curators",
    "programme_membership",
    "monitoring_indicators",
    "monitoring_stages",
    "roadmap_events",
    "demo_truth",
    "region_info",
)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out


def _municipalities(rng: np.random.Generator, n_schools: int) -> pd.DataFrame:
    n = max(3, round(n_schools / 27.5))
    n_towns = max(1, round(n * 0.2))
    n_mountain = max(1, round(n * 0.28))
    n_rural = max(1, n - 1 - n_towns - n_mountain)
    towns = [TOWNS[i % len(TOWNS)] for i in range(n_towns)]
    districts = [f"{DISTRICTS[i % len(DISTRICTS)]} район" for i in range(n_rural + n_mountain)]
    names = _unique([CAPITAL, *towns, *districts])
    kinds = (
        ["столица"]
        + ["город"] * n_towns
        + ["сельский район"] * n_rural
        + ["горный район"] * n_mountain
    )
    lat = np.where(
        np.array(kinds) == "горный район",
        rng.uniform(41.6, 42.8, len(kinds)),
        rng.uniform(42.5, 44.4, len(kinds)),
    )
    lon = np.where(
        np.array(kinds) == "горный район",
        rng.uniform(45.6, 47.4, len(kinds)),
        rng.uniform(46.5, 48.3, len(kinds)),
    )
    lat[0], lon[0] = 42.98, 47.5
    return pd.DataFrame(
        {
            "municipality_id": [f"M{i + 1:03d}" for i in range(len(names))],
            "name": names,
            "kind": kinds,
            "center_lat": np.round(lat, 4),
            "center_lon": np.round(lon, 4),
        }
    )


def _schools(rng: np.random.Generator, mun: pd.DataFrame, n_schools: int) -> pd.DataFrame:
    weight = mun["kind"].map(
        {"столица": 0.25, "город": 0.2, "сельский район": 0.35, "горный район": 0.2}
    )
    weight = weight / mun.groupby("kind")["kind"].transform("size")
    counts = rng.multinomial(n_schools, (weight / weight.sum()).to_numpy())
    counts = np.maximum(counts, 1)
    counts[0] += n_schools - counts.sum()
    m_idx = np.repeat(np.arange(len(mun)), counts)
    kind = mun["kind"].to_numpy()[m_idx]
    n = len(m_idx)
    u = rng.random(n)
    settlement = np.where(
        np.isin(kind, ["столица", "город"]),
        "город",
        np.where(
            (kind == "сельский район") & (u < 0.25) | (kind == "горный район") & (u < 0.08),
            "посёлок",
            "село",
        ),
    )
    u = rng.random(n)
    city = settlement == "город"
    programme = np.full(n, "обычная", dtype=object)
    programme[city & (u < 0.07)] = "лицей"
    programme[city & (u >= 0.07) & (u < 0.13)] = "гимназия"
    programme[city & (u >= 0.13) & (u < 0.18)] = "СОШ с УИОП"
    programme[(settlement == "посёлок") & (u < 0.04)] = "гимназия"
    programme[(settlement == "село") & (u < 0.01)] = "лицей"
    median = np.select(
        [city, settlement == "посёлок", kind == "горный район"], [850, 420, 110], default=210
    )
    pupils = np.round(median * rng.lognormal(0, 0.45, n)).astype(int)
    pupils = np.where(
        city,
        np.clip(pupils, 300, 1900),
        np.where(settlement == "посёлок", np.clip(pupils, 120, 1100), np.clip(pupils, 14, 600)),
    )
    # Mountain hamlets keep tiny schools with a handful of pupils per grade.
    hamlet = (kind == "горный район") & (settlement == "село") & (rng.random(n) < 0.15)
    pupils = np.where(hamlet, rng.integers(14, 46, n), pupils)
    u = rng.random(n)
    level = np.where(
        pupils < 45,
        np.where(u < 0.4, "НОШ", np.where(u < 0.85, "ООШ", "СОШ")),
        np.where(pupils < 120, np.where(u < 0.45, "ООШ", "СОШ"), np.where(u < 0.04, "ООШ", "СОШ")),
    )
    level = np.where(programme != "обычная", "СОШ", level)
    distance = np.select(
        [city, settlement == "посёлок", kind == "горный район"],
        [rng.uniform(0.3, 6, n), rng.uniform(4, 40, n), rng.uniform(8, 115, n)],
        default=rng.uniform(3, 65, n),
    )
    angle = rng.uniform(0, 2 * np.pi, n)
    lat = mun["center_lat"].to_numpy()[m_idx] + distance / 111 * np.sin(angle)
    lon = mun["center_lon"].to_numpy()[m_idx] + distance / 81 * np.cos(angle)
    no_coords = rng.random(n) < 0.08
    names, shorts = _school_names(rng, mun, m_idx, settlement, programme, level)
    return pd.DataFrame(
        {
            "school_id": [
                f"S{i + 1:05d}" if n_schools >= 10000 else f"S{i + 1:04d}" for i in range(n)
            ],
            "name": names,
            "short_name": shorts,
            "municipality_id": mun["municipality_id"].to_numpy()[m_idx],
            "settlement_type": settlement,
            "school_level": level,
            "programme_type": programme,
            "pupils": pupils.astype(int),
            "is_small": pupils < 100,
            "distance_km": np.round(distance, 1),
            "lat": np.where(no_coords, np.nan, np.round(lat, 4)),
            "lon": np.where(no_coords, np.nan, np.round(lon, 4)),
            **_identifiers(n),
        }
    )


def _identifiers(n: int) -> dict[str, list[str]]:
    """How federal files name the schools: a ФИС ОКО login, an ОГРН and an ИНН with valid
    check digits (invented numbers of region 05, made without the random generator)."""
    ogrn, inn = [], []
    for i in range(1, n + 1):
        base = f"10205{i:07d}"
        ogrn.append(base + str(int(base) % 11 % 10))
        digits = f"0500{i:05d}"
        weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
        inn.append(
            digits + str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)
        )
    return {"fis_login": [f"edu05{i:05d}" for i in range(1, n + 1)], "ogrn": ogrn, "inn": inn}


def _school_names(rng, mun, m_idx, settlement, programme, level):
    mun_names = mun["name"].to_numpy()
    names, shorts = [], []
    numbers: dict[tuple[int, str], int] = {}
    villages: dict[int, int] = {}
    for i, m in enumerate(m_idx):
        kind = {
            "обычная": "СОШ",
            "лицей": "Лицей",
            "гимназия": "Гимназия",
            "СОШ с УИОП": "СОШ с УИОП",
        }[programme[i]]
        if programme[i] == "обычная":
            kind = {"НОШ": "НОШ", "ООШ": "ООШ", "СОШ": "СОШ"}[level[i]]
        place = mun_names[m]
        if settlement[i] == "город":
            key = (m, "Лицей" if kind == "Лицей" else "Гимназия" if kind == "Гимназия" else "СОШ")
            numbers[key] = numbers.get(key, 0) + 1
            number = numbers[key]
            city = place.removeprefix("г. ")
            names.append(f"МБОУ «{kind} № {number}» г. {city}")
            shorts.append(f"{kind} № {number}, {city}")
        else:
            villages[m] = villages.get(m, 0) + 1
            k = villages[m] - 1
            root = VILLAGE_ROOTS[(k + 7 * m) % len(VILLAGE_ROOTS)]
            suffix = VILLAGE_SUFFIXES[(k // len(VILLAGE_ROOTS) + m) % len(VILLAGE_SUFFIXES)]
            if root[-1] in "аеиоуыя":
                root = root[:-1]
            adjective = f"{root}{suffix}"
            if k >= len(VILLAGE_ROOTS) * len(VILLAGE_SUFFIXES):
                adjective += f" № {k // (len(VILLAGE_ROOTS) * len(VILLAGE_SUFFIXES)) + 1}"
            district = place.replace(" район", "").removesuffix("ий") + "ого района"
            if place.startswith("г. "):
                district = place
            names.append(f"МКОУ «{adjective.capitalize()} {kind}» {district}")
            shorts.append(f"{adjective.capitalize()} {kind}")
    return _unique(names), shorts


def _pick(rng: np.random.Generator, candidates: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(candidates))
    return np.sort(rng.choice(candidates, size=k, replace=False)) if k else np.array([], dtype=int)


def _beta(rng, n, mean, strength=20.0):
    mean = np.clip(mean, 0.002, 0.998)
    return rng.beta(mean * strength, (1 - mean) * strength, n)


def generate_region(
    seed: int = 2025,
    n_schools: int = 1100,
    as_of: date = date(2026, 11, 1),
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate the demo region: one frame per table of sql/schema/base.sql.

    Parameters
    ----------
    seed : the only source of randomness; the same arguments give byte-identical frames.
    n_schools : size of the region (about 1,100 by default; 30 to 40,000 work).
    as_of : the "today" of roadmap statuses (never the wall clock, for determinism).
    progress : called as progress(russian_step, fraction) a few times.

    Returns
    -------
    dict of table name → DataFrame with the schema's columns in order, sorted by the key.

    Examples
    --------
    >>> frames = generate_region(n_schools=30)
    >>> sorted(frames) == sorted(TABLE_ORDER)
    True
    """
    step = progress or (lambda _m, _f: None)
    rng = np.random.default_rng(seed)
    step("Муниципалитеты и школы", 0.0)
    mun = _municipalities(rng, n_schools)
    schools = _schools(rng, mun, n_schools)
    n = len(schools)
    kind = mun.set_index("municipality_id")["kind"].reindex(schools["municipality_id"]).to_numpy()
    mountain = kind == "горный район"
    village = schools["settlement_type"].to_numpy() == "село"
    pupils = schools["pupils"].to_numpy()
    programme = schools["programme_type"].to_numpy()
    level = schools["school_level"].to_numpy()

    # Latent disadvantage D (higher = worse off) and the school's own effect on results.
    base = (
        pd.Series(kind)
        .map({"столица": -0.7, "город": -0.25, "сельский район": 0.3, "горный район": 0.75})
        .to_numpy()
    )
    disadvantage = base + 0.25 * village + rng.normal(0, 0.55, n)
    bonus = (
        pd.Series(programme)
        .map({"обычная": 0.0, "лицей": 0.65, "гимназия": 0.55, "СОШ с УИОП": 0.4})
        .to_numpy()
    )
    effect = rng.normal(0, 0.22, n)
    worst_quartile = disadvantage >= np.quantile(disadvantage, 0.75)
    effect = np.where(worst_quartile, np.minimum(effect, 0.3), effect)

    ordinary = programme == "обычная"
    big = (pupils >= 250) & (level == "СОШ")
    free = np.ones(n, dtype=bool)
    resilient = _pick(
        rng,
        # Clearly unfavourable context (the worst ~12 %), so that the social passport shows it.
        np.flatnonzero(
            (disadvantage >= np.quantile(disadvantage, 0.88))
            & ordinary
            & (pupils >= 150)
            & (level == "СОШ")
        ),
        round(n * 0.027),
    )
    free[resilient] = False
    inflated = _pick(rng, np.flatnonzero(free & ordinary & (pupils >= 120)), round(n * 0.03))
    free[inflated] = False
    improving = _pick(rng, np.flatnonzero(free & big & ~worst_quartile), round(n * 0.036))
    free[improving] = False
    declining = _pick(rng, np.flatnonzero(free & big & ~worst_quartile), round(n * 0.036))
    free[declining] = False
    effect[resilient] = 0.9
    # Bunching at mark boundaries: most schools with inflated ВПР and a few others, large
    # enough to have primary scores worth judging; its own random stream.
    brng = np.random.default_rng(seed + 11)
    big_inflated = inflated[pupils[inflated] >= 250]
    bunching = np.sort(
        np.concatenate(
            [
                _pick(brng, big_inflated, round(len(big_inflated) * 0.8)),
                _pick(brng, np.flatnonzero(free & ordinary & (pupils >= 400)), round(n * 0.008)),
            ]
        )
    ).astype(int)
    bunching_mask = np.zeros(n, dtype=bool)
    bunching_mask[bunching] = True
    trend = np.zeros(n)
    trend[improving] = 0.12
    trend[declining] = -0.12

    years = np.array(YEARS)
    drift = np.cumsum(rng.normal(0, 0.04, (n, len(years))), axis=1)
    d_year = disadvantage[:, None] + drift  # (school, year)
    mu_year = (
        -0.45 * d_year + bonus[:, None] + effect[:, None] + trend[:, None] * (years - 2022)[None, :]
    )

    # «500+» membership from 2021: mostly the weakest schools, many staying 2–3 years.
    step("Программы и рисковые профили", 0.15)
    sizes = {
        year: max(2, round(n * share))
        for year, share in zip(PROGRAMME_YEARS, (0.045, 0.05, 0.055, 0.05, 0.047), strict=True)
    }
    members: dict[int, np.ndarray] = {}
    weakness = -(mu_year[:, 1] + rng.normal(0, 0.25, n))
    weakness[resilient] = -np.inf
    previous = np.array([], dtype=int)
    for year in PROGRAMME_YEARS:
        stay = previous[rng.random(len(previous)) < 0.65] if len(previous) else previous
        order = np.argsort(-weakness, kind="stable")
        per_year = sizes[year]
        stay = stay[:per_year]
        staying = set(stay.tolist())
        fresh = [i for i in order[: per_year * 3] if i not in staying][: per_year - len(stay)]
        previous = np.sort(np.concatenate([stay, np.array(fresh, dtype=int)])).astype(int)
        members[year] = previous
        weakness[previous] -= 0.2  # those who took part have been helped a little
    in_500 = np.unique(np.concatenate(list(members.values())))
    archetype_keys = list(ARCHETYPES)
    archetype = np.full(n, "", dtype=object)
    archetype[in_500] = np.array(archetype_keys, dtype=object)[
        rng.integers(0, len(archetype_keys), len(in_500))
    ]
    mu_year[archetype == "failure"] -= 0.15

    # Social passport per school-year, shaped by D and by the «500+» archetype.
    step("Социальный паспорт и кадры", 0.3)
    noise = lambda s=0.25: rng.normal(0, s, (n, len(years)))  # noqa: E731
    lang = (archetype == "language")[:, None]
    disab = (archetype == "disability")[:, None]
    shares = {
        "share_parents_higher_ed": expit(-0.6 - 0.9 * d_year + noise()),
        "share_single_parent": expit(-1.7 + 0.25 * d_year + noise()),
        "share_low_income": expit(-1.6 + 0.9 * d_year + noise()),
        "share_large_family": expit(-1.0 + 0.6 * d_year + 0.6 * mountain[:, None] + noise()),
        "share_registered": expit(-4.2 + 0.4 * d_year + noise(0.35)),
        "share_non_native": expit(
            -1.8 + 1.4 * d_year + 2.0 * mountain[:, None] + 1.5 * lang + noise(0.4)
        ),
        "share_disabled": expit(-3.1 + 0.25 * d_year + 1.3 * disab + noise()),
        "share_difficult_situation": expit(-3.8 + 0.6 * d_year + noise(0.35)),
    }
    sid = schools["school_id"].to_numpy()
    pupils_year = np.maximum(
        5, np.round(pupils[:, None] * (1 + np.cumsum(rng.normal(0, 0.03, (n, len(years))), axis=1)))
    ).astype(int)
    passport = pd.DataFrame(
        {
            "school_id": np.repeat(sid, len(years)),
            "year": np.tile(years, n),
            "pupils": pupils_year.ravel(),
        }
    )
    for column, values in shares.items():
        flat = np.round(values.ravel(), 4)
        flat[rng.random(flat.size) < 0.02] = np.nan
        passport[column] = flat

    staff_arch = np.isin(archetype, ["staff", "equipment"])[:, None]
    rural = (~(schools["settlement_type"].to_numpy() == "город"))[:, None]
    teachers = np.maximum(
        2, np.round(pupils_year / 12 + 3 + rng.normal(0, 2, (n, len(years))))
    ).astype(int)
    young = expit(-1.5 - 0.4 * rural - 0.6 * staff_arch + noise(0.3))
    old = expit(-1.4 + 0.5 * rural + 0.9 * staff_arch + noise(0.3))
    total = young + old
    scale = np.where(total > 0.85, 0.85 / total, 1.0)
    young, old = np.round(young * scale, 4), np.round(old * scale, 4)
    staff = pd.DataFrame(
        {
            "school_id": np.repeat(sid, len(years)),
            "year": np.tile(years, n),
            "teachers": teachers.ravel(),
            "share_highest_category": np.round(
                expit(-0.9 - 0.35 * d_year + 1.5 * bonus[:, None] - 0.6 * staff_arch + noise()), 4
            ).ravel(),
            "share_higher_ped_ed": np.round(
                expit(1.6 - 0.3 * d_year - 0.6 * staff_arch + noise()), 4
            ).ravel(),
            "share_age_under_35": young.ravel(),
            "share_age_35_55": np.round(1 - young - old, 4).ravel(),
            "share_age_55_plus": old.ravel(),
            "vacancies": rng.poisson(
                0.2 + 0.6 * rural + 2.2 * staff_arch + 0.002 * pupils_year
            ).ravel(),
        }
    )

    step("Результаты оценочных процедур", 0.45)
    inflated_mask = np.zeros(n, dtype=bool)
    inflated_mask[inflated] = True
    cohort = np.maximum(0, pupils_year / 11 * rng.lognormal(0, 0.12, (n, len(years))))
    continuation = np.clip(expit(0.1 + 0.7 * mu_year - 0.2 * d_year + noise(0.2)), 0.2, 0.9)
    exam_frames, term_frames, score_frames = [], [], []
    has_grade = {
        "ВПР4": np.ones(n, dtype=bool),
        "ВПР": level != "НОШ",
        "ОГЭ": level != "НОШ",
        "ЕГЭ": level == "СОШ",
    }
    for yi, year in enumerate(years):
        for exam, subject, grade, max_score, offset, take in PROCEDURES:
            if exam == "ОГЭ" and year == 2020:
                continue  # ОГЭ was not held in 2020
            if exam == "ВПР" and year == 2020 and grade == 4:
                continue  # ВПР 2020 moved to autumn and tested grades 5–9 only
            eligible = has_grade["ВПР4" if (exam == "ВПР" and grade == 4) else exam]
            size = cohort[:, yi] * (continuation[:, yi] * 0.95 if exam == "ЕГЭ" else 1.0)
            participants = rng.binomial(np.round(size).astype(int), take) * eligible
            keep = participants > 0
            idx = np.flatnonzero(keep)
            k = participants[keep]
            mu = mu_year[keep, yi] + offset - (0.12 if (exam == "ВПР" and year == 2020) else 0.0)
            mu = (
                mu + rng.normal(0, 0.03) + rng.normal(0, 0.05, len(idx))
            )  # year and school-year noise
            if exam == "ВПР":
                mu = mu + 0.8 * inflated_mask[keep]
            frame = {
                "school_id": sid[idx],
                "year": year,
                "exam": exam,
                "subject": subject,
                "grade": grade,
                "participants": k,
            }
            if exam == "ЕГЭ":
                # Each pupil's score ≈ 58 + 15·ability (ability ~ N(μ, 1)): the school's mean
                # and its shares below the minimum and of 81 and above come from the same
                # pupils, as in a real protocol.
                pupil = 58 + 15 * (np.repeat(mu, k) + rng.normal(0, 1, int(k.sum())))
                starts = np.concatenate([[0], np.cumsum(k)[:-1]])
                score_mean = np.clip(np.add.reduceat(pupil, starts) / k, 18, 98)
                below = np.add.reduceat(pupil < EGE_MINIMUM[subject], starts) / k
                high = np.add.reduceat(pupil >= 81, starts) / k
                frame.update(
                    mean_score=np.round(score_mean, 2),
                    share_2=np.nan,
                    share_3=np.nan,
                    share_4=np.nan,
                    share_5=np.nan,
                    share_below_min=np.round(below, 4),
                    share_81plus=np.round(high, 4),
                )
            else:
                cdf = ndtr(MARK_CUTS[None, :] - mu[:, None])
                probs = np.diff(
                    np.column_stack([np.zeros(len(idx)), cdf, np.ones(len(idx))]), axis=1
                )
                counts = rng.multinomial(k, probs)
                if (exam, subject, grade) in DEMO_BOUNDARIES and year in DISTRIBUTION_YEARS:
                    srng = np.random.default_rng([seed, 13, year, grade, len(subject)])
                    counts, scores = _primary_scores(
                        srng,
                        counts,
                        mu,
                        DEMO_BOUNDARIES[(exam, subject, grade)],
                        max_score,
                        bunching_mask[idx],
                    )
                    score_frames.append(
                        scores.assign(
                            school_id=sid[idx][scores.pop("row")],
                            year=year,
                            exam=exam,
                            subject=subject,
                            grade=grade,
                        )
                    )
                marks = counts / k[:, None]
                mean_mark = marks @ np.array([2, 3, 4, 5])
                score = max_score * np.clip(
                    0.2 + 0.2 * (mean_mark - 2) + rng.normal(0, 0.02, len(idx)) / np.sqrt(k),
                    0.02,
                    1,
                )
                rounded = np.round(marks, 4)
                fix = np.argmax(rounded, axis=1)
                rounded[np.arange(len(idx)), fix] += 1 - rounded.sum(axis=1)
                frame.update(
                    mean_score=np.round(score, 2),
                    share_2=np.round(rounded[:, 0], 4),
                    share_3=np.round(rounded[:, 1], 4),
                    share_4=np.round(rounded[:, 2], 4),
                    share_5=np.round(rounded[:, 3], 4),
                    share_below_min=np.nan,
                    share_81plus=np.nan,
                )
                if exam == "ВПР" and subject in ("Русский язык", "Математика"):
                    term_mu = mu_year[keep, yi] + offset + 0.3
                    term_cdf = ndtr(MARK_CUTS[None, :] - term_mu[:, None])
                    term = np.diff(
                        np.column_stack([np.zeros(len(idx)), term_cdf, np.ones(len(idx))]), axis=1
                    )
                    term = np.round(term, 4)
                    term[:, 1] += 1 - term.sum(axis=1)
                    above = np.where(
                        inflated_mask[keep],
                        rng.uniform(0.3, 0.5, len(idx)),
                        _beta(rng, len(idx), 0.08, 30),
                    )
                    below_t = np.minimum(_beta(rng, len(idx), 0.22, 30), 0.95 - above)
                    term_frames.append(
                        pd.DataFrame(
                            {
                                "school_id": sid[idx],
                                "year": year,
                                "exam": exam,
                                "subject": subject,
                                "grade": grade,
                                "participants": k,
                                "share_term_2": np.round(term[:, 0], 4),
                                "share_term_3": np.round(term[:, 1], 4),
                                "share_term_4": np.round(term[:, 2], 4),
                                "share_term_5": np.round(term[:, 3], 4),
                                "share_exam_below_term": np.round(below_t, 4),
                                "share_exam_above_term": np.round(above, 4),
                                "share_exam_equal_term": np.round(
                                    1 - np.round(below_t, 4) - np.round(above, 4), 4
                                ),
                            }
                        )
                    )
            exam_frames.append(pd.DataFrame(frame))
    exam_results = pd.concat(exam_frames, ignore_index=True)
    exam_results["pupil_sd"] = np.nan  # the demo states no spread: it is read from the shares
    term_marks = pd.concat(term_frames, ignore_index=True)[
        [
            "school_id",
            "year",
            "exam",
            "subject",
            "grade",
            "participants",
            "share_term_2",
            "share_term_3",
            "share_term_4",
            "share_term_5",
            "share_exam_below_term",
            "share_exam_equal_term",
            "share_exam_above_term",
        ]
    ]

    grade9 = np.where(level[:, None] != "НОШ", np.round(cohort), 0).astype(int)
    olympiads = pd.DataFrame(
        {
            "school_id": np.repeat(sid, len(years)),
            "year": np.tile(years, n),
            "share_olympiad": np.round(
                np.clip(
                    0.004
                    + 0.01 * (mu_year + 0.4)
                    + 0.08 * bonus[:, None]
                    + rng.normal(0, 0.003, (n, len(years))),
                    0,
                    0.2,
                ),
                4,
            ).ravel(),
            "grade9_leavers": grade9.ravel(),
            "share_continue_grade10": np.round(
                np.where(grade9 > 0, continuation, np.nan), 4
            ).ravel(),
        }
    )
    olympiads["grade9_leavers"] = (
        olympiads["grade9_leavers"].where(olympiads["grade9_leavers"] > 0).astype("Int64")
    )

    step("Рисковые профили, кураторы, мониторинг", 0.7)
    risk_factors = []
    for year in PROGRAMME_YEARS:
        for code, name in RISK_FACTORS.items():
            risk_factors.append(
                {
                    "year": year,
                    "factor_code": code,
                    "factor_name": FACTOR_9_FROM_2023 if (code == 9 and year >= 2023) else name,
                }
            )
        if year >= 2023:
            risk_factors.append({"year": year, "factor_code": 11, "factor_name": FACTOR_11})
    risk_factors = pd.DataFrame(risk_factors)
    profiles = []
    seen_years = np.zeros(n, dtype=int)
    for year in PROGRAMME_YEARS:
        codes = risk_factors.loc[risk_factors["year"] == year, "factor_code"].to_numpy()
        for i in members[year]:
            defining = ARCHETYPES[archetype[i]][1]
            for code in codes:
                if archetype[i] == "multiple":
                    p = (0.5, 0.35, 0.15)
                elif code in defining:
                    p = (0.8, 0.17, 0.03)
                else:
                    p = (0.04, 0.21, 0.75)
                level_i = rng.choice(3, p=p)
                if level_i == 0 and rng.random() < 0.12 * seen_years[i]:
                    level_i = 1  # risks ease with each year of support
                profiles.append(
                    (sid[i], year, int(code), ("высокий", "средний", "низкий")[level_i])
                )
            seen_years[i] += 1
    risk_profiles = pd.DataFrame(
        profiles, columns=["school_id", "year", "factor_code", "risk_level"]
    )

    # ШНОР lists by a noisy version of last year's results; ШНСУ by disadvantage and remoteness.
    membership = []
    for yi, year in enumerate(years):
        if year < 2020:
            continue
        noisy = mu_year[:, yi - 1] + rng.normal(0, 0.2, n)
        list_share = {2020: 0.1, 2021: 0.095, 2022: 0.09, 2023: 0.085, 2024: 0.08, 2025: 0.078}[
            year
        ]
        shnor = np.flatnonzero(noisy <= np.quantile(noisy, list_share))
        social = (
            d_year[:, yi]
            + 0.3 * (schools["distance_km"].to_numpy() > 50)
            + 0.3 * (pupils < 100)
            + rng.normal(0, 0.15, n)
        )
        shnsu = np.flatnonzero(social >= np.quantile(social, 0.86 + 0.004 * (year - 2020)))
        membership += [(sid[i], year, "ШНОР") for i in shnor]
        membership += [(sid[i], year, "ШНСУ") for i in shnsu]
        if year in members:
            membership += [(sid[i], year, "500+") for i in members[year]]
    membership = pd.DataFrame(membership, columns=["school_id", "year", "programme"])

    supported = np.flatnonzero(
        pd.Series(sid).isin(membership.loc[membership["programme"] != "ШНСУ", "school_id"])
    )
    n_curators = max(2, int(np.ceil(len(in_500) / 2.5)) + max(1, len(supported) // 12))
    curator_ids = [f"C{i + 1:03d}" for i in range(n_curators)]
    female = rng.random(n_curators) < 0.75

    def person(is_female: bool) -> str:
        first = FIRST_F if is_female else FIRST_M
        middle = PATRONYMIC_F if is_female else PATRONYMIC_M
        surname = SURNAMES[rng.integers(len(SURNAMES))] + ("а" if is_female else "")
        return f"{surname} {first[rng.integers(len(first))]} {middle[rng.integers(len(middle))]}"

    full_names = _unique([person(f) for f in female])
    school_mun = schools["municipality_id"].to_numpy()
    supported_muns = pd.Series(school_mun[supported]).value_counts().index.to_numpy()
    curator_mun = np.array(
        [supported_muns[i % len(supported_muns)] for i in range(n_curators)], dtype=object
    )
    organisations = np.where(
        rng.random(n_curators) < 0.4,
        f"ГБУ ДПО «Институт развития образования {REGION.replace('Республика', 'Республики')}»",
        "Муниципальная методическая служба",
    )
    curators = pd.DataFrame(
        {
            "curator_id": curator_ids,
            "full_name": full_names,
            "organisation": organisations,
            "municipality_id": curator_mun,
        }
    )
    by_mun = {
        m: [c for c, cm in zip(curator_ids, curator_mun, strict=True) if cm == m]
        for m in set(curator_mun)
    }
    school_curator = {}
    for i in supported:
        pool = by_mun.get(school_mun[i]) or curator_ids
        school_curator[sid[i]] = pool[int(rng.integers(len(pool)))]
    strength = mu_year.mean(axis=1)
    strong = pd.DataFrame(
        {
            "school_id": sid,
            "municipality_id": school_mun,
            "strength": strength,
            "ok": ~pd.Series(sid).isin(membership["school_id"]).to_numpy(),
        }
    )
    best = (
        strong[strong["ok"]]
        .sort_values("strength", ascending=False)
        .groupby("municipality_id")["school_id"]
        .first()
    )
    capital_best = (
        strong[strong["ok"] & (strong["municipality_id"] == mun["municipality_id"].iloc[0])]
        .nlargest(3, "strength")["school_id"]
        .tolist()
    )
    with_help = membership["programme"] != "ШНСУ"
    has_curator = with_help & (
        (membership["programme"] == "500+") | (rng.random(len(membership)) < 0.8)
    )
    membership["curator_id"] = np.where(
        has_curator, membership["school_id"].map(school_curator), None
    )
    partner = membership["school_id"].map(dict(zip(sid, school_mun, strict=True))).map(best)
    partner = partner.where(partner.notna(), capital_best[0] if capital_best else None)
    has_partner = (membership["programme"] == "500+") | (
        with_help & (rng.random(len(membership)) < 0.5)
    )
    membership["partner_school_id"] = np.where(
        has_partner & (partner != membership["school_id"]), partner, None
    )

    monitoring_indicators = pd.DataFrame(
        INDICATORS, columns=["indicator", "name", "unit", "higher_is_better"]
    )
    stages = []
    high_count = (
        risk_profiles[risk_profiles["risk_level"] == "высокий"]
        .groupby(["school_id", "year"])
        .size()
    )
    monitored = membership[(membership["programme"] != "ШНСУ") & (membership["year"] >= 2021)][
        ["school_id", "year"]
    ].drop_duplicates()
    yi_of = {y: i for i, y in enumerate(years)}
    index_of = {s: i for i, s in enumerate(sid)}
    improving_set, declining_set = set(improving.tolist()), set(declining.tolist())
    for school_id, year in monitored.itertuples(index=False):
        i = index_of[school_id]
        mu = mu_year[i, yi_of[year]]
        positive = rng.random() < (
            0.9 if i in improving_set else 0.2 if i in declining_set else 0.65
        )
        step_size = rng.uniform(0.04, 0.12) if positive else rng.uniform(-0.08, 0.01)
        risks = int(high_count.get((school_id, year), rng.poisson(2.5)))
        for s, (stage, month, day) in enumerate(
            (("входной", 2, 15), ("промежуточный", 6, 10), ("итоговый", 11, 20))
        ):
            if stage == "итоговый" and year == years[-1] and rng.random() < 0.05:
                continue  # a few schools have not sent their final data yet
            rus = np.clip(3.3 + 0.45 * mu + s * step_size + rng.normal(0, 0.03), 2, 5)
            math = np.clip(3.2 + 0.45 * mu + s * step_size + rng.normal(0, 0.03), 2, 5)
            values = {
                "rus_mean_mark": round(float(rus), 2),
                "math_mean_mark": round(float(math), 2),
                "rus_share_2": round(
                    float(np.clip(0.62 - 0.17 * rus + rng.normal(0, 0.01), 0, 1)), 4
                ),
                "math_share_2": round(
                    float(np.clip(0.66 - 0.18 * math + rng.normal(0, 0.01), 0, 1)), 4
                ),
                "high_risks": float(max(0, risks - (s if positive else 0))),
            }
            for indicator, value in values.items():
                stages.append((school_id, year, stage, indicator, value, date(year, month, day)))
    monitoring_stages = pd.DataFrame(
        stages, columns=["school_id", "year", "stage", "indicator", "value", "stage_date"]
    )

    step("Дорожные карты", 0.85)
    roadmap_events = _roadmap(rng, mun, membership, as_of)

    truth = [(sid[i], "archetype", archetype[i]) for i in in_500]
    truth += [(sid[i], "resilient", None) for i in resilient]
    truth += [(sid[i], "inflated_vpr", None) for i in inflated]
    truth += [(sid[i], "bunching", "баллы сдвинуты к границам отметок") for i in bunching]
    truth += [(sid[i], "improving", "+0,12 ст. откл. в год") for i in improving]
    truth += [(sid[i], "declining", "−0,12 ст. откл. в год") for i in declining]
    demo_truth = pd.DataFrame(truth, columns=["school_id", "kind", "value"])
    region_info = pd.DataFrame(
        [
            ("region", REGION),
            ("generator_version", VERSION),
            ("seed", str(seed)),
            ("n_schools", str(n)),
            ("years", f"{YEARS[0]}–{YEARS[-1]}"),
            ("as_of", as_of.isoformat()),
            (
                "note_vpr_2020",
                "ВПР 2020 года проведены осенью (5–9 классы по материалам предыдущего класса)",
            ),
            ("note_oge_2020", "ОГЭ в 2020 году не проводился"),
        ],
        columns=["key", "value"],
    )
    official = _official_markers(seed, exam_results, {sid[i] for i in inflated})
    frames = {
        "municipalities": mun,
        "schools": schools,
        "exam_results": exam_results,
        # The demo's thresholds are ЕГЭ's own (minimum score, 81 points): none named.
        "procedure_thresholds": pd.DataFrame(
            {
                "exam": pd.Series(dtype=object),
                "subject": pd.Series(dtype=object),
                "grade": pd.Series(dtype="int64"),
                "low_label": pd.Series(dtype=object),
                "high_label": pd.Series(dtype=object),
            }
        ),
        "mark_boundaries": mark_boundaries(),
        "score_distributions": pd.concat(score_frames, ignore_index=True)[
            ["school_id", "year", "exam", "subject", "grade", "score", "share"]
        ],
        "official_objectivity_markers": official,
        "term_marks": term_marks,
        "social_passport": passport,
        "staff": staff,
        "olympiads_continuation": olympiads,
        "risk_factors": risk_factors,
        "risk_profiles": risk_profiles,
        "curators": curators,
        "programme_membership": membership,
        "monitoring_indicators": monitoring_indicators,
        "monitoring_stages": monitoring_stages,
        "roadmap_events": roadmap_events,
        "demo_truth": demo_truth,
        "region_info": region_info,
    }
    step("Демо-регион сгенерирован", 1.0)
    return {name: _sorted(name, frames[name]) for name in TABLE_ORDER}


def seed_boundaries() -> pd.DataFrame:
    """The federal ВПР boundaries found so far (data/mark_boundaries.csv, sources in its header)."""
    return pd.read_csv(BOUNDARIES, comment="#", dtype={"exam": str, "subject": str})


def mark_boundaries() -> pd.DataFrame:
    """The demo's boundaries of its own ВПР from its first year, and the federal ones found."""
    demo = pd.DataFrame(
        [
            (YEARS[0], exam, subject, grade, next(p[3] for p in PROCEDURES if p[:3] == key), *b)
            for key, b in DEMO_BOUNDARIES.items()
            for exam, subject, grade in [key]
        ],
        columns=["year", "exam", "subject", "grade", "max_score", "min_3", "min_4", "min_5"],
    )
    return pd.concat([demo, seed_boundaries()], ignore_index=True)


def _primary_scores(
    rng: np.random.Generator,
    counts: np.ndarray,
    mu: np.ndarray,
    bounds: tuple[int, int, int],
    max_score: int,
    bunching: np.ndarray,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Each pupil's primary score, consistent with the mark already drawn, and the shares.

    A pupil of mark m has an ability in that mark's interval of MARK_CUTS (a normal around the
    school's μ, truncated there); a smooth monotone map sends the cuts to the boundaries, so the
    scores have no steps at the boundaries by themselves. At schools planted with bunching a
    pupil one or two points below a boundary is pushed to it with chance BUNCHING_PUSH. Returns
    the marks counted again from the scores (they change only where pupils were pushed) and a
    frame row (the school's position), score, share.
    """
    from scipy.interpolate import PchipInterpolator

    b3, b4, b5 = bounds
    per_point = (MARK_CUTS[2] - MARK_CUTS[0]) / (b5 - b3)
    knots = np.array(
        [
            MARK_CUTS[0] - (b3 + 0.5) * per_point,
            *MARK_CUTS,
            MARK_CUTS[2] + (max_score + 1 - b5) * per_point,
        ]
    )
    to_score = PchipInterpolator(knots, [-0.5, b3 - 0.5, b4 - 0.5, b5 - 0.5, max_score + 0.5])
    n_rows = len(counts)
    row = np.repeat(np.repeat(np.arange(n_rows), 4), counts.ravel())
    mark = np.tile(np.arange(4), n_rows).repeat(counts.ravel())
    edges = np.concatenate([[-np.inf], MARK_CUTS, [np.inf]])
    centre = mu[row]
    # Φ and Φ⁻¹ straight from scipy.special (what scipy.stats.norm calls, without its checks
    # of millions of arguments).
    lo, hi = ndtr(edges[mark] - centre), ndtr(edges[mark + 1] - centre)
    u = np.clip(lo + rng.random(len(row)) * (hi - lo), 1e-12, 1 - 1e-12)
    score = np.rint(to_score(centre + ndtri(u))).astype(int)
    floor = np.array([0, b3, b4, b5])
    ceiling = np.array([b3 - 1, b4 - 1, b5 - 1, max_score])
    score = np.clip(score, floor[mark], ceiling[mark])
    pushed = bunching[row] & (rng.random(len(row)) < BUNCHING_PUSH)
    gap = np.min(
        np.where(floor[1:][None, :] > score[:, None], floor[1:][None, :] - score[:, None], 99),
        axis=1,
    )
    pushed &= gap <= 2
    score = np.where(pushed, score + gap + (rng.random(len(row)) < 0.25), score)
    mark = np.searchsorted(floor, score, side="right") - 1
    counts = np.bincount(row * 4 + mark, minlength=n_rows * 4).reshape(n_rows, 4)
    # Each school's pupils per score, counted (np.unique would sort millions of pupils).
    tally = np.bincount(row * (max_score + 1) + score, minlength=n_rows * (max_score + 1))
    key = np.flatnonzero(tally)
    number = tally[key]
    rows = key // (max_score + 1)
    return counts, pd.DataFrame(
        {
            "row": rows,
            "score": key % (max_score + 1),
            "share": np.round(number / counts.sum(axis=1)[rows], 4),
        }
    )


def _official_markers(seed: int, exam_results: pd.DataFrame, inflated: set) -> pd.DataFrame:
    """The federal list of ВПР objectivity markers as ФИС ОКО would publish it for the demo:
    grades 4 and 5 in Russian and mathematics; most schools planted with inflated ВПР are marked,
    and a few others. Its own random stream, so that the rest of the region does not change."""
    rng = np.random.default_rng(seed + 7)
    rows = exam_results[
        (exam_results["exam"] == "ВПР")
        & exam_results["grade"].isin([4, 5])
        & exam_results["subject"].isin(["Русский язык", "Математика"])
    ][["school_id", "year", "grade", "subject"]].reset_index(drop=True)
    chance = np.where(rows["school_id"].isin(inflated), 0.6, 0.02)
    return rows.assign(marker=rng.random(len(rows)) < chance)


KEYS = {
    "municipalities": ["municipality_id"],
    "schools": ["school_id"],
    "exam_results": ["school_id", "year", "exam", "subject", "grade"],
    "official_objectivity_markers": ["school_id", "year", "grade", "subject"],
    "procedure_thresholds": ["exam", "subject", "grade"],
    "mark_boundaries": ["year", "exam", "subject", "grade"],
    "score_distributions": ["school_id", "year", "exam", "subject", "grade", "score"],
    "term_marks": ["school_id", "year", "exam", "subject", "grade"],
    "social_passport": ["school_id", "year"],
    "staff": ["school_id", "year"],
    "olympiads_continuation": ["school_id", "year"],
    "risk_factors": ["year", "factor_code"],
    "risk_profiles": ["school_id", "year", "factor_code"],
    "curators": ["curator_id"],
    "programme_membership": ["school_id", "year", "programme"],
    "monitoring_indicators": ["indicator"],
    "monitoring_stages": ["school_id", "year", "stage", "indicator"],
    "roadmap_events": ["event_id"],
    "demo_truth": ["school_id", "kind"],
    "region_info": ["key"],
}


def _sorted(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    # sort_values(KEYS[name], kind="stable") by integer codes of the keys (text keys of
    # millions of rows).
    order = grouping.sorted_order(frame, KEYS[name])
    frame = (frame if order is None else frame.take(order)).reset_index(drop=True)
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].round(4)
    return frame


def _catalog() -> pd.DataFrame:
    with CATALOG.open(encoding="utf-8") as f:
        return pd.DataFrame(list(csv.DictReader(f)))


def _period(year: int, start: int, end: int) -> tuple[date, date]:
    end_year = year if end >= start else year + 1
    return date(year, start, 1), date(end_year, end, calendar.monthrange(end_year, end)[1])


def _roadmap(
    rng: np.random.Generator, mun: pd.DataFrame, membership: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    catalog = _catalog()
    catalog["month_start"] = catalog["month_start"].astype(int)
    catalog["month_end"] = catalog["month_end"].astype(int)
    by_level = {
        lvl: catalog[catalog["level"] == lvl].to_dict("records")
        for lvl in ("регион", "муниципалитет", "школа")
    }
    statuses = ("выполнено", "не выполнено", "выполняется")
    rows = []

    def add(level, municipality_id, school_id, year, item):
        start, end = _period(year, item["month_start"], item["month_end"])
        if end < as_of:
            u = rng.random()
            status = statuses[0] if u < 0.86 else statuses[1] if u < 0.93 else statuses[2]
        elif start <= as_of:
            status = "выполняется"
        else:
            status = "запланировано"
        rows.append(
            (
                level,
                municipality_id,
                school_id,
                year,
                item["title"],
                start,
                end,
                item["responsible"],
                item["expected_result"],
                status,
                item["evidence"],
            )
        )

    n_mun, n_school = len(by_level["муниципалитет"]), len(by_level["школа"])
    for year in range(2020, 2027):
        for item in by_level["регион"]:
            add("регион", None, None, year, item)
        for m in mun["municipality_id"]:
            for j in _pick(rng, np.arange(n_mun), int(rng.integers(6, 11))):
                add("муниципалитет", m, None, year, by_level["муниципалитет"][j])
        in_year = membership[
            (membership["programme"] == "500+") & (membership["year"] == min(year, 2025))
        ]["school_id"]
        for school_id in in_year:
            for j in _pick(rng, np.arange(n_school), int(rng.integers(3, 7))):
                add("школа", None, school_id, year, by_level["школа"][j])
    events = pd.DataFrame(
        rows,
        columns=[
            "level",
            "municipality_id",
            "school_id",
            "year",
            "title",
            "period_start",
            "period_end",
            "responsible",
            "expected_result",
            "status",
            "evidence",
        ],
    )
    events.insert(0, "event_id", [f"E{i + 1:06d}" for i in range(len(events))])
    return events
