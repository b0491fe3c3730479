"""Plotly figures for the pages, with Russian labels, decimal commas and whole-number years."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics import labels
from analytics.settings import SmallNumbers

COLORS = {
    "school": "#1f4e8c",
    "municipality": "#e08a1e",
    "region": "#7a7a7a",
    "shnor_shnsu": "#b2182b",
    "shnor": "#ef6548",
    "shnsu": "#fdae61",
    "other": "#9ecae1",
}
SETTLEMENT_COLORS = {"город": "#1f4e8c", "посёлок": "#4daf4a", "село": "#e08a1e"}
SETTLEMENT_SYMBOLS = {"город": "circle", "посёлок": "square", "село": "diamond"}


def russian(fig: go.Figure, height: int | None = None) -> go.Figure:
    """Common layout: decimal comma, thin-space thousands, compact margins."""
    fig.update_layout(
        separators=", ",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"namelength": -1},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def lines(text: str, width: int) -> str:
    """A long label on lines of at most `width` letters, never inside a word: Plotly does
    not wrap labels, and a narrow column (a laptop, a tablet) cuts them at its edge.

    >>> lines("Оба родителя с высшим образованием", 20)
    'Оба родителя с<br>высшим образованием'
    """
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def years_axis(fig: go.Figure) -> go.Figure:
    fig.update_xaxes(dtick=1, tickformat="d", title_text="Год")
    return fig


def municipality_status_bars(summary: pd.DataFrame) -> go.Figure:
    """Schools per municipality, split by programme status in the year."""
    df = summary.sort_values("schools")
    fig = go.Figure()
    columns = {
        "shnor_shnsu": "shnor_shnsu",
        "shnor": "shnor_only",
        "shnsu": "shnsu_only",
        "other": "other",
    }
    for key, column in columns.items():
        fig.add_bar(
            y=df["name"],
            x=df[column],
            name=labels.STATUS_LABELS[key],
            orientation="h",
            marker_color=COLORS[key],
            hovertemplate="%{y}: %{x} школ<extra>" + labels.STATUS_LABELS[key] + "</extra>",
        )
    fig.update_layout(barmode="stack", xaxis_title="Число школ", yaxis_title=None)
    fig.update_xaxes(tickformat=",d", rangemode="tozero")
    return russian(fig, height=max(360, 18 * len(df) + 80))


def context_scatter(points: pd.DataFrame) -> go.Figure:
    """Each school: ИСБШ (context) against its overall result, with the regional trend line."""
    df = points.dropna(subset=["isbsh", "result_index"])
    fig = go.Figure()
    for settlement, part in df.groupby("settlement_type", sort=False):
        fig.add_scatter(
            x=part["isbsh"],
            y=part["result_index"],
            mode="markers",
            name=str(settlement).capitalize(),
            marker={
                "color": SETTLEMENT_COLORS.get(settlement, "#555"),
                "symbol": SETTLEMENT_SYMBOLS.get(settlement, "circle"),
                "size": np.clip(np.sqrt(part["pupils"].fillna(100).to_numpy()) / 3, 4, 16),
                "opacity": 0.7,
                "line": {"width": 0.5, "color": "white"},
            },
            customdata=np.column_stack(
                [part["school_id"], part["name"], part["municipality"], part["pupils"].fillna(0)]
            ),
            hovertemplate=(
                "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
                "ИСБШ: %{x:.1f}<br>Сводный результат: %{y:.2f}<br>"
                "Обучающихся: %{customdata[3]:,.0f}<extra></extra>"
            ),
        )
    if len(df) >= 3:
        slope, intercept = np.polyfit(df["isbsh"], df["result_index"], 1)
        xs = np.array([df["isbsh"].min(), df["isbsh"].max()])
        fig.add_scatter(
            x=xs,
            y=intercept + slope * xs,
            mode="lines",
            name="Линия тренда",
            line={"color": "#333", "dash": "dash"},
            hoverinfo="skip",
        )
    fig.add_hline(y=0, line={"color": "#aaa", "width": 1})
    fig.update_layout(xaxis_title=labels.ISBSH, yaxis_title=labels.RESULT_INDEX)
    return russian(fig, height=480)


def result_history(history: pd.DataFrame, measure: str, small_numbers: SmallNumbers) -> go.Figure:
    """A procedure over the years: the school (hidden below `small_numbers.hide_below`
    participants, marked as unreliable below `unreliable_below`), its municipality and the
    region."""
    df = history.copy()
    school_col = f"school_{measure}"
    small = df["participants"].fillna(0) < small_numbers.hide_below
    df.loc[small, school_col] = np.nan
    percent = measure in ("share_fail", "share_high")
    scale = 100 if percent else 1
    fig = go.Figure()
    for key in ("region", "municipality", "school"):
        column = f"{key}_{measure}"
        fig.add_scatter(
            x=df["year"],
            y=df[column] * scale,
            mode="lines+markers",
            name=labels.SERIES_LABELS[key],
            line={
                "color": COLORS[key],
                "width": 3 if key == "school" else 2,
                "dash": "solid" if key == "school" else "dot",
            },
            marker={
                "symbol": {"school": "circle", "municipality": "square", "region": "diamond"}[key]
            },
            connectgaps=False,
            hovertemplate="%{x}: %{y:.2f}"
            + (" %" if percent else "")
            + "<extra>"
            + labels.SERIES_LABELS[key]
            + "</extra>",
        )
    unreliable = df[
        (df["participants"] >= small_numbers.hide_below)
        & (df["participants"] < small_numbers.unreliable_below)
    ]
    if len(unreliable):
        fig.add_scatter(
            x=unreliable["year"],
            y=unreliable[school_col] * scale,
            mode="markers",
            name=f"Менее {small_numbers.unreliable_below} участников (ненадёжно)",
            marker={"symbol": "circle-open", "size": 16, "color": "#b2182b", "line": {"width": 2}},
            hoverinfo="skip",
        )
    fig.update_layout(yaxis_title=labels.MEASURES[measure] + (", %" if percent else ""))
    return years_axis(russian(fig, height=380))


def passport_compare(compare: pd.DataFrame) -> go.Figure:
    """The school's passport shares against its municipality and the region."""
    df = compare.copy()
    df["label"] = df["indicator"].map(labels.PASSPORT_LABELS)
    fig = go.Figure()
    for key in ("school", "municipality", "region"):
        fig.add_bar(
            y=df["label"].map(lambda label: lines(label, 20)),  # a half column on a laptop
            x=df[key] * 100,
            name=labels.SERIES_LABELS[key],
            orientation="h",
            marker_color=COLORS[key],
            customdata=df["label"],
            hovertemplate="%{customdata}: %{x:.1f} %<extra>"
            + labels.SERIES_LABELS[key]
            + "</extra>",
        )
    fig.update_layout(
        barmode="group", xaxis_title="Доля обучающихся, %", yaxis={"autorange": "reversed"}
    )
    return russian(fig, height=460)


