"""What part of the region a person may read, enforced on the connection that reads it.

An `Access` names whole municipalities and curators (whose schools are those the region's
programme lists assign to them in the latest year they have any). `restrict` puts, on one
DuckDB connection or cursor, a temporary view in front of every table that holds schools or
municipalities: the view has only the rows of the schools and municipalities the person may
see, and has the table's own name, so every statement run on that connection — a page's
query, a hand-out, an export — reads only her part, whatever it asks for. Temporary views
belong to their connection: other sessions' cursors are not touched.

A row is kept when each of its school and municipality columns is empty or visible (a
region-level roadmap event has neither: everybody sees the region's plan).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd

from radar.store import db

# The columns that tie a row to a school or a municipality, and which visible set they use.
SCHOOL_COLUMNS = ("school_id",)
MUNICIPALITY_COLUMNS = ("municipality_id",)
# Registered on a restricted connection: the visible schools and municipalities.
VISIBLE_SCHOOLS = "access_schools"
VISIBLE_MUNICIPALITIES = "access_municipalities"


@dataclass(frozen=True)
class Access:
    region: bool = False
    municipalities: frozenset[str] = frozenset()
    curators: frozenset[str] = frozenset()

    @property
    def token(self) -> str:
        """A short stable name of this access, for cache keys."""
        if self.region:
            return "region"
        text = "|".join([",".join(sorted(self.municipalities)), ",".join(sorted(self.curators))])
        return hashlib.sha1(text.encode()).hexdigest()[:16]


REGION = Access(region=True)
NOTHING = Access()


@dataclass(frozen=True)
class Visible:
    """The concrete schools and municipalities an Access gives on one data version."""

    schools: tuple[str, ...]
    municipalities: tuple[str, ...]


def visible(con: duckdb.DuckDBPyConnection, access: Access) -> Visible:
    """The schools and municipalities `access` opens in the database on `con` (unrestricted)."""
    rows = con.execute(
        db.sql("access/visible_schools"),
        {"municipalities": sorted(access.municipalities), "curators": sorted(access.curators)},
    ).fetchall()
    schools = tuple(sorted({r[0] for r in rows}))
    municipalities = tuple(sorted({r[1] for r in rows} | set(access.municipalities)))
    return Visible(schools, municipalities)


@dataclass(frozen=True)
class Guarded:
    """A table with school or municipality columns: what its view filters on."""

    table: str
    schools: tuple[str, ...]
    municipalities: tuple[str, ...]


def guarded_tables(con: duckdb.DuckDBPyConnection) -> dict[str, Guarded]:
    """Every table of the database with a column naming a school or a municipality."""
    rows = con.execute(db.sql("access/guarded_columns")).fetchall()
    found: dict[str, tuple[list[str], list[str]]] = {}
    for table, column in rows:
        schools, municipalities = found.setdefault(table, ([], []))
        (schools if column in SCHOOL_COLUMNS else municipalities).append(column)
    return {t: Guarded(t, tuple(s), tuple(m)) for t, (s, m) in found.items()}


def reads(text: str, tables: Iterable[str]) -> list[str]:
    """The tables among `tables` that the SQL text names."""
    return [t for t in tables if re.search(rf"\b{t}\b", text)]


def restrict(
    con: duckdb.DuckDBPyConnection,
    shown: Visible,
    guarded: Mapping[str, Guarded],
    tables: Iterable[str] | None = None,
    frames: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Put the filtering views on `con` for `tables` (by default every guarded table).

    `frames` stand in for stored tables of the same name (a session's own lists): they are
    registered under another name and filtered like the table."""
    import pyarrow as pa

    frames = dict(frames or {})
    catalog = con.execute("select current_database()").fetchall()[0][0]
    con.register(VISIBLE_SCHOOLS, pa.table({"school_id": pa.array(shown.schools, pa.string())}))
    con.register(
        VISIBLE_MUNICIPALITIES,
        pa.table({"municipality_id": pa.array(shown.municipalities, pa.string())}),
    )
    wanted = set(guarded if tables is None else tables) | set(frames)
    for name in sorted(wanted):
        if name in frames:
            db.register_frame(con, f"own_{name}", frames[name])
        table = guarded.get(name, Guarded(name, (), ()))
        visible = [(c, VISIBLE_SCHOOLS, "school_id") for c in table.schools] + [
            (c, VISIBLE_MUNICIPALITIES, "municipality_id") for c in table.municipalities
        ]
        con.execute(
            db.restricted_view(
                name,
                None if name in frames else catalog,
                f"own_{name}" if name in frames else name,
                visible,
            )
        )


def restricted(con: duckdb.DuckDBPyConnection, access: Access) -> duckdb.DuckDBPyConnection:
    """`con` itself with every guarded table restricted to `access` (the command line run as
    a person): nothing for the region's access."""
    if access.region:
        return con
    restrict(con, visible(con, access), guarded_tables(con))
    return con


def keep_visible(frame: pd.DataFrame, shown: Visible, column: str = "school_id") -> pd.DataFrame:
    """Only the rows of visible schools: for a frame computed from the whole region (a what-if
    list, the clusters) before a page shows it."""
    if column not in frame.columns:
        return frame
    return frame[frame[column].isin(shown.schools)].reset_index(drop=True)
