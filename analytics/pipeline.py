"""All derived analytics of a region in one pure function: frames in, frames out."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analytics import cohort as coh
from analytics import context as cx
from analytics import dynamics as dy
from analytics import grouping, risk
from analytics import identification as idn
from analytics import monitoring as mon
from analytics.objectivity import objectivity_flags
from analytics.resilience import (
    exams_in_window,
    judged_exams,
    neighbours,
    resilience,
    suggest_partners,
)
from analytics.settings import Clusters, Settings
from analytics.social_index import compute_social_index

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
    ranked: pd.DataFrame | None = None,
    near: dict[str, set[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Identification with resilience for one year, and the partner suggestions.

    `exams` is identification.exam_results(...) when already at hand (all years at once, or
    read from the database); otherwise it is computed from inputs["results"]. `pooled` is the
    pooled adjusted result per school when read from the database (then `adjusted` may be
    None). `ranked` is identification.bottom_ranks(exams, settings) when already at hand; then
    inputs["results"] need only hold the rows identification.rule_rows keeps. `near` is
    resilience.neighbours(inputs["municipalities"]) when already at hand.
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
        idn.bottom_ranks(exams, settings) if ranked is None else ranked,
    )
    res = resilience(adjusted, exams, inputs["context"], inputs["schools"], year, settings, pooled)
    ident = ident.merge(res, on=["school_id", "year"], how="left")
    year_context = inputs["context"][inputs["context"]["year"] == year]
    partners = suggest_partners(ident, year_context, res, inputs["municipalities"], settings, near)
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
    adjusted = compute_adjusted(inputs, settings)
    overall = compute_school_adjusted(adjusted, settings)
    step("Прирост когорт", 0.4)
    cohorts = compute_cohorts(adjusted, settings)
    return {
        "context_adjusted": adjusted,
        "school_adjusted": overall,
        **cohorts,
        **identify_years(inputs, adjusted, settings, lambda m, f: step(m, 0.5 + 0.5 * f)),
    }


# compute_derived in its parts (the refresh runs the parts that do not wait for each other on
# the two cores at once).


def compute_adjusted(inputs: dict[str, pd.DataFrame], settings: Settings) -> pd.DataFrame:
    """The context-adjusted result of every procedure row (analytics.context)."""
    return cx.context_adjusted(
        inputs["results"],
        inputs["context"],
        settings.small_numbers.hide_below,
        settings.band_magnitude,
        settings.band_shrunken,
    )


def compute_school_adjusted(adjusted: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """A school's adjusted result per year for every scope."""
    return cx.school_adjusted(
        adjusted, settings.small_numbers.hide_below, settings.band_magnitude, settings.band_shrunken
    )


def compute_cohorts(adjusted: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """Cohort value added and the region's lines (the same z and pupil σ as the adjusted)."""
    return coh.cohort_value_added(adjusted, settings.small_numbers.hide_below)


def identify_years(
    inputs: dict[str, pd.DataFrame],
    adjusted: pd.DataFrame,
    settings: Settings,
    progress: Callable[[str, float], None] | None = None,
    years: list[int] | None = None,
) -> dict[str, pd.DataFrame]:
    """Identification with resilience and the partner suggestions of every year (of `years`
    only, when given: the inputs then need hold only the years those read).

    What every year reads is prepared once for all years: the exam-level results and their
    ranks, the few procedure rows the other rules read, and the adjusted results summed per
    school, year and exam for pooling over each year's window."""
    step = progress or (lambda _m, _f: None)
    hide_below = settings.small_numbers.hide_below
    exams = idn.exam_results(inputs["results"], hide_below)
    ranked = idn.bottom_ranks(exams, settings)
    rows = idn.rule_rows(inputs["results"], settings)
    sums = cx.pool_sums(adjusted, ["school_id", "year", "exam"], hide_below)
    near = neighbours(inputs["municipalities"])
    present = sorted(int(y) for y in inputs["results"]["year"].unique())
    years = present if years is None else sorted(set(years) & set(present))
    idents, partners = [], []
    for i, year in enumerate(years):
        step(f"Идентификация ШНОР и ШНСУ, {year} год", i / max(len(years), 1))
        chosen = judged_exams(
            exams_in_window(exams, year, settings.years_window), tuple(settings.resilient_exams)
        )
        pooled = cx.pooled_over_years(
            adjusted, year, settings.years_window, chosen, hide_below, sums=sums
        )
        year_rows = rows[rows["year"].between(year - 1, year)]
        ident, suggested = identify_year(
            {**inputs, "results": year_rows},
            adjusted,
            year,
            settings,
            exams,
            pooled,
            ranked,
            near,
        )
        idents.append(ident)
        partners.append(suggested)
    return {
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
    profiles = risk_profiles(inputs, settings)
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


def risk_profiles(
    inputs: dict[str, pd.DataFrame], settings: Clusters, years: list[int] | None = None
) -> pd.DataFrame:
    """Every school-year's risk profile: the questionnaire's where there is one, else derived
    from the indicators (of `years` only, when given; each year's on its own)."""
    loaded, indicators = inputs["risk_profiles"], inputs["risk_indicators"]
    if years is not None:
        loaded = loaded[loaded["year"].isin(years)]
        indicators = indicators[indicators["year"].isin(years)]
    loaded = loaded.merge(inputs["risk_factors"], on=["year", "factor_code"], how="left")
    loaded = loaded.assign(source=risk.SOURCE_LOADED, indicator=None, value=float("nan"))
    derived = risk.derive_profiles(indicators, inputs["risk_factors"], settings)
    # A loaded profile wins over a derived one of the same school and year.
    keep = ~grouping.rows_in(derived[["school_id", "year"]], loaded[["school_id", "year"]])
    return pd.concat([loaded, derived[keep]], ignore_index=True)


def compute_monitoring(
    inputs: dict[str, pd.DataFrame], settings: Settings | None = None
) -> dict[str, pd.DataFrame]:
    """Stage changes, «положительная динамика» and the ВПР objectivity signs."""
    settings = settings or Settings()
    return compute_stages(inputs, settings) | {
        "objectivity_flags": compute_objectivity(inputs, settings)
    }


def compute_stages(inputs: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    """Stage changes and «положительная динамика»."""
    changes = mon.stage_table(inputs["monitoring_stages"], inputs["monitoring_indicators"])
    return {
        "monitoring_changes": changes,
        "monitoring_progress": mon.progress(changes, settings.monitoring),
    }


def compute_objectivity(inputs: dict[str, pd.DataFrame], settings: Settings) -> pd.DataFrame:
    """The ВПР objectivity signs of every school-year."""
    return objectivity_flags(
        inputs["objectivity_results"],
        inputs["objectivity_term"],
        inputs["objectivity_cohort"],
        inputs["schools"],
        settings.objectivity,
        settings.small_numbers.hide_below,
        inputs.get("objectivity_scores"),
    )


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
