"""All derived analytics of a region in one pure function: frames in, frames out."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analytics.settings import Clusters, Settings
from tests.oracles.v0 import cohort as coh
from tests.oracles.v0 import context as cx
from tests.oracles.v0 import dynamics as dy
from tests.oracles.v0 import identification as idn
from tests.oracles.v0 import monitoring as mon
from tests.oracles.v0 import risk
from tests.oracles.v0.objectivity import objectivity_flags
from tests.oracles.v0.resilience import resilience, suggest_partners
from tests.oracles.v0.social_index import compute_social_index

# Inputs read from the database (sql/analysis/*.sql) and what each output is called there
# (the tables sql/schema/derived.sql declares).
SOCIAL_INPUTS = ("social_passport",)
INPUTS = ("results", "context", "schools", "olympiads", "municipalities")
RISK_INPUTS = ("risk_profiles", "risk_factors", "risk_indicators")
TREND_INPUTS = ("trend_values", "trend_procedures", "trend_membership")
MONITORING_INPUTS = (
    "monitoring_stages",
    "monitoring_indicators",
    "objectivity_results",
    "objectivity_term",
    "objectivity_cohort",
    "objectivity_scores",
    "schools",
)
OUTPUTS = (
    "social_index",
    "context_adjusted",
    "school_adjusted",
    "cohort_value_added",
    "cohort_fits",
    "identification",
    "partner_suggestions",
    "risk_profiles_derived",
    "risk_clusters",
    "risk_cluster_centres",
    "risk_cluster_quality",
    "risk_cluster_measures",
    "monitoring_changes",
    "monitoring_progress",
    "objectivity_flags",
    "trends",
    "status_change",
    "procedure_trends",
    "early_warning",
)


def compute_social(inputs: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    """ИСБШ of every school-year from the social passport, by the settings of settings.isbsh."""
    isbsh = settings.isbsh
    index = compute_social_index(
        inputs["social_passport"], isbsh.method, isbsh.weights or None, isbsh.max_missing
    )
    return {"social_index": index}


def identify_year(
    inputs: dict[str, pd.DataFrame],
    adjusted: pd.DataFrame,
    year: int,
    settings: Settings,
    exams: pd.DataFrame | None = None,
    pooled: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Identification with resilience for one year, and the partner suggestions.

    `exams` is identification.exam_results(...) when already at hand (all years at once, or
    read from the database); otherwise it is computed from inputs["results"]. `pooled` is the
    pooled adjusted result per school when read from the database (then `adjusted` may be
    None).
    """
    if exams is None:
        exams = idn.exam_results(inputs["results"], settings.small_numbers.hide_below)
    ident = idn.identify(
        inputs["results"],
        inputs["schools"],
        inputs["context"],
        inputs["olympiads"],
        year,
        settings,
        idn.bottom_ranks(exams, settings),
    )
    res = resilience(adjusted, exams, inputs["context"], inputs["schools"], year, settings, pooled)
    ident = ident.merge(res, on=["school_id", "year"], how="left")
    year_context = inputs["context"][inputs["context"]["year"] == year]
    partners = suggest_partners(ident, year_context, res, inputs["municipalities"], settings)
    return ident, partners


