"""Risk profiles of «500+» schools (loaded or derived) and their clusters.

The factor list is data: it is read per year from `risk_factors`, never hard-coded. A factor is
recognised by words in its name (e.g. «кадр» → staff shortage) only to give it a short name and
to derive it for schools without a questionnaire.

Clusters: k-means on the standardised risk levels (plus chosen context indicators), k chosen by
the silhouette over a range, labels matched to last year's clusters by their centres so that a
cluster keeps its number, each cluster named by the two or three factors that set it apart from
the region. Ward's hierarchical clustering on the same features is the second opinion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analytics.settings import Clusters

LEVELS = ("низкий", "средний", "высокий")
LEVEL_SCORE = {level: i for i, level in enumerate(LEVELS)}
SOURCE_LOADED = "анкета"
SOURCE_DERIVED = "расчёт"

# Words in a factor's name → its short name (for cluster names and charts).
SHORT_NAMES: tuple[tuple[str, str], ...] = (
    ("оснащ", "низкое оснащение"),
    ("кадр", "кадровый дефицит"),
    ("компетентн", "недостаток компетенций педагогов"),
    ("адаптивн", "низкая адаптивность процесса"),
    ("повышения квалификации", "нет системы повышения квалификации"),
    ("неуспешн", "учебная неуспешность"),
    ("языков", "языковой барьер"),
    ("сред", "слабая образовательная среда"),
    ("дисциплин", "низкая дисциплина"),
    ("ограниченными возможностями", "много обучающихся с ОВЗ"),
    ("ОВЗ", "много обучающихся с ОВЗ"),
    ("родител", "низкая вовлечённость родителей"),
    ("мотивац", "низкая учебная мотивация"),
)

# Factors that can be derived from the indicators a region holds, by words in the name:
# (words, indicator column, Russian description of the indicator).
DERIVATIONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("кадр",), "staff_pressure", "вакансии на 100 педагогов и доля педагогов 55 лет и старше"),
    (("языков",), "share_non_native", "доля обучающихся, для которых русский язык не родной"),
    (("ограниченными возможностями", "ОВЗ"), "share_disabled", "доля обучающихся с ОВЗ"),
    (("неуспешн",), "share_fail", "доля «2» (ниже минимума) по всем процедурам года"),
    (("родител",), "parent_involvement_risk", "доля родителей, не участвующих в жизни школы"),
)

# Seed of k-means and of the map's components, so that a refresh gives the same clusters.
SEED = 0
# k is chosen on a sample of this many schools, each k with this many k-means starts; the
# clusters themselves are then fitted once on all schools with FIT_INIT starts.
SAMPLE = 3000
CHOOSE_INIT = 10
FIT_INIT = 10

MEMBERSHIP_COLUMNS = ["school_id", "year", "cluster_id", "cluster_name", "distance", "ward_cluster"]
CENTRE_COLUMNS = [
    "year",
    "cluster_id",
    "factor_code",
    "factor_name",
    "short_name",
    "mean_level",
    "region_mean",
    "z",
    "defining",
]
MEASURE_COLUMNS = [
    "year",
    "cluster_id",
    "factor_code",
    "factor_name",
    "measure",
    "description",
    "level",
    "source",
]
FLOAT_COLUMNS = {"distance", "silhouette", "mean_level", "region_mean", "z", "k", "year"}


def short_name(factor_name: str) -> str:
    """«дефицит педагогических кадров» → «кадровый дефицит»; unknown names stay as they are.

    >>> short_name("низкий уровень вовлечённости родителей")
    'низкая вовлечённость родителей'
    """
    lowered = factor_name.lower()
    for word, short in SHORT_NAMES:
        if word.lower() in lowered:
            return short
    return factor_name


def profile_matrix(profiles: pd.DataFrame, year: int) -> pd.DataFrame:
    """Risk scores (0 low, 1 medium, 2 high) of one year: a row per school, a column per code."""
    rows = profiles[profiles["year"] == year]
    matrix = rows.assign(score=rows["risk_level"].map(LEVEL_SCORE)).pivot_table(
        index="school_id", columns="factor_code", values="score", aggfunc="max"
    )
    matrix.columns = [int(c) for c in matrix.columns]
    return matrix.sort_index()


def derive_profiles(
    indicators: pd.DataFrame,
    factors: pd.DataFrame,
    settings: Clusters | None = None,
) -> pd.DataFrame:
    """Risk levels from indicators, for the factors that have an indicator, per school-year.

    A school-year is medium risk at or above the regional `medium_percentile` of the indicator
    for that year and high risk at or above `high_percentile`. Factors without an indicator in
    the data (e.g. parental involvement where nobody collects it) are not derived.

    Returns school_id, year, factor_code, factor_name, risk_level, source («расчёт»),
    indicator (description) and value.
    """
    settings = settings or Clusters()
    frames = []
    for year, year_factors in factors.groupby("year"):
        data = indicators[indicators["year"] == year]
        if data.empty:
            continue
        for code, name in zip(
            year_factors["factor_code"], year_factors["factor_name"], strict=True
        ):
            match = next(
                (d for d in DERIVATIONS if any(w.lower() in name.lower() for w in d[0])), None
            )
            if match is None or match[1] not in data.columns:
                continue
            values = data[["school_id", match[1]]].dropna()
            if values.empty:
                continue
            # The share of the region's schools with a strictly lower value.
            pct = (values[match[1]].rank(method="min") - 1) / len(values)
            level = np.where(
                pct >= settings.high_percentile,
                "высокий",
                np.where(pct >= settings.medium_percentile, "средний", "низкий"),
            )
            frames.append(
                pd.DataFrame(
                    {
                        "school_id": values["school_id"].to_numpy(),
                        "year": int(year),
                        "factor_code": int(code),
                        "factor_name": name,
                        "risk_level": level,
                        "source": SOURCE_DERIVED,
                        "indicator": match[2],
                        "value": values[match[1]].to_numpy(float),
                    }
                )
            )
    columns = ["school_id", "year", "factor_code", "factor_name", "risk_level", "source"]
    if not frames:
        return pd.DataFrame(columns=[*columns, "indicator", "value"])
    return pd.concat(frames, ignore_index=True).sort_values(columns[:3]).reset_index(drop=True)


def sample_rows(n: int, size: int = SAMPLE) -> np.ndarray:
    """At most `size` row positions of n, drawn with the fixed seed (all of them if fewer)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(SEED).choice(n, size, replace=False))