def staff_age(staff: pd.DataFrame) -> go.Figure:
    """Teachers by age group over the years (stacked shares)."""
    groups = {
        "share_age_under_35": ("Моложе 35 лет", "#4daf4a"),
        "share_age_35_55": ("35–55 лет", "#9ecae1"),
        "share_age_55_plus": ("55 лет и старше", "#e08a1e"),
    }
    fig = go.Figure()
    for column, (label, color) in groups.items():
        fig.add_bar(
            x=staff["year"],
            y=staff[column] * 100,
            name=label,
            marker_color=color,
            hovertemplate="%{x}: %{y:.1f} %<extra>" + label + "</extra>",
        )
    fig.update_layout(barmode="stack", yaxis_title="Доля педагогов, %")
    return years_axis(russian(fig, height=320))


BAND_STYLE = {
    # band: (colour, symbol) — the symbol keeps the band readable in black and white.
    "значительно выше ожидаемого": ("#1a9850", "triangle-up"),
    "выше ожидаемого": ("#91cf60", "triangle-up-open"),
    "в пределах ожидаемого": ("#9e9e9e", "circle-open"),
    "ниже ожидаемого": ("#fc8d59", "triangle-down-open"),
    "значительно ниже ожидаемого": ("#d73027", "triangle-down"),
}
QUADRANTS = (
    # (x side, y side, label)
    ("left", "top", "Неблагоприятный контекст,<br>высокие результаты"),
    ("right", "top", "Благоприятный контекст,<br>высокие результаты"),
    ("left", "bottom", "Неблагоприятный контекст,<br>низкие результаты"),
    ("right", "bottom", "Благоприятный контекст,<br>низкие результаты"),
)


def _school_customdata(df: pd.DataFrame) -> np.ndarray:
    return np.column_stack(
        [
            df["school_id"],
            df["name"],
            df["municipality"],
            df["participants"],
            df["residual"],
            df["band"].fillna("—"),
        ]
    )


def _band_traces(fig: go.Figure, df: pd.DataFrame, x: str, y: str, hover: str) -> None:
    for band, (color, symbol) in BAND_STYLE.items():
        part = df[df["band"] == band]
        if part.empty:
            continue
        fig.add_scatter(
            x=part[x],
            y=part[y],
            mode="markers",
            name=band.capitalize(),
            marker={"color": color, "symbol": symbol, "size": 8, "line": {"width": 1}},
            customdata=_school_customdata(part),
            hovertemplate=hover,
        )


