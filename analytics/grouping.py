"""Groups of rows by integer codes: what frame.groupby and sort_values give, for millions of
rows keyed by text (school, exam, subject), without comparing the texts row by row.

A key of several columns becomes one int64 per row (each column factorized, the codes
combined); groups are then found by sorting or counting integers (np.argsort, np.bincount).
Every function falls back to pandas where a key is missing (NaN keys belong to no group in
pandas, and sort last), so the answers are pandas' own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def combined(frame: pd.DataFrame, columns: list[str], sort: bool = False) -> np.ndarray | None:
    """One int64 per row for the values of `columns`: equal rows, equal numbers; with `sort`
    the numbers follow the rows' lexicographic order of the values. None where a value is
    missing or the numbers would not fit.

    >>> frame = pd.DataFrame({"a": ["y", "x", "y"], "b": [2, 1, 2]})
    >>> combined(frame, ["a", "b"], sort=True).tolist()
    [3, 0, 3]
    """
    key = np.zeros(len(frame), dtype=np.int64)
    span = 1
    for column in columns:
        code, uniques = pd.factorize(frame[column], sort=sort)
        if (code < 0).any():
            return None
        size = max(len(uniques), 1)
        span *= size
        if span >= 2**62:
            return None
        key = key * size + code
    return key


def group_ids(frame: pd.DataFrame, columns: list[str], sort: bool = False) -> np.ndarray | None:
    """Each row's group number 0…G−1 by `columns`: in the order groups first appear, or with
    `sort` in the order of their keys (as groupby's result). None where a key is missing.

    >>> group_ids(pd.DataFrame({"a": ["y", "x", "y"]}), ["a"]).tolist()
    [0, 1, 0]
    """
    key = combined(frame, columns, sort)
    if key is None:
        return None
    if sort:
        # Sorting the distinct keys only (np.unique would sort every row's).
        return pd.factorize(key, sort=True)[0].astype(np.int64)
    return pd.factorize(key)[0].astype(np.int64)


def group_rows(frame: pd.DataFrame, by: list[str]) -> list[np.ndarray]:
    """The row positions of each group of `by` (ascending within a group), the groups of
    frame.groupby(by).indices; rows with a missing key belong to no group."""
    key = combined(frame, by)
    if key is None:
        return list(frame.groupby(by, sort=False).indices.values())
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.diff(key[order], prepend=-1))
    return list(np.split(order, starts[1:])) if len(order) else []


def sorted_order(frame: pd.DataFrame, by: list[str]) -> np.ndarray | None:
    """The row positions of frame.sort_values(by) (stable, as pandas sorts several keys), or
    None when the rows are in that order already."""
    key = combined(frame, by, sort=True)
    if key is None:
        order = frame.reset_index(drop=True).sort_values(by).index.to_numpy()
        return None if (order == np.arange(len(order))).all() else order
    if len(key) < 2 or bool((np.diff(key) >= 0).all()):
        return None
    return np.argsort(key, kind="stable")


def first_rows(ids: np.ndarray, n_groups: int) -> np.ndarray:
    """The position of each group's first row.

    >>> first_rows(np.array([1, 0, 1, 2]), 3).tolist()
    [1, 0, 3]
    """
    first = np.full(n_groups, len(ids), dtype=np.int64)
    np.minimum.at(first, ids, np.arange(len(ids)))
    return first


def sums(ids: np.ndarray, n_groups: int, values) -> np.ndarray:
    """Each group's sum of `values` (NaN counts as 0, as groupby's sum).

    >>> sums(np.array([0, 1, 0]), 2, np.array([1.0, np.nan, 2.0])).tolist()
    [3.0, 0.0]
    """
    values = np.asarray(values, dtype=float)
    return np.bincount(ids, weights=np.where(np.isnan(values), 0.0, values), minlength=n_groups)


def sums_by(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """frame.groupby(by, as_index=False).sum(): the same rows in the same order, the sums to
    the last bit (pandas adds each group's rows in their order either way), grouped by integer
    codes of the keys instead of their values.

    >>> frame = pd.DataFrame({"s": ["b", "a", "b"], "n": [1.0, 2.0, 3.0]})
    >>> sums_by(frame, ["s"]).values.tolist()
    [['a', 2.0], ['b', 4.0]]
    """
    ids = group_ids(frame, by, sort=True)
    if ids is None:
        return frame.groupby(by, as_index=False).sum()
    values = [c for c in frame.columns if c not in by]
    n_groups = int(ids.max()) + 1 if len(ids) else 0
    summed = frame[values].groupby(ids).sum()
    out = frame[by].iloc[first_rows(ids, n_groups)].reset_index(drop=True)
    for column in values:
        out[column] = summed[column].to_numpy()
    return out


def rows_in(rows: pd.DataFrame, among: pd.DataFrame) -> np.ndarray:
    """Whether each row of `rows` has its values (of all its columns) in some row of `among`
    (the same columns): a set of tuples asked row by row, by integer codes.

    >>> rows_in(pd.DataFrame({"s": ["a", "b"], "y": [1, 1]}), pd.DataFrame({"s": ["b"], "y": [1]}))
    array([False,  True])
    """
    columns = list(rows.columns)
    both = pd.concat([rows, among[columns].set_axis(columns, axis=1)], ignore_index=True)
    key = combined(both, columns)
    if key is None:
        have = set(among[columns].itertuples(index=False, name=None))
        return np.array([r in have for r in rows.itertuples(index=False, name=None)], dtype=bool)
    return np.isin(key[: len(rows)], key[len(rows) :])