def choose_k(x: np.ndarray, settings: Clusters) -> tuple[int, pd.DataFrame]:
    """The k with the best silhouette in [k_min, k_max] (fewer when there are few schools),
    judged on at most SAMPLE schools drawn with a fixed seed: the curve's shape needs no more,
    and the silhouette costs the square of the number of points."""
    from sklearn.cluster import KMeans  # scikit-learn only where clusters are computed
    from sklearn.metrics import silhouette_score

    x = x[sample_rows(len(x))]
    distinct = len(np.unique(np.round(x, 9), axis=0))
    k_max = min(settings.k_max, len(x) - 1, distinct)
    rows = []
    for k in range(max(settings.k_min, 2), k_max + 1):
        labels = KMeans(k, n_init=CHOOSE_INIT, random_state=SEED).fit_predict(x)
        if len(set(labels)) < 2:
            continue
        rows.append((k, float(silhouette_score(x, labels))))
    curve = pd.DataFrame(rows, columns=["k", "silhouette"])
    if curve.empty:
        return 1, curve
    return int(curve.loc[curve["silhouette"].idxmax(), "k"]), curve


def match_labels(centres: pd.DataFrame, previous: pd.DataFrame | None) -> dict[int, int]:
    """Map this year's raw cluster numbers to the numbers 1…k shown to users, keeping last
    year's number for the cluster whose centre is nearest to it.

    `centres` and `previous` are indexed by cluster number with one column per factor code
    (levels on the 0–2 scale); only common columns are compared. The assignment is optimal
    (Hungarian method). A cluster keeps its partner's number when that number is at most k
    (this year's number of clusters); the others, and clusters without a partner last year,
    take the smallest numbers left, so a year's clusters are always numbered 1…k.

    >>> prev = pd.DataFrame({1: [2.0, 0.0], 2: [0.0, 2.0]}, index=[1, 2])
    >>> now = pd.DataFrame({1: [0.1, 1.9], 2: [1.8, 0.2]}, index=[0, 1])
    >>> match_labels(now, prev)
    {0: 2, 1: 1}
    """
    from scipy.optimize import linear_sum_assignment

    raws = [int(raw) for raw in centres.index]
    k = len(raws)
    mapping: dict[int, int] = {}
    if previous is not None and not previous.empty:
        common = [c for c in centres.columns if c in previous.columns]
        a = centres[common].to_numpy(float)
        b = previous[common].to_numpy(float)
        cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
        for r, c in zip(*linear_sum_assignment(cost), strict=True):
            if int(previous.index[c]) <= k:
                mapping[raws[r]] = int(previous.index[c])
    free = iter(n for n in range(1, k + 1) if n not in mapping.values())
    for raw in raws:
        if raw not in mapping:
            mapping[raw] = next(free)
    return mapping