def adjusted_scatter(points: pd.DataFrame) -> go.Figure:
    """ИСБШ against the result: the regression line, quadrants and resilient schools marked."""
    df = points.dropna(subset=["isbsh", "result"])
    hover = (
        "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>ИСБШ: %{x:.1f}<br>"
        "Результат: %{y:.2f}<br>С учётом контекста: %{customdata[4]:+.2f} "
        "(%{customdata[5]})<br>Участников: %{customdata[3]:,.0f}<extra></extra>"
    )
    fig = go.Figure()
    _band_traces(fig, df, "isbsh", "result", hover)
    if len(df) >= 3 and df["isbsh"].nunique() > 1:
        slope, intercept = np.polyfit(df["isbsh"], df["result"], 1)
        xs = np.array([df["isbsh"].min(), df["isbsh"].max()])
        fig.add_scatter(
            x=xs,
            y=intercept + slope * xs,
            mode="lines",
            name="Линия регрессии",
            line={"color": "#333", "dash": "dash"},
            hoverinfo="skip",
        )
    resilient = df[df["resilient"]]
    if len(resilient):
        fig.add_scatter(
            x=resilient["isbsh"],
            y=resilient["result"],
            mode="markers",
            name="Резильентные школы",
            marker={"symbol": "star-open", "size": 18, "color": "#6a3d9a", "line": {"width": 2}},
            customdata=_school_customdata(resilient),
            hovertemplate=hover,
        )
    fig.add_hline(y=0, line={"color": "#aaa", "width": 1})
    fig.add_vline(x=50, line={"color": "#aaa", "width": 1})
    for x_side, y_side, label in QUADRANTS:
        fig.add_annotation(
            x=0.01 if x_side == "left" else 0.99,
            y=0.99 if y_side == "top" else 0.01,
            xref="paper",
            yref="paper",
            xanchor=x_side,
            yanchor=y_side,
            text=label,
            showarrow=False,
            font={"size": 11, "color": "#555"},
            align="left" if x_side == "left" else "right",
        )
    fig.update_layout(xaxis_title=labels.ISBSH, yaxis_title="Результат (z)")
    return russian(fig, height=520)


def funnel(points: pd.DataFrame) -> go.Figure:
    """Adjusted results against participants with the 95 % and 99,8 % limits around zero."""
    df = points.dropna(subset=["residual", "participants"])
    hover = (
        "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>Участников: %{x:,.0f}<br>"
        "С учётом контекста: %{y:+.2f} (%{customdata[5]})<extra></extra>"
    )
    fig = go.Figure()
    _band_traces(fig, df, "participants", "residual", hover)
    if "shrunk" in df and df["shrunk"].notna().any():
        # The Empirical-Bayes estimate beside each point: one trace, drawn toward zero the
        # more, the fewer took part.
        fig.add_scatter(
            x=df["participants"],
            y=df["shrunk"],
            mode="markers",
            name="С поправкой на надёжность",
            marker={"color": "#222", "symbol": "line-ew", "size": 9, "line": {"width": 2}},
            customdata=np.column_stack([df["school_id"], df["name"], df["residual"]]),
            hovertemplate=(
                "<b>%{customdata[1]}</b><br>С поправкой на надёжность: %{y:+.2f}<br>"
                "Без поправки: %{customdata[2]:+.2f}<extra></extra>"
            ),
        )
    if len(df):
        sigma = float(np.sqrt(np.average(df["pupil_sd"] ** 2, weights=df["participants"])))
        n = np.geomspace(max(df["participants"].min(), 1), df["participants"].max(), 80)
        for z, label, dash in ((1.96, "95 %", "dash"), (3.09, "99,8 %", "dot")):
            limit = z * sigma / np.sqrt(n)
            for sign in (1, -1):
                fig.add_scatter(
                    x=n,
                    y=sign * limit,
                    mode="lines",
                    name=f"Границы {label}",
                    legendgroup=label,
                    showlegend=sign == 1,
                    line={"color": "#555", "dash": dash, "width": 1},
                    hoverinfo="skip",
                )
    fig.add_hline(y=0, line={"color": "#333", "width": 1})
    fig.update_xaxes(type="log", title_text="Число участников (логарифмическая шкала)")
    fig.update_yaxes(title_text="Отклонение от ожидаемого (z)")
    return russian(fig, height=460)


