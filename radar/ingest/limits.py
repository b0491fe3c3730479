"""How large a file the readers accept: beyond these limits a file is refused before it is
read, so that one workbook cannot exhaust the server's memory for every user."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """How large a file the readers accept: a file beyond them is refused before it is read,
    so that one workbook cannot exhaust the server's memory for every user. Each can be set by
    an environment variable (RADAR_MAX_ROWS, RADAR_MAX_COLUMNS, RADAR_MAX_CELLS,
    RADAR_MAX_CELL_CHARS, RADAR_MAX_UNPACKED_MB)."""

    rows: int = 1_048_576  # Excel's own limit
    columns: int = 1_000
    cells: int = 50_000_000  # rows × columns of one sheet's used range
    cell_chars: int = 10_000
    unpacked_mb: int = 2_048  # a workbook's contents once unpacked

    @classmethod
    def current(cls) -> Limits:
        return cls(
            rows=_env_int("RADAR_MAX_ROWS", cls.rows),
            columns=_env_int("RADAR_MAX_COLUMNS", cls.columns),
            cells=_env_int("RADAR_MAX_CELLS", cls.cells),
            cell_chars=_env_int("RADAR_MAX_CELL_CHARS", cls.cell_chars),
            unpacked_mb=_env_int("RADAR_MAX_UNPACKED_MB", cls.unpacked_mb),
        )