def name_clusters(
    centres: pd.DataFrame,
    region_mean: pd.Series,
    region_sd: pd.Series,
    names: dict[int, str],
    threshold: float = Clusters.name_threshold,
) -> dict[int, tuple[str, list[int]]]:
    """Each cluster's Russian name from the factors most above the region, and those factors.

    >>> centres = pd.DataFrame({2: [2.0, 0.2], 7: [1.8, 0.1], 9: [0.1, 1.9]}, index=[1, 2])
    >>> named = name_clusters(centres, centres.mean(), pd.Series(0.5, index=[2, 7, 9]),
    ...                       {2: "дефицит педагогических кадров",
    ...                        7: "низкое качество преодоления языковых барьеров",
    ...                        9: "высокая доля обучающихся с ОВЗ"})
    >>> named[1][0], named[2][0]
    ('Кадровый дефицит и языковой барьер', 'Много обучающихся с ОВЗ')
    """
    result: dict[int, tuple[str, list[int]]] = {}
    used: dict[str, int] = {}
    for cluster, centre in centres.iterrows():
        z = ((centre - region_mean) / region_sd.replace(0, np.nan)).fillna(0.0)
        elevated = z[z >= threshold].sort_values(ascending=False)
        top = list(elevated.index[:3])
        if len(top) == 3 and elevated.iloc[2] < 0.6 * elevated.iloc[0]:
            top = top[:2]
        shorts = list(dict.fromkeys(short_name(names.get(int(c), str(c))) for c in top))
        if not shorts:
            name = "Риски ниже среднего по региону"
        elif len(elevated) >= 5:
            name = "Множественные риски: " + ", ".join(shorts)
        elif len(shorts) == 1:
            name = shorts[0]
        else:
            name = ", ".join(shorts[:-1]) + " и " + shorts[-1]
        name = name[0].upper() + name[1:]
        used[name] = used.get(name, 0) + 1
        if used[name] > 1:
            name = f"{name} ({used[name]})"
        result[int(cluster)] = (name, [int(c) for c in top])
    return result


def features(
    matrix: pd.DataFrame, context: pd.DataFrame | None, chosen: tuple[str, ...]
) -> pd.DataFrame:
    """Risk levels plus the chosen context indicators (oriented so that higher is worse)."""
    out = matrix.copy()
    out.columns = [f"f{c}" for c in out.columns]
    if chosen and context is not None:
        extra = context.set_index("school_id").reindex(matrix.index)[list(chosen)]
        out = out.join(extra.fillna(extra.mean()))
    return out.fillna(out.mean()).fillna(0.0)


def cluster_years(
    profiles: pd.DataFrame,
    factors: pd.DataFrame,
    context: pd.DataFrame | None = None,
    settings: Clusters | None = None,
) -> dict[str, pd.DataFrame]:
    """Clusters of every year, oldest first, with labels carried over from year to year.

    Parameters
    ----------
    profiles : school_id, year, factor_code, risk_level (loaded or derived).
    factors : year, factor_code, factor_name.
    context : school_id, year and the analytics.labels.CONTEXT_FEATURES columns, used when
        chosen in `settings.context_features`.

    Returns
    -------
    membership : school_id, year, cluster_id, cluster_name, distance (to the centre in the
        standardised feature space), ward_cluster (the alternative's label, for the schools
        of the sample it is compared on; all of them up to SAMPLE schools).
    centres : year, cluster_id, factor_code, factor_name, short_name, mean_level, region_mean,
        z (how far above the region, in regional SDs), defining (bool).
    quality : year, k, silhouette, chosen (bool) — the silhouette curve per year;
        and per year the agreement (ARI) between k-means and Ward in `agreement`.
    """
    settings = settings or Clusters()
    # k-means' OpenMP threads spin waiting for each other when the cores are busy (a server
    # with other sessions, a refresh beside an import): measured 20–30 times slower than one
    # thread on this kind of data. One thread is also the fastest on an idle machine here.
    with threadpool_limits(limits=1):
        return _cluster_years(profiles, factors, context, settings)