def adjusted_intervals(rows: pd.DataFrame, row_labels: list[str]) -> go.Figure:
    """A school's adjusted result per procedure: the point, its 95 % interval, its band."""
    df = rows.assign(label=row_labels)
    fig = go.Figure()
    for band, (color, symbol) in BAND_STYLE.items():
        part = df[df["band"] == band]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["residual"],
            y=part["label"],
            mode="markers",
            name=band.capitalize(),
            marker={"color": color, "symbol": symbol, "size": 11, "line": {"width": 1}},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": part["upper"] - part["residual"],
                "arrayminus": part["residual"] - part["lower"],
                "color": color,
                "thickness": 2,
            },
            customdata=np.column_stack([part["participants"], part["lower"], part["upper"]]),
            hovertemplate=(
                "%{y}: %{x:+.2f}<br>95 %-интервал: %{customdata[1]:+.2f} … "
                "%{customdata[2]:+.2f}<br>Участников: %{customdata[0]:,.0f}<extra>"
                + band
                + "</extra>"
            ),
        )
    if "shrunk" in df and df["shrunk"].notna().any():
        # The estimate drawn toward zero by its noise: far from the point where few took part.
        fig.add_scatter(
            x=df["shrunk"],
            y=df["label"],
            mode="markers",
            name="С поправкой на надёжность",
            marker={"color": "#222", "symbol": "line-ns", "size": 14, "line": {"width": 2}},
            customdata=df["reliability"] * 100,
            hovertemplate=(
                "%{y}: %{x:+.2f} с поправкой на надёжность<br>Надёжность: "
                "%{customdata:.0f} %<extra></extra>"
            ),
        )
    fig.add_vline(x=0, line={"color": "#333", "width": 1})
    fig.update_layout(
        xaxis_title="Отклонение от ожидаемого с учётом контекста (z)",
        yaxis={"autorange": "reversed", "title": None},
    )
    return russian(fig, height=max(260, 26 * len(df) + 120))


def against_group(
    values: pd.DataFrame, school_id: str, peer_ids: list[str], names: dict[str, str]
) -> go.Figure:
    """The school (a red diamond) among its similar schools (grey points, their median a
    black bar) on each indicator of `names` (column → label); `values` is indexed by school."""
    peers = values.loc[peer_ids]
    fig = go.Figure()
    rows = list(names.items())
    group_x, group_y, group_text, median_x, median_y = [], [], [], [], []
    for column, label in rows:
        known = peers[column].dropna()
        group_x += known.tolist()
        group_y += [label] * len(known)
        group_text += peers.loc[known.index, "name"].tolist()
        if len(known):
            median_x.append(float(known.median()))
            median_y.append(label)
    fig.add_scatter(
        x=group_x,
        y=group_y,
        mode="markers",
        name="Похожие школы",
        marker={"color": "#9e9e9e", "size": 9, "opacity": 0.7, "line": {"width": 0}},
        text=group_text,
        hovertemplate="%{text}<br>%{y}: %{x:+.2f}<extra></extra>",
    )
    fig.add_scatter(
        x=median_x,
        y=median_y,
        mode="markers",
        name="Медиана похожих школ",
        marker={"color": "#222", "symbol": "line-ns", "size": 22, "line": {"width": 3}},
        hovertemplate="Медиана похожих школ: %{x:+.2f}<extra></extra>",
    )
    mine = values.loc[school_id]
    shown = [(label, mine[column]) for column, label in rows if pd.notna(mine[column])]
    fig.add_scatter(
        x=[v for _, v in shown],
        y=[label for label, _ in shown],
        mode="markers",
        name="Эта школа",
        marker={"color": "#d73027", "symbol": "diamond", "size": 14, "line": {"width": 1}},
        hovertemplate="Эта школа<br>%{y}: %{x:+.2f}<extra></extra>",
    )
    fig.add_vline(x=0, line={"color": "#bbb", "width": 1})
    fig.update_layout(
        xaxis_title="Отклонение от среднего по региону (ст. откл.)",
        yaxis={
            "autorange": "reversed",
            "title": None,
            "categoryorder": "array",
            "categoryarray": [label for _, label in rows],
        },
    )
    return russian(fig, height=max(240, 56 * len(rows) + 140))


# Colours of the cohort links, in their order: ВПР grade pairs, then ОГЭ → ЕГЭ.
LINK_COLORS = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#ff7f0e", "#17becf", "#e377c2"]
# The three readings of a cohort figure: the symbol keeps them apart in black and white.
READING_SYMBOLS = {
    "выше ожидаемого": "triangle-up",
    "в пределах ожидаемого": "circle-open",
    "ниже ожидаемого": "triangle-down",
}


