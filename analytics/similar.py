"""Similar schools («похожие школы»): each school's comparison group of the schools most like
it in the conditions it works in, as Ohio's similar districts, NYC's comparison groups and the
settlement and accessibility groups of «Знак качества» do.

The likeness is a distance over what the school cannot choose: its social well-being index
(ИСБШ), its size (log of pupils) and its remoteness from the municipality's centre
(log of 1 + km), each standardised over the region's schools of the year, and its settlement
type, a different one counting as SETTLEMENT_GAP standard deviations. A feature the region does
not have (no distances, say) counts for nobody; a school missing one value counts as average
in it. The group is the `size` nearest schools of the whole region (scikit-learn's
NearestNeighbors), never the school itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GROUP_SIZE = 20
# A school of another settlement type is as far as one 2 sd away in ИСБШ.
SETTLEMENT_GAP = 2.0
SETTLEMENTS = ("город", "посёлок", "село")

# What a school is compared with its group on; True where a higher value is better.
COMPARED = {
    "result_index": True,
    "vpr_index": True,
    "oge_index": True,
    "ege_index": True,
    "share_fail": False,
    "adjusted_result": True,
}


def likeness_features(context: pd.DataFrame) -> np.ndarray:
    """The standardised features of each row of `context` (isbsh, pupils, distance_km,
    settlement_type; a column it lacks counts for nobody), in rows' order.

    >>> frame = pd.DataFrame({"isbsh": [10.0, 20.0, 30.0], "pupils": [100, 100, 100],
    ...                       "distance_km": [None, None, None],
    ...                       "settlement_type": ["село", "село", "город"]})
    >>> likeness_features(frame).round(3).tolist()[0]
    [-1.225, 0.0, 0.0, 0.0, 0.0, 1.414]
    """

    def column(name: str) -> pd.Series:
        if name in context:
            return context[name].astype(float)
        return pd.Series(np.nan, index=context.index)

    numeric = pd.DataFrame(
        {
            "isbsh": column("isbsh"),
            "size": np.log(column("pupils").clip(lower=1)),
            "remote": np.log1p(column("distance_km").clip(lower=0)),
        }
    )
    spread = numeric.std(ddof=0)
    centred = (numeric - numeric.mean()) / spread.where(spread > 0)
    values = centred.fillna(0.0).to_numpy(float)
    settlement = context.get("settlement_type", pd.Series(None, index=context.index))
    settlement = settlement.astype(object).to_numpy()
    weight = SETTLEMENT_GAP / np.sqrt(2.0)  # two one-hot columns differ per mismatch
    types = np.column_stack([(settlement == kind).astype(float) * weight for kind in SETTLEMENTS])
    return np.hstack([values, types])


def similar_groups(
    context: pd.DataFrame, schools: list[str] | None = None, size: int = GROUP_SIZE
) -> pd.DataFrame:
    """The comparison group of each school of `schools` (all by default) among the rows of
    `context` (one year: school_id, isbsh, pupils, distance_km, settlement_type).

    Returns school_id, rank (1 = most alike), peer_id, distance (in standard deviations).
    """
    columns = ["school_id", "rank", "peer_id", "distance"]
    frame = context.sort_values("school_id").reset_index(drop=True)
    if len(frame) < 2:
        return pd.DataFrame(columns=columns)
    ids = frame["school_id"].to_numpy()
    known = set(ids)
    wanted = ids if schools is None else np.array([s for s in schools if s in known])
    if not len(wanted):
        return pd.DataFrame(columns=columns)
    x = likeness_features(frame)
    k = min(size, len(frame) - 1)
    from sklearn.neighbors import NearestNeighbors  # kept out of the pages' imports

    model = NearestNeighbors(n_neighbors=k + 1).fit(x)
    position = pd.Series(np.arange(len(ids)), index=ids)
    query = position.loc[wanted].to_numpy()
    distance, neighbour = model.kneighbors(x[query])
    # The school itself is among its k + 1 nearest (first, unless another is as near): drop
    # it and keep k others, nearest first.
    own = neighbour == query[:, None]
    keep = ~own
    keep[~own.any(axis=1), -1] = False
    peers = neighbour[keep].reshape(len(query), k)
    gaps = distance[keep].reshape(len(query), k)
    return pd.DataFrame(
        {
            "school_id": np.repeat(ids[query], k),
            "rank": np.tile(np.arange(1, k + 1), len(query)),
            "peer_id": ids[peers.ravel()],
            "distance": gaps.ravel(),
        }
    )


def against_group(values: pd.DataFrame, school_id: str, peers: list[str]) -> pd.DataFrame:
    """The school against its group on each indicator of COMPARED that `values` has (indexed
    by school_id): its value, the group's median and quartiles, and its place among the group
    and itself (1 = best) with how many have the value.

    >>> v = pd.DataFrame({"result_index": [0.5, 0.1, 0.9, -0.2]}, index=["a", "b", "c", "d"])
    >>> row = against_group(v, "a", ["b", "c", "d"]).iloc[0]
    >>> int(row["place"]), int(row["ranked"]), round(float(row["median"]), 2)
    (2, 4, 0.1)
    """
    rows = []
    group = values.reindex(peers)
    for indicator, higher in COMPARED.items():
        if indicator not in values:
            continue
        mine = values.at[school_id, indicator] if school_id in values.index else np.nan
        theirs = group[indicator].dropna().astype(float)
        if pd.isna(mine) or theirs.empty:
            continue
        better = (theirs > mine).sum() if higher else (theirs < mine).sum()
        rows.append(
            {
                "indicator": indicator,
                "value": float(mine),
                "median": float(theirs.median()),
                "q1": float(theirs.quantile(0.25)),
                "q3": float(theirs.quantile(0.75)),
                "place": int(better) + 1,
                "ranked": len(theirs) + 1,
                "higher_better": higher,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["indicator", "value", "median", "q1", "q3", "place", "ranked", "higher_better"],
    )