def compute_derived(
    inputs: dict[str, pd.DataFrame],
    settings: Settings,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Context-adjusted results, cohort value added, identification per year and partner
    suggestions."""
    step = progress or (lambda _m, _f: None)
    step("Результаты с учётом контекста", 0.0)
    hide_below = settings.small_numbers.hide_below
    magnitude, shrunken = settings.band_magnitude, settings.band_shrunken
    adjusted = cx.context_adjusted(
        inputs["results"], inputs["context"], hide_below, magnitude, shrunken
    )
    overall = cx.school_adjusted(adjusted, hide_below, magnitude, shrunken)
    step("Прирост когорт", 0.4)
    cohorts = coh.cohort_value_added(adjusted, hide_below)  # the same z and pupil σ
    exams = idn.exam_results(inputs["results"], hide_below)
    years = sorted(int(y) for y in inputs["results"]["year"].unique())
    idents, partners = [], []
    for i, year in enumerate(years):
        step(f"Идентификация ШНОР и ШНСУ, {year} год", 0.5 + 0.5 * i / max(len(years), 1))
        ident, suggested = identify_year(inputs, adjusted, year, settings, exams)
        idents.append(ident)
        partners.append(suggested)
    return {
        "context_adjusted": adjusted,
        "school_adjusted": overall,
        **cohorts,
        "identification": pd.concat(idents, ignore_index=True) if idents else pd.DataFrame(),
        "partner_suggestions": (
            pd.concat(partners, ignore_index=True) if partners else pd.DataFrame()
        ),
    }


def compute_risk(
    inputs: dict[str, pd.DataFrame],
    catalogue: pd.DataFrame,
    settings: Clusters | None = None,
) -> dict[str, pd.DataFrame]:
    """Risk profiles (loaded and derived), the clusters of the loaded ones and their measures."""
    settings = settings or Clusters()
    loaded = inputs["risk_profiles"].merge(
        inputs["risk_factors"], on=["year", "factor_code"], how="left"
    )
    loaded = loaded.assign(source=risk.SOURCE_LOADED, indicator=None, value=float("nan"))
    derived = risk.derive_profiles(inputs["risk_indicators"], inputs["risk_factors"], settings)
    have = set(zip(loaded["school_id"], loaded["year"], strict=True))
    keep = [(s, y) not in have for s, y in zip(derived["school_id"], derived["year"], strict=True)]
    profiles = pd.concat([loaded, derived[keep]], ignore_index=True)
    clusters = risk.cluster_years(
        inputs["risk_profiles"], inputs["risk_factors"], inputs["risk_indicators"], settings
    )
    quality = clusters["quality"]
    if len(quality) and len(clusters["agreement"]):
        quality = quality.merge(clusters["agreement"], on="year", how="left", suffixes=("", "_k"))
        quality = quality.drop(columns=["k_k"])
    else:
        quality = quality.assign(ari_ward=pd.Series(dtype=float))
    measures = (
        risk.support_directions(clusters["centres"], catalogue)
        if len(clusters["centres"])
        else pd.DataFrame(columns=risk.MEASURE_COLUMNS)
    )
    return {
        "risk_profiles_derived": profiles,
        "risk_clusters": clusters["membership"],
        "risk_cluster_centres": clusters["centres"],
        "risk_cluster_quality": quality,
        "risk_cluster_measures": measures,
    }


def compute_monitoring(
    inputs: dict[str, pd.DataFrame], settings: Settings | None = None
) -> dict[str, pd.DataFrame]:
    """Stage changes, «положительная динамика» and the ВПР objectivity signs."""
    settings = settings or Settings()
    changes = mon.stage_table(inputs["monitoring_stages"], inputs["monitoring_indicators"])
    return {
        "monitoring_changes": changes,
        "monitoring_progress": mon.progress(changes, settings.monitoring),
        "objectivity_flags": objectivity_flags(
            inputs["objectivity_results"],
            inputs["objectivity_term"],
            inputs["objectivity_cohort"],
            inputs["schools"],
            settings.objectivity,
            settings.small_numbers.hide_below,
            inputs.get("objectivity_scores"),
        ),
    }


def compute_trends(
    inputs: dict[str, pd.DataFrame], identification: pd.DataFrame, settings: Settings
) -> dict[str, pd.DataFrame]:
    """School trends as of every year, the colours, per-procedure trends of the latest year
    and the early-warning list."""
    values = inputs["trend_values"]
    years = sorted(int(y) for y in values["year"].dropna().unique())
    school = dy.school_trends(values, years, settings.trends)
    numbers = [c for c in school.columns if c not in dy.STATUS_COLUMNS]
    colours = ["as_of", "school_id", "indicator", *dy.STATUS_COLUMNS]
    procedures = inputs["trend_procedures"]
    latest = int(procedures["year"].max()) if len(procedures) else None
    return {
        "trends": school[numbers],
        "status_change": school[[c for c in colours if c in school.columns]],
        "procedure_trends": (
            dy.procedure_trends(procedures, latest, settings.trends)
            if latest
            else pd.DataFrame({"as_of": []})
        ),
        "early_warning": dy.early_warning(
            school, identification, inputs["trend_membership"], settings.trends
        ),
    }