def cohort_intervals(rows: pd.DataFrame) -> go.Figure:
    """A school's cohort value added by year of the later result, a line of points per link:
    the point (its shape the reading), its 95 % interval, zero — as expected."""
    fig = go.Figure()
    links = list(dict.fromkeys(rows["link"]))
    width = 0.5 / max(len(links), 1)  # the links of one year side by side, not on each other
    for k, link in enumerate(links):
        part = rows[rows["link"] == link].sort_values("later_year")
        shift = (k - (len(links) - 1) / 2) * width
        color = LINK_COLORS[k % len(LINK_COLORS)]
        fig.add_scatter(
            x=part["later_year"] + shift,
            y=part["value_added"],
            mode="markers+lines",
            name=link,
            showlegend=False,  # a legend entry would take the first point's shape
            line={"color": color, "width": 1, "dash": "dot"},
            marker={
                "color": color,
                "size": 11,
                "symbol": [READING_SYMBOLS.get(b, "circle") for b in part["band"]],
                "line": {"width": 1.5, "color": color},
            },
            error_y={
                "type": "data",
                "symmetric": False,
                "array": part["upper"] - part["value_added"],
                "arrayminus": part["value_added"] - part["lower"],
                "color": color,
                "thickness": 1.5,
                "width": 3,
            },
            customdata=np.column_stack(
                [
                    part["earlier_year"],
                    part["later_year"],
                    part["lower"],
                    part["upper"],
                    part["band"],
                ]
            ),
            hovertemplate=(
                link + ", %{customdata[0]} → %{customdata[1]}: %{y:+.2f}<br>95 %-интервал: "
                "%{customdata[2]:+.2f} … %{customdata[3]:+.2f}<br>%{customdata[4]}<extra></extra>"
            ),
        )
    # The legend: each link by its colour, each reading by its shape.
    for k, link in enumerate(links):
        color = LINK_COLORS[k % len(LINK_COLORS)]
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="lines+markers",
            name=link,
            line={"color": color, "width": 2},
            marker={"color": color, "symbol": "square", "size": 8},
        )
    for reading, symbol in READING_SYMBOLS.items():
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=reading.capitalize(),
            marker={"color": "#555", "symbol": symbol, "size": 10, "line": {"width": 1.5}},
        )
    fig.add_hline(y=0, line={"color": "#333", "width": 1})
    fig.update_layout(yaxis_title="Выше (+) или ниже (−) ожидаемого, z")
    years_axis(fig)
    fig.update_xaxes(title_text="Год итогового результата")
    return russian(fig, height=380)


CLUSTER_COLORS = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
]
CLUSTER_SYMBOLS = [
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "cross",
    "x",
    "star",
    "hexagon",
    "pentagon",
    "triangle-down",
]


def cluster_style(cluster_id: int) -> tuple[str, str]:
    i = (int(cluster_id) - 1) % len(CLUSTER_COLORS)
    return CLUSTER_COLORS[i], CLUSTER_SYMBOLS[i]


def cluster_map(points: pd.DataFrame, explained: list[float]) -> go.Figure:
    """Schools on the first two principal components of their risk levels, by cluster."""
    fig = go.Figure()
    for (cluster, name), part in points.groupby(["cluster_id", "cluster_name"], sort=True):
        color, symbol = cluster_style(cluster)
        fig.add_scatter(
            x=part["x"],
            y=part["y"],
            mode="markers",
            name=lines(f"{cluster}. {name}", 45),  # the legend does not wrap by itself
            marker={
                "color": color,
                "symbol": symbol,
                "size": 10,
                "line": {"width": 1, "color": "white"},
            },
            customdata=np.column_stack([part["school_id"], part["name"], part["municipality"]]),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<extra>"
            + f"Кластер {cluster}</extra>",
        )
    share = [f"{v * 100:.0f} %".replace(".", ",") for v in explained] + ["", ""]
    fig.update_layout(
        xaxis_title=f"Главное различие профилей<br>({share[0]} всех различий)",
        yaxis_title=f"Второе по величине различие ({share[1]} всех различий)",
    )
    fig = russian(fig, height=560)
    # Below the axis title, which takes two lines.
    fig.update_layout(legend={"orientation": "h", "y": -0.26, "x": 0, "yanchor": "top"})
    return fig


def _short_label(cluster, name: str, width: int = 48) -> str:
    """«3. Учебная неуспешность и …» — long cluster names would squeeze the plot."""
    label = f"{int(cluster)}. {name}"
    return label if len(label) <= width else label[: width - 1].rstrip(" ,") + "…"


def cluster_heatmap(centres: pd.DataFrame, names: dict[int, str]) -> go.Figure:
    """Mean risk level (0 low … 2 high) of each cluster by factor."""
    table = centres.pivot(index="cluster_id", columns="short_name", values="mean_level")
    order = centres.drop_duplicates("short_name").sort_values("factor_code")["short_name"]
    table = table[list(order)]
    row_labels = [_short_label(c, names.get(c, ""), 36) for c in table.index]
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=list(table.columns),
            y=row_labels,
            zmin=0,
            zmax=2,
            colorscale=[[0, "#f7fbff"], [0.5, "#fdae61"], [1, "#b2182b"]],
            text=np.vectorize(lambda v: f"{v:.1f}".replace(".", ","))(table.to_numpy()),
            texttemplate="%{text}",
            colorbar={
                "title": "Уровень риска",
                "tickvals": [0, 1, 2],
                "ticktext": ["низкий", "средний", "высокий"],
            },
            hovertemplate="%{y}<br>%{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(tickangle=-35)
    fig.update_yaxes(autorange="reversed")
    return russian(fig, height=max(320, 60 * len(row_labels) + 200))