def _cluster_years(profiles, factors, context, settings: Clusters) -> dict[str, pd.DataFrame]:
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    membership, centres_rows, quality, agreement = [], [], [], []
    previous: pd.DataFrame | None = None
    for year in sorted(int(y) for y in profiles["year"].unique()):
        matrix = profile_matrix(profiles, year)
        if len(matrix) < 3:
            continue
        names = dict(
            factors.loc[factors["year"] == year, ["factor_code", "factor_name"]].itertuples(
                index=False, name=None
            )
        )
        year_context = None if context is None else context[context["year"] == year]
        x_frame = features(matrix, year_context, settings.context_features)
        x = StandardScaler().fit_transform(x_frame.to_numpy(float))
        x = np.nan_to_num(x)
        k, curve = choose_k(x, settings)
        quality.append(curve.assign(year=year, chosen=curve["k"] == k))
        kmeans = KMeans(max(k, 1), n_init=FIT_INIT, random_state=SEED).fit(x)
        raw = kmeans.labels_
        level_centres = matrix.fillna(matrix.mean()).groupby(raw).mean()
        mapping = match_labels(level_centres, previous)
        labels = np.array([mapping[r] for r in raw])
        level_centres.index = [mapping[r] for r in level_centres.index]
        distance = np.linalg.norm(x - kmeans.cluster_centers_[raw], axis=1)
        # Ward's tree costs the square of the schools: compared on the sample k was chosen on.
        rows = sample_rows(len(x))
        ward = (
            AgglomerativeClustering(k, linkage="ward").fit_predict(x[rows])
            if k >= 2
            else raw[rows].copy()
        )
        agreement.append(
            {"year": year, "k": k, "ari_ward": float(adjusted_rand_score(labels[rows], ward))}
        )
        ward_labels = pd.array(np.full(len(x), pd.NA), dtype="Int64")
        ward_labels[rows] = ward + 1  # only the compared sample has Ward's label
        region_mean = matrix.mean()
        region_sd = matrix.std(ddof=0)
        named = name_clusters(level_centres, region_mean, region_sd, names, settings.name_threshold)
        membership.append(
            pd.DataFrame(
                {
                    "school_id": matrix.index,
                    "year": year,
                    "cluster_id": labels,
                    "cluster_name": [named[c][0] for c in labels],
                    "distance": distance,
                    "ward_cluster": ward_labels,
                }
            )
        )
        for cluster, centre in level_centres.iterrows():
            z = ((centre - region_mean) / region_sd.replace(0, np.nan)).fillna(0.0)
            for code in matrix.columns:
                centres_rows.append(
                    {
                        "year": year,
                        "cluster_id": int(cluster),
                        "factor_code": int(code),
                        "factor_name": names.get(code, str(code)),
                        "short_name": short_name(names.get(code, str(code))),
                        "mean_level": float(centre[code]),
                        "region_mean": float(region_mean[code]),
                        "z": float(z[code]),
                        "defining": int(code) in named[int(cluster)][1],
                    }
                )
        previous = level_centres
    return {
        "membership": _frame(membership, MEMBERSHIP_COLUMNS),
        "centres": pd.DataFrame(centres_rows, columns=CENTRE_COLUMNS),
        "quality": _frame(quality, ["k", "silhouette", "year", "chosen"]),
        "agreement": pd.DataFrame(agreement, columns=["year", "k", "ari_ward"]),
    }


def _frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The parts stacked, or an empty frame that still has its columns (a region without
    «500+» profiles gets empty tables, not missing ones)."""
    if not parts:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c in FLOAT_COLUMNS else object) for c in columns}
        )
    return pd.concat(parts, ignore_index=True)[columns]


def support_directions(
    centres: pd.DataFrame, catalogue: pd.DataFrame, per_factor: int = 2
) -> pd.DataFrame:
    """For each cluster and year: the defining factors, first the strongest, with measures.

    `catalogue` has factor_keyword, measure, description, level, source; a measure fits a
    factor whose name contains its keyword.
    """
    rows = []
    defining = centres[centres["defining"]].sort_values(
        ["year", "cluster_id", "z"], ascending=[True, True, False]
    )
    for item in defining.itertuples(index=False):
        fits = catalogue[
            [str(k).lower() in item.factor_name.lower() for k in catalogue["factor_keyword"]]
        ].head(per_factor)
        for measure in fits.itertuples(index=False):
            rows.append(
                {
                    "year": item.year,
                    "cluster_id": item.cluster_id,
                    "factor_code": item.factor_code,
                    "factor_name": item.factor_name,
                    "measure": measure.measure,
                    "description": measure.description,
                    "level": measure.level,
                    "source": measure.source,
                }
            )
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def map_coordinates(matrix: pd.DataFrame, random_state: int = SEED) -> pd.DataFrame:
    """Two principal components of the standardised risk levels, for a map of schools."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    x = np.nan_to_num(StandardScaler().fit_transform(matrix.fillna(matrix.mean()).to_numpy()))
    n = min(2, x.shape[0], x.shape[1])
    pca = PCA(n_components=n, random_state=random_state).fit(x)
    coords = pca.transform(x)
    if n < 2:
        coords = np.column_stack([coords, np.zeros(len(coords))])
    out = pd.DataFrame({"school_id": matrix.index, "x": coords[:, 0], "y": coords[:, 1]})
    out.attrs["explained"] = [float(v) for v in pca.explained_variance_ratio_]
    return out