def silhouette_curve(quality: pd.DataFrame) -> go.Figure:
    """The silhouette for each k tried, the chosen k marked."""
    fig = go.Figure()
    fig.add_scatter(
        x=quality["k"],
        y=quality["silhouette"],
        mode="lines+markers",
        name="Силуэт",
        hovertemplate="k = %{x}: %{y:.3f}<extra></extra>",
    )
    chosen = quality[quality["chosen"]]
    fig.add_scatter(
        x=chosen["k"],
        y=chosen["silhouette"],
        mode="markers",
        name="Выбранное k",
        marker={"size": 16, "symbol": "star", "color": "#d62728"},
        hoverinfo="skip",
    )
    fig.update_xaxes(dtick=1, title_text="Число кластеров k")
    fig.update_yaxes(title_text="Средний силуэт")
    return russian(fig, height=300)


def risk_radar(profile: pd.DataFrame) -> go.Figure:
    """A school's risk levels against its cluster and the region (polar chart)."""
    df = profile.sort_values("factor_code")

    def closed(values) -> list:
        values = list(values)
        return [*values, values[0]]

    # Plotly does not make room for a polar chart's labels: long ones go on lines of a
    # dozen letters, and the margins and the legend at the very top leave room for them.
    theta = closed(df["short"].map(lambda name: lines(name, 14)))

    fig = go.Figure()
    fig.add_scatterpolar(
        r=closed(df["region_level"]),
        theta=theta,
        name="Регион",
        line={"color": COLORS["region"], "dash": "dot"},
    )
    if df["cluster_level"].notna().any():
        fig.add_scatterpolar(
            r=closed(df["cluster_level"]),
            theta=theta,
            name="Кластер",
            line={"color": COLORS["municipality"], "dash": "dash"},
        )
    fig.add_scatterpolar(
        r=closed(df["level"]),
        theta=theta,
        name="Школа",
        fill="toself",
        line={"color": COLORS["school"], "width": 3},
        opacity=0.8,
    )
    fig.update_layout(
        polar={
            "radialaxis": {
                "range": [0, 2],
                "tickvals": [0, 1, 2],
                "ticktext": ["низкий", "средний", "высокий"],
            }
        }
    )
    return russian(fig, height=460).update_layout(
        margin={"l": 90, "r": 90, "t": 90, "b": 50},
        legend={"yref": "container", "y": 1, "yanchor": "top"},
    )


def stage_slopes(changes: pd.DataFrame, positive: dict[str, bool]) -> go.Figure:
    """Each school's indicator at the three monitoring stages, and the median of all: one
    trace per kind of dynamics, its schools' lines separated by gaps (a trace per school costs
    the browser a hundred traces to draw)."""
    stages = ["Входной", "Промежуточный", "Итоговый"]
    columns = ["entry", "intermediate", "final"]
    percent = changes["unit"].eq("доля").all()
    scale = 100 if percent else 1
    fig = go.Figure()
    state = changes["school_id"].map(positive)
    groups = np.select(
        [state.eq(True), state.eq(False)],
        ["Положительная динамика", "Нет положительной динамики"],
        "Нет итоговых данных",
    )
    styles = {
        "Положительная динамика": ("#1a9850", "solid"),
        "Нет положительной динамики": ("#d73027", "dot"),
        "Нет итоговых данных": ("#9e9e9e", "dot"),
    }
    for group, (color, dash) in styles.items():
        part = changes[groups == group]
        if part.empty:
            continue
        # Each school: its three stages, then a gap (None) before the next school.
        values = part[columns].to_numpy(float) * scale
        y = np.column_stack([values, np.full(len(part), np.nan)]).ravel()
        x = np.tile([*stages, None], len(part))
        names = np.repeat(part["name"].to_numpy(object), 4)
        fig.add_scatter(
            x=x,
            y=[None if v != v else v for v in y],
            mode="lines+markers",
            name=group,
            line={"color": color, "width": 1, "dash": dash},
            marker={"size": 5},
            opacity=0.55,
            customdata=names,
            connectgaps=False,
            hovertemplate=f"<b>%{{customdata}}</b><br>%{{x}}: %{{y:.2f}}<extra>{group}</extra>",
        )
    medians = [changes[c].median() * scale for c in columns]
    fig.add_scatter(
        x=stages,
        y=medians,
        mode="lines+markers",
        name="Медиана",
        line={"color": "#000", "width": 4},
        marker={"size": 10, "symbol": "diamond"},
        hovertemplate="Медиана, %{x}: %{y:.2f}<extra></extra>",
    )
    unit = changes["unit"].iloc[0] if len(changes) else ""
    fig.update_layout(
        yaxis_title=f"{changes['indicator_name'].iloc[0] if len(changes) else ''}"
        + (", %" if percent else f", {unit}")
    )
    return russian(fig, height=460)


def share_bars(shares: pd.DataFrame, by: str) -> go.Figure:
    """Share of schools with positive dynamics per group."""
    df = shares.sort_values("share_positive")
    fig = go.Figure(
        go.Bar(
            x=df["share_positive"] * 100,
            y=df[by],
            orientation="h",
            marker_color="#1a9850",
            customdata=np.column_stack([df["positive"], df["judged"], df["no_final"]]),
            text=[f"{v:.0f} %" for v in df["share_positive"].fillna(0) * 100],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1f} % (%{customdata[0]} из %{customdata[1]}; "
            "без итоговых данных: %{customdata[2]})<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis_title="Доля школ с положительной динамикой, %",
        xaxis_range=[0, 110],
        meta={"rows_grow": True},  # printed as high as its bars need
    )
    return russian(fig, height=max(260, 26 * len(df) + 100))


def region_band(history: pd.DataFrame, with_municipality: bool) -> go.Figure:
    """A procedure's regional mean over the years in its band of schools, and a municipality."""
    fig = go.Figure()
    for low, high, name, shade in (
        ("p10", "p90", "80 % школ региона", "rgba(122,122,122,0.15)"),
        ("p25", "p75", "Половина школ региона", "rgba(122,122,122,0.30)"),
    ):
        fig.add_scatter(
            x=history["year"],
            y=history[high],
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=history["year"],
            y=history[low],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=shade,
            name=name,
            hoverinfo="skip",
        )
    fig.add_scatter(
        x=history["year"],
        y=history["region_mean"],
        mode="lines+markers",
        name="Регион",
        line={"color": COLORS["region"], "width": 3},
        marker={"symbol": "diamond"},
        hovertemplate="%{x}: %{y:.2f}<extra>Регион</extra>",
    )
    if with_municipality:
        fig.add_scatter(
            x=history["year"],
            y=history["municipality_mean"],
            mode="lines+markers",
            name="Муниципалитет",
            line={"color": COLORS["municipality"], "width": 3},
            marker={"symbol": "square"},
            hovertemplate="%{x}: %{y:.2f}<extra>Муниципалитет</extra>",
        )
    measure = history["measure"].iloc[0] if "measure" in history and len(history) else "score"
    if measure == "high":
        fig.update_traces(
            hovertemplate="%{x}: %{y:.1%}<extra>%{fullData.name}</extra>",
            selector={"mode": "lines+markers"},
        )
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_layout(yaxis_title=BAND_MEASURES[measure])
    return years_axis(russian(fig, height=380))


# What the band of a procedure shows (sql/pages/dynamics/dynamics_region.sql's `measure`).
BAND_MEASURES = {
    "score": "Средний балл",
    "mark": "Средняя отметка",
    "high": "Доля выше верхнего порога",
}


GRID_NAMES = {"R": "красный", "O": "оранж.", "Y": "жёлтый", "G": "зелёный", "B": "синий"}
GRID_COLOURS = {
    "R": "#d73027",
    "O": "#fc8d59",
    "Y": "#fee08b",
    "G": "#91cf60",
    "B": "#4575b4",
}


def status_grid(cells: pd.DataFrame, status_levels, change_levels, grid) -> go.Figure:
    """The 5×5 status × change grid: every cell in its colour with the number of schools."""
    counts = {(int(r.status), int(r.change)): int(r.schools) for r in cells.itertuples()}
    xs, ys, colours, texts_, custom = [], [], [], [], []
    for status in range(5):
        for change in range(5):
            code = grid[status][change]
            xs.append(change_levels[change])
            ys.append(status_levels[status])
            colours.append(GRID_COLOURS[code])
            n = counts.get((status, change), 0)
            # The colour's name in the cell keeps the grid readable in black and white.
            texts_.append(f"<b>{n}</b><br><span style='font-size:9px'>{GRID_NAMES[code]}</span>")
            custom.append([status, change, n])
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=texts_,
            textfont={"size": 16},
            marker={
                "symbol": "square",
                "size": 62,
                "color": colours,
                "line": {"width": 1, "color": "#555"},
            },
            customdata=custom,
            hovertemplate="%{y} уровень, %{x}: %{customdata[2]}<extra>школ в клетке</extra>",
            showlegend=False,
        )
    )
    fig.update_xaxes(
        title_text="Изменение (наклон за 3–5 лет)",
        categoryorder="array",
        categoryarray=list(change_levels),
        side="top",
        showgrid=False,  # the squares are the grid
    )
    fig.update_yaxes(
        title_text="Уровень",
        categoryorder="array",
        categoryarray=list(status_levels),
        showgrid=False,
    )
    fig = russian(fig, height=430)
    # Squares of a fixed size in pixels: on paper too the grid needs its own width and height.
    fig.update_layout(margin={"l": 10, "r": 10, "t": 80, "b": 10}, meta={"print_size": [900, 470]})
    return fig


def trend_line(history: pd.DataFrame, trend: pd.Series, label: str, percent: bool) -> go.Figure:
    """An indicator over the years with the fitted slope of the last years in its colour."""
    scale = 100 if percent else 1
    fig = go.Figure()
    fig.add_scatter(
        x=history["year"],
        y=history["value"] * scale,
        mode="lines+markers",
        name=label,
        line={"color": COLORS["school"], "width": 3},
        hovertemplate="%{x}: %{y:.2f}<extra></extra>",
    )
    if trend is not None and trend["slope"] == trend["slope"]:
        years = history[history["year"] >= trend["first_year"]]["year"]
        mean_x, mean_y = years.mean(), history.set_index("year").loc[years, "value"].mean()
        ys = [(mean_y + trend["slope"] * (y - mean_x)) * scale for y in years]
        colour = trend["colour_hex"] if isinstance(trend["colour_hex"], str) else "#555"
        fig.add_scatter(
            x=years,
            y=ys,
            mode="lines",
            name="Тренд",
            line={"color": colour, "width": 4, "dash": "dash"},
            hoverinfo="skip",
        )
    fig.update_layout(yaxis_title=label + (", %" if percent else ""), showlegend=False)
    return years_axis(russian(fig, height=240))


ROADMAP_COLOURS = {
    "выполнено": "#1a9850",
    "выполняется": "#91bfdb",
    "запланировано": "#d9d9d9",
    "не выполнено": "#d73027",
}


def small_trend(
    years, values, title: str, percent: bool = False, colour: str = "#4575b4"
) -> go.Figure:
    """A school's indicator over the years, small enough for four to a card."""
    shown = [v * 100 for v in values] if percent else list(values)
    fig = go.Figure(
        go.Scatter(
            x=list(years),
            y=shown,
            mode="lines+markers",
            line={"color": colour, "width": 2},
            marker={"size": 6, "color": colour},
            hovertemplate="%{x}: %{y:.1f}" + (" %" if percent else "") + "<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 13}},
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    fig.update_xaxes(dtick=1, tickformat="d")
    if percent:
        fig.update_yaxes(ticksuffix=" %")
    return russian(fig, height=170)


def for_projector(figure: go.Figure, size: int = 20) -> go.Figure:
    """A copy of the chart readable on a projector: every text at least `size` px."""
    fig = go.Figure(figure)
    fig.update_layout(font={"size": size}, legend={"font": {"size": size}})
    fig.update_xaxes(tickfont={"size": size}, title_font={"size": size})
    fig.update_yaxes(tickfont={"size": size}, title_font={"size": size})
    for trace in fig.data:
        if "textfont" in trace:  # the labels on bars and points
            trace.textfont.size = size
    return fig


def roadmap_bars(roadmap: pd.DataFrame) -> go.Figure:
    """Roadmap events by status: one bar per status, its overdue part drawn inside it (an
    event has one status; «просрочено» says when an unfinished one is late), so the bars add
    up to the number of events."""
    statuses = [s for s in ROADMAP_COLOURS if s in set(roadmap["status"])]
    late = roadmap["overdue"].fillna(False).astype(bool)
    in_time = [int(((roadmap["status"] == s) & ~late).sum()) for s in statuses]
    overdue = [int(((roadmap["status"] == s) & late).sum()) for s in statuses]
    totals = [a + b for a, b in zip(in_time, overdue, strict=True)]
    names = [s.capitalize() for s in statuses]
    fig = go.Figure()
    fig.add_bar(
        x=in_time,
        y=names,
        orientation="h",
        name="в срок",
        marker_color=[ROADMAP_COLOURS[s] for s in statuses],
        customdata=totals,
        hovertemplate="%{y}: %{x} в срок из %{customdata}<extra></extra>",
    )
    if any(overdue):
        fig.add_bar(
            x=overdue,
            y=names,
            orientation="h",
            name="из них просрочено",
            marker_color="#7f0000",
            customdata=totals,
            hovertemplate="%{y}: %{x} просрочено из %{customdata}<extra></extra>",
        )
    # The status's whole count at the end of its bar.
    fig.add_scatter(
        x=totals,
        y=names,
        mode="text",
        text=[str(t) for t in totals],
        textposition="middle right",
        showlegend=False,
        hoverinfo="skip",
    )
    fig.update_layout(
        barmode="stack",
        xaxis_title="Мероприятий",
        xaxis_range=[0, max(totals or [1]) * 1.15 + 1],
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": -0.35},
    )
    return russian(fig, height=300)
